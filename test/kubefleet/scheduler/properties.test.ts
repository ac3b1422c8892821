// Property-based tests of schedule() over random fleets and random valid policies.
//
// Random fleets: 1-9 clusters with random names, region/env labels, node-count / energy /
// available-cpu properties, NoSchedule taints and an eligibility state (kubefleet-dev/kubefleet
// pkg/scheduler/clustereligibilitychecker/checker.go). Random policies are valid per the webhook
// rules of pkg/utils/validator/placement.go (no preferred terms for PickAll, sorters
// only in preferred terms, selectors only in required terms, unique tolerations, ...).
//
// The filter oracle below re-implements label selectors, integer property selectors, eligibility
// and taint toleration independently of the implementation, for the PickAll / tie-break checks.

import * as assert from "assert";
import fc from "fast-check";

import { schedule } from "../../../components/core/kubefleet/scheduler";
import type {
  Binding,
  ClusterSelectorTerm,
  LabelSelector,
  MemberCluster,
  PlacementPolicy,
  PreferredClusterSelector,
  PropertySelectorOperator,
  ScheduleResult,
  Taint,
  Toleration,
  TopologySpreadConstraint,
} from "../../../components/core/kubefleet/scheduler/types";
import { AVAILABLE_CPU, ENERGY, MINUTE_MS, NODE_COUNT, NOW, markBound, memberCluster, plain } from "./fixtures";

// ---------------------------------------------------------------------------------------------
// Random fleets
// ---------------------------------------------------------------------------------------------

type Eligibility =
  | "ok"
  | "unhealthyRecent" // Healthy=False for 1 min: still eligible
  | "left"
  | "staleHeartbeat"
  | "notJoined"
  | "unhealthyLong"
  | "noAgent"
  | "healthMissing";

const ELIGIBLE: ReadonlySet<Eligibility> = new Set<Eligibility>(["ok", "unhealthyRecent"]);

interface GenCluster {
  name: string;
  region: string | undefined;
  env: string | undefined;
  nodes: number | undefined;
  energy: number | undefined;
  cpu: number | undefined;
  taints: Taint[];
  eligibility: Eligibility;
}

const TAINTS: Taint[] = [
  { key: "gpu", value: "true", effect: "NoSchedule" },
  { key: "dedicated", value: "team-a", effect: "NoSchedule" },
  { key: "zone", effect: "NoSchedule" },
];

const TOLERATIONS: Toleration[] = [
  { key: "gpu", operator: "Equal", value: "true" },
  { key: "dedicated", operator: "Exists" },
  { key: "zone", operator: "Exists", effect: "NoSchedule" },
  { key: "gpu", operator: "Equal", value: "false", effect: "NoSchedule" },
  { operator: "Exists" },
];

const REGIONS = ["east", "west", "central"];
const ENVS = ["prod", "canary"];

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });

const clusterArb = (name: string): fc.Arbitrary<GenCluster> =>
  fc.record({
    name: fc.constant(name),
    region: optional(fc.constantFrom(...REGIONS)),
    env: optional(fc.constantFrom(...ENVS)),
    nodes: optional(fc.integer({ min: 0, max: 10 })),
    energy: optional(fc.integer({ min: 0, max: 100 })),
    cpu: optional(fc.integer({ min: 0, max: 32 })),
    taints: fc.oneof(
      { weight: 3, arbitrary: fc.constant<Taint[]>([]) },
      { weight: 1, arbitrary: fc.subarray(TAINTS, { minLength: 1, maxLength: 2 }) },
    ),
    eligibility: fc.oneof(
      { weight: 7, arbitrary: fc.constant<Eligibility>("ok") },
      {
        weight: 3,
        arbitrary: fc.constantFrom<Eligibility>(
          "unhealthyRecent",
          "left",
          "staleHeartbeat",
          "notJoined",
          "unhealthyLong",
          "noAgent",
          "healthMissing",
        ),
      },
    ),
  });

const fleetArb: fc.Arbitrary<GenCluster[]> = fc
  .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { minLength: 1, maxLength: 9 })
  .chain((names) => fc.tuple(...names.map(clusterArb)));

