// Paths, value rendering and the deterministic order of fleet validation results.
//
// Order: fleet-wide findings first (in the order the checks run: cilium.version,
// maxConnectedClusters, pools.*, members), then members sorted by name (code-unit order, then
// declaration index for duplicated names), and within a member by MEMBER_FIELDS order; findings
// on the same field keep the order they were produced in.

import { FieldViolation } from "../types";

/** The per-member fields violations are reported on, in reporting order ("" = the member itself). */
export const MEMBER_FIELDS = [
  "",
  "name",
  "kind.workers",
  "kind.nodeImage",
  "aks.kubernetesVersion",
  "aks.networkPlugin",
  "aks.clusterName",
  "aks.nodeCount",
  "aks.nodeSubnetCidr",
  "joinsFleetMesh",
  "existingCilium",
  "clusterId",
  "podCidr",
  "serviceCidr",
  "nodePort",
  "meshEndpoint",
  "labels",
  "taints",
] as const;
export type MemberField = (typeof MEMBER_FIELDS)[number];

/** A violation about one member, with what it takes to sort it. */
export interface MemberFinding {
  /** Index of the member in FleetSpec.members. */
  member: number;
  field: MemberField;
  violation: FieldViolation;
}

const SIMPLE_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** `members.c1`, or `members["Bad.Name"]` when the name is not a plain path segment. */
export function memberPath(name: string): string {
  return SIMPLE_SEGMENT.test(name) ? `members.${name}` : `members[${JSON.stringify(name)}]`;
}

/** `members.c1.clusterId` (field "" is the member itself); `suffix` is appended as is (`[0].key`, `["env"]`). */
export function fieldPath(name: string, field: MemberField, suffix = ""): string {
  return `${memberPath(name)}${field === "" ? "" : `.${field}`}${suffix}`;
}

/** Map entries are always bracketed and quoted: `labels["app.kubernetes.io/name"]`. */
export function keySuffix(key: string): string {
  return `[${JSON.stringify(key)}]`;
}

/** A bad value as it appears in messages: strings quoted (JSON), numbers and booleans bare. */
export function show(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === undefined) return "undefined";
  return JSON.stringify(value) ?? String(value);
}

/** Builds the finding for member `index` of `names`. */
export function finding(names: readonly string[], index: number, field: MemberField, message: string, suffix = ""): MemberFinding {
  return { member: index, field, violation: { path: fieldPath(names[index], field, suffix), message } };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Member indexes in reporting order: by name, then by declaration index. */
export function memberOrder(names: readonly string[]): number[] {
  return names.map((_, i) => i).sort((a, b) => compareStrings(names[a], names[b]) || a - b);
}

/** Sorts member findings into reporting order (stable for findings on the same member and field). */
export function sortFindings(names: readonly string[], findings: readonly MemberFinding[]): FieldViolation[] {
  const position = new Map(memberOrder(names).map((member, rank) => [member, rank]));
  const rankOf = (f: MemberFinding) => [position.get(f.member) ?? 0, MEMBER_FIELDS.indexOf(f.field)];
  return findings
    .map((f, seq) => ({ f, seq, rank: rankOf(f) }))
    .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.seq - b.seq)
    .map(({ f }) => f.violation);
}
