import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import * as resources from "@pulumi/azure-native/resources";
import { CiliumClusterMeshInput } from "./core/cilium/cilium-values";
import { GLOBAL_NAMESPACE_ANNOTATION } from "./core/services/global-service";
import { MeshEndpoint, MeshPlan, MeshWhatIfRow, meshPeers, meshWhatIf, renderMeshWhatIf } from "./core/cilium/mesh";
import { LabelSelector } from "./core/kubefleet/scheduler/types";
import { Member } from "./member";
import { knownOrUndefined } from "./runtime/outputs";
import { FLEET_MEMBER_API_VERSION } from "./runtime/aks-cluster";
import { labelsWithoutMeshLabel, teardownSelector } from "./core/azure/azure-mesh-commands";

/** The ARM API version that has `fleets/clusterMeshProfiles` (azure-fleet-and-pulumi.md §1.5). */
export const CLUSTER_MESH_PROFILE_API_VERSION = "2026-03-02-preview";
/** Where the clustermesh-apiserver of a LoadBalancer member listens. */
export const CLUSTERMESH_APISERVER_PORT = 2379;
/** The namespace annotation that opts a namespace into the mesh (Cilium 1.20+, and AKS-managed Cilium). */
export { GLOBAL_NAMESPACE_ANNOTATION };

/** One mesh as declared in `FleetArgs.meshes`. */
export interface MeshDeclaration {
  /** Members whose labels match join this mesh (a member joins at most one mesh). */
  memberSelector: LabelSelector;
  /**
   * Cilium ≥ 1.20 (`clustermesh.defaultGlobalNamespace`): whether every namespace is shared with the
   * mesh. `false` shares only `globalNamespaces`. Earlier versions share every namespace (a no-op).
   * @default true
   */
  defaultGlobalNamespace?: boolean;
  /**
   * Namespaces created on every member of the mesh and annotated `clustermesh.cilium.io/global: "true"`.
   * @default []
   */
  globalNamespaces?: string[];
}

/** The Azure Fleet a managed mesh belongs to. */
export interface AzureMeshContext {
  fleetName: pulumi.Input<string>;
  resourceGroupName: pulumi.Input<string>;
  /** The mesh's selector as Azure's `byLabel` (`key=value`). */
  byLabel: string;
  /** Member name → its FleetMember resource. */
  fleetMembers: Record<string, pulumi.CustomResource>;
}

export interface ClusterMeshArgs extends MeshDeclaration {
  /** Which members, and which backend (self-managed Cilium, or an Azure Fleet ClusterMeshProfile). */
  plan: MeshPlan;
  /** The fleet's members by name. */
  members: Record<string, Member>;
  /** The mesh's members in the previous run (undefined on the first run). */
  previousMembers: pulumi.Output<string[] | undefined>;
  ciliumVersion: string;
  /** Required for an `azure-fleet` mesh. */
  azure?: AzureMeshContext;
}

/**
 * A Cilium Cluster Mesh over the members a label selector picks, with no `cilium clustermesh
 * connect` step: every member's Helm values carry the full peer list (one pass, shared CA, no secret
 * copied between clusters). For AKS members with AKS-managed Cilium it is an Azure Fleet
 * ClusterMeshProfile instead. During preview it prints which members are added, removed or kept.
 */
export class ClusterMesh extends pulumi.ComponentResource {
  public readonly meshName: string;
  public readonly backend: MeshPlan["backend"];
  /** Names of the members in this mesh. */
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
  public readonly profile?: resources.Resource;
  public readonly apply?: command.local.Command;
  private readonly meshInputs = new Map<string, pulumi.Output<CiliumClusterMeshInput>>();
  private readonly namespaces = new Map<string, k8s.core.v1.Namespace>();

  constructor(name: string, args: ClusterMeshArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fleetmesh:index:ClusterMesh", name, {}, opts);
    this.meshName = args.plan.name;
    this.backend = args.plan.backend;
    this.members = [...args.plan.members];
    this.defaultGlobalNamespace = args.plan.backend === "azure-fleet" ? false : args.defaultGlobalNamespace ?? true;
    this.globalNamespaces = [...(args.globalNamespaces ?? [])];
    if (args.plan.backend === "cilium") this.planCiliumMesh(args);
    else ({ profile: this.profile, apply: this.apply } = this.createAzureMesh(name, args));
    this.createGlobalNamespaces(name, args);
    this.whatIf = this.announceWhatIf(args);
    this.registerOutputs({ members: this.members, whatIf: this.whatIf });
  }

  /** The global namespace this mesh created on a member (to make objects inside it depend on it). */
  public globalNamespaceOn(member: string, namespace: string): k8s.core.v1.Namespace | undefined {
    return this.namespaces.get(`${member}/${namespace}`);
  }