function toMemberCluster(g: GenCluster): MemberCluster {
  const labels: Record<string, string> = {};
  if (g.region !== undefined) labels.region = g.region;
  if (g.env !== undefined) labels.env = g.env;
  const properties: Record<string, string> = {};
  if (g.nodes !== undefined) properties[NODE_COUNT] = String(g.nodes);
  if (g.energy !== undefined) properties[ENERGY] = String(g.energy);
  return memberCluster(g.name, {
    labels,
    taints: g.taints,
    properties,
    ...(g.cpu !== undefined
      ? { resourceUsage: { capacity: { cpu: "64" }, allocatable: { cpu: "64" }, available: { cpu: String(g.cpu) } } }
      : {}),
    deleting: g.eligibility === "left",
    heartbeatAgeMs: g.eligibility === "staleHeartbeat" ? 10 * MINUTE_MS : 0,
    joined: g.eligibility !== "notJoined",
    healthy: g.eligibility === "healthMissing" ? "missing" : !(g.eligibility === "unhealthyLong" || g.eligibility === "unhealthyRecent"),
    conditionAgeMs: g.eligibility === "unhealthyLong" ? 10 * MINUTE_MS : g.eligibility === "unhealthyRecent" ? MINUTE_MS : 0,
    agentOnline: g.eligibility !== "noAgent",
  });
}

// ---------------------------------------------------------------------------------------------
// Random valid policies
// ---------------------------------------------------------------------------------------------

const labelSelectorArb: fc.Arbitrary<LabelSelector> = fc.oneof(
  fc.constantFrom(...REGIONS).map((r) => ({ matchLabels: { region: r } })),
  fc.constantFrom(...ENVS).map((e) => ({ matchLabels: { env: e } })),
  fc.subarray(REGIONS, { minLength: 1 }).map((vs) => ({ matchExpressions: [{ key: "region", operator: "In" as const, values: vs }] })),
  fc.subarray(ENVS, { minLength: 1 }).map((vs) => ({ matchExpressions: [{ key: "env", operator: "NotIn" as const, values: vs }] })),
  fc.constantFrom("region", "env").map((k) => ({ matchExpressions: [{ key: k, operator: "Exists" as const }] })),
  fc.constantFrom("region", "env").map((k) => ({ matchExpressions: [{ key: k, operator: "DoesNotExist" as const }] })),
);

const propertyOpArb = fc.constantFrom<PropertySelectorOperator>("Gt", "Ge", "Eq", "Ne", "Lt", "Le");

const requiredTermArb: fc.Arbitrary<ClusterSelectorTerm> = fc
  .record({
    labelSelector: optional(labelSelectorArb),
    property: optional(fc.record({ op: propertyOpArb, value: fc.integer({ min: 0, max: 10 }) })),
  })
  .map(({ labelSelector, property }) => {
    const term: ClusterSelectorTerm = {};
    if (labelSelector) term.labelSelector = labelSelector;
    if (property)
      term.propertySelector = { matchExpressions: [{ name: NODE_COUNT, operator: property.op, values: [String(property.value)] }] };
    return term;
  });

const requiredArb: fc.Arbitrary<ClusterSelectorTerm[] | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.array(requiredTermArb, { minLength: 1, maxLength: 3 }) },
);

const preferredTermArb: fc.Arbitrary<PreferredClusterSelector> = fc.record({
  weight: fc.integer({ min: -100, max: 100 }),
  preference: fc.oneof(
    labelSelectorArb.map((labelSelector): ClusterSelectorTerm => ({ labelSelector })),
    fc
      .record({
        name: fc.constantFrom(NODE_COUNT, ENERGY, AVAILABLE_CPU),
        sortOrder: fc.constantFrom("Ascending" as const, "Descending" as const),
      })
      .map((propertySorter): ClusterSelectorTerm => ({ propertySorter })),
    fc
      .record({
        labelSelector: labelSelectorArb,
        propertySorter: fc.record({
          name: fc.constantFrom(NODE_COUNT, ENERGY, AVAILABLE_CPU),
          sortOrder: fc.constantFrom("Ascending" as const, "Descending" as const),
        }),
      })
      .map((t): ClusterSelectorTerm => t),
  ),
});

