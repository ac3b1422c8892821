import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as resources from "@pulumi/azure-native/resources";
import { FLEET_API_VERSION } from "../core/azure/mesh-api-version";
import {
  fleetMemberCreateScript,
  fleetMemberDeleteScript,
  fleetMemberEnvironment,
  fleetMemberUpdateScript,
  managedClusterId,
} from "../core/azure/fleet-member-script";

/** The Azure Fleet an AKS member joins, with the labels that select it into meshes and placements. */
export interface FleetMembership {
  fleetName: pulumi.Input<string>;
  resourceGroupName: pulumi.Input<string>;
  /** The subscription the fleet and its members' clusters are in: every `az` call names it. */
  subscriptionId: pulumi.Input<string>;
  labels: Record<string, string>;
  /**
   * Keep, for this run, the ARM FleetMember resource an earlier fleetmesh version joined the member with,
   * marked retainOnDelete (core/azure/arm-fleet-members.ts says why).
   */
  retireArmFleetMember: boolean;
}

export interface JoinedFleet {
  /** The Command that makes and keeps the membership (resources that need the member depend on it). */
  member: command.local.Command;
  /** The FleetMember's ARM id, as `az` printed it (unknown until the Command ran). */
  memberId: pulumi.Output<string>;
}

/**
 * The FleetMember of an AKS cluster, made by `az fleet member create|update|delete` with bounded retries
 * on the Fleet RP's transient answers (core/azure/fleet-member-script.ts says why). The scripts are
 * constant; the fleet, member, cluster and labels are the Command's environment, so a label change
 * updates it in place and the delete acts on the state's own member. It runs after the cluster and
 * after `after` (the cluster's VNet grant, whose update of the cluster would otherwise race the join).
 */
export function joinAzureFleet(
  name: string,
  member: { name: string; clusterName: string; clusterResourceGroup: pulumi.Input<string>; clusterResourceId: pulumi.Input<string> },
  membership: FleetMembership,
  after: pulumi.Resource[],
  parent: pulumi.Resource,
): JoinedFleet {
  const environment = pulumi
    .all([membership.subscriptionId, membership.resourceGroupName, membership.fleetName, member.clusterResourceGroup])
    .apply(([subscription, resourceGroup, fleet, clusterResourceGroup]) =>
      fleetMemberEnvironment({
        subscription,
        resourceGroup,
        fleet,
        member: member.name,
        clusterId: managedClusterId(subscription, clusterResourceGroup, member.clusterName),
        labels: membership.labels,
      }),
    );
  const joined = new command.local.Command(
    name,
    {
      create: fleetMemberCreateScript(),
      update: fleetMemberUpdateScript(),
      delete: fleetMemberDeleteScript(),
      environment,
    },
    { parent, dependsOn: after },
  );
  if (membership.retireArmFleetMember) retainedArmFleetMember(name, member, membership, joined, parent);
  return { member: joined, memberId: joined.stdout };
}

/**
 * The ARM FleetMember an earlier fleetmesh version joined the member with, registered as that version
 * did (same type, name, parent and inputs, so the engine sees no change) but with `retainOnDelete`:
 * the next run, which no longer registers it, drops it from the state without deleting the membership
 * the Command now keeps. After the Command, so a member new in this run is joined with retries first.
 */
function retainedArmFleetMember(
  name: string,
  member: { name: string; clusterResourceId: pulumi.Input<string> },
  membership: FleetMembership,
  joined: command.local.Command,
  parent: pulumi.Resource,
): resources.Resource {
  return new resources.Resource(
    name,
    {
      resourceProviderNamespace: "Microsoft.ContainerService",
      parentResourcePath: pulumi.interpolate`fleets/${membership.fleetName}`,
      resourceType: "members",
      resourceName: member.name,
      apiVersion: FLEET_API_VERSION,
      resourceGroupName: membership.resourceGroupName,
      properties: { clusterResourceId: member.clusterResourceId, labels: membership.labels },
    },
    { parent, dependsOn: [joined], retainOnDelete: true },
  );
}
