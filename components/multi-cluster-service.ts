import * as pulumi from "@pulumi/pulumi";
import { privateState } from "./runtime/private-state";
import { checkArgs } from "./runtime/check-args";
import * as k8s from "@pulumi/kubernetes";
import { ServiceManifest, ServicePortSpec } from "./core/services/global-service";
import {
  CiliumMcsPlan,
  FleetNetworkingObject,
  MultiClusterServiceInput,
  MultiClusterServicePlan,
  Realization,
  ciliumMcsManifests,
  loadBalancerAddress,
  multiClusterServiceManifest,
  planMultiClusterService,
  serviceExportManifest,
  sharedAddressClashes,
} from "./core/services/multi-cluster-service";
import { FieldViolation } from "./core/fleet/types";
import { show } from "./core/fleet/validation/findings";
import { refuse } from "./errors";
import { Fleet } from "./fleet";
import { FleetRef, requireFleet } from "./fleet-ref";
import { memberNamespace, memberService } from "./runtime/member-objects";
import { Member } from "./member";
import { IngressAddress } from "./runtime/fleet-claims";
import {
  CILIUM_V2ALPHA1,
  ingressAnnouncementManifest,
  ingressPoolManifest,
  pinnedLoadBalancerAddress,
} from "./core/cilium/load-balancer-pool";
import { LabelSelector } from "./core/kubefleet/scheduler/types";
import { azureFleetFacts, fleetMemberLabels, unknownFleetLabelKeys } from "./core/kubefleet/placement/member-clusters";

/** One L4 entry point on one member that balances across the endpoints of the members it selects. */
export interface MultiClusterServiceArgs {
  /** The fleet whose members serve and expose the service. */
  readonly fleet: FleetRef;
  /** The namespace of the Service on every member. */
  readonly namespace: string;
  /** The Service exported from each exporting member (and the name of the import and entry point). */
  readonly serviceName: string;
  /** Members whose labels match export their endpoints. */
  readonly exportFrom: LabelSelector;
  /** The member whose load balancer is the entry point. */
  readonly ingressMember: string;
  /**
   * An internal Azure load balancer (AKS ingress members). On kind and kubeconfig members the pinned
   * address is on the members' own network either way.
   * @default false: a public Azure load balancer on AKS ingress members
   */
  readonly internal?: boolean;
  /**
   * The Service's ports, the same list on every exporting member. On an Azure Fleet they are only
   * checked (exports whose lists differ in any way, order included, conflict), and at most one of
   * `ports` and `portsByMember` is given; without one, fleetmesh creates the Services with them, and
   * exactly one of `ports` and `portsByMember` is required.
   * @default the lists of `portsByMember`; with neither, on an Azure Fleet the exported Services'
   * ports are not checked, and without one the component is refused (ports are required)
   */
  readonly ports?: ServicePortSpec[];
  /**
   * Exporting member name → its Service's ports, one entry per exporting member (see `ports`, of
   * which it is the per-member form).
   * @default the one list of `ports`, on every exporting member
   */
  readonly portsByMember?: Record<string, ServicePortSpec[]>;
  /**
   * Pod labels the exported Service selects. Required without an Azure Fleet (fleetmesh creates the
   * Services); not used on an Azure Fleet, where the Service belongs to your workload.
   * @default on an Azure Fleet, your workload's Service selects its pods; without one, the component
   * is refused (a selector is required)
   */
  readonly selector?: Record<string, string>;
  /**
   * Without an Azure Fleet: create the namespace on each member that gets a Service, annotated
   * `clustermesh.cilium.io/global: "true"` when the mesh's namespaces are not global by default.
   * Never for a namespace in the mesh's `globalNamespaces` (the mesh creates it); turn it off when
   * something else creates it. Not used on an Azure Fleet.
   * @default true: the component creates the namespace on each such member unless the mesh does
   */
  readonly createNamespace?: boolean;
}