const tscArb: fc.Arbitrary<TopologySpreadConstraint[]> = fc.subarray(["region", "env"], { maxLength: 2 }).chain((keys) =>
  fc.tuple(
    ...keys.map((topologyKey) =>
      fc.record({
        maxSkew: fc.integer({ min: 1, max: 2 }),
        topologyKey: fc.constant(topologyKey),
        whenUnsatisfiable: fc.constantFrom("DoNotSchedule" as const, "ScheduleAnyway" as const),
      }),
    ),
  ),
);

const tolerationsArb = fc.subarray(TOLERATIONS, { maxLength: 3 });

function withRequired(policy: PlacementPolicy, required: ClusterSelectorTerm[] | undefined): PlacementPolicy {
  if (!required) return policy;
  return {
    ...policy,
    affinity: {
      clusterAffinity: {
        ...(policy.affinity?.clusterAffinity ?? {}),
        requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: required },
      },
    },
  };
}

const pickAllPolicyArb: fc.Arbitrary<PlacementPolicy> = fc
  .record({ required: requiredArb, tolerations: tolerationsArb, explicit: fc.boolean() })
  .map(({ required, tolerations, explicit }) => {
    let p: PlacementPolicy = explicit ? { placementType: "PickAll" } : {};
    if (tolerations.length > 0) p.tolerations = tolerations;
    p = withRequired(p, required);
    return p;
  });

interface PickNOptions {
  preferred: boolean;
  spread: boolean;
}

const pickNPolicyArb = (opts: PickNOptions = { preferred: true, spread: true }): fc.Arbitrary<PlacementPolicy> =>
  fc
    .record({
      n: fc.integer({ min: 0, max: 6 }),
      required: requiredArb,
      preferred: opts.preferred ? fc.array(preferredTermArb, { maxLength: 3 }) : fc.constant<PreferredClusterSelector[]>([]),
      tscs: opts.spread ? tscArb : fc.constant<TopologySpreadConstraint[]>([]),
      tolerations: tolerationsArb,
    })
    .map(({ n, required, preferred, tscs, tolerations }) => {
      let p: PlacementPolicy = { placementType: "PickN", numberOfClusters: n };
      if (preferred.length > 0) p.affinity = { clusterAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred } };
      if (tscs.length > 0) p.topologySpreadConstraints = tscs;
      if (tolerations.length > 0) p.tolerations = tolerations;
      p = withRequired(p, required);
      return p;
    });

const pickFixedPolicyArb = (names: string[]): fc.Arbitrary<PlacementPolicy> =>
  fc
    .shuffledSubarray([...names, "ghost-one", "ghost-two"], { maxLength: names.length + 2 })
    .map((clusterNames) => ({ placementType: "PickFixed" as const, clusterNames }));

/** Any valid policy, or none (PickAll). */
const anyPolicyArb = (names: string[]): fc.Arbitrary<PlacementPolicy | undefined> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: pickAllPolicyArb },
    { weight: 5, arbitrary: pickNPolicyArb() },
    { weight: 3, arbitrary: pickFixedPolicyArb(names) },
  );

// ---------------------------------------------------------------------------------------------
// Filter oracle
// ---------------------------------------------------------------------------------------------

function labelsMatch(sel: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.operator) {
      case "In":
        if (!has || !(r.values ?? []).includes(labels[r.key]!)) return false;
        break;
      case "NotIn":
        if (has && (r.values ?? []).includes(labels[r.key]!)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
    }
  }
  return true;
}

function compare(v: number, op: PropertySelectorOperator, x: number): boolean {
  switch (op) {
    case "Gt":
      return v > x;
    case "Ge":
      return v >= x;
    case "Eq":
      return v === x;
    case "Ne":
      return v !== x;
    case "Lt":
      return v < x;
    case "Le":
      return v <= x;
  }
}

function termMatches(term: ClusterSelectorTerm, g: GenCluster): boolean {
  const labels: Record<string, string> = {};
  if (g.region !== undefined) labels.region = g.region;
  if (g.env !== undefined) labels.env = g.env;
  if (term.labelSelector && !labelsMatch(term.labelSelector, labels)) return false;
  for (const e of term.propertySelector?.matchExpressions ?? []) {
    if (e.name !== NODE_COUNT) throw new Error("oracle only knows node-count");
    if (g.nodes === undefined) return false;
    if (!compare(g.nodes, e.operator, Number(e.values[0]))) return false;
  }
  return true;
}

