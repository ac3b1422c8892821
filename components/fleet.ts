import * as pulumi from "@pulumi/pulumi";
import { privateState } from "./runtime/private-state";
import { checkArgs } from "./runtime/check-args";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as k8s from "@pulumi/kubernetes";
import { AzureHubAccessArgs, AzureLoginArgs, hubAccess, kubeloginOptions } from "./runtime/azure-hub";
import { aksWiring, azureAllocationViolations, azureArgumentViolations, azureFleetMembership } from "./runtime/azure-fleet";
import { AllocationRow, allocationRows, renderAllocationTable } from "./core/fleet/allocation-table";
import { MemberSite, memberSite } from "./core/fleet/member-site";
import { ownerStackLabelValue } from "./core/fleet/kind-names";
import { meshEndpoints, meshPeerTableOf } from "./core/fleet/member-cilium";
import { MeshEndpoint } from "./core/cilium/mesh";
import { MeshPeerTable } from "./core/cilium/peer-config";
import { FleetDeclaration, FleetPlan, PlannedMesh, allocateFleet, defaultPools, fleetState, planFleet } from "./core/fleet/plan-fleet";
import { FleetState, MemberAllocation, Provisioner } from "./core/fleet/types";
import { ownValue } from "./core/fleet/own";
import { FleetValidationError, refuse } from "./errors";
import { ClusterMesh, ClusterMeshContext, MeshDeclaration } from "./cluster-mesh";
import { FieldViolation } from "./core/k8s/field-errors";
import { MeshPeers, Member, MemberContext, MemberDeclaration } from "./member";
import { plannedOutput } from "./runtime/deferred";
import { knownOrUndefined } from "./runtime/outputs";
import { FleetClaims } from "./runtime/fleet-claims";
import { FleetStateSource, PreviousFleetRead, readPreviousFleetState } from "./runtime/previous-state";
import { freshStateWarnings, missingStateViolations } from "./core/fleet/missing-state";
import { previousFleetStateViolations } from "./core/fleet/validation/previous-state";
import { armFleetMemberHandover } from "./core/azure/arm-fleet-members";
import { afterConstruction, readyOf } from "./runtime/planned-component";
import { ExistingCa, SharedCa, sharedCa } from "./runtime/shared-ca";
import { secretArgumentViolations } from "./runtime/secret-inputs";
import { MaxConnectedClusters, RoutingMode } from "./core/fleet/enums";

export { defaultPools };

/** Fleet-wide Cilium choices. */
export interface FleetCiliumArgs {
  /**
   * One Cilium chart version for the whole fleet (1.16 to 1.20).
   * @default "1.18.12"
   */
  readonly version?: string;
  /**
   * Cilium replaces kube-proxy on kind members (kind's kube-proxy is then not installed).
   * @default true
   */
  readonly kubeProxyReplacement?: boolean;
  /**
   * `tunnel` (VXLAN between nodes) or `native` (pod CIDRs routed by the network), the same everywhere.
   * @default "tunnel"
   */
  readonly routingMode?: RoutingMode;
  /**
   * Pinned fleet-wide so a network policy means the same on every Cilium version: selectors without a
   * cluster label select only the local cluster.
   * @default true
   */
  readonly policyDefaultLocalCluster?: boolean;
}

/** An Azure Kubernetes Fleet Manager fleet that AKS members join. */
export interface AzureFleetArgs {
  /** The resource group the fleet is created in. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** The fleet's Azure region. */
  readonly location: pulumi.Input<string>;
  /**
   * The fleet's resource name.
   * @default the Fleet component's name
   */
  readonly fleetName?: string;
  /**
   * Create a hub (needed for placement and fleet networking).
   * @default true
   */
  readonly hub?: boolean;
  /**
   * The hub's access for `pulumi`: optionally grant its identity the Fleet Manager RBAC role a
   * ClusterResourcePlacement needs, and wait until the hub honours it.
   * @default no grant: the identity already holds a Fleet Manager RBAC role on the fleet
   */
  readonly hubAccess?: AzureHubAccessArgs;
  /**
   * Hand AKS members that an earlier fleetmesh version joined through ARM FleetMember resources over to
   * the `az fleet member` commands this version keeps membership with: for one run, those resources
   * stay registered with `retainOnDelete`, so the run after (without this setting) drops them from the
   * state instead of deleting the memberships. A run whose previous state predates the commands is
   * refused without it.
   * @default false: no ARM FleetMember resource is registered
   */
  readonly retireArmFleetMembers?: boolean;
}