  /** The clustermesh part of a member's Cilium values (cilium meshes only). */
  public meshInputFor(member: string): pulumi.Output<CiliumClusterMeshInput> | undefined {
    return this.meshInputs.get(member);
  }

  private planCiliumMesh(args: ClusterMeshArgs): void {
    const endpoints: Record<string, pulumi.Output<MeshEndpoint>> = {};
    const services: Record<string, pulumi.Output<CiliumClusterMeshInput["apiserverService"]>> = {};
    for (const name of args.plan.members) {
      const exposure = apiserverExposure(args.members[name]);
      endpoints[name] = exposure.endpoint;
      services[name] = exposure.service;
    }
    const peersByMember = pulumi.all(endpoints).apply((known) => meshPeers(args.plan, known));
    for (const name of args.plan.members) {
      // Slice this member's own list out first: handing the whole N×N table to pulumi.all for every
      // member makes Pulumi walk it N times (cubic in the mesh size).
      const peers = peersByMember.apply((all) => all[name] ?? []);
      this.meshInputs.set(
        name,
        pulumi.all([services[name], peers]).apply(
          ([apiserverService, ownPeers]): CiliumClusterMeshInput => ({
            apiserverService: apiserverService as CiliumClusterMeshInput["apiserverService"],
            peers: ownPeers,
            defaultGlobalNamespace: args.defaultGlobalNamespace ?? true,
          }),
        ),
      );
    }
  }

  private createAzureMesh(name: string, args: ClusterMeshArgs): { profile: resources.Resource; apply: command.local.Command } {
    const azure = args.azure;
    if (!azure) throw new Error(`ClusterMesh ${name}: an azure-fleet mesh needs the Azure Fleet context`);
    const fleetMembers = args.plan.members.map((m) => azure.fleetMembers[m]).filter((r): r is pulumi.CustomResource => r !== undefined);
    // The profile depends on the members, so it is deleted before them (a member in a mesh cannot be deleted).
    const profile = new resources.Resource(
      `${name}-profile`,
      {
        resourceProviderNamespace: "Microsoft.ContainerService",
        parentResourcePath: pulumi.interpolate`fleets/${azure.fleetName}`,
        resourceType: "clusterMeshProfiles",
        resourceName: args.plan.name,
        apiVersion: CLUSTER_MESH_PROFILE_API_VERSION,
        resourceGroupName: azure.resourceGroupName,
        properties: { memberSelector: { byLabel: azure.byLabel } },
      },
      { parent: this, dependsOn: fleetMembers },
    );
    const target = pulumi.interpolate`--resource-group ${azure.resourceGroupName} --fleet-name ${azure.fleetName} --name ${args.plan.name}`;
    const applyProfile = pulumi.interpolate`az fleet clustermeshprofile apply ${target}`;
    const apply = new command.local.Command(
      `${name}-apply`,
      {
        // `apply` is a POST action azure-native does not model. A change of the selector or of the
        // selected members updates this command (re-applies); it never replaces it, because a
        // replacement would run the old one's delete, which is the mesh teardown.
        create: applyProfile,
        update: applyProfile,
        environment: { FLEETMESH_MESH_SELECTOR: azure.byLabel, FLEETMESH_MESH_MEMBERS: [...args.plan.members].sort().join(",") },
        // Teardown without the member/profile deadlock (azure-fleet-and-pulumi.md §0.5): select nobody,
        // apply, wait for the member list to empty; then Pulumi deletes the profile, then the members.
        delete: pulumi.interpolate`az fleet clustermeshprofile create ${target} --member-selector ${teardownSelector(args.plan.name)} && ${applyProfile} && ${waitUntil(pulumi.interpolate`az fleet clustermeshprofile list-members ${target} --query 'length(@)' -o tsv`, "0")}`,
        logging: "stdoutAndStderr",
      },
      // Members only connect once their internal load balancers can get addresses (Network Contributor).
      { parent: this, dependsOn: [profile, ...fleetMembers, ...args.plan.members.flatMap((m) => args.members[m].networkAccess ?? [])] },
    );
    for (const member of args.plan.members) this.detachOnDelete(name, member, args, target, apply);
    return { profile, apply };
  }

