// The allocator: a cluster id, a pod CIDR, a service CIDR and (kind only) a NodePort for every member.
//
// Promise: an allocation never changes for an existing member when others are added, removed or
// reordered. Per member and kind of value:
//   1. a valid pin wins;
//   2. else the value from `previous` is kept while it still fits: inside the current pool or range,
//      clear of every pin and of every other kept value. Its prefix length need not match the current
//      slot size, so changing a prefix length or dropping a pin never moves an existing member;
//   3. else the lowest free slot, handed out in name order once all kept values are placed.
// Values of members no longer requested are free again, but a new member gets one only when nothing
// else is free: peers may still hold state for the removed cluster under its id (Cilium identities,
// cached backends), so an id or CIDR is not handed to a newcomer in the run that frees it.
// Any change of an existing member's value is refused unless allowRenumber is set.
// User input never throws: every problem is reported as a FieldViolation, all at once.

import { addressRange, Cidr, formatCidr, overlaps, parseCidr, slotCount } from "./cidr";
import type { AllocationPools, AllocationRequest, FieldViolation, FleetState, MemberAllocation } from "./types";

export interface AllocateInput {
  requests: AllocationRequest[];
  pools: AllocationPools;
  maxConnectedClusters: 255 | 511;
  /** The state of the last run; its values are kept where they still fit. */
  previous?: FleetState;
  /** Accept changes to existing members' values instead of reporting them. */
  allowRenumber?: boolean;
}

export interface AllocateResult {
  /** Members that got every value they need, in name order. Apply nothing while there are violations. */
  allocations: Record<string, MemberAllocation>;
  violations: FieldViolation[];
}

type Kind = "clusterId" | "podCidr" | "serviceCidr" | "nodePort";
const KINDS: readonly Kind[] = ["clusterId", "podCidr", "serviceCidr", "nodePort"];

/** A value held by a member, as an inclusive integer interval (one id or port, or a CIDR's addresses). */
interface Held {
  first: number;
  last: number;
  value: number | string;
  owner: string;
  kind: Kind;
  pinned: boolean;
}

type Parsed = Pick<Held, "first" | "last" | "value">;

/** Where one kind's values live, split into equal aligned slots. */
interface Space {
  kind: Kind;
  first: number;
  last: number;
  slotSize: number;
  /** Names the range in messages, e.g. `podCidrPool "10.0.0.0/12"`. */
  where: string;
  /** Path and text of the exhaustion violation. */
  poolPath: string;
  /** names: `member "a"` or `members "a", "b"`. */
  exhausted(names: string): string;
  parse(value: unknown): Parsed | string;
  slotValue(first: number): number | string;
}

const NOUN: Record<Kind, string> = { clusterId: "cluster id", podCidr: "pod CIDR", serviceCidr: "service CIDR", nodePort: "NodePort" };

// Where the rules below come from:
// - cluster ids are 1..maxConnectedClusters and 0 is reserved: cilium/cilium pkg/clustermesh/types/types.go
//   (ValidateClusterID) and option.go; a mesh refuses two clusters with one id: cilium/cilium
//   cilium-cli/clustermesh/clustermesh.go, cilium/cilium#32753;
// - maxConnectedClusters is 255 or 511, which also caps the members of a mesh: cilium/cilium
//   install/kubernetes/cilium/templates/validate.yaml and pkg/clustermesh/types/types.go (InitClusterIDMax);
// - pod CIDRs must not overlap between clusters: cilium/cilium Documentation/network/clustermesh/clustermesh.rst
//   ("Cluster Addressing Requirements"); Cilium's kind Cluster Mesh guide gives each cluster its own
//   service CIDR as well (cilium/cilium Documentation/installation/kind.rst);
// - with kube-proxy replacement, a NodePort used by two meshed clusters always reaches the local
//   backend, the clustermesh-apiserver included: cilium/cilium#24692, #30297 and the note on
//   clustermesh.apiserver.service.nodePort in install/kubernetes/cilium/values.yaml;
// - a meshed cluster's id or name is not changed in place: cilium/cilium
//   Documentation/network/clustermesh/clustermesh.rst ("Specify the Cluster Name and ID"), cilium/cilium#48801.
const DISJOINT_CIDRS = "pod and service CIDRs must not overlap anywhere in the fleet";
const UNIQUE_RULE: Record<Kind, string> = {
  clusterId: "cluster ids must be unique in the fleet, since Cilium will not mesh two clusters that share an id",
  podCidr: DISJOINT_CIDRS,
  serviceCidr: DISJOINT_CIDRS,
  nodePort:
    "each member with a NodePort needs one of its own, since with kube-proxy replacement a NodePort shared by meshed clusters " +
    "leads every agent to its local clustermesh-apiserver",
};

