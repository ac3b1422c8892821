import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { buildCiliumValues, meshSettingsValues } from "./core/cilium/cilium-values";
import { MeshPeerTable, memberPeerConfig } from "./core/cilium/peer-config";
import { MeshEndpoint } from "./core/cilium/mesh";
import { memberApiserver, memberCiliumValuesInput, memberPeerSelf } from "./core/fleet/member-cilium";
import { CiliumOwner, FleetCiliumSettings, MeshEndpointDeclaration, PlannedKindCluster, PlannedMember } from "./core/fleet/plan-fleet";
import { DEFAULT_LOAD_BALANCER_POOL } from "./core/cilium/load-balancer-pool";
import { kindNodeCount } from "./core/fleet/kind-config";
import { MemberAllocation, MemberTaint, Provisioner } from "./core/fleet/types";
import { AksClusterArgs, FleetMembership, provisionAks } from "./runtime/aks-cluster";
import { KubeloginOptions } from "./core/azure/kubeconfig-login";
import { VnetWriteQueue } from "./runtime/azure-subnets";
import { installCilium } from "./runtime/cilium-release";
import { deferred, plannedOutput } from "./runtime/deferred";
import { FleetClaims } from "./runtime/fleet-claims";
import { KindClusterArgs, KindClusterSettings, ProvisionedCluster, provisionKind } from "./runtime/kind-cluster";
import { writePeerConfig } from "./runtime/peer-config-objects";
import { afterConstruction, readyOf } from "./runtime/planned-component";
import { SharedCa } from "./runtime/shared-ca";
import { FleetValidationError } from "./errors";
import { kubeconfigRefusal, providerKubeconfig } from "./runtime/secret-inputs";
import { afterTakeover, kubeconfigCluster } from "./runtime/existing-member";
import { gatedOn } from "./runtime/outputs";
import { MeshEndpointServiceType } from "./core/fleet/enums";

/** One member of a fleet, as declared in `FleetArgs.members`: exactly one of `kind`, `aks`, `kubeconfig`. */
export interface MemberDeclaration {
  /** A local kind cluster, created and deleted with the member. */
  readonly kind?: KindClusterArgs;
  /** An AKS cluster (with AKS-managed Cilium, or bring-your-own-CNI). */
  readonly aks?: AksClusterArgs;
  /**
   * An existing cluster of any distribution: its kubeconfig's YAML text (keep it a Pulumi secret),
   * with the context to use (or a current-context) naming a cluster with a server and a user. Never
   * empty and never a file path: fleetmesh does not fall back to the ambient kubeconfig.
   */
  readonly kubeconfig?: pulumi.Input<string>;
  /**
   * The kubeconfig context to use (kubeconfig members only).
   * @default the kubeconfig's current context
   */
  readonly context?: string;
  /**
   * Labels: meshes, placements and Azure Fleet select members by them.
   * @default no labels
   */
  readonly labels?: Record<string, string>;
  /**
   * Taints (MemberCluster `spec.taints`): placements avoid the member unless they tolerate them.
   * @default no taints
   */
  readonly taints?: MemberTaint[];
  /**
   * Pin the Cilium `cluster.id` (1..maxConnectedClusters).
   * @default allocated by the fleet, and never changed afterwards
   */
  readonly clusterId?: number;
  /**
   * Pin the pod CIDR.
   * @default allocated from the fleet's pod pool, and never changed afterwards
   */
  readonly podCidr?: string;
  /**
   * Pin the service CIDR (for a kubeconfig member, give the cluster's real one).
   * @default allocated from the fleet's service pool, and never changed afterwards
   */
  readonly serviceCidr?: string;
  /**
   * Pin the clustermesh-apiserver NodePort (kind members, and members whose `meshEndpoint` is a NodePort).
   * @default allocated from the fleet's NodePort range, and never changed afterwards
   */
  readonly nodePort?: number;
  /**
   * Where peers reach this member's clustermesh-apiserver, for members fleetmesh cannot discover
   * (kubeconfig, AKS BYOCNI; refused on kind and AKS-managed Cilium members). Required when such a
   * member is in a mesh.
   * @default kind members: a NodePort on the control-plane node's address; other members: none
   */
  readonly meshEndpoint?: MeshEndpointArgs;
  /**
   * The cluster already runs Cilium (kubeconfig members only): Cilium 1.16 or later, installed by Helm
   * as release `cilium` in `kube-system` (as the cilium CLI installs it). fleetmesh takes that release
   * over instead of installing one: it imports it (Pulumi CLI 3.175.0 or later), upgrades it to the
   * fleet's chart version with the mesh settings merged over its own values (its IPAM, routing and
   * kube-proxy settings stay), re-keys it to the fleet CA (its clustermesh-apiserver restarts once),
   * and never uninstalls it. Needs the member's real `podCidr` and `serviceCidr`. At `up`, a read-only
   * check compares the cluster with this declaration before anything is written.
   * @default none: fleetmesh installs Cilium, and refuses at `up` a cluster that already runs another
   */
  readonly existingCilium?: ExistingCiliumArgs;
}

