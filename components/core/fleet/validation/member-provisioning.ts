// How each member is provisioned: exactly one of kind / aks / kubeconfig, the kind worker count,
// and the AKS requirements of an Azure Fleet managed mesh: Kubernetes ≥ 1.32 and AKS-managed Cilium
// with ACNS (MicrosoftDocs/azure-aks-docs articles/kubernetes-fleet/howto-configure-use-cross-cluster-networking.md,
// "Prerequisites and limitations", and concepts-cross-cluster-networking.md). AKS owns the Cilium of a
// `networkDataplane: cilium` cluster (Azure/AKS#5194), so a BYOCNI cluster runs fleetmesh's own Cilium
// instead and cannot join a Fleet managed mesh. A kind node image is an image reference
// (image-reference.ts).

import { parseCidr } from "../cidr";
import { FleetSpec, MemberSpec, Provisioner } from "../types";
import { finding, MemberFinding, show } from "./findings";
import { FleetSettings, NODE_CIDR_MASK_SIZE } from "./fleet-settings";
import { imageReferenceProblems } from "./image-reference";

export const PROVISIONERS: readonly Provisioner[] = ["kind", "aks", "kubeconfig"];
export const AKS_NETWORK_PLUGINS: readonly string[] = ["azure", "none"];
/** Fleet cross-cluster networking prerequisite. */
export const FLEET_MESH_MIN_KUBERNETES = { major: 1, minor: 32 } as const;

const KUBERNETES_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?$/;
const EXACTLY_ONE = `exactly one of ${PROVISIONERS.join(", ")} must be set`;

export function provisioningFindings(spec: FleetSpec, settings: FleetSettings): MemberFinding[] {
  const names = spec.members.map((m) => m.name);
  return spec.members.flatMap((member, i) => [
    ...provisionerFindings(member).map((message) => finding(names, i, "", message)),
    ...kindWorkerFindings(member, settings).map((message) => finding(names, i, "kind.workers", message)),
    ...nodeImageFindings(member).map((message) => finding(names, i, "kind.nodeImage", message)),
    ...kubernetesVersionFindings(member).map((message) => finding(names, i, "aks.kubernetesVersion", message)),
    ...networkPluginFindings(member).map((message) => finding(names, i, "aks.networkPlugin", message)),
    ...fleetMeshFindings(member).map((message) => finding(names, i, "joinsFleetMesh", message)),
  ]);
}

function provisionerFindings(member: MemberSpec): string[] {
  const given = [...new Set(member.provisioners)];
  const unknown = given.filter((p) => !PROVISIONERS.includes(p));
  const known = given.filter((p) => PROVISIONERS.includes(p));
  const out = unknown.map((p) => `member ${show(member.name)} has unknown provisioner ${show(p)}: ${EXACTLY_ONE}`);
  if (known.length === 0 && unknown.length === 0)
    out.push(`member ${show(member.name)} sets none of ${PROVISIONERS.join(", ")}: ${EXACTLY_ONE}`);
  if (known.length > 1) out.push(`member ${show(member.name)} sets ${known.join(" and ")}: ${EXACTLY_ONE}`);
  return out;
}

const has = (member: MemberSpec, provisioner: Provisioner) => member.provisioners.includes(provisioner);

// ---- kind ----

function kindWorkerFindings(member: MemberSpec, settings: FleetSettings): string[] {
  const workers = member.kindWorkers;
  if (!has(member, "kind") || workers === undefined) return [];
  if (!Number.isInteger(workers) || workers < 0) return [`kind workers ${show(workers)} is invalid: must be a non-negative integer`];
  const prefix = memberPodPrefix(member, settings);
  if (prefix === undefined || prefix > NODE_CIDR_MASK_SIZE) return [];
  const nodeCidrs = 2 ** (NODE_CIDR_MASK_SIZE - prefix);
  if (workers + 1 <= nodeCidrs) return [];
  return [
    `kind workers ${workers} is too many: ${workers + 1} nodes each need a /${NODE_CIDR_MASK_SIZE} node CIDR ` +
      `(kube-controller-manager --node-cidr-mask-size-ipv4) and a /${prefix} pod CIDR holds ${nodeCidrs}`,
  ];
}

function nodeImageFindings(member: MemberSpec): string[] {
  const image = member.kindNodeImage;
  if (!has(member, "kind") || image === undefined) return [];
  return imageReferenceProblems(image).map((problem) => `nodeImage ${show(image)} is invalid: ${problem}`);
}

/** The prefix length of the member's pod CIDR: its pin when valid, else the pool's member prefix. */
function memberPodPrefix(member: MemberSpec, settings: FleetSettings): number | undefined {
  if (member.pins.podCidr === undefined) return settings.podCidrPrefixLength;
  const parsed = parseCidr(member.pins.podCidr);
  return parsed.ok ? parsed.cidr.prefixLength : undefined;
}

// ---- AKS ----

function parseKubernetesVersion(text: string): { major: number; minor: number } | undefined {
  const match = KUBERNETES_VERSION.exec(text);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

function kubernetesVersionFindings(member: MemberSpec): string[] {
  const text = member.kubernetesVersion;
  if (!has(member, "aks") || text === undefined) return [];
  const version = typeof text === "string" ? parseKubernetesVersion(text) : undefined;
  if (!version) return [`kubernetesVersion ${show(text)} is invalid: must be MAJOR.MINOR or MAJOR.MINOR.PATCH, e.g. "1.32" or "1.32.5"`];
  const { major, minor } = FLEET_MESH_MIN_KUBERNETES;
  const tooOld = version.major < major || (version.major === major && version.minor < minor);
  if (!member.joinsFleetMesh || !tooOld) return [];
  return [
    `kubernetesVersion ${show(text)} is too old to join an Azure Fleet managed mesh: ` +
      `Fleet cross-cluster networking requires Kubernetes ${major}.${minor} or later`,
  ];
}

function networkPluginFindings(member: MemberSpec): string[] {
  const plugin: unknown = member.aksNetworkPlugin;
  if (!has(member, "aks") || plugin === undefined) return [];
  if (typeof plugin !== "string" || !AKS_NETWORK_PLUGINS.includes(plugin)) {
    return [
      `networkPlugin ${show(plugin)} is not supported: must be "azure" (AKS-managed Cilium) or "none" (BYOCNI, fleetmesh installs Cilium)`,
    ];
  }
  if (plugin !== "none" || !member.joinsFleetMesh) return [];
  return [
    `networkPlugin "none" (BYOCNI) cannot join an Azure Fleet managed mesh: a Fleet cluster mesh needs AKS-managed Cilium ` +
      `(networkPlugin "azure" with networkDataplane "cilium" and ACNS)`,
  ];
}

function fleetMeshFindings(member: MemberSpec): string[] {
  if (!member.joinsFleetMesh || has(member, "aks")) return [];
  return [`joinsFleetMesh is true on a member without aks: only AKS clusters can join an Azure Fleet managed mesh (ClusterMeshProfile)`];
}
