import { Binding, ClusterDecision, Condition, MemberCluster } from "../types";
import { checkEligibility } from "../plugins/cluster-eligibility";
import { ClassifiedBindings, applyFixedTargets, applyPicks, downscale, markUnscheduled } from "./bindings";
import { InvalidTarget, decisionsFromBindings, fixedTargetDecisions, pendingCondition, scheduledCondition } from "./decisions";
import { CycleState, Profile } from "./plugin";
import { ScoredCluster, ZERO_SCORE, compareNames, compareScoreParts, rankBestFirst, ranksBeforeBy, topByRank } from "./score";
import {
  ScoreTable,
  filteredByName,
  runFilter,
  runPostBatch,
  runPreFilter,
  runPreScore,
  runScore,
  scoreAt,
  scoredClusters,
} from "./stages";
import { SchedulingCycleError } from "./status";

// One scheduling cycle per placement type, as KubeFleet's framework runs it. A cycle mutates the
// (copied) bindings it is given and reports the status it would write, or asks to be run again.

export type CycleOutcome = { requeue: true } | { requeue: false; decisions: ClusterDecision[]; condition: Condition };

export interface CycleContext {
  profile: Profile;
  state: CycleState;
  classes: ClassifiedBindings;
  /** Newly created bindings are appended here. */
  bindings: Binding[];
}

function finish(decisions: ClusterDecision[], condition: Condition): CycleOutcome {
  return { requeue: false, decisions, condition };
}

/** PickAll: filter only, no Score stage (preferred terms are ignored); every passing cluster is picked. */
export function runPickAllCycle({ profile, state, classes, bindings }: CycleContext): CycleOutcome {
  runPreFilter(profile, state);
  const filtering = runFilter(profile, state);
  // All scores are zero, so upstream's ascending sort orders the picks by name.
  const picked = filtering.passed
    .map((position) => ({ cluster: state.clusters[position], score: ZERO_SCORE }))
    .sort((a, b) => compareNames(a.cluster.metadata.name, b.cluster.metadata.name));
  const changes = applyPicks(picked, classes, state.policyHash);
  bindings.push(...changes.created);
  const sets = [changes.created, changes.patched, classes.scheduled, classes.bound];
  const found = sets.reduce((sum, set) => sum + set.length, 0);
  const decisions = decisionsFromBindings(state.options.maxUnselectedClusterDecisionCount, [], filteredByName(filtering), sets);
  // PickAll wants exactly what it found, so it is always fulfilled.
  return finish(decisions, scheduledCondition(found, true));
}

function desiredCount(state: CycleState): number {
  const n = state.policy.numberOfClusters;
  if (n === undefined || n === null) throw new SchedulingCycleError("framework", "the number of clusters is not set for a PickN policy");
  return n;
}

/** Below this many picks, a linear top-k scan beats sorting every scored cluster. */
const SMALL_BATCH = 8;

/** The best `count` rows of a score table, ranked as rankBestFirst ranks (ties: the greater name first). */
function bestRows(state: CycleState, table: ScoreTable, count: number): ScoredCluster[] {
  const name = (row: number) => state.clusters[table.positions[row]].metadata.name;
  const { topologySpread: t, affinity: a, obsoletePlacement: o } = table;
  const ranksBefore = (x: number, y: number) => ranksBeforeBy(compareScoreParts(t[x], a[x], o[x], t[y], a[y], o[y]), name(x), name(y));
  return topByRank(table.positions.length, count, ranksBefore).map((row) => ({
    cluster: state.clusters[table.positions[row]],
    score: scoreAt(table, row),
  }));
}

/** PickN: downscale, nothing-to-do, or pick the best `min(desired, batch limit)` clusters. */
export function runPickNCycle({ profile, state, classes, bindings }: CycleContext): CycleOutcome {
  const n = desiredCount(state);
  const maxUnselected = state.options.maxUnselectedClusterDecisionCount;
  const present = classes.scheduled.length + classes.bound.length;
  if (n <= present && present - n + classes.obsolete.length > 0) {
    classes.obsolete.forEach(markUnscheduled);
    const kept = downscale(classes.scheduled, classes.bound, present - n);
    const remaining = kept.scheduled.length + kept.bound.length;
    // Only what stays selected is reported: not-picked and filtered clusters are dropped.
    const decisions = decisionsFromBindings(maxUnselected, [], [], [kept.scheduled, kept.bound]);
    return finish(decisions, scheduledCondition(remaining, remaining >= n));
  }
  if (n <= present) {
    const sets = [classes.bound, classes.scheduled];
    return finish(decisionsFromBindings(maxUnselected, [], [], sets), scheduledCondition(present, true));
  }
  const desired = n - present;
  const limit = runPostBatch(profile, state, desired);
  runPreFilter(profile, state);
  const filtering = runFilter(profile, state);
  const passed = filtering.passed;
  runPreScore(profile, state);
  const table = runScore(profile, state, passed);
  const count = Math.min(desired, limit, passed.length);
  let ranked: ScoredCluster[] | undefined;
  const rankAll = () => (ranked ??= rankBestFirst(scoredClusters(state, table)));
  // A batch-limited cycle (topology spread) picks one cluster: finding it needs no full sort.
  const picks = count <= SMALL_BATCH ? bestRows(state, table, count) : rankAll().slice(0, count);
  const changes = applyPicks(picks, classes, state.policyHash);
  bindings.push(...changes.created);
  // A cycle whose writes fill its batch limit is run again, and reports nothing.
  if (desired > limit && changes.created.length + changes.patched.length === limit) return { requeue: true };
  const sets = [changes.created, changes.patched, classes.scheduled, classes.bound];
  const found = sets.reduce((sum, set) => sum + set.length, 0);
  return finish(
    decisionsFromBindings(maxUnselected, rankAll().slice(count), filteredByName(filtering), sets),
    scheduledCondition(found, found >= n),
  );
}

/** PickFixed: the listed clusters that exist and are eligible; no affinity, taint or spread checks. */
export function runPickFixedCycle({ state, classes, bindings }: CycleContext): CycleOutcome {
  const names = state.policy.clusterNames ?? [];
  // Upstream returns early and writes no status: the placement stays SchedulePending.
  if (names.length === 0) return finish([], pendingCondition());
  const clusterByName = new Map<string, MemberCluster>(state.clusters.map((c) => [c.metadata.name, c]));
  const valid: string[] = [];
  const invalid: InvalidTarget[] = [];
  const notFound: string[] = [];
  for (const name of names) {
    const cluster = clusterByName.get(name);
    if (!cluster) {
      notFound.push(name);
      continue;
    }
    const eligibility = checkEligibility(cluster, state.now, state.options);
    if (eligibility.eligible) valid.push(name);
    else invalid.push({ name, reason: eligibility.reason });
  }
  const changes = applyFixedTargets(valid, classes, state.policyHash);
  bindings.push(...changes.created);
  const fulfilled = invalid.length + notFound.length === 0;
  return finish(fixedTargetDecisions(valid, invalid, notFound), scheduledCondition(valid.length, fulfilled));
}
