// A placement's rolling update as an ordering of per-member updates, following KubeFleet's rollout
// controller (kubefleet-dev/kubefleet pkg/controllers/rollout/controller.go). Pure: no Pulumi.
//
// Upstream re-evaluates the bindings on every reconcile; each reconcile may
//   - bind up to maxToAdd = (T + maxSurge) − |canBeReady| new clusters (Scheduled → Bound), and
//   - update in place up to maxToRemove = |ready| − (T − maxUnavailable) serving clusters,
// then waits for the updated clusters to be available again (at least unavailablePeriodSeconds for
// objects whose availability cannot be tracked). We replay that loop once, to its end: every wave
// becomes a batch, and a batch starts after the one before it and `unavailablePeriodSeconds`.
//
// Decisions:
//   - A cluster that does not serve the objects yet (an add) is not counted against availability: adds
//     are bounded by maxSurge through maxToAdd only, so on a first run (nothing serving, maxToAdd ≥ T)
//     and on a plain scale-out every new member goes in batch 1.
//   - In-place updates of serving clusters are bounded by maxUnavailable. When no cluster at all could
//     move in a wave (maxUnavailable 0, or a PickN short of N clusters, so |ready| ≤ T − maxUnavailable),
//     upstream stalls: "Please set it to be greater than 0 to avoid rolling out stuck during in-place
//     resource update". We take one cluster instead, so an in-place batch holds max(1, maxUnavailable).
//   - Clusters that served before and are no longer targeted (removals, given through `serving`) count
//     as ready and canBeReady until removed, and take maxToRemove slots before in-place updates, as
//     upstream's Unscheduled bindings do; that is what makes maxSurge pace a replacement (PickN moved
//     from {a,b,c} to {d,e,f} with maxSurge 1 goes d, then e, then f). They are not listed in the
//     batches: deleting the objects there is left to the caller (Pulumi deletes at the end anyway,
//     which only keeps more clusters available than upstream's pacing assumes).
//   - External: upstream's rollout controller stands aside, so one batch holds every changed member.

import { PlacementType } from "../scheduler/types";
import { RolloutStrategy } from "../scheduler/validation/strategy";

/** Members updated together; a batch starts after the one before it. */
export interface RolloutBatch {
  /** The batch's place in the rollout, 1-based. */
  index: number;
  /** The members it updates, in target order. */
  members: string[];
  /** 0 for the first batch, `unavailablePeriodSeconds` after that. */
  waitSecondsBefore: number;
}

export interface RolloutInput {
  strategy?: RolloutStrategy;
  /** @default "PickAll" */
  placementType?: PlacementType;
  numberOfClusters?: number;
  clusterNames?: string[];
  /** Clusters that will hold the objects, in the order updates should go. */
  targets: string[];
  /** Of the targets, the ones whose objects change this run (added or updated). */
  changed: string[];
  /**
   * Clusters that hold (an older version of) the objects before this run, e.g. the previous run's
   * targets: a changed target outside this list is an add, a listed cluster that is no longer a
   * target is a removal. @default every target (each change counts as an in-place update)
   */
  serving?: string[];
}

export interface RolloutParameters {
  /** T: numberOfClusters (PickN), len(clusterNames) (PickFixed), the number of targets (PickAll). */
  targetNumber: number;
  maxUnavailable: number;
  maxSurge: number;
  unavailablePeriodSeconds: number;
}

export const DEFAULT_MAX_UNAVAILABLE = "25%";
export const DEFAULT_MAX_SURGE = "25%";
export const DEFAULT_UNAVAILABLE_PERIOD_SECONDS = 60;

/** intstr.GetScaledValueFromIntOrPercent(value, total, roundUp=true): integers as they are, `p%` → ceil(p·total/100). */
export function scaledIntOrPercent(field: string, value: number | string, total: number): number {
  if (typeof value === "number") return value;
  const match = /^(\d+)%$/.exec(value);
  if (match === null)
    throw new Error(`${field} \`${value}\` is invalid: invalid value for IntOrString: invalid type: string is not a percentage`);
  return Math.ceil((Number(match[1]) * total) / 100);
}

