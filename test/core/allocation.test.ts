import { strict as assert } from "assert";
import fc from "fast-check";
import { AllocateInput, AllocateResult, allocate } from "../../components/core/fleet/allocation";
import { contains, formatCidr, overlaps, slotCount, subnetAt } from "../../components/core/fleet/cidr";
import type { AllocationPools, AllocationRequest, FleetState, MemberAllocation } from "../../components/core/fleet/types";

const POOLS: AllocationPools = {
  podCidrPool: "10.0.0.0/12",
  podCidrPrefixLength: 16,
  serviceCidrPool: "10.96.0.0/12",
  serviceCidrPrefixLength: 16,
  nodePortRange: { first: 32380, last: 32389 },
};

type Pins = AllocationRequest["pins"];
const kind = (name: string, pins: Pins = {}): AllocationRequest => ({ name, needsNodePort: true, pins });
const aks = (name: string, pins: Pins = {}): AllocationRequest => ({ name, needsNodePort: false, pins });
const m = (clusterId: number, podCidr: string, serviceCidr: string, nodePort?: number): MemberAllocation =>
  nodePort === undefined ? { clusterId, podCidr, serviceCidr } : { clusterId, podCidr, serviceCidr, nodePort };
const state = (members: Record<string, MemberAllocation>): FleetState => ({ version: 1, members });
const input = (requests: AllocationRequest[], more: Partial<AllocateInput> = {}): AllocateInput => ({
  requests,
  pools: POOLS,
  maxConnectedClusters: 255,
  ...more,
});

const RULE_3 = "a cluster id must be an integer from 1 to maxConnectedClusters (Cilium reserves 0 for a cluster outside any mesh)";
const CIDR_RULE = "pod and service CIDRs must not overlap anywhere in the fleet";
const RISK_ID =
  "Changing a meshed cluster's id in place is unsupported: Cilium keeps the identities it already allocated, so the cluster must " +
  "first be disconnected from its meshes, and all its workloads restarted. Set allowRenumber: true to accept the change.";
const RISK_POD =
  "A pod CIDR is fixed when the cluster is created (kind podSubnet, AKS --pod-cidr), so the change recreates the cluster or restarts " +
  "every pod; a meshed cluster must first be disconnected from its meshes. Set allowRenumber: true to accept the change.";

const FIRST_REQUESTS = [kind("c2"), aks("c1"), kind("c3")];
const FIRST = {
  c1: m(1, "10.0.0.0/16", "10.96.0.0/16"),
  c2: m(2, "10.1.0.0/16", "10.97.0.0/16", 32380),
  c3: m(3, "10.2.0.0/16", "10.98.0.0/16", 32381),
};
const FIRST_REVERSED = { c3: FIRST.c3, c2: FIRST.c2, c1: FIRST.c1 };
const SHRUNK_PREVIOUS = state({ c1: m(1, "10.0.0.0/16", "10.96.0.0/16"), c2: m(2, "10.4.0.0/16", "10.97.0.0/16") });
const SHRUNK_POOLS = { ...POOLS, podCidrPool: "10.0.0.0/14" };
const SHRUNK_RESULT = { c1: m(1, "10.0.0.0/16", "10.96.0.0/16"), c2: m(2, "10.1.0.0/16", "10.97.0.0/16") };
const PINNED_C0 = { c0: m(1, "10.3.0.0/16", "10.99.0.0/16"), c1: m(4, "10.0.0.0/16", "10.96.0.0/16"), c2: FIRST.c2, c3: FIRST.c3 };

interface Case {
  name: string;
  input: AllocateInput;
  want: AllocateResult;
}

