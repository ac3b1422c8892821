// Cross-cluster CiliumNetworkPolicy, pure core: "allow pods with these labels in cluster A to reach
// pods with those labels in cluster B", as the policies each cluster must enforce. Policies are not
// synced across a mesh, so the egress side goes to every source member and the ingress side to
// every destination member (cilium/cilium Documentation/network/clustermesh/policy.rst).
// Pure: no Pulumi import (components/core/ rule).

import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from "../k8s/names";
import { namespaceViolations } from "./global-service";
import { FieldViolation } from "../fleet/types";
import { show } from "../fleet/validation/findings";

/** Every endpoint carries its cluster's name under this label (cilium/cilium Documentation/network/clustermesh/policy.rst). */
export const CLUSTER_LABEL = "io.cilium.k8s.policy.cluster";
/** The namespace a peer selector reaches into (a namespaced policy's selectors default to its own). */
export const POD_NAMESPACE_LABEL = "k8s:io.kubernetes.pod.namespace";
/** A destination port's protocol in a cross-cluster policy. */
export const PolicyProtocol = {
  /** TCP. */
  TCP: "TCP",
  /** UDP. */
  UDP: "UDP",
  /** SCTP. */
  SCTP: "SCTP",
  /** Every protocol. */
  ANY: "ANY",
} as const;
export type PolicyProtocol = (typeof PolicyProtocol)[keyof typeof PolicyProtocol];
export const POLICY_PROTOCOLS: readonly PolicyProtocol[] = Object.values(PolicyProtocol);
/** The suffixes of the two sides' policy names. */
export const POLICY_DIRECTIONS = ["egress", "ingress"] as const;
export type PolicyDirection = (typeof POLICY_DIRECTIONS)[number];

/** One side of the allowed traffic: pods with these labels, in this namespace, on these members. */
export interface PolicyPeer {
  /**
   * The member (cluster) the pods run in; exactly one of `member` and `members`.
   * @default the members of `members`
   */
  readonly member?: string;
  /**
   * The members (clusters) the pods run in; exactly one of `member` and `members`.
   * @default the one member of `member`
   */
  readonly members?: string[];
  /** The pods' namespace (the same on every member named). */
  readonly namespace: string;
  /** Pod labels; `{}` is every pod of the namespace. */
  readonly labels: Record<string, string>;
}

/** One destination port the policy allows. */
export interface PolicyPort {
  /** The destination port (1..65535). */
  readonly port: number;
  /**
   * The port's protocol.
   * @default "TCP"
   */
  readonly protocol?: PolicyProtocol;
}

export interface CrossClusterPolicyInput {
  /** Base name of the policies (`<name>-egress`, `<name>-ingress`). */
  name: string;
  from: PolicyPeer;
  to: PolicyPeer;
  /** Destination ports; undefined allows every port. */
  ports?: PolicyPort[];
  /** @default true */
  allowDns?: boolean;
  description?: string;
}

/**
 * Who names a member's Cilium cluster: fleetmesh (the member's name, on the members whose Cilium it
 * installs), Azure Fleet (members of a Fleet-managed mesh), or AKS (AKS-managed Cilium in no mesh).
 */
export type CiliumClusterNaming = "fleetmesh" | "azure-fleet-mesh" | "aks";

/** What validation needs to know about a member. */
export interface PolicyMemberFacts {
  name: string;
  mesh?: string;
  /** @default "fleetmesh": the Cilium cluster is named after the member */
  clusterNaming?: CiliumClusterNaming;
}

export interface CiliumNetworkPolicyManifest {
  apiVersion: "cilium.io/v2";
  kind: "CiliumNetworkPolicy";
  metadata: { name: string; namespace: string };
  spec: Record<string, unknown>;
}

/** One policy and the member that enforces it. */
export interface PlacedPolicy {
  member: string;
  direction: PolicyDirection;
  manifest: CiliumNetworkPolicyManifest;
}

/** The members a peer names (`members`, or the one `member`). */
export function membersOf(peer: PolicyPeer): string[] {
  if (peer.members !== undefined) return Array.isArray(peer.members) ? [...peer.members] : [];
  return peer.member !== undefined ? [peer.member] : [];
}

/** Where the peer's `i`-th member was given: `members[i]`, or `member`. */
function memberPath(side: "from" | "to", peer: PolicyPeer, i: number): string {
  return peer.members !== undefined ? `${side}.members[${i}]` : `${side}.member`;
}

/** Label keys may carry a Cilium source prefix (`k8s:app`); the cluster and namespace labels are fleetmesh's to set. */
function labelKeyProblems(key: string): string[] {
  const bare = key.replace(/^(k8s|any):/, "");
  if (bare === CLUSTER_LABEL) return [`is set from the peer's member: fleetmesh always writes ${show(CLUSTER_LABEL)} itself`];
  if (bare === "io.kubernetes.pod.namespace") return ["is set from the peer's namespace"];
  return isQualifiedName(bare);
}

