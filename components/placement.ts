import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import { createHash } from "crypto";
import { KubernetesObject, ResourceSelectorTerm, invalidSelectorsCondition, selectResources } from "./core/kubefleet/placement/resource-selection";
import { PlacementMemberFacts, memberClusters } from "./core/kubefleet/placement/member-clusters";
import { placementStateOutputName } from "./core/kubefleet/placement/state-output";
import { RolloutBatch, rolloutBatches } from "./core/kubefleet/placement/rollout";
import { PlacementWhatIf, placementStatuses, placementWhatIf, renderPlacementWhatIf } from "./core/kubefleet/placement/status";
import { Binding, ClusterDecision, Condition, PlacementPolicy, ScheduleResult, schedule, validatePolicy, validateRolloutStrategy } from "./core/kubefleet/scheduler";
import { RolloutStrategy } from "./core/kubefleet/scheduler/validation";
import { FieldViolation } from "./core/fleet/types";
import { refuse } from "./errors";
import { StateSource, previousState } from "./runtime/previous-state";
import { Fleet } from "./fleet";
import { Member } from "./member";

/** What a placement carries from one run to the next (its bindings make it sticky, like a CRP). */
export interface PlacementState {
  version: 1;
  bindings: Binding[];
  /** A hash of the placed objects: a change makes the rollout go batch by batch. */
  objectsHash: string;
}

/** The KubeFleet hub a placement is handed to in hub mode. */
export interface PlacementHubArgs {
  /** A provider for the hub cluster (e.g. from the Azure Fleet hub's kubeconfig). */
  provider: k8s.Provider;
  /**
   * The ClusterResourcePlacement version to emit.
   * @default "placement.kubernetes-fleet.io/v1beta1"
   */
  apiVersion?: "placement.kubernetes-fleet.io/v1" | "placement.kubernetes-fleet.io/v1beta1";
}

export interface PlacementArgs {
  /** The fleet whose members are the candidate clusters. */
  fleet: Fleet;
  /** The hub inventory: plain Kubernetes objects the selectors choose from. */
  resources: KubernetesObject[];
  /** ClusterResourcePlacement `spec.resourceSelectors` (1-100, OR-ed). */
  resourceSelectors: ResourceSelectorTerm[];
  /**
   * ClusterResourcePlacement `spec.policy`.
   * @default PickAll
   */
  policy?: PlacementPolicy;
  /**
   * ClusterResourcePlacement `spec.strategy`.
   * @default RollingUpdate, maxUnavailable 25%, maxSurge 25%, unavailablePeriodSeconds 60
   */
  strategy?: RolloutStrategy;
  /**
   * Member name → properties for property selectors and sorters (e.g. `kubernetes-fleet.io/node-count`).
   * @default none
   */
  memberProperties?: Record<string, Record<string, string>>;
  /**
   * `direct`: the program is the hub, objects go straight to the chosen members. `hub`: emit a
   * ClusterResourcePlacement to a KubeFleet hub (the local schedule is then a prediction).
   * @default "direct"
   */
  mode?: "direct" | "hub";
  /** Required in hub mode. */
  hub?: PlacementHubArgs;
  /**
   * Where the previous run's bindings are read from (stickiness).
   * @default this stack's output "<camelCaseName>PlacementState", e.g. "kuardEastPlacementState" for "kuard-east" (export `placement.state` under that name)
   */
  state?: StateSource<PlacementState>;
}

function isPlacementState(value: unknown): value is PlacementState {
  return typeof value === "object" && value !== null && (value as PlacementState).version === 1 && Array.isArray((value as PlacementState).bindings);
}

function objectsHash(objects: KubernetesObject[]): string {
  return createHash("sha256").update(JSON.stringify(objects)).digest("hex").slice(0, 16);
}

function objectKey(obj: KubernetesObject): string {
  const group = obj.apiVersion.includes("/") ? obj.apiVersion.split("/")[0] : "core";
  return [group, obj.kind, obj.metadata.namespace ?? "", obj.metadata.name].filter((part) => part !== "").join("-").toLowerCase().replace(/[^a-z0-9.-]/g, "-");
}

