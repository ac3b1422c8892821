import * as pulumi from "@pulumi/pulumi";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { allocate } from "./core/allocation";
import { allocationRows, renderAllocationTable } from "./core/allocation-table";
import { DEFAULT_CILIUM_VERSION } from "./core/cilium-version";
import { AllocationPools, AllocationRequest, FleetSpec, FleetState, MemberAllocation, MemberSpec, Provisioner } from "./core/types";
import { validateFleet } from "./core/validate-fleet";
import { FleetValidationError, refuse } from "./errors";
import { FleetStateSource, previousFleetState } from "./fleet-state";
import { FleetCiliumSettings, Member, MemberDeclaration } from "./member";
import { ExistingCa, sharedCa } from "./shared-ca";

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

function fleetSpec(name: string, args: FleetArgs): FleetSpec {
  const maxConnectedClusters = args.maxConnectedClusters ?? 255;
  return {
    name,
    ciliumVersion: args.cilium?.version ?? DEFAULT_CILIUM_VERSION,
    maxConnectedClusters,
    pools: { ...defaultPools(maxConnectedClusters === 511 ? 511 : 255), ...args.pools },
    members: Object.entries(args.members ?? {}).map(([member, declaration]) => memberSpec(member, declaration)),
  };
}

function allocationRequests(spec: FleetSpec): AllocationRequest[] {
  return spec.members.map((m) => ({ name: m.name, needsNodePort: m.provisioners.includes("kind"), pins: m.pins }));
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
  public readonly caCertPem: pulumi.Output<string>;
  public readonly azureFleet?: containerservice.Fleet;

  constructor(name: string, args: FleetArgs, opts?: pulumi.ComponentResourceOptions) {
    const spec = fleetSpec(name, args);
    const component = `Fleet "${name}"`;
    refuse(component, validateFleet(spec));
    // Pins, pools and capacity are checked now; only renumbering needs the previous run's state.
    refuse(component, allocate({ requests: allocationRequests(spec), pools: spec.pools, maxConnectedClusters: spec.maxConnectedClusters as 255 | 511 }).violations);
    super("fleetmesh:index:Fleet", name, {}, opts);

    const ca = sharedCa(name, args.ca, this);
    this.caCertPem = ca.certPem;
    this.azureFleet = args.azureFleet ? this.createAzureFleet(name, args.azureFleet) : undefined;
    const previous = previousFleetState(name, args.state, this);
    const allocations = previous.apply((prev) => this.allocateAgainst(component, spec, prev, args.allowRenumber ?? false));
    this.members = this.createMembers(name, args, spec, allocations, ca);
    for (const member of Object.values(this.members)) member.installCilium();
    this.state = allocations.apply((members): FleetState => ({ version: 1, members }));
    this.announceAllocation(name, spec, previous, allocations);
    this.registerOutputs({ state: this.state, caCertPem: this.caCertPem });
  }

  /**
   * This run's allocation given the previous run's. A refused renumbering fails the run with an error
   * naming the member, and every existing member keeps what it has: nothing is renumbered, not even
   * partly, while the error stands.
   */
  private allocateAgainst(component: string, spec: FleetSpec, previous: FleetState | undefined, allowRenumber: boolean): Record<string, MemberAllocation> {
    const result = allocate({
      requests: allocationRequests(spec),
      pools: spec.pools,
      maxConnectedClusters: spec.maxConnectedClusters as 255 | 511,
      previous,
      allowRenumber,
    });
    if (result.violations.length === 0) return result.allocations;
    pulumi.log.error(new FleetValidationError(component, result.violations).message, this);
    const kept = Object.fromEntries(Object.keys(result.allocations).filter((m) => previous?.members[m]).map((m) => [m, previous!.members[m]]));
    return { ...result.allocations, ...kept };
  }

  private ciliumSettings(args: FleetArgs, spec: FleetSpec): FleetCiliumSettings {
    return {
      version: spec.ciliumVersion,
      maxConnectedClusters: spec.maxConnectedClusters as 255 | 511,
      kubeProxyReplacement: args.cilium?.kubeProxyReplacement ?? true,
      routingMode: args.cilium?.routingMode ?? "tunnel",
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
        { ...args.members[memberName], memberName, allocation: allocations.apply((a) => a[memberName]), ca, cilium, fleetMembership },
        { parent: this },
      );
    }
    return members;
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
