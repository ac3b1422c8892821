// Clusters fleetmesh does not create (kubeconfig members): their pod and service CIDRs are facts of
// the cluster, and some already run a Cilium that fleetmesh takes over (`existingCilium`).
//
// CIDRs. An existing cluster's CIDRs are accepted where they are, inside the fleet's pools or not
// (kubespray and DCE default to 10.233.64.0/18 and 10.233.0.0/18, outside the default pools). What
// must hold is what the mesh needs: pod CIDRs disjoint across all clusters (cilium/cilium
// Documentation/network/clustermesh/clustermesh.rst, "Cluster Addressing Requirements"; pins.ts
// compares every pair of members), and clear of what the fleet allocates from. A fact that lies
// inside its own pool is held by the allocator like any pin; one that overlaps a pool partly, or
// overlaps the other kind's pool, could be handed to another member, so it is refused. AKS node
// subnets are checked against the pools (aks-member.ts), which no longer covers a fact outside them:
// those are checked against every AKS node subnet here, since pod CIDRs and node addresses must be
// unique across a mesh. With native routing every member's `ipv4NativeRoutingCIDR` is the pod pool
// (member-cilium.ts), so a pod CIDR outside it would be masqueraded: refused.
//
// existingCilium. Cilium's `cluster.name` and `cluster.id` cannot change on a running cluster
// (Documentation/network/clustermesh/clustermesh.rst, "Specify the Cluster Name and ID"), so the
// member is named after the existing cluster name and keeps its id. Cilium upgrades one minor at a
// time (Documentation/operations/upgrade.rst: "upgrade to the latest patch release of the next minor
// version"), and fleetmesh renders values for charts from 1.16 (cilium-version.ts), so the installed
// chart is at most one minor behind the fleet's and never newer. Its pod and service CIDRs must be
// declared: fleetmesh keeps the cluster's IPAM and only checks them.

import { Cidr, contains, overlaps, parseCidr } from "../cidr";
import { ExistingCiliumDeclaration, FleetSpec, MemberSpec } from "../types";
import { finding, MemberFinding, memberOrder, show } from "./findings";
import { PoolCidrs, poolCidrs } from "./pool-cidrs";
import {
  SUPPORTED,
  compareCiliumVersions,
  formatCiliumVersion,
  minorSkew,
  tryParseCiliumVersion,
  type CiliumVersion,
} from "../../cilium/cilium-version";

/** The oldest chart whose release fleetmesh takes over (the oldest it renders values for). */
export const EXISTING_CILIUM_MIN = SUPPORTED.min;

type CidrField = "podCidr" | "serviceCidr";
const POOL_OF: Record<CidrField, "podCidrPool" | "serviceCidrPool"> = { podCidr: "podCidrPool", serviceCidr: "serviceCidrPool" };
const OTHER: Record<CidrField, CidrField> = { podCidr: "serviceCidr", serviceCidr: "podCidr" };
const NOUN: Record<CidrField, string> = { podCidr: "pod", serviceCidr: "service" };

/** A member fleetmesh does not create: kubeconfig alone. */
export function isExistingCluster(member: Pick<MemberSpec, "provisioners">): boolean {
  return member.provisioners.length === 1 && member.provisioners[0] === "kubeconfig";
}

export function existingClusterFindings(spec: FleetSpec): MemberFinding[] {
  const names = spec.members.map((m) => m.name);
  const pools = poolCidrs(spec);
  const own = spec.members.flatMap((member, i) => [
    ...existingCiliumFindings(spec, member, names, i),
    ...cidrFactFindings(spec, member, pools, names, i),
  ]);
  return [...own, ...clusterIdFindings(spec.members, names), ...nodeSubnetFindings(spec.members, pools, names)];
}

// ---- existingCilium ----

function existingCiliumFindings(spec: FleetSpec, member: MemberSpec, names: readonly string[], i: number): MemberFinding[] {
  const existing = member.existingCilium;
  if (existing === undefined || existing === null) return [];
  if (!isExistingCluster(member)) {
    return [
      finding(
        names,
        i,
        "existingCilium",
        "existingCilium describes a cluster that already runs Cilium: only kubeconfig members can declare it " +
          "(fleetmesh creates kind and AKS clusters, and the Cilium on them, itself)",
      ),
    ];
  }
  return [
    ...nameFindings(member, existing, names, i),
    ...idFindings(spec, member, existing, names, i),
    ...versionFindings(spec, existing, names, i),
    ...requiredCidrFindings(member, names, i),
  ];
}

function nameFindings(member: MemberSpec, existing: ExistingCiliumDeclaration, names: readonly string[], i: number): MemberFinding[] {
  if (existing.clusterName === member.name) return [];
  return [
    finding(
      names,
      i,
      "existingCilium",
      `existingCilium.clusterName ${show(existing.clusterName)} differs from the member name ${show(member.name)}: the member name is ` +
        "the Cilium cluster name, which cannot change on a running cluster; name the member after the cluster " +
        `(members[${show(existing.clusterName)}])`,
      ".clusterName",
    ),
  ];
}