/** The allocator's NodePort range (inclusive). */
export interface NodePortRangeArgs {
  /** The first NodePort handed out. */
  readonly first: number;
  /** The last NodePort handed out. */
  readonly last: number;
}

/** Pools the fleet allocates from; any pool left out takes its default. */
export interface FleetPoolsArgs {
  /**
   * IPv4 CIDR every member's pod CIDR is carved from.
   * @default "10.0.0.0/9"
   */
  readonly podCidrPool?: string;
  /**
   * Prefix length of each member's pod CIDR.
   * @default 17 (18 with maxConnectedClusters 511)
   */
  readonly podCidrPrefixLength?: number;
  /**
   * IPv4 CIDR every member's service CIDR is carved from (disjoint from the pod pool).
   * @default "10.128.0.0/12"
   */
  readonly serviceCidrPool?: string;
  /**
   * Prefix length of each member's service CIDR.
   * @default 20 (21 with maxConnectedClusters 511)
   */
  readonly serviceCidrPrefixLength?: number;
  /**
   * NodePorts for the clustermesh-apiserver of kind members (and NodePort mesh endpoints), handed out
   * lowest first. The default's first 86 ports (30000-30085) are the band Kubernetes hands to Services
   * that ask for any NodePort only once the rest of the range is full (KEP-3668), so a mesh NodePort is
   * unlikely to be given to another Service too. NodePorts members already hold stay where they are.
   * @default 30000 to 32767, the Kubernetes NodePort range (before this default: 32000 to 32767)
   */
  readonly nodePortRange?: NodePortRangeArgs;
}

export interface FleetArgs {
  /** Member name → how to get that cluster. Names become Cilium cluster names. */
  readonly members: Record<string, MemberDeclaration>;
  /**
   * Mesh name → which members (by label) are joined into one Cilium Cluster Mesh (AKS members with
   * managed Cilium: an Azure Fleet ClusterMeshProfile). A member joins at most one mesh.
   * @default no mesh: members run Cilium on their own
   */
  readonly meshes?: Record<string, MeshDeclaration>;
  /**
   * Fleet-wide Cilium choices.
   * @default Cilium 1.18.12 with kube-proxy replacement on kind, tunnel routing, policyDefaultLocalCluster
   */
  readonly cilium?: FleetCiliumArgs;
  /**
   * Cilium `clustermesh.maxConnectedClusters`: 255, or 511 (halves cluster-local identities). Set once:
   * the fleet state records it, and a later run that changes it while installed members remain is refused.
   * @default 255
   */
  readonly maxConnectedClusters?: MaxConnectedClusters;
  /**
   * Where pod CIDRs, service CIDRs and kind NodePorts are allocated from.
   * @default pods from 10.0.0.0/9 in /17s, services from 10.128.0.0/12 in /20s (one bit longer at 511 members), NodePorts 30000-32767 handed out lowest first
   */
  readonly pools?: FleetPoolsArgs;
  /**
   * Where kind and kubeconfig members take the pinned address of a MultiClusterService's LoadBalancer
   * (Cilium LB-IPAM): the member with cluster id N gets the pool's N-th address, so the default gives
   * 172.18.255.N, at the top of the Docker network kind puts every cluster on (ids 1..254 fit).
   * @default "172.18.255.0/24"
   */
  readonly loadBalancerPool?: string;
  /**
   * Bring your own root CA.
   * @default a new ECDSA P-256 root CA, valid 10 years
   */
  readonly ca?: ExistingCa;
  /**
   * Create an Azure Fleet that the AKS members join (with their labels).
   * @default no Azure Fleet
   */
  readonly azureFleet?: AzureFleetArgs;
  /**
   * How `pulumi` logs in to Entra-only Kubernetes API servers: the Azure Fleet hub, and AKS members whose
   * kubeconfig is an Entra (kubelogin) one. Their kubeconfigs come in device-code mode, which would wait
   * for a person; they are switched to this login (kubelogin on PATH).
   * @default { mode: "azurecli" }: the `az login` session
   */
  readonly azureLogin?: AzureLoginArgs;
  /**
   * Where the previous run's allocation is read from, so allocations never move. A stack that has
   * outputs but none holding this fleet's state refuses the run (a fleet new to such a stack sets `fresh`).
   * @default this stack's own output "<camelCaseName>FleetState" ("kindMeshFleetState" for a fleet named "kind-mesh"): export `fleet.state` under that name
   */
  readonly state?: FleetStateSource;
  /**
   * Allow an existing member's id, CIDRs or NodePort to change (a pin changed, a pool shrank).
   * Renumbering a meshed cluster needs its workloads restarted.
   * @default false: such a change fails the run and nothing moves
   */
  readonly allowRenumber?: boolean;
}

