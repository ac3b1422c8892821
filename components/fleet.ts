import * as pulumi from "@pulumi/pulumi";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { AllocateInput, allocate } from "./core/fleet/allocation";
import { allocationRows, renderAllocationTable } from "./core/fleet/allocation-table";
import { DEFAULT_CILIUM_VERSION, policyScopeFinding } from "./core/cilium/cilium-version";
import { DEFAULT_LOAD_BALANCER_POOL, loadBalancerPoolViolations } from "./core/cilium/load-balancer-pool";
import { AllocationPools, AllocationRequest, FleetSpec, FleetState, MemberAllocation, MemberSpec, Provisioner } from "./core/fleet/types";
import { validateFleet } from "./core/fleet/validate-fleet";
import { FleetValidationError, refuse } from "./errors";
import { FleetStateSource, previousFleetState } from "./runtime/previous-state";
import { FleetCiliumSettings, Member, MemberDeclaration } from "./member";
import { ClusterMesh, MeshDeclaration } from "./cluster-mesh";
import { MeshMemberFacts, MeshPlan, azureByLabel, planMeshes } from "./core/cilium/mesh";
import { ExistingCa, sharedCa } from "./runtime/shared-ca";

/** Pools for 255 members; `defaultPools(511)` halves each slot so 511 fit. */
export function defaultPools(maxConnectedClusters: 255 | 511): AllocationPools {
  const extraBit = maxConnectedClusters === 511 ? 1 : 0;
  return {
    podCidrPool: "10.0.0.0/9",
    podCidrPrefixLength: 17 + extraBit,
    serviceCidrPool: "10.128.0.0/12",
    serviceCidrPrefixLength: 20 + extraBit,
    nodePortRange: { first: 32000, last: 32767 },
  };
}

/** Fleet-wide Cilium choices. */
export interface FleetCiliumArgs {
  /**
   * One Cilium chart version for the whole fleet (1.16 to 1.20).
   * @default "1.18.12"
   */
  version?: string;
  /**
   * Cilium replaces kube-proxy on kind members (kind's kube-proxy is then not installed).
   * @default true
   */
  kubeProxyReplacement?: boolean;
  /** @default "tunnel" */
  routingMode?: "tunnel" | "native";
  /**
   * Pinned fleet-wide so a network policy means the same on every Cilium version: selectors without a
   * cluster label select only the local cluster.
   * @default true
   */
  policyDefaultLocalCluster?: boolean;
}

/** An Azure Kubernetes Fleet Manager fleet that AKS members join. */
export interface AzureFleetArgs {
  resourceGroupName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  /**
   * The fleet's resource name.
   * @default the Fleet component's name
   */
  fleetName?: string;
  /**
   * Create a hub (needed for placement and fleet networking).
   * @default true
   */
  hub?: boolean;
}

export interface FleetArgs {
  /** Member name → how to get that cluster. Names become Cilium cluster names. */
  members: Record<string, MemberDeclaration>;
  /**
   * Mesh name → which members (by label) are joined into one Cilium Cluster Mesh (AKS members with
   * managed Cilium: an Azure Fleet ClusterMeshProfile). A member joins at most one mesh.
   * @default no mesh
   */
  meshes?: Record<string, MeshDeclaration>;
  /** @default see FleetCiliumArgs */
  cilium?: FleetCiliumArgs;
  /**
   * Cilium `clustermesh.maxConnectedClusters`: 255, or 511 (halves cluster-local identities). Set once.
   * @default 255
   */
  maxConnectedClusters?: 255 | 511;
  /**
   * Where pod CIDRs, service CIDRs and kind NodePorts are allocated from.
   * @default defaultPools(maxConnectedClusters)
   */
  pools?: Partial<AllocationPools>;
  /**
   * Where kind and kubeconfig members take the pinned address of a MultiClusterService's LoadBalancer
   * (Cilium LB-IPAM): the member with cluster id N gets the pool's N-th address, so the default gives
   * 172.18.255.N, at the top of the Docker network kind puts every cluster on (ids 1..254 fit).
   * @default "172.18.255.0/24"
   */
  loadBalancerPool?: string;
  /**
   * Bring your own root CA.
   * @default a new ECDSA P-256 root CA, valid 10 years
   */
  ca?: ExistingCa;
  /**
   * Create an Azure Fleet that the AKS members join (with their labels).
   * @default no Azure Fleet
   */
  azureFleet?: AzureFleetArgs;
  /**
   * Where the previous run's allocation is read from, so allocations never move.
   * @default this stack's own output "fleetState" (export `fleet.state` under that name)
   */
  state?: FleetStateSource;
  /**
   * Allow an existing member's id, CIDRs or NodePort to change (a pin changed, a pool shrank).
   * Renumbering a meshed cluster needs its workloads restarted.
   * @default false
   */
  allowRenumber?: boolean;
}

