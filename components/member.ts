import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CiliumValuesInput, buildCiliumValues } from "./core/cilium/cilium-values";
import { CILIUM_V2ALPHA1, ingressAnnouncementManifest, ingressPoolManifest, pinnedLoadBalancerAddress } from "./core/cilium/load-balancer-pool";
import { MemberAllocation, MemberTaint, Provisioner } from "./core/fleet/types";
import { SharedCa } from "./runtime/shared-ca";
import { AksClusterArgs, FleetMembership, provisionAks } from "./runtime/aks-cluster";
import { KindClusterArgs, ProvisionedCluster, provisionKind } from "./runtime/kind-cluster";

export const CILIUM_CHART_REPOSITORY = "https://helm.cilium.io/";

/** One member of a fleet, as declared in `FleetArgs.members`: exactly one of `kind`, `aks`, `kubeconfig`. */
export interface MemberDeclaration {
  /** A local kind cluster, created and deleted with the member. */
  kind?: KindClusterArgs;
  /** An AKS cluster (with AKS-managed Cilium, or bring-your-own-CNI). */
  aks?: AksClusterArgs;
  /** An existing cluster of any distribution: its kubeconfig (keep it a Pulumi secret). */
  kubeconfig?: pulumi.Input<string>;
  /**
   * The kubeconfig context to use.
   * @default the kubeconfig's current context
   */
  context?: string;
  /**
   * Labels: meshes, placements and Azure Fleet select members by them.
   * @default {}
   */
  labels?: Record<string, string>;
  /**
   * Taints (MemberCluster `spec.taints`): placements avoid the member unless they tolerate them.
   * @default []
   */
  taints?: MemberTaint[];
  /**
   * Pin the Cilium `cluster.id` (1..maxConnectedClusters).
   * @default allocated by the fleet, and never changed afterwards
   */
  clusterId?: number;
  /**
   * Pin the pod CIDR.
   * @default allocated from the fleet's pod pool
   */
  podCidr?: string;
  /**
   * Pin the service CIDR (for a kubeconfig member, give the cluster's real one).
   * @default allocated from the fleet's service pool
   */
  serviceCidr?: string;
  /**
   * Pin the clustermesh-apiserver NodePort (kind members).
   * @default allocated from the fleet's NodePort range
   */
  nodePort?: number;
  /**
   * Where peers reach this member's clustermesh-apiserver, for members fleetmesh cannot discover
   * (kubeconfig, AKS BYOCNI). Required when such a member is in a mesh.
   * @default kind: NodePort on the control-plane IP; others: none
   */
  meshEndpoint?: MeshEndpointArgs;
}

/** How the clustermesh-apiserver of a kubeconfig or AKS BYOCNI member is exposed to its peers. */
export interface MeshEndpointArgs {
  /**
   * `LoadBalancer` with a pinned IP (MetalLB, LB-IPAM, an Azure internal LB), or `NodePort` on node IPs.
   * @default "LoadBalancer"
   */
  serviceType?: "LoadBalancer" | "NodePort";
  /** LoadBalancer: the IP to pin (`clustermesh.apiserver.service.loadBalancerIP`); peers dial it on 2379. */
  loadBalancerIP?: string;
  /** NodePort: node IPs peers dial, and the NodePort (defaults to the member's allocated one). */
  ips?: string[];
  /**
   * Extra annotations for the clustermesh-apiserver Service (AKS members get the internal-LB one).
   * @default {}
   */
  annotations?: Record<string, string>;
}

/** Fleet-wide Cilium settings every member shares. */
export interface FleetCiliumSettings {
  version: string;
  maxConnectedClusters: 255 | 511;
  kubeProxyReplacement: boolean;
  routingMode: "tunnel" | "native";
  /** With native routing: the fleet's pod CIDR pool, which every member's pod CIDR lies in. */
  nativeRoutingCidr: string;
  policyDefaultLocalCluster: boolean;
}

/** What `Fleet` hands each member. */
export interface MemberArgs extends MemberDeclaration {
  /** The name the member has inside its fleet (the Cilium cluster name). */
  memberName: string;
  allocation: pulumi.Output<MemberAllocation>;
  ca: SharedCa;
  cilium: FleetCiliumSettings;
  /** Set when the fleet is an Azure Fleet: AKS members join it. */
  fleetMembership?: Omit<FleetMembership, "labels">;
}

/** Where Cilium on this member comes from. */
export type CiliumOwner = "fleetmesh" | "aks";

