import * as pulumi from "@pulumi/pulumi";
import { privateState } from "./runtime/private-state";
import { checkArgs } from "./runtime/check-args";
import { isDeferredValue } from "./core/args/values";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import { placementArgumentViolations, previousStateViolations } from "./core/kubefleet/placement/arguments";
import { CrpApiVersion, PlacementChild } from "./core/kubefleet/placement/children";
import { KubernetesManifest, isKubernetesObject } from "./core/kubefleet/placement/manifests";
import { PlacementMemberFacts, azureFleetFacts } from "./core/kubefleet/placement/member-clusters";
import { PlacementPlan, planPlacement } from "./core/kubefleet/placement/plan";
import { KubernetesObject, ResourceSelectorTerm, selectResources } from "./core/kubefleet/placement/resource-selection";
import { PlacementState, isPlacementState, placementStateOutputName } from "./core/kubefleet/placement/state-output";
import {
  PlacementCondition,
  PlacementMode,
  PlacementStatus,
  PlacementWhatIf,
  renderPlacementWhatIf,
} from "./core/kubefleet/placement/status";
import { placementWarnings } from "./core/kubefleet/placement/warnings";
import { takenOverNamespaceViolations } from "./core/kubefleet/placement/namespace-ownership";
import { FieldViolation } from "./core/k8s/field-errors";
import { ownValue } from "./core/fleet/own";
import { ClusterDecision, PlacementPolicy, ScheduleResult, Taint } from "./core/kubefleet/scheduler";
import { RolloutStrategy } from "./core/kubefleet/scheduler/validation";
import { FleetValidationError, refuse } from "./errors";
import { PlacementStateSource, readPreviousState } from "./runtime/previous-state";
import { knownValue } from "./runtime/outputs";
import { afterConstruction, readyOf } from "./runtime/planned-component";
import { Deferred, deferred } from "./runtime/deferred";
import { Fleet } from "./fleet";
import { FleetRef, requireFleet } from "./fleet-ref";

export type { PlacementState, ScheduleResult };

/** The KubeFleet hub a placement is handed to in hub mode. */
export interface PlacementHubArgs {
  /** A provider for the hub cluster (e.g. the fleet's `hubProvider`). */
  provider: k8s.Provider;
  /**
   * The ClusterResourcePlacement version to emit.
   * @default "placement.kubernetes-fleet.io/v1beta1"
   */
  apiVersion?: CrpApiVersion;
}

/** The arguments of a Placement: a ClusterResourcePlacement's spec, the fleet, and the hub inventory. */
export interface PlacementArgs {
  /** The fleet whose members are the candidate clusters: the Fleet, or `{ urn: fleet.urn }` from another language. */
  fleet: FleetRef;
  /**
   * The hub inventory the selectors choose from: Kubernetes manifests (`apiVersion`, `kind`, `metadata`
   * with at least a name, and whatever else their kind has).
   */
  resources: KubernetesManifest[];
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
  mode?: PlacementMode;
  /**
   * The hub, in hub mode.
   * @default the fleet's hub (`fleet.hubProvider`, ClusterResourcePlacement v1beta1), when its Azure Fleet has one
   */
  hub?: PlacementHubArgs;
  /**
   * Hub mode: when this run changes what the hub refuses to update in a ClusterResourcePlacement it
   * already holds (its placement type, a removed policy, a changed or removed toleration, a rollout
   * strategy leaving External), delete and re-create the placement instead. The hub then removes the
   * placed objects from every member before placing them again.
   * @default false: such a change fails the preview, naming the field, and nothing is registered
   */
  replaceOnPolicyChange?: boolean;
  /**
   * Where the previous run's bindings are read from (stickiness).
   * @default this stack's output "<camelCaseName>PlacementState", e.g. "kuardEastPlacementState" for "kuard-east" (export `placement.state` under that name)
   */
  state?: PlacementStateSource;
}

