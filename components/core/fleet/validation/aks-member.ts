// What an AKS member's cluster is made of: its resource name (also its DNS prefix), the size of its
// system node pool and its node subnet. Sources:
// - the AKS resource name: 1 to 63 letters, digits, '_' and '-', alphanumeric at both ends (the
//   `resourceName` pattern of Microsoft.ContainerService managedClusters in Azure/azure-rest-api-specs);
//   the DNS prefix: 1 to 54 letters, digits and '-', alphanumeric at both ends (MicrosoftDocs/SupportArticles-docs
//   support/azure/azure-kubernetes/create-upgrade-delete/aks-common-issues-faq.yml, "naming restrictions");
//   fleetmesh uses the one value for both;
// - a system node pool has 1 to 1000 nodes (`ManagedClusterAgentPoolProfileProperties.count` in the
//   same specs);
// - Azure subnets are /29 or larger and Azure keeps five addresses of each (MicrosoftDocs/azure-docs
//   articles/virtual-network/virtual-networks-faq.md); each node takes one, and an upgrade adds a
//   surge node;
// - the node subnet must not overlap the pod CIDR or the service CIDR ("must not overlap with any
//   Subnet IP ranges": `ContainerServiceNetworkProfile.serviceCidr` in the same specs; with Azure CNI
//   the pod CIDR is itself a subnet of the VNet, and Azure refuses overlapping subnets), and every
//   member shares one flat network, so no two members' node subnets overlap either.
//
// Pod and service CIDRs are allocated from the fleet's pools after validation: a node subnet clear
// of both pools is clear of every member's allocated or pinned pod and service CIDR, so checking it
// against the pools (and against the member's own pins, for a precise message) decides the overlap
// rule now, before any allocation. An existing (kubeconfig) cluster's CIDRs are facts that may lie
// outside the pools: existing-cluster.ts checks those against every node subnet.

import { Cidr, overlaps, parseCidr } from "../cidr";
import { FleetSpec, MemberSpec } from "../types";
import { finding, MemberFinding, memberOrder, show } from "./findings";
import { PoolCidrs, poolCidrs } from "./pool-cidrs";

export const AKS_NAME_MAX_LENGTH = 63;
export const AKS_DNS_PREFIX_MAX_LENGTH = 54;
export const AKS_SYSTEM_POOL_NODES = { min: 1, max: 1000 } as const;
/** The smallest subnet Azure creates. */
export const AZURE_MIN_SUBNET_PREFIX_LENGTH = 29;
/** Addresses Azure keeps in every subnet (the network, three of its own, and broadcast). */
export const AZURE_RESERVED_SUBNET_ADDRESSES = 5;
/** The AKS default when `nodeCount` is left out. */
export const DEFAULT_AKS_NODE_COUNT = 3;

const AKS_NAME = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$/;
const AKS_DNS_PREFIX = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-a-zA-Z0-9]{0,52}[a-zA-Z0-9]$/;

export function aksMemberFindings(spec: FleetSpec): MemberFinding[] {
  const names = spec.members.map((m) => m.name);
  const pools = poolCidrs(spec);
  const own = spec.members.flatMap((member, i) => {
    // A spec that says nothing about the cluster (no `aks` part) has nothing to check here.
    if (!member.provisioners.includes("aks") || member.aks === undefined) return [];
    return [
      ...clusterNameProblems(member.aks?.clusterName).map((message) => finding(names, i, "aks.clusterName", message)),
      ...nodeCountProblems(member.aks?.nodeCount).map((message) => finding(names, i, "aks.nodeCount", message)),
      ...nodeSubnetProblems(member, pools).map((message) => finding(names, i, "aks.nodeSubnetCidr", message)),
    ];
  });
  return [...own, ...sharedSubnetFindings(spec.members, names)];
}

// ---- name ----

function clusterNameProblems(name: unknown): string[] {
  if (name === undefined) return [];
  if (typeof name !== "string") return [`clusterName ${show(name)} is invalid: must be a string`];
  const problems: string[] = [];
  if (!AKS_NAME.test(name)) {
    problems.push(
      `an AKS cluster name has 1 to ${AKS_NAME_MAX_LENGTH} letters, digits, '_' or '-', and starts and ends with a letter or digit`,
    );
  } else if (!AKS_DNS_PREFIX.test(name)) {
    problems.push(
      `it is also the cluster's DNS prefix, which has 1 to ${AKS_DNS_PREFIX_MAX_LENGTH} letters, digits or '-' (no '_'), ` +
        "and starts and ends with a letter or digit",
    );
  }
  return problems.map((problem) => `clusterName ${show(name)} is invalid: ${problem}`);
}

