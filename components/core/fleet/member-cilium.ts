// A member's Cilium values input, from its plan and its allocation, and its mesh's peer table, from
// where the members of its mesh are reached. The node addresses of kind members are the only
// facts that come from the running clusters; everything else is planned. Pure: no Pulumi import.

import { CiliumClusterMeshInput, CiliumValuesInput } from "../cilium/cilium-values";
import { CiliumPeer, MeshPeerTable, PeerConfigMember, meshPeerTable } from "../cilium/peer-config";
import { MeshEndpoint, meshPeerList, meshPeersOf } from "../cilium/mesh";
import { FleetCiliumSettings, PlannedMember, PlannedMesh } from "./plan-fleet";
import { MemberAllocation } from "./types";
import { ownValue } from "./own";

/** Where the clustermesh-apiserver of a LoadBalancer member listens (the chart's `clustermesh.apiserver.service` port). */
export const CLUSTERMESH_APISERVER_PORT = 2379;

/** Where peers dial a member's clustermesh-apiserver; `ips` undefined while a kind node's address is unknown. */
export function apiserverEndpoint(member: PlannedMember, allocation: MemberAllocation, nodeAddress: string | undefined): MeshEndpoint {
  const exposure = member.apiserver;
  if (exposure?.type === "LoadBalancer") {
    return { port: CLUSTERMESH_APISERVER_PORT, ...(exposure.loadBalancerIP !== undefined && { ips: [exposure.loadBalancerIP] }) };
  }
  const ips = exposure?.ips ?? (nodeAddress ? [nodeAddress] : undefined);
  return { port: allocation.nodePort!, ...(ips !== undefined && { ips }) };
}

/**
 * The member's own clustermesh-apiserver as its values carry it: its Service, and the IPs peers dial it on
 * (for its server certificate). Nothing here depends on other members, so a join changes no values.
 */
export function memberApiserver(
  member: PlannedMember,
  allocation: MemberAllocation,
  nodeAddress: string | undefined,
  defaultGlobalNamespace: boolean | undefined,
): CiliumClusterMeshInput {
  const exposure = member.apiserver!;
  const apiserverService: CiliumClusterMeshInput["apiserverService"] =
    exposure.type === "NodePort"
      ? { type: "NodePort", nodePort: allocation.nodePort! }
      : { type: "LoadBalancer", loadBalancerIP: exposure.loadBalancerIP, annotations: exposure.annotations };
  const { ips } = apiserverEndpoint(member, allocation, nodeAddress);
  return {
    apiserverService,
    ...(ips !== undefined && { advertisedIps: ips }),
    ...(defaultGlobalNamespace !== undefined && { defaultGlobalNamespace }),
  };
}

/** Where every member of a mesh is reached, once per mesh: what its peer table is built from. */
export function meshEndpoints(
  mesh: PlannedMesh,
  members: readonly PlannedMember[],
  allocations: Record<string, MemberAllocation>,
  nodeAddresses: Record<string, string | undefined>,
): Record<string, MeshEndpoint> {
  const byName = new Map(members.map((m) => [m.name, m]));
  return Object.fromEntries(
    mesh.members.map((name) => [
      name,
      apiserverEndpoint(byName.get(name)!, allocationOf(allocations, name), ownValue(nodeAddresses, name)),
    ]),
  );
}

function allocationOf(allocations: Record<string, MemberAllocation>, name: string): MemberAllocation {
  const allocation = ownValue(allocations, name);
  if (!allocation) throw new Error(`meshEndpoints: member ${JSON.stringify(name)} has no allocation (allocateFleet refuses such a run)`);
  return allocation;
}

/**
 * Every other member of the member's mesh, as its peer config files list them (none outside a Cilium
 * mesh), with the mesh's endpoints worked out here: a look at one member's list, as tests take it;
 * the fleet builds each mesh's peer table once instead (`meshPeerTableOf`).
 */
export function memberPeers(
  member: PlannedMember,
  mesh: PlannedMesh | undefined,
  members: readonly PlannedMember[],
  allocations: Record<string, MemberAllocation>,
  nodeAddresses: Record<string, string | undefined>,
): CiliumPeer[] {
  if (!mesh || mesh.backend !== "cilium") return [];
  return meshPeersOf(member.name, mesh.members, meshEndpoints(mesh, members, allocations, nodeAddresses));
}

/** The member, as its share of its mesh's peer table is built (`memberPeerConfig`). */
export function memberPeerSelf(member: PlannedMember, allocation: MemberAllocation): PeerConfigMember {
  return {
    clusterName: member.name,
    ...(allocation.nodePort !== undefined && { nodePort: allocation.nodePort }),
    kubeProxyReplacement: member.kubeProxyReplacement,
  };
}

/**
 * The peer table of a mesh from where its members are reached: what every member's peer objects are
 * cut from (`memberPeerConfig`). Outside a Cilium mesh the table is empty: such a member lists no peer.
 */
export function meshPeerTableOf(
  mesh: PlannedMesh | undefined,
  cilium: FleetCiliumSettings,
  endpoints: Record<string, MeshEndpoint>,
): MeshPeerTable {
  const members = mesh && mesh.backend === "cilium" ? meshPeerList(mesh.members, endpoints) : [];
  return meshPeerTable({ version: cilium.version, members, maxConnectedClusters: cilium.maxConnectedClusters });
}

/** Everything `buildCiliumValues` needs for one member whose Cilium fleetmesh installs. */
export function memberCiliumValuesInput(
  member: PlannedMember,
  cilium: FleetCiliumSettings,
  allocation: MemberAllocation,
  ca: CiliumValuesInput["ca"],
  clustermesh: CiliumClusterMeshInput | undefined,
): CiliumValuesInput {
  return {
    version: cilium.version,
    clusterName: member.name,
    clusterId: allocation.clusterId,
    maxConnectedClusters: cilium.maxConnectedClusters,
    provisioner: member.provisioner,
    podCidr: allocation.podCidr,
    ca,
    kubeProxyReplacement: member.kubeProxyReplacement,
    // With kube-proxy replaced, Cilium reaches the API server directly: the control-plane node.
    ...(member.kind && { k8sServiceHost: member.kind.controlPlane, k8sServicePort: 6443 }),
    routingMode: cilium.routingMode,
    // Native routing must not masquerade traffic to any member's pods: the whole fleet pool.
    ...(cilium.routingMode === "native" && { ipv4NativeRoutingCIDR: cilium.nativeRoutingCidr }),
    policyDefaultLocalCluster: cilium.policyDefaultLocalCluster,
    l2announcements: member.l2Announcements,
    ...(clustermesh && { clustermesh }),
  };
}
