// The one ARM API version fleetmesh speaks to the Fleet resource provider with, for fleet members and
// cluster mesh profiles alike: the first that has both `fleets/members` `properties.labels` and
// `fleets/clusterMeshProfiles` (Azure/azure-rest-api-specs
// specification/containerservice/resource-manager/Microsoft.ContainerService/fleet/preview/2026-03-02-preview).

/** The Fleet RP API version of FleetMembers (with labels) and ClusterMeshProfiles. */
export const FLEET_API_VERSION = "2026-03-02-preview";
