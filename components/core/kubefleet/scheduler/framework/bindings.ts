import { Binding, ClusterDecision, MemberCluster } from "../types";
import { fixedDecision, scoredDecision } from "./decisions";
import { ScoredCluster, compareNames } from "./score";
import { SchedulingCycleError } from "./status";

export interface ClassifiedBindings {
  bound: Binding[];
  scheduled: Binding[];
  obsolete: Binding[];
  unscheduled: Binding[];
  dangling: Binding[];
  deleting: Binding[];
}

/** A deletionTimestamp that is set (null, as hand-written objects may carry, means unset, like Go's zero time). */
export function isLeaving(cluster: MemberCluster): boolean {
  return cluster.metadata.deletionTimestamp !== undefined && cluster.metadata.deletionTimestamp !== null;
}

/** Upstream classifyBindings; the first matching class wins, in this order. */
export function classifyBindings(
  bindings: readonly Binding[],
  clusters: ReadonlyMap<string, MemberCluster>,
  policyHash: string,
): ClassifiedBindings {
  const classes: ClassifiedBindings = { bound: [], scheduled: [], obsolete: [], unscheduled: [], dangling: [], deleting: [] };
  for (const binding of bindings) {
    const target = clusters.get(binding.targetCluster);
    if (binding.deleting) classes.deleting.push(binding);
    else if (binding.state === "Unscheduled") classes.unscheduled.push(binding);
    else if (!target || isLeaving(target)) classes.dangling.push(binding);
    else if (binding.policyHash !== policyHash) classes.obsolete.push(binding);
    else if (binding.state === "Scheduled") classes.scheduled.push(binding);
    else classes.bound.push(binding);
  }
  return classes;
}

/** Marks a binding Unscheduled in place, remembering its state so a re-pick can restore it. */
export function markUnscheduled(binding: Binding): void {
  if (binding.state !== "Unscheduled") binding.previousState = binding.state;
  binding.state = "Unscheduled";
}

function restoredState(binding: Binding): "Scheduled" | "Bound" {
  if (!binding.previousState) {
    throw new SchedulingCycleError(
      "framework",
      `failed to find the previous state of the unscheduled binding for cluster ${binding.targetCluster}`,
    );
  }
  return binding.previousState;
}

/** Re-points a binding at the current policy with a new decision, in the given state. */
function patchBinding(binding: Binding, state: "Scheduled" | "Bound", decision: ClusterDecision, policyHash: string): void {
  binding.state = state;
  binding.policyHash = policyHash;
  binding.clusterDecision = decision;
  delete binding.previousState;
}

/** What a cycle did to the bindings (those it unscheduled are marked in place). */
export interface BindingChanges {
  created: Binding[];
  patched: Binding[];
}

/**
 * Upstream crossReferencePickedClustersAndDeDupBindings (PickAll, PickN): obsolete bindings of picked
 * clusters are re-pointed (state kept), other obsolete ones unscheduled; unscheduled bindings of picked
 * clusters get their previous state back; every other pick gets a new Scheduled binding.
 */
export function applyPicks(picked: readonly ScoredCluster[], classes: ClassifiedBindings, policyHash: string): BindingChanges {
  const pickedByName = new Map(picked.map((scored) => [scored.cluster.metadata.name, scored]));
  const checked = new Set<string>();
  const changes: BindingChanges = { created: [], patched: [] };
  const unscheduled: Binding[] = [];
  for (const binding of classes.obsolete) {
    checked.add(binding.targetCluster);
    const scored = pickedByName.get(binding.targetCluster);
    if (!scored) unscheduled.push(binding);
    else {
      patchBinding(binding, binding.state as "Scheduled" | "Bound", scoredDecision(scored), policyHash);
      changes.patched.push(binding);
    }
  }
  for (const binding of classes.unscheduled) {
    checked.add(binding.targetCluster);
    const scored = pickedByName.get(binding.targetCluster);
    if (!scored) continue;
    patchBinding(binding, restoredState(binding), scoredDecision(scored), policyHash);
    changes.patched.push(binding);
  }
  for (const scored of picked) {
    if (checked.has(scored.cluster.metadata.name)) continue;
    changes.created.push({
      targetCluster: scored.cluster.metadata.name,
      state: "Scheduled",
      policyHash,
      clusterDecision: scoredDecision(scored),
    });
  }
  // Upstream unschedules last, so a cluster deselected and reselected is disturbed as little as possible.
  unscheduled.forEach(markUnscheduled);
  return changes;
}

/** Upstream crossReferenceValidTargetsWithBindings (PickFixed). */
export function applyFixedTargets(valid: readonly string[], classes: ClassifiedBindings, policyHash: string): BindingChanges {
  const selected = new Set([...classes.scheduled, ...classes.bound].map((b) => b.targetCluster));
  const obsoleteByCluster = new Map(classes.obsolete.map((b) => [b.targetCluster, b]));
  const unscheduledByCluster = new Map(classes.unscheduled.map((b) => [b.targetCluster, b]));
  const validSet = new Set(valid);
  const changes: BindingChanges = { created: [], patched: [] };
  for (const name of valid) {
    const obsolete = obsoleteByCluster.get(name);
    const unscheduled = unscheduledByCluster.get(name);
    if (selected.has(name)) continue;
    if (obsolete) {
      patchBinding(obsolete, obsolete.state as "Scheduled" | "Bound", fixedDecision(name), policyHash);
      changes.patched.push(obsolete);
    } else if (unscheduled) {
      patchBinding(unscheduled, restoredState(unscheduled), fixedDecision(name), policyHash);
      changes.patched.push(unscheduled);
    } else {
      changes.created.push({ targetCluster: name, state: "Scheduled", policyHash, clusterDecision: fixedDecision(name) });
    }
  }
  classes.obsolete.filter((b) => !validSet.has(b.targetCluster)).forEach(markUnscheduled);
  return changes;
}

function bindingScoreOrder(a: Binding, b: Binding): number {
  const sa = a.clusterDecision.clusterScore;
  const sb = b.clusterDecision.clusterScore;
  if (!sa && !sb) return compareNames(a.targetCluster, b.targetCluster);
  if (!sa) return -1;
  if (!sb) return 1;
  return sa.priorityScore - sb.priorityScore || sa.affinityScore - sb.affinityScore || compareNames(a.targetCluster, b.targetCluster);
}

/** Lowest stored score first (no score first), ties by the smaller cluster name: the trimming order. */
export function sortForTrimming(bindings: readonly Binding[]): Binding[] {
  return [...bindings].sort(bindingScoreOrder);
}

/**
 * Upstream downscale: trim `count` bindings, Scheduled ones before Bound ones. Scores are only consulted
 * within the class that is partly trimmed. Returns what remains, in the order upstream reports it.
 */
export function downscale(scheduled: Binding[], bound: Binding[], count: number): { scheduled: Binding[]; bound: Binding[] } {
  if (count === 0) return { scheduled, bound };
  if (count < scheduled.length) {
    const sorted = sortForTrimming(scheduled);
    sorted.slice(0, count).forEach(markUnscheduled);
    return { scheduled: sorted.slice(count), bound };
  }
  scheduled.forEach(markUnscheduled);
  const left = count - scheduled.length;
  if (left === 0) return { scheduled: [], bound };
  const sortedBound = sortForTrimming(bound);
  sortedBound.slice(0, left).forEach(markUnscheduled);
  return { scheduled: [], bound: sortedBound.slice(left) };
}
