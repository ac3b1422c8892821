import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as network from "@pulumi/azure-native/network";
import * as authorization from "@pulumi/azure-native/authorization";
import { KubeloginOptions } from "../core/azure/kubeconfig-login";
import { nthAddress } from "../core/fleet/cidr";
import { MemberAllocation } from "../core/fleet/types";
import { FleetMembership, joinAzureFleet } from "./azure-fleet-member";
import { entraKubeconfig } from "./azure-hub";
import { VnetWriteQueue } from "./azure-subnets";
import { ProvisionedCluster } from "./kind-cluster";
import { AksNetworkPlugin } from "../core/fleet/enums";

export type { FleetMembership };

/** Azure's built-in Network Contributor role. */
export const NETWORK_CONTRIBUTOR_ROLE_ID = "4d97b98b-1d4f-4787-a291-c67834d212e7";

/** The existing virtual network an AKS member's subnets are created in. */
export interface AksVirtualNetworkArgs {
  /** The virtual network's resource name. */
  readonly name: pulumi.Input<string>;
  /** The resource group that holds the virtual network. */
  readonly resourceGroupName: pulumi.Input<string>;
  /**
   * The VNet's address prefixes (its address space), when you want the preview to check that the
   * member's node subnet and (with Azure CNI) its pod CIDR lie inside them, as Azure requires of a subnet.
   * @default not checked: Azure refuses a subnet outside the address space when it is created
   */
  readonly addressPrefixes?: string[];
}

/** How an AKS member is made. */
export interface AksClusterArgs {
  /** The resource group the AKS cluster is created in. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** The AKS cluster's Azure region. */
  readonly location: pulumi.Input<string>;
  /**
   * Kubernetes version ("1.32" or "1.32.5"); at least 1.32 when the member joins an Azure Fleet managed
   * mesh. Leave it out to take AKS's default version in the cluster's region (a pinned version leaves AKS
   * support after about a year).
   * @default AKS's default version
   */
  readonly kubernetesVersion?: string;
  /** The flat network every member shares (one VNet, or peered VNets): the subnets are created in it. */
  readonly virtualNetwork: AksVirtualNetworkArgs;
  /**
   * The node subnet's prefix inside that VNet (the pod subnet is the member's allocated pod CIDR): a /29
   * or larger, room for every node plus an upgrade surge node, clear of the fleet's pod and service
   * pools and of every other member's node subnet.
   */
  readonly nodeSubnetCidr: string;
  /**
   * `azure`: Azure CNI with per-pool pod subnets and AKS-managed Cilium (`networkDataplane: cilium`);
   * `none`: bring your own CNI, and fleetmesh installs Cilium itself.
   * @default "azure": Azure CNI with AKS-managed Cilium
   */
  readonly networkPlugin?: AksNetworkPlugin;
  /**
   * The VM size of the system node pool's nodes.
   * @default "Standard_D4ds_v5"
   */
  readonly vmSize?: string;
  /**
   * The number of nodes in the system node pool (1 to 1000).
   * @default 3
   */
  readonly nodeCount?: number;
  /**
   * The AKS cluster's resource name, also its DNS prefix: 1 to 54 letters, digits or '-', starting and
   * ending with a letter or digit.
   * @default the member name
   */
  readonly clusterName?: string;
}

export interface ProvisionedAks extends ProvisionedCluster {
  cluster: containerservice.ManagedCluster;
  /** The Command that keeps the cluster's FleetMember (see azure-fleet-member.ts). */
  fleetMember?: command.local.Command;
  /** The FleetMember's ARM id. */
  fleetMemberId?: pulumi.Output<string>;
  networkAccess: authorization.RoleAssignment;
}

/** How an AKS member is wired into its fleet: the Azure Fleet it joins, the login for Entra-only kubeconfigs, the VNet write order. */
export interface AksProvisioning {
  membership?: FleetMembership;
  login: KubeloginOptions;
  subnets: VnetWriteQueue;
}

/**
 * The cluster identity gets Network Contributor on its VNet: the clustermesh-apiserver and a
 * MultiClusterService's load balancer are internal LoadBalancers in it, and without the role their
 * IPs stay pending and mesh members stay `Connecting` (MicrosoftDocs/azure-aks-docs
 * articles/kubernetes-fleet/howto-configure-use-cross-cluster-networking.md, prerequisites).
 */
