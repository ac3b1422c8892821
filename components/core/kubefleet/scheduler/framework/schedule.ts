import { Binding, MemberCluster, ScheduleInput, ScheduleOptions, ScheduleResult } from "../types";
import { defaultPolicy, hashDefaultedPolicy } from "../policy";
import { classifyBindings, markUnscheduled } from "./bindings";
import { CycleContext, CycleOutcome, runPickAllCycle, runPickFixedCycle, runPickNCycle } from "./cycles";
import { CallMemo } from "./memo";
import { CycleState, Profile } from "./plugin";
import { compareNames } from "./score";
import { SchedulingCycleError } from "./status";

const DEFAULT_OPTIONS: Required<ScheduleOptions> = {
  maxUnselectedClusterDecisionCount: 20,
  heartbeatTimeoutMs: 5 * 60 * 1000,
  healthTimeoutMs: 5 * 60 * 1000,
};

/** Options left undefined (even explicitly) keep their defaults. */
function withDefaults(options: ScheduleOptions | undefined): Required<ScheduleOptions> {
  const given = Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined));
  return { ...DEFAULT_OPTIONS, ...given };
}

const STATE_ORDER = { Bound: 0, Scheduled: 1, Unscheduled: 2 } as const;

/** Upstream lists bindings by name (`<crp>-<cluster>-<suffix>`): here, by target cluster. */
function bindingOrder(a: Binding, b: Binding): number {
  return (
    compareNames(a.targetCluster, b.targetCluster) ||
    STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
    compareNames(a.policyHash, b.policyHash)
  );
}

function copyBinding(binding: Binding, index: number): Binding {
  const decision = binding.clusterDecision;
  if (!binding.targetCluster || !decision)
    throw new Error(
      `bindings[${index}]: targetCluster and clusterDecision are required (pass back the bindings a previous schedule() returned)`,
    );
  const copy: Binding = { ...binding, clusterDecision: { ...decision } };
  if (decision.clusterScore) copy.clusterDecision.clusterScore = { ...decision.clusterScore };
  return copy;
}

function indexClusters(clusters: readonly MemberCluster[]): Map<string, MemberCluster> {
  const byName = new Map<string, MemberCluster>();
  for (const cluster of clusters) {
    if (byName.has(cluster.metadata.name))
      throw new Error(`clusters: member cluster name "${cluster.metadata.name}" appears more than once; names must be unique`);
    byName.set(cluster.metadata.name, cluster);
  }
  return byName;
}

const CYCLES = { PickAll: runPickAllCycle, PickN: runPickNCycle, PickFixed: runPickFixedCycle } as const;

/**
 * Runs KubeFleet's scheduling loop for one placement to its fixed point: one cycle, or for PickN with
 * a batch limit (topology spread) as many cycles as upstream's immediate requeues would run.
 */
export function runScheduler(input: ScheduleInput, profile: Profile): ScheduleResult {
  const policy = defaultPolicy(input.policy);
  const cycle = CYCLES[policy.placementType];
  if (!cycle) throw new Error(`policy.placementType: "${String(policy.placementType)}" is not one of PickAll, PickN, PickFixed`);
  const hash = hashDefaultedPolicy(policy);
  const clusterByName = indexClusters(input.clusters);
  const bindings = (input.bindings ?? []).map(copyBinding);
  const base = {
    clusters: input.clusters,
    policy,
    policyHash: hash,
    now: input.now ?? new Date(),
    options: withDefaults(input.options),
    memo: new CallMemo(),
  };
  // Each requeue adds at least one binding, so the loop ends; the bound is a guard against a bug.
  for (let iteration = 0; iteration <= input.clusters.length + 1; iteration++) {
    // Every cycle lists the bindings afresh, in name order, as upstream's API list does.
    bindings.sort(bindingOrder);
    const classes = classifyBindings(bindings, clusterByName, hash);
    classes.dangling.forEach(markUnscheduled);
    const state: CycleState = {
      ...base,
      selectedClusters: new Set([...classes.scheduled, ...classes.bound].map((b) => b.targetCluster)),
      obsoleteClusters: new Set(classes.obsolete.map((b) => b.targetCluster)),
      skippedFilterPlugins: new Set(),
      skippedScorePlugins: new Set(),
      pluginData: new Map(),
    };
    const context: CycleContext = { profile, state, classes, bindings };
    const outcome: CycleOutcome = cycle(context);
    if (!outcome.requeue) {
      const remaining = bindings.filter((b) => !b.deleting).sort(bindingOrder);
      return { bindings: remaining, decisions: outcome.decisions, condition: outcome.condition, policyHash: hash };
    }
  }
  throw new SchedulingCycleError("framework", "the scheduling loop did not reach a fixed point");
}
