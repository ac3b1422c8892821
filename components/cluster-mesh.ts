import * as pulumi from "@pulumi/pulumi";
import { checkArgs } from "./runtime/check-args";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import * as resources from "@pulumi/azure-native/resources";
import { MeshProfileTarget, applyMeshScript, memberDetachScript, meshTeardownScript } from "./core/azure/azure-mesh-commands";
import { MeshEndpoint, MeshWhatIfRow, existingMemberChanges, meshWhatIf, renderMeshWhatIf } from "./core/cilium/mesh";
import { PlannedMesh } from "./core/fleet/plan-fleet";
import { GLOBAL_NAMESPACE_ANNOTATION } from "./core/services/global-service";
import { LabelSelector } from "./core/kubefleet/scheduler/types";
import { Member } from "./member";
import type { Fleet } from "./fleet";
import { FleetClaims } from "./runtime/fleet-claims";
import { knownOrUndefined } from "./runtime/outputs";
import { FLEET_MEMBER_API_VERSION } from "./runtime/aks-cluster";

/**
 * The ARM API version that has `fleets/clusterMeshProfiles` (Azure/azure-rest-api-specs
 * Microsoft.ContainerService/fleet/preview/2026-03-02-preview).
 */
export const CLUSTER_MESH_PROFILE_API_VERSION = "2026-03-02-preview";
/** The namespace annotation that opts a namespace into the mesh (Cilium 1.20+, and AKS-managed Cilium). */
export { GLOBAL_NAMESPACE_ANNOTATION };

/** One mesh as declared in `FleetArgs.meshes`. */
export interface MeshDeclaration {
  /** Members whose labels match join this mesh (a member joins at most one mesh). */
  readonly memberSelector: LabelSelector;
  /**
   * Cilium ≥ 1.20 (`clustermesh.defaultGlobalNamespace`): whether every namespace is shared with the
   * mesh. `false` shares only `globalNamespaces`. Earlier versions share every namespace (a no-op).
   * @default true: every namespace is shared
   */
  readonly defaultGlobalNamespace?: boolean;
  /**
   * Namespaces created on every member of the mesh and annotated `clustermesh.cilium.io/global: "true"`.
   * @default none
   */
  readonly globalNamespaces?: string[];
}

/** A Cilium Cluster Mesh declared as its own component over a fleet of the same program. */
export interface ClusterMeshArgs extends Partial<MeshDeclaration> {
  /**
   * The fleet whose members it selects. Declare the mesh in the same synchronous part of the program as
   * the fleet (before any await): the fleet plans its members' peers once, with every mesh.
   */
  readonly fleet: Fleet;
  /**
   * The mesh's name (it names the mesh in the fleet state and the what-if).
   * @default the component's name
   */
  readonly meshName?: string;
}

/** What the fleet hands a mesh: internal wiring, not part of the public API. */
export interface ClusterMeshContext {
  plan: PlannedMesh;
  /** The fleet's members by name. */
  members: Record<string, Member>;
  /** The mesh's members in the previous run (undefined on the first run). */
  previousMembers: Promise<string[] | undefined>;
  ciliumVersion: string;
  maxConnectedClusters: 255 | 511;
  /** Where each member's clustermesh-apiserver is reached (what the what-if diffs peer objects with). */
  endpoints: () => pulumi.Output<Record<string, MeshEndpoint>>;
  /** Required for an `azure-fleet` mesh. */
  azureFleet?: { fleetName: pulumi.Input<string>; resourceGroupName: pulumi.Input<string> };
  claims: FleetClaims;
  /** Records the mesh in the fleet's `meshes`. */
  register: (mesh: ClusterMesh) => void;
}

/**
 * A Cilium Cluster Mesh over the members a label selector picks, with no `cilium clustermesh
 * connect` step: every member's peers are data written beside its Cilium release (two Secrets and
 * a ConfigMap, see core/cilium/peer-config.ts), so a join or a leave upgrades no Helm release and
 * restarts no pod on the other members (one pass, shared CA, no secret copied between clusters). For AKS members with AKS-managed Cilium it is an Azure Fleet
 * ClusterMeshProfile instead. Created by `Fleet`; during preview it prints which members are added,
 * removed or kept.
 */