const cases: Case[] = [
  {
    name: "gives the first members the lowest slots in name order, NodePorts to kind members only",
    input: input(FIRST_REQUESTS),
    want: { allocations: FIRST, violations: [] },
  },
  {
    name: "keeps every existing member's values when a member is added, even one that sorts first",
    input: input([...FIRST_REQUESTS, kind("b0")], { previous: state(FIRST) }),
    want: { allocations: { b0: m(4, "10.3.0.0/16", "10.99.0.0/16", 32382), ...FIRST }, violations: [] },
  },
  {
    name: "keeps the other members' values when a member is removed",
    input: input([aks("c1"), kind("c3")], { previous: state(FIRST) }),
    want: { allocations: { c1: FIRST.c1, c3: FIRST.c3 }, violations: [] },
  },
  {
    name: "gives a new member a never-held slot rather than the slots a removed member freed in the same run",
    input: input([aks("c1"), kind("c3"), kind("c4")], { previous: state(FIRST) }),
    want: { allocations: { c1: FIRST.c1, c3: FIRST.c3, c4: m(4, "10.3.0.0/16", "10.99.0.0/16", 32382) }, violations: [] },
  },
  {
    name: "hands a freed slot to a new member when nothing else is free (here: the NodePort)",
    input: input([aks("c1"), kind("c3"), kind("c4")], {
      previous: state(FIRST),
      pools: { ...POOLS, nodePortRange: { first: 32380, last: 32381 } },
    }),
    want: { allocations: { c1: FIRST.c1, c3: FIRST.c3, c4: m(4, "10.3.0.0/16", "10.99.0.0/16", 32380) }, violations: [] },
  },
  {
    name: "reuses a slot freed in an earlier run like any free slot",
    input: input([aks("c1"), kind("c3"), kind("c4")], { previous: state({ c1: FIRST.c1, c3: FIRST.c3 }) }),
    want: { allocations: { c1: FIRST.c1, c3: FIRST.c3, c4: m(2, "10.1.0.0/16", "10.97.0.0/16", 32380) }, violations: [] },
  },
  {
    name: "changes nothing when the requests and the previous members are reordered",
    input: input([kind("c3"), aks("c1"), kind("c2")], { previous: state(FIRST_REVERSED) }),
    want: { allocations: FIRST, violations: [] },
  },
  {
    name: "honours pins of any prefix length and fills the free slots around them",
    input: input([
      aks("c1"),
      kind("c2", { clusterId: 1, podCidr: "10.0.0.0/15", serviceCidr: "10.96.0.0/20", nodePort: 32380 }),
      kind("c3"),
    ]),
    want: {
      allocations: {
        c1: m(2, "10.2.0.0/16", "10.97.0.0/16"),
        c2: m(1, "10.0.0.0/15", "10.96.0.0/20", 32380),
        c3: m(3, "10.3.0.0/16", "10.98.0.0/16", 32381),
      },
      violations: [],
    },
  },
  {
    name: "refuses to move an existing member whose value a new member pins",
    input: input([...FIRST_REQUESTS, aks("c0", { clusterId: 1 })], { previous: state(FIRST) }),
    want: {
      allocations: PINNED_C0,
      violations: [
        {
          path: "members.c1.clusterId",
          message: `cluster id of member "c1" would change from 1 to 4: 1 is now pinned by member "c0". ${RISK_ID}`,
        },
      ],
    },
  },
  {
    name: "moves an existing member whose value a new member pins when allowRenumber is set",
    input: input([...FIRST_REQUESTS, aks("c0", { clusterId: 1 })], { previous: state(FIRST), allowRenumber: true }),
    want: { allocations: PINNED_C0, violations: [] },
  },
  {
    name: "refuses a changed pin of an existing member",
    input: input([aks("c1"), kind("c2", { podCidr: "10.5.0.0/16" }), kind("c3")], { previous: state(FIRST) }),
    want: {
      allocations: { ...FIRST, c2: m(2, "10.5.0.0/16", "10.97.0.0/16", 32380) },
      violations: [
        {
          path: "members.c2.podCidr",
          message: `pod CIDR of member "c2" would change from "10.1.0.0/16" to "10.5.0.0/16": it is pinned to "10.5.0.0/16". ${RISK_POD}`,
        },
      ],
    },
  },
  {
    name: "reports both sides of a pin conflict and gives neither the contested value",
    input: input([kind("a", { clusterId: 5, nodePort: 32385 }), kind("b", { clusterId: 5, nodePort: 32385 }), aks("c")]),
    want: {
      allocations: { c: m(1, "10.2.0.0/16", "10.98.0.0/16") },
      violations: [
        {
          path: "members.a.clusterId",
          message:
            'cluster id 5 equals the cluster id 5 pinned by member "b": cluster ids must be unique in the fleet, since Cilium will not mesh two clusters that share an id',
        },
        {
          path: "members.b.clusterId",
          message:
            'cluster id 5 equals the cluster id 5 pinned by member "a": cluster ids must be unique in the fleet, since Cilium will not mesh two clusters that share an id',
        },
        {
          path: "members.a.nodePort",
          message:
            'NodePort 32385 equals the NodePort 32385 pinned by member "b": each member with a NodePort needs one of its own, since with kube-proxy replacement a NodePort shared by meshed clusters leads every agent to its local clustermesh-apiserver',
        },
        {
          path: "members.b.nodePort",
          message:
            'NodePort 32385 equals the NodePort 32385 pinned by member "a": each member with a NodePort needs one of its own, since with kube-proxy replacement a NodePort shared by meshed clusters leads every agent to its local clustermesh-apiserver',
        },
      ],
    },
  },
  {
    name: "rejects pins outside their pool or range, and malformed pins, quoting each value",
    input: input([
      kind("a", { clusterId: 0, podCidr: "10.16.0.0/16", nodePort: 30000 }),
      kind("b", { clusterId: 256, serviceCidr: "10.96.1.0/16", nodePort: 1.5 }),
      aks("c", { clusterId: 2.5, podCidr: "10.0.0.0/8" }),
    ]),
    want: {
      allocations: {},
      violations: [
        { path: "members.a.clusterId", message: `cluster id 0 is outside 1..255: ${RULE_3}` },
        {
          path: "members.a.podCidr",
          message:
            'pod CIDR "10.16.0.0/16" is outside podCidrPool "10.0.0.0/12": a pinned pod CIDR must lie inside podCidrPool (any prefix length)',
        },
        {
          path: "members.a.nodePort",
          message:
            "NodePort 30000 is outside nodePortRange 32380..32389: a member's clustermesh-apiserver NodePort must lie inside pools.nodePortRange",
        },
        { path: "members.b.clusterId", message: `cluster id 256 is outside 1..255: ${RULE_3}` },
        {
          path: "members.b.serviceCidr",
          message:
            'service CIDR "10.96.1.0/16" is not a valid IPv4 CIDR: host bits are set: 10.96.1.0/16 is not a network address (its network is 10.96.0.0/16)',
        },
        {
          path: "members.b.nodePort",
          message: "NodePort 1.5 is not an integer: a member's clustermesh-apiserver NodePort must lie inside pools.nodePortRange",
        },
        { path: "members.c.clusterId", message: `cluster id 2.5 is not an integer: ${RULE_3}` },
        {
          path: "members.c.podCidr",
          message:
            'pod CIDR "10.0.0.0/8" is outside podCidrPool "10.0.0.0/12": a pinned pod CIDR must lie inside podCidrPool (any prefix length)',
        },
      ],
    },
  },
  {
    name: "reports both sides of overlapping CIDR pins, and keeps other members clear of both",
    input: input([aks("a", { podCidr: "10.0.0.0/15" }), aks("b", { podCidr: "10.1.0.0/16" }), aks("c")]),
    want: {
      allocations: { c: m(3, "10.2.0.0/16", "10.98.0.0/16") },
      violations: [
        {
          path: "members.a.podCidr",
          message: `pod CIDR "10.0.0.0/15" overlaps the pod CIDR "10.1.0.0/16" pinned by member "b": ${CIDR_RULE}`,
        },
        {
          path: "members.b.podCidr",
          message: `pod CIDR "10.1.0.0/16" overlaps the pod CIDR "10.0.0.0/15" pinned by member "a": ${CIDR_RULE}`,
        },
      ],
    },
  },
  {
    name: "rejects a service pool that overlaps the pod pool",
    input: input([aks("a")], { pools: { ...POOLS, serviceCidrPool: "10.8.0.0/13" } }),
    want: {
      allocations: { a: m(1, "10.0.0.0/16", "10.8.0.0/16") },
      violations: [
        { path: "pools.serviceCidrPool", message: `serviceCidrPool "10.8.0.0/13" overlaps podCidrPool "10.0.0.0/12": ${CIDR_RULE}` },
      ],
    },
  },
  {
    name: "rejects invalid pools, prefix lengths and NodePort ranges, and allocates nothing from them",
    input: input([kind("a")], {
      pools: { ...POOLS, podCidrPool: "10.0.0.0/33", serviceCidrPrefixLength: 8, nodePortRange: { first: 32389, last: 32380 } },
    }),
    want: {
      allocations: {},
      violations: [
        {
          path: "pools.podCidrPool",
          message: 'podCidrPool "10.0.0.0/33" is not a valid IPv4 CIDR: prefix length "33" is not a decimal number from 0 to 32',
        },
        {
          path: "pools.serviceCidrPrefixLength",
          message:
            'serviceCidrPrefixLength 8 is not an integer from 12 (the prefix of serviceCidrPool "10.96.0.0/12") to 32: each member\'s service CIDR is one slot of the pool',
        },
        {
          path: "pools.nodePortRange",
          message:
            'nodePortRange {"first":32389,"last":32380} is not a valid range: first and last must be integers from 1 to 65535, with first <= last',
        },
      ],
    },
  },
  {
    name: "names the members left without a slot when a pool is exhausted",
    input: input([kind("d"), kind("a"), kind("b"), aks("c")], {
      pools: { ...POOLS, podCidrPool: "10.0.0.0/15", nodePortRange: { first: 32380, last: 32380 } },
    }),
    want: {
      allocations: { a: m(1, "10.0.0.0/16", "10.96.0.0/16", 32380) },
      violations: [
        {
          path: "pools.podCidrPool",
          message:
            'podCidrPool "10.0.0.0/15" has no free /16 slot left (2 in all): no pod CIDR for members "c", "d" (enlarge the pool or lengthen podCidrPrefixLength)',
        },
        {
          path: "pools.nodePortRange",
          message: 'nodePortRange 32380..32380 has no free NodePort left (1 in all): no NodePort for members "b", "d" (widen the range)',
        },
      ],
    },
  },
  {
    name: "keeps existing members' slots when a pool is full; only the new member goes without",
    input: input([aks("a"), aks("b"), aks("c")], {
      pools: { ...POOLS, podCidrPool: "10.0.0.0/15" },
      previous: state({ b: m(1, "10.0.0.0/16", "10.96.0.0/16"), c: m(2, "10.1.0.0/16", "10.97.0.0/16") }),
    }),
    want: {
      allocations: { b: m(1, "10.0.0.0/16", "10.96.0.0/16"), c: m(2, "10.1.0.0/16", "10.97.0.0/16") },
      violations: [
        {
          path: "pools.podCidrPool",
          message:
            'podCidrPool "10.0.0.0/15" has no free /16 slot left (2 in all): no pod CIDR for member "a" (enlarge the pool or lengthen podCidrPrefixLength)',
        },
      ],
    },
  },
  {
    name: "refuses to move a member whose previous value lies outside a shrunk pool",
    input: input([aks("c1"), aks("c2")], { pools: SHRUNK_POOLS, previous: SHRUNK_PREVIOUS }),
    want: {
      allocations: SHRUNK_RESULT,
      violations: [
        {
          path: "members.c2.podCidr",
          message: `pod CIDR of member "c2" would change from "10.4.0.0/16" to "10.1.0.0/16": "10.4.0.0/16" is outside podCidrPool "10.0.0.0/14". ${RISK_POD}`,
        },
      ],
    },
  },
  {
    name: "moves a member out of a shrunk pool when allowRenumber is set",
    input: input([aks("c1"), aks("c2")], { pools: SHRUNK_POOLS, previous: SHRUNK_PREVIOUS, allowRenumber: true }),
    want: { allocations: SHRUNK_RESULT, violations: [] },
  },
  {
    name: "keeps previous values of another prefix length: a new split only applies to new members",
    input: input([aks("c1"), aks("c2")], {
      pools: { ...POOLS, podCidrPrefixLength: 20 },
      previous: state({ c1: m(1, "10.0.0.0/16", "10.96.0.0/16") }),
    }),
    want: { allocations: { c1: m(1, "10.0.0.0/16", "10.96.0.0/16"), c2: m(2, "10.1.0.0/20", "10.97.0.0/16") }, violations: [] },
  },
  {
    name: "keeps a formerly pinned value after the pin is removed",
    input: input([aks("c1"), aks("c2")], { previous: state({ c1: m(1, "10.0.0.0/15", "10.96.0.0/20") }) }),
    want: { allocations: { c1: m(1, "10.0.0.0/15", "10.96.0.0/20"), c2: m(2, "10.2.0.0/16", "10.97.0.0/16") }, violations: [] },
  },
  {
    name: "accepts cluster ids up to 511 when maxConnectedClusters is 511",
    input: input([aks("a", { clusterId: 511 }), aks("b", { clusterId: 300 })], { maxConnectedClusters: 511 }),
    want: { allocations: { a: m(511, "10.0.0.0/16", "10.96.0.0/16"), b: m(300, "10.1.0.0/16", "10.97.0.0/16") }, violations: [] },
  },
  {
    name: "refuses to move an id above 255 when maxConnectedClusters drops to 255",
    input: input([aks("a")], { previous: state({ a: m(300, "10.0.0.0/16", "10.96.0.0/16") }) }),
    want: {
      allocations: { a: m(1, "10.0.0.0/16", "10.96.0.0/16") },
      violations: [
        { path: "members.a.clusterId", message: `cluster id of member "a" would change from 300 to 1: 300 is outside 1..255. ${RISK_ID}` },
      ],
    },
  },
  {
    name: "rejects a NodePort pin on a member that is not kind, and gives NodePorts to kind members only",
    input: input([aks("a", { nodePort: 32381 }), kind("b"), aks("c")]),
    want: {
      allocations: {
        a: m(1, "10.0.0.0/16", "10.96.0.0/16"),
        b: m(2, "10.1.0.0/16", "10.97.0.0/16", 32380),
        c: m(3, "10.2.0.0/16", "10.98.0.0/16"),
      },
      violations: [
        {
          path: "members.a.nodePort",
          message:
            'NodePort 32381 is pinned, but member "a" needs none: only kind members and members whose meshEndpoint is a NodePort expose the clustermesh-apiserver on a NodePort',
        },
      ],
    },
  },
  {
    name: "gives a NodePort to a member that becomes kind and drops it from one that stops being kind",
    input: input([kind("a"), aks("b")], {
      previous: state({ a: m(1, "10.0.0.0/16", "10.96.0.0/16"), b: m(2, "10.1.0.0/16", "10.97.0.0/16", 32380) }),
    }),
    want: { allocations: { a: m(1, "10.0.0.0/16", "10.96.0.0/16", 32380), b: m(2, "10.1.0.0/16", "10.97.0.0/16") }, violations: [] },
  },
  {
    name: "reports a member name requested twice and allocates nothing to it",
    input: input([kind("a"), aks("a"), aks("b")]),
    want: {
      allocations: { b: m(1, "10.0.0.0/16", "10.96.0.0/16") },
      violations: [{ path: "members.a", message: 'member name "a" is requested 2 times: member names must be unique' }],
    },
  },
  {
    name: "keeps the first in name order when a corrupted previous state gives two members the same value",
    input: input([aks("a"), aks("b")], {
      previous: state({ b: m(1, "10.1.0.0/16", "10.97.0.0/16"), a: m(1, "10.0.0.0/16", "10.96.0.0/16") }),
    }),
    want: {
      allocations: { a: m(1, "10.0.0.0/16", "10.96.0.0/16"), b: m(2, "10.1.0.0/16", "10.97.0.0/16") },
      violations: [
        {
          path: "members.b.clusterId",
          message: `cluster id of member "b" would change from 1 to 2: 1 is also held by member "a". ${RISK_ID}`,
        },
      ],
    },
  },
  {
    name: "keeps the previous value of a member with an invalid pin out of other members' reach",
    input: input([aks("a", { clusterId: 0 }), aks("b")], { previous: state({ a: m(1, "10.0.0.0/16", "10.96.0.0/16") }) }),
    want: {
      allocations: { b: m(2, "10.1.0.0/16", "10.97.0.0/16") },
      violations: [{ path: "members.a.clusterId", message: `cluster id 0 is outside 1..255: ${RULE_3}` }],
    },
  },
  {
    name: "rejects an unsupported maxConnectedClusters",
    input: input([aks("a")], { maxConnectedClusters: 300 as 255 }),
    want: {
      allocations: {},
      violations: [{ path: "maxConnectedClusters", message: "maxConnectedClusters 300 is not supported: Cilium accepts only 255 or 511" }],
    },
  },
];

