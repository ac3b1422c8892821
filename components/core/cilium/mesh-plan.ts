// Mesh planning: which members each ClusterMesh selects, which backend joins them, and every rule
// about a mesh's membership. Pure: no Pulumi import (components/core/ rule).
//
// Sources: a Cilium mesh holds at most `clustermesh.maxConnectedClusters` members (cluster ids run
// 1..maxConnectedClusters). AKS-managed Cilium belongs to AKS and is meshed only by Azure Fleet
// (MicrosoftDocs/azure-aks-docs articles/kubernetes-fleet/concepts-cross-cluster-networking.md;
// Azure/AKS#5194). Fleet's prerequisites (Kubernetes ≥ 1.32, ≤ 255 members, one mesh per member):
// MicrosoftDocs/azure-aks-docs articles/kubernetes-fleet/howto-configure-use-cross-cluster-networking.md.
// The ClusterMeshProfile name and `memberSelector.byLabel`: Azure/azure-rest-api-specs
// specification/containerservice/resource-manager/Microsoft.ContainerService/fleet/preview/2026-03-02-preview/fleets.json.
//
// A member selector is checked as apimachinery's `ValidateLabelSelector` does
// (k8s.io/apimachinery pkg/apis/meta/v1/validation/validation.go): matchLabels keys are qualified
// names and values label values; each requirement's key is a qualified name, its operator known, its
// values present for In/NotIn, absent for Exists/DoesNotExist, and label values. An invalid selector
// is refused (it would otherwise select nobody); a valid one that selects nobody is warned about.
//
// Determinism: meshes are handled in name order (then declaration order for a repeated name),
// members in name order, so the result does not depend on the order of either input. Violations
// come mesh by mesh: name, selector, overlap with an earlier mesh, size, backend, then per member.

import { labelSelectorMatches, LabelSelectorError } from "../k8s/labels";
import { isQualifiedName, isValidLabelValue } from "../k8s/names";
import { LabelSelector, LabelSelectorRequirement } from "../kubefleet/scheduler";
import { FieldViolation, Provisioner } from "../fleet/types";
import { keySuffix, memberPath, show } from "../fleet/validation/findings";
import { FLEET_MESH_MIN_KUBERNETES } from "../fleet/validation/member-provisioning";

/** One entry of FleetArgs.meshes. */
export interface MeshSpec {
  name: string;
  memberSelector: LabelSelector;
}

/** What planning needs to know about a member. */
export interface MeshMemberFacts {
  name: string;
  labels: Record<string, string>;
  provisioner: Provisioner;
  /** "aks" = AKS-managed Cilium: only an Azure Fleet ClusterMeshProfile can mesh it. */
  ciliumOwner: "fleetmesh" | "aks";
  /** AKS only ("1.32" or "1.32.5"). */
  kubernetesVersion?: string;
  /** kind: always true (NodePort on the node IP); kubeconfig / AKS BYOCNI: only when the user gave `meshEndpoint`. */
  hasMeshEndpoint: boolean;
}

export type MeshBackend = "cilium" | "azure-fleet";

export interface MeshPlan {
  name: string;
  /** "azure-fleet" when every member has AKS-managed Cilium; "cilium" otherwise (also for an empty or mixed mesh). */
  backend: MeshBackend;
  /** Sorted, unique. */
  members: string[];
}

/** Azure Fleet: at most 255 members per mesh, whatever maxConnectedClusters says (Fleet's cross-cluster networking prerequisites). */
export const AZURE_FLEET_MAX_MESH_MEMBERS = 255;
/** `memberSelector.byLabel` maxLength (ARM API 2026-03-02-preview, ClusterMeshProfile). */
export const AZURE_BY_LABEL_MAX_LENGTH = 512;
/** Mesh names become resource names (the ClusterMeshProfile name pattern, 1..63 chars). */
export const MESH_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MESH_NAME_MAX_LENGTH = 63;

