// fleetmesh: declare a fleet of Kubernetes clusters, mesh them with Cilium, place workloads on them.
// The public surface: the components, their Args, and the value types users write or read. Internal
// wiring (plans, the fleet's claims table, what the Fleet hands its members and meshes) is not exported.

// Fleet and its members and meshes.
export { Fleet, FleetArgs, FleetCiliumArgs, FleetPoolsArgs, NodePortRangeArgs, AzureFleetArgs, defaultPools } from "./fleet";
export { ExistingCiliumArgs, Member, MemberDeclaration, MeshEndpointArgs } from "./member";
export { ClusterMesh, ClusterMeshArgs, MeshDeclaration } from "./cluster-mesh";
export { KindClusterArgs } from "./runtime/kind-cluster";
export { AksClusterArgs } from "./runtime/aks-cluster";
export { AksVirtualNetworkArgs } from "./runtime/aks-cluster";
export { ExistingCa } from "./runtime/shared-ca";
export { FleetStateSource, StateSource } from "./runtime/previous-state";
export type { CiliumOwner } from "./core/fleet/plan-fleet";
export type { FleetState, MeshState, MemberAllocation, MemberTaint, AllocationPools, Provisioner } from "./core/fleet/types";
export { AksNetworkPlugin, MaxConnectedClusters, MeshEndpointServiceType, RoutingMode } from "./core/fleet/enums";
export { AzureLoginMode, PrincipalType } from "./core/azure/enums";
export { FleetRef, MeshRef } from "./fleet-ref";
export { DEFAULT_LOAD_BALANCER_POOL } from "./core/cilium/load-balancer-pool";

// Services and policies across clusters.
export { GlobalService, GlobalServiceArgs } from "./global-service";
export { MultiClusterService, MultiClusterServiceArgs } from "./multi-cluster-service";
export { CrossClusterPolicy, CrossClusterPolicyArgs } from "./cross-cluster-policy";
export type { ServicePortSpec } from "./core/services/global-service";
export { ServiceAffinity, ServiceProtocol } from "./core/services/global-service";
export { Realization } from "./core/services/multi-cluster-service";
export type { PolicyPeer, PolicyPort } from "./core/services/network-policy";
export { PolicyProtocol } from "./core/services/network-policy";

// Placement, and the KubeFleet scheduler it runs on.
export { Placement, PlacementArgs, PlacementHubArgs, PlacementState } from "./placement";
export { PlacementStateSource } from "./runtime/previous-state";
export { KubernetesManifest } from "./core/kubefleet/placement/manifests";
export { PlacementCondition, PlacementMode, PlacementStatus, PlacementWhatIf } from "./core/kubefleet/placement/status";
export { CrpApiVersion } from "./core/kubefleet/placement/children";
export { ResourceSelectorTerm, SelectionScope } from "./core/kubefleet/placement/selector-validation";
export type { RolloutBatch } from "./core/kubefleet/placement/rollout";
export * as scheduler from "./core/kubefleet/scheduler";

// The one refusal, and the one violation type it carries.
export { FleetValidationError } from "./errors";
export type { FieldViolation } from "./core/k8s/field-errors";