describe("allocate", () => {
  for (const c of cases) it(c.name, () => assert.deepStrictEqual(allocate(c.input), c.want));

  describe("with 256 members", () => {
    const names = Array.from({ length: 256 }, (_, i) => `m${String(i).padStart(3, "0")}`);
    const bigPools = {
      ...POOLS,
      podCidrPool: "10.0.0.0/8",
      podCidrPrefixLength: 24,
      serviceCidrPool: "172.16.0.0/12",
      serviceCidrPrefixLength: 24,
    };
    const expected = (count: number) =>
      Object.fromEntries(
        names
          .slice(0, count)
          .map((name, i) => [name, m(i + 1, formatCidr(subnetAt("10.0.0.0/8", 24, i)!), formatCidr(subnetAt("172.16.0.0/12", 24, i)!))]),
      );

    it("gives every member an id when maxConnectedClusters is 511", () => {
      assert.deepStrictEqual(
        allocate(
          input(
            names.map((n) => aks(n)),
            { pools: bigPools, maxConnectedClusters: 511 },
          ),
        ),
        {
          allocations: expected(256),
          violations: [],
        },
      );
    });

    it("names the member left without an id when maxConnectedClusters is 255", () => {
      const message =
        'all cluster ids 1..255 are taken: no cluster id for member "m255" (a fleet holds at most maxConnectedClusters members)';
      assert.deepStrictEqual(
        allocate(
          input(
            names.map((n) => aks(n)),
            { pools: bigPools },
          ),
        ),
        {
          allocations: expected(255),
          violations: [{ path: "maxConnectedClusters", message }],
        },
      );
    });
  });
});