/** The plain declaration planFleet reads. */
function declarationOf(name: string, args: FleetArgs): FleetDeclaration {
  const members = Object.entries(args.members ?? {}).map(([member, d]) => ({
    name: member,
    kind: d.kind && { workers: d.kind.workers, nodeImage: d.kind.nodeImage, clusterName: d.kind.clusterName },
    aks: d.aks && {
      kubernetesVersion: d.aks.kubernetesVersion,
      networkPlugin: d.aks.networkPlugin,
      nodeSubnetCidr: d.aks.nodeSubnetCidr,
      nodeCount: d.aks.nodeCount,
      clusterName: d.aks.clusterName,
    },
    hasKubeconfig: d.kubeconfig !== undefined,
    labels: d.labels,
    taints: d.taints,
    clusterId: d.clusterId,
    podCidr: d.podCidr,
    serviceCidr: d.serviceCidr,
    nodePort: d.nodePort,
    meshEndpoint: d.meshEndpoint,
    existingCilium: d.existingCilium,
  }));
  const meshes = Object.entries(args.meshes ?? {}).map(([mesh, d]) => ({ name: mesh, ...d }));
  return {
    name,
    members,
    meshes,
    cilium: args.cilium,
    maxConnectedClusters: args.maxConnectedClusters,
    pools: args.pools,
    loadBalancerPool: args.loadBalancerPool,
    azureFleet: args.azureFleet !== undefined,
    ownerStack: ownerStackLabelValue(pulumi.getOrganization(), pulumi.getProject(), pulumi.getStack()),
  };
}

/** This run's allocation (with what the preview should warn about), or the refusal that stops it. */
type AllocationOutcome =
  | { allocations: Record<string, MemberAllocation>; warnings: string[]; refusal?: undefined }
  | { allocations?: undefined; warnings?: undefined; refusal: FleetValidationError };

/** What a Fleet holds besides its outputs (kept off the class: runtime/private-state.ts). */
interface FleetInternals {
  readonly name: string;
  /** Replaced, before anything reads it, when a ClusterMesh component over this fleet is declared. */
  plan: FleetPlan;
  declaration: FleetDeclaration;
  readonly outcome: Promise<AllocationOutcome>;
  readonly allocations: Promise<Record<string, MemberAllocation> | undefined>;
  readonly previous: Promise<FleetState | undefined>;
  /** The allocation what-if (undefined when the fleet refused): published, and printed in a preview. */
  readonly allocationRows: Promise<AllocationRow[] | undefined>;
  readonly azureFleet?: containerservice.Fleet;
  readonly hubProvider?: k8s.Provider;
  readonly azureContext?: MemberContext["azureFleet"];
  readonly claims: FleetClaims;
  members: Record<string, Member>;
  readonly meshRecord: Record<string, ClusterMesh>;
  /** Meshes that have their ClusterMesh component. */
  readonly attached: Set<string>;
  /** Per Cilium mesh (by name; "" for members in none): where its members are reached and its peer table, shared by its members. */
  readonly peersByMesh: Map<string, MeshPeers>;
  /** Set once the build reads the plan: a ClusterMesh declared later is refused. */
  sealed: boolean;
  /** Set once another component read the plan: a ClusterMesh declared later is refused too. */
  planPublished: boolean;
}