/** The Cilium an existing cluster already runs, as `cilium-config` in `kube-system` shows it. */
export interface ExistingCiliumArgs {
  /** Its `cluster.name` (`cluster-name` in cilium-config): must equal the member name, which is the Cilium cluster name. */
  readonly clusterName: string;
  /** Its `cluster.id` (`cluster-id`), 1..maxConnectedClusters: the member's cluster id, kept. */
  readonly clusterId: number;
  /** The chart version it runs (the agent image's tag, e.g. `1.17.6`): at most one minor version older than the fleet's, never newer. */
  readonly version: string;
}

/** How the clustermesh-apiserver of a kubeconfig or AKS BYOCNI member is exposed to its peers. */
export interface MeshEndpointArgs extends MeshEndpointDeclaration {
  /**
   * `LoadBalancer` with a pinned IP (MetalLB, LB-IPAM, an Azure internal LB), or `NodePort` on node IPs.
   * @default "LoadBalancer"
   */
  readonly serviceType?: MeshEndpointServiceType;
  /**
   * LoadBalancer: the IP to pin (`clustermesh.apiserver.service.loadBalancerIP`); peers dial it on 2379.
   * Not set on a NodePort endpoint.
   * @default none (required for a LoadBalancer endpoint)
   */
  readonly loadBalancerIP?: string;
  /**
   * NodePort: node IPs peers dial (each once), on the member's allocated (or pinned) NodePort. Not set
   * on a LoadBalancer endpoint.
   * @default none (required for a NodePort endpoint)
   */
  readonly ips?: string[];
  /**
   * Extra annotations for the clustermesh-apiserver Service of a LoadBalancer endpoint (AKS members get
   * the internal-LB one); keys are qualified names.
   * @default no extra annotations
   */
  readonly annotations?: Record<string, string>;
}

/**
 * Where the members of a member's mesh are reached, one Output per mesh that all its members share, and
 * the mesh's peer table from it, which each member cuts its peer objects from. Per member, an Output of
 * its own peer list would be one more Output over every member of the mesh, per member, and a table of
 * its own would render every peer's files again.
 */
export interface MeshPeers {
  endpoints: pulumi.Output<Record<string, MeshEndpoint>>;
  tableFrom(endpoints: Record<string, MeshEndpoint>): MeshPeerTable;
}

/** What the fleet a member belongs to hands it: internal wiring, not part of the public API. */
export interface MemberContext {
  plan: PlannedMember;
  declaration: MemberDeclaration;
  cilium: FleetCiliumSettings;
  /** The fleet's LoadBalancer pool: a kind member's create script checks that it lies inside the Docker network `kind`. */
  loadBalancerPool?: string;
  ca: SharedCa;
  /** This member's allocation once the previous run's state is read; undefined when the fleet refused. */
  allocation: Promise<MemberAllocation | undefined>;
  /** The member had no allocation in the previous run: its first run (a kubeconfig member's check then refuses any Cilium already there, unless declared). */
  newMember?: Promise<boolean>;
  /** Its mesh's `defaultGlobalNamespace` (Cilium 1.20+ reads it from the values); read at build, once every mesh is declared. */
  defaultGlobalNamespace: () => boolean | undefined;
  /** The other members of its mesh (none outside a mesh), evaluated once every member and mesh exists. */
  peers: () => MeshPeers;
  /** Set when the fleet is an Azure Fleet: AKS members join it (every `az` call names its subscription). */
  azureFleet?: Omit<FleetMembership, "labels">;
  /** AKS members: the login an Entra-only kubeconfig is switched to, and the fleet's order of subnet writes per VNet. */
  azure: { login: KubeloginOptions; subnets: VnetWriteQueue };
  /** What spans the fleet's components (namespaces, ingress addresses). */
  claims: FleetClaims;
}