/**
 * One L4 entry point on `ingressMember` that balances across the members `exportFrom` selects. On
 * an Azure Fleet (AKS members with AKS-managed Cilium): a ServiceExport on each exporting member and
 * a MultiClusterService on the ingress member. Otherwise (kind, kubeconfig, AKS BYOCNI, in one
 * Cilium mesh): a Cilium global Service on each exporting member and, on the ingress member, a
 * global LoadBalancer copy backed by their endpoints, at the member's pinned address from the
 * fleet's `loadBalancerPool` (kind, kubeconfig) or from the cloud (AKS BYOCNI). `exportFrom` sees the
 * labels Azure Fleet adds to its members (`fleet.azure.com/location`, ...), as Placement does. On an Azure
 * Fleet each object waits for its member to join and for its namespace there when a fleetmesh component
 * creates it; `dependsOn` in the options is passed to each of them too (e.g. whatever else creates the namespace).
 */
export class MultiClusterService extends pulumi.ComponentResource {
  /** How the service is realized: Fleet networking objects, or a Cilium global service. */
  public readonly realization: Realization;
  /** The member whose load balancer is the entry point. */
  public readonly ingressMember: string;
  /** The members whose endpoints serve the service, sorted. */
  public readonly servingMembers: string[];
  /** The namespace the service and its exports live in, on every member. */
  public readonly namespace: string;
  /** The name of the Fleet component it belongs to. */
  public readonly fleetName: string;
  /**
   * The entry point's external address: pinned, and known at preview (kind, kubeconfig); the
   * Service's load balancer once `up` has waited for it (AKS BYOCNI); the MultiClusterService's
   * `status.loadBalancer` as Pulumi last read it (Azure Fleet: Fleet programs it after the object
   * is created, so a `pulumi refresh` after the first `up` picks it up).
   */
  public readonly address: pulumi.Output<string | undefined>;

  // Handles are getters over `internals`, not fields (runtime/private-state.ts says why).

  /** Azure Fleet: exporting member → its ServiceExport. */
  public get serviceExports(): Record<string, k8s.apiextensions.CustomResource> {
    return this.inner.serviceExports;
  }
  /** Azure Fleet: the MultiClusterService on the ingress member. */
  public get multiClusterService(): k8s.apiextensions.CustomResource | undefined {
    return this.inner.multiClusterService;
  }
  /** Cilium: member → its copy of the Service (the ingress member's is the LoadBalancer). */
  public get services(): Record<string, k8s.core.v1.Service> {
    return this.inner.services;
  }

  private get inner(): MultiClusterServiceInternals {
    return internals.of(this);
  }

  constructor(name: string, args: MultiClusterServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const component = `MultiClusterService "${name}"`;
    // Structure first (types, required and unknown fields): every rule below assumes it.
    checkArgs(component, "MultiClusterServiceArgs", args);
    const fleet = requireFleet(component, args.fleet);
    const planned = planMultiClusterService({
      serviceName: args.serviceName,
      namespace: args.namespace,
      exportFrom: args.exportFrom,
      ingressMember: args.ingressMember,
      internal: args.internal,
      ports: args.ports,
      portsByMember: args.portsByMember,
      selector: args.selector,
      members: memberFacts(fleet),
      azureFleetHub: fleet.azureFleetHub,
      createNamespace: args.createNamespace,
    });
    refuse(component, planned.violations);
    refuse(component, programViolations(fleet, args, planned.plan!));
    claim(component, fleet, args, planned.plan!);
    super("fleetmesh:index:MultiClusterService", name, {}, opts);
    this.fleetName = fleet.componentName;
    this.namespace = args.namespace;
    internals.set(this, { serviceExports: {}, services: {} });
    const plan = planned.plan!;
    this.realization = plan.realization;
    this.ingressMember = plan.ingress;
    this.servingMembers = [...plan.exporters];
    if (plan.realization === Realization.AzureFleet) {
      const mcs = this.createFleetNetworking(name, fleet, args, plan.exporters, plan.ingress, opts?.dependsOn);
      this.inner.multiClusterService = mcs;
      const status = (mcs as unknown as { status: pulumi.Output<unknown> }).status;
      this.address = status.apply(loadBalancerAddress);
    } else {
      this.address = this.createCiliumService(name, fleet, args, plan);
    }
    this.registerOutputs({
      realization: this.realization,
      ingressMember: this.ingressMember,
      servingMembers: this.servingMembers,
      address: this.address,
      fleetName: this.fleetName,
      namespace: this.namespace,
    });
  }