const internals = privateState<Fleet, FleetInternals>("Fleet");

/**
 * A fleet of member clusters sharing one root CA and one Cilium version, with ids and CIDRs that
 * never move once allocated. It plans once (`planFleet`), refuses bad arguments before anything is
 * registered, then registers in one pass: the CA, the members (cluster, then Cilium), the meshes.
 */
export class Fleet extends pulumi.ComponentResource {
  /** Carry this to the next run: `export const <camelCaseName>FleetState = fleet.state`. */
  public readonly state: pulumi.Output<FleetState>;
  /** The fleet's root CA certificate (PEM, public). */
  public readonly caCertPem: pulumi.Output<string>;
  /** The Azure Fleet has a hub (Fleet networking, such as a MultiClusterService, runs on it). */
  public readonly azureFleetHub: boolean;
  /** Where kind and kubeconfig members take their pinned LoadBalancer address (`FleetArgs.loadBalancerPool`). */
  public readonly loadBalancerPool: string;
  /** The members' names, in declaration order. */
  public readonly memberNames: string[];
  /**
   * Member name → its kubeconfig (a secret): what a program builds a member's Kubernetes provider from
   * when it does not hold the Member objects (a program in another language).
   */
  public readonly kubeconfigs: pulumi.Output<Record<string, string>>;
  /** Mesh name → the names of its members, the meshes of ClusterMesh components declared over the fleet included. */
  public readonly meshMembers: pulumi.Output<Record<string, string[]>>;
  /**
   * The allocation what-if the preview prints, as data: one row per member (its allocation, and
   * whether it is new, kept or renumbered), then one per member gone since the previous run.
   */
  public readonly allocationWhatIf: pulumi.Output<AllocationRow[]>;
  /**
   * Member name → where it runs: its provisioner and region (an AKS member's location, else its
   * `topology.kubernetes.io/region` or `region` label; none when neither is set).
   */
  public readonly memberSites: pulumi.Output<Record<string, MemberSite>>;

  // Handles and working state are getters over `internals`, not fields (runtime/private-state.ts says why).

  /** Member name → member. */
  public get members(): Record<string, Member> {
    return this.inner.members;
  }
  /** Mesh name → mesh: those of `FleetArgs.meshes` and the ClusterMesh components declared over this fleet. */
  public get meshes(): Record<string, ClusterMesh> {
    // Like `plan`: a component that reads the meshes plans with them, so no mesh may follow.
    this.inner.planPublished = true;
    return this.inner.meshRecord;
  }
  /** The Azure Kubernetes Fleet Manager fleet, when the fleet has one (`FleetArgs.azureFleet`). */
  public get azureFleet(): containerservice.Fleet | undefined {
    return this.inner.azureFleet;
  }
  /**
   * The Kubernetes provider of the Azure Fleet's hub, when it has one: its kubeconfig from `listCredentials`
   * with the Entra login switched to `azureLogin` (and, with `azureFleet.hubAccess.grantClusterAdmin`, ready
   * once the role is honoured). Hub-mode placements use it unless given another.
   */
  public get hubProvider(): k8s.Provider | undefined {
    return this.inner.hubProvider;
  }
  /**
   * Everything decided from the arguments and the ClusterMesh components declared over this fleet
   * (internal: what services and placements read of the fleet).
   */
  public get plan(): FleetPlan {
    // Whoever reads it from outside (a service, a placement) plans with these meshes: no mesh may follow.
    this.inner.planPublished = true;
    return this.inner.plan;
  }
  /** One owner per object several components want (internal). */
  public get claims(): FleetClaims {
    return this.inner.claims;
  }
  /** The Fleet component's own name (what components over it publish as `fleetName`). */
  public get componentName(): string {
    return this.inner.name;
  }
  /** Every child registered (rejects with the refusal error when the plan refused). */
  public get ready(): Promise<void> {
    return readyOf(this);
  }

