import * as pulumi from "@pulumi/pulumi";
import { checkArgs } from "./runtime/check-args";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import * as resources from "@pulumi/azure-native/resources";
import * as authorization from "@pulumi/azure-native/authorization";
import {
  MESH_COMMAND_SCRIPTS,
  MeshMembership,
  MeshProfileTarget,
  meshCheckCommand,
  meshEnvironment,
  parseMeshCheck,
  undeclaredMembersWarning,
} from "./core/azure/azure-mesh-commands";
import { FLEET_API_VERSION } from "./core/azure/mesh-api-version";
import {
  ExistingMembersTouch,
  MeshEndpoint,
  MeshWhatIfRow,
  existingMemberChanges,
  existingMembersTouch,
  meshWhatIf,
  renderMeshWhatIf,
} from "./core/cilium/mesh";
import { PlannedMesh } from "./core/fleet/plan-fleet";
import { GLOBAL_NAMESPACE_ANNOTATION } from "./core/services/global-service";
import { LabelSelector } from "./core/kubefleet/scheduler/types";
import { Member } from "./member";
import type { Fleet } from "./fleet";
import { FleetClaims } from "./runtime/fleet-claims";
import type { FleetMembership } from "./runtime/azure-fleet-member";
import { knownOrUndefined } from "./runtime/outputs";