const KUBERNETES_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?$/;
const SIMPLE_SEGMENT = /^[A-Za-z0-9_-]+$/;
const ONE_MESH_RULE = "a member belongs to at most one mesh";
const BY_LABEL_RULE = `byLabel is a single "key=value" label (one matchLabels entry, no matchExpressions) of at most ${AZURE_BY_LABEL_MAX_LENGTH} characters`;

/** A mesh in processing order, with the members its selector picks. */
interface Selection {
  spec: MeshSpec;
  /** Position in name order. */
  rank: number;
  selectorViolations: FieldViolation[];
  members: MeshMemberFacts[];
}

export function planMeshes(
  meshes: MeshSpec[],
  members: MeshMemberFacts[],
  maxConnectedClusters: number,
): { plans: MeshPlan[]; violations: FieldViolation[]; warnings: string[] } {
  const candidates = uniqueByName(members);
  const selections = orderByName(meshes).map((spec, rank) => select(spec, rank, candidates));
  const plans = selections.map(({ spec, members: chosen }) => ({
    name: spec.name,
    backend: backendOf(chosen),
    members: chosen.map((m) => m.name),
  }));
  const owners = firstOwners(selections);
  const violations = selections.flatMap((selection, i) => [
    ...meshNameViolations(selection.spec, meshes),
    ...selection.selectorViolations,
    ...overlapViolations(selection, owners, selections),
    ...membershipViolations(selection, plans[i].backend, maxConnectedClusters),
  ]);
  return { plans, violations, warnings: selections.flatMap(emptyMeshWarnings) };
}

/** A valid selector that matches no member: the mesh connects nothing, which is allowed but likely a mistake. */
function emptyMeshWarnings({ spec, selectorViolations: invalid, members }: Selection): string[] {
  if (invalid.length > 0 || members.length > 0) return [];
  return [
    `mesh ${show(spec.name)}: memberSelector ${show(spec.memberSelector)} matches no member, so the mesh connects nothing ` +
      "(check the members' labels)",
  ];
}

/** `key=value` for a selector Azure's `memberSelector.byLabel` can express; undefined otherwise. */
export function azureByLabel(selector: LabelSelector): string | undefined {
  return byLabelOf(selector).byLabel;
}

// ---------------------------------------------------------------------------------------------
// Selection
// ---------------------------------------------------------------------------------------------

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function orderByName(meshes: readonly MeshSpec[]): MeshSpec[] {
  return meshes
    .map((spec, index) => ({ spec, index }))
    .sort((a, b) => compareStrings(a.spec.name, b.spec.name) || a.index - b.index)
    .map(({ spec }) => spec);
}

/** Members by name; a repeated name (refused by validateFleet) counts once, first declaration wins. */
function uniqueByName(members: readonly MeshMemberFacts[]): MeshMemberFacts[] {
  const byName = new Map<string, MeshMemberFacts>();
  for (const member of members) if (!byName.has(member.name)) byName.set(member.name, member);
  return [...byName.values()].sort((a, b) => compareStrings(a.name, b.name));
}

/** `meshes.demo`, or `meshes["Bad.Name"]` when the name is not a plain path segment. */
export function meshPath(name: string): string {
  return SIMPLE_SEGMENT.test(name) ? `meshes.${name}` : `meshes[${JSON.stringify(name)}]`;
}

function selectorPath(mesh: MeshSpec): string {
  return `${meshPath(mesh.name)}.memberSelector`;
}

/** apimachinery's refusals of a selector, each at its own path (labelSelectorMatches throws on the first). */
function selectorViolations(mesh: MeshSpec): FieldViolation[] {
  const selector: unknown = mesh.memberSelector;
  const path = selectorPath(mesh);
  const shape = "a label selector {matchLabels, matchExpressions}";
  if (selector === undefined || selector === null) return [{ path, message: `Required value: ${shape} that picks the mesh's members` }];
  if (typeof selector !== "object" || Array.isArray(selector)) {
    return [{ path, message: `memberSelector ${show(selector)} is invalid: must be ${shape}` }];
  }
  const { matchLabels, matchExpressions } = selector as LabelSelector;
  return [
    ...matchLabelViolations(`${path}.matchLabels`, matchLabels),
    ...matchExpressionViolations(`${path}.matchExpressions`, matchExpressions),
  ];
}

