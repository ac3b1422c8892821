// What members pin: cluster ids (1..maxConnectedClusters: cilium/cilium pkg/clustermesh/types/types.go;
// unique: cilium-cli/clustermesh/clustermesh.go and cilium/cilium#32753), pod and service CIDRs (disjoint:
// cilium/cilium Documentation/network/clustermesh/clustermesh.rst "Cluster Addressing Requirements" and
// Documentation/installation/kind.rst) and the NodePorts of kind members and NodePort mesh endpoints (one per
// member under kube-proxy replacement: cilium/cilium#24692, #30297). Checked here, before anything is registered, although the
// allocator enforces the same. A conflict between two members is reported once, on the member
// that comes later in reporting order (name, then declaration), naming the earlier one.
//
// CIDR sizes follow kubeadm (what kind runs) and are checked for the clusters fleetmesh creates
// (kind, aks); a kubeconfig member's pins describe an existing cluster, so only syntax and
// disjointness are checked for it, plus what the Cilium fleetmesh installs there needs of its pod
// CIDR: cluster-pool IPAM hands each node a /24 from it (`ipam.operator.clusterPoolIPv4MaskSize`,
// cilium/cilium install/kubernetes/cilium/values.yaml).

import { Cidr, overlaps, parseCidr } from "../cidr";
import { FleetSpec, MemberSpec } from "../types";
import { finding, MemberFinding, memberOrder, show } from "./findings";
import { FleetSettings, podPrefixProblem, servicePrefixProblem } from "./fleet-settings";
import { CLUSTER_POOL_MASK_SIZE } from "../../cilium/cilium-values";
import { needsNodePort } from "./mesh-endpoint";

/** The widest cluster id range Cilium supports, used when maxConnectedClusters is itself invalid. */
const FALLBACK_MAX_CLUSTER_ID = 511;

export function pinFindings(spec: FleetSpec, settings: FleetSettings): MemberFinding[] {
  const names = spec.members.map((m) => m.name);
  const order = memberOrder(names);
  return [
    ...clusterIdFindings(spec.members, names, order, settings),
    ...cidrFindings(spec.members, names, order),
    ...nodePortFindings(spec.members, names, order, settings),
  ];
}

/** Reports every later member pinning the same value as an earlier one (in reporting order). */
function duplicates<T>(
  order: readonly number[],
  valueOf: (i: number) => T | undefined,
  report: (i: number, first: number, value: T) => MemberFinding,
): MemberFinding[] {
  const firstHolder = new Map<T, number>();
  const out: MemberFinding[] = [];
  for (const i of order) {
    const value = valueOf(i);
    if (value === undefined) continue;
    const first = firstHolder.get(value);
    if (first === undefined) firstHolder.set(value, i);
    else out.push(report(i, first, value));
  }
  return out;
}

// ---- cluster ids ----

function clusterIdProblem(id: number, max: number): string | undefined {
  if (!Number.isInteger(id)) return "must be an integer";
  if (id === 0) return "ClusterID 0 is reserved";
  if (id < 1 || id > max) return `must be in range 1..${max}`;
  return undefined;
}

function clusterIdFindings(
  members: readonly MemberSpec[],
  names: readonly string[],
  order: readonly number[],
  settings: FleetSettings,
): MemberFinding[] {
  const max = settings.maxConnectedClusters ?? FALLBACK_MAX_CLUSTER_ID;
  const own = members.flatMap((m, i) => {
    const id = m.pins.clusterId;
    const problem = id === undefined ? undefined : clusterIdProblem(id, max);
    return problem ? [finding(names, i, "clusterId", `clusterId ${show(id)} is invalid: ${problem}`)] : [];
  });
  const dups = duplicates(
    order,
    (i) => members[i].pins.clusterId,
    (i, first, id) =>
      finding(
        names,
        i,
        "clusterId",
        `clusterId ${show(id)} is also pinned by member ${show(names[first])}: cluster ids must be unique in the fleet (a mesh refuses two clusters with the same, non-unique ID)`,
      ),
  );
  return [...own, ...dups];
}

// ---- CIDRs ----

type CidrField = "podCidr" | "serviceCidr";

interface PinnedCidr {
  member: number;
  field: CidrField;
  text: string;
  cidr: Cidr;
}

