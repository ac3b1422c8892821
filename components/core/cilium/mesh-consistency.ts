// The cross-member rules of one Cilium Cluster Mesh (/work/shared/reference/cilium-mesh.md §5):
// unique names (2) and ids (3), identical maxConnectedClusters (4), disjoint pod CIDRs (6), the same
// routingMode (8), an identical CA (10), distinct NodePorts under kube-proxy replacement on chart
// ≤ 1.18 (15) and at most one minor of Cilium skew (16). Rules about one member alone (name syntax,
// `default`, maxConnectedClusters ∈ {255, 511}) are validateFleet's. Pure: no Pulumi import.
//
// Paths are `members.<name>.<fact field>`. Members are taken in name order; a value that must be
// equal everywhere is compared with the most common one (ties: the first member's), and a pairwise
// clash is reported on the later member, naming the earlier one. Malformed CIDRs and versions are
// skipped here: validation reports them.

import { overlaps, parseCidr } from "../fleet/cidr";
import { checkMeshMinorSkew, ciliumChartFeatures, tryParseCiliumVersion } from "./cilium-version";
import { FieldViolation } from "../fleet/types";
import { memberPath, show } from "../fleet/validation/findings";

/** What one member of a mesh runs, as far as the mesh rules care. */
export interface MeshConsistencyFacts {
  name: string;
  clusterId: number;
  maxConnectedClusters: number;
  /** Any stable digest of the member's `tls.ca` certificate. */
  caFingerprint: string;
  podCidr: string;
  routingMode: string;
  /** Chart version, e.g. "1.18.12". */
  ciliumVersion: string;
  /** The clustermesh-apiserver NodePort, when exposed as one. */
  nodePort?: number;
  kubeProxyReplacement: boolean;
}

type Facts = MeshConsistencyFacts;

