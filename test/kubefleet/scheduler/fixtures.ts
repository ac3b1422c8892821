// Shared fixtures and helpers for the scheduler tests.
//
// The 9-cluster fleet F9 mirrors the fleet that upstream's scheduler integration suite
// (kubefleet-dev/kubefleet test/scheduler/suite_test.go) builds:
// labels, properties, resource usage, the unhealthy cluster 8 (heartbeat 25 h old, checker
// timeouts 24 h) and the leaving cluster 9 (deletionTimestamp set, no properties).

import * as assert from "assert";

import type {
  Binding,
  BindingState,
  ClusterDecision,
  Condition,
  MemberCluster,
  PlacementPolicy,
  ResourceList,
  ScheduleInput,
  ScheduleOptions,
  ScheduleResult,
  Taint,
  Toleration,
} from "../../../components/core/kubefleet/scheduler/types";

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/** The fixed clock every test passes as `now`. */
export const NOW = new Date("2026-03-02T10:00:00.000Z");

export const MINUTE_MS = 60 * 1000;
export const HOUR_MS = 60 * MINUTE_MS;

// ---------------------------------------------------------------------------------------------
// MemberCluster builder
// ---------------------------------------------------------------------------------------------

export interface MemberClusterSpec {
  labels?: Record<string, string>;
  taints?: Taint[];
  /** Non-resource properties (`status.properties`), name -> quantity string. */
  properties?: Record<string, string>;
  resourceUsage?: { capacity?: ResourceList; allocatable?: ResourceList; available?: ResourceList };
  /** false: no MemberAgent status at all (agent never came online). Default true. */
  agentOnline?: boolean;
  /** Joined condition status. Default true. */
  joined?: boolean;
  /** Healthy condition status; "missing" drops the condition. Default true. */
  healthy?: boolean | "missing";
  /** Age of the Joined / Healthy conditions' lastTransitionTime. Default 0. */
  conditionAgeMs?: number;
  /** Age of lastReceivedHeartbeat. Default 0. */
  heartbeatAgeMs?: number;
  /** Sets metadata.deletionTimestamp (the cluster is leaving the fleet). */
  deleting?: boolean;
  /** The clock the ages are relative to. Default NOW. */
  now?: Date;
}

function iso(d: Date): string {
  return d.toISOString();
}

/** Builds a MemberCluster object the way `kubectl get membercluster -o json` would show it. */
export function memberCluster(name: string, spec: MemberClusterSpec = {}): MemberCluster {
  const now = spec.now ?? NOW;
  const conditionTime = iso(new Date(now.getTime() - (spec.conditionAgeMs ?? 0)));
  const heartbeat = iso(new Date(now.getTime() - (spec.heartbeatAgeMs ?? 0)));

  const mc: MemberCluster = {
    apiVersion: "cluster.kubernetes-fleet.io/v1beta1",
    kind: "MemberCluster",
    metadata: { name },
    spec: {},
    status: {},
  };
  if (spec.labels) mc.metadata.labels = { ...spec.labels };
  if (spec.deleting) mc.metadata.deletionTimestamp = iso(new Date(now.getTime() - MINUTE_MS));
  if (spec.taints) mc.spec!.taints = spec.taints.map((t) => ({ ...t }));

  if (spec.properties) {
    mc.status!.properties = {};
    for (const [k, v] of Object.entries(spec.properties)) {
      mc.status!.properties[k] = { value: v, observationTime: iso(now) };
    }
  }
  if (spec.resourceUsage) {
    const ru = spec.resourceUsage;
    mc.status!.resourceUsage = { observationTime: iso(now) };
    if (ru.capacity) mc.status!.resourceUsage.capacity = { ...ru.capacity };
    if (ru.allocatable) mc.status!.resourceUsage.allocatable = { ...ru.allocatable };
    if (ru.available) mc.status!.resourceUsage.available = { ...ru.available };
  }

  if (spec.agentOnline !== false) {
    const conditions: Condition[] = [
      {
        type: "Joined",
        status: spec.joined === false ? "False" : "True",
        reason: "dummyReason",
        message: "",
        lastTransitionTime: conditionTime,
      },
    ];
    if (spec.healthy !== "missing") {
      conditions.push({
        type: "Healthy",
        status: spec.healthy === false ? "False" : "True",
        reason: "dummyReason",
        message: "",
        lastTransitionTime: conditionTime,
      });
    }
    mc.status!.agentStatus = [{ type: "MemberAgent", conditions, lastReceivedHeartbeat: heartbeat }];
  }
  return mc;
}

