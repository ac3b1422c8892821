// ClusterMesh, pure core: planning (mesh-plan.ts), the peer lists of a Cilium mesh (here) and the
// what-if (mesh-what-if.ts). Pure: no Pulumi import (components/core/ rule).

import { CiliumPeer, peersOf } from "./cilium-values";
import { MeshPlan } from "./mesh-plan";

export {
  planMeshes,
  azureByLabel,
  AZURE_FLEET_MAX_MESH_MEMBERS,
  AZURE_BY_LABEL_MAX_LENGTH,
  MESH_NAME_PATTERN,
  MESH_NAME_MAX_LENGTH,
} from "./mesh-plan";
export type { MeshSpec, MeshMemberFacts, MeshBackend, MeshPlan } from "./mesh-plan";
export { meshWhatIf, renderMeshWhatIf, UNKNOWN_VALUE } from "./mesh-what-if";
export type { MeshAction, MeshWhatIfRow } from "./mesh-what-if";

/** Where a member's clustermesh-apiserver is reached; an undefined part is not known yet. */
export interface MeshEndpoint {
  port: number;
  ips?: string[];
  address?: string;
}

/**
 * Per member of a cilium mesh, its `clustermesh.config.clusters` entries: every OTHER member, sorted
 * by name (`peersOf`; the chart's `clustermesh.config.clusters` lists remote clusters only, cilium/cilium
 * install/kubernetes/cilium/values.yaml). Throws when a member has no endpoint: planMeshes refuses such a mesh
 * (`members.<m>.meshEndpoint`), so reaching here without one is a programming error.
 */
export function meshPeers(plan: MeshPlan, endpoints: Record<string, MeshEndpoint>): Record<string, CiliumPeer[]> {
  return Object.fromEntries(plan.members.map((name) => [name, meshPeersOf(name, plan.members, endpoints)]));
}

/** One member's `clustermesh.config.clusters` entries, from the endpoints of the other members (what each member's values carry). */
export function meshPeersOf(self: string, members: readonly string[], endpoints: Record<string, MeshEndpoint>): CiliumPeer[] {
  return peersOf(
    self,
    members.filter((name) => name !== self).map((name) => peerOf(name, endpoints)),
  );
}

function peerOf(name: string, endpoints: Record<string, MeshEndpoint>): CiliumPeer {
  if (!Object.prototype.hasOwnProperty.call(endpoints, name)) {
    throw new Error(`meshPeers: no endpoint for member ${JSON.stringify(name)} of the mesh`);
  }
  const { port, ips, address } = endpoints[name];
  return { name, port, ...(ips !== undefined && { ips: [...ips] }), ...(address !== undefined && { address }) };
}
