// A placement's per-cluster statuses in upstream shape (kubefleet-dev/kubefleet
// pkg/controllers/placement/placement_status.go) and the what-if printed during preview: the
// decisions, what changes against the previous run, and the rollout batches. Pure: no Pulumi import.

import { ClusterDecision, Condition, ConditionStatus, PlacementPolicy, PlacementType, ScheduleResult } from "../scheduler/types";
import { renderTable } from "../../fleet/allocation-table";
import { RolloutBatch } from "./rollout";

/** A condition a placement reports (apimachinery `metav1.Condition`), its time as Kubernetes serialises it. */
export interface PlacementCondition {
  /** What the condition is about (`Scheduled`). */
  type: string;
  /** Whether it holds. */
  status: ConditionStatus;
  /** Why, in one CamelCase word (e.g. `SchedulingPolicyFulfilled`). */
  reason: string;
  /** Why, in upstream's sentence. */
  message: string;
  /** When the status last changed, in RFC 3339. */
  lastTransitionTime?: string;
  /** The generation of the placement the condition was set for. */
  observedGeneration?: number;
}

/** A condition as a placement reports it: a Date becomes its RFC 3339 text; unset fields stay unset. */
export function reportedCondition(condition: Condition): PlacementCondition {
  const { lastTransitionTime, ...rest } = condition;
  if (lastTransitionTime === undefined) return rest;
  return { ...rest, lastTransitionTime: lastTransitionTime instanceof Date ? lastTransitionTime.toISOString() : lastTransitionTime };
}

/** One entry of a CRP's `status.placementStatuses` (only the Scheduled condition is known before apply). */
export interface PlacementStatus {
  /** The cluster; unset on the failed entries PickN and PickFixed add. */
  clusterName?: string;
  /** The entry's conditions (before apply: Scheduled). */
  conditions: PlacementCondition[];
}

/** Where a placement's objects go from. */
export const PlacementMode = {
  /** The program is the hub: the objects go straight to the chosen members. */
  Direct: "direct",
  /** A ClusterResourcePlacement goes to a KubeFleet hub, whose scheduler decides (the local schedule is a prediction). */
  Hub: "hub",
} as const;
export type PlacementMode = (typeof PlacementMode)[keyof typeof PlacementMode];

/** What a run does on a cluster, as the what-if table lists it. */
export const PlacementAction = {
  /** The cluster gets the objects. */
  Add: "add",
  /** The cluster keeps them. */
  Keep: "keep",
  /** The objects leave the cluster. */
  Remove: "remove",
  /** The cluster neither had nor gets them. */
  Skip: "skip",
} as const;
export type PlacementAction = (typeof PlacementAction)[keyof typeof PlacementAction];

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

function scheduled(status: "True" | "False", reason: string, message: string): PlacementCondition {
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

/** What a run of a placement decides, as the preview prints it. */
export interface PlacementWhatIf {
  /** The placement's name. */
  placement: string;
  /** Its policy's placement type. */
  placementType: PlacementType;
  /** Selected decisions, in decision order. */
  picked: ClusterDecision[];
  /** Scored but not picked, best first. */
  notPicked: ClusterDecision[];
  /** Filtered out (or, for PickFixed, ineligible / not found), with upstream's reason. */
  filtered: ClusterDecision[];
  /** Clusters that get the objects this run, sorted by name. */
  added: string[];
  /** Clusters the objects leave this run, sorted by name. */
  removed: string[];
  /** Clusters that keep the objects, sorted by name. */
  kept: string[];
  /** The rollout batches of the clusters whose objects change. */
  batches: RolloutBatch[];
  /** The placement's Scheduled condition. */
  condition: PlacementCondition;
  /** Direct or hub mode. */
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
    condition: reportedCondition(input.condition ?? result.condition),
    mode: input.mode ?? "direct",
  };
}

function sortedNames(names: string[]): string[] {
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The what-if table's columns. */
export const PLACEMENT_WHAT_IF_HEADER = ["CLUSTER", "ACTION", "AFFINITY", "TOPOLOGY", "REASON"] as const;

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
  lines.push(renderTable(PLACEMENT_WHAT_IF_HEADER, placementWhatIfRows(w)));
  lines.push(rolloutLine(w.batches));
  return lines.join("\n");
}

/** The what-if table's rows: CLUSTER, ACTION, AFFINITY, TOPOLOGY, REASON. */
export function placementWhatIfRows(w: PlacementWhatIf): string[][] {
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