/** What a member's build registered. */
interface MemberResources {
  cluster: ProvisionedCluster;
  cilium?: k8s.helm.v3.Release;
  /** The member's peer config Secrets and users ConfigMap (members that run a clustermesh-apiserver). */
  peerConfig?: pulumi.CustomResource[];
  fleetMember?: pulumi.CustomResource;
  networkAccess?: pulumi.CustomResource;
  /** kubeconfig members: the read-only check of the cluster, which every write to it waits for. */
  check?: pulumi.CustomResource;
  /** A taken-over Cilium: the restart of its clustermesh-apiserver after the re-key. */
  rekeyRestart?: pulumi.CustomResource;
}

/**
 * One cluster of the fleet: provisioned on kind, on AKS, or taken from a kubeconfig, with its own
 * Kubernetes provider (no child ever uses the ambient kubeconfig), and Cilium installed on it unless
 * AKS owns it. Created by `Fleet`; the provider exists at once, the cluster and Cilium are
 * registered once the fleet's allocation is known.
 */
export class Member extends pulumi.ComponentResource {
  /** The name inside its fleet: the Cilium cluster name. */
  public readonly memberName: string;
  public readonly provisioner: Provisioner;
  public readonly labels: Record<string, string>;
  public readonly taints: MemberTaint[];
  /** This member's own provider: pass it to anything you deploy on the member. */
  public readonly provider: k8s.Provider;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly clusterId: pulumi.Output<number>;
  public readonly podCidr: pulumi.Output<string>;
  public readonly serviceCidr: pulumi.Output<string>;
  public readonly nodePort: pulumi.Output<number | undefined>;
  /** The address peers reach this member's nodes on (kind: the control-plane node on the `kind` network). */
  public readonly nodeAddress: pulumi.Output<string | undefined>;
  /** How the member was declared on AKS (its location and resource group feed the Azure Fleet labels). */
  public readonly aks?: AksClusterArgs;
  /** How this member's clustermesh-apiserver is exposed, when the user said (kubeconfig, AKS BYOCNI). */
  public readonly meshEndpoint?: MeshEndpointArgs;
  /** Who runs Cilium here: fleetmesh's Helm release, or AKS itself (managed Cilium). */
  public readonly ciliumOwner: CiliumOwner;
  /** Cilium here answers ARP for LoadBalancer addresses (kind members with kube-proxy replacement). */
  public readonly l2Announcements: boolean;
  /**
   * What objects of Cilium's own kinds (policies, LB-IPAM pools) must wait for: the Cilium release, if
   * fleetmesh installs one. A promise, not an Output: an Output holding resources would make the SDK
   * walk their whole object graph.
   */
  public readonly ciliumInstalled: Promise<pulumi.Resource[]>;
  /** What Azure Fleet networking objects must wait for: the FleetMember, when the member joins an Azure Fleet. */
  public readonly fleetJoined: Promise<pulumi.Resource[]>;
  /** What the fleet's claims table says about this member's namespaces and addresses (internal). */
  public readonly claims: FleetClaims;
  /** The resources of the build, once registered (undefined when the fleet refused). */
  public readonly built: Promise<MemberResources | undefined>;

  private readonly context: MemberContext;
  private readonly componentName: string;
  private readonly finished = deferred<MemberResources | undefined>();
  /** The refusal of this member's secret inputs (its kubeconfig, the fleet's CA) given as Outputs, once they arrive. */
  private readonly inputsRefusal: Promise<FleetValidationError | undefined>;