function cidrFindings(members: readonly MemberSpec[], names: readonly string[], order: readonly number[]): MemberFinding[] {
  const out: MemberFinding[] = [];
  const pinned: PinnedCidr[] = [];
  for (const i of order) {
    for (const field of ["podCidr", "serviceCidr"] as const) {
      const text = members[i].pins[field];
      if (text === undefined) continue;
      const own = ownCidrProblems(members[i], field, text);
      out.push(...own.problems.map((problem) => finding(names, i, field, problem)));
      if (own.cidr) pinned.push({ member: i, field, text, cidr: own.cidr });
    }
  }
  return [...out, ...overlapFindings(pinned, names)];
}

function ownCidrProblems(member: MemberSpec, field: CidrField, text: string): { problems: string[]; cidr?: Cidr } {
  const parsed = parseCidr(text);
  if (!parsed.ok) return { problems: [`${field} ${show(text)} is not a valid IPv4 CIDR: ${parsed.reason}`] };
  const createdByFleetmesh = member.provisioners.includes("kind") || member.provisioners.includes("aks");
  const sizeProblem = field === "podCidr" ? podPrefixProblem : servicePrefixProblem;
  const problem = createdByFleetmesh ? sizeProblem(parsed.cidr.prefixLength) : existingClusterProblem(field, parsed.cidr);
  return { problems: problem ? [`${field} ${show(text)} is invalid: ${problem}`] : [], cidr: parsed.cidr };
}

/** An existing cluster's pod CIDR becomes the cluster-pool of the Cilium fleetmesh installs on it. */
function existingClusterProblem(field: CidrField, cidr: Cidr): string | undefined {
  if (field !== "podCidr" || cidr.prefixLength <= CLUSTER_POOL_MASK_SIZE) return undefined;
  return `Cilium's cluster-pool IPAM gives every node a /${CLUSTER_POOL_MASK_SIZE} of the pod CIDR, so it must be a /${CLUSTER_POOL_MASK_SIZE} or larger`;
}

function overlapRule(a: CidrField, b: CidrField): string {
  if (a !== b) return "pod and service CIDRs must not overlap";
  return a === "podCidr" ? "pod CIDRs must be disjoint across all clusters" : "service CIDRs must be disjoint across all clusters";
}

/** Every overlapping pair, reported on the later pin (pins are in reporting order). */
function overlapFindings(pinned: readonly PinnedCidr[], names: readonly string[]): MemberFinding[] {
  return pinned.flatMap((later, j) =>
    pinned
      .slice(0, j)
      .filter((earlier) => overlaps(earlier.cidr, later.cidr))
      .map((earlier) =>
        finding(
          names,
          later.member,
          later.field,
          `${later.field} ${show(later.text)} overlaps ${earlier.field} ${show(earlier.text)} of member ${show(names[earlier.member])}: ` +
            overlapRule(earlier.field, later.field),
        ),
      ),
  );
}

// ---- NodePorts ----

function nodePortProblem(member: MemberSpec, port: number, settings: FleetSettings): string | undefined {
  if (!needsNodePort(member)) {
    return "only kind members and members whose meshEndpoint is a NodePort expose their clustermesh-apiserver on a NodePort";
  }
  if (!Number.isInteger(port)) return "must be an integer";
  const range = settings.nodePortRange;
  if (range && (port < range.first || port > range.last)) return `must be in pools.nodePortRange ${range.first}-${range.last}`;
  return undefined;
}

function nodePortFindings(
  members: readonly MemberSpec[],
  names: readonly string[],
  order: readonly number[],
  settings: FleetSettings,
): MemberFinding[] {
  const own = members.flatMap((m, i) => {
    const port = m.pins.nodePort;
    const problem = port === undefined ? undefined : nodePortProblem(m, port, settings);
    return problem ? [finding(names, i, "nodePort", `nodePort ${show(port)} is invalid: ${problem}`)] : [];
  });
  const dups = duplicates(
    order,
    (i) => members[i].pins.nodePort,
    (i, first, port) =>
      finding(
        names,
        i,
        "nodePort",
        `nodePort ${show(port)} is also pinned by member ${show(names[first])}: every member with a NodePort needs its own ` +
          "(with kube-proxy replacement, a NodePort shared by two meshed clusters reaches the local clustermesh-apiserver, cilium#24692)",
      ),
  );
  return [...own, ...dups];
}