  private get inner(): FleetInternals {
    return internals.of(this);
  }

  constructor(name: string, args: FleetArgs, opts?: pulumi.ComponentResourceOptions) {
    // Structure first (types, required and unknown fields): every rule below assumes it.
    checkArgs(`Fleet "${name}"`, "FleetArgs", args);
    const declaration = declarationOf(name, args);
    const plan = planFleet(declaration);
    refuse(`Fleet "${name}"`, [
      ...plan.violations,
      ...secretArgumentViolations(args),
      ...azureArgumentViolations(name, args),
      ...previousFleetStateViolations(args.state?.previous),
    ]);
    super("fleetmesh:index:Fleet", name, {}, opts);
    for (const warning of plan.warnings) pulumi.log.warn(`Fleet "${name}": ${warning}`, this);
    this.loadBalancerPool = plan.loadBalancerPool;
    this.azureFleetHub = args.azureFleet !== undefined && args.azureFleet.hub !== false;
    const ca = sharedCa(name, args.ca, this);
    this.caCertPem = ca.certPem;
    const azureFleet = args.azureFleet ? this.createAzureFleet(name, args.azureFleet) : undefined;
    const hubProvider = azureFleet && args.azureFleet && this.azureFleetHub ? this.createHubProvider(name, azureFleet, args) : undefined;
    const read = readPreviousFleetState(name, args.state, this);
    // A state output that is not a fleet's state refuses the run like any state-dependent rule.
    const outcome: Promise<AllocationOutcome> = read.then(
      (previous) =>
        givenStateRefusal(name, args, previous) ??
        withAzureAddresses(name, args, allocationOutcome(name, plan, previous, args.allowRenumber ?? false, args.azureFleet)),
      (error: Error) => ({
        refusal: new FleetValidationError(`Fleet "${name}"`, [
          { path: "state.stackOutput", message: error.message.replace(/^state\.stackOutput: /, "") },
        ]),
      }),
    );
    const allocations = outcome.then((o) => o.allocations);
    const previous = read.then(
      (previousRead) => previousRead.state,
      () => undefined,
    );
    const inner: FleetInternals = {
      name,
      plan,
      declaration,
      outcome,
      allocations,
      previous,
      // Provisioners never change with the meshes a later ClusterMesh adds, so the first plan's serve.
      allocationRows: Promise.all([previous, allocations]).then(([before, a]) => a && allocationRows(a, provisionersOf(plan), before)),
      azureFleet,
      hubProvider,
      azureContext:
        azureFleet && args.azureFleet
          ? azureFleetMembership(azureFleet.name, args.azureFleet.resourceGroupName, args.azureFleet.retireArmFleetMembers === true, this)
          : undefined,
      claims: new FleetClaims(),
      members: {},
      meshRecord: {},
      attached: new Set(),
      peersByMesh: new Map(),
      sealed: false,
      planPublished: false,
    };
    internals.set(this, inner);
    inner.members = this.createMembers(name, args, ca, allocations);
    for (const mesh of plan.meshes) new ClusterMesh(`${name}-${mesh.name}`, { fleet: this, meshName: mesh.name }, { parent: this });
    this.memberNames = plan.members.map((m) => m.name);
    this.kubeconfigs = pulumi.secret(pulumi.all(Object.fromEntries(this.memberNames.map((m) => [m, inner.members[m].kubeconfig]))));
    // Read once the build has started, so they include the ClusterMesh components declared after the fleet.
    this.state = plannedOutput(allocations.then((a) => a && fleetState(inner.plan, a)));
    // The state records each mesh's members (none recorded: no mesh).
    this.meshMembers = this.state.apply((state) =>
      Object.fromEntries(Object.entries(state.meshes ?? {}).map(([mesh, { members }]) => [mesh, members])),
    );
    this.allocationWhatIf = plannedOutput(inner.allocationRows);
    this.memberSites = memberSitesOf(plan, args);
  }

