// ClusterMesh, pure core: planning (mesh-plan.ts), the peer lists of a Cilium mesh (mesh-peers.ts),
// what each member writes for them (peer-config.ts) and the what-if (mesh-what-if.ts). Pure: no Pulumi import (components/core/ rule).

export {
  planMeshes,
  azureByLabel,
  AZURE_FLEET_MAX_MESH_MEMBERS,
  AZURE_BY_LABEL_MAX_LENGTH,
  MESH_NAME_PATTERN,
  MESH_NAME_MAX_LENGTH,
} from "./mesh-plan";
export type { MeshSpec, MeshMemberFacts, MeshBackend, MeshPlan } from "./mesh-plan";
export {
  meshWhatIf,
  renderMeshWhatIf,
  existingMemberChanges,
  existingMembersTouch,
  touchLine,
  endpointAddress,
  UNKNOWN_VALUE,
} from "./mesh-what-if";
export type { MeshAction, MeshWhatIfRow, ExistingMembersTouch, TouchVia } from "./mesh-what-if";

export { meshPeers, meshPeersOf, meshPeerList } from "./mesh-peers";
export type { MeshEndpoint } from "./mesh-peers";
