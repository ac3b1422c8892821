import * as pulumi from "@pulumi/pulumi";
import { checkArgs } from "./runtime/check-args";
import * as k8s from "@pulumi/kubernetes";
import { PortsInput, ServiceAffinity, globalServiceManifests, planGlobalService } from "./core/services/global-service";
import { refuse } from "./errors";
import { ClusterMesh } from "./cluster-mesh";
import { Fleet } from "./fleet";
import { Member } from "./member";
import { fleetMembers, memberNamespace, memberService } from "./runtime/member-objects";

/** A Service shared by the members of one Cilium Cluster Mesh. */
export interface GlobalServiceArgs {
  /** The mesh whose members share the service. */
  readonly mesh: ClusterMesh;
  /** The fleet the mesh belongs to (or its members by name): each copy is deployed with its member's provider. */
  readonly fleet: Fleet | Record<string, Member>;
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
   * The Service's ports: one list for every member, or member name → its list. Names, numbers and
   * protocols must be the same on every member (only `targetPort` may differ); with more than one
   * port, every port needs a name.
   */
  readonly ports: PortsInput;
  /**
   * `service.cilium.io/shared`: whether a member exports its own endpoints to the other members
   * (false: it only consumes theirs). One value for every member, or member name → value.
   * @default true on every member: each exports its endpoints and consumes the others'
   */
  readonly shared?: boolean | Record<string, boolean>;
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
  public readonly serviceName: string;
  public readonly namespace: string;
  /** The members that have the Service, sorted. */
  public readonly members: string[];
  /** Member name → its copy of the Service. */
  public readonly services: Record<string, k8s.core.v1.Service>;
  /** Member name → the namespace this component created there (none where the mesh or you create it). */
  public readonly namespaces: Record<string, k8s.core.v1.Namespace>;

  constructor(name: string, args: GlobalServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    // Structure first (types, required and unknown fields): every rule below assumes it.
    checkArgs(`GlobalService "${name}"`, "GlobalServiceArgs", args);
    const members = fleetMembers(args.fleet);
    const serviceName = args.serviceName ?? name;
    const planned = planGlobalService({
      serviceName,
      namespace: args.namespace,
      selector: args.selector,
      ports: args.ports,
      shared: args.shared,
      affinity: args.affinity,
      members: args.members,
      mesh: { name: args.mesh.meshName, members: args.mesh.members },
      fleetMembers: Object.keys(members),
      createNamespace: args.createNamespace,
    });
    refuse(`GlobalService "${name}"`, planned.violations);
    super("fleetmesh:index:GlobalService", name, {}, opts);
    const plan = planned.plan!;
    this.serviceName = serviceName;
    this.namespace = args.namespace;
    this.members = plan.members;
    this.services = {};
    this.namespaces = {};
    const manifests = globalServiceManifests({ serviceName, namespace: args.namespace, selector: args.selector }, plan);
    const component = `GlobalService "${name}"`;
    for (const memberName of plan.members) {
      const member = members[memberName];
      const namespace = memberNamespace(
        this,
        component,
        `${name}-${memberName}`,
        member,
        args.mesh,
        args.namespace,
        args.createNamespace ?? true,
      );
      if (namespace && member.claims.namespaceOwner(memberName, args.namespace) === component)
        this.namespaces[memberName] = namespace as k8s.core.v1.Namespace;
      this.services[memberName] = memberService(this, `${name}-${memberName}`, member, manifests[memberName], namespace ? [namespace] : []);
    }
    this.registerOutputs({ serviceName, namespace: args.namespace, members: this.members });
  }
}