const RANGE_RULE: Record<Kind, string> = {
  clusterId: "a cluster id must be an integer from 1 to maxConnectedClusters (Cilium reserves 0 for a cluster outside any mesh)",
  podCidr: "a pinned pod CIDR must lie inside podCidrPool (any prefix length)",
  serviceCidr: "a pinned service CIDR must lie inside serviceCidrPool (any prefix length)",
  nodePort: "a member's clustermesh-apiserver NodePort must lie inside pools.nodePortRange",
};

const RENUMBER_RISK: Record<Kind, string> = {
  clusterId:
    "Changing a meshed cluster's id in place is unsupported: Cilium keeps the identities it already allocated, " +
    "so the cluster must first be disconnected from its meshes, and all its workloads restarted.",
  podCidr:
    "A pod CIDR is fixed when the cluster is created (kind podSubnet, AKS --pod-cidr), so the change recreates " +
    "the cluster or restarts every pod; a meshed cluster must first be disconnected from its meshes.",
  serviceCidr:
    "A service CIDR is fixed when the cluster is created (kind serviceSubnet, AKS --service-cidr), so the change " +
    "recreates the cluster; a meshed cluster must first be disconnected from its meshes.",
  nodePort:
    "Peers reach this member's clustermesh-apiserver on its NodePort, and lose it until every peer's list " + "carries the new port.",
};

export function allocate(input: AllocateInput): AllocateResult {
  const violations: FieldViolation[] = [];
  const requests = distinctRequests(input.requests, violations);
  const spaces = buildSpaces(input.pools, input.maxConnectedClusters, violations);
  const pins = collectPins(requests, spaces, violations);
  const requested = new Set(input.requests.map((r) => r.name));
  const released = Object.keys(input.previous?.members ?? {}).filter((name) => !requested.has(name));
  const run: Run = { previousOf: previousLookup(input.previous), released, violations };
  const values: KindValues = {};
  for (const kind of KINDS) {
    const space = spaces[kind];
    if (!space) continue;
    const members = requests.filter((r) => needs(r, kind));
    const outcome = assignKind(space, members, pins[kind], run);
    if (!input.allowRenumber) reportRenumbering(kind, members, outcome, run);
    values[kind] = outcome.values;
  }
  return { allocations: buildAllocations(requests, values), violations };
}

// ---- requests ----

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Requests sorted by name; a name listed twice is reported and left out entirely. */
function distinctRequests(requests: AllocationRequest[], violations: FieldViolation[]): AllocationRequest[] {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  for (const [name, count] of [...counts].sort(([a], [b]) => compareNames(a, b))) {
    if (count > 1) {
      violations.push({
        path: `members.${name}`,
        message: `member name ${quote(name)} is requested ${count} times: member names must be unique`,
      });
    }
  }
  return requests.filter((r) => counts.get(r.name) === 1).sort((a, b) => compareNames(a.name, b.name));
}

function isIntegerKind(kind: Kind): boolean {
  return kind === "clusterId" || kind === "nodePort";
}

function needs(request: AllocationRequest, kind: Kind): boolean {
  return kind !== "nodePort" || request.needsNodePort;
}

function previousLookup(previous: FleetState | undefined): Run["previousOf"] {
  const members = previous?.members;
  return (name, kind) => {
    if (!members || !Object.prototype.hasOwnProperty.call(members, name)) return undefined;
    const entry: unknown = members[name];
    return typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>)[kind] : undefined;
  };
}

// ---- pools ----

type Spaces = Partial<Record<Kind, Space>>;

function buildSpaces(pools: AllocationPools, maxConnectedClusters: number, violations: FieldViolation[]): Spaces {
  const spaces: Spaces = {};
  if (maxConnectedClusters === 255 || maxConnectedClusters === 511) {
    spaces.clusterId = integerSpace("clusterId", 1, maxConnectedClusters, "maxConnectedClusters");
  } else {
    const message = `maxConnectedClusters ${quote(maxConnectedClusters)} is not supported: Cilium accepts only 255 or 511`;
    violations.push({ path: "maxConnectedClusters", message });
  }
  const podPool = poolCidr(pools, "podCidrPool", violations);
  const servicePool = poolCidr(pools, "serviceCidrPool", violations);
  if (podPool && servicePool && overlaps(podPool, servicePool)) {
    const message = `serviceCidrPool ${quote(pools.serviceCidrPool)} overlaps podCidrPool ${quote(pools.podCidrPool)}: ${DISJOINT_CIDRS}`;
    violations.push({ path: "pools.serviceCidrPool", message });
  }
  if (podPool) spaces.podCidr = cidrSpace("podCidr", pools, podPool, violations);
  if (servicePool) spaces.serviceCidr = cidrSpace("serviceCidr", pools, servicePool, violations);
  spaces.nodePort = nodePortSpace(pools.nodePortRange, violations);
  return spaces;
}