  protected override async initialize(): Promise<void> {
    this.registerOutputs(await afterConstruction(() => this.build()));
  }

  private async build(): Promise<pulumi.Inputs> {
    const inner = this.inner;
    inner.sealed = true;
    const [outcome, rows] = await Promise.all([inner.outcome, inner.allocationRows]);
    if (outcome.refusal) throw outcome.refusal;
    for (const warning of outcome.warnings) pulumi.log.warn(`Fleet "${inner.name}": ${warning}`, this);
    if (pulumi.runtime.isDryRun() && rows) pulumi.log.info(renderAllocationTable(inner.name, rows), this);
    return {
      state: this.state,
      caCertPem: this.caCertPem,
      azureFleetHub: this.azureFleetHub,
      loadBalancerPool: this.loadBalancerPool,
      memberNames: this.memberNames,
      kubeconfigs: this.kubeconfigs,
      meshMembers: this.meshMembers,
      allocationWhatIf: this.allocationWhatIf,
      memberSites: this.memberSites,
    };
  }

  private createMembers(
    name: string,
    args: FleetArgs,
    ca: SharedCa,
    allocations: Promise<Record<string, MemberAllocation> | undefined>,
  ): Record<string, Member> {
    const inner = this.inner;
    const azure = aksWiring(args);
    const members: Record<string, Member> = {};
    for (const plan of inner.plan.members) {
      members[plan.name] = new Member(
        `${name}-${plan.name}`,
        {
          plan,
          declaration: args.members[plan.name],
          cilium: inner.plan.cilium,
          loadBalancerPool: inner.plan.loadBalancerPool,
          ca,
          allocation: allocations.then((all) => ownValue(all, plan.name)),
          newMember: inner.previous.then((previous) => ownValue(previous?.members, plan.name) === undefined),
          defaultGlobalNamespace: () => this.ciliumMeshOf(plan.name)?.defaultGlobalNamespace,
          peers: () => this.peersOf(plan.name, allocations),
          azureFleet: inner.azureContext,
          azure,
          claims: inner.claims,
        },
        { parent: this },
      );
    }
    return members;
  }

  /**
   * Where the members of a member's Cilium mesh are reached and the mesh's peer table, one pair per mesh
   * that its members share (an empty table for members in none): evaluated by the member's build, once
   * every member exists.
   */
  private peersOf(member: string, allocations: Promise<Record<string, MemberAllocation> | undefined>): MeshPeers {
    const mesh = this.ciliumMeshOf(member);
    const key = mesh?.name ?? "";
    const cached = this.inner.peersByMesh.get(key);
    if (cached) return cached;
    const endpoints = mesh ? this.meshEndpointsOf(mesh, allocations) : pulumi.output<Record<string, MeshEndpoint>>({});
    const peers = { endpoints, tableFrom: this.peerTables(mesh) };
    this.inner.peersByMesh.set(key, peers);
    return peers;
  }

  /**
   * Where a mesh's members are reached, worked out once per mesh from the allocations and the node
   * addresses (waiting for them): per member instead, a mesh of N members would walk N×N values.
   */
  private meshEndpointsOf(
    mesh: PlannedMesh,
    allocations: Promise<Record<string, MemberAllocation> | undefined>,
  ): pulumi.Output<Record<string, MeshEndpoint>> {
    const addresses = pulumi.all(Object.fromEntries(mesh.members.map((m) => [m, this.inner.members[m].nodeAddress])));
    return pulumi
      .all([plannedOutput(allocations), addresses])
      .apply(([all, known]) => meshEndpoints(mesh, this.inner.plan.members, all, known));
  }

  /** A mesh's peer table per value of its endpoints, built by the first of its members to ask and shared by the others. */
  private peerTables(mesh: PlannedMesh | undefined): (endpoints: Record<string, MeshEndpoint>) => MeshPeerTable {
    const tables = new WeakMap<Record<string, MeshEndpoint>, MeshPeerTable>();
    return (endpoints) => {
      let table = tables.get(endpoints);
      if (!table) {
        table = meshPeerTableOf(mesh, this.inner.plan.cilium, endpoints);
        tables.set(endpoints, table);
      }
      return table;
    };
  }