function matchLabelViolations(path: string, matchLabels: unknown): FieldViolation[] {
  if (matchLabels === undefined || matchLabels === null) return [];
  if (typeof matchLabels !== "object" || Array.isArray(matchLabels)) {
    return [{ path, message: `matchLabels ${show(matchLabels)} is invalid: must be a map of label keys to label values` }];
  }
  return Object.entries(matchLabels as Record<string, unknown>).flatMap(([key, value]) => {
    const at = `${path}${keySuffix(key)}`;
    const valueProblems = typeof value === "string" ? isValidLabelValue(value) : ["must be a string"];
    return [
      ...isQualifiedName(key).map((problem) => ({ path: at, message: `label key ${show(key)} is invalid: ${problem}` })),
      ...valueProblems.map((problem) => ({ path: at, message: `label value ${show(value)} of key ${show(key)} is invalid: ${problem}` })),
    ];
  });
}

function matchExpressionViolations(path: string, expressions: unknown): FieldViolation[] {
  if (expressions === undefined || expressions === null) return [];
  if (!Array.isArray(expressions))
    return [{ path, message: `matchExpressions ${show(expressions)} is invalid: must be a list of requirements` }];
  return expressions.flatMap((requirement: unknown, i) => requirementViolations(`${path}[${i}]`, requirement));
}

/** One requirement: its key and values by apimachinery's label rules, then its operator and value count. */
function requirementViolations(path: string, requirement: unknown): FieldViolation[] {
  if (typeof requirement !== "object" || requirement === null) {
    return [{ path, message: `requirement ${show(requirement)} is invalid: must be {key, operator, values}` }];
  }
  const { key, values } = requirement as { key?: unknown; values?: unknown };
  const keyProblems = typeof key === "string" ? isQualifiedName(key) : ["must be a string"];
  const out = keyProblems.map((problem) => ({ path: `${path}.key`, message: `key ${show(key)} is invalid: ${problem}` }));
  if (values !== undefined && values !== null && !Array.isArray(values)) {
    return [...out, { path: `${path}.values`, message: `values ${show(values)} is invalid: must be a list of label values` }];
  }
  (Array.isArray(values) ? values : []).forEach((value: unknown, j) => {
    const problems = typeof value === "string" ? isValidLabelValue(value) : ["must be a string"];
    out.push(...problems.map((problem) => ({ path: `${path}.values[${j}]`, message: `value ${show(value)} is invalid: ${problem}` })));
  });
  try {
    labelSelectorMatches({ matchExpressions: [requirement as LabelSelectorRequirement] }, {});
    return out;
  } catch (error) {
    if (!(error instanceof LabelSelectorError)) throw error;
    return [...out, { path, message: error.message }];
  }
}

/** The members a selector picks; an invalid selector picks nobody (its violation says why). */
function select(spec: MeshSpec, rank: number, candidates: readonly MeshMemberFacts[]): Selection {
  const violations = selectorViolations(spec);
  const chosen = violations.length > 0 ? [] : candidates.filter((m) => labelSelectorMatches(spec.memberSelector, m.labels));
  return { spec, rank, selectorViolations: violations, members: chosen };
}

function backendOf(members: readonly MeshMemberFacts[]): MeshBackend {
  return members.length > 0 && members.every((m) => m.ciliumOwner === "aks") ? "azure-fleet" : "cilium";
}

// ---------------------------------------------------------------------------------------------
// Names and overlaps
// ---------------------------------------------------------------------------------------------