// ---- node pool ----

function nodeCountProblems(count: unknown): string[] {
  if (count === undefined) return [];
  const { min, max } = AKS_SYSTEM_POOL_NODES;
  if (typeof count === "number" && Number.isInteger(count) && count >= min && count <= max) return [];
  return [`nodeCount ${show(count)} is invalid: the system node pool of an AKS cluster has ${min} to ${max} nodes (an integer)`];
}

// ---- node subnet ----

function nodeSubnetProblems(member: MemberSpec, pools: PoolCidrs): string[] {
  const text = member.aks?.nodeSubnetCidr;
  if (text === undefined) return []; // required by AksClusterArgs: the structural check reports it missing
  const parsed = parseCidr(text);
  if (!parsed.ok) return [`nodeSubnetCidr ${show(text)} is not a valid IPv4 CIDR: ${parsed.reason}`];
  const subnet = parsed.cidr;
  const prefix = `nodeSubnetCidr ${show(text)}`;
  return [...sizeProblems(prefix, subnet, member.aks?.nodeCount), ...addressOverlaps(prefix, subnet, member, pools)];
}

function sizeProblems(prefix: string, subnet: Cidr, nodeCount: unknown): string[] {
  if (subnet.prefixLength > AZURE_MIN_SUBNET_PREFIX_LENGTH) {
    return [`${prefix} is too small: Azure subnets are /${AZURE_MIN_SUBNET_PREFIX_LENGTH} or larger`];
  }
  const nodes = typeof nodeCount === "number" && Number.isInteger(nodeCount) && nodeCount > 0 ? nodeCount : DEFAULT_AKS_NODE_COUNT;
  const usable = 2 ** (32 - subnet.prefixLength) - AZURE_RESERVED_SUBNET_ADDRESSES;
  if (nodes + 1 <= usable) return [];
  return [
    `${prefix} is too small for ${nodes} nodes: Azure keeps ${AZURE_RESERVED_SUBNET_ADDRESSES} of its addresses, leaving ${usable}, ` +
      `and each node takes one, plus one for the surge node of an upgrade`,
  ];
}

const OVERLAP_RULE = "AKS needs the node subnet apart from the pod CIDR and the service CIDR";

/** The member's own pinned CIDRs first (precise), else the pools they and every other member's CIDRs come from. */
function addressOverlaps(prefix: string, subnet: Cidr, member: MemberSpec, pools: PoolCidrs): string[] {
  const fields = [
    { pin: "podCidr", pool: "podCidrPool", what: "pod" },
    { pin: "serviceCidr", pool: "serviceCidrPool", what: "service" },
  ] as const;
  return fields.flatMap(({ pin, pool, what }): string[] => {
    const pinned = member.pins[pin];
    const parsedPin = pinned === undefined ? undefined : parseCidr(pinned);
    if (parsedPin?.ok && overlaps(subnet, parsedPin.cidr))
      return [`${prefix} overlaps the member's ${pin} ${show(pinned)}: ${OVERLAP_RULE}`];
    const poolCidr = pools[pool];
    if (!poolCidr || !overlaps(subnet, poolCidr)) return [];
    return [`${prefix} overlaps pools.${pool}: every member's ${what} CIDR is carved from it, and ${OVERLAP_RULE}`];
  });
}

/** Two members' node subnets overlapping, reported on the later one (reporting order), naming the earlier. */
function sharedSubnetFindings(members: readonly MemberSpec[], names: readonly string[]): MemberFinding[] {
  const seen: Array<{ member: number; text: string; cidr: Cidr }> = [];
  const out: MemberFinding[] = [];
  for (const i of memberOrder(names)) {
    const text = members[i].provisioners.includes("aks") ? members[i].aks?.nodeSubnetCidr : undefined;
    const parsed = text === undefined ? undefined : parseCidr(text);
    if (!parsed?.ok) continue;
    for (const earlier of seen.filter((s) => overlaps(s.cidr, parsed.cidr))) {
      out.push(
        finding(
          names,
          i,
          "aks.nodeSubnetCidr",
          `nodeSubnetCidr ${show(text)} overlaps nodeSubnetCidr ${show(earlier.text)} of member ${show(names[earlier.member])}: ` +
            "members share one flat network, so their node subnets must not overlap",
        ),
      );
    }
    seen.push({ member: i, text: text!, cidr: parsed.cidr });
  }
  return out;
}
