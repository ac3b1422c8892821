// fleetmesh: declare a fleet of Kubernetes clusters, mesh them with Cilium, place workloads on them.
export { Fleet, FleetArgs, FleetCiliumArgs, AzureFleetArgs, defaultPools } from "./fleet";
export { Member, MemberArgs, MemberDeclaration, MeshEndpointArgs, FleetCiliumSettings, CiliumOwner } from "./member";
export { ClusterMesh, ClusterMeshArgs, MeshDeclaration, AzureMeshContext } from "./cluster-mesh";
export { FleetValidationError } from "./errors";
export { FleetStateSource } from "./runtime/previous-state";
export { ExistingCa } from "./runtime/shared-ca";
export { KindClusterArgs } from "./runtime/kind-cluster";
export { AksClusterArgs } from "./runtime/aks-cluster";
export * from "./core/fleet/types";
export * as scheduler from "./core/kubefleet/scheduler";
export { Placement, PlacementArgs, PlacementHubArgs, PlacementState } from "./placement";
export { GlobalService, GlobalServiceArgs } from "./global-service";
export { MultiClusterService, MultiClusterServiceArgs } from "./multi-cluster-service";
export { CrossClusterPolicy, CrossClusterPolicyArgs } from "./cross-cluster-policy";
export { ServicePortSpec, PortsInput, ServiceAffinity, ServiceProtocol } from "./core/services/global-service";
export { PolicyPeer, PolicyPort, PolicyProtocol } from "./core/services/network-policy";
export { DEFAULT_LOAD_BALANCER_POOL } from "./core/cilium/load-balancer-pool";