function provisionerOf(args: MemberDeclaration): Provisioner {
  if (args.kind) return "kind";
  if (args.aks) return "aks";
  return "kubeconfig";
}

/**
 * One cluster of the fleet: provisioned on kind, on AKS, or taken from a kubeconfig, with its own
 * Kubernetes provider (no child ever uses the ambient kubeconfig). `Fleet` installs Cilium on it
 * once every member's address is known (`installCilium`).
 */
export class Member extends pulumi.ComponentResource {
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
  /** The address peers reach this member's nodes on (kind: control-plane IP on the `kind` network). */
  public readonly nodeAddress: pulumi.Output<string | undefined>;
  /** How the member was declared on AKS (its location and resource group feed the Azure Fleet labels). */
  public readonly aks?: AksClusterArgs;
  /** How this member's clustermesh-apiserver is exposed, when the user said (kubeconfig, AKS BYOCNI). */
  public readonly meshEndpoint?: MeshEndpointArgs;
  /** Who runs Cilium here: fleetmesh's Helm release, or AKS itself (managed Cilium). */
  public readonly ciliumOwner: CiliumOwner;
  public ciliumRelease?: k8s.helm.v3.Release;
  /** Cilium here answers ARP for LoadBalancer addresses (kind members with kube-proxy replacement). */
  public readonly l2Announcements: boolean;
  /** The Azure FleetMember this AKS member joined the Azure Fleet with. */
  public readonly fleetMember?: pulumi.CustomResource;
  /** AKS: the cluster identity's Network Contributor grant on its VNet (internal load balancers need it). */
  public readonly networkAccess?: pulumi.CustomResource;

  private readonly settings: MemberArgs;
  private ingress?: { address: pulumi.Output<string>; resources: pulumi.Resource[] };

  constructor(name: string, args: MemberArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fleetmesh:index:Member", name, {}, opts);
    this.settings = args;
    this.memberName = args.memberName;
    this.provisioner = provisionerOf(args);
    this.labels = { ...(args.labels ?? {}) };
    this.taints = [...(args.taints ?? [])];
    this.meshEndpoint = args.meshEndpoint;
    this.aks = args.aks;
    this.clusterId = args.allocation.apply((a) => a.clusterId);
    this.podCidr = args.allocation.apply((a) => a.podCidr);
    this.serviceCidr = args.allocation.apply((a) => a.serviceCidr);
    this.nodePort = args.allocation.apply((a) => a.nodePort);
    const cluster = this.provision(args);
    this.fleetMember = (cluster as { fleetMember?: pulumi.CustomResource }).fleetMember;
    this.networkAccess = (cluster as { networkAccess?: pulumi.CustomResource }).networkAccess;
    this.kubeconfig = cluster.kubeconfig;
    this.nodeAddress = cluster.nodeAddress ?? pulumi.output(undefined);
    this.ciliumOwner = this.provisioner === "aks" && args.aks?.networkPlugin !== "none" ? "aks" : "fleetmesh";
    this.l2Announcements = this.provisioner === "kind" && args.cilium.kubeProxyReplacement;
    this.provider = new k8s.Provider(
      name,
      {
        kubeconfig: cluster.kubeconfig,
        context: args.context,
        clusterIdentifier: cluster.clusterIdentifier,
        // A kind cluster that is gone takes its objects with it: drop them from state instead of failing.
        deleteUnreachable: this.provisioner === "kind",
      },
      { parent: this },
    );
    this.registerOutputs({ clusterId: this.clusterId, podCidr: this.podCidr, serviceCidr: this.serviceCidr, kubeconfig: this.kubeconfig });
  }

  private provision(args: MemberArgs): ProvisionedCluster {
    if (args.kind) return provisionKind(args.memberName, args.kind, args.allocation, args.cilium.kubeProxyReplacement, this);
    if (args.aks) {
      const membership = args.fleetMembership ? { ...args.fleetMembership, labels: this.labels } : undefined;
      return provisionAks(args.memberName, args.aks, args.allocation, membership, this);
    }
    const kubeconfig = pulumi.secret(pulumi.output(args.kubeconfig!));
    return { kubeconfig, clusterIdentifier: pulumi.output(`${args.memberName}/${args.context ?? "current-context"}`) };
  }

