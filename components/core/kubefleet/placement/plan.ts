// A placement's whole run, decided from plain values: the objects the selectors carry
// (kubefleet-dev/kubefleet pkg/controllers/placement/resource_selector.go), the scheduler's
// decisions with the previous run's bindings making it sticky (pkg/scheduler/scheduler.go), the
// rollout batches (pkg/controllers/rollout/controller.go), the statuses and what-if, the state to
// carry to the next run, whether the hub takes the update (hub mode), and the children to register.
// Pure: no Pulumi import.

import { createHash } from "crypto";
import { schedule } from "../scheduler";
import { PlacementPolicy, ScheduleResult } from "../scheduler/types";
import { RolloutStrategy } from "../scheduler/validation/strategy";
import { CrpApiVersion, PlacementChild, hubChildren, memberChildren } from "./children";
import { PlacementMemberFacts, memberClusters } from "./member-clusters";
import { KubernetesObject, ResourceSelectorTerm, invalidSelectorsCondition, selectResources } from "./resource-selection";
import { RolloutBatch, rolloutBatches } from "./rollout";
import { PLACEMENT_STATE_VERSION, PlacementState } from "./state-output";
import { HubPlacementSpec, HubUpdate, hubUpdate } from "./hub-update";
import {
  PlacementCondition,
  PlacementMode,
  PlacementStatus,
  PlacementWhatIf,
  placementStatuses,
  placementWhatIf,
  reportedCondition,
} from "./status";

export interface PlacementPlanInput {
  /** The placement's (ClusterResourcePlacement's) name: every child name starts with it. */
  name: string;
  /** The hub inventory the selectors choose from. */
  resources: KubernetesObject[];
  resourceSelectors: ResourceSelectorTerm[];
  /** @default PickAll */
  policy?: PlacementPolicy;
  strategy?: RolloutStrategy;
  /** @default "direct" */
  mode?: PlacementMode;
  /** Hub mode: the ClusterResourcePlacement version. @default DEFAULT_CRP_API_VERSION */
  crpApiVersion?: CrpApiVersion;
  /** Every member of the fleet, in the fleet's order. */
  members: PlacementMemberFacts[];
  /** Stamps the MemberClusters' heartbeats and the scheduler's clock. */
  now: Date;
  /** What the previous run left; undefined on the first run. */
  previous?: PlacementState;
  /**
   * Hub mode: replace the ClusterResourcePlacement when this run changes what the hub refuses to update.
   * @default false: such a change is refused
   */
  replaceOnPolicyChange?: boolean;
}

export interface PlacementPlan {
  /** The objects the selectors carry ([] when they are invalid). */
  selected: KubernetesObject[];
  schedule: ScheduleResult;
  /** The placement's Scheduled condition (InvalidResourceSelectors wins over the scheduler's). */
  condition: PlacementCondition;
  /** The members that hold the objects after this run, in rollout order. */
  targets: string[];
  /** The batches the targets whose objects change are updated in. */
  batches: RolloutBatch[];
  whatIf: PlacementWhatIf;
  placementStatuses: PlacementStatus[];
  /** What to carry to the next run. */
  state: PlacementState;
  /** What to register, each child after the children it depends on. */
  children: PlacementChild[];
  /** Hub mode: how the hub takes this run's ClusterResourcePlacement (refused: nothing may be registered). */
  hubUpdate: HubUpdate;
  /** Hub mode: tainted members whose taints fleetmesh cannot write to the hub (they join no Azure Fleet). */
  unwrittenTaints: string[];
}

export function planPlacement(input: PlacementPlanInput): PlacementPlan {
  const selection = selectResources(input.resources, input.resourceSelectors, { placementName: input.name });
  const result = schedule({
    clusters: memberClusters(input.members, input.now),
    policy: input.policy,
    bindings: input.previous?.bindings,
    now: input.now,
  });
  const condition = reportedCondition(selection.error !== undefined ? invalidSelectorsCondition(selection.error) : result.condition);
  const targets = selection.error !== undefined ? [] : rolloutOrder(result);
  const hash = objectsHash(selection.selected);
  const serving = servingClusters(input.previous);
  const batches = rolloutBatches({
    strategy: input.strategy,
    placementType: input.policy?.placementType ?? "PickAll",
    numberOfClusters: input.policy?.numberOfClusters,
    clusterNames: input.policy?.clusterNames,
    targets,
    changed: sameObjects(input.previous, selection.selected) ? targets.filter((t) => !serving.includes(t)) : targets,
    serving,
  });
  const mode = input.mode ?? "direct";
  const hubSpec = mode === "hub" ? { policy: input.policy, strategy: input.strategy } : undefined;
  const update = hubSpec ? hubUpdate(input.name, input.previous?.hubSpec, hubSpec, input.replaceOnPolicyChange ?? false) : UPDATE;
  const whatIf = placementWhatIf({
    placement: input.name,
    policy: input.policy,
    result,
    condition,
    previousTargets: serving,
    targets,
    batches,
    mode,
  });
  return {
    selected: selection.selected,
    schedule: result,
    condition,
    targets,
    batches,
    whatIf,
    placementStatuses: placementStatuses(result, input.policy),
    state: {
      version: PLACEMENT_STATE_VERSION,
      bindings: result.bindings,
      objectsHash: hash,
      ...(hubSpec && { hubSpec: definedOnly(hubSpec) }),
    },
    children: children(input, mode, selection.selected, targets, batches, hash, update.kind === "replace"),
    hubUpdate: update,
    unwrittenTaints: mode === "hub" ? input.members.filter((m) => m.taints.length > 0 && !joinsAzureFleet(m)).map((m) => m.name) : [],
  };
}

