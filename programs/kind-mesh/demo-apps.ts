import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Member } from "../../components";

export const DEMO_NAMESPACE = "rebel-base-demo";

/**
 * Cilium's Cluster Mesh demo on one member: `rebel-base` answers with the name of the cluster it
 * runs in (from a ConfigMap), and `x-wing` is a client to curl it from.
 */
export function demoApps(member: Member, dependsOn: pulumi.Resource[]): void {
  // On the member's own provider; not parented on the Member (a component of the fleet, not of this program).
  const opts = { provider: member.provider, dependsOn };
  const labels = { name: "rebel-base" };
  new k8s.core.v1.ConfigMap(
    `${member.memberName}-rebel-base-response`,
    {
      metadata: { name: "rebel-base-response", namespace: DEMO_NAMESPACE },
      data: { message: `{"Galaxy": "Alderaan", "Cluster": "${member.memberName}"}\n` },
    },
    opts,
  );
  new k8s.apps.v1.Deployment(
    `${member.memberName}-rebel-base`,
    {
      metadata: { name: "rebel-base", namespace: DEMO_NAMESPACE },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: "rebel-base",
                image: "docker.io/nginx:1.27-alpine",
                volumeMounts: [{ name: "html", mountPath: "/usr/share/nginx/html/" }],
                livenessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 1 },
                readinessProbe: { httpGet: { path: "/", port: 80 } },
              },
            ],
            volumes: [{ name: "html", configMap: { name: "rebel-base-response", items: [{ key: "message", path: "index.html" }] } }],
          },
        },
      },
    },
    opts,
  );
  new k8s.apps.v1.Deployment(
    `${member.memberName}-x-wing`,
    {
      metadata: { name: "x-wing", namespace: DEMO_NAMESPACE },
      spec: {
        replicas: 2,
        selector: { matchLabels: { name: "x-wing" } },
        template: {
          metadata: { labels: { name: "x-wing" } },
          spec: {
            containers: [
              {
                name: "x-wing-container",
                image: "quay.io/cilium/json-mock:v1.3.8",
                livenessProbe: { exec: { command: ["curl", "-sS", "-o", "/dev/null", "localhost"] } },
              },
            ],
          },
        },
      },
    },
    opts,
  );
}