function peerViolations(side: "from" | "to", peer: PolicyPeer, known: ReadonlyMap<string, PolicyMemberFacts>): FieldViolation[] {
  if (typeof peer !== "object" || peer === null)
    return [{ path: side, message: `${side} ${show(peer)} must be {member or members, namespace, labels}` }];
  const out: FieldViolation[] = [];
  const members = membersOf(peer);
  const rule = `give exactly one of them (${side}.member: one member; ${side}.members: a list of members)`;
  if (peer.member !== undefined && peer.members !== undefined)
    out.push({ path: `${side}.member`, message: `${side}.member and ${side}.members are both given: ${rule}` });
  else if (peer.member === undefined && peer.members === undefined)
    out.push({ path: `${side}.member`, message: `neither ${side}.member nor ${side}.members is given: ${rule}` });
  else if (peer.members !== undefined && !Array.isArray(peer.members))
    out.push({ path: `${side}.members`, message: `${side}.members ${show(peer.members)} must be a list of members` });
  else if (members.length === 0) out.push({ path: `${side}.members`, message: `${side}.members must name at least one member` });
  // Each member is checked once the peer names them in one way.
  const named = out.length === 0 ? members : [];
  named.forEach((member, i) => {
    const path = memberPath(side, peer, i);
    const facts = known.get(member);
    if (!facts)
      out.push({ path, message: `member ${show(member)} is not a member of the fleet (${[...known.keys()].map(show).join(", ")})` });
    else if (named.indexOf(member) < i) out.push({ path, message: `member ${show(member)} is listed twice` });
    else out.push(...clusterNamingViolations(path, facts));
  });
  out.push(...namespaceViolations(`${side}.namespace`, peer.namespace));
  if (typeof peer.labels !== "object" || peer.labels === null || Array.isArray(peer.labels)) {
    out.push({
      path: `${side}.labels`,
      message: `labels ${show(peer.labels)} must be an object of pod labels ({} selects every pod of the namespace)`,
    });
    return out;
  }
  for (const [key, value] of Object.entries(peer.labels)) {
    const path = `${side}.labels[${JSON.stringify(key)}]`;
    out.push(...labelKeyProblems(key).map((problem) => ({ path, message: `label key ${show(key)} is invalid: ${problem}` })));
    const valueProblems = typeof value === "string" ? isValidLabelValue(value) : ["must be a string"];
    out.push(
      ...valueProblems.map((problem) => ({ path, message: `label value ${show(value)} of key ${show(key)} is invalid: ${problem}` })),
    );
  }
  return out;
}

/**
 * Every selector pins the peer's Cilium cluster by the member's name, which only holds where fleetmesh
 * installs Cilium and names its cluster. On a Fleet-managed mesh Azure Fleet configures each member's
 * Cilium when the mesh is applied (cluster name and id included; AKS docs
 * articles/kubernetes-fleet/concepts-cross-cluster-networking.md: "ACNS sets the Cilium version deployed
 * and enabled features [...] can't currently be directly modified"), and AKS-managed Cilium in no mesh
 * carries AKS's own cluster name: a selector with the member's name would match no endpoint there.
 */
function clusterNamingViolations(path: string, member: PolicyMemberFacts): FieldViolation[] {
  const naming = member.clusterNaming ?? "fleetmesh";
  if (naming === "fleetmesh") return [];
  const pinned = `${show(CLUSTER_LABEL)}: ${show(member.name)}`;
  const cause =
    naming === "azure-fleet-mesh"
      ? `is in Azure Fleet-managed mesh ${show(member.mesh)}, where Azure Fleet names each member's Cilium cluster itself (known only once the mesh is applied)`
      : "runs AKS-managed Cilium, whose cluster name AKS sets, not fleetmesh";
  return [
    {
      path,
      message:
        `member ${show(member.name)} ${cause}: the policy's selectors pin the cluster by the member's name (${pinned}), so they would select no pod ` +
        'and the policy would enforce nothing; a CrossClusterPolicy only applies to members whose Cilium fleetmesh installs (kind, kubeconfig, AKS with networkPlugin "none")',
    },
  ];
}

/** Traffic between two different members needs both in one mesh (Cilium has no other path between them). */
function meshViolations(input: CrossClusterPolicyInput, known: ReadonlyMap<string, PolicyMemberFacts>): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const source of membersOf(input.from)) {
    for (const [i, target] of membersOf(input.to).entries()) {
      const [a, b] = [known.get(source), known.get(target)];
      if (!a || !b || source === target || (a.mesh !== undefined && a.mesh === b.mesh)) continue;
      const where = (m: PolicyMemberFacts) => (m.mesh === undefined ? "in no mesh" : `in mesh ${show(m.mesh)}`);
      out.push({
        path: memberPath("to", input.to, i),
        message: `member ${show(target)} (${where(b)}) cannot be reached from member ${show(source)} (${where(a)}): cross-cluster traffic and the cluster label only exist between members of one mesh`,
      });
    }
  }
  return out;
}