function meshNameProblems(name: string): string[] {
  if (name.length === 0) return ["cannot be empty"];
  const problems: string[] = [];
  if (name.length > MESH_NAME_MAX_LENGTH) problems.push(`must be no more than ${MESH_NAME_MAX_LENGTH} characters`);
  if (!MESH_NAME_PATTERN.test(name)) {
    problems.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
    );
  }
  return problems;
}

/** DNS-1123 label (it becomes resource names), reported once per name; a repeat is reported on its first declaration. */
function meshNameViolations(mesh: MeshSpec, all: readonly MeshSpec[]): FieldViolation[] {
  const declarations = all.filter((m) => m.name === mesh.name);
  if (declarations[0] !== mesh) return [];
  const path = `${meshPath(mesh.name)}.name`;
  const own = meshNameProblems(mesh.name).map((problem) => ({
    path,
    message: `mesh name ${show(mesh.name)} is invalid: ${problem} (mesh names become resource names)`,
  }));
  if (declarations.length === 1) return own;
  const repeat = {
    path,
    message: `mesh name ${show(mesh.name)} is declared ${declarations.length} times: mesh names must be unique (they become resource names)`,
  };
  return [...own, repeat];
}

/** Member name → rank of the first mesh (in name order) that selects it. */
function firstOwners(selections: readonly Selection[]): Map<string, number> {
  const owners = new Map<string, number>();
  for (const selection of selections) {
    for (const member of selection.members) if (!owners.has(member.name)) owners.set(member.name, selection.rank);
  }
  return owners;
}

function overlapViolations(selection: Selection, owners: Map<string, number>, selections: readonly Selection[]): FieldViolation[] {
  const { spec } = selection;
  return selection.members
    .filter((member) => owners.get(member.name) !== selection.rank)
    .map((member) => {
      const first = selections[owners.get(member.name) ?? 0].spec.name;
      return {
        path: selectorPath(spec),
        message:
          `memberSelector ${show(spec.memberSelector)} of mesh ${show(spec.name)} selects member ${show(member.name)}, ` +
          `which mesh ${show(first)} also selects: ${ONE_MESH_RULE}`,
      };
    });
}

// ---------------------------------------------------------------------------------------------
// Size, backend and per-backend member rules
// ---------------------------------------------------------------------------------------------

function membershipViolations(selection: Selection, backend: MeshBackend, maxConnectedClusters: number): FieldViolation[] {
  const { members } = selection;
  if (members.length === 0) return [];
  const mixed = mixedBackendViolations(selection);
  const size = sizeViolations(selection, mixed.length === 0 ? backend : "cilium", maxConnectedClusters);
  if (mixed.length > 0) return [...size, ...mixed];
  return [...size, ...(backend === "azure-fleet" ? azureFleetViolations(selection) : ciliumViolations(selection))];
}

function sizeViolations({ spec, members }: Selection, backend: MeshBackend, maxConnectedClusters: number): FieldViolation[] {
  const azure = backend === "azure-fleet";
  const limit = azure ? AZURE_FLEET_MAX_MESH_MEMBERS : maxConnectedClusters;
  if (members.length <= limit) return [];
  const rule = azure
    ? `an Azure Fleet cluster mesh (ClusterMeshProfile) holds at most ${limit} members`
    : `a mesh holds at most maxConnectedClusters (${limit}) members, since cluster ids run from 1 to maxConnectedClusters`;
  return [
    {
      path: selectorPath(spec),
      message: `memberSelector ${show(spec.memberSelector)} of mesh ${show(spec.name)} selects ${members.length} members: ${rule}`,
    },
  ];
}

function nameList(members: readonly MeshMemberFacts[]): string {
  return members.map((m) => show(m.name)).join(", ");
}