/** Everything wrong with the arguments, before anything is registered. */
function argumentViolations(name: string, args: PlacementArgs): FieldViolation[] {
  const violations: FieldViolation[] = [...validatePolicy(args.policy), ...validateRolloutStrategy(args.strategy)];
  if (name.length > 63) violations.push({ path: "name", message: `placement name "${name}" is ${name.length} characters: ClusterResourcePlacement names are at most 63 (DNS-1035 label length)` });
  if (args.mode === "hub" && !args.hub) violations.push({ path: "hub", message: `mode "hub" needs hub: { provider }, the KubeFleet hub to hand the ClusterResourcePlacement to` });
  const unknown = Object.keys(args.memberProperties ?? {}).filter((m) => !args.fleet.members[m]);
  for (const member of unknown) violations.push({ path: `memberProperties.${member}`, message: `"${member}" is not a member of the fleet` });
  return violations;
}

/**
 * Kubernetes objects placed onto fleet members exactly as a KubeFleet ClusterResourcePlacement
 * would place them: the same scheduler (affinity, spread, taints, stickiness), a rolling rollout in
 * batches, and a what-if of the decisions during preview.
 */
export class Placement extends pulumi.ComponentResource {
  /** Carry this to the next run so placements stay sticky: `export const demoPlacementState = placement.state`. */
  public readonly state: pulumi.Output<PlacementState>;
  public readonly decisions: pulumi.Output<ClusterDecision[]>;
  public readonly condition: pulumi.Output<Condition>;
  /** Per-cluster placement statuses in upstream shape (`placementStatuses`). */
  public readonly placementStatuses: pulumi.Output<ReturnType<typeof placementStatuses>>;
  /** The clusters that hold (or will hold) the objects. */
  public readonly targets: pulumi.Output<string[]>;
  public readonly whatIf: pulumi.Output<PlacementWhatIf>;
  /** The selected objects (hub inventory after the resource selectors). */
  public readonly selected: KubernetesObject[];

  constructor(name: string, args: PlacementArgs, opts?: pulumi.ComponentResourceOptions) {
    const selection = selectResources(args.resources, args.resourceSelectors, { placementName: name });
    refuse(`Placement "${name}"`, argumentViolations(name, args));
    super("fleetmesh:index:Placement", name, {}, opts);
    this.selected = selection.selected;
    const hash = objectsHash(selection.selected);
    const previous = previousState(name, args.state, placementStateOutputName(name), isPlacementState, this);
    const outcome = previous.apply((prev) => this.scheduleAndPlace(name, args, selection, hash, prev));
    this.decisions = outcome.apply((o) => o.result.decisions);
    this.condition = outcome.apply((o) => o.condition);
    this.placementStatuses = outcome.apply((o) => placementStatuses(o.result, args.policy));
    this.targets = outcome.apply((o) => o.targets);
    this.whatIf = outcome.apply((o) => o.whatIf);
    this.state = outcome.apply((o): PlacementState => ({ version: 1, bindings: o.result.bindings, objectsHash: hash }));
    if (args.mode === "hub") this.emitToHub(name, args, selection.selected);
    this.registerOutputs({ state: this.state, decisions: this.decisions, condition: this.condition, targets: this.targets });
  }

  private scheduleAndPlace(name: string, args: PlacementArgs, selection: ReturnType<typeof selectResources>, hash: string, previous: PlacementState | undefined) {
    const members = Object.values(args.fleet.members);
    const result = schedule({ clusters: memberClusters(members.map((m) => placementFacts(m, args)), new Date()), policy: args.policy, bindings: previous?.bindings });
    const condition = selection.error ? invalidSelectorsCondition(selection.error) : result.condition;
    // Upstream's decision order (best first) is the order the rollout updates clusters in.
    const holding = new Set(result.bindings.filter((b) => b.state !== "Unscheduled").map((b) => b.targetCluster));
    const inDecisionOrder = result.decisions.filter((d) => d.selected && holding.has(d.clusterName)).map((d) => d.clusterName);
    const targets = selection.error ? [] : [...inDecisionOrder, ...[...holding].filter((t) => !inDecisionOrder.includes(t)).sort()];
    const previouslyServing = (previous?.bindings ?? []).filter((b) => b.state !== "Unscheduled").map((b) => b.targetCluster);
    const changed = previous?.objectsHash === hash ? targets.filter((t) => !previouslyServing.includes(t)) : targets;
    const batches = rolloutBatches({
      strategy: args.strategy,
      placementType: args.policy?.placementType ?? "PickAll",
      numberOfClusters: args.policy?.numberOfClusters,
      clusterNames: args.policy?.clusterNames,
      targets,
      changed,
      serving: previouslyServing,
    });
    const whatIf = placementWhatIf({ placement: name, policy: args.policy, result, condition, previousTargets: previouslyServing, targets, batches, mode: args.mode ?? "direct" });
    if (pulumi.runtime.isDryRun()) pulumi.log.info(renderPlacementWhatIf(whatIf), this);
    if ((args.mode ?? "direct") === "direct") this.placeObjects(name, args, selection.selected, targets, batches, hash);
    return { result, condition, targets, whatIf };
  }

