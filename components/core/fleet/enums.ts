// The fleet's closed sets of values, each an object of constants with the type of its values: a
// TypeScript program writes either `"tunnel"` or `RoutingMode.Tunnel`, and the package schema that
// other Pulumi languages are generated from has them as named enums (the component analyzer of
// @pulumi/pulumi provider/experimental takes a literal union only in this form or as a TS enum).

/** How pod traffic crosses nodes, the same on every member. */
export const RoutingMode = {
  /** VXLAN between nodes. */
  Tunnel: "tunnel",
  /** Pod CIDRs routed by the network. */
  Native: "native",
} as const;
export type RoutingMode = (typeof RoutingMode)[keyof typeof RoutingMode];

/** Cilium `clustermesh.maxConnectedClusters`: how many clusters one mesh may hold. */
export const MaxConnectedClusters = {
  /** 255 clusters: Cilium's default. */
  Default: 255,
  /** 511 clusters: halves the identities each cluster can allocate for itself. */
  Extended: 511,
} as const;
export type MaxConnectedClusters = (typeof MaxConnectedClusters)[keyof typeof MaxConnectedClusters];

/** The network plugin of an AKS member. */
export const AksNetworkPlugin = {
  /** Azure CNI with per-pool pod subnets and AKS-managed Cilium (`networkDataplane: cilium`). */
  Azure: "azure",
  /** Bring your own CNI: fleetmesh installs Cilium itself. */
  None: "none",
} as const;
export type AksNetworkPlugin = (typeof AksNetworkPlugin)[keyof typeof AksNetworkPlugin];

/** How a member's clustermesh-apiserver is exposed to its peers. */
export const MeshEndpointServiceType = {
  /** A LoadBalancer Service: peers dial its address on port 2379. */
  LoadBalancer: "LoadBalancer",
  /** A NodePort Service: peers dial the member's node addresses on its NodePort. */
  NodePort: "NodePort",
} as const;
export type MeshEndpointServiceType = (typeof MeshEndpointServiceType)[keyof typeof MeshEndpointServiceType];

/** How a member cluster is provisioned; exactly one per member. */
export const Provisioner = {
  /** A local kind cluster fleetmesh creates. */
  Kind: "kind",
  /** An AKS cluster fleetmesh creates. */
  Aks: "aks",
  /** An existing cluster reached through its kubeconfig. */
  Kubeconfig: "kubeconfig",
} as const;
export type Provisioner = (typeof Provisioner)[keyof typeof Provisioner];

/** What a run does to a member's allocation, as the allocation what-if says it. */
export const AllocationChange = {
  /** A member allocated for the first time. */
  New: "new",
  /** The same id, CIDRs and NodePort as in the previous run. */
  Kept: "kept",
  /** A member whose id, CIDRs or NodePort change (only with allowRenumber). */
  Renumbered: "renumbered",
  /** A member gone since the previous run. */
  Removed: "removed",
} as const;
export type AllocationChange = (typeof AllocationChange)[keyof typeof AllocationChange];