function poolCidr(pools: AllocationPools, field: "podCidrPool" | "serviceCidrPool", violations: FieldViolation[]): Cidr | undefined {
  const parsed = parseCidr(pools[field]);
  if (parsed.ok) return parsed.cidr;
  violations.push({ path: `pools.${field}`, message: `${field} ${quote(pools[field])} is not a valid IPv4 CIDR: ${parsed.reason}` });
  return undefined;
}

function integerSpace(kind: Kind, first: number, last: number, poolPath: string): Space {
  const where = kind === "clusterId" ? `${first}..${last}` : `nodePortRange ${first}..${last}`;
  return {
    kind,
    first,
    last,
    slotSize: 1,
    where,
    poolPath,
    exhausted: (names) =>
      kind === "clusterId"
        ? `all cluster ids ${where} are taken: no cluster id for ${names} ` + "(a fleet holds at most maxConnectedClusters members)"
        : `${where} has no free NodePort left (${last - first + 1} in all): no NodePort for ${names} (widen the range)`,
    parse: parseInteger,
    slotValue: (first) => first,
  };
}

function parseInteger(value: unknown): Parsed | string {
  return typeof value === "number" && Number.isInteger(value) ? { first: value, last: value, value } : `${quote(value)} is not an integer`;
}

function cidrSpace(kind: "podCidr" | "serviceCidr", pools: AllocationPools, pool: Cidr, violations: FieldViolation[]): Space | undefined {
  const poolField = kind === "podCidr" ? "podCidrPool" : "serviceCidrPool";
  const prefixField = kind === "podCidr" ? "podCidrPrefixLength" : "serviceCidrPrefixLength";
  const prefixLength = pools[prefixField];
  const where = `${poolField} ${quote(formatCidr(pool))}`;
  const slots = slotCount(pool, prefixLength);
  if (slots === 0) {
    violations.push({
      path: `pools.${prefixField}`,
      message:
        `${prefixField} ${quote(prefixLength)} is not an integer from ${pool.prefixLength} (the prefix of ${where}) to 32: ` +
        `each member's ${NOUN[kind]} is one slot of the pool`,
    });
    return undefined;
  }
  return {
    kind,
    ...addressRange(pool),
    slotSize: 2 ** (32 - prefixLength),
    where,
    poolPath: `pools.${poolField}`,
    exhausted: (names) =>
      `${where} has no free /${prefixLength} slot left (${slots} in all): no ${NOUN[kind]} for ${names} ` +
      `(enlarge the pool or lengthen ${prefixField})`,
    parse: parseCidrValue,
    slotValue: (first) => formatCidr({ network: first, prefixLength }),
  };
}

function parseCidrValue(value: unknown): Parsed | string {
  const parsed = parseCidr(value);
  if (!parsed.ok) return `${quote(value)} is not a valid IPv4 CIDR: ${parsed.reason}`;
  return { ...addressRange(parsed.cidr), value: formatCidr(parsed.cidr) };
}

function nodePortSpace(range: AllocationPools["nodePortRange"], violations: FieldViolation[]): Space | undefined {
  const first: unknown = range?.first;
  const last: unknown = range?.last;
  const isPort = (p: unknown): p is number => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;
  if (isPort(first) && isPort(last) && first <= last) return integerSpace("nodePort", first, last, "pools.nodePortRange");
  const message = `nodePortRange ${quote(range)} is not a valid range: first and last must be integers from 1 to 65535, with first <= last`;
  violations.push({ path: "pools.nodePortRange", message });
  return undefined;
}

// ---- pins ----

interface PinSet {
  /** Every pin inside its range, conflicting or not: no other member gets a value overlapping it. */
  held: Held[];
  /** Pins the member gets. */
  valid: Map<string, Held>;
  /** Members whose pin is invalid: they get no value of this kind. */
  failed: Set<string>;
}

