import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CILIUM_NAMESPACE } from "../core/cilium/peer-config";

export const CILIUM_CHART_REPOSITORY = "https://helm.cilium.io/";
/** The release name fleetmesh installs under, and the only one it takes over. */
export const CILIUM_RELEASE_NAME = "cilium";
/**
 * The import id of an existing Helm release for `helm.v3.Release`: `<namespace>/<name>`
 * (pulumi/pulumi-kubernetes provider/pkg/provider/helm_release.go: `Read` splits the id with `parseFqName`).
 */
export const EXISTING_RELEASE_ID = `${CILIUM_NAMESPACE}/${CILIUM_RELEASE_NAME}`;

/** How the release comes to be. */
export interface CiliumReleaseOptions {
  /** What must be in place before Helm installs or upgrades: the member's peer objects (see peer-config-objects.ts), its check. */
  dependsOn?: pulumi.Resource[];
  /**
   * The cluster already runs Cilium as this release (`existingCilium`): it is imported, then upgraded
   * with `values` merged over its own (`reuseValues`, Helm's `--reuse-values`), and never uninstalled.
   */
  existing?: boolean;
}

/**
 * Cilium on one member through Helm (`helm.v3.Release`: it runs the chart's cronJob certificate
 * hook, so certificates do not churn on every `pulumi up`), named `<name>-cilium` where `name` is
 * the member component's name. The values carry the shared CA's private key: always secret.
 *
 * A release the cluster already had is taken over: the `import` option reads it into the stack and
 * the same deployment upgrades it, which the Pulumi CLI does from 3.174.0 (pulumi/pulumi#19339: an
 * import whose inputs differ is followed by an update instead of failing with "inputs to import do
 * not match the existing resource"); 3.175.0 fixed the CLI's panic on such imports (#19750), so
 * that is the minimum. `retainOnDelete` makes the engine's delete of it a no-op (pulumi/pulumi
 * pkg/resource/deploy/step.go, `DeleteStep.Apply`): removing the member or destroying the stack
 * leaves the cluster's CNI in place.
 */
export function installCilium(
  name: string,
  version: string,
  values: pulumi.Output<Record<string, unknown>>,
  parent: pulumi.Resource,
  provider: k8s.Provider,
  options: CiliumReleaseOptions = {},
): k8s.helm.v3.Release {
  const existing = options.existing === true;
  return new k8s.helm.v3.Release(
    `${name}-cilium`,
    {
      name: CILIUM_RELEASE_NAME,
      chart: "cilium",
      version,
      repositoryOpts: { repo: CILIUM_CHART_REPOSITORY },
      namespace: CILIUM_NAMESPACE,
      values: pulumi.secret(values),
      ...(existing && { reuseValues: true }),
      timeout: 900,
      maxHistory: 10,
      // Helm's wait would deadlock: the clustermesh-apiserver only becomes ready with the certs the
      // post-install cronJob hook creates, and Helm runs that hook after the wait (cilium#42045).
      skipAwait: true,
    },
    { parent, provider, dependsOn: options.dependsOn ?? [], ...(existing && { import: EXISTING_RELEASE_ID, retainOnDelete: true }) },
  );
}
