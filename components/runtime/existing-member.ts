import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { existingCiliumNotice, memberCheckSpec } from "../core/fleet/existing-cluster-check";
import { FleetCiliumSettings, PlannedMember } from "../core/fleet/plan-fleet";
import { MemberAllocation } from "../core/fleet/types";
import { checkExistingCluster, restartAfterRekey } from "./existing-cluster";
import { ProvisionedCluster } from "./kind-cluster";

/** What a kubeconfig member's declaration says about its cluster. */
export interface KubeconfigClusterDeclaration {
  kubeconfig: pulumi.Input<string>;
  context?: string;
  serviceCidr?: string;
}

/** A kubeconfig member's cluster: its kubeconfig, and the read-only check every write to it waits for. */
export interface KubeconfigCluster extends ProvisionedCluster {
  check: command.local.Command;
}

/**
 * An existing cluster, reached through the user's kubeconfig (never the ambient one), checked at
 * `up` before anything is written to it (existing-cluster.ts).
 */
export function kubeconfigCluster(
  name: string,
  plan: PlannedMember,
  declaration: KubeconfigClusterDeclaration,
  cilium: FleetCiliumSettings,
  allocation: MemberAllocation,
  newMember: Promise<boolean>,
  parent: pulumi.Resource,
): KubeconfigCluster {
  const kubeconfig = pulumi.secret(pulumi.output(declaration.kubeconfig));
  const spec = pulumi.output(newMember).apply((isNew) =>
    memberCheckSpec({
      member: plan.name,
      context: declaration.context,
      declaredServiceCidr: declaration.serviceCidr,
      ciliumVersion: cilium.version,
      routingMode: cilium.routingMode,
      maxConnectedClusters: cilium.maxConnectedClusters,
      existing: plan.existingCilium,
      allocation,
      newMember: isNew,
    }),
  );
  return {
    kubeconfig,
    clusterIdentifier: pulumi.output(`${plan.name}/${declaration.context ?? "current-context"}`),
    check: checkExistingCluster(name, spec, kubeconfig, parent),
  };
}

/**
 * For a member whose Cilium fleetmesh takes over: the preview says what happens to it, and once the
 * release is re-keyed to the fleet CA its clustermesh-apiserver is restarted (when it runs one).
 */
export function afterTakeover(
  name: string,
  plan: PlannedMember,
  context: string | undefined,
  cilium: FleetCiliumSettings,
  caCertPem: pulumi.Output<string>,
  kubeconfig: pulumi.Output<string>,
  release: pulumi.Resource,
  parent: pulumi.Resource,
): command.local.Command | undefined {
  const existing = plan.existingCilium;
  if (!existing) return undefined;
  if (pulumi.runtime.isDryRun()) {
    const notice = existingCiliumNotice({
      member: plan.name,
      installedVersion: existing.version,
      fleetVersion: cilium.version,
      runsApiserver: plan.apiserver !== undefined,
    });
    pulumi.log.info(notice, parent);
  }
  return plan.apiserver ? restartAfterRekey(name, plan.name, context, caCertPem, kubeconfig, release, parent) : undefined;
}