/** All a placement reads of a fleet member. */
interface PlacementMember {
  memberName: string;
  /** Its FleetMember, once it joins an Azure Fleet (the hub's MemberCluster exists from then on). */
  fleetJoined: Promise<pulumi.Resource[]>;
  labels: Record<string, string>;
  taints: readonly Taint[];
  /** Location and resource group become the Azure Fleet labels of the member. */
  aks?: { location: pulumi.Input<string>; resourceGroupName: pulumi.Input<string>; clusterName?: string };
  provider: pulumi.ProviderResource;
}

/** What a Placement holds besides its outputs (kept off the class: runtime/private-state.ts). */
interface PlacementInternals {
  readonly name: string;
  readonly args: PlacementArgs;
  /** The fleet `args.fleet` names. */
  readonly fleet: Fleet;
  /** `args.resources`, once checked to be Kubernetes objects. */
  readonly resources: KubernetesObject[];
  readonly members: Record<string, PlacementMember>;
  readonly previous: Promise<PlacementState | undefined>;
  readonly planned: Deferred<PlacementPlan>;
}

const internals = privateState<Placement, PlacementInternals>("Placement");

/**
 * Kubernetes objects placed onto fleet members exactly as a KubeFleet ClusterResourcePlacement
 * would place them: the same scheduler (affinity, spread, taints, stickiness), a rolling rollout in
 * batches, and a what-if of the decisions during preview. Planned in one forward pass once the
 * previous run's bindings are read (see runtime/planned-component.ts).
 */
export class Placement extends pulumi.ComponentResource {
  /** Carry this to the next run so placements stay sticky: `export const demoPlacementState = placement.state`. */
  public readonly state: pulumi.Output<PlacementState>;
  /** The scheduler's decisions: selected clusters, then the ones not picked (best first), then the filtered ones. */
  public readonly decisions: pulumi.Output<ClusterDecision[]>;
  /** The placement's Scheduled condition. */
  public readonly condition: pulumi.Output<PlacementCondition>;
  /** Per-cluster placement statuses in upstream shape (`placementStatuses`). */
  public readonly placementStatuses: pulumi.Output<PlacementStatus[]>;
  /** The clusters that hold (or will hold) the objects, in rollout order. */
  public readonly targets: pulumi.Output<string[]>;
  /** What this run decides and changes, as the preview prints it. */
  public readonly whatIf: pulumi.Output<PlacementWhatIf>;
  /** The selected objects (hub inventory after the resource selectors). */
  public readonly selected: KubernetesManifest[];
  /** The name of the Fleet component it belongs to. */
  public readonly fleetName: string;

  // Working state is a getter over `internals`, not fields (runtime/private-state.ts says why).

  /** Every child registered (rejects with the refusal error when the plan refused). */
  public get ready(): Promise<void> {
    return readyOf(this);
  }

  private get inner(): PlacementInternals {
    return internals.of(this);
  }

  constructor(name: string, args: PlacementArgs, opts?: pulumi.ComponentResourceOptions) {
    // Structure first (types, required and unknown fields): every rule below assumes it.
    checkArgs(`Placement "${name}"`, "PlacementArgs", args);
    const fleet = requireFleet(`Placement "${name}"`, args.fleet);
    const members: Record<string, PlacementMember> = fleet.members;
    const { policy, strategy, mode, memberProperties } = args;
    refuse(
      `Placement "${name}"`,
      placementArgumentViolations({
        name,
        policy,
        strategy,
        mode,
        memberProperties,
        hasHub: hubProviderOf(args, fleet) !== undefined,
        memberNames: Object.keys(members),
        resources: args.resources,
        resourceSelectors: args.resourceSelectors,
        previousState: isDeferredValue(args.state?.previous) ? undefined : args.state?.previous,
      }),
    );
    // Every manifest is a Kubernetes object now (refused above otherwise).
    const resources = args.resources.filter(isKubernetesObject);
    // The namespaces claimed so far (the fleet's meshes, the services declared before); build checks again.
    refuse(`Placement "${name}"`, namespaceOwnership(name, args, fleet, resources));
    super("fleetmesh:index:Placement", name, {}, opts);
    this.fleetName = fleet.componentName;
    const inner: PlacementInternals = {
      name,
      args,
      fleet,
      resources,
      members,
      previous: readPreviousState(name, args.state, placementStateOutputName(name), isPlacementState, this),
      planned: deferred<PlacementPlan>(),
    };
    internals.set(this, inner);
    this.selected = selectResources(resources, args.resourceSelectors, { placementName: name }).selected;
    this.state = this.fromPlan((plan) => plan.state);
    this.decisions = this.fromPlan((plan) => plan.schedule.decisions);
    this.condition = this.fromPlan((plan) => plan.condition);
    this.placementStatuses = this.fromPlan((plan) => plan.placementStatuses);
    this.targets = this.fromPlan((plan) => plan.targets);
    this.whatIf = this.fromPlan((plan) => plan.whatIf);
  }

