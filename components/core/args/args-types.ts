// The public Args interfaces the structural check knows, one per component (the generated schema has a
// `$defs` entry for each, and for every named type they reach).

export const ARGS_TYPES = [
  "FleetArgs",
  "ClusterMeshArgs",
  "GlobalServiceArgs",
  "MultiClusterServiceArgs",
  "CrossClusterPolicyArgs",
  "PlacementArgs",
] as const;

export type ArgsType = (typeof ARGS_TYPES)[number];