// ---- property: random runs, each fed the previous run's state ----

const SMALL_POOLS: AllocationPools = {
  podCidrPool: "10.0.0.0/21", // 8 slots of /24
  podCidrPrefixLength: 24,
  serviceCidrPool: "10.100.0.0/22", // 4 slots of /24
  serviceCidrPrefixLength: 24,
  nodePortRange: { first: 32380, last: 32384 }, // 5 NodePorts
};
const NAMES = Array.from({ length: 12 }, (_, i) => `m${i}`); // "m10" sorts before "m2"
type Kind = keyof Pins;
const KINDS: Kind[] = ["clusterId", "podCidr", "serviceCidr", "nodePort"];
const EXHAUSTION_PATH: Record<Kind, string> = {
  clusterId: "maxConnectedClusters",
  podCidr: "pools.podCidrPool",
  serviceCidr: "pools.serviceCidrPool",
  nodePort: "pools.nodePortRange",
};

/** Pins are indexes into the values free when the member is added; undefined: no pin. */
type PinChoices = Partial<Record<Kind, number>>;
interface NewMember {
  name: number;
  kind: boolean;
  pins: PinChoices;
}
type Op =
  { op: "add"; members: NewMember[] } | { op: "remove"; pick: number } | { op: "rename"; pick: number; name: number } | { op: "reorder" };