/** T, and maxUnavailable / maxSurge scaled against it, with upstream's defaults. */
export function rolloutParameters(input: Omit<RolloutInput, "changed" | "serving">): RolloutParameters {
  const targetNumber = targetNumberOf(input);
  const rolling = input.strategy?.rollingUpdate ?? {};
  return {
    targetNumber,
    maxUnavailable: scaledIntOrPercent("maxUnavailable", rolling.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE, targetNumber),
    maxSurge: scaledIntOrPercent("maxSurge", rolling.maxSurge ?? DEFAULT_MAX_SURGE, targetNumber),
    unavailablePeriodSeconds: rolling.unavailablePeriodSeconds ?? DEFAULT_UNAVAILABLE_PERIOD_SECONDS,
  };
}

function targetNumberOf(input: Omit<RolloutInput, "changed" | "serving">): number {
  switch (input.placementType ?? "PickAll") {
    case "PickN":
      return input.numberOfClusters ?? input.targets.length;
    case "PickFixed":
      return input.clusterNames?.length ?? input.targets.length;
    default:
      return input.targets.length;
  }
}

/** The batches the changed targets are updated in; [] when nothing changes. */
export function rolloutBatches(input: RolloutInput): RolloutBatch[] {
  const targets = [...new Set(input.targets)];
  const changedSet = new Set(input.changed);
  const changed = targets.filter((t) => changedSet.has(t));
  if (changed.length === 0) return [];
  if (input.strategy?.type === "External") return [{ index: 1, members: changed, waitSecondsBefore: 0 }];
  const serving = new Set(input.serving ?? targets);
  const targetSet = new Set(targets);
  const plan: WavePlan = {
    params: rolloutParameters({ ...input, targets }),
    order: new Map(targets.map((t, i) => [t, i])),
    adds: changed.filter((t) => !serving.has(t)),
    updates: changed.filter((t) => serving.has(t)),
    removing: [...serving].filter((s) => !targetSet.has(s)).length,
    ready: serving.size,
  };
  return waves(plan);
}

interface WavePlan {
  params: RolloutParameters;
  order: ReadonlyMap<string, number>;
  /** Pending adds and in-place updates, each in target order. */
  adds: string[];
  updates: string[];
  /** Serving clusters that are no longer targeted and not removed yet. */
  removing: number;
  /** Serving (and available) clusters, the ones being removed included; canBeReady equals it in this model. */
  ready: number;
}

function waves(plan: WavePlan): RolloutBatch[] {
  const batches: RolloutBatch[] = [];
  while (plan.adds.length > 0 || plan.updates.length > 0) {
    const members = wave(plan);
    if (members.length === 0) continue; // only removals moved: upstream re-evaluates at once, no batch
    const wait = batches.length === 0 ? 0 : plan.params.unavailablePeriodSeconds;
    batches.push({ index: batches.length + 1, members, waitSecondsBefore: wait });
  }
  return batches;
}

/** One reconcile: removals first, then in-place updates, within maxToRemove; adds within maxToAdd. */
function wave(plan: WavePlan): string[] {
  const { targetNumber: t, maxUnavailable, maxSurge } = plan.params;
  const budget = Math.max(0, plan.ready - (t - maxUnavailable));
  const removed = Math.min(plan.removing, budget);
  let adds = plan.adds.splice(0, Math.max(0, t + maxSurge - plan.ready));
  let updates = plan.updates.splice(0, Math.min(Math.max(1, maxUnavailable), budget - removed));
  if (adds.length === 0 && updates.length === 0 && removed === 0) {
    // Upstream would stall here; move one cluster (an in-place update first) instead.
    if (plan.updates.length > 0) updates = plan.updates.splice(0, 1);
    else adds = plan.adds.splice(0, 1);
  }
  plan.removing -= removed;
  plan.ready += adds.length - removed;
  return [...adds, ...updates].sort((a, b) => (plan.order.get(a) ?? 0) - (plan.order.get(b) ?? 0));
}