function collectPins(requests: AllocationRequest[], spaces: Spaces, violations: FieldViolation[]): Record<Kind, PinSet> {
  const pins = {} as Record<Kind, PinSet>;
  for (const kind of KINDS) pins[kind] = { held: [], valid: new Map(), failed: new Set() };
  for (const request of requests) {
    for (const kind of KINDS) {
      const pin: unknown = request.pins[kind];
      if (pin === undefined) continue;
      const held = checkPin(request, kind, pin, spaces[kind]);
      if (typeof held === "object") {
        pins[kind].held.push(held);
        continue;
      }
      pins[kind].failed.add(request.name);
      if (held) violations.push({ path: `members.${request.name}.${kind}`, message: held });
    }
  }
  const groups: Kind[][] = [["clusterId"], ["podCidr", "serviceCidr"], ["nodePort"]];
  for (const group of groups) reportPinConflicts(group, pins, violations);
  for (const kind of KINDS) {
    for (const held of pins[kind].held) if (!pins[kind].failed.has(held.owner)) pins[kind].valid.set(held.owner, held);
  }
  return pins;
}

/** The pin as a held value, or why it cannot be honoured (undefined: its pool is invalid, already reported). */
function checkPin(request: AllocationRequest, kind: Kind, pin: unknown, space: Space | undefined): Held | string | undefined {
  if (!needs(request, kind)) {
    return (
      `NodePort ${quote(pin)} is pinned, but member ${quote(request.name)} needs none: only kind members and members whose ` +
      "meshEndpoint is a NodePort expose the clustermesh-apiserver on a NodePort"
    );
  }
  if (!space) return undefined;
  const parsed = space.parse(pin);
  if (typeof parsed === "string") return isIntegerKind(kind) ? `${NOUN[kind]} ${parsed}: ${RANGE_RULE[kind]}` : `${NOUN[kind]} ${parsed}`;
  // An existing cluster's CIDRs are facts, not slots: kept where they are (validation keeps them clear of the pools).
  const fact = request.cidrsAreFacts === true && !isIntegerKind(kind);
  if (!fact && (parsed.first < space.first || parsed.last > space.last))
    return `${NOUN[kind]} ${quote(parsed.value)} is outside ${space.where}: ${RANGE_RULE[kind]}`;
  return { ...parsed, owner: request.name, kind, pinned: true };
}

function reportPinConflicts(group: Kind[], pins: Record<Kind, PinSet>, violations: FieldViolation[]): void {
  const all = group.flatMap((kind) => pins[kind].held).sort((a, b) => compareNames(a.owner, b.owner));
  for (const pin of all) {
    const others = all.filter((other) => other !== pin && intersects(pin, other));
    if (others.length === 0) continue;
    const what = others.map((o) => `the ${NOUN[o.kind]} ${quote(o.value)} pinned by member ${quote(o.owner)}`).join(", ");
    const verb = isIntegerKind(pin.kind) ? "equals" : "overlaps";
    const message = `${NOUN[pin.kind]} ${quote(pin.value)} ${verb} ${what}: ${UNIQUE_RULE[pin.kind]}`;
    violations.push({ path: `members.${pin.owner}.${pin.kind}`, message });
    pins[pin.kind].failed.add(pin.owner);
  }
}

// ---- assignment ----

interface Outcome {
  values: Map<string, Held>;
  /** Why a member's previous value was not kept. */
  dropped: Map<string, string>;
}

/** What every step of one run shares: the previous values and the violations found so far. */
interface Run {
  previousOf: (name: string, kind: Kind) => unknown;
  /** Members of the previous run that are no longer requested. */
  released: string[];
  violations: FieldViolation[];
}

function assignKind(space: Space, members: AllocationRequest[], pins: PinSet, { previousOf, released, violations }: Run): Outcome {
  const outcome: Outcome = { values: new Map(pins.valid), dropped: new Map() };
  const occupied = [...pins.held];
  const waiting: string[] = [];
  for (const { name } of members) {
    if (pins.valid.has(name)) continue;
    const previous = previousOf(name, space.kind);
    const kept = previous === undefined ? undefined : keepPrevious(space, name, previous, occupied);
    if (typeof kept === "object") occupied.push(kept); // reserved even when the member's pin is invalid
    if (pins.failed.has(name)) continue;
    if (typeof kept === "object") {
      outcome.values.set(name, kept);
      continue;
    }
    if (typeof kept === "string") outcome.dropped.set(name, kept);
    waiting.push(name);
  }
  const freedThisRun = releasedValues(space, released, previousOf);
  const place = (name: string) =>
    placeInLowestFreeSlot(space, name, [...occupied, ...freedThisRun], occupied, outcome.values) ||
    placeInLowestFreeSlot(space, name, occupied, occupied, outcome.values);
  const unplaced = waiting.filter((name) => !place(name));
  if (unplaced.length > 0) {
    const names = `${unplaced.length === 1 ? "member" : "members"} ${unplaced.map(quote).join(", ")}`;
    violations.push({ path: space.poolPath, message: space.exhausted(names) });
  }
  return outcome;
}

