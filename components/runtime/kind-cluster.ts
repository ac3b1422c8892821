import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { DEFAULT_LOAD_BALANCER_POOL } from "../core/cilium/load-balancer-pool";
import { kindClusterConfig, kindConfigHash, renderKindConfig } from "../core/fleet/kind-config";
import { OWNER_STACK_LABEL } from "../core/fleet/kind-names";
import { kindNodeImageChoice } from "../core/fleet/kind-node-images";
import {
  KindNodeAddress,
  currentKindNodeAddress,
  kindCreateScript,
  kindNodeProbeScript,
  kindNodeRecordScript,
} from "../core/fleet/kind-scripts";
import { PlannedKindCluster } from "../core/fleet/plan-fleet";
import { MemberAllocation } from "../core/fleet/types";
import { shellQuote } from "../core/shell";

/** How a kind member is made: a local kind cluster created through the kind CLI. */
export interface KindClusterArgs {
  /**
   * Worker nodes besides the control plane.
   * @default 0: the control-plane node alone runs every pod
   */
  readonly workers?: number;
  /**
   * Node image: an image reference (e.g. `kindest/node:v1.33.1`, optionally with `@sha256:` digest).
   * @default an image fleetmesh pins per kind release for the fleet's Cilium version (a Kubernetes version that Cilium is tested on), chosen at create from the installed kind
   */
  readonly nodeImage?: string;
  /**
   * The kind cluster's name (lowercase letters, digits, `.` and `-`; at most 49 characters, so that
   * `<name>-control-plane` is a valid hostname).
   * @default "<fleet>-<member>", so that fleets of one machine never share a cluster
   */
  readonly clusterName?: string;
}

/** What a provisioned kind cluster gives its member. */
export interface ProvisionedCluster {
  /** Kubeconfig for the Kubernetes provider (a secret). */
  kubeconfig: pulumi.Output<string>;
  /** Changes only when the cluster is re-created: replaces the provider, and so every child. */
  clusterIdentifier: pulumi.Output<string>;
  /** Address peers use to reach this cluster's nodes (kind: the control-plane IP on the `kind` network). */
  nodeAddress?: pulumi.Output<string>;
}

/** What a kind member's cluster is made from, besides its allocation. */
export interface KindClusterSettings {
  /** The member's name in its fleet. */
  member: string;
  cluster: PlannedKindCluster;
  kubeProxyReplacement: boolean;
  /** The fleet's Cilium chart version: the node image is pinned to a Kubernetes version it is tested on. */
  ciliumVersion: string;
  /** The fleet's LoadBalancer pool, checked to lie inside the Docker network `kind`. */
  loadBalancerPool: string;
}

/**
 * A kind cluster through the kind CLI: created from a generated config (no default CNI, the member's
 * pod and service subnets, no kube-proxy when Cilium replaces it, every node labelled with the stack
 * that owns it), re-created only when that config changes, deleted with the member. An existing
 * cluster of that name is adopted only when it is this member's (kind-scripts.ts). The control-plane
 * node's address is read again on every preview and update, since Docker may give it another one
 * when the node restarts. Children are named `<name>-kind-*`, where `name` is the member component's name.
 */
export function provisionKind(
  name: string,
  settings: KindClusterSettings,
  allocation: MemberAllocation,
  parent: pulumi.Resource,
): ProvisionedCluster {
  const { cluster } = settings;
  const kubeProxyMode = settings.kubeProxyReplacement ? "none" : "iptables";
  const configText = renderKindConfig(
    kindClusterConfig({
      name: cluster.clusterName,
      podSubnet: allocation.podCidr,
      serviceSubnet: allocation.serviceCidr,
      workers: cluster.workers,
      nodeImage: cluster.nodeImage,
      kubeProxyMode,
      nodeLabels: cluster.nodeLabels,
    }),
  );
  const create = kindCreateScript({
    member: settings.member,
    clusterName: cluster.clusterName,
    workers: cluster.workers,
    podSubnet: allocation.podCidr,
    serviceSubnet: allocation.serviceCidr,
    kubeProxyMode,
    owner: { key: OWNER_STACK_LABEL, value: cluster.nodeLabels[OWNER_STACK_LABEL] },
    ...(cluster.nodeImage !== undefined && { nodeImage: cluster.nodeImage }),
    images: kindNodeImageChoice(settings.ciliumVersion),
    loadBalancerPool: { cidr: settings.loadBalancerPool, isDefault: settings.loadBalancerPool === DEFAULT_LOAD_BALANCER_POOL },
  });
  const clusterName = shellQuote(cluster.clusterName);
  const created = new command.local.Command(
    `${name}-kind-cluster`,
    {
      // No `--wait`: without a CNI (Cilium comes next) the nodes cannot become Ready yet.
      create,
      delete: `kind delete cluster --name ${clusterName}`,
      stdin: configText,
      triggers: [kindConfigHash(configText)],
      logging: "stderr",
    },
    // The old cluster must be gone before a new one of the same name is created.
    { parent, deleteBeforeReplace: true },
  );
  const kubeconfig = new command.local.Command(
    `${name}-kind-kubeconfig`,
    { create: `kind get kubeconfig --name ${clusterName}`, triggers: [created.id], logging: "none" },
    { parent, dependsOn: [created], additionalSecretOutputs: ["stdout"] },
  );
  // The node as it was when the cluster was created: its container id and address.
  const recorded = new command.local.Command(
    `${name}-kind-address`,
    { create: kindNodeRecordScript(cluster.controlPlane), triggers: [created.id], logging: "stderr" },
    { parent, dependsOn: [created] },
  );
  // The node as Docker has it now, read on every preview and update (empty before the cluster exists).
  const observed = command.local.runOutput({ command: kindNodeProbeScript(cluster.controlPlane), logging: "none" }, { parent });
  const address = pulumi.all([recorded.stdout, observed.stdout]).apply(([atCreate, now]) => currentKindNodeAddress(atCreate, now));
  announceMove(settings.member, cluster.controlPlane, address, parent);
  return {
    kubeconfig: pulumi.secret(kubeconfig.stdout),
    clusterIdentifier: created.id,
    nodeAddress: address.apply((a) => a.address),
  };
}

/** In a preview: says where the node moved since its cluster was created, and what that rewrites. */
function announceMove(member: string, controlPlane: string, address: pulumi.Output<KindNodeAddress>, parent: pulumi.Resource): void {
  if (!pulumi.runtime.isDryRun()) return;
  address.apply(({ address: now, movedFrom }) => {
    if (movedFrom === undefined) return;
    pulumi.log.info(
      `kind member "${member}": node ${controlPlane} is at ${now} on the Docker network kind, not at ${movedFrom} where it was when its cluster was created ` +
        `(Docker hands out addresses again when containers restart). Peers dial ${now}: peer config that still holds ${movedFrom} is rewritten, ` +
        `and the member's clustermesh-apiserver certificate lists ${now}.`,
      parent,
    );
  });
}