  /** The Cilium values for this member, given its mesh (undefined outside any mesh). */
  public ciliumValues(clustermesh?: pulumi.Input<CiliumValuesInput["clustermesh"]>): pulumi.Output<Record<string, unknown>> {
    const { cilium, ca, memberName } = this.settings;
    const kindHost = this.provisioner === "kind" ? { k8sServiceHost: `${memberName}-control-plane`, k8sServicePort: 6443 } : {};
    const kubeProxyReplacement = this.provisioner === "kind" && cilium.kubeProxyReplacement;
    return pulumi
      .all([this.settings.allocation, ca.certPemBase64, ca.keyPemBase64, pulumi.output(clustermesh)])
      .apply(([allocation, certPemBase64, keyPemBase64, mesh]) =>
        buildCiliumValues({
          version: cilium.version,
          clusterName: memberName,
          clusterId: allocation.clusterId,
          maxConnectedClusters: cilium.maxConnectedClusters,
          provisioner: this.provisioner,
          podCidr: allocation.podCidr,
          ca: { certPemBase64, keyPemBase64 },
          kubeProxyReplacement,
          ...kindHost,
          routingMode: cilium.routingMode,
          // Native routing must not masquerade traffic to any member's pods: the whole fleet pool.
          ...(cilium.routingMode === "native" ? { ipv4NativeRoutingCIDR: cilium.nativeRoutingCidr } : {}),
          policyDefaultLocalCluster: cilium.policyDefaultLocalCluster,
          l2announcements: this.l2Announcements,
          clustermesh: mesh as CiliumValuesInput["clustermesh"],
        }),
      );
  }

  /**
   * Installs Cilium with Helm (helm.v3.Release: it runs the chart's cronJob certificate hook, so
   * certificates do not churn on every `pulumi up`). AKS with managed Cilium is left alone: AKS owns it.
   */
  public installCilium(clustermesh?: pulumi.Input<CiliumValuesInput["clustermesh"]>): k8s.helm.v3.Release | undefined {
    if (this.ciliumOwner !== "fleetmesh") return undefined;
    this.ciliumRelease = new k8s.helm.v3.Release(
      `${this.settings.memberName}-cilium`,
      {
        name: "cilium",
        chart: "cilium",
        version: this.settings.cilium.version,
        repositoryOpts: { repo: CILIUM_CHART_REPOSITORY },
        namespace: "kube-system",
        // The values carry the shared CA's private key.
        values: pulumi.secret(this.ciliumValues(clustermesh)),
        timeout: 900,
        maxHistory: 10,
        // Helm's wait would deadlock: the clustermesh-apiserver only becomes ready with the certs the
        // post-install cronJob hook creates, and Helm runs that hook after the wait (cilium#42045).
        skipAwait: true,
      },
      { parent: this, provider: this.provider },
    );
    return this.ciliumRelease;
  }

  /**
   * This member's pinned LoadBalancer address for fleetmesh ingress services: the `clusterId`-th
   * address of the fleet's `loadBalancerPool`, handed out by a Cilium LB-IPAM pool that only ingress
   * services may draw from and, where Cilium runs L2 announcements (kind), announced on the node
   * network. Created once, by the first MultiClusterService whose ingress member this is.
   */
  public ingressAddress(loadBalancerPool: string): { address: pulumi.Output<string>; resources: pulumi.Resource[] } {
    if (this.ingress) return this.ingress;
    const address = this.clusterId.apply((id) => {
      const pinned = pinnedLoadBalancerAddress(loadBalancerPool, id);
      if (pinned.address === undefined) throw new Error(`member ${this.memberName} has no pinned LoadBalancer address: ${pinned.problem}`);
      return pinned.address;
    });
    // The CRDs exist once Cilium's operator runs.
    const opts = { parent: this, provider: this.provider, dependsOn: this.ciliumRelease ? [this.ciliumRelease] : [] };
    const pool = address.apply(ingressPoolManifest);
    const resources: pulumi.Resource[] = [
      new k8s.apiextensions.CustomResource(`${this.memberName}-ingress-pool`, { apiVersion: CILIUM_V2ALPHA1, kind: "CiliumLoadBalancerIPPool", metadata: pool.metadata, spec: pool.spec }, opts),
    ];
    if (this.l2Announcements) {
      const announcement = ingressAnnouncementManifest();
      resources.push(new k8s.apiextensions.CustomResource(`${this.memberName}-ingress-l2`, { ...announcement }, opts));
    }
    this.ingress = { address, resources };
    return this.ingress;
  }
}