/** The ARM API version of `fleets/clusterMeshProfiles`: the Fleet API version (core/azure/mesh-api-version.ts). */
export const CLUSTER_MESH_PROFILE_API_VERSION = FLEET_API_VERSION;
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
  azureFleet?: Pick<FleetMembership, "fleetName" | "resourceGroupName" | "retireArmFleetMember">;
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
  /** The name of the Fleet component it belongs to. */
  public readonly fleetName: string;
  /** What this run does to the members that were in the mesh before and stay (the what-if's last line, as data). */
  public readonly existingMembers: pulumi.Output<ExistingMembersTouch>;
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
    this.fleetName = args.fleet.componentName;
    context.register(this);
    const { plan } = context;
    this.meshName = plan.name;
    this.backend = plan.backend;
    this.members = [...plan.members];
    this.defaultGlobalNamespace = plan.defaultGlobalNamespace;
    this.globalNamespaces = [...plan.globalNamespaces];
    if (plan.backend === "azure-fleet") ({ profile: this.profile, apply: this.apply } = this.createAzureMesh(name, context));
    this.createGlobalNamespaces(name, context);
    ({ rows: this.whatIf, touch: this.existingMembers } = this.announceWhatIf(context));
    this.registerOutputs({
      meshName: this.meshName,
      backend: this.backend,
      fleetName: this.fleetName,
      members: this.members,
      whatIf: this.whatIf,
      existingMembers: this.existingMembers,
    });
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
    // Every `az` call names the subscription the ARM resources are created in (the provider's).
    const subscription = authorization.getClientConfigOutput({ parent: this }).subscriptionId;
    const target = pulumi
      .all([subscription, azureFleet.resourceGroupName, azureFleet.fleetName])
      .apply(([subscription, resourceGroupName, fleetName]): MeshProfileTarget => ({
        subscription,
        resourceGroupName,
        fleetName,
        meshName: plan.name,
      }));
    const membership: MeshMembership = { byLabel: plan.byLabel, members: [...plan.members] };
    // Labels move before applies: every FleetMember of the fleet (a member relabelled out of this mesh, or
    // into it from another) is written before this Command runs, and deleted only after it.
    const everyFleetMember = Promise.all(Object.values(context.members).map((m) => m.built)).then((all) =>
      all.flatMap((b): pulumi.Resource[] => (b?.fleetMember ? [b.fleetMember] : [])),
    );
    const apply = new command.local.Command(
      `${name}-apply`,
      {
        // The one owner of this profile's applies (core/azure/azure-mesh-commands.ts says why one, not one per
        // member). `apply` is a POST action azure-native does not model. A change of the selector or of the
        // selected members updates this command (reconciles again); it never replaces it, because a
        // replacement would run the old one's delete, which is the mesh teardown.
        ...MESH_COMMAND_SCRIPTS,
        environment: target.apply((t) => meshEnvironment(t, membership)),
        logging: "stdoutAndStderr",
      },
      // Members only connect once their internal load balancers can get addresses (Network Contributor).
      { parent: this, dependsOn: afterMembers(profile, everyFleetMember, grants) },
    );
    if (azureFleet.retireArmFleetMember) for (const member of plan.members) this.replaceLegacyDetach(name, member);
    this.warnAboutUndeclaredMembers(target, membership);
    return { profile, apply };
  }

  /**
   * Earlier versions gave each member a Command whose delete took that member out of the mesh (one apply
   * per member, in parallel with the others'). Left out of the program, such a Command would be deleted
   * and its recorded script would run; registered again without a delete, it is updated (its create,
   * `true`, runs) and its removal in the next run runs nothing. The mesh's one Command does the
   * detaching now. Only in the hand-over run (`azureFleet.retireArmFleetMembers`, which a stack of an
   * earlier version must set once: core/azure/arm-fleet-members.ts), so other stacks never carry them.
   */
  private replaceLegacyDetach(name: string, member: string): void {
    new command.local.Command(`${name}-${member}-detach`, { create: "true" }, { parent: this });
  }

  /**
   * In a preview, where `az` is there and logged in: warns about fleet members the selector picks that
   * the program does not declare (an apply joins them, a teardown disconnects them). Read-only; set
   * FLEETMESH_MESH_PREVIEW_CHECK=off to skip it.
   */
  private warnAboutUndeclaredMembers(target: pulumi.Output<MeshProfileTarget>, membership: MeshMembership): void {
    if (!pulumi.runtime.isDryRun() || process.env.FLEETMESH_MESH_PREVIEW_CHECK === "off") return;
    target.apply(async (t) => {
      const check = await command.local.run({ command: meshCheckCommand(t, membership), logging: "none" }, { parent: this }).then(
        (result) => parseMeshCheck(result.stdout),
        () => undefined,
      );
      const warning = undeclaredMembersWarning(t.meshName, membership.byLabel, check);
      if (warning !== undefined) await pulumi.log.warn(warning, this);
    });
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

  /** The what-if rows and what they do to existing members, printed under this resource during preview (unknown values as "(known after up)"). */
  private announceWhatIf(context: ClusterMeshContext): {
    rows: pulumi.Output<MeshWhatIfRow[]>;
    touch: pulumi.Output<ExistingMembersTouch>;
  } {
    const { plan, members } = context;
    // Azure Fleet assigns the Cilium ids of a managed mesh itself: fleetmesh's allocation is not used there.
    const clusterIdOf = (m: string) => (plan.backend === "azure-fleet" ? pulumi.output(undefined) : knownOrUndefined(members[m].clusterId));
    const facts = plan.members.map((m) => pulumi.all([clusterIdOf(m), knownOrUndefined(members[m].nodeAddress)]));
    // A member's declared meshEndpoint is its address in every preview (fleet.ts endpointsOf).
    const endpoints = plan.backend === "cilium" ? context.endpoints() : pulumi.output({});
    const previous = pulumi.output(context.previousMembers);
    const rows = pulumi.all([previous, pulumi.all(facts), endpoints]).apply(([before, values, known]) => {
      const byMember = Object.fromEntries(plan.members.map((m, i) => [m, { clusterId: values[i][0], address: values[i][1] ?? undefined }]));
      return meshWhatIf(plan, before, byMember, known);
    });
    const touch = pulumi.all([previous, rows, endpoints]).apply(([before, r, known]) => {
      const changes =
        plan.backend === "cilium"
          ? existingMemberChanges(context.ciliumVersion, context.maxConnectedClusters, plan.members, before, known)
          : [];
      return existingMembersTouch(plan, r, changes);
    });
    if (pulumi.runtime.isDryRun()) pulumi.all([rows, touch]).apply(([r, t]) => pulumi.log.info(renderMeshWhatIf(plan, r, t), this));
    return { rows, touch };
  }
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
