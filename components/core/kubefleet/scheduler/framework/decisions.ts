import { Binding, ClusterDecision, Condition } from "../types";
import { ScoredCluster } from "./score";
import { FilteredCluster } from "./stages";
import { describeStatus } from "./status";

/** The decision a binding of a picked (scored) cluster carries. */
export function scoredDecision(scored: ScoredCluster): ClusterDecision {
  const name = scored.cluster.metadata.name;
  const { affinityScore, topologySpreadScore } = scored.score;
  return {
    clusterName: name,
    selected: true,
    clusterScore: { affinityScore, priorityScore: topologySpreadScore },
    reason: `Successfully scheduled resources for placement in "${name}" (affinity score: ${affinityScore}, topology spread score: ${topologySpreadScore}): picked by scheduling policy`,
  };
}

/** The decision of a PickFixed target: no score. */
export function fixedDecision(clusterName: string): ClusterDecision {
  return {
    clusterName,
    selected: true,
    reason: `Successfully scheduled resources for placement in "${clusterName}": picked by scheduling policy`,
  };
}

/** Upstream clustersDecisionArrayLengthLimitInAPI. */
export const MAX_DECISIONS = 1000;

function copyDecision(decision: ClusterDecision): ClusterDecision {
  return decision.clusterScore ? { ...decision, clusterScore: { ...decision.clusterScore } } : { ...decision };
}

function notPickedDecision(scored: ScoredCluster): ClusterDecision {
  const name = scored.cluster.metadata.name;
  const { affinityScore, topologySpreadScore } = scored.score;
  return {
    clusterName: name,
    selected: false,
    clusterScore: { affinityScore, priorityScore: topologySpreadScore },
    reason: `Cluster "${name}" does not score high enough (affinity score: ${affinityScore}, topology spread score: ${topologySpreadScore})`,
  };
}

/**
 * Upstream newSchedulingDecisionsFromBindings, quirks included: the binding sets are capped at 1000 in
 * total but the overshoot can leave the slot count negative, which then no longer stops the not-picked
 * loop; the filtered loop counts skipped (already listed) clusters against its index.
 */
export function decisionsFromBindings(
  maxUnselected: number,
  notPicked: readonly ScoredCluster[],
  filtered: readonly FilteredCluster[],
  bindingSets: ReadonlyArray<readonly Binding[]>,
): ClusterDecision[] {
  const decisions: ClusterDecision[] = [];
  const listed = new Set<string>();
  let slotsLeft = MAX_DECISIONS;
  for (const set of bindingSets) {
    for (let i = 0; i < set.length && i < slotsLeft; i++) {
      decisions.push(copyDecision(set[i].clusterDecision));
      listed.add(set[i].targetCluster);
    }
    slotsLeft -= set.length;
    if (slotsLeft <= 0) break;
  }
  let unselectedLeft = maxUnselected;
  for (const scored of notPicked) {
    if (slotsLeft === 0 || unselectedLeft === 0) break;
    if (listed.has(scored.cluster.metadata.name)) continue;
    decisions.push(notPickedDecision(scored));
    slotsLeft--;
    unselectedLeft--;
  }
  for (let i = 0; i < unselectedLeft && i < filtered.length && i < slotsLeft; i++) {
    const { cluster, status } = filtered[i];
    if (listed.has(cluster.metadata.name)) continue;
    decisions.push({ clusterName: cluster.metadata.name, selected: false, reason: describeStatus(status) });
  }
  return decisions;
}

/** The policy snapshot's Scheduled condition; `found` is what the message counts. */
export function scheduledCondition(found: number, fulfilled: boolean): Condition {
  if (!fulfilled) {
    return {
      type: "Scheduled",
      status: "False",
      reason: "SchedulingPolicyUnfulfilled",
      message: `could not find all clusters needed as specified by the scheduling policy, found ${found} cluster(s) instead`,
    };
  }
  return {
    type: "Scheduled",
    status: "True",
    reason: "SchedulingPolicyFulfilled",
    // Upstream's wording, singular "cluster" included.
    message: `found all cluster needed as specified by the scheduling policy, found ${found} cluster(s)`,
  };
}

export function pendingCondition(): Condition {
  return { type: "Scheduled", status: "Unknown", reason: "SchedulePending", message: "Scheduling has not completed" };
}

export interface InvalidTarget {
  name: string;
  reason: string;
}

/** PickFixed decisions: valid targets, then ineligible ones, then names not in the fleet (no cap). */
export function fixedTargetDecisions(
  valid: readonly string[],
  invalid: readonly InvalidTarget[],
  notFound: readonly string[],
): ClusterDecision[] {
  return [
    ...valid.map(fixedDecision),
    ...invalid.map(({ name, reason }) => ({
      clusterName: name,
      selected: false,
      reason: `Cluster "${name}" is not eligible for resource placement yet: ${reason}`,
    })),
    ...notFound.map((name) => ({ clusterName: name, selected: false, reason: `Specified cluster "${name}" is not found` })),
  ];
}