  constructor(name: string, context: MemberContext, opts?: pulumi.ComponentResourceOptions) {
    super("fleetmesh:index:Member", name, {}, opts);
    const { plan, declaration } = context;
    this.context = context;
    this.componentName = name;
    this.claims = context.claims;
    this.memberName = plan.name;
    this.provisioner = plan.provisioner;
    this.labels = { ...plan.labels };
    this.taints = [...plan.taints];
    this.aks = declaration.aks;
    this.meshEndpoint = declaration.meshEndpoint;
    this.ciliumOwner = plan.ciliumOwner;
    this.l2Announcements = plan.l2Announcements;
    this.built = this.finished.promise;
    const allocation = plannedOutput(context.allocation);
    this.clusterId = allocation.apply((a) => a.clusterId);
    this.podCidr = allocation.apply((a) => a.podCidr);
    this.serviceCidr = allocation.apply((a) => a.serviceCidr);
    this.nodePort = allocation.apply((a) => a.nodePort);
    const cluster = plannedOutput(this.built.then((b) => b && { kubeconfig: b.cluster.kubeconfig, id: b.cluster.clusterIdentifier }));
    this.kubeconfig = pulumi.secret(cluster.apply((c) => c.kubeconfig));
    this.nodeAddress = plannedOutput(this.built.then((b) => b && { address: b.cluster.nodeAddress })).apply(
      (b) => b.address as string | undefined,
    );
    const kubeconfigRefused = kubeconfigRefusal(context.ca.component, plan.name, declaration.kubeconfig, declaration.context);
    this.inputsRefusal = Promise.all([kubeconfigRefused, context.ca.refusal]).then(([own, ca]) => own ?? ca);
    this.ciliumInstalled = this.built.then((b) => (b?.cilium ? [b.cilium] : []));
    this.fleetJoined = this.built.then((b) => (b?.fleetMember ? [b.fleetMember] : []));
    this.provider = new k8s.Provider(
      name,
      {
        // Never empty, never unusable: a provider without a kubeconfig would use the ambient one.
        kubeconfig: providerKubeconfig(this.kubeconfig, kubeconfigRefused, `member "${plan.name}"'s kubeconfig`, declaration.context),
        context: declaration.context,
        clusterIdentifier: cluster.apply((c) => c.id),
        // A kind cluster that is gone takes its objects with it: drop them from state instead of failing.
        deleteUnreachable: plan.provisioner === "kind",
      },
      { parent: this },
    );
  }

  /** Every child registered (rejects with the refusal error when the plan refused). */
  public get ready(): Promise<void> {
    return readyOf(this);
  }

  protected override async initialize(): Promise<void> {
    this.registerOutputs(await afterConstruction(() => this.build()));
  }

  private async build(): Promise<pulumi.Inputs> {
    const [allocation, refusal] = await Promise.all([this.context.allocation, this.inputsRefusal]);
    if (refusal) {
      // Nothing that would consume a refused kubeconfig or CA is registered.
      this.finished.resolve(undefined);
      throw refusal;
    }
    if (!allocation) {
      this.finished.resolve(undefined);
      return {};
    }
    const resources = this.provision(allocation);
    this.finished.resolve(resources);
    // The allocation's values as they are, not this component's Outputs of them: the SDK serializes every
    // Output among registered outputs through a promise whose stack it captures and source-maps.
    const { clusterId, podCidr, serviceCidr } = allocation;
    return { clusterId, podCidr, serviceCidr, kubeconfig: this.kubeconfig };
  }