function provisionersOf(declaration: MemberDeclaration): Provisioner[] {
  const given: Provisioner[] = [];
  if (declaration.kind) given.push("kind");
  if (declaration.aks) given.push("aks");
  if (declaration.kubeconfig !== undefined) given.push("kubeconfig");
  return given;
}

function memberSpec(name: string, declaration: MemberDeclaration): MemberSpec {
  return {
    name,
    provisioners: provisionersOf(declaration),
    labels: declaration.labels ?? {},
    taints: declaration.taints ?? [],
    pins: { clusterId: declaration.clusterId, podCidr: declaration.podCidr, serviceCidr: declaration.serviceCidr, nodePort: declaration.nodePort },
    kubernetesVersion: declaration.aks?.kubernetesVersion,
    aksNetworkPlugin: declaration.aks ? declaration.aks.networkPlugin ?? "azure" : undefined,
    kindWorkers: declaration.kind?.workers,
  };
}

function ciliumOwnerOf(declaration: MemberDeclaration): MeshMemberFacts["ciliumOwner"] {
  return declaration.aks && declaration.aks.networkPlugin !== "none" ? "aks" : "fleetmesh";
}

/** Whether peers can know this member's clustermesh-apiserver address before it exists. */
function hasMeshEndpoint(declaration: MemberDeclaration): boolean {
  if (declaration.kind) return true;
  const endpoint = declaration.meshEndpoint;
  if (!endpoint) return false;
  return endpoint.serviceType === "NodePort" ? (endpoint.ips?.length ?? 0) > 0 : endpoint.loadBalancerIP !== undefined;
}

function meshMemberFacts(args: FleetArgs): MeshMemberFacts[] {
  return Object.entries(args.members ?? {}).map(([name, declaration]) => ({
    name,
    labels: declaration.labels ?? {},
    provisioner: provisionersOf(declaration)[0] ?? "kubeconfig",
    ciliumOwner: ciliumOwnerOf(declaration),
    kubernetesVersion: declaration.aks?.kubernetesVersion,
    hasMeshEndpoint: hasMeshEndpoint(declaration),
  }));
}

/** The meshes this run builds, and every problem with them. */
function meshPlans(args: FleetArgs, maxConnectedClusters: number) {
  const specs = Object.entries(args.meshes ?? {}).map(([name, mesh]) => ({ name, memberSelector: mesh.memberSelector }));
  const result = planMeshes(specs, meshMemberFacts(args), maxConnectedClusters);
  for (const plan of result.plans) {
    if (plan.backend === "azure-fleet" && !args.azureFleet) {
      result.violations.push({ path: `meshes.${plan.name}`, message: `mesh "${plan.name}" joins AKS members with AKS-managed Cilium, which only an Azure Fleet ClusterMeshProfile can mesh: set azureFleet` });
    }
  }
  return result;
}

function fleetSpec(name: string, args: FleetArgs): FleetSpec {
  const maxConnectedClusters = args.maxConnectedClusters ?? 255;
  return {
    name,
    ciliumVersion: args.cilium?.version ?? DEFAULT_CILIUM_VERSION,
    maxConnectedClusters,
    pools: { ...defaultPools(maxConnectedClusters === 511 ? 511 : 255), ...args.pools },
    // Mesh rules (AKS version for Fleet meshes, managed vs self-managed Cilium) are planMeshes' to report.
    members: Object.entries(args.members ?? {}).map(([member, declaration]) => memberSpec(member, declaration)),
  };
}

/** kind members, and members exposing their clustermesh-apiserver as a NodePort, get a NodePort. */
/** What this run asks the allocator for; only the previous state and the renumbering switch vary. */
type FleetAllocationRequest = Omit<AllocateInput, "previous" | "allowRenumber">;

function fleetAllocationRequest(spec: FleetSpec, args: FleetArgs): FleetAllocationRequest {
  return { requests: allocationRequests(spec, args), pools: spec.pools, maxConnectedClusters: spec.maxConnectedClusters as 255 | 511 };
}

function allocationRequests(spec: FleetSpec, args: FleetArgs): AllocationRequest[] {
  return spec.members.map((m) => ({
    name: m.name,
    needsNodePort: m.provisioners.includes("kind") || args.members[m.name]?.meshEndpoint?.serviceType === "NodePort",
    pins: m.pins,
  }));
}