/** The previous value as held again, or why it cannot be kept. */
function keepPrevious(space: Space, name: string, previous: unknown, occupied: Held[]): Held | string {
  const parsed = space.parse(previous);
  if (typeof parsed === "string") return `the previous ${NOUN[space.kind]} ${parsed}`;
  if (parsed.first < space.first || parsed.last > space.last) return `${quote(parsed.value)} is outside ${space.where}`;
  const taken = occupied.find((o) => intersects(o, parsed));
  if (taken) {
    const how = taken.pinned ? `now pinned by member ${quote(taken.owner)}` : `also held by member ${quote(taken.owner)}`;
    return `${quote(parsed.value)} ${taken.value === parsed.value ? "is" : `overlaps ${quote(taken.value)},`} ${how}`;
  }
  return { ...parsed, owner: name, kind: space.kind, pinned: false };
}

/** What members that left since the previous run held, as far as it still lies in this space. */
function releasedValues(space: Space, released: readonly string[], previousOf: Run["previousOf"]): Held[] {
  const held: Held[] = [];
  for (const name of released) {
    const parsed = space.parse(previousOf(name, space.kind));
    if (typeof parsed !== "string") held.push({ ...parsed, owner: name, kind: space.kind, pinned: false });
  }
  return held;
}

/** Places the member in the lowest slot clear of `avoid`, recording it in `occupied`. */
function placeInLowestFreeSlot(space: Space, name: string, avoid: Held[], occupied: Held[], values: Map<string, Held>): boolean {
  const first = lowestFreeSlot(space, avoid);
  if (first === undefined) return false;
  const last = first + space.slotSize - 1;
  const held: Held = { first, last, value: space.slotValue(first), owner: name, kind: space.kind, pinned: false };
  values.set(name, held);
  occupied.push(held);
  return true;
}

/** Start of the lowest aligned slot that intersects nothing occupied. */
function lowestFreeSlot(space: Space, occupied: Held[]): number | undefined {
  let start = space.first;
  for (const o of [...occupied].sort((a, b) => a.first - b.first)) {
    if (o.last < start) continue;
    if (o.first > start + space.slotSize - 1) break;
    start = space.first + Math.ceil((o.last + 1 - space.first) / space.slotSize) * space.slotSize;
  }
  return start + space.slotSize - 1 <= space.last ? start : undefined;
}

function intersects(a: Pick<Held, "first" | "last">, b: Pick<Held, "first" | "last">): boolean {
  return a.first <= b.last && b.first <= a.last;
}

// ---- renumbering guard ----

function reportRenumbering(kind: Kind, members: AllocationRequest[], outcome: Outcome, { previousOf, violations }: Run): void {
  for (const { name } of members) {
    const previous = previousOf(name, kind);
    const next = outcome.values.get(name);
    if (previous === undefined || next === undefined || previous === next.value) continue;
    const reason = next.pinned
      ? `it is pinned to ${quote(next.value)}`
      : (outcome.dropped.get(name) ?? "its previous value could not be kept");
    violations.push({
      path: `members.${name}.${kind}`,
      message:
        `${NOUN[kind]} of member ${quote(name)} would change from ${quote(previous)} to ${quote(next.value)}: ${reason}. ` +
        `${RENUMBER_RISK[kind]} Set allowRenumber: true to accept the change.`,
    });
  }
}

// ---- result ----

type KindValues = Partial<Record<Kind, Map<string, Held>>>;

function buildAllocations(requests: AllocationRequest[], values: KindValues): Record<string, MemberAllocation> {
  const entries: [string, MemberAllocation][] = [];
  for (const request of requests) {
    const [clusterId, podCidr, serviceCidr, nodePort] = KINDS.map((kind) => values[kind]?.get(request.name));
    if (!clusterId || !podCidr || !serviceCidr || (request.needsNodePort && !nodePort)) continue;
    const allocation: MemberAllocation = {
      clusterId: Number(clusterId.value),
      podCidr: String(podCidr.value),
      serviceCidr: String(serviceCidr.value),
    };
    if (request.needsNodePort && nodePort) allocation.nodePort = Number(nodePort.value);
    entries.push([request.name, allocation]);
  }
  return Object.fromEntries(entries); // fromEntries: safe for any member name
}

/** Numbers bare, everything else as JSON (strings quoted). */
function quote(value: unknown): string {
  if (typeof value === "number") return String(value);
  return JSON.stringify(value) ?? String(value);
}