export class ClusterMesh extends pulumi.ComponentResource {
  public readonly meshName: string;
  public readonly backend: PlannedMesh["backend"];
  /** Names of the members in this mesh, sorted. */
  public readonly members: string[];
  /**
   * Whether namespaces are shared with the mesh without the `clustermesh.cilium.io/global` annotation:
   * as declared (Cilium ≥ 1.20 honours it), and always false for an Azure Fleet mesh, whose
   * AKS-managed Cilium shares only annotated namespaces.
   */
  public readonly defaultGlobalNamespace: boolean;
  /** The namespaces this mesh creates, annotated global, on every member. */
  public readonly globalNamespaces: string[];
  /** What this run does to the mesh: one row per member added, kept or removed. */
  public readonly whatIf: pulumi.Output<MeshWhatIfRow[]>;
  /** Azure Fleet meshes: the ClusterMeshProfile. */
  public readonly profile?: resources.Resource;
  /** Azure Fleet meshes: the `apply` that makes the profile's selector take effect. */
  public readonly apply?: command.local.Command;
  private readonly namespaces = new Map<string, pulumi.Resource>();

  /**
   * `new ClusterMesh("demo", { fleet, memberSelector })` meshes the fleet's members that match, under the
   * same rules as `FleetArgs.meshes` (a member joins at most one mesh; size limits), refused before
   * anything is registered. The fleet creates the meshes of `FleetArgs.meshes` itself.
   */
  constructor(name: string, args: ClusterMeshArgs, opts?: pulumi.ComponentResourceOptions) {
    // Structure first (types, required and unknown fields): every rule below assumes it.
    checkArgs(`ClusterMesh "${name}"`, "ClusterMeshArgs", args);
    const context = args.fleet.attachMesh(name, args.meshName ?? name, standaloneDeclaration(args));
    super("fleetmesh:index:ClusterMesh", name, {}, opts);
    context.register(this);
    const { plan } = context;
    this.meshName = plan.name;
    this.backend = plan.backend;
    this.members = [...plan.members];
    this.defaultGlobalNamespace = plan.defaultGlobalNamespace;
    this.globalNamespaces = [...plan.globalNamespaces];
    if (plan.backend === "azure-fleet") ({ profile: this.profile, apply: this.apply } = this.createAzureMesh(name, context));
    this.createGlobalNamespaces(name, context);
    this.whatIf = this.announceWhatIf(context);
    this.registerOutputs({ members: this.members, whatIf: this.whatIf });
  }

  /** The global namespace this mesh created on a member (to make objects inside it depend on it). */
  public globalNamespaceOn(member: string, namespace: string): pulumi.Resource | undefined {
    return this.namespaces.get(`${member}/${namespace}`);
  }

  private createAzureMesh(name: string, context: ClusterMeshContext): { profile: resources.Resource; apply: command.local.Command } {
    const { plan, azureFleet } = context;
    if (!azureFleet || plan.byLabel === undefined)
      throw new Error(
        `ClusterMesh ${name}: an azure-fleet mesh needs the Azure Fleet and a byLabel selector (planFleet refuses otherwise)`,
      );
    const built = plan.members.map((m) => context.members[m].built);
    // Promises, not Outputs: an Output holding resources makes the SDK walk their whole object graph.
    const fleetMembers = Promise.all(built).then((all) => all.flatMap((b): pulumi.Resource[] => (b?.fleetMember ? [b.fleetMember] : [])));
    const grants = Promise.all(built).then((all) => all.flatMap((b): pulumi.Resource[] => (b?.networkAccess ? [b.networkAccess] : [])));
    // The profile depends on the members, so it is deleted before them (a member in a mesh cannot be deleted).
    const profile = new resources.Resource(
      `${name}-profile`,
      {
        resourceProviderNamespace: "Microsoft.ContainerService",
        parentResourcePath: pulumi.interpolate`fleets/${azureFleet.fleetName}`,
        resourceType: "clusterMeshProfiles",
        resourceName: plan.name,
        apiVersion: CLUSTER_MESH_PROFILE_API_VERSION,
        resourceGroupName: azureFleet.resourceGroupName,
        properties: { memberSelector: { byLabel: plan.byLabel } },
      },
      { parent: this, dependsOn: fleetMembers },
    );
    const target = pulumi
      .all([azureFleet.resourceGroupName, azureFleet.fleetName])
      .apply(([resourceGroupName, fleetName]): MeshProfileTarget => ({ resourceGroupName, fleetName, meshName: plan.name }));
    const apply = new command.local.Command(
      `${name}-apply`,
      {
        // `apply` is a POST action azure-native does not model. A change of the selector or of the
        // selected members updates this command (re-applies); it never replaces it, because a
        // replacement would run the old one's delete, which is the mesh teardown.
        create: target.apply(applyMeshScript),
        update: target.apply(applyMeshScript),
        environment: { FLEETMESH_MESH_SELECTOR: plan.byLabel, FLEETMESH_MESH_MEMBERS: [...plan.members].sort().join(",") },
        delete: target.apply(meshTeardownScript),
        logging: "stdoutAndStderr",
      },
      // Members only connect once their internal load balancers can get addresses (Network Contributor).
      { parent: this, dependsOn: afterMembers(profile, fleetMembers, grants) },
    );
    for (const member of plan.members) this.detachOnDelete(name, member, context, target, apply);
    return { profile, apply };
  }