function portViolations(ports: unknown): FieldViolation[] {
  if (ports === undefined) return [];
  if (!Array.isArray(ports) || ports.length === 0)
    return [
      { path: "ports", message: `ports ${show(ports)} must be a non-empty list of {port, protocol?} (leave it out to allow every port)` },
    ];
  return (ports as PolicyPort[]).flatMap((p, i) => {
    const out: FieldViolation[] = [];
    if (typeof p?.port !== "number" || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
      out.push({ path: `ports[${i}].port`, message: `port ${show(p?.port)} must be an integer in 1..65535` });
    if (p?.protocol !== undefined && !POLICY_PROTOCOLS.includes(p.protocol))
      out.push({ path: `ports[${i}].protocol`, message: `protocol ${show(p.protocol)} must be one of ${POLICY_PROTOCOLS.join(", ")}` });
    return out;
  });
}

/** Every problem with a cross-cluster policy's arguments ([] = valid). */
export function crossClusterPolicyViolations(input: CrossClusterPolicyInput, members: readonly PolicyMemberFacts[]): FieldViolation[] {
  const known = new Map(members.map((m) => [m.name, m]));
  const nameProblems = typeof input.name === "string" ? isDNS1123Subdomain(`${input.name}-ingress`) : ["must be a string"];
  const out: FieldViolation[] = nameProblems.map((problem) => ({
    path: "name",
    message: `policy name ${show(input.name)} is invalid (the policies are named "<name>-egress" and "<name>-ingress"): ${problem}`,
  }));
  out.push(...peerViolations("from", input.from, known), ...peerViolations("to", input.to, known));
  if (out.length === 0) out.push(...meshViolations(input, known));
  out.push(...portViolations(input.ports));
  if (input.allowDns !== undefined && typeof input.allowDns !== "boolean")
    out.push({ path: "allowDns", message: `allowDns ${show(input.allowDns)} must be a boolean` });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------------------------

/** A selector for the peer's pods in one cluster: its labels, its cluster always, its namespace when it is not the policy's. */
function peerSelector(peer: PolicyPeer, member: string, policyNamespace: string): { matchLabels: Record<string, string> } {
  const namespace: Record<string, string> = peer.namespace !== policyNamespace ? { [POD_NAMESPACE_LABEL]: peer.namespace } : {};
  return { matchLabels: { ...peer.labels, [CLUSTER_LABEL]: member, ...namespace } };
}

function toPorts(ports: readonly PolicyPort[] | undefined): Record<string, unknown> {
  if (ports === undefined) return {};
  return { toPorts: [{ ports: ports.map((p) => ({ port: String(p.port), protocol: p.protocol ?? "TCP" })) }] };
}

/**
 * DNS to the member's own kube-dns (port 53, any protocol, every name through the DNS proxy), after
 * Cilium's example cilium/cilium examples/policies/l7/dns/dns.yaml.
 * The cluster label keeps it local whatever policyDefaultLocalCluster says.
 */
export function dnsEgressRule(member: string): Record<string, unknown> {
  return {
    toEndpoints: [{ matchLabels: { [POD_NAMESPACE_LABEL]: "kube-system", "k8s:k8s-app": "kube-dns", [CLUSTER_LABEL]: member } }],
    toPorts: [{ ports: [{ port: "53", protocol: "ANY" }], rules: { dns: [{ matchPattern: "*" }] } }],
  };
}

function policy(
  name: string,
  namespace: string,
  description: string | undefined,
  spec: Record<string, unknown>,
): CiliumNetworkPolicyManifest {
  return {
    apiVersion: "cilium.io/v2",
    kind: "CiliumNetworkPolicy",
    metadata: { name, namespace },
    spec: { ...(description !== undefined && { description }), ...spec },
  };
}

/**
 * The policies to apply, per member: on each source member the egress side (its pods may reach the
 * destination pods in every destination member, plus DNS), on each destination member the ingress
 * side (its pods accept the source pods of every source member). Sources first, members by name.
 */
export function crossClusterPolicies(input: CrossClusterPolicyInput): PlacedPolicy[] {
  const sources = [...new Set(membersOf(input.from))].sort();
  const targets = [...new Set(membersOf(input.to))].sort();
  const egress = sources.map((member): PlacedPolicy => ({
    member,
    direction: "egress",
    manifest: policy(`${input.name}-egress`, input.from.namespace, input.description, {
      endpointSelector: peerSelector(input.from, member, input.from.namespace),
      egress: [
        { toEndpoints: targets.map((target) => peerSelector(input.to, target, input.from.namespace)), ...toPorts(input.ports) },
        ...(input.allowDns === false ? [] : [dnsEgressRule(member)]),
      ],
    }),
  }));
  const ingress = targets.map((member): PlacedPolicy => ({
    member,
    direction: "ingress",
    manifest: policy(`${input.name}-ingress`, input.to.namespace, input.description, {
      endpointSelector: peerSelector(input.to, member, input.to.namespace),
      ingress: [{ fromEndpoints: sources.map((source) => peerSelector(input.from, source, input.to.namespace)), ...toPorts(input.ports) }],
    }),
  }));
  return [...egress, ...ingress];
}