/** A deep copy of a cluster list with one cluster changed (simulates a MemberCluster update between cycles). */
export function updateCluster(clusters: MemberCluster[], name: string, mutate: (mc: MemberCluster) => void): MemberCluster[] {
  const copy: MemberCluster[] = JSON.parse(JSON.stringify(clusters));
  const mc = copy.find((c) => c.metadata.name === name);
  if (!mc) throw new Error(`no cluster ${name}`);
  mutate(mc);
  return copy;
}

/** Replaces the taints of the named clusters (upstream `addTaintsToMemberClusters`). */
export function withTaints(clusters: MemberCluster[], taintsByCluster: Record<string, Taint[]>): MemberCluster[] {
  let out = clusters;
  for (const [name, taints] of Object.entries(taintsByCluster)) {
    out = updateCluster(out, name, (mc) => {
      mc.spec = { ...(mc.spec ?? {}), taints: taints.map((t) => ({ ...t })) };
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// F9: the upstream scheduler integration fleet
// ---------------------------------------------------------------------------------------------

export const C1 = "cluster-1-east-prod";
export const C2 = "cluster-2-east-prod";
export const C3 = "cluster-3-east-canary";
export const C4 = "cluster-4-central-prod";
export const C5 = "cluster-5-central-prod";
export const C6 = "cluster-6-west-prod";
export const C7 = "cluster-7-west-canary";
export const C8_UNHEALTHY = "unhealthy-cluster-east-prod";
export const C9_LEFT = "left-cluster-central-prod";
export const C10_NON_EXISTENT = "non-existent-cluster";
/** Upstream `provisionalClusterNameTemplate` with Ginkgo process 1. */
export const PROVISIONAL = "provisional-cluster-1";

export const REGION = "region";
export const ENV = "env";

export const NODE_COUNT = "kubernetes-fleet.io/node-count";
export const ENERGY = "test.only/energy-efficiency-rating";
export const TOTAL_CPU = "resources.kubernetes-fleet.io/total-cpu";
export const TOTAL_MEMORY = "resources.kubernetes-fleet.io/total-memory";
export const ALLOCATABLE_CPU = "resources.kubernetes-fleet.io/allocatable-cpu";
export const ALLOCATABLE_MEMORY = "resources.kubernetes-fleet.io/allocatable-memory";
export const AVAILABLE_CPU = "resources.kubernetes-fleet.io/available-cpu";
export const AVAILABLE_MEMORY = "resources.kubernetes-fleet.io/available-memory";

/** Every F9 cluster name, in upstream's `allClusters` order. */
export const F9_ALL = [C1, C2, C3, C4, C5, C6, C7, C8_UNHEALTHY, C9_LEFT];
/** Clusters 1-7: eligible. */
export const F9_HEALTHY = [C1, C2, C3, C4, C5, C6, C7];

export const F9_LABELS: Record<string, Record<string, string>> = {
  [C1]: { region: "east", env: "prod" },
  [C2]: { region: "east", env: "prod" },
  [C3]: { region: "east", env: "canary" },
  [C4]: { region: "central", env: "prod" },
  [C5]: { region: "central", env: "prod" },
  [C6]: { region: "west", env: "prod" },
  [C7]: { region: "west", env: "canary" },
  [C8_UNHEALTHY]: { region: "east", env: "prod" },
  [C9_LEFT]: { region: "central", env: "prod" },
};

interface F9Props {
  nodes: string;
  energy: string;
  cpu: [string, string, string];
  mem: [string, string, string];
}

/** Upstream `propertiesByCluster`; cluster 9 has none. Cluster 8's available cpu/memory is a zero Quantity. */
const F9_PROPERTIES: Record<string, F9Props> = {
  [C1]: { nodes: "2", energy: "100", cpu: ["4", "3", "2"], mem: ["4Gi", "3Gi", "2Gi"] },
  [C2]: { nodes: "4", energy: "60", cpu: ["8", "7", "4"], mem: ["8Gi", "7Gi", "4Gi"] },
  [C3]: { nodes: "6", energy: "40", cpu: ["12", "11", "6"], mem: ["12Gi", "11Gi", "6Gi"] },
  [C4]: { nodes: "2", energy: "80", cpu: ["8", "6", "2"], mem: ["4Gi", "2Gi", "1Gi"] },
  [C5]: { nodes: "8", energy: "40", cpu: ["32", "30", "8"], mem: ["16Gi", "14Gi", "4Gi"] },
  [C6]: { nodes: "2", energy: "60", cpu: ["4", "2", "1"], mem: ["8Gi", "6Gi", "4Gi"] },
  [C7]: { nodes: "8", energy: "20", cpu: ["16", "14", "4"], mem: ["32Gi", "30Gi", "16Gi"] },
  [C8_UNHEALTHY]: { nodes: "1", energy: "100", cpu: ["8", "6", "0"], mem: ["8Gi", "6Gi", "0"] },
};

/** The suite's eligibility checker uses 24 h heartbeat / health timeouts (suite_test.go). */
export const F9_OPTIONS: ScheduleOptions = {
  heartbeatTimeoutMs: 24 * HOUR_MS,
  healthTimeoutMs: 24 * HOUR_MS,
};

function f9Spec(name: string, now: Date): MemberClusterSpec {
  const spec: MemberClusterSpec = { labels: F9_LABELS[name], now };
  const p = F9_PROPERTIES[name];
  if (p) {
    spec.properties = { [NODE_COUNT]: p.nodes, [ENERGY]: p.energy };
    spec.resourceUsage = {
      capacity: { cpu: p.cpu[0], memory: p.mem[0] },
      allocatable: { cpu: p.cpu[1], memory: p.mem[1] },
      available: { cpu: p.cpu[2], memory: p.mem[2] },
    };
  }
  if (name === C8_UNHEALTHY) {
    // markClusterAsUnhealthy: Joined/Healthy True but transitioned 25 h ago, last heartbeat 25 h ago.
    spec.conditionAgeMs = 25 * HOUR_MS;
    spec.heartbeatAgeMs = 25 * HOUR_MS;
  }
  if (name === C9_LEFT) spec.deleting = true;
  return spec;
}

/** The F9 fleet, in upstream's `allClusters` order. */
export function f9Clusters(now: Date = NOW): MemberCluster[] {
  return F9_ALL.map((name) => memberCluster(name, f9Spec(name, now)));
}

/** A freshly joined healthy cluster (upstream createMemberCluster + markClusterAsHealthy). */
export function provisionalCluster(
  name: string = PROVISIONAL,
  extra: { labels?: Record<string, string>; taints?: Taint[]; healthy?: boolean } = {},
): MemberCluster {
  const spec: MemberClusterSpec = {};
  if (extra.labels) spec.labels = extra.labels;
  if (extra.taints) spec.taints = extra.taints;
  if (extra.healthy === false) {
    // markClusterAsUnhealthy
    spec.conditionAgeMs = 25 * HOUR_MS;
    spec.heartbeatAgeMs = 25 * HOUR_MS;
  }
  return memberCluster(name, spec);
}

/** Upstream `buildTaints`: key = region label, value = env label ("unknown" for clusters outside F9). */
export function taintFor(name: string): Taint {
  const labels = F9_LABELS[name] ?? { region: "unknown", env: "unknown" };
  return { key: labels.region!, value: labels.env!, effect: "NoSchedule" };
}

/** Upstream `buildTolerations`: Equal, key = region label, value = env label. */
export function tolerationFor(name: string): Toleration {
  const labels = F9_LABELS[name] ?? { region: "unknown", env: "unknown" };
  return { key: labels.region!, operator: "Equal", value: labels.env!, effect: "NoSchedule" };
}

// ---------------------------------------------------------------------------------------------
// Upstream reason / message strings
// ---------------------------------------------------------------------------------------------

export const REASON_AFFINITY = "cluster does not match with any of the required cluster affinity terms";
export const REASON_LEFT = "cluster has left the fleet";
export function reasonNoHeartbeat(minutes: number): string {
  return `cluster is not connected to the fleet: no recent heartbeat signals (last received ${minutes.toFixed(2)} minutes ago)`;
}
/** Why cluster 8 is ineligible (heartbeat 25 h = 1500 min old, timeout 24 h). */
export const REASON_C8 = reasonNoHeartbeat(1500);
export function reasonTopology(key: string, maxSkew: number): string {
  return `violated doNotSchedule topology spread constraint "${key}" (max skew ${maxSkew})`;
}
export function reasonTaint(t: Taint): string {
  return `taint &{Key:${t.key} Value:${t.value ?? ""} Effect:${t.effect}} cannot be tolerated`;
}

// ---------------------------------------------------------------------------------------------
// Decision builders
// ---------------------------------------------------------------------------------------------

/** A selected PickAll / PickN decision. */
export function selected(name: string, affinityScore = 0, priorityScore = 0): ClusterDecision {
  return {
    clusterName: name,
    selected: true,
    clusterScore: { affinityScore, priorityScore },
    reason: `Successfully scheduled resources for placement in "${name}" (affinity score: ${affinityScore}, topology spread score: ${priorityScore}): picked by scheduling policy`,
  };
}

/** A scored but not picked PickN decision. */
export function notPicked(name: string, affinityScore = 0, priorityScore = 0): ClusterDecision {
  return {
    clusterName: name,
    selected: false,
    clusterScore: { affinityScore, priorityScore },
    reason: `Cluster "${name}" does not score high enough (affinity score: ${affinityScore}, topology spread score: ${priorityScore})`,
  };
}

/** A filtered-out decision (no score); `reason` is the plugin reason without the status prefix. */
export function filtered(name: string, reason: string): ClusterDecision {
  return { clusterName: name, selected: false, reason: `ClusterUnschedulable, ${reason}` };
}

/** The two ineligible F9 clusters, filtered by eligibility (name ascending). */
export function f9IneligibleFiltered(): ClusterDecision[] {
  return [filtered(C9_LEFT, REASON_LEFT), filtered(C8_UNHEALTHY, REASON_C8)];
}

/** A selected PickFixed decision (no score). */
export function fixedSelected(name: string): ClusterDecision {
  return {
    clusterName: name,
    selected: true,
    reason: `Successfully scheduled resources for placement in "${name}": picked by scheduling policy`,
  };
}
export function fixedInvalid(name: string, eligibilityReason: string): ClusterDecision {
  return {
    clusterName: name,
    selected: false,
    reason: `Cluster "${name}" is not eligible for resource placement yet: ${eligibilityReason}`,
  };
}
export function fixedNotFound(name: string): ClusterDecision {
  return { clusterName: name, selected: false, reason: `Specified cluster "${name}" is not found` };
}

// ---------------------------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------------------------

export type ExpectedCondition = Pick<Condition, "type" | "status" | "reason" | "message">;

export function fulfilled(count: number): ExpectedCondition {
  return {
    type: "Scheduled",
    status: "True",
    reason: "SchedulingPolicyFulfilled",
    message: `found all cluster needed as specified by the scheduling policy, found ${count} cluster(s)`,
  };
}
export function unfulfilled(count: number): ExpectedCondition {
  return {
    type: "Scheduled",
    status: "False",
    reason: "SchedulingPolicyUnfulfilled",
    message: `could not find all clusters needed as specified by the scheduling policy, found ${count} cluster(s) instead`,
  };
}
export const PENDING: ExpectedCondition = {
  type: "Scheduled",
  status: "Unknown",
  reason: "SchedulePending",
  message: "Scheduling has not completed",
};

// ---------------------------------------------------------------------------------------------
// Expected bindings
// ---------------------------------------------------------------------------------------------

/** What a test states about one binding; policy hashes are checked separately (see checkStep). */
export interface ExpectedBinding {
  targetCluster: string;
  state: BindingState;
  previousState?: "Scheduled" | "Bound";
  clusterDecision: ClusterDecision;
}

export function scheduledB(name: string, aff = 0, tsc = 0): ExpectedBinding {
  return { targetCluster: name, state: "Scheduled", clusterDecision: selected(name, aff, tsc) };
}
export function boundB(name: string, aff = 0, tsc = 0): ExpectedBinding {
  return { targetCluster: name, state: "Bound", clusterDecision: selected(name, aff, tsc) };
}
export function fixedScheduledB(name: string): ExpectedBinding {
  return { targetCluster: name, state: "Scheduled", clusterDecision: fixedSelected(name) };
}
export function fixedBoundB(name: string): ExpectedBinding {
  return { targetCluster: name, state: "Bound", clusterDecision: fixedSelected(name) };
}
/** An Unscheduled binding; its clusterDecision is the one it carried before being unscheduled. */
export function unscheduledB(name: string, previousState: "Scheduled" | "Bound", decision: ClusterDecision): ExpectedBinding {
  return { targetCluster: name, state: "Unscheduled", previousState, clusterDecision: decision };
}

// ---------------------------------------------------------------------------------------------
// Result summaries / normalisation
// ---------------------------------------------------------------------------------------------

/** Drops undefined-valued keys so that `{a: undefined}` equals `{}`. */
export function plain<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/** Names of the clusters with a Scheduled or Bound binding, ascending. */
export function picked(result: ScheduleResult): string[] {
  return result.bindings
    .filter((b) => b.state === "Scheduled" || b.state === "Bound")
    .map((b) => b.targetCluster)
    .sort();
}

/** cluster -> binding state. */
export function bindingStates(result: ScheduleResult): Record<string, BindingState> {
  const out: Record<string, BindingState> = {};
  for (const b of result.bindings) out[b.targetCluster] = b.state;
  return out;
}

/** cluster name -> decision. */
export function decisionsByName(result: ScheduleResult): Record<string, ClusterDecision> {
  const out: Record<string, ClusterDecision> = {};
  for (const d of result.decisions) out[d.clusterName] = plain(d);
  return out;
}

/** Names of the selected decisions, in decision order. */
export function selectedNames(result: ScheduleResult): string[] {
  return result.decisions.filter((d) => d.selected).map((d) => d.clusterName);
}

/** The comparable view of a binding (no hash, no undefined keys). */
export function bindingView(b: Binding): ExpectedBinding {
  const v: ExpectedBinding = { targetCluster: b.targetCluster, state: b.state, clusterDecision: plain(b.clusterDecision) };
  if (b.previousState !== undefined) v.previousState = b.previousState;
  return v;
}

export function conditionView(c: Condition): ExpectedCondition {
  return { type: c.type, status: c.status, reason: c.reason, message: c.message };
}

/** Simulates the rollout controller: every Scheduled binding on the named clusters becomes Bound. */
export function markBound(bindings: Binding[], clusters: string[]): Binding[] {
  const set = new Set(clusters);
  return bindings.map((b) => {
    const copy: Binding = plain(b);
    if (set.has(b.targetCluster) && b.state === "Scheduled") copy.state = "Bound";
    return copy;
  });
}

// ---------------------------------------------------------------------------------------------
// Step checks shared by the integration suites
// ---------------------------------------------------------------------------------------------

export interface StepExpectation {
  bindings: ExpectedBinding[];
  /** The whole decisions list, in order. */
  decisions: ClusterDecision[];
  condition: ExpectedCondition;
}

/**
 * Asserts a whole step result:
 *  - bindings (target, state, previousState, clusterDecision), sorted by target cluster;
 *  - Scheduled/Bound bindings carry the current policy hash; Unscheduled ones keep the hash
 *    they had in the input (upstream never rewrites the snapshot name when unscheduling);
 *  - every selected decision equals its binding's clusterDecision (upstream builds decisions
 *    from the bindings);
 *  - the whole decisions list and the condition.
 */
export function checkStep(label: string, input: Binding[] | undefined, result: ScheduleResult, want: StepExpectation): void {
  const wantBindings = [...want.bindings].sort((a, b) =>
    a.targetCluster < b.targetCluster ? -1 : a.targetCluster > b.targetCluster ? 1 : 0,
  );
  assert.deepStrictEqual(result.bindings.map(bindingView), plain(wantBindings), `${label}: bindings`);

  const inputHash = new Map<string, string>();
  for (const b of input ?? []) inputHash.set(b.targetCluster, b.policyHash);
  for (const b of result.bindings) {
    if (b.state === "Unscheduled") {
      const before = inputHash.get(b.targetCluster);
      if (before !== undefined) {
        assert.strictEqual(b.policyHash, before, `${label}: unscheduled binding ${b.targetCluster} keeps its policy hash`);
      }
    } else {
      assert.strictEqual(b.policyHash, result.policyHash, `${label}: binding ${b.targetCluster} carries the current policy hash`);
    }
  }

  assert.deepStrictEqual(plain(result.decisions), plain(want.decisions), `${label}: decisions`);
  assert.deepStrictEqual(conditionView(result.condition), want.condition, `${label}: condition`);

  const byTarget = new Map(result.bindings.map((b) => [b.targetCluster, b] as const));
  for (const d of result.decisions.filter((x) => x.selected)) {
    const b = byTarget.get(d.clusterName);
    assert.ok(b && b.state !== "Unscheduled", `${label}: selected decision ${d.clusterName} has a live binding`);
    assert.deepStrictEqual(plain(b.clusterDecision), plain(d), `${label}: binding decision of ${d.clusterName}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Table-driven multi-step scenarios
// ---------------------------------------------------------------------------------------------

export interface ScenarioStep {
  title: string;
  clusters: MemberCluster[];
  /** undefined = no policy (PickAll). */
  policy?: PlacementPolicy;
  /** Turns the previous step's result bindings into this step's input (default: passed unchanged). */
  prepareBindings?: (previous: Binding[]) => Binding[];
  /** Default F9_OPTIONS. */
  options?: ScheduleOptions;
  /** true: the policy hash must equal the previous step's; false: it must differ. */
  samePolicyHashAsPrevious?: boolean;
  expect: StepExpectation;
}

export interface Scenario {
  name: string;
  steps: ScenarioStep[];
}

export type ScheduleFn = (input: ScheduleInput) => ScheduleResult;

/** Runs the steps in order, chaining the bindings, and checks each step completely. */
export function runScenario(scheduleFn: ScheduleFn, scenario: Scenario): ScheduleResult[] {
  let previous: Binding[] = [];
  let previousHash: string | undefined;
  const results: ScheduleResult[] = [];
  scenario.steps.forEach((step, i) => {
    const label = `step ${i + 1} (${step.title})`;
    const bindings = step.prepareBindings ? step.prepareBindings(previous) : previous;
    const input: ScheduleInput = {
      clusters: step.clusters,
      bindings,
      now: NOW,
      options: step.options ?? F9_OPTIONS,
    };
    if (step.policy !== undefined) input.policy = step.policy;
    const snapshot = plain({ clusters: input.clusters, bindings: input.bindings, policy: input.policy ?? null });
    const result = scheduleFn(input);
    assert.deepStrictEqual(
      plain({ clusters: input.clusters, bindings: input.bindings, policy: input.policy ?? null }),
      snapshot,
      `${label}: schedule() must not mutate its input`,
    );
    checkStep(label, bindings, result, step.expect);
    if (step.samePolicyHashAsPrevious !== undefined && previousHash !== undefined) {
      if (step.samePolicyHashAsPrevious) assert.strictEqual(result.policyHash, previousHash, `${label}: policy hash unchanged`);
      else assert.notStrictEqual(result.policyHash, previousHash, `${label}: policy hash changed`);
    }
    previous = result.bindings;
    previousHash = result.policyHash;
    results.push(result);
  });
  return results;
}