  protected override async initialize(): Promise<void> {
    this.registerOutputs(await afterConstruction(() => this.build()));
  }

  private async build(): Promise<pulumi.Inputs> {
    const plan = await this.plan();
    if (pulumi.runtime.isDryRun()) {
      pulumi.log.info(renderPlacementWhatIf(plan.whatIf), this);
      for (const warning of this.warnings(plan)) pulumi.log.warn(warning, this);
    }
    this.register(plan.children);
    return {
      state: this.state,
      decisions: this.decisions,
      condition: this.condition,
      placementStatuses: this.placementStatuses,
      targets: this.targets,
      whatIf: this.whatIf,
      fleetName: this.fleetName,
    };
  }

  private warnings(plan: PlacementPlan): string[] {
    const { name, args, resources } = this.inner;
    return placementWarnings({
      placement: name,
      resources,
      resourceSelectors: args.resourceSelectors,
      mode: args.mode,
      targets: plan.targets,
      condition: plan.condition,
      unwrittenTaints: plan.unwrittenTaints,
      replaceOnPolicyChange: args.replaceOnPolicyChange,
    });
  }

  private fromPlan<T>(pick: (plan: PlacementPlan) => T): pulumi.Output<T> {
    return pulumi.output(this.inner.planned.promise.then(pick)) as pulumi.Output<T>;
  }

  /** Reads the previous run's state and the members' Azure facts, then plans; the outputs follow the plan. */
  private async plan(): Promise<PlacementPlan> {
    const { name, args, fleet, resources, planned } = this.inner;
    try {
      const joinsAzureFleet = fleet.azureFleet !== undefined;
      const [previous, members] = await Promise.all([
        this.inner.previous,
        memberFacts(this.inner.members, args.memberProperties, joinsAzureFleet),
      ]);
      checkResolvedPreviousState(name, args, previous);
      const { resourceSelectors, policy, strategy, mode, hub } = args;
      const plan = planPlacement({
        name,
        resources,
        resourceSelectors,
        policy,
        strategy,
        mode,
        crpApiVersion: hub?.apiVersion,
        members,
        now: new Date(),
        previous,
        replaceOnPolicyChange: args.replaceOnPolicyChange,
      });
      // An update the hub would refuse, or a namespace a component declared after this one also creates,
      // fails the preview before anything is registered.
      const refused = [
        ...(plan.hubUpdate.kind === "refused" ? plan.hubUpdate.violations : []),
        ...namespaceOwnership(name, args, fleet, resources),
      ];
      if (refused.length > 0) throw new FleetValidationError(`Placement "${name}"`, refused);
      planned.resolve(plan);
      return plan;
    } catch (error) {
      planned.reject(error);
      throw error;
    }
  }

  /** Registers the children in plan order: whatever a child depends on is registered before it. */
  private register(children: readonly PlacementChild[]): void {
    const registered = new Map<string, pulumi.Resource>();
    const resolve = (name: string): pulumi.Resource => {
      const resource = registered.get(name);
      if (resource === undefined) throw new Error(`Placement "${this.inner.name}": child ${name} is needed before it is registered`);
      return resource;
    };
    for (const child of children) registered.set(child.name, this.child(child, child.dependsOn.map(resolve)));
  }