function idFindings(
  spec: FleetSpec,
  member: MemberSpec,
  existing: ExistingCiliumDeclaration,
  names: readonly string[],
  i: number,
): MemberFinding[] {
  const id: unknown = existing.clusterId;
  const max = spec.maxConnectedClusters === 511 ? 511 : 255;
  if (typeof id !== "number" || !Number.isInteger(id) || id < 1 || id > max) {
    return [
      finding(
        names,
        i,
        "existingCilium",
        `existingCilium.clusterId ${show(id)} is invalid: a meshed cluster's id is an integer from 1 to maxConnectedClusters (${max}); ` +
          "a cluster installed with id 0 must be given an id before it can join a mesh",
        ".clusterId",
      ),
    ];
  }
  const pinned = member.pins.clusterId;
  if (pinned === undefined || pinned === id) return [];
  return [
    finding(
      names,
      i,
      "clusterId",
      `clusterId ${show(pinned)} differs from existingCilium.clusterId ${show(id)}: a running cluster keeps its id; ` +
        "leave clusterId out (the existing id is the member's) or make them equal",
    ),
  ];
}

function versionFindings(spec: FleetSpec, existing: ExistingCiliumDeclaration, names: readonly string[], i: number): MemberFinding[] {
  const text: unknown = existing.version;
  const report = (message: string) => [finding(names, i, "existingCilium", message, ".version")];
  const installed = typeof text === "string" ? tryParseCiliumVersion(text) : undefined;
  if (!installed) return report(`existingCilium.version ${show(text)} is invalid: must be the installed chart version, e.g. "1.17.6"`);
  const fleet = typeof spec.ciliumVersion === "string" ? tryParseCiliumVersion(spec.ciliumVersion) : undefined;
  if (compareCiliumVersions(installed, EXISTING_CILIUM_MIN) < 0) {
    return report(
      `existingCilium.version ${show(text)} is older than fleetmesh takes over: it renders values for Cilium ` +
        `${formatCiliumVersion(EXISTING_CILIUM_MIN)} and later; upgrade the cluster's Cilium to 1.16 first`,
    );
  }
  if (!fleet) return []; // cilium.version itself is refused by the fleet settings
  return upgradeProblems(installed, fleet, spec.ciliumVersion).map((message) => finding(names, i, "existingCilium", message, ".version"));
}

/** Why the take-over cannot upgrade `installed` to the fleet's version in one step. */
function upgradeProblems(installed: CiliumVersion, fleet: CiliumVersion, fleetText: string): string[] {
  const shown = formatCiliumVersion(installed);
  if (compareCiliumVersions(installed, fleet) > 0) {
    return [
      `existingCilium.version ${show(shown)} is newer than cilium.version ${show(fleetText)}: taking the release over would ` +
        `downgrade it; set cilium.version to ${installed.major}.${installed.minor}.x or later`,
    ];
  }
  const skew = minorSkew(installed, fleet);
  if (installed.major === fleet.major && skew <= 1) return [];
  return [
    `existingCilium.version ${show(shown)} is ${skew} minor versions behind cilium.version ${show(fleetText)}: Cilium upgrades ` +
      `one minor version at a time; upgrade the cluster's Cilium to ${fleet.major}.${fleet.minor - 1} first, or set cilium.version ` +
      `to ${installed.major}.${installed.minor + 1}.x`,
  ];
}

function requiredCidrFindings(member: MemberSpec, names: readonly string[], i: number): MemberFinding[] {
  return (["podCidr", "serviceCidr"] as const)
    .filter((field) => member.pins[field] === undefined)
    .map((field) =>
      finding(
        names,
        i,
        field,
        `${field} is required with existingCilium: the cluster's real ${NOUN[field]} CIDR is a fact fleetmesh keeps and checks ` +
          "against every other member (it does not change the IPAM of a Cilium it takes over)",
      ),
    );
}

/**
 * Existing ids against every other member's id, pinned or existing (pins.ts compares pins among
 * themselves), reported on the later member (reporting order) naming the earlier one.
 */
