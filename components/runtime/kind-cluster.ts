import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { kindClusterConfig, kindConfigHash, renderKindConfig } from "../core/fleet/kind-config";
import { MemberAllocation } from "../core/fleet/types";
import { shellQuote } from "../core/shell";

/** How a kind member is made. */
export interface KindClusterArgs {
  /**
   * Worker nodes besides the control plane.
   * @default 0
   */
  workers?: number;
  /**
   * Node image (e.g. `kindest/node:v1.33.1`).
   * @default the kind CLI's default image
   */
  nodeImage?: string;
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
 * pod and service subnets, no kube-proxy when Cilium replaces it), re-created only when that config
 * changes, deleted with the member. Create is idempotent: an existing cluster of that name is kept.
 */
export function provisionKind(
  clusterName: string,
  args: KindClusterArgs,
  allocation: pulumi.Output<MemberAllocation>,
  kubeProxyReplacement: boolean,
  parent: pulumi.Resource,
): ProvisionedCluster {
  const configText = allocation.apply((a) =>
    renderKindConfig(
      kindClusterConfig({
        name: clusterName,
        podSubnet: a.podCidr,
        serviceSubnet: a.serviceCidr,
        workers: args.workers ?? 0,
        nodeImage: args.nodeImage,
        kubeProxyMode: kubeProxyReplacement ? "none" : "iptables",
      }),
    ),
  );
  const name = shellQuote(clusterName);
  const cluster = new command.local.Command(
    `${clusterName}-kind-cluster`,
    {
      // No `--wait`: without a CNI (Cilium comes next) the nodes cannot become Ready yet.
      create: `kind get clusters 2>/dev/null | grep -qx ${name} || kind create cluster --name ${name} --config -`,
      delete: `kind delete cluster --name ${name}`,
      stdin: configText,
      triggers: [configText.apply(kindConfigHash)],
      logging: "stderr",
    },
    // The old cluster must be gone before a new one of the same name is created.
    { parent, deleteBeforeReplace: true },
  );
  const kubeconfig = new command.local.Command(
    `${clusterName}-kind-kubeconfig`,
    { create: `kind get kubeconfig --name ${name}`, triggers: [cluster.id], logging: "none" },
    { parent, dependsOn: [cluster], additionalSecretOutputs: ["stdout"] },
  );
  const address = new command.local.Command(
    `${clusterName}-kind-address`,
    {
      create: `docker inspect -f '{{ (index .NetworkSettings.Networks "kind").IPAddress }}' ${shellQuote(`${clusterName}-control-plane`)}`,
      triggers: [cluster.id],
      logging: "stderr",
    },
    { parent, dependsOn: [cluster] },
  );
  return {
    kubeconfig: pulumi.secret(kubeconfig.stdout),
    clusterIdentifier: cluster.id,
    nodeAddress: address.stdout.apply((ip) => ip.trim()),
  };
}