export function checkMeshConsistency(mesh: string, facts: MeshConsistencyFacts[]): FieldViolation[] {
  const members = [...facts].sort((a, b) => compareStrings(a.name, b.name));
  return [
    ...uniqueNameViolations(mesh, members),
    ...clusterIdViolations(mesh, members),
    ...sameValueViolations(members, "maxConnectedClusters", (value, other, ref) =>
      `${value} differs from member ${show(other)} (${ref}) in mesh ${show(mesh)}: maxConnectedClusters must be identical on every member ` +
      `and never changed after install (agents refuse the peer: "mismatched MaxConnectedClusters; local=${value}, remote=${ref}")`,
    ),
    ...sameValueViolations(members, "caFingerprint", (value, other, ref) =>
      `CA ${show(value)} differs from member ${show(other)} (${show(ref)}) in mesh ${show(mesh)}: every member must use the same CA (tls.ca), ` +
      `else agents fail with "x509: certificate signed by unknown authority"`,
    ),
    ...podCidrViolations(mesh, members),
    ...sameValueViolations(members, "routingMode", (value, other, ref) =>
      `${show(value)} differs from member ${show(other)} (${show(ref)}) in mesh ${show(mesh)}: every member of a mesh must use ` +
      `the same routingMode (Cilium's Cluster Addressing Requirements)`,
    ),
    ...checkMeshMinorSkew(members.map((m) => ({ path: pathOf(m, "ciliumVersion"), version: m.ciliumVersion }))),
    ...nodePortViolations(mesh, members),
  ];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pathOf(member: Facts, field: keyof Facts): string {
  return `${memberPath(member.name)}.${field}`;
}

/** Every unordered pair (earlier, later) in name order. */
function pairs(members: readonly Facts[]): Array<[Facts, Facts]> {
  return members.flatMap((later, j) => members.slice(0, j).map((earlier): [Facts, Facts] => [earlier, later]));
}

/** Rule 2: one finding per repeated name. */
function uniqueNameViolations(mesh: string, members: readonly Facts[]): FieldViolation[] {
  const counts = new Map<string, number>();
  for (const m of members) counts.set(m.name, (counts.get(m.name) ?? 0) + 1);
  return [...counts.entries()]
    .filter(([, count]) => count > 1)
    .map(([name, count]) => ({
      path: `${memberPath(name)}.name`,
      message: `cluster name ${show(name)} is used by ${count} members of mesh ${show(mesh)}: cluster names must be unique in a mesh (the cilium CLI refuses clusters with the "same, non-unique name")`,
    }));
}

/** Rule 3: 1 ≤ id ≤ maxConnectedClusters (agent wording), and unique. */
function clusterIdViolations(mesh: string, members: readonly Facts[]): FieldViolation[] {
  const range = members.flatMap((m) => {
    const { clusterId: id, maxConnectedClusters: max } = m;
    if (Number.isInteger(id) && id >= 1 && id <= max) return [];
    const agent = id === 0 ? "ClusterID 0 is reserved" : `invalid cluster id ${id}: must be in range 1..${max}`;
    return [{ path: pathOf(m, "clusterId"), message: `${show(id)} is invalid in mesh ${show(mesh)}: "${agent}"` }];
  });
  const clashes = members.flatMap((later, j) => {
    const earlier = members.slice(0, j).find((m) => m.clusterId === later.clusterId);
    if (!earlier || earlier.name === later.name) return [];
    return [
      {
        path: pathOf(later, "clusterId"),
        message:
          `${later.clusterId} is also the cluster id of member ${show(earlier.name)} in mesh ${show(mesh)}: cluster ids must be unique in a mesh ` +
          `(since 1.16 Cilium refuses to connect to a cluster with the same ID as the local one, #32753)`,
      },
    ];
  });
  return [...range, ...clashes];
}

/** The most common value (ties: the earliest member's) and the first member holding it. */
function reference<K extends keyof Facts>(members: readonly Facts[], field: K): Facts | undefined {
  const counts = new Map<Facts[K], number>();
  for (const m of members) counts.set(m[field], (counts.get(m[field]) ?? 0) + 1);
  return members.reduce<Facts | undefined>((best, m) => (best && (counts.get(best[field]) ?? 0) >= (counts.get(m[field]) ?? 0) ? best : m), undefined);
}

/** Rules 4, 8, 10: every member's value equals the reference value. */
function sameValueViolations<K extends "maxConnectedClusters" | "caFingerprint" | "routingMode">(
  members: readonly Facts[],
  field: K,
  message: (value: Facts[K], other: string, ref: Facts[K]) => string,
): FieldViolation[] {
  const ref = reference(members, field);
  if (!ref) return [];
  return members
    .filter((m) => m[field] !== ref[field])
    .map((m) => ({ path: pathOf(m, field), message: message(m[field], ref.name, ref[field]) }));
}

/** Rule 6: pod CIDRs pairwise disjoint. */
function podCidrViolations(mesh: string, members: readonly Facts[]): FieldViolation[] {
  const valid = members.filter((m) => parseCidr(m.podCidr).ok);
  return pairs(valid)
    .filter(([earlier, later]) => overlaps(earlier.podCidr, later.podCidr))
    .map(([earlier, later]) => ({
      path: pathOf(later, "podCidr"),
      message:
        `${show(later.podCidr)} overlaps the podCidr ${show(earlier.podCidr)} of member ${show(earlier.name)} in mesh ${show(mesh)}: ` +
        "pod CIDRs must be disjoint across all clusters of a mesh (Cilium does not detect the overlap)",
    }));
}

/** True when this member is hit by #24692: kube-proxy replacement on a chart ≤ 1.18. */
function sharesNodePortBug(member: Facts): boolean {
  const version = tryParseCiliumVersion(member.ciliumVersion);
  return member.kubeProxyReplacement && version !== undefined && ciliumChartFeatures(version).sharedNodePortBug;
}

/** Rule 15: a shared NodePort breaks the mesh when either side runs KPR on chart ≤ 1.18. */
function nodePortViolations(mesh: string, members: readonly Facts[]): FieldViolation[] {
  return pairs(members)
    .filter(([a, b]) => a.nodePort !== undefined && a.nodePort === b.nodePort && (sharesNodePortBug(a) || sharesNodePortBug(b)))
    .map(([earlier, later]) => ({
      path: pathOf(later, "nodePort"),
      message:
        `${later.nodePort} is also the NodePort of member ${show(earlier.name)} in mesh ${show(mesh)}: with kube-proxy replacement on chart ≤1.18 ` +
        "every member needs a distinct NodePort, else agents silently reconnect to their local clustermesh-apiserver (#24692, #30297)",
    }));
}