function clusterIdFindings(members: readonly MemberSpec[], names: readonly string[]): MemberFinding[] {
  const holders = new Map<number, { member: number; existing: boolean }>();
  const out: MemberFinding[] = [];
  const rule = "cluster ids must be unique in the fleet (a mesh refuses two clusters with the same id)";
  for (const i of memberOrder(names)) {
    const pinned = members[i].pins.clusterId;
    const existingId = isExistingCluster(members[i]) ? members[i].existingCilium?.clusterId : undefined;
    const id = pinned ?? existingId;
    if (typeof id !== "number") continue;
    const first = holders.get(id);
    if (first === undefined) {
      holders.set(id, { member: i, existing: pinned === undefined });
      continue;
    }
    if (pinned === undefined) {
      const message = `existingCilium.clusterId ${id} is also the cluster id of member ${show(names[first.member])}: ${rule}`;
      out.push(finding(names, i, "existingCilium", message, ".clusterId"));
    } else if (first.existing) {
      const message = `clusterId ${id} is also existingCilium.clusterId of member ${show(names[first.member])}: ${rule}`;
      out.push(finding(names, i, "clusterId", message));
    }
  }
  return out;
}

// ---- CIDR facts ----

/** The member's declared CIDR, parsed (a bad one is reported by pins.ts). */
function declared(member: MemberSpec, field: CidrField): Cidr | undefined {
  const text = member.pins[field];
  if (text === undefined) return undefined;
  const parsed = parseCidr(text);
  return parsed.ok ? parsed.cidr : undefined;
}

function cidrFactFindings(spec: FleetSpec, member: MemberSpec, pools: PoolCidrs, names: readonly string[], i: number): MemberFinding[] {
  if (!isExistingCluster(member)) return [];
  return (["podCidr", "serviceCidr"] as const).flatMap((field) => {
    const fact = declared(member, field);
    if (!fact) return [];
    const problems = [...poolProblems(spec, member, field, fact, pools), ...nativeRoutingProblems(spec, member, field, fact, pools)];
    return problems.map((message) => finding(names, i, field, message));
  });
}

/** Inside its own pool (held by the allocator), or clear of both pools. */
function poolProblems(spec: FleetSpec, member: MemberSpec, field: CidrField, fact: Cidr, pools: PoolCidrs): string[] {
  const text = show(member.pins[field]);
  const own = pools[POOL_OF[field]];
  const other = pools[POOL_OF[OTHER[field]]];
  const problems: string[] = [];
  if (own && overlaps(fact, own) && !contains(own, fact)) {
    problems.push(
      `${field} ${text} overlaps pools.${POOL_OF[field]} ${show(spec.pools[POOL_OF[field]])} without lying inside it: an existing ` +
        `cluster's ${NOUN[field]} CIDR is kept where it is, so it must lie inside the pool (the fleet allocates around it) or clear of it`,
    );
  }
  if (other && overlaps(fact, other)) {
    problems.push(
      `${field} ${text} overlaps pools.${POOL_OF[OTHER[field]]} ${show(spec.pools[POOL_OF[OTHER[field]]])}: the fleet allocates other ` +
        `members' ${NOUN[OTHER[field]]} CIDRs from it, and pod and service CIDRs must not overlap anywhere in the fleet`,
    );
  }
  return problems;
}

function nativeRoutingProblems(spec: FleetSpec, member: MemberSpec, field: CidrField, fact: Cidr, pools: PoolCidrs): string[] {
  const pool = pools.podCidrPool;
  if (field !== "podCidr" || spec.cilium?.routingMode !== "native" || !pool || contains(pool, fact)) return [];
  return [
    `podCidr ${show(member.pins.podCidr)} lies outside pools.podCidrPool ${show(spec.pools.podCidrPool)}: with cilium.routingMode ` +
      '"native" the pod pool is every member\'s ipv4NativeRoutingCIDR, so pods outside it would be masqueraded; widen the pool to cover it',
  ];
}

/** An existing cluster's CIDR outside the pools against every AKS node subnet (aks-member.ts checks the pools). */
function nodeSubnetFindings(members: readonly MemberSpec[], pools: PoolCidrs, names: readonly string[]): MemberFinding[] {
  const facts = memberOrder(names).flatMap((i) =>
    isExistingCluster(members[i])
      ? (["podCidr", "serviceCidr"] as const).flatMap((field) => {
          const fact = declared(members[i], field);
          const pool = pools[POOL_OF[field]];
          return fact && !(pool && contains(pool, fact)) ? [{ member: i, field, fact }] : [];
        })
      : [],
  );
  return memberOrder(names).flatMap((i) => {
    const text = members[i].provisioners.includes("aks") ? members[i].aks?.nodeSubnetCidr : undefined;
    const parsed = text === undefined ? undefined : parseCidr(text);
    if (!parsed?.ok) return [];
    return facts
      .filter((f) => overlaps(f.fact, parsed.cidr))
      .map((f) =>
        finding(
          names,
          i,
          "aks.nodeSubnetCidr",
          `nodeSubnetCidr ${show(text)} overlaps ${f.field} ${show(members[f.member].pins[f.field])} of member ${show(names[f.member])}: ` +
            "pod CIDRs, service CIDRs and node addresses must be unique across the clusters of a mesh",
        ),
      );
  });
}
