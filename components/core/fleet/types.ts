// Plain data shared by fleetmesh's pure core (allocation, validation, Cilium values, kind config).
// No Pulumi import anywhere under components/core/.

import { MaxConnectedClusters, MeshEndpointServiceType, Provisioner } from "./enums";

export { Provisioner };

/** Allocation pools of the fleet: what every member's pod CIDR, service CIDR and NodePort are taken from. */
export interface AllocationPools {
  /** IPv4 CIDR that every member's pod CIDR is carved from. */
  podCidrPool: string;
  /** Prefix length of each member's pod CIDR. */
  podCidrPrefixLength: number;
  /** IPv4 CIDR that every member's service CIDR is carved from (must not overlap podCidrPool). */
  serviceCidrPool: string;
  /** Prefix length of each member's service CIDR. */
  serviceCidrPrefixLength: number;
  /**
   * Inclusive range of NodePorts for the clustermesh-apiserver of kind members: `first` is the lowest
   * NodePort handed out, `last` the highest.
   */
  nodePortRange: { first: number; last: number };
}

/** What a member asks of the allocator: its name and anything the user pinned. */
export interface AllocationRequest {
  name: string;
  /** kind members expose their clustermesh-apiserver on a per-member NodePort. */
  needsNodePort: boolean;
  /**
   * The pinned pod and service CIDRs are facts of a cluster that already exists (kubeconfig members):
   * kept as declared even outside the fleet's pools (validation keeps them clear of the pools).
   * @default false: a pin must lie inside its pool
   */
  cidrsAreFacts?: boolean;
  pins: {
    clusterId?: number;
    podCidr?: string;
    serviceCidr?: string;
    nodePort?: number;
  };
}

/** One member's allocation. Never changes for an existing member unless renumbering is allowed. */
export interface MemberAllocation {
  /** The member's Cilium cluster ID, unique in the fleet. */
  clusterId: number;
  /** The member's pod CIDR, carved from the fleet's pod CIDR pool. */
  podCidr: string;
  /** The member's service CIDR, carved from the fleet's service CIDR pool. */
  serviceCidr: string;
  /**
   * The NodePort of the member's clustermesh-apiserver, from the fleet's NodePort range.
   * @default no NodePort: only members that need one (kind) get one
   */
  nodePort?: number;
}

/**
 * What a fleet carries from one run to the next (exported as a stack output and read back):
 * the allocation of every member, each mesh's membership, and the settings fixed at install.
 */
export interface FleetState {
  /** Format version of this object (1). */
  version: number;
  /**
   * The Cilium `clustermesh.maxConnectedClusters` every member was installed with: Cilium cannot change
   * it on a running cluster, so a run that asks for another value is refused.
   * @default absent only in state written before it was recorded: the run is accepted and records its value
   */
  maxConnectedClusters?: MaxConnectedClusters;
  /** Member name → its allocation. */
  members: Record<string, MemberAllocation>;
  /**
   * Mesh name → the names of its members (`members`) in that run.
   * @default absent only in state written before meshes were recorded: no mesh has a previous membership
   */
  meshes?: Record<string, MeshState>;
  /**
   * The members whose Cilium was there before fleetmesh (`existingCilium`) and was taken over: a later
   * run that drops the declaration is refused, since it would replace the cluster's values and uninstall
   * that Cilium with the member.
   * @default absent: no member's Cilium was taken over
   */
  takenOver?: string[];
  /**
   * How AKS members keep their Azure Fleet membership: by `az fleet member` Commands.
   * @default absent in state written by fleetmesh versions that joined AKS members through ARM FleetMember resources: a run with such members is refused until `azureFleet.retireArmFleetMembers` hands them over
   */
  azureFleetMembership?: string;
}

/** A mesh as a run left it. */
export interface MeshState {
  /** The names of its members. */
  members: string[];
}

export type { FieldViolation } from "../k8s/field-errors";

/** A taint on a member (the MemberCluster shape: NoSchedule only): placements skip it unless they tolerate it. */
export interface MemberTaint {
  /** The taint's key (a label key). */
  key: string;
  /**
   * The taint's value (a label value).
   * @default an empty value: an `Exists` toleration of the key, or an `Equal` one without a value, tolerates it
   */
  value?: string;
  /** The taint's effect: `NoSchedule`, the only one a member takes. */
  effect: string;
}

/** How a kubeconfig or AKS BYOCNI member's clustermesh-apiserver is exposed to its peers, as declared. */
export interface MeshEndpointDeclaration {
  serviceType?: MeshEndpointServiceType;
  loadBalancerIP?: string;
  ips?: string[];
  annotations?: Record<string, string>;
}

/** What an AKS member's cluster is made of, as far as its values are known when the program runs. */
export interface AksClusterSpec {
  /** The node subnet's prefix in the shared virtual network. */
  nodeSubnetCidr?: string;
  /** Nodes of the system node pool. */
  nodeCount?: number;
  /** The AKS resource name, also its DNS prefix (the member name when absent). */
  clusterName?: string;
}

/** The Cilium an existing cluster already runs, as the user declared it (kubeconfig members only). */
export interface ExistingCiliumDeclaration {
  /** Its `cluster.name`; must equal the member name. */
  clusterName: string;
  /** Its `cluster.id`: the member's cluster id. */
  clusterId: number;
  /** The chart version installed (`1.17.6`). */
  version: string;
}

/** One member as the user declared it, reduced to the plain values validation needs. */
export interface MemberSpec {
  name: string;
  /** Which of kind / aks / kubeconfig were given (validation requires exactly one). */
  provisioners: Provisioner[];
  labels: Record<string, string>;
  taints: MemberTaint[];
  pins: AllocationRequest["pins"];
  /** AKS only: the Kubernetes version asked for (e.g. "1.32" or "1.32.5"). */
  kubernetesVersion?: string;
  /** AKS only: the network plugin ("azure" with managed Cilium, or "none" for BYOCNI). */
  aksNetworkPlugin?: "azure" | "none";
  /** AKS only: true when the member will join an Azure Fleet managed mesh (ClusterMeshProfile). */
  joinsFleetMesh?: boolean;
  /** kind only: number of worker nodes. */
  kindWorkers?: number;
  /** kind only: the node image (an image reference). */
  kindNodeImage?: string;
  /** AKS only: the cluster's own settings. */
  aks?: AksClusterSpec;
  /** Where peers reach the member's clustermesh-apiserver, when the user said. */
  meshEndpoint?: MeshEndpointDeclaration;
  /** kubeconfig only: the Cilium the cluster already runs. */
  existingCilium?: ExistingCiliumDeclaration;
}

/** The fleet as declared, reduced to plain values. */
export interface FleetSpec {
  name: string;
  ciliumVersion: string;
  /** The fleet-wide Cilium choices besides the version, as declared. */
  cilium?: { kubeProxyReplacement?: boolean; routingMode?: "tunnel" | "native"; policyDefaultLocalCluster?: boolean };
  maxConnectedClusters: number;
  pools: AllocationPools;
  members: MemberSpec[];
}
