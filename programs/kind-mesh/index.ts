// kind-mesh: N kind clusters (default 2) meshed with Cilium, and Cilium's rebel-base / x-wing demo.
// Deploy for real with kind, Docker and the Pulumi CLI: `pulumi up` in this folder.
// Plan offline (no cloud, no CLI): `npm run plan -- programs/kind-mesh` from the repository root.
import * as pulumi from "@pulumi/pulumi";
import { CrossClusterPolicy, Fleet, GlobalService, MultiClusterService } from "../../components";
import { DEMO_NAMESPACE, demoApps } from "./demo-apps";

const config = new pulumi.Config();
const memberCount = config.getNumber("members") ?? 2;
const regions = ["east", "west"];

const members = Object.fromEntries(
  Array.from({ length: memberCount }, (_, i) => [
    `cluster${i + 1}`,
    { kind: {}, labels: { mesh: "demo", region: regions[i % regions.length] } },
  ]),
);

const fleet = new Fleet("kind-mesh", {
  cilium: { version: config.get("ciliumVersion") ?? "1.18.12" },
  members,
  meshes: {
    demo: { memberSelector: { matchLabels: { mesh: "demo" } }, defaultGlobalNamespace: false, globalNamespaces: [DEMO_NAMESPACE] },
  },
});

for (const member of Object.values(fleet.members)) {
  const namespace = fleet.meshes.demo.globalNamespaceOn(member.memberName, DEMO_NAMESPACE);
  demoApps(member, namespace ? [namespace] : []);
}

/** rebel-base answers from every cluster of the mesh: `kubectl exec deploy/x-wing -- curl rebel-base` alternates clusters. */
new GlobalService("rebel-base", {
  mesh: fleet.meshes.demo,
  fleet,
  namespace: DEMO_NAMESPACE,
  selector: { name: "rebel-base" },
  ports: [{ name: "http", port: 80 }],
});

/** Only x-wing in cluster1 may call rebel-base in cluster2 (plus DNS), with the cluster named explicitly on both sides. */
new CrossClusterPolicy("x-wing-to-rebel-base", {
  fleet,
  from: { member: "cluster1", namespace: DEMO_NAMESPACE, labels: { name: "x-wing" } },
  to: { member: "cluster2", namespace: DEMO_NAMESPACE, labels: { name: "rebel-base" } },
  ports: [{ port: 80, protocol: "TCP" }],
});

/**
 * One L4 entry point on cluster1 (Cilium LB-IPAM on the kind network), backed by x-wing's HTTP mock in
 * every cluster. Not rebel-base: the policy above admits only x-wing to rebel-base in cluster2. Its
 * LoadBalancer takes no NodePort (allocateLoadBalancerNodePorts: false), so it can never hold the
 * other cluster's clustermesh NodePort, which Cilium ≤ 1.18 with kube-proxy replacement would capture.
 */
const entry = new MultiClusterService("x-wing-entry", {
  fleet,
  namespace: DEMO_NAMESPACE,
  serviceName: "x-wing-entry",
  exportFrom: { matchLabels: { mesh: "demo" } },
  ingressMember: "cluster1",
  ports: [{ name: "http", port: 80 }],
  selector: { name: "x-wing" },
});

/** Read back on the next run: ids, CIDRs and NodePorts never move. */
export const kindMeshFleetState = fleet.state;
export const meshMembers = fleet.meshes.demo.members;
export const entryAddress = entry.address;
export const kubeconfigs = pulumi.secret(Object.fromEntries(Object.entries(fleet.members).map(([name, m]) => [name, m.kubeconfig])));
