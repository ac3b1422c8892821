// The peer lists of a Cilium mesh: per member, every other member and where it is reached.
// Pure: no Pulumi import (components/core/ rule).

import { CiliumPeer, peersOf } from "./peer-config";
import { MeshPlan } from "./mesh-plan";

/** Where a member's clustermesh-apiserver is reached; an undefined part is not known yet. */
export interface MeshEndpoint {
  port: number;
  ips?: string[];
  address?: string;
}

/**
 * Per member of a cilium mesh, its peer config entries: every OTHER member, sorted
 * by name (`peersOf`; a member never lists itself: cilium/cilium
 * install/kubernetes/cilium/values.yaml, `clustermesh.config.clusters`). Throws when a member has no endpoint: planMeshes refuses such a mesh
 * (`members.<m>.meshEndpoint`), so reaching here without one is a programming error.
 */
export function meshPeers(plan: MeshPlan, endpoints: Record<string, MeshEndpoint>): Record<string, CiliumPeer[]> {
  return Object.fromEntries(plan.members.map((name) => [name, meshPeersOf(name, plan.members, endpoints)]));
}

/** One member's peer config entries, from the endpoints of the other members (what each member's peer config lists). */
export function meshPeersOf(self: string, members: readonly string[], endpoints: Record<string, MeshEndpoint>): CiliumPeer[] {
  return peersOf(
    self,
    members.filter((name) => name !== self).map((name) => peerOf(name, endpoints)),
  );
}

/** Every member of a mesh as the others dial it, in the mesh's order (what its peer table is built from). */
export function meshPeerList(members: readonly string[], endpoints: Record<string, MeshEndpoint>): CiliumPeer[] {
  return members.map((name) => peerOf(name, endpoints));
}

function peerOf(name: string, endpoints: Record<string, MeshEndpoint>): CiliumPeer {
  if (!Object.prototype.hasOwnProperty.call(endpoints, name)) {
    throw new Error(`meshPeers: no endpoint for member ${JSON.stringify(name)} of the mesh`);
  }
  const { port, ips, address } = endpoints[name];
  return { name, port, ...(ips !== undefined && { ips: [...ips] }), ...(address !== undefined && { address }) };
}
