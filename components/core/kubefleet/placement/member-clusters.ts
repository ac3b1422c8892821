// Fleet members as the MemberCluster objects KubeFleet's scheduler reads (kubefleet-dev/kubefleet
// apis/cluster/v1beta1/membercluster_types.go): labels (plus the ones Azure Fleet Manager puts on
// its members, MicrosoftDocs/azure-aks-docs articles/kubernetes-fleet/concepts-member-cluster-labels.md),
// taints, properties, resource usage, and a healthy MemberAgent status. A member declared in the
// program is treated as joined and healthy, so it is eligible; the real agent's health is not known
// to a pure function. Pure: no Pulumi import.

import { MemberCluster, ResourceList, Taint } from "../scheduler/types";
import { hasOwn } from "../../fleet/own";

export interface PlacementMemberFacts {
  /** Fleet member name (the MemberCluster name). */
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  /** Set for members in an Azure Fleet: Fleet then labels the MemberCluster with these. */
  azure?: AzureFleetMemberFacts;
  /** `status.properties`: property name → quantity string (e.g. `kubernetes-fleet.io/node-count: "3"`). */
  properties?: Record<string, string>;
  /** `status.resourceUsage`, addressed as `resources.kubernetes-fleet.io/{total|allocatable|available}-<resource>`. */
  resourceUsage?: { capacity?: ResourceList; allocatable?: ResourceList; available?: ResourceList };
}

/** What Azure Fleet labels a member with; a value not known yet (e.g. at preview) is left out of the labels. */
export interface AzureFleetMemberFacts {
  location?: string;
  resourceGroup?: string;
  subscriptionId?: string;
  /** The AKS / Arc cluster name. */
  clusterName: string;
}

/** An AKS member's declaration as given: `location` and `resourceGroupName` are strings, or values not known now. */
export interface AksMembershipFacts {
  location: unknown;
  resourceGroupName: unknown;
  /** @default the member's name */
  clusterName?: string;
}

/**
 * The labels Azure Fleet Manager sets on every member (read-only there; MicrosoftDocs/azure-aks-docs
 * articles/kubernetes-fleet/concepts-member-cluster-labels.md, "Default labels").
 */
export const AZURE_FLEET_LABELS = {
  location: "fleet.azure.com/location",
  resourceGroup: "fleet.azure.com/resource-group",
  subscriptionId: "fleet.azure.com/subscription-id",
  clusterName: "fleet.azure.com/cluster-name",
  memberName: "fleet.azure.com/member-name",
} as const;

export const MEMBER_CLUSTER_API_VERSION = "cluster.kubernetes-fleet.io/v1beta1";

/**
 * What Azure Fleet labels an AKS member with, from its declaration: undefined unless it joins an Azure
 * Fleet. A location or resource group given as a value not known now (a Pulumi Output) is left out.
 */
export function azureFleetFacts(
  aks: AksMembershipFacts | undefined,
  memberName: string,
  joinsAzureFleet: boolean,
): AzureFleetMemberFacts | undefined {
  if (aks === undefined || !joinsAzureFleet) return undefined;
  return {
    ...(typeof aks.location === "string" && { location: aks.location }),
    ...(typeof aks.resourceGroupName === "string" && { resourceGroup: aks.resourceGroupName }),
    clusterName: aks.clusterName ?? memberName,
  };
}

/** The Azure Fleet labels of one member; {} for members outside an Azure Fleet (OSS KubeFleet adds none). */
export function azureFleetLabels(member: Pick<PlacementMemberFacts, "name" | "azure">): Record<string, string> {
  const azure = member.azure;
  if (azure === undefined) return {};
  return {
    ...(azure.location !== undefined && { [AZURE_FLEET_LABELS.location]: azure.location }),
    ...(azure.resourceGroup !== undefined && { [AZURE_FLEET_LABELS.resourceGroup]: azure.resourceGroup }),
    ...(azure.subscriptionId !== undefined && { [AZURE_FLEET_LABELS.subscriptionId]: azure.subscriptionId }),
    [AZURE_FLEET_LABELS.clusterName]: azure.clusterName,
    [AZURE_FLEET_LABELS.memberName]: member.name,
  };
}

/** A member's labels as its MemberCluster carries them: its own, with Azure Fleet's over them (Fleet owns those keys). */
export function fleetMemberLabels(member: Pick<PlacementMemberFacts, "name" | "labels" | "azure">): Record<string, string> {
  return { ...member.labels, ...azureFleetLabels(member) };
}

/** The Azure Fleet label keys a member will carry whose value is not known now (none outside an Azure Fleet). */
export function unknownFleetLabelKeys(member: Pick<PlacementMemberFacts, "name" | "azure">): string[] {
  if (member.azure === undefined) return [];
  const known = azureFleetLabels(member);
  return Object.values(AZURE_FLEET_LABELS).filter((key) => !hasOwn(known, key));
}

/** One MemberCluster per member, in the given order; `now` stamps the heartbeat and observation times. */
export function memberClusters(members: readonly PlacementMemberFacts[], now: Date): MemberCluster[] {
  const time = now.toISOString();
  return members.map((member) => memberCluster(member, time));
}

function memberCluster(member: PlacementMemberFacts, time: string): MemberCluster {
  const status: NonNullable<MemberCluster["status"]> = { agentStatus: [healthyAgent(time)] };
  if (member.properties !== undefined) status.properties = properties(member.properties, time);
  if (member.resourceUsage !== undefined) status.resourceUsage = { ...copyUsage(member.resourceUsage), observationTime: time };
  return {
    apiVersion: MEMBER_CLUSTER_API_VERSION,
    kind: "MemberCluster",
    metadata: { name: member.name, labels: fleetMemberLabels(member) },
    spec: { taints: member.taints.map((t) => ({ ...t })) },
    status,
  };
}

function properties(values: Record<string, string>, time: string): Record<string, { value: string; observationTime: string }> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { value, observationTime: time }]));
}

function copyUsage(usage: NonNullable<PlacementMemberFacts["resourceUsage"]>): NonNullable<PlacementMemberFacts["resourceUsage"]> {
  return {
    ...(usage.capacity !== undefined && { capacity: { ...usage.capacity } }),
    ...(usage.allocatable !== undefined && { allocatable: { ...usage.allocatable } }),
    ...(usage.available !== undefined && { available: { ...usage.available } }),
  };
}

/**
 * Joined and Healthy True since `time`, heartbeat at `time`: passes every eligibility check
 * (kubefleet-dev/kubefleet pkg/scheduler/clustereligibilitychecker/checker.go).
 */
function healthyAgent(time: string) {
  const condition = (type: string) => ({
    type,
    status: "True" as const,
    reason: "DeclaredMember",
    message: "declared in the fleetmesh program",
    lastTransitionTime: time,
  });
  return { type: "MemberAgent", conditions: [condition("Joined"), condition("Healthy")], lastReceivedHeartbeat: time };
}
