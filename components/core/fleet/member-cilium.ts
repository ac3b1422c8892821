// A member's Cilium values input, from its plan, its allocation and (for a mesh) where its peers
// are reached. The node addresses of kind members are the only facts that come from the running
// clusters; everything else is planned. Pure: no Pulumi import.

import { CiliumClusterMeshInput, CiliumValuesInput } from "../cilium/cilium-values";
import { MeshEndpoint, meshPeersOf } from "../cilium/mesh";
import { FleetCiliumSettings, PlannedMember, PlannedMesh } from "./plan-fleet";
import { MemberAllocation } from "./types";

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

/** The clustermesh part of a member's values: its own apiserver Service and every other member of its mesh. */
export function memberClusterMesh(
  member: PlannedMember,
  mesh: PlannedMesh,
  members: readonly PlannedMember[],
  allocations: Record<string, MemberAllocation>,
  nodeAddresses: Record<string, string | undefined>,
): CiliumClusterMeshInput {
  const byName = new Map(members.map((m) => [m.name, m]));
  // Only this member's own list: every other member's endpoint, once (linear in the mesh size).
  const others = mesh.members.filter((name) => name !== member.name);
  const endpoints = Object.fromEntries(
    others.map((name) => [name, apiserverEndpoint(byName.get(name)!, allocations[name], nodeAddresses[name])]),
  );
  const exposure = member.apiserver!;
  const apiserverService: CiliumClusterMeshInput["apiserverService"] =
    exposure.type === "NodePort"
      ? { type: "NodePort", nodePort: allocations[member.name].nodePort! }
      : { type: "LoadBalancer", loadBalancerIP: exposure.loadBalancerIP, annotations: exposure.annotations };
  return { apiserverService, peers: meshPeersOf(member.name, others, endpoints), defaultGlobalNamespace: mesh.defaultGlobalNamespace };
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
