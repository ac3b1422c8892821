import { MemberCluster, TopologySpreadConstraint } from "../types";
import { CycleState, Plugin } from "../framework/plugin";
import { SKIP, SUCCESS, SchedulingCycleError, unschedulable } from "../framework/status";
import { Score, scorePart } from "../framework/score";

// KubeFleet topologyspreadconstraints plugin (PickN only in valid policies). Domains and their
// counts are taken over every cluster that carries the topology key, eligible or not.

const NAME = "TopologySpreadConstraints";
const SCHEDULE_ANYWAY_PENALTY = 1000;

/** Placements per domain of one topology key, with the smallest, second smallest and largest counts. */
export interface DomainCounts {
  counts: Map<string, number>;
  smallest: number;
  secondSmallest: number;
  largest: number;
}

/** Which domain (label value; an empty value is a domain too) each cluster sits in, by cluster position. */
export interface DomainIndex {
  /** Domain number per position in the cluster list, -1 for a cluster without the topology key. */
  domainAt: Int32Array;
  domains: readonly string[];
}

export function indexDomains(clusters: readonly MemberCluster[], topologyKey: string): DomainIndex {
  const numbers = new Map<string, number>();
  const domainAt = new Int32Array(clusters.length).fill(-1);
  clusters.forEach((cluster, position) => {
    const labels = cluster.metadata.labels ?? {};
    if (!Object.prototype.hasOwnProperty.call(labels, topologyKey)) return;
    const domain = labels[topologyKey];
    if (!numbers.has(domain)) numbers.set(domain, numbers.size);
    domainAt[position] = numbers.get(domain)!;
  });
  return { domainAt, domains: [...numbers.keys()] };
}

/** Placements per domain: every domain starts at 0, each selected cluster adds one to its own. */
export function countDomains(index: DomainIndex, selectedPositions: readonly number[]): DomainCounts {
  const perDomain = new Array<number>(index.domains.length).fill(0);
  for (const position of selectedPositions) {
    const domain = index.domainAt[position];
    if (domain >= 0) perDomain[domain]++;
  }
  const sorted = [...perDomain].sort((a, b) => a - b);
  return {
    counts: new Map(index.domains.map((name, domain) => [name, perDomain[domain]])),
    smallest: sorted[0] ?? 0,
    secondSmallest: sorted[1] ?? sorted[0] ?? 0,
    largest: sorted[sorted.length - 1] ?? 0,
  };
}

/** Upstream willViolate: the skew change one more placement in a domain with `count` would cause. */
export function willViolate(domains: DomainCounts, count: number, maxSkew: number): SpreadOutcome {
  const skew = domains.largest - domains.smallest;
  if (domains.largest === domains.smallest) return { violated: skew + 1 > maxSkew, change: 1 };
  if (count === domains.smallest && domains.smallest !== domains.secondSmallest) return { violated: skew - 1 > maxSkew, change: -1 };
  if (count === domains.largest) return { violated: skew + 1 > maxSkew, change: 1 };
  return { violated: skew > maxSkew, change: 0 };
}

export interface SpreadOutcome {
  violated: boolean;
  change: number;
}

function constraintsOf(state: CycleState): TopologySpreadConstraint[] {
  return state.policy.topologySpreadConstraints ?? [];
}

function isDoNotSchedule(constraint: TopologySpreadConstraint): boolean {
  return (constraint.whenUnsatisfiable ?? "DoNotSchedule") === "DoNotSchedule";
}

/** This cycle's outcome of one more placement in each domain of one constraint's key. */
interface DomainOutcomes {
  constraint: TopologySpreadConstraint;
  domainAt: Int32Array;
  violated: Uint8Array;
  change: Int8Array;
}

function outcomesFor(state: CycleState, constraint: TopologySpreadConstraint, selectedPositions: readonly number[]): DomainOutcomes {
  // Which cluster sits in which domain cannot change within a call; the counts can.
  const index = state.memo.once(constraint, () => indexDomains(state.clusters, constraint.topologyKey));
  const counts = countDomains(index, selectedPositions);
  const outcomes: DomainOutcomes = {
    constraint,
    domainAt: index.domainAt,
    violated: new Uint8Array(index.domains.length),
    change: new Int8Array(index.domains.length),
  };
  index.domains.forEach((name, domain) => {
    const outcome = willViolate(counts, counts.counts.get(name)!, constraint.maxSkew ?? 1);
    outcomes.violated[domain] = outcome.violated ? 1 : 0;
    outcomes.change[domain] = outcome.change;
  });
  return outcomes;
}

