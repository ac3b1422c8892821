import * as pulumi from "@pulumi/pulumi";
import { privateState } from "./runtime/private-state";
import { checkArgs } from "./runtime/check-args";
import * as k8s from "@pulumi/kubernetes";
import { ServiceAffinity, ServicePortSpec, globalServiceManifests, planGlobalService } from "./core/services/global-service";
import { refuse } from "./errors";
import { FleetRef, MeshRef, requireFleet, requireMesh } from "./fleet-ref";
import { memberNamespace, memberService } from "./runtime/member-objects";

/** A Service shared by the members of one Cilium Cluster Mesh. */
export interface GlobalServiceArgs {
  /** The mesh whose members share the service: `fleet.meshes.<name>`, or `{ meshName }`. */
  readonly mesh: MeshRef;
  /** The fleet the mesh belongs to: each copy is deployed with its member's provider. */
  readonly fleet: FleetRef;
  /** The namespace of the Service (the same on every member). */
  readonly namespace: string;
  /**
   * The Service's name (the same on every member).
   * @default the component's name
   */
  readonly serviceName?: string;
  /** Pod labels the Service selects on every member. */
  readonly selector: Record<string, string>;
  /**
   * The Service's ports, the same list on every member; exactly one of `ports` and `portsByMember`.
   * With more than one port, every port needs a name.
   * @default the lists of `portsByMember`
   */
  readonly ports?: ServicePortSpec[];
  /**
   * Member name → its copy's ports, one entry per member that gets the Service; exactly one of
   * `ports` and `portsByMember`. Names, numbers and protocols must be the same on every member
   * (only `targetPort` may differ); with more than one port, every port needs a name.
   * @default the one list of `ports`, on every member
   */
  readonly portsByMember?: Record<string, ServicePortSpec[]>;
  /**
   * `service.cilium.io/shared` on every member: whether a member exports its own endpoints to the
   * other members (false: it only consumes theirs). At most one of `shared` and `sharedByMember`.
   * @default true on every member: each exports its endpoints and consumes the others'
   */
  readonly shared?: boolean;
  /**
   * `service.cilium.io/shared` per member: member name → value. At most one of `shared` and
   * `sharedByMember`.
   * @default true on every member it leaves out
   */
  readonly sharedByMember?: Record<string, boolean>;
  /**
   * `service.cilium.io/affinity`: prefer local or remote endpoints (falling back to the others only
   * when none of the preferred is healthy), or neither.
   * @default no annotation (Cilium's "none"): Cilium balances across all endpoints, local and remote
   */
  readonly affinity?: ServiceAffinity;
  /**
   * The members that get the Service (a member without it can neither export nor consume it).
   * @default every member of the mesh
   */
  readonly members?: string[];
  /**
   * Create the namespace on each member, annotated `clustermesh.cilium.io/global: "true"` when the
   * mesh's namespaces are not global by default. Never for a namespace in the mesh's
   * `globalNamespaces` (the mesh creates it); turn it off when something else creates it.
   * @default true: the component creates the namespace on each member unless the mesh does
   */
  readonly createNamespace?: boolean;
}

/**
 * One Service, the same on every selected member of a Cilium Cluster Mesh, annotated
 * `service.cilium.io/global: "true"` so each member load-balances across the endpoints of all of
 * them. Refuses, before registering anything, what Cilium would silently mis-handle: ports that
 * differ between members, unnamed ports of a multi-port service, members outside the mesh, and an
 * affinity Cilium does not know.
 */
export class GlobalService extends pulumi.ComponentResource {
  /** The Service's name on every member. */
  public readonly serviceName: string;
  /** The Service's namespace on every member. */
  public readonly namespace: string;
  /** The members that have the Service, sorted. */
  public readonly members: string[];
  /** The name of the Fleet component it belongs to. */
  public readonly fleetName: string;

  // Handles are getters over `internals`, not fields (runtime/private-state.ts says why).

  /** Member name → its copy of the Service. */
  public get services(): Record<string, k8s.core.v1.Service> {
    return this.inner.services;
  }
  /** Member name → the namespace this component created there (none where the mesh or you create it). */
  public get namespaces(): Record<string, k8s.core.v1.Namespace> {
    return this.inner.namespaces;
  }

  private get inner(): GlobalServiceInternals {
    return internals.of(this);
  }

  constructor(name: string, args: GlobalServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const component = `GlobalService "${name}"`;
    // Structure first (types, required and unknown fields): every rule below assumes it.
    checkArgs(component, "GlobalServiceArgs", args);
    const fleet = requireFleet(component, args.fleet);
    const mesh = requireMesh(component, fleet, args.mesh);
    const members = fleet.members;
    const serviceName = args.serviceName ?? name;
    const planned = planGlobalService({
      serviceName,
      namespace: args.namespace,
      selector: args.selector,
      ports: args.ports,
      portsByMember: args.portsByMember,
      shared: args.shared,
      sharedByMember: args.sharedByMember,
      affinity: args.affinity,
      members: args.members,
      mesh: { name: mesh.meshName, members: mesh.members },
      fleetMembers: Object.keys(members),
      createNamespace: args.createNamespace,
    });
    refuse(component, planned.violations);
    super("fleetmesh:index:GlobalService", name, {}, opts);
    this.fleetName = fleet.componentName;
    const plan = planned.plan!;
    const inner: GlobalServiceInternals = { services: {}, namespaces: {} };
    internals.set(this, inner);
    this.serviceName = serviceName;
    this.namespace = args.namespace;
    this.members = plan.members;
    const manifests = globalServiceManifests({ serviceName, namespace: args.namespace, selector: args.selector }, plan);
    for (const memberName of plan.members) {
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
      if (namespace && member.claims.namespaceOwner(memberName, args.namespace) === component)
        inner.namespaces[memberName] = namespace as k8s.core.v1.Namespace;
      inner.services[memberName] = memberService(
        this,
        `${name}-${memberName}`,
        member,
        manifests[memberName],
        namespace ? [namespace] : [],
      );
    }
    this.registerOutputs({ serviceName, namespace: args.namespace, members: this.members, fleetName: this.fleetName });
  }
}

/** What a GlobalService holds besides its outputs (kept off the class: runtime/private-state.ts). */
interface GlobalServiceInternals {
  readonly services: Record<string, k8s.core.v1.Service>;
  readonly namespaces: Record<string, k8s.core.v1.Namespace>;
}

const internals = privateState<GlobalService, GlobalServiceInternals>("GlobalService");