  /** One ConfigGroup per object per member; each rollout batch waits for the one before it. */
  private placeObjects(name: string, args: PlacementArgs, objects: KubernetesObject[], targets: string[], batches: RolloutBatch[], hash: string): void {
    const batchOf = new Map(batches.flatMap((batch) => batch.members.map((m) => [m, batch] as const)));
    let previousBatch: pulumi.Resource[] = [];
    const byBatch = [...new Set(targets.map((t) => batchOf.get(t)?.index ?? 0))].sort((a, b) => a - b);
    for (const index of byBatch) {
      const batch = batches.find((b) => b.index === index);
      const gate = batch && batch.waitSecondsBefore > 0 && previousBatch.length > 0
        ? [new command.local.Command(`${name}-batch-${index}-wait`, { create: `sleep ${batch.waitSecondsBefore}`, triggers: [hash] }, { parent: this, dependsOn: previousBatch })]
        : previousBatch;
      const placed: pulumi.Resource[] = [];
      for (const member of targets.filter((t) => (batchOf.get(t)?.index ?? 0) === index)) {
        placed.push(...placeOnMember(this, name, args.fleet.members[member], objects, gate));
      }
      previousBatch = placed;
    }
  }

  /** Hub mode: the selected objects and the ClusterResourcePlacement go to the hub; its scheduler decides. */
  private emitToHub(name: string, args: PlacementArgs, objects: KubernetesObject[]): void {
    const provider = args.hub!.provider;
    // The hub only stores what KubeFleet propagates (its Deployments never run there), so nothing
    // on it ever becomes ready: no await. Namespaces still go first, as on members.
    const onHub = namespacesFirst(objects, [], (obj, after) =>
      new k8s.yaml.v2.ConfigGroup(`${name}-hub-${objectKey(obj)}`, { objs: [obj as unknown as Record<string, unknown>], skipAwait: true }, { parent: this, provider, dependsOn: after }),
    );
    new k8s.apiextensions.CustomResource(
      `${name}-crp`,
      {
        apiVersion: args.hub!.apiVersion ?? "placement.kubernetes-fleet.io/v1beta1",
        kind: "ClusterResourcePlacement",
        metadata: { name },
        spec: { resourceSelectors: args.resourceSelectors, ...(args.policy ? { policy: args.policy } : {}), ...(args.strategy ? { strategy: args.strategy } : {}) },
      },
      { parent: this, provider, dependsOn: onHub },
    );
  }
}

function placeOnMember(parent: Placement, name: string, member: Member, objects: KubernetesObject[], after: pulumi.Resource[]): pulumi.Resource[] {
  return namespacesFirst(objects, after, (obj, deps) => objectOnMember(parent, name, member, obj, deps));
}

/** Creates the core Namespaces first (after `after`), then every other object after them too. */
function namespacesFirst(objects: KubernetesObject[], after: pulumi.Resource[], create: (obj: KubernetesObject, after: pulumi.Resource[]) => pulumi.Resource): pulumi.Resource[] {
  const namespaces = objects.filter((o) => o.kind === "Namespace" && !o.apiVersion.includes("/"));
  const created = namespaces.map((ns) => create(ns, after));
  const rest = objects.filter((o) => !namespaces.includes(o)).map((obj) => create(obj, [...after, ...created]));
  return [...created, ...rest];
}

function objectOnMember(parent: Placement, name: string, member: Member, obj: KubernetesObject, after: pulumi.Resource[]): pulumi.Resource {
  return new k8s.yaml.v2.ConfigGroup(
    `${name}-${member.memberName}-${objectKey(obj)}`,
    { objs: [obj as unknown as Record<string, unknown>] },
    { parent, provider: member.provider, dependsOn: after },
  );
}

function placementFacts(member: Member, args: PlacementArgs): PlacementMemberFacts {
  const aks = member.aks;
  const plain = (value: unknown) => (typeof value === "string" ? value : undefined);
  const location = plain(aks?.location);
  const resourceGroup = plain(aks?.resourceGroupName);
  return {
    name: member.memberName,
    labels: member.labels,
    taints: member.taints,
    properties: args.memberProperties?.[member.memberName],
    azure: aks && location && resourceGroup ? { location, resourceGroup, clusterName: aks.clusterName ?? member.memberName } : undefined,
  };
}

export type { ScheduleResult };
