// A placement's per-cluster statuses in upstream shape (kubefleet-dev/kubefleet
// pkg/controllers/placement/placement_status.go) and the what-if printed during preview: the
// decisions, what changes against the previous run, and the rollout batches. Pure: no Pulumi import.

import { ClusterDecision, Condition, PlacementPolicy, PlacementType, ScheduleResult } from "../scheduler/types";
import { renderTable } from "../../fleet/allocation-table";
import { RolloutBatch } from "./rollout";

/** One entry of a CRP's `status.placementStatuses` (only the Scheduled condition is known before apply). */
export interface PlacementStatus {
  /** Unset on the failed entries PickN and PickFixed add. */
  clusterName?: string;
  conditions: Condition[];
}

export type PlacementMode = "direct" | "hub";
export type PlacementAction = "add" | "keep" | "remove" | "skip";

/**
 * One entry per selected decision (Scheduled=True, reason "Scheduled", message = the decision
 * reason); PickN and PickFixed then add min(N − #selected, #unselected) entries without clusterName
 * (Scheduled=False, reason "ScheduleFailed", message = the unselected decision's reason, in decision
 * order). PickAll adds none. A Scheduled condition that is Unknown empties the list, as upstream does.
 */
export function placementStatuses(result: ScheduleResult, policy: PlacementPolicy | undefined): PlacementStatus[] {
  if (result.condition.status === "Unknown") return [];
  const selected = result.decisions.filter((d) => d.selected);
  const unselected = result.decisions.filter((d) => !d.selected);
  const failedCount = Math.max(0, Math.min(wanted(policy) - selected.length, unselected.length));
  return [
    ...selected.map((d): PlacementStatus => ({ clusterName: d.clusterName, conditions: [scheduled("True", "Scheduled", d.reason)] })),
    ...unselected.slice(0, failedCount).map((d): PlacementStatus => ({ conditions: [scheduled("False", "ScheduleFailed", d.reason)] })),
  ];
}

/** N for PickN / PickFixed; 0 for PickAll, which never reports failed entries. */
function wanted(policy: PlacementPolicy | undefined): number {
  switch (policy?.placementType) {
    case "PickN":
      return policy.numberOfClusters ?? 0;
    case "PickFixed":
      return policy.clusterNames?.length ?? 0;
    default:
      return 0;
  }
}

function scheduled(status: "True" | "False", reason: string, message: string): Condition {
  return { type: "Scheduled", status, reason, message };
}

// ---- the what-if ----

export interface PlacementWhatIfInput {
  placement: string;
  policy?: PlacementPolicy;
  result: ScheduleResult;
  /** The placement's Scheduled condition (e.g. invalidSelectorsCondition(…)). @default result.condition */
  condition?: Condition;
  /** Clusters that held the objects after the previous run. @default none (first run) */
  previousTargets?: string[];
  /** Clusters that will hold the objects. @default the clusters of result's bindings that are not Unscheduled */
  targets?: string[];
  batches: RolloutBatch[];
  /** @default "direct" */
  mode?: PlacementMode;
}

export interface PlacementWhatIf {
  placement: string;
  placementType: PlacementType;
  /** Selected decisions, in decision order. */
  picked: ClusterDecision[];
  /** Scored but not picked, best first. */
  notPicked: ClusterDecision[];
  /** Filtered out (or, for PickFixed, ineligible / not found), with upstream's reason. */
  filtered: ClusterDecision[];
  /** Sorted by name. */
  added: string[];
  removed: string[];
  kept: string[];
  batches: RolloutBatch[];
  condition: Condition;
  mode: PlacementMode;
}

export function placementWhatIf(input: PlacementWhatIfInput): PlacementWhatIf {
  const { result } = input;
  const targets = new Set(input.targets ?? result.bindings.filter((b) => b.state !== "Unscheduled").map((b) => b.targetCluster));
  const previous = new Set(input.previousTargets ?? []);
  const unselected = result.decisions.filter((d) => !d.selected);
  return {
    placement: input.placement,
    placementType: input.policy?.placementType ?? "PickAll",
    picked: result.decisions.filter((d) => d.selected),
    notPicked: unselected.filter((d) => d.clusterScore !== undefined),
    filtered: unselected.filter((d) => d.clusterScore === undefined),
    added: sortedNames([...targets].filter((t) => !previous.has(t))),
    removed: sortedNames([...previous].filter((p) => !targets.has(p))),
    kept: sortedNames([...targets].filter((t) => previous.has(t))),
    batches: input.batches,
    condition: input.condition ?? result.condition,
    mode: input.mode ?? "direct",
  };
}

function sortedNames(names: string[]): string[] {
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Heading, (hub mode: the prediction note,) the condition, a table of picked clusters (with their
 * scores), then the not-picked and filtered ones with upstream's reasons, then clusters removed
 * without a decision; and the rollout batches.
 */
export function renderPlacementWhatIf(w: PlacementWhatIf): string {
  const lines = [`Placement ${w.placement} (${w.placementType}, ${w.mode})`];
  if (w.mode === "hub") {
    lines.push(
      "hub mode: this schedule is a local prediction of what the hub's scheduler will decide; the hub's own decisions are authoritative",
    );
  }
  lines.push(`${w.condition.type}=${w.condition.status} ${w.condition.reason}: ${w.condition.message}`);
  lines.push(renderTable(["CLUSTER", "ACTION", "AFFINITY", "TOPOLOGY", "REASON"], tableRows(w)));
  lines.push(rolloutLine(w.batches));
  return lines.join("\n");
}

function tableRows(w: PlacementWhatIf): string[][] {
  const targets = new Set([...w.added, ...w.kept]);
  const previous = new Set([...w.kept, ...w.removed]);
  const action = (name: string): PlacementAction =>
    targets.has(name) ? (previous.has(name) ? "keep" : "add") : previous.has(name) ? "remove" : "skip";
  const decisions = [...w.picked, ...w.notPicked, ...w.filtered];
  const listed = new Set(decisions.map((d) => d.clusterName));
  return [
    ...decisions.map((d) => [d.clusterName, action(d.clusterName), score(d, "affinityScore"), score(d, "priorityScore"), d.reason]),
    ...w.removed.filter((name) => !listed.has(name)).map((name) => [name, "remove", "-", "-", "no longer selected by the placement"]),
  ];
}

function score(d: ClusterDecision, field: "affinityScore" | "priorityScore"): string {
  return d.clusterScore === undefined ? "-" : String(d.clusterScore[field]);
}

/** "rollout: batch 1: a, b; batch 2 (after 60s): c". */
export function rolloutLine(batches: readonly RolloutBatch[]): string {
  if (batches.length === 0) return "rollout: no member changes";
  const parts = batches.map(
    (b) => `batch ${b.index}${b.waitSecondsBefore > 0 ? ` (after ${b.waitSecondsBefore}s)` : ""}: ${b.members.join(", ")}`,
  );
  return `rollout: ${parts.join("; ")}`;
}