  /** Where each member of a Cilium mesh is reached, for the what-if: a node address not known yet is left out, not waited for. */
  private endpointsOf(mesh: PlannedMesh, allocations: Promise<Record<string, MemberAllocation> | undefined>) {
    const addresses = pulumi.all(Object.fromEntries(mesh.members.map((m) => [m, knownOrUndefined(this.inner.members[m].nodeAddress)])));
    return pulumi
      .all([plannedOutput(allocations), addresses])
      .apply(([all, known]) => meshEndpoints(mesh, this.inner.plan.members, all, known));
  }

  /** The Cilium mesh a member is in, if any (as planned once every ClusterMesh is declared). */
  private ciliumMeshOf(member: string): PlannedMesh | undefined {
    const planned = this.inner.plan.members.find((m) => m.name === member)!;
    return this.inner.plan.meshes.find((m) => m.name === planned.mesh && m.backend === "cilium");
  }

  /**
   * What a ClusterMesh over this fleet needs (internal: called by the ClusterMesh constructor). A mesh
   * of `FleetArgs.meshes` is already planned; any other is planned with the fleet's members now, by the
   * same rules (one mesh per member, size limits), and refused before anything is registered. It must
   * be declared before the fleet's build reads the plan: in the same synchronous part of the program.
   */
  public attachMesh(owner: string, meshName: string, declaration: MeshDeclaration | undefined): ClusterMeshContext {
    const declared = this.inner.declaration.meshes.some((m) => m.name === meshName);
    if (this.inner.attached.has(meshName)) {
      refuse(`ClusterMesh "${owner}"`, [
        { path: "meshName", message: `"${meshName}" already has its ClusterMesh component in fleet "${this.inner.name}"` },
      ]);
    }
    if (declaration === undefined && !declared) {
      refuse(`ClusterMesh "${owner}"`, [{ path: "memberSelector", message: "is required: it selects the members of the mesh by label" }]);
    }
    if (declaration !== undefined) {
      const violations = this.standaloneMeshViolations(meshName, declared);
      refuse(`ClusterMesh "${owner}"`, violations);
      const next = { ...this.inner.declaration, meshes: [...this.inner.declaration.meshes, { name: meshName, ...declaration }] };
      const plan = planFleet(next);
      // The mesh's own fields are this component's arguments, not the fleet's `meshes.<name>` entry.
      const own = `meshes.${meshName}.`;
      refuse(
        `ClusterMesh "${owner}"`,
        plan.violations.map((v) => (v.path.startsWith(own) ? { ...v, path: v.path.slice(own.length) } : v)),
      );
      for (const warning of plan.warnings.filter((w) => !this.inner.plan.warnings.includes(w))) {
        pulumi.log.warn(`Fleet "${this.inner.name}": ${warning}`, this);
      }
      this.inner.declaration = next;
      this.inner.plan = plan;
    }
    const plan = this.inner.plan.meshes.find((m) => m.name === meshName)!;
    this.inner.attached.add(meshName);
    return {
      plan,
      members: this.inner.members,
      previousMembers: this.inner.previous.then((prev) => ownValue(prev?.meshes, plan.name)?.members),
      ciliumVersion: this.inner.plan.cilium.version,
      maxConnectedClusters: this.inner.plan.cilium.maxConnectedClusters,
      endpoints: () => this.endpointsOf(plan, this.inner.allocations),
      azureFleet: this.inner.azureContext,
      claims: this.inner.claims,
      register: (mesh: ClusterMesh) => {
        this.inner.meshRecord[plan.name] = mesh;
      },
    };
  }

