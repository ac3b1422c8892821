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
export { Placement, PlacementArgs, PlacementHubArgs, PlacementState } from "./placement";
export { GlobalService, GlobalServiceArgs } from "./global-service";
export { MultiClusterService, MultiClusterServiceArgs } from "./multi-cluster-service";
export { CrossClusterPolicy, CrossClusterPolicyArgs } from "./cross-cluster-policy";
export { ServicePortSpec, PortsInput, ServiceAffinity, ServiceProtocol } from "./core/global-service";
export { PolicyPeer, PolicyPort, PolicyProtocol } from "./core/network-policy";
export { DEFAULT_LOAD_BALANCER_POOL } from "./core/load-balancer-pool";