/**
 * The allocation to hold while a renumbering is refused: every existing member pinned to exactly
 * what it had, new members allocated around them without their own pins (so they cannot collide
 * with what the existing members keep). Undefined when even that does not fit (a pool shrank).
 */
function frozenAllocation(request: FleetAllocationRequest, previous: FleetState | undefined): Record<string, MemberAllocation> | undefined {
  const requests = request.requests.map((member) => ({ ...member, pins: { ...(previous?.members[member.name] ?? {}) } }));
  const frozen = allocate({ ...request, requests, previous, allowRenumber: false });
  return frozen.violations.length === 0 ? frozen.allocations : undefined;
}

function keptFromPrevious(allocations: Record<string, MemberAllocation>, previous: FleetState | undefined): Record<string, MemberAllocation> {
  return Object.fromEntries(Object.keys(allocations).filter((m) => previous?.members[m]).map((m) => [m, previous!.members[m]]));
}

/**
 * A fleet of member clusters sharing one root CA and one Cilium version, with ids and CIDRs that
 * never move once allocated. Bad arguments are refused before anything is registered.
 */
export class Fleet extends pulumi.ComponentResource {
  /** Member name → member. */
  public readonly members: Record<string, Member>;
  /** Carry this to the next run: `export const fleetState = fleet.state`. */
  public readonly state: pulumi.Output<FleetState>;
  /** Mesh name → mesh. */
  public readonly meshes: Record<string, ClusterMesh>;
  public readonly caCertPem: pulumi.Output<string>;
  public readonly azureFleet?: containerservice.Fleet;
  /** The Azure Fleet has a hub (Fleet networking, such as a MultiClusterService, runs on it). */
  public readonly azureFleetHub: boolean;
  /** Where kind and kubeconfig members take their pinned LoadBalancer address (`FleetArgs.loadBalancerPool`). */
  public readonly loadBalancerPool: string;

  constructor(name: string, args: FleetArgs, opts?: pulumi.ComponentResourceOptions) {
    const component = `Fleet "${name}"`;
    const meshing = meshPlans(args, args.maxConnectedClusters ?? 255);
    const spec = fleetSpec(name, args);
    const loadBalancerPool = args.loadBalancerPool ?? DEFAULT_LOAD_BALANCER_POOL;
    const otherPools = { podCidrPool: spec.pools.podCidrPool, serviceCidrPool: spec.pools.serviceCidrPool };
    const policyScope = policyScopeFinding(spec.ciliumVersion, args.cilium?.policyDefaultLocalCluster);
    refuse(component, [
      ...validateFleet(spec),
      ...meshing.violations,
      ...loadBalancerPoolViolations(loadBalancerPool, otherPools),
      ...(policyScope.violation ? [policyScope.violation] : []),
    ]);
    // Pins, pools and capacity are checked now; only renumbering needs the previous run's state.
    const allocationRequest = fleetAllocationRequest(spec, args);
    refuse(component, allocate(allocationRequest).violations);
    super("fleetmesh:index:Fleet", name, {}, opts);

    if (policyScope.warning && meshing.plans.length > 0) pulumi.log.warn(`${component}: ${policyScope.warning}`, this);
    this.loadBalancerPool = loadBalancerPool;
    this.azureFleetHub = args.azureFleet !== undefined && args.azureFleet.hub !== false;
    const ca = sharedCa(name, args.ca, this);
    this.caCertPem = ca.certPem;
    this.azureFleet = args.azureFleet ? this.createAzureFleet(name, args.azureFleet) : undefined;
    const previous = previousFleetState(name, args.state, this);
    const allocations = previous.apply((prev) => this.allocateAgainst(component, allocationRequest, prev, args.allowRenumber ?? false));
    this.members = this.createMembers(name, args, spec, allocations, ca);
    this.meshes = this.createMeshes(name, args, spec, meshing.plans, previous);
    for (const [memberName, member] of Object.entries(this.members)) {
      const mesh = Object.values(this.meshes).find((m) => m.members.includes(memberName));
      member.installCilium(mesh?.meshInputFor(memberName));
    }
    const meshMembers = Object.fromEntries(meshing.plans.map((plan) => [plan.name, { members: plan.members }]));
    this.state = allocations.apply((members): FleetState => (meshing.plans.length > 0 ? { version: 1, members, meshes: meshMembers } : { version: 1, members }));
    this.announceAllocation(name, spec, previous, allocations);
    this.registerOutputs({ state: this.state, caCertPem: this.caCertPem });
  }