const UPDATE: HubUpdate = { kind: "update" };

/** The member joins an Azure Fleet, whose RP creates its MemberCluster on the hub. */
function joinsAzureFleet(member: PlacementMemberFacts): boolean {
  return member.azure !== undefined;
}

/** The spec without its unset fields: a stack output drops them anyway. */
function definedOnly(spec: HubPlacementSpec): HubPlacementSpec {
  return { ...(spec.policy !== undefined && { policy: spec.policy }), ...(spec.strategy !== undefined && { strategy: spec.strategy }) };
}

/** Upstream's decision order (best first) is the order the rollout updates clusters in; clusters still bound without a selected decision follow, by name. */
function rolloutOrder(result: ScheduleResult): string[] {
  const holding = new Set(result.bindings.filter((b) => b.state !== "Unscheduled").map((b) => b.targetCluster));
  const inDecisionOrder = result.decisions.filter((d) => d.selected && holding.has(d.clusterName)).map((d) => d.clusterName);
  return [...inDecisionOrder, ...[...holding].filter((t) => !inDecisionOrder.includes(t)).sort()];
}

/** The clusters that held the objects after the previous run. */
function servingClusters(previous: PlacementState | undefined): string[] {
  return (previous?.bindings ?? []).filter((b) => b.state !== "Unscheduled").map((b) => b.targetCluster);
}

function children(
  input: PlacementPlanInput,
  mode: PlacementMode,
  selected: KubernetesObject[],
  targets: string[],
  batches: RolloutBatch[],
  hash: string,
  replace: boolean,
): PlacementChild[] {
  const objects = selected.map((object) => ({ key: objectKey(object), object }));
  if (mode === "hub") {
    return hubChildren({
      placement: input.name,
      objects,
      resourceSelectors: input.resourceSelectors,
      policy: input.policy,
      strategy: input.strategy,
      apiVersion: input.crpApiVersion,
      memberTaints: input.members
        .filter((m) => m.taints.length > 0 && joinsAzureFleet(m))
        .map((m) => ({ member: m.name, taints: m.taints })),
      replace,
    });
  }
  return memberChildren({ placement: input.name, objects, targets, batches, objectsHash: hash });
}

/**
 * A short hash of the placed objects: when it changes, every target's objects change. Each object
 * is hashed in a canonical form (keys sorted at every level), so the order keys were written in
 * does not count; the order of list items does.
 */
export function objectsHash(objects: readonly object[]): string {
  return shortHash(canonicalJson(objects));
}

/** The hash earlier versions stored: the objects' JSON with their keys in the order given. */
export function legacyObjectsHash(objects: readonly object[]): string {
  return shortHash(JSON.stringify(objects));
}

/**
 * Whether the previous run placed these same objects. A state written before hashes were
 * canonical holds the legacy hash: it is accepted for the same objects, so upgrading does not roll
 * every target out again; the state then carries the canonical hash.
 */
export function sameObjects(previous: PlacementState | undefined, objects: readonly object[]): boolean {
  if (previous === undefined) return false;
  return previous.objectsHash === objectsHash(objects) || previous.objectsHash === legacyObjectsHash(objects);
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** JSON with every object's keys sorted (JSON.stringify's rules otherwise: undefined members left out). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (isPlainObject(item) ? sortedKeys(item) : item));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sortedKeys(object: Record<string, unknown>): Record<string, unknown> {
  // fromEntries defines own properties, so even a `__proto__` key stays a key.
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, object[key]]),
  );
}

/** An object's part of a child name: group (`core` for the core group), kind, namespace, name; lower case, DNS-safe. */
export function objectKey(obj: KubernetesObject): string {
  const group = obj.apiVersion.includes("/") ? obj.apiVersion.split("/")[0] : "core";
  return [group, obj.kind, obj.metadata.namespace ?? "", obj.metadata.name]
    .filter((part) => part !== "")
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, "-");
}
