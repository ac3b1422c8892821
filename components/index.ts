// fleetmesh: declare a fleet of Kubernetes clusters, mesh them with Cilium, place workloads on them.
export { Fleet, FleetArgs, FleetCiliumArgs, AzureFleetArgs, defaultPools } from "./fleet";
export { Member, MemberArgs, MemberDeclaration, MeshEndpointArgs, FleetCiliumSettings, CiliumOwner } from "./member";
export { ClusterMesh, ClusterMeshArgs, MeshDeclaration, AzureMeshContext } from "./cluster-mesh";
export { FleetValidationError } from "./errors";
export { FleetStateSource } from "./fleet-state";
export { ExistingCa } from "./shared-ca";
export { KindClusterArgs } from "./provisioning/kind";
export { AksClusterArgs } from "./provisioning/aks";
export * from "./core/types";
export * as scheduler from "./scheduler";
