import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

export const CILIUM_CHART_REPOSITORY = "https://helm.cilium.io/";

/**
 * Cilium on one member through Helm (`helm.v3.Release`: it runs the chart's cronJob certificate
 * hook, so certificates do not churn on every `pulumi up`), named `<name>-cilium` where `name` is
 * the member component's name. The values carry the shared CA's private key: always secret.
 */
export function installCilium(
  name: string,
  version: string,
  values: pulumi.Output<Record<string, unknown>>,
  parent: pulumi.Resource,
  provider: k8s.Provider,
  /** What must be in place before Helm installs or upgrades: the member's peer objects (see peer-config-objects.ts). */
  dependsOn: pulumi.Resource[] = [],
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    `${name}-cilium`,
    {
      name: "cilium",
      chart: "cilium",
      version,
      repositoryOpts: { repo: CILIUM_CHART_REPOSITORY },
      namespace: "kube-system",
      values: pulumi.secret(values),
      timeout: 900,
      maxHistory: 10,
      // Helm's wait would deadlock: the clustermesh-apiserver only becomes ready with the certs the
      // post-install cronJob hook creates, and Helm runs that hook after the wait (cilium#42045).
      skipAwait: true,
    },
    { parent, provider, dependsOn },
  );
}
