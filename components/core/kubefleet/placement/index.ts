// The pure core of the Placement component: resource selection, MemberCluster inputs, rollout
// batches, statuses and the what-if, the argument rules, the state carried between runs, and the
// plan of a whole run with the children to register. No Pulumi import.
export * from "./resource-selection";
export * from "./member-clusters";
export * from "./rollout";
export * from "./status";
export * from "./state-output";
export * from "./arguments";
export * from "./children";
export * from "./plan";
export * from "./warnings";