function mixedBackendViolations({ spec, members }: Selection): FieldViolation[] {
  const aks = members.filter((m) => m.ciliumOwner === "aks");
  const own = members.filter((m) => m.ciliumOwner !== "aks");
  if (aks.length === 0 || own.length === 0) return [];
  return [
    {
      path: selectorPath(spec),
      message:
        `memberSelector ${show(spec.memberSelector)} of mesh ${show(spec.name)} selects members with AKS-managed Cilium ` +
        `(${nameList(aks)}) and members whose Cilium fleetmesh installs (${nameList(own)}): AKS-managed Cilium can only be meshed ` +
        `by an Azure Fleet ClusterMeshProfile and cannot join a self-managed Cilium Cluster Mesh, and vice versa`,
    },
  ];
}

function ciliumViolations({ spec, members }: Selection): FieldViolation[] {
  return members
    .filter((m) => !m.hasMeshEndpoint)
    .map((m) => ({
      path: `${memberPath(m.name)}.meshEndpoint`,
      message:
        `required for ${m.provisioner === "aks" ? "an" : "a"} ${m.provisioner} member in mesh ${show(spec.name)}: ` +
        "peers must know where its clustermesh-apiserver is reachable before it exists",
    }));
}

function azureFleetViolations(selection: Selection): FieldViolation[] {
  const { spec, members } = selection;
  const problem = byLabelOf(spec.memberSelector).problem;
  const selector: FieldViolation[] = problem
    ? [
        {
          path: selectorPath(spec),
          message: `memberSelector ${show(spec.memberSelector)} of mesh ${show(spec.name)} cannot be an Azure Fleet memberSelector.byLabel (${problem}): ${BY_LABEL_RULE}`,
        },
      ]
    : [];
  return [...selector, ...members.flatMap((m) => azureMemberViolations(spec.name, m))];
}

function azureMemberViolations(mesh: string, member: MeshMemberFacts): FieldViolation[] {
  const fleetMesh = `mesh ${show(mesh)} is an Azure Fleet ClusterMeshProfile`;
  if (member.provisioner !== "aks") {
    const message = `member ${show(member.name)} is a ${member.provisioner} member with AKS-managed Cilium, but ${fleetMesh}: only AKS members (Azure Fleet members) can join it`;
    return [{ path: memberPath(member.name), message }];
  }
  if (!kubernetesTooOld(member.kubernetesVersion)) return [];
  const { major, minor } = FLEET_MESH_MIN_KUBERNETES;
  return [
    {
      path: `${memberPath(member.name)}.aks.kubernetesVersion`,
      message:
        `kubernetesVersion ${show(member.kubernetesVersion)} of member ${show(member.name)} is too old: ${fleetMesh}, ` +
        `and Fleet cross-cluster networking requires Kubernetes ${major}.${minor} or later`,
    },
  ];
}

/** True only for a readable version below 1.32; a missing version means the AKS default (newer), a malformed one is validateFleet's to report. */
function kubernetesTooOld(text: string | undefined): boolean {
  const match = text === undefined ? null : KUBERNETES_VERSION.exec(text);
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major < FLEET_MESH_MIN_KUBERNETES.major || (major === FLEET_MESH_MIN_KUBERNETES.major && minor < FLEET_MESH_MIN_KUBERNETES.minor);
}

/** The byLabel string, or why the selector has none. */
function byLabelOf(selector: LabelSelector): { byLabel?: string; problem?: string } {
  const expressions = selector.matchExpressions ?? [];
  const labels = Object.entries(selector.matchLabels ?? {});
  if (expressions.length > 0) return { problem: `it has ${expressions.length} matchExpressions` };
  if (labels.length !== 1) return { problem: `it has ${labels.length} matchLabels entries` };
  const [[key, value]] = labels;
  if (key.length === 0 || key.includes("=") || value.includes("="))
    return { problem: `"key=value" would be ambiguous for key ${show(key)} and value ${show(value)}` };
  const byLabel = `${key}=${value}`;
  if (byLabel.length > AZURE_BY_LABEL_MAX_LENGTH) return { problem: `${show(byLabel)} is ${byLabel.length} characters` };
  return { byLabel };
}
