// Fleet members as the MemberCluster objects KubeFleet's scheduler reads (kubefleet-dev/kubefleet
// apis/cluster/v1beta1/membercluster_types.go): labels (plus the ones Azure Fleet Manager puts on
// its members, MicrosoftDocs/azure-aks-docs articles/kubernetes-fleet/concepts-member-cluster-labels.md),
// taints, properties, resource usage, and a healthy MemberAgent status. A member declared in the
// program is treated as joined and healthy, so it is eligible; the real agent's health is not known
// to a pure function. Pure: no Pulumi import.

import { MemberCluster, ResourceList, Taint } from "../scheduler/types";

export interface PlacementMemberFacts {
  /** Fleet member name (the MemberCluster name). */
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  /** Set for members in an Azure Fleet: Fleet then labels the MemberCluster with these. */
  azure?: {
    location: string;
    resourceGroup: string;
    /** Left out of the labels when not known (e.g. not resolvable at preview). */
    subscriptionId?: string;
    /** The AKS / Arc cluster name. */
    clusterName: string;
  };
  /** `status.properties`: property name → quantity string (e.g. `kubernetes-fleet.io/node-count: "3"`). */
  properties?: Record<string, string>;
  /** `status.resourceUsage`, addressed as `resources.kubernetes-fleet.io/{total|allocatable|available}-<resource>`. */
  resourceUsage?: { capacity?: ResourceList; allocatable?: ResourceList; available?: ResourceList };
}

/** The labels Azure Fleet Manager sets on every member (read-only there). */
export const AZURE_FLEET_LABELS = {
  location: "fleet.azure.com/location",
  resourceGroup: "fleet.azure.com/resource-group",
  subscriptionId: "fleet.azure.com/subscription-id",
  clusterName: "fleet.azure.com/cluster-name",
  memberName: "fleet.azure.com/member-name",
} as const;

export const MEMBER_CLUSTER_API_VERSION = "cluster.kubernetes-fleet.io/v1beta1";

/** The Azure Fleet labels of one member; {} for members outside an Azure Fleet (OSS KubeFleet adds none). */
export function azureFleetLabels(member: PlacementMemberFacts): Record<string, string> {
  const azure = member.azure;
  if (azure === undefined) return {};
  return {
    [AZURE_FLEET_LABELS.location]: azure.location,
    [AZURE_FLEET_LABELS.resourceGroup]: azure.resourceGroup,
    ...(azure.subscriptionId !== undefined && { [AZURE_FLEET_LABELS.subscriptionId]: azure.subscriptionId }),
    [AZURE_FLEET_LABELS.clusterName]: azure.clusterName,
    [AZURE_FLEET_LABELS.memberName]: member.name,
  };
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
    // Azure's labels win over a user label with the same key: Fleet owns them.
    metadata: { name: member.name, labels: { ...member.labels, ...azureFleetLabels(member) } },
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