  /**
   * A member leaving the fleet while its mesh stays: before its FleetMember is deleted (this command
   * depends on it, so it goes first), take it off the selector, apply, and wait until it has left.
   */
  private detachOnDelete(name: string, member: string, args: ClusterMeshArgs, target: pulumi.Output<string>, apply: command.local.Command): void {
    const azure = args.azure!;
    const fleetMember = azure.fleetMembers[member];
    if (!fleetMember) return;
    const [labelKey, labelValue] = azure.byLabel.split("=");
    // Reads the member's labels at delete time and takes off the mesh label only if it still selects
    // this mesh; labels set by later runs are kept.
    const newLabels = pulumi.interpolate`az resource show --ids ${fleetMember.id} --api-version ${FLEET_MEMBER_API_VERSION} --query properties.labels -o json | ${labelsWithoutMeshLabel(labelKey, labelValue, member)}`;
    const relabel = pulumi.interpolate`az fleet member update --resource-group ${azure.resourceGroupName} --fleet-name ${azure.fleetName} --name ${member} --labels`;
    new command.local.Command(
      `${name}-${member}-detach`,
      {
        create: "true",
        delete: pulumi.interpolate`labels=$(${newLabels}) && { [ -z "$labels" ] || eval "${relabel} $labels"; } && az fleet clustermeshprofile apply ${target} && ${waitUntil(pulumi.interpolate`az fleet clustermeshprofile list-members ${target} --query "length([?name=='${member}'])" -o tsv`, "0")}`,
      },
      { parent: this, dependsOn: [fleetMember, apply] },
    );
  }

  private createGlobalNamespaces(name: string, args: ClusterMeshArgs): void {
    for (const namespace of args.globalNamespaces ?? []) {
      for (const member of args.plan.members) {
        const created = new k8s.core.v1.Namespace(
          `${name}-${member}-${namespace}`,
          { metadata: { name: namespace, annotations: { [GLOBAL_NAMESPACE_ANNOTATION]: "true" } } },
          // Deleting a namespace deletes every workload in it: leaving the mesh must not do that.
          { parent: this, provider: args.members[member].provider, retainOnDelete: true },
        );
        this.namespaces.set(`${member}/${namespace}`, created);
      }
    }
  }

  /** The what-if rows, printed under this resource during preview (unknown values as "(known after up)"). */
  private announceWhatIf(args: ClusterMeshArgs): pulumi.Output<MeshWhatIfRow[]> {
    // Azure Fleet assigns the Cilium ids of a managed mesh itself: fleetmesh's allocation is not used there.
    const clusterIdOf = (m: string) => (args.plan.backend === "azure-fleet" ? pulumi.output(undefined) : knownOrUndefined(args.members[m].clusterId));
    const facts = args.plan.members.map((m) => pulumi.all([clusterIdOf(m), knownOrUndefined(args.members[m].nodeAddress)]));
    const rows = pulumi.all([args.previousMembers, pulumi.all(facts)]).apply(([previous, values]) => {
      const byMember = Object.fromEntries(args.plan.members.map((m, i) => [m, { clusterId: values[i][0], address: values[i][1] ?? undefined }]));
      return meshWhatIf(args.plan, previous, byMember);
    });
    if (pulumi.runtime.isDryRun()) {
      rows.apply((r) => pulumi.log.info(renderMeshWhatIf(args.plan, r, args.ciliumVersion), this));
    }
    return rows;
  }
}

/** A shell loop that waits (up to 10 minutes) until `probe` prints `expected`. */
function waitUntil(probe: pulumi.Input<string>, expected: string): pulumi.Output<string> {
  return pulumi.interpolate`for i in $(seq 1 60); do [ "$(${probe})" = "${expected}" ] && exit 0; sleep 10; done; echo "timed out waiting for the mesh membership to change" >&2; exit 1`;
}

/** How a member's clustermesh-apiserver is exposed, and where its peers dial it. */
function apiserverExposure(member: Member): { service: pulumi.Output<CiliumClusterMeshInput["apiserverService"]>; endpoint: pulumi.Output<MeshEndpoint> } {
  const declared = member.meshEndpoint;
  if (member.provisioner === "kind" || declared?.serviceType === "NodePort") {
    const nodePort = member.nodePort.apply((p) => p!);
    const ips = declared?.ips ? pulumi.output(declared.ips) : member.nodeAddress.apply((ip) => (ip ? [ip] : undefined));
    return {
      service: nodePort.apply((port) => ({ type: "NodePort" as const, nodePort: port })),
      endpoint: pulumi.all([nodePort, ips]).apply(([port, known]) => ({ port, ips: known })),
    };
  }
  const loadBalancerIP = declared?.loadBalancerIP;
  return {
    service: pulumi.output({ type: "LoadBalancer" as const, loadBalancerIP, annotations: declared?.annotations }),
    endpoint: pulumi.output({ port: CLUSTERMESH_APISERVER_PORT, ips: loadBalancerIP ? [loadBalancerIP] : undefined }),
  };
}