  /** Cluster first, then Cilium on it (through this member's provider), then its peers beside the release. */
  private provision(allocation: MemberAllocation): MemberResources {
    const { plan, declaration, cilium } = this.context;
    const name = this.componentName;
    let resources: MemberResources;
    if (plan.kind) resources = { cluster: provisionKind(name, this.kindSettings(plan.kind), allocation, this) };
    else if (declaration.aks) {
      const membership = this.context.azureFleet ? { ...this.context.azureFleet, labels: this.labels } : undefined;
      const aks = provisionAks(name, plan.name, declaration.aks, allocation, { membership, ...this.context.azure }, this);
      resources = { cluster: aks, fleetMember: aks.fleetMember, networkAccess: aks.networkAccess };
    } else {
      const newMember = this.context.newMember ?? Promise.resolve(true);
      const declared = { ...declaration, kubeconfig: declaration.kubeconfig! };
      const cluster = kubeconfigCluster(name, plan, declared, cilium, allocation, newMember, this);
      resources = { cluster, check: cluster.check };
    }
    if (plan.ciliumOwner !== "fleetmesh") return resources;
    // Peers first, and the release after them: that order also hands over peers an older release rendered (peer-config-objects.ts).
    const peerConfig = plan.apiserver ? this.peerConfig(allocation, resources.check) : undefined;
    const values = this.ciliumValues(allocation, resources);
    // A Cilium the cluster already ran keeps its own values but the mesh settings (cilium-values.ts meshSettingsValues).
    const releaseValues = plan.existingCilium ? values.apply(meshSettingsValues) : values;
    const waitsFor = [...(resources.check ? [resources.check] : []), ...(peerConfig ?? [])];
    const options = { dependsOn: waitsFor, existing: plan.existingCilium !== undefined };
    const release = installCilium(name, cilium.version, releaseValues, this, this.provider, options);
    const caCertPem = pulumi.output(this.context.ca.certPem);
    const rekeyRestart = afterTakeover(name, plan, declaration.context, cilium, caCertPem, resources.cluster.kubeconfig, release, this);
    return { ...resources, cilium: release, ...(peerConfig && { peerConfig }), ...(rekeyRestart && { rekeyRestart }) };
  }

  /** What the kind cluster of a kind member is made from, besides its allocation. */
  private kindSettings(cluster: PlannedKindCluster): KindClusterSettings {
    const { plan, cilium, loadBalancerPool } = this.context;
    return {
      member: plan.name,
      cluster,
      kubeProxyReplacement: plan.kubeProxyReplacement,
      ciliumVersion: cilium.version,
      loadBalancerPool: loadBalancerPool ?? DEFAULT_LOAD_BALANCER_POOL,
    };
  }

  /** The member's peer objects: the other members of its mesh, as data beside its release. */
  private peerConfig(allocation: MemberAllocation, check?: pulumi.CustomResource): pulumi.CustomResource[] {
    const { plan, cilium } = this.context;
    // Gated on the cluster's check (kubeconfig members), so nothing is written to a cluster that failed it: its URN
    // is known in a preview (the peers stay known) and, in an update, resolves once the check has run.
    const { endpoints, tableFrom } = this.context.peers();
    const source = check ? gatedOn(endpoints, check.urn) : endpoints;
    const self = memberPeerSelf(plan, allocation);
    const build = (known: Record<string, MeshEndpoint>) => memberPeerConfig(tableFrom(known), self);
    return writePeerConfig({ name: this.componentName, version: cilium.version, source, build, parent: this, provider: this.provider });
  }

  /** The Helm values of this member's Cilium release: planned values, the CA, and its own apiserver (never its peers). */
  private ciliumValues(allocation: MemberAllocation, resources: MemberResources): pulumi.Output<Record<string, unknown>> {
    const { plan, cilium, ca } = this.context;
    const nodeAddress = resources.cluster.nodeAddress ?? pulumi.output(undefined);
    return pulumi.all([ca.certPemBase64, ca.keyPemBase64, nodeAddress]).apply(([certPemBase64, keyPemBase64, address]) => {
      const apiserver = plan.apiserver ? memberApiserver(plan, allocation, address, this.context.defaultGlobalNamespace()) : undefined;
      const input = memberCiliumValuesInput(plan, cilium, allocation, { certPemBase64, keyPemBase64 }, apiserver);
      // A kind member's node count is known: its operator is sized to it.
      return buildCiliumValues(plan.kind ? { ...input, nodeCount: kindNodeCount(plan.kind.workers) } : input);
    });
  }
}