/** This cycle's constraints with their per-domain outcomes, and each position's verdict once asked for. */
interface SpreadState {
  doNotSchedule: DomainOutcomes[];
  scheduleAnyway: DomainOutcomes[];
  /** Per position: 0 not evaluated yet, 1 evaluated (see violatedAt / scorePartAt). */
  evaluated: Uint8Array;
  violatedAt: Array<TopologySpreadConstraint | undefined>;
  /** The Score part per position, one shared object per distinct value (there are few). */
  scorePartAt: Score[];
  scoreParts: Map<number, Score>;
}

function violationReason(constraint: TopologySpreadConstraint): string {
  return `violated doNotSchedule topology spread constraint "${constraint.topologyKey}" (max skew ${constraint.maxSkew ?? 1})`;
}

function prepareSpreadState(state: CycleState): SpreadState {
  const positions = state.memo.once(NAME, () => new Map(state.clusters.map((cluster, position) => [cluster.metadata.name, position])));
  const selectedPositions = [...state.selectedClusters].map((name) => positions.get(name)).filter((p): p is number => p !== undefined);
  const all = constraintsOf(state);
  const size = state.clusters.length;
  return {
    doNotSchedule: all.filter(isDoNotSchedule).map((c) => outcomesFor(state, c, selectedPositions)),
    scheduleAnyway: all.filter((c) => !isDoNotSchedule(c)).map((c) => outcomesFor(state, c, selectedPositions)),
    evaluated: new Uint8Array(size),
    violatedAt: new Array(size),
    scorePartAt: new Array(size),
    scoreParts: new Map(),
  };
}

/**
 * DoNotSchedule constraints are evaluated first: the first one violated filters the cluster out.
 * Each satisfied constraint adds the opposite of its skew change; a violated ScheduleAnyway one costs 1000.
 * A cluster without the topology key (domain -1) adds nothing and never violates.
 */
function evaluateAt(spread: SpreadState, position: number): void {
  let score = 0;
  for (const outcomes of spread.doNotSchedule) {
    const domain = outcomes.domainAt[position];
    if (domain < 0) continue;
    if (outcomes.violated[domain]) {
      spread.violatedAt[position] = outcomes.constraint;
      break;
    }
    score -= outcomes.change[domain];
  }
  for (const outcomes of spread.scheduleAnyway) {
    const domain = outcomes.domainAt[position];
    if (domain < 0) continue;
    score += outcomes.violated[domain] ? -SCHEDULE_ANYWAY_PENALTY : -outcomes.change[domain];
  }
  let part = spread.scoreParts.get(score);
  if (!part) spread.scoreParts.set(score, (part = scorePart({ topologySpreadScore: score })));
  spread.scorePartAt[position] = part;
  spread.evaluated[position] = 1;
}

function spreadAt(state: CycleState, position: number): SpreadState {
  const spread = state.pluginData.get(NAME) as SpreadState | undefined;
  if (!spread) throw new SchedulingCycleError(NAME, "no plugin state was prepared");
  if (!spread.evaluated[position]) evaluateAt(spread, position);
  return spread;
}

export const topologySpreadConstraints: Plugin = {
  name: NAME,
  postBatch(state) {
    // Any constraint limits each cycle to one pick, so every pick re-counts the domains.
    return constraintsOf(state).length > 0 ? 1 : undefined;
  },
  preFilter(state) {
    if (constraintsOf(state).length === 0) return SKIP;
    const spread = prepareSpreadState(state);
    state.pluginData.set(NAME, spread);
    return spread.doNotSchedule.length > 0 ? SUCCESS : SKIP;
  },
  filter(state, _cluster, position) {
    const violated = spreadAt(state, position).violatedAt[position];
    return violated ? unschedulable(NAME, violationReason(violated)) : SUCCESS;
  },
  preScore(state) {
    return constraintsOf(state).length === 0 ? SKIP : SUCCESS;
  },
  score(state, cluster, position) {
    const spread = spreadAt(state, position);
    // Upstream keeps no score for a cluster that violates a DoNotSchedule constraint (it is filtered first).
    if (spread.violatedAt[position]) throw new SchedulingCycleError(NAME, `no score found for cluster ${cluster.metadata.name}`);
    return spread.scorePartAt[position];
  },
};