  private createFleetNetworking(
    name: string,
    fleet: Fleet,
    args: MultiClusterServiceArgs,
    exporters: string[],
    ingress: string,
    dependsOn: pulumi.ComponentResourceOptions["dependsOn"],
  ): k8s.apiextensions.CustomResource {
    const members = fleet.members;
    const exports = this.inner.serviceExports;
    const given = asList(dependsOn);
    for (const member of exporters) {
      exports[member] = customObject(
        `${name}-${member}`,
        serviceExportManifest(args.namespace, args.serviceName),
        members[member],
        this,
        given,
      );
    }
    const manifest = multiClusterServiceManifest(args.namespace, args.serviceName, args.internal ?? false);
    return customObject(`${name}-${ingress}`, manifest, members[ingress], this, [...Object.values(exports), ...given]);
  }

  private createCiliumService(
    name: string,
    fleet: Fleet,
    args: MultiClusterServiceArgs,
    plan: CiliumMcsPlan,
  ): pulumi.Output<string | undefined> {
    const members = fleet.members;
    const mesh = fleet.meshes[plan.mesh];
    const services = this.inner.services;
    const component = `MultiClusterService "${name}"`;
    const ingress = plan.address === "lb-ipam" ? ingressAddress(this, name, members[plan.ingress], fleet.loadBalancerPool) : undefined;
    const manifests: pulumi.Output<Record<string, ServiceManifest>> = ingress
      ? ingress.address.apply((address) => ciliumMcsManifests(args, plan, address))
      : pulumi.output(ciliumMcsManifests(args, plan, undefined));
    for (const memberName of [...new Set([...plan.exporters, plan.ingress])].sort()) {
      const member = members[memberName];
      const namespace = memberNamespace(
        this,
        component,
        `${name}-${memberName}`,
        member,
        mesh,
        args.namespace,
        args.createNamespace ?? true,
      );
      const dependsOn = [...(namespace ? [namespace] : []), ...(memberName === plan.ingress ? (ingress?.resources ?? []) : [])];
      services[memberName] = memberService(
        this,
        `${name}-${memberName}`,
        member,
        manifests.apply((all) => all[memberName]),
        dependsOn,
      );
    }
    return ingress ? ingress.address : services[plan.ingress].status.apply(loadBalancerAddress);
  }
}

/** What a MultiClusterService holds besides its outputs (kept off the class: runtime/private-state.ts). */
interface MultiClusterServiceInternals {
  readonly serviceExports: Record<string, k8s.apiextensions.CustomResource>;
  multiClusterService?: k8s.apiextensions.CustomResource;
  readonly services: Record<string, k8s.core.v1.Service>;
}

const internals = privateState<MultiClusterService, MultiClusterServiceInternals>("MultiClusterService");

/**
 * The ingress member's pinned LoadBalancer address for fleetmesh ingress services: the `clusterId`-th
 * address of the fleet's `loadBalancerPool`, handed out by a Cilium LB-IPAM pool that only ingress
 * services may draw from and, where Cilium runs L2 announcements (kind), announced on the node
 * network. Registered once per member, by the first MultiClusterService whose ingress member it is
 * (the fleet's claims table); later ones depend on it.
 */
function ingressAddress(parent: pulumi.Resource, name: string, member: Member, loadBalancerPool: string): IngressAddress {
  return member.claims.ingressAddress(member.memberName, () => {
    const address = member.clusterId.apply((id) => {
      const pinned = pinnedLoadBalancerAddress(loadBalancerPool, id);
      if (pinned.address === undefined)
        throw new Error(`member ${member.memberName} has no pinned LoadBalancer address: ${pinned.problem}`);
      return pinned.address;
    });
    // The CRDs exist once Cilium's operator runs.
    const opts = { parent, provider: member.provider, dependsOn: member.ciliumInstalled };
    const pool = address.apply(ingressPoolManifest);
    const resources: pulumi.Resource[] = [
      new k8s.apiextensions.CustomResource(
        `${name}-${member.memberName}-ingress-pool`,
        { apiVersion: CILIUM_V2ALPHA1, kind: "CiliumLoadBalancerIPPool", metadata: pool.metadata, spec: pool.spec },
        opts,
      ),
    ];
    if (member.l2Announcements) {
      resources.push(
        new k8s.apiextensions.CustomResource(`${name}-${member.memberName}-ingress-l2`, { ...ingressAnnouncementManifest() }, opts),
      );
    }
    return { address, resources };
  });
}

