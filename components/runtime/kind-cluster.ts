import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { kindClusterConfig, kindConfigHash, renderKindConfig } from "../core/fleet/kind-config";
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
   * @default the kind CLI's default image
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

/**
 * A kind cluster through the kind CLI: created from a generated config (no default CNI, the member's
 * pod and service subnets, no kube-proxy when Cilium replaces it, every node labelled with the stack
 * that owns it), re-created only when that config changes, deleted with the member. Create is
 * idempotent: an existing cluster of that name is kept. Children are named `<name>-kind-*`, where
 * `name` is the member component's name.
 */
export function provisionKind(
  name: string,
  cluster: PlannedKindCluster,
  allocation: MemberAllocation,
  kubeProxyReplacement: boolean,
  parent: pulumi.Resource,
): ProvisionedCluster {
  const configText = renderKindConfig(
    kindClusterConfig({
      name: cluster.clusterName,
      podSubnet: allocation.podCidr,
      serviceSubnet: allocation.serviceCidr,
      workers: cluster.workers,
      nodeImage: cluster.nodeImage,
      kubeProxyMode: kubeProxyReplacement ? "none" : "iptables",
      nodeLabels: cluster.nodeLabels,
    }),
  );
  const clusterName = shellQuote(cluster.clusterName);
  const created = new command.local.Command(
    `${name}-kind-cluster`,
    {
      // No `--wait`: without a CNI (Cilium comes next) the nodes cannot become Ready yet.
      create: `kind get clusters 2>/dev/null | grep -qx ${clusterName} || kind create cluster --name ${clusterName} --config -`,
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
  const address = new command.local.Command(
    `${name}-kind-address`,
    {
      create: `docker inspect -f '{{ (index .NetworkSettings.Networks "kind").IPAddress }}' ${shellQuote(cluster.controlPlane)}`,
      triggers: [created.id],
      logging: "stderr",
    },
    { parent, dependsOn: [created] },
  );
  return {
    kubeconfig: pulumi.secret(kubeconfig.stdout),
    clusterIdentifier: created.id,
    nodeAddress: address.stdout.apply((ip) => ip.trim()),
  };
}