function tolerates(t: Toleration, taint: Taint): boolean {
  const effectOk = !t.effect || t.effect === taint.effect;
  if ((t.operator ?? "Equal") === "Exists") return (!t.key || t.key === taint.key) && effectOk;
  return t.key === taint.key && (t.value ?? "") === (taint.value ?? "") && effectOk;
}

/** Does a cluster pass the PickAll / PickN filters (affinity, eligibility, taints)? */
function passesFilters(g: GenCluster, policy: PlacementPolicy | undefined): boolean {
  const terms = policy?.affinity?.clusterAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.clusterSelectorTerms ?? [];
  if (terms.length > 0 && !terms.some((t) => termMatches(t, g))) return false;
  if (!ELIGIBLE.has(g.eligibility)) return false;
  const tols = policy?.tolerations ?? [];
  return g.taints.every((taint) => tols.some((t) => tolerates(t, taint)));
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function run(clusters: MemberCluster[], policy: PlacementPolicy | undefined, bindings: Binding[] = []): ScheduleResult {
  const input = { clusters, bindings, now: NOW } as Parameters<typeof schedule>[0];
  if (policy !== undefined) input.policy = policy;
  return schedule(input);
}

function live(r: ScheduleResult): string[] {
  return r.bindings
    .filter((b) => b.state === "Scheduled" || b.state === "Bound")
    .map((b) => b.targetCluster)
    .sort();
}

function byName<T>(key: (x: T) => string) {
  return (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** Deterministic Fisher-Yates shuffle from a seed (mulberry32). */
function shuffle<T>(xs: readonly T[], seed: number): T[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Result with bindings sorted by target and decisions sorted by cluster name; undefined keys dropped. */
function normalise(r: ScheduleResult) {
  const p = plain(r);
  return {
    ...p,
    bindings: [...p.bindings].sort(byName((b: Binding) => b.targetCluster)),
    decisions: [...p.decisions].sort(byName((d: { clusterName: string }) => d.clusterName)),
    condition: { type: p.condition.type, status: p.condition.status, reason: p.condition.reason, message: p.condition.message },
  };
}

function assertNoDuplicates(r: ScheduleResult, label: string): void {
  const targets = r.bindings.map((b) => b.targetCluster);
  assert.strictEqual(new Set(targets).size, targets.length, `${label}: duplicate binding targets ${JSON.stringify(targets)}`);
  const names = r.decisions.map((d) => d.clusterName);
  assert.strictEqual(new Set(names).size, names.length, `${label}: duplicate decisions ${JSON.stringify(names)}`);
}

/**
 * A two-cycle history: policy A (optional) schedules from scratch, the rollout controller binds some
 * of its bindings, then policy B runs on those bindings.
 */
const historyArb = fleetArb.chain((fleet) => {
  const names = fleet.map((g) => g.name);
  return fc.record({
    fleet: fc.constant(fleet),
    policyA: fc.option(anyPolicyArb(names), { nil: undefined, freq: 3 }),
    runA: fc.boolean(),
    boundSubset: fc.subarray(names),
    policyB: anyPolicyArb(names),
    seedClusters: fc.integer(),
    seedBindings: fc.integer(),
  });
});

interface History {
  clusters: MemberCluster[];
  bindings: Binding[];
  r1: ScheduleResult;
}

function replay(h: {
  fleet: GenCluster[];
  policyA: PlacementPolicy | undefined;
  runA: boolean;
  boundSubset: string[];
  policyB: PlacementPolicy | undefined;
}): History {
  const clusters = h.fleet.map(toMemberCluster);
  let bindings: Binding[] = [];
  if (h.runA) {
    const r0 = run(clusters, h.policyA);
    assertNoDuplicates(r0, "policy A");
    bindings = markBound(r0.bindings, h.boundSubset);
  }
  const r1 = run(clusters, h.policyB, bindings);
  assertNoDuplicates(r1, "policy B");
  return { clusters, bindings, r1 };
}

/** replay(h), then policy B once more on the same fleet and bindings, both lists shuffled by the history's seeds. */
function replayShuffled(h: Parameters<typeof replay>[0] & { seedClusters: number; seedBindings: number }) {
  const { clusters, bindings, r1 } = replay(h);
  return { r1, r1b: run(shuffle(clusters, h.seedClusters), h.policyB, shuffle(bindings, h.seedBindings)) };
}

const RUNS = { numRuns: 200 };

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe("scheduler properties (fast-check)", () => {
  it("PickN never keeps more than N scheduled/bound bindings or selected decisions", () => {
    fc.assert(
      fc.property(historyArb, pickNPolicyArb(), (h, policyN) => {
        const { r1 } = replay({ ...h, policyB: policyN });
        const n = policyN.numberOfClusters!;
        assert.ok(live(r1).length <= n, `live bindings ${JSON.stringify(live(r1))} > N=${n}`);
        const sel = r1.decisions.filter((d) => d.selected).length;
        assert.ok(sel <= n, `selected decisions ${sel} > N=${n}`);
        // the condition is True iff N clusters are scheduled/bound
        assert.strictEqual(r1.condition.status, live(r1).length >= n ? "True" : "False");
      }),
      RUNS,
    );
  });

  it("results do not depend on the input order of clusters or bindings (normalised)", () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const { r1, r1b } = replayShuffled(h);
        assert.deepStrictEqual(normalise(r1b), normalise(r1));
      }),
      RUNS,
    );
  });

  it("results do not depend on the input order of clusters or bindings (decision order included)", () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const { r1, r1b } = replayShuffled(h);
        assert.deepStrictEqual(plain(r1b.decisions), plain(r1.decisions));
        assert.deepStrictEqual(plain(r1b.bindings), plain(r1.bindings));
      }),
      RUNS,
    );
  });

  it("no duplicate clusters in bindings or decisions", () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const { r1, clusters } = replay(h);
        const again = run(clusters, h.policyB, r1.bindings);
        assertNoDuplicates(again, "re-run");
      }),
      RUNS,
    );
  });

  it("PickFixed never selects a cluster outside clusterNames", () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) => fc.tuple(fc.constant(h), pickFixedPolicyArb(h.fleet.map((g) => g.name)))),
        ([h, fixed]) => {
          const { r1 } = replay({ ...h, policyB: fixed });
          const allowed = new Set(fixed.clusterNames ?? []);
          for (const d of r1.decisions.filter((x) => x.selected)) {
            assert.ok(allowed.has(d.clusterName), `selected ${d.clusterName} not in ${JSON.stringify([...allowed])}`);
          }
          if (allowed.size > 0) {
            for (const c of live(r1)) assert.ok(allowed.has(c), `live binding on ${c} not in ${JSON.stringify([...allowed])}`);
          }
          // every listed name gets exactly one decision when the list is non-empty
          if (allowed.size > 0) {
            assert.deepStrictEqual(r1.decisions.map((d) => d.clusterName).sort(), [...allowed].sort());
          }
        },
      ),
      RUNS,
    );
  });

  it("PickAll (fresh) selects exactly the clusters that pass affinity, eligibility and taints", () => {
    fc.assert(
      fc.property(fleetArb, fc.option(pickAllPolicyArb, { nil: undefined, freq: 4 }), (fleet, policy) => {
        const r = run(fleet.map(toMemberCluster), policy);
        const want = fleet
          .filter((g) => passesFilters(g, policy))
          .map((g) => g.name)
          .sort();
        assert.deepStrictEqual(live(r), want);
        assert.deepStrictEqual(
          r.decisions
            .filter((d) => d.selected)
            .map((d) => d.clusterName)
            .sort(),
          want,
        );
        // every other cluster is reported as filtered (fleets here are below the 20-entry cap)
        const others = fleet
          .map((g) => g.name)
          .filter((n) => !want.includes(n))
          .sort();
        const unselected = r.decisions.filter((d) => !d.selected);
        assert.deepStrictEqual(unselected.map((d) => d.clusterName).sort(), others);
        for (const d of unselected) {
          assert.strictEqual(d.clusterScore, undefined, `filtered ${d.clusterName} has no score`);
          assert.ok(d.reason.startsWith("ClusterUnschedulable, "), d.reason);
        }
        // PickAll never scores and is always fulfilled
        for (const d of r.decisions.filter((x) => x.selected))
          assert.deepStrictEqual(plain(d.clusterScore), { affinityScore: 0, priorityScore: 0 });
        assert.strictEqual(r.condition.status, "True");
      }),
      RUNS,
    );
  });

  it("PickN without preferred terms or spread constraints picks the N greatest names among passing clusters", () => {
    fc.assert(
      fc.property(fleetArb, pickNPolicyArb({ preferred: false, spread: false }), (fleet, policy) => {
        const r = run(fleet.map(toMemberCluster), policy);
        const passing = fleet
          .filter((g) => passesFilters(g, policy))
          .map((g) => g.name)
          .sort()
          .reverse();
        const n = policy.numberOfClusters!;
        const want = passing.slice(0, n);
        assert.deepStrictEqual(live(r), [...want].sort());
        assert.deepStrictEqual(
          r.decisions.filter((d) => d.selected).map((d) => d.clusterName),
          want,
          "selected in pick order",
        );
        if (n > 0) {
          assert.deepStrictEqual(
            r.decisions.filter((d) => !d.selected && d.clusterScore).map((d) => d.clusterName),
            passing.slice(n),
            "not picked best first",
          );
        }
        assert.strictEqual(r.condition.status, passing.length >= n ? "True" : "False");
      }),
      RUNS,
    );
  });

  it("re-running with the returned bindings and the same policy changes no binding (fixed point)", () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const { clusters, r1 } = replay(h);
        const r2 = run(clusters, h.policyB, r1.bindings);
        assert.deepStrictEqual(plain(r2.bindings), plain(r1.bindings));
        assert.strictEqual(r2.policyHash, r1.policyHash);
        assert.strictEqual(r2.condition.status, r1.condition.status);
      }),
      RUNS,
    );
  });

  it("live bindings survive label / property / taint / health changes under the same policy; only leaving or removed clusters lose them", () => {
    const mutatedArb = historyArb.chain((h) =>
      fc.tuple(
        fc.constant(h),
        fc.tuple(
          ...h.fleet.map((g) =>
            fc.record({
              action: fc.constantFrom("same", "same", "changed", "changed", "removed"),
              replacement: clusterArb(g.name),
            }),
          ),
        ),
      ),
    );
    fc.assert(
      fc.property(mutatedArb, ([h, mutations]) => {
        const fixedEmpty = h.policyB?.placementType === "PickFixed" && (h.policyB.clusterNames ?? []).length === 0;
        fc.pre(!fixedEmpty);
        const { r1 } = replay(h);
        const fleet2: GenCluster[] = [];
        h.fleet.forEach((g, i) => {
          const m = mutations[i]!;
          if (m.action === "same") fleet2.push(g);
          else if (m.action === "changed") fleet2.push(m.replacement);
        });
        const r2 = run(fleet2.map(toMemberCluster), h.policyB, r1.bindings);
        assertNoDuplicates(r2, "after cluster changes");
        const after = new Map(r2.bindings.map((b) => [b.targetCluster, b] as const));
        const present = new Map(fleet2.map((g) => [g.name, g] as const));
        for (const b of r1.bindings.filter((x) => x.state !== "Unscheduled")) {
          const b2 = after.get(b.targetCluster);
          assert.ok(b2, `binding on ${b.targetCluster} disappeared`);
          const g = present.get(b.targetCluster);
          if (!g || g.eligibility === "left") {
            assert.strictEqual(b2.state, "Unscheduled", `${b.targetCluster} left the fleet`);
            assert.strictEqual(b2.previousState, b.state, `${b.targetCluster} previous state`);
          } else {
            assert.strictEqual(b2.state, b.state, `${b.targetCluster} keeps its ${b.state} binding`);
            assert.deepStrictEqual(plain(b2.clusterDecision), plain(b.clusterDecision), `${b.targetCluster} decision unchanged`);
          }
        }
      }),
      RUNS,
    );
  });

  it("bindings are sorted by target cluster and live ones carry the current policy hash", () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const { r1 } = replay(h);
        const targets = r1.bindings.map((b) => b.targetCluster);
        assert.deepStrictEqual(targets, [...targets].sort());
        const fixedEmpty = h.policyB?.placementType === "PickFixed" && (h.policyB.clusterNames ?? []).length === 0;
        if (!fixedEmpty) {
          for (const b of r1.bindings.filter((x) => x.state !== "Unscheduled"))
            assert.strictEqual(b.policyHash, r1.policyHash, b.targetCluster);
        }
      }),
      RUNS,
    );
  });
});