const needs = (r: AllocationRequest, k: Kind) => k !== "nodePort" || r.needsNodePort;

/** Whether two values of a kind collide: ids and NodePorts when equal, CIDRs when they overlap. */
function clash(k: Kind, a: unknown, b: unknown): boolean {
  return k === "clusterId" || k === "nodePort" ? a === b : overlaps(String(a), String(b));
}

function pinCandidates(k: Kind): unknown[] {
  if (k === "clusterId") return Array.from({ length: 12 }, (_, i) => i + 1);
  if (k === "nodePort") return [32380, 32381, 32382, 32383, 32384];
  const pool = k === "podCidr" ? SMALL_POOLS.podCidrPool : SMALL_POOLS.serviceCidrPool;
  return [23, 24, 25].flatMap((p) => Array.from({ length: slotCount(pool, p) }, (_, i) => formatCidr(subnetAt(pool, p, i)!)));
}

/** Values held now: the previous state of requested members, and their pins. */
function heldValues(k: Kind, requests: AllocationRequest[], previous: FleetState | undefined): unknown[] {
  return requests.flatMap((r) => [r.pins[k], previous?.members[r.name]?.[k]]).filter((v) => v !== undefined);
}

function addMember(added: NewMember, requests: AllocationRequest[], previous: FleetState | undefined): AllocationRequest[] {
  const name = NAMES[added.name];
  if (requests.some((r) => r.name === name)) return requests;
  const request: AllocationRequest = { name, needsNodePort: added.kind, pins: {} };
  for (const k of KINDS) {
    const choice = added.pins[k];
    if (choice === undefined || !needs(request, k)) continue;
    const held = heldValues(k, requests, previous);
    const free = pinCandidates(k).filter((v) => !held.some((h) => clash(k, v, h)));
    if (free.length > 0) (request.pins as Record<Kind, unknown>)[k] = free[choice % free.length];
  }
  return [...requests, request];
}