  private standaloneMeshViolations(meshName: string, declared: boolean): FieldViolation[] {
    if (this.inner.sealed) {
      const rule = "declare every ClusterMesh in the same synchronous part of the program as its fleet, before any await";
      return [{ path: "fleet", message: `fleet "${this.inner.name}" has already planned its members: ${rule}` }];
    }
    if (this.inner.planPublished) {
      const rule = "declare every ClusterMesh over a fleet before the services, policies and placements that use the fleet";
      return [{ path: "fleet", message: `a component has already planned with fleet "${this.inner.name}"'s meshes: ${rule}` }];
    }
    if (declared)
      return [
        { path: "meshName", message: `"${meshName}" is already a mesh of fleet "${this.inner.name}": mesh names are unique per fleet` },
      ];
    return [];
  }

  private createHubProvider(name: string, azureFleet: containerservice.Fleet, args: FleetArgs): k8s.Provider {
    const azure = args.azureFleet!;
    return hubAccess(name, azureFleet, azure.resourceGroupName, kubeloginOptions(args.azureLogin), azure.hubAccess, this).provider;
  }

  private createAzureFleet(name: string, azure: AzureFleetArgs): containerservice.Fleet {
    const fleetName = azure.fleetName ?? name;
    return new containerservice.Fleet(
      `${name}-azure-fleet`,
      {
        resourceGroupName: azure.resourceGroupName,
        location: azure.location,
        fleetName,
        hubProfile: azure.hub === false ? undefined : { dnsPrefix: fleetName },
      },
      { parent: this },
    );
  }
}

/**
 * Allocates against the previous run. A refused renumbering, or a state missing from a stack that was
 * deployed before, refuses the whole run, naming the field: nothing that would consume an allocation
 * is registered while it stands.
 */
function allocationOutcome(
  name: string,
  plan: FleetPlan,
  previous: PreviousFleetRead,
  allowRenumber: boolean,
  azure: AzureFleetArgs | undefined,
): AllocationOutcome {
  const missing = missingStateViolations(previous.lookup);
  if (missing.length > 0) return { refusal: new FleetValidationError(`Fleet "${name}"`, missing) };
  const result = allocateFleet(plan, previous.state, allowRenumber);
  const handover = armFleetMemberHandover({
    azureFleet: azure !== undefined,
    aksMembers: plan.members.filter((m) => m.provisioner === "aks").map((m) => m.name),
    previous: previous.state,
    retiring: azure?.retireArmFleetMembers === true,
  });
  const violations = [...result.violations, ...handover.violations];
  if (violations.length > 0) return { refusal: new FleetValidationError(`Fleet "${name}"`, violations) };
  return { allocations: result.allocations, warnings: [...freshStateWarnings(previous.lookup), ...handover.warnings] };
}

/** A `state.previous` given as an Output is checked once it arrives (a plain one was checked with the arguments). */
function givenStateRefusal(name: string, args: FleetArgs, previous: PreviousFleetRead): AllocationOutcome | undefined {
  if (args.state?.previous === undefined) return undefined;
  const violations = previousFleetStateViolations(previous.state);
  return violations.length > 0 ? { refusal: new FleetValidationError(`Fleet "${name}"`, violations) } : undefined;
}

/** The allocation's pod CIDRs against the AKS members' VNet address prefixes, when given (runtime/azure-fleet.ts). */
function withAzureAddresses(name: string, args: FleetArgs, outcome: AllocationOutcome): AllocationOutcome {
  if (!outcome.allocations) return outcome;
  const violations = azureAllocationViolations(args, outcome.allocations);
  return violations.length > 0 ? { refusal: new FleetValidationError(`Fleet "${name}"`, violations) } : outcome;
}

function provisionersOf(plan: FleetPlan): Record<string, Provisioner> {
  return Object.fromEntries(plan.members.map((m) => [m.name, m.provisioner]));
}

/** Each member's site; an AKS member's location may be an Output, so the whole record is one. */
function memberSitesOf(plan: FleetPlan, args: FleetArgs): pulumi.Output<Record<string, MemberSite>> {
  const sites = plan.members.map((m) => {
    const location = ownValue(args.members, m.name)?.aks?.location;
    return pulumi.output(location).apply((l) => [m.name, memberSite(m.provisioner, m.labels, l)] as const);
  });
  return pulumi.all(sites).apply((entries) => Object.fromEntries(entries));
}