  private child(child: PlacementChild, dependsOn: pulumi.Resource[]): pulumi.Resource {
    switch (child.type) {
      case "object":
        return new k8s.yaml.v2.ConfigGroup(
          child.name,
          { objs: [child.object as unknown as Record<string, unknown>], ...(child.skipAwait && { skipAwait: true }) },
          { parent: this, provider: this.providerOf(child.member), dependsOn },
        );
      case "rolloutWait":
        return new command.local.Command(
          child.name,
          { create: `sleep ${child.seconds}`, triggers: child.triggers },
          { parent: this, dependsOn },
        );
      case "memberClusterTaints":
        // The hub's MemberCluster exists once the member joined the Azure Fleet.
        return new k8s.apiextensions.CustomResourcePatch(child.name, child.manifest, {
          parent: this,
          provider: this.providerOf(undefined),
          dependsOn: afterJoining(this.inner.members[child.member], dependsOn),
        });
      case "clusterResourcePlacement":
        return new k8s.apiextensions.CustomResource(child.name, child.manifest, {
          parent: this,
          provider: this.providerOf(undefined),
          dependsOn,
          // The CRP keeps its name, so the old one must go before the new one is created.
          ...(child.replace && { replaceOnChanges: ["*"], deleteBeforeReplace: true }),
        });
    }
  }

  /** The member's own provider, or the hub's (validated present in hub mode) for hub children. */
  private providerOf(member: string | undefined): pulumi.ProviderResource {
    const { args, fleet, members } = this.inner;
    return member === undefined ? hubProviderOf(args, fleet)! : members[member].provider;
  }
}

/**
 * `state.previous` given as an Output or a Promise, checked once it resolves as it would have been
 * given as itself: its format first (a state of another version has other fields), then its structure.
 */
function checkResolvedPreviousState(name: string, args: PlacementArgs, previous: PlacementState | undefined): void {
  const given = args.state?.previous;
  if (given === undefined || !isDeferredValue(given)) return;
  refuse(`Placement "${name}"`, previousStateViolations(previous));
  checkArgs(`Placement "${name}"`, "PlacementArgs", { ...args, state: { ...args.state, previous } });
}

/** The hub's provider: the one given, else the fleet's own hub provider (an Azure Fleet with a hub). */
function hubProviderOf(args: PlacementArgs, fleet: Fleet): pulumi.ProviderResource | undefined {
  return args.hub?.provider ?? fleet.hubProvider;
}

/** A hub placement may not carry a namespace a fleetmesh component creates on a member (the fleet's claims table). */
function namespaceOwnership(name: string, args: PlacementArgs, fleet: Fleet, resources: readonly KubernetesObject[]): FieldViolation[] {
  return takenOverNamespaceViolations({
    placement: name,
    mode: args.mode,
    resources,
    resourceSelectors: args.resourceSelectors,
    members: Object.keys(fleet.members),
    creatorOf: (member, namespace) => fleet.claims.namespaceOwner(member, namespace),
  });
}

async function afterJoining(member: PlacementMember, dependsOn: pulumi.Resource[]): Promise<pulumi.Resource[]> {
  return [...(await member.fleetJoined), ...dependsOn];
}

/** Every member as the scheduler sees it, in the fleet's order. */
async function memberFacts(
  members: Record<string, PlacementMember>,
  properties: PlacementArgs["memberProperties"],
  joinsAzureFleet: boolean,
): Promise<PlacementMemberFacts[]> {
  return Promise.all(
    Object.values(members).map(async (member) => ({
      name: member.memberName,
      labels: member.labels,
      taints: [...member.taints],
      properties: ownValue(properties, member.memberName),
      azure: await azureFacts(member, joinsAzureFleet),
    })),
  );
}

/**
 * What Azure Fleet labels an AKS member of an Azure Fleet with (the rule MultiClusterService shares):
 * its location and resource group once known (left out while unknown in a preview).
 */
async function azureFacts(member: PlacementMember, joinsAzureFleet: boolean): Promise<PlacementMemberFacts["azure"]> {
  if (member.aks === undefined || !joinsAzureFleet) return undefined;
  const [location, resourceGroupName] = await Promise.all([
    knownValue(pulumi.output(member.aks.location)),
    knownValue(pulumi.output(member.aks.resourceGroupName)),
  ]);
  return azureFleetFacts({ location, resourceGroupName, clusterName: member.aks.clusterName }, member.memberName, joinsAzureFleet);
}
