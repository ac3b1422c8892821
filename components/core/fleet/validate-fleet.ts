// validateFleet: every Cilium Cluster Mesh check that concerns one member or the fleet as a whole
// (the cross-mesh rules live with the meshes), plus the Kubernetes, kind, KubeFleet and Azure Fleet
// rules a member must meet (AKS: validation/aks-member.ts; a mesh endpoint the user declares:
// validation/mesh-endpoint.ts). The Cilium checks follow cilium/cilium
// install/kubernetes/cilium/templates/validate.yaml, pkg/clustermesh/types/{types,option}.go and the
// requirements in Documentation/network/clustermesh/clustermesh.rst; each validation/ file names its
// own sources. Pure: no Pulumi import.
//
// All problems are reported at once, in a deterministic order: fleet-wide settings first
// (cilium.version, maxConnectedClusters, pools.*, members), then each member by name, field by
// field (see validation/findings.ts). [] means valid.

import { FieldViolation, FleetSpec } from "./types";
import { sortFindings } from "./validation/findings";
import { validateFleetSettings } from "./validation/fleet-settings";
import { aksMemberFindings } from "./validation/aks-member";
import { labelAndTaintFindings } from "./validation/labels-taints";
import { meshEndpointFindings } from "./validation/mesh-endpoint";
import { memberNameFindings } from "./validation/member-name";
import { provisioningFindings } from "./validation/member-provisioning";
import { pinFindings } from "./validation/pins";
import { existingClusterFindings } from "./validation/existing-cluster";

export function validateFleet(spec: FleetSpec): FieldViolation[] {
  const { violations, settings } = validateFleetSettings(spec);
  const memberFindings = [
    ...memberNameFindings(spec),
    ...provisioningFindings(spec, settings),
    ...aksMemberFindings(spec),
    ...pinFindings(spec, settings),
    ...meshEndpointFindings(spec),
    ...existingClusterFindings(spec),
    ...labelAndTaintFindings(spec),
  ];
  return [
    ...violations,
    ...sortFindings(
      spec.members.map((m) => m.name),
      memberFindings,
    ),
  ];
}

export { clusterNameProblems, CLUSTER_NAME_MAX_LENGTH, CLUSTER_NAME_PATTERN } from "./validation/member-name";
export { MAX_CONNECTED_CLUSTERS_VALUES, DEFAULT_NODE_PORT_RANGE, NODE_CIDR_MASK_SIZE } from "./validation/fleet-settings";
export { FLEET_MESH_MIN_KUBERNETES, PROVISIONERS } from "./validation/member-provisioning";
export { AKS_SYSTEM_POOL_NODES, AZURE_MIN_SUBNET_PREFIX_LENGTH } from "./validation/aks-member";
export { imageReferenceProblems } from "./validation/image-reference";
export { needsNodePort } from "./validation/mesh-endpoint";
export { MAX_TAINTS } from "./validation/labels-taints";
export { memberPath, MEMBER_FIELDS } from "./validation/findings";
export type { MemberField } from "./validation/findings";