function grantNetworkAccess(
  name: string,
  args: AksClusterArgs,
  cluster: containerservice.ManagedCluster,
  parent: pulumi.Resource,
): authorization.RoleAssignment {
  const client = authorization.getClientConfigOutput({ parent });
  const scope = pulumi.interpolate`/subscriptions/${client.subscriptionId}/resourceGroups/${args.virtualNetwork.resourceGroupName}/providers/Microsoft.Network/virtualNetworks/${args.virtualNetwork.name}`;
  return new authorization.RoleAssignment(
    `${name}-vnet-access`,
    {
      scope,
      principalId: cluster.identity.apply((identity) => identity?.principalId ?? ""),
      principalType: "ServicePrincipal",
      roleDefinitionId: pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${NETWORK_CONTRIBUTOR_ROLE_ID}`,
    },
    { parent },
  );
}

/** A subnet in the member's VNet, written after the VNet's previous subnet (see azure-subnets.ts). */
function subnet(
  name: string,
  args: AksClusterArgs,
  prefix: pulumi.Input<string>,
  subnets: VnetWriteQueue,
  parent: pulumi.Resource,
): network.Subnet {
  const previous = subnets.previous(args.virtualNetwork);
  const created = new network.Subnet(
    name,
    {
      resourceGroupName: args.virtualNetwork.resourceGroupName,
      virtualNetworkName: args.virtualNetwork.name,
      subnetName: name,
      addressPrefix: prefix,
    },
    { parent, ...(previous ? { dependsOn: [previous] } : {}) },
  );
  subnets.push(args.virtualNetwork, created);
  return created;
}

function networkProfile(args: AksClusterArgs, allocation: MemberAllocation): containerservice.ManagedClusterArgs["networkProfile"] {
  const serviceCidr = allocation.serviceCidr;
  const dnsServiceIP = nthAddress(allocation.serviceCidr, 10);
  if (args.networkPlugin === "none") {
    // BYOCNI: no AKS CNI at all; fleetmesh's Helm-installed Cilium takes the pod CIDR from cluster-pool IPAM.
    return { networkPlugin: "none", serviceCidr, dnsServiceIP };
  }
  // Azure CNI *without* overlay (per-pool pod subnets): Fleet meshes and L4 multi-cluster load
  // balancing both need pod IPs on the flat network (MicrosoftDocs/azure-aks-docs
  // articles/kubernetes-fleet/concepts-cross-cluster-networking.md: overlay is not supported).
  return {
    networkPlugin: "azure",
    networkDataplane: "cilium",
    networkPolicy: "cilium",
    serviceCidr,
    dnsServiceIP,
    advancedNetworking: { enabled: true, observability: { enabled: true }, security: { enabled: true } },
  };
}

/**
 * The user kubeconfig AKS hands out (base64), secret. On a cluster whose local accounts are disabled it
 * is an Entra (kubelogin) kubeconfig in device-code mode, which would wait for a person: its users are
 * switched to `login`, as the hub's are (a client-certificate kubeconfig is left as it is).
 */
function userKubeconfig(
  memberName: string,
  args: AksClusterArgs,
  cluster: containerservice.ManagedCluster,
  login: KubeloginOptions,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  const credentials = containerservice.listManagedClusterUserCredentialsOutput(
    { resourceGroupName: args.resourceGroupName, resourceName: cluster.name },
    { parent },
  );
  return entraKubeconfig(`the AKS cluster of member "${memberName}"`, credentials.kubeconfigs, login);
}

/**
 * An AKS member: its node (and, with Azure CNI, pod) subnet in the shared VNet, the cluster, its VNet
 * grant, and its FleetMember when the fleet is an Azure Fleet. Children are named `<name>-*`, where
 * `name` is the member component's name; the subnets' ARM names too, so fleets sharing a VNet never
 * collide.
 */
export function provisionAks(
  name: string,
  memberName: string,
  args: AksClusterArgs,
  allocation: MemberAllocation,
  wiring: AksProvisioning,
  parent: pulumi.Resource,
): ProvisionedAks {
  const nodeSubnet = subnet(`${name}-nodes`, args, args.nodeSubnetCidr, wiring.subnets, parent);
  const podSubnet = args.networkPlugin === "none" ? undefined : subnet(`${name}-pods`, args, allocation.podCidr, wiring.subnets, parent);
  const cluster = new containerservice.ManagedCluster(
    `${name}-aks`,
    {
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      resourceName: args.clusterName ?? memberName,
      dnsPrefix: args.clusterName ?? memberName,
      kubernetesVersion: args.kubernetesVersion,
      identity: { type: "SystemAssigned" },
      agentPoolProfiles: [
        {
          name: "system",
          mode: "System",
          osType: "Linux",
          count: args.nodeCount ?? 3,
          vmSize: args.vmSize ?? "Standard_D4ds_v5",
          vnetSubnetID: nodeSubnet.id,
          podSubnetID: podSubnet?.id,
        },
      ],
      networkProfile: networkProfile(args, allocation),
    },
    { parent },
  );
  const networkAccess = grantNetworkAccess(name, args, cluster, parent);
  // After the grant: its update of the cluster would otherwise race the join (the script retries either way).
  const joined = wiring.membership
    ? joinAzureFleet(
        `${name}-fleet-member`,
        {
          name: memberName,
          clusterName: args.clusterName ?? memberName,
          clusterResourceGroup: args.resourceGroupName,
          clusterResourceId: cluster.id,
        },
        wiring.membership,
        [cluster, networkAccess],
        parent,
      )
    : undefined;
  return {
    cluster,
    ...(joined && { fleetMember: joined.member, fleetMemberId: joined.memberId }),
    networkAccess,
    kubeconfig: userKubeconfig(memberName, args, cluster, wiring.login, parent),
    clusterIdentifier: cluster.id,
  };
}