  /**
   * This run's allocation given the previous run's. A refused renumbering fails the run with an error
   * naming the member, and every existing member keeps what it has: nothing is renumbered, not even
   * partly, while the error stands.
   */
  private allocateAgainst(component: string, request: FleetAllocationRequest, previous: FleetState | undefined, allowRenumber: boolean): Record<string, MemberAllocation> {
    const result = allocate({ ...request, previous, allowRenumber });
    if (result.violations.length === 0) return result.allocations;
    pulumi.log.error(new FleetValidationError(component, result.violations).message, this);
    return frozenAllocation(request, previous) ?? { ...result.allocations, ...keptFromPrevious(result.allocations, previous) };
  }

  private ciliumSettings(args: FleetArgs, spec: FleetSpec): FleetCiliumSettings {
    return {
      version: spec.ciliumVersion,
      maxConnectedClusters: spec.maxConnectedClusters as 255 | 511,
      kubeProxyReplacement: args.cilium?.kubeProxyReplacement ?? true,
      routingMode: args.cilium?.routingMode ?? "tunnel",
      nativeRoutingCidr: spec.pools.podCidrPool,
      policyDefaultLocalCluster: args.cilium?.policyDefaultLocalCluster ?? true,
    };
  }

  private createMembers(
    name: string,
    args: FleetArgs,
    spec: FleetSpec,
    allocations: pulumi.Output<Record<string, MemberAllocation>>,
    ca: ReturnType<typeof sharedCa>,
  ): Record<string, Member> {
    const cilium = this.ciliumSettings(args, spec);
    const fleetMembership = this.azureFleet && args.azureFleet
      ? { fleetName: this.azureFleet.name, resourceGroupName: args.azureFleet.resourceGroupName }
      : undefined;
    const members: Record<string, Member> = {};
    for (const memberName of Object.keys(args.members).sort()) {
      members[memberName] = new Member(
        `${name}-${memberName}`,
        {
          ...args.members[memberName],
          memberName,
          allocation: allocations.apply((a) => a[memberName]),
          ca,
          cilium,
          fleetMembership,
        },
        { parent: this },
      );
    }
    return members;
  }

  private createMeshes(name: string, args: FleetArgs, spec: FleetSpec, plans: readonly MeshPlan[], previous: pulumi.Output<FleetState | undefined>): Record<string, ClusterMesh> {
    const meshes: Record<string, ClusterMesh> = {};
    for (const plan of plans) {
      const declaration = args.meshes![plan.name];
      const azure = plan.backend === "azure-fleet" && this.azureFleet && args.azureFleet
        ? {
            fleetName: this.azureFleet.name,
            resourceGroupName: args.azureFleet.resourceGroupName,
            byLabel: azureByLabel(declaration.memberSelector)!,
            fleetMembers: Object.fromEntries(plan.members.flatMap((m) => (this.members[m].fleetMember ? [[m, this.members[m].fleetMember!]] : []))),
          }
        : undefined;
      meshes[plan.name] = new ClusterMesh(
        `${name}-${plan.name}`,
        {
          ...declaration,
          plan,
          members: this.members,
          previousMembers: previous.apply((prev) => prev?.meshes?.[plan.name]?.members),
          ciliumVersion: spec.ciliumVersion,
          azure,
        },
        { parent: this },
      );
    }
    return meshes;
  }

  private createAzureFleet(name: string, azure: AzureFleetArgs): containerservice.Fleet {
    const fleetName = azure.fleetName ?? name;
    return new containerservice.Fleet(
      name,
      {
        resourceGroupName: azure.resourceGroupName,
        location: azure.location,
        fleetName,
        hubProfile: azure.hub === false ? undefined : { dnsPrefix: fleetName },
      },
      { parent: this },
    );
  }

  /** During preview, print the allocation what-if under this resource. */
  private announceAllocation(
    name: string,
    spec: FleetSpec,
    previous: pulumi.Output<FleetState | undefined>,
    allocations: pulumi.Output<Record<string, MemberAllocation>>,
  ): void {
    if (!pulumi.runtime.isDryRun()) return;
    const provisioners = Object.fromEntries(spec.members.map((m) => [m.name, m.provisioners[0]]));
    pulumi.all([previous, allocations]).apply(([prev, current]) => {
      pulumi.log.info(renderAllocationTable(name, allocationRows(current, provisioners, prev)), this);
    });
  }
}
