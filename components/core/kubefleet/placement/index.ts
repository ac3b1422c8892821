// The pure core of the Placement component: resource selection, MemberCluster inputs, rollout
// batches, statuses and the what-if. No Pulumi import.
export * from "./resource-selection";
export * from "./member-clusters";
export * from "./rollout";
export * from "./status";