/**
 * Every member as planning sees it: on an Azure Fleet, with the labels Fleet adds to its members, as
 * Placement sees them (azureFleetFacts): `exportFrom` may select by `fleet.azure.com/location`.
 */
function memberFacts(fleet: Fleet): MultiClusterServiceInput["members"] {
  const joinsAzureFleet = fleet.azureFleet !== undefined;
  return fleet.plan.members.map((member) => {
    const azure = azureFleetFacts(fleet.members[member.name].aks, member.name, joinsAzureFleet);
    return {
      name: member.name,
      labels: fleetMemberLabels({ name: member.name, labels: member.labels, azure }),
      unknownLabelKeys: unknownFleetLabelKeys({ name: member.name, azure }),
      provisioner: member.provisioner,
      ciliumOwner: member.ciliumOwner,
      mesh: member.mesh,
      l2Announcements: member.l2Announcements,
    };
  });
}

/** The rules that span components of one fleet (its claims table): one consumer per import, distinct ports per pinned address. */
function programViolations(fleet: Fleet, args: MultiClusterServiceArgs, plan: MultiClusterServicePlan): FieldViolation[] {
  const claims = fleet.claims;
  const out: FieldViolation[] = [];
  const owner = claims.serviceOwner(`${args.namespace}/${args.serviceName}`);
  if (owner !== undefined) {
    const rule =
      plan.realization === Realization.AzureFleet
        ? "a ServiceImport is consumed by exactly one member across the fleet (a second MultiClusterService for it stays Valid=Unknown)"
        : "a member holds one Service of a name in a namespace, so the fleet has one entry point per service";
    out.push({
      path: "serviceName",
      message: `serviceName ${show(args.serviceName)} in namespace ${show(args.namespace)} is already served by ${owner}: ${rule}`,
    });
  }
  if (plan.realization === Realization.Cilium && plan.address === "lb-ipam") {
    const path = args.portsByMember !== undefined ? "portsByMember" : "ports";
    out.push(...sharedAddressClashes(path, plan.ingress, claims.pinnedPorts(plan.ingress), plan.ports[plan.ingress]));
  }
  return out;
}

/** Records what this service takes in the fleet's claims table, for the services constructed after it. */
function claim(component: string, fleet: Fleet, args: MultiClusterServiceArgs, plan: MultiClusterServicePlan): void {
  const claims = fleet.claims;
  claims.claimService(`${args.namespace}/${args.serviceName}`, `${component} on member ${show(plan.ingress)}`);
  if (plan.realization !== Realization.Cilium || plan.address !== "lb-ipam") return;
  const taken = claims.pinnedPorts(plan.ingress);
  for (const port of plan.ports[plan.ingress]) taken.set(`${port.port}/${port.protocol ?? "TCP"}`, component);
}

/** The options' `dependsOn` as a list. */
function asList(dependsOn: pulumi.ComponentResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
  if (dependsOn === undefined) return [];
  return (Array.isArray(dependsOn) ? dependsOn : [dependsOn]) as pulumi.Input<pulumi.Resource>[];
}

/**
 * The member's FleetMember (Fleet networking's CRDs arrive with the member agent), the namespace on the
 * member when a fleetmesh component creates it (a mesh's global namespace, a service's namespace), then
 * `dependsOn`. Read once the member is built: by then every component of the program has claimed its namespaces.
 */
async function afterJoining(
  member: Member,
  namespace: string,
  dependsOn: pulumi.Input<pulumi.Resource>[],
): Promise<pulumi.Input<pulumi.Resource>[]> {
  const joined = await member.fleetJoined;
  const created = member.claims.namespace(member.memberName, namespace, "");
  return [...joined, ...(created ? [created] : []), ...dependsOn];
}

function customObject(
  name: string,
  manifest: FleetNetworkingObject,
  member: Member,
  parent: pulumi.Resource,
  dependsOn: pulumi.Input<pulumi.Resource>[],
): k8s.apiextensions.CustomResource {
  // `status: undefined` makes the object's status a readable output.
  // Fleet networking's CRDs reach a member cluster with the member agent, once it has joined the fleet;
  // the object itself needs its namespace there.
  return new k8s.apiextensions.CustomResource(
    name,
    { ...manifest, status: undefined },
    { parent, provider: member.provider, dependsOn: afterJoining(member, manifest.metadata.namespace, dependsOn) },
  );
}