function applyOp(op: Op, requests: AllocationRequest[], previous: FleetState | undefined): AllocationRequest[] {
  if (op.op === "add") return op.members.reduce((all, added) => addMember(added, all, previous), requests);
  if (op.op === "reorder" || requests.length === 0) return [...requests].reverse();
  const picked = requests[op.pick % requests.length];
  if (op.op === "remove") return requests.filter((r) => r !== picked);
  const name = NAMES[op.name];
  if (requests.some((r) => r.name === name)) return requests;
  return requests.map((r) => (r === picked ? { ...r, name } : r));
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Independent oracle: the kinds whose members without a pin outnumber the slots no pin touches. */
function exhaustedPaths(requests: AllocationRequest[]): string[] {
  const paths: string[] = [];
  for (const k of KINDS) {
    const members = requests.filter((r) => needs(r, k));
    const pins = members.map((r) => r.pins[k]).filter((v) => v !== undefined);
    const slots =
      k === "clusterId"
        ? [...Array(255).keys()].map((i) => i + 1)
        : pinCandidates(k).filter((v) => !String(v).endsWith("/23") && !String(v).endsWith("/25"));
    const free = slots.filter((slot) => !pins.some((pin) => clash(k, slot, pin)));
    if (members.length - pins.length > free.length) paths.push(EXHAUSTION_PATH[k]);
  }
  return paths;
}

function checkRun(requests: AllocationRequest[], previous: FleetState | undefined, result: AllocateResult): void {
  const { allocations, violations } = result;
  // Only exhaustion is refused, exactly when the oracle finds no free slot.
  assert.deepStrictEqual(violations.map((v) => v.path).sort(), exhaustedPaths(requests).sort());
  const allocated = requests.filter((r) => allocations[r.name] !== undefined);
  if (violations.length === 0) assert.equal(allocated.length, requests.length);
  for (const r of requests) {
    const before = previous?.members[r.name];
    if (before) assert.deepStrictEqual(allocations[r.name], before, `${r.name} moved`);
  }
  for (const r of allocated) {
    const a = allocations[r.name];
    assert.equal(a.nodePort !== undefined, r.needsNodePort);
    assert.ok(
      contains(SMALL_POOLS.podCidrPool, a.podCidr) && contains(SMALL_POOLS.serviceCidrPool, a.serviceCidr),
      `${r.name} outside the pools`,
    );
    assert.ok(a.clusterId >= 1 && a.clusterId <= 255 && (a.nodePort === undefined || (a.nodePort >= 32380 && a.nodePort <= 32384)));
    for (const k of KINDS) if (r.pins[k] !== undefined) assert.equal(a[k], r.pins[k]);
  }
  // No two ids or NodePorts are equal, and no two CIDRs (pod or service) overlap.
  const values = allocated.flatMap((r) => KINDS.filter((k) => needs(r, k)).map((k) => ({ k, v: allocations[r.name][k] })));
  const comparable = (a: Kind, b: Kind) => a === b || (a !== "clusterId" && a !== "nodePort" && b !== "clusterId" && b !== "nodePort");
  values.forEach((x, i) =>
    values.slice(i + 1).forEach((y) => assert.ok(!comparable(x.k, y.k) || !clash(x.k, x.v, y.v), `${x.v} clashes with ${y.v}`)),
  );
}

describe("allocate over random runs", function () {
  this.timeout(60_000);
  const pinChoice = fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.nat(1000) });
  const newMember: fc.Arbitrary<NewMember> = fc.record({
    name: fc.nat(NAMES.length - 1),
    kind: fc.boolean(),
    pins: fc.record({ clusterId: pinChoice, podCidr: pinChoice, serviceCidr: pinChoice, nodePort: pinChoice }, { requiredKeys: [] }),
  });
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({ op: fc.constant("add" as const), members: fc.array(newMember, { minLength: 1, maxLength: 3 }) }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("remove" as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("rename" as const), pick: fc.nat(), name: fc.nat(NAMES.length - 1) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("reorder" as const) }) },
  );

  it("never moves an existing member, never clashes, and leaves no member without a free slot", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ op: opArb, seed: fc.nat() }), { minLength: 5, maxLength: 40 }), (steps) => {
        let requests: AllocationRequest[] = [];
        let previous: FleetState | undefined;
        for (const { op, seed } of steps) {
          const next = applyOp(op, requests, previous);
          const run = (order: number) =>
            allocate({
              requests: shuffled(next, seed + order),
              pools: SMALL_POOLS,
              maxConnectedClusters: 255,
              previous: previous && state(Object.fromEntries(shuffled(Object.entries(previous.members), seed + order))),
            });
          const result = run(0);
          assert.deepStrictEqual(run(1), result, "depends on the order of requests or of previous members");
          checkRun(next, previous, result);
          if (result.violations.length > 0) continue; // refused: the fleet stays as it was
          requests = next;
          previous = state(result.allocations);
        }
      }),
      { numRuns: 300 },
    );
  });
});