  /**
   * A member leaving the fleet while its mesh stays: before its FleetMember is deleted (this command
   * depends on it, so it goes first), take it off the selector, apply, and wait until it has left.
   */
  private detachOnDelete(
    name: string,
    member: string,
    context: ClusterMeshContext,
    target: pulumi.Output<MeshProfileTarget>,
    apply: command.local.Command,
  ): void {
    const fleetMember = context.members[member].built.then((b) => b?.fleetMember);
    const byLabel = context.plan.byLabel!;
    new command.local.Command(
      `${name}-${member}-detach`,
      {
        create: "true",
        delete: pulumi
          .all([target, pulumi.output(fleetMember.then((r) => r?.id))])
          .apply(([t, resourceId]) =>
            memberDetachScript(t, { name: member, resourceId: resourceId ?? "", apiVersion: FLEET_MEMBER_API_VERSION }, byLabel),
          ),
      },
      { parent: this, dependsOn: joinedThen(fleetMember, apply) },
    );
  }

  private createGlobalNamespaces(name: string, context: ClusterMeshContext): void {
    for (const namespace of context.plan.globalNamespaces) {
      for (const member of context.plan.members) {
        const created = context.claims.namespace(
          member,
          namespace,
          `ClusterMesh "${name}"`,
          () =>
            new k8s.core.v1.Namespace(
              `${name}-${member}-${namespace}`,
              { metadata: { name: namespace, annotations: { [GLOBAL_NAMESPACE_ANNOTATION]: "true" } } },
              // Deleting a namespace deletes every workload in it: leaving the mesh must not do that.
              { parent: this, provider: context.members[member].provider, retainOnDelete: true },
            ),
        );
        if (created) this.namespaces.set(`${member}/${namespace}`, created);
      }
    }
  }

  /** The what-if rows, printed under this resource during preview (unknown values as "(known after up)"). */
  private announceWhatIf(context: ClusterMeshContext): pulumi.Output<MeshWhatIfRow[]> {
    const { plan, members } = context;
    // Azure Fleet assigns the Cilium ids of a managed mesh itself: fleetmesh's allocation is not used there.
    const clusterIdOf = (m: string) => (plan.backend === "azure-fleet" ? pulumi.output(undefined) : knownOrUndefined(members[m].clusterId));
    const facts = plan.members.map((m) => pulumi.all([clusterIdOf(m), knownOrUndefined(members[m].nodeAddress)]));
    const rows = pulumi.all([pulumi.output(context.previousMembers), pulumi.all(facts)]).apply(([previous, values]) => {
      const byMember = Object.fromEntries(plan.members.map((m, i) => [m, { clusterId: values[i][0], address: values[i][1] ?? undefined }]));
      return meshWhatIf(plan, previous, byMember);
    });
    if (pulumi.runtime.isDryRun()) {
      const endpoints = plan.backend === "cilium" ? context.endpoints() : pulumi.output({});
      pulumi.all([pulumi.output(context.previousMembers), rows, endpoints]).apply(([previous, r, known]) => {
        const changes =
          plan.backend === "cilium"
            ? existingMemberChanges(context.ciliumVersion, context.maxConnectedClusters, plan.members, previous, known)
            : [];
        pulumi.log.info(renderMeshWhatIf(plan, r, changes), this);
      });
    }
    return rows;
  }
}

/** The member's FleetMember (once its build registered it, if it joined), then `next`. */
async function joinedThen(fleetMember: Promise<pulumi.Resource | undefined>, next: pulumi.Resource): Promise<pulumi.Resource[]> {
  const joined = await fleetMember;
  return joined ? [joined, next] : [next];
}

/** `first`, then every resource the promises give (they settle once the members' builds have registered them). */
async function afterMembers(first: pulumi.Resource, ...later: Promise<pulumi.Resource[]>[]): Promise<pulumi.Resource[]> {
  return [first, ...(await Promise.all(later)).flat()];
}

/**
 * The declaration of a mesh declared as its own component; undefined without a selector, which only the
 * fleet's own meshes may omit (it constructs them with `fleet` and `meshName`, their declaration being in
 * `FleetArgs.meshes`): `Fleet.attachMesh` refuses any other.
 */
function standaloneDeclaration(args: ClusterMeshArgs): MeshDeclaration | undefined {
  if (args.memberSelector === undefined) return undefined;
  return {
    memberSelector: args.memberSelector,
    ...(args.defaultGlobalNamespace !== undefined && { defaultGlobalNamespace: args.defaultGlobalNamespace }),
    ...(args.globalNamespaces !== undefined && { globalNamespaces: args.globalNamespaces }),
  };
}
