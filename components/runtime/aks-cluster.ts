import * as pulumi from "@pulumi/pulumi";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import * as authorization from "@pulumi/azure-native/authorization";
import { nthAddress } from "../core/fleet/cidr";
import { MemberAllocation } from "../core/fleet/types";
import { ProvisionedCluster } from "./kind-cluster";

/** Azure's built-in Network Contributor role. */
export const NETWORK_CONTRIBUTOR_ROLE_ID = "4d97b98b-1d4f-4787-a291-c67834d212e7";

/**
 * The ARM API version whose FleetMember has `properties.labels` (Azure/azure-rest-api-specs
 * specification/containerservice/resource-manager/Microsoft.ContainerService/fleet/preview/2026-03-02-preview).
 */
export const FLEET_MEMBER_API_VERSION = "2026-03-02-preview";

/** The existing virtual network an AKS member's subnets are created in. */
export interface AksVirtualNetworkArgs {
  /** The virtual network's resource name. */
  readonly name: pulumi.Input<string>;
  /** The resource group that holds the virtual network. */
  readonly resourceGroupName: pulumi.Input<string>;
}

/** How an AKS member is made. */
export interface AksClusterArgs {
  /** The resource group the AKS cluster is created in. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** The AKS cluster's Azure region. */
  readonly location: pulumi.Input<string>;
  /**
   * Kubernetes version; at least 1.32 when the member joins an Azure Fleet managed mesh.
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
  readonly networkPlugin?: "azure" | "none";
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

/** The Azure Fleet an AKS member joins, with the labels that select it into meshes and placements. */
export interface FleetMembership {
  fleetName: pulumi.Input<string>;
  resourceGroupName: pulumi.Input<string>;
  labels: Record<string, string>;
}

export interface ProvisionedAks extends ProvisionedCluster {
  cluster: containerservice.ManagedCluster;
  fleetMember?: resources.Resource;
  networkAccess: authorization.RoleAssignment;
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

function subnet(name: string, args: AksClusterArgs, prefix: pulumi.Input<string>, parent: pulumi.Resource): network.Subnet {
  return new network.Subnet(
    name,
    {
      resourceGroupName: args.virtualNetwork.resourceGroupName,
      virtualNetworkName: args.virtualNetwork.name,
      subnetName: name,
      addressPrefix: prefix,
    },
    { parent },
  );
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

/** Reads the user kubeconfig AKS hands out (base64) and keeps it secret. */
function userKubeconfig(args: AksClusterArgs, cluster: containerservice.ManagedCluster, parent: pulumi.Resource): pulumi.Output<string> {
  const credentials = containerservice.listManagedClusterUserCredentialsOutput(
    { resourceGroupName: args.resourceGroupName, resourceName: cluster.name },
    { parent },
  );
  return pulumi.secret(
    credentials.kubeconfigs.apply((configs) => {
      const first = configs?.[0]?.value;
      if (!first) throw new Error(`AKS cluster returned no user kubeconfig`);
      return Buffer.from(first, "base64").toString("utf8");
    }),
  );
}

/**
 * An AKS member: its node (and, with Azure CNI, pod) subnet in the shared VNet, the cluster, its
 * FleetMember when the fleet is an Azure Fleet, and its VNet grant. Children are named `<name>-*`,
 * where `name` is the member component's name; the subnets' ARM names too, so fleets sharing a VNet
 * never collide.
 */
export function provisionAks(
  name: string,
  memberName: string,
  args: AksClusterArgs,
  allocation: MemberAllocation,
  membership: FleetMembership | undefined,
  parent: pulumi.Resource,
): ProvisionedAks {
  const nodeSubnet = subnet(`${name}-nodes`, args, args.nodeSubnetCidr, parent);
  const podSubnet = args.networkPlugin === "none" ? undefined : subnet(`${name}-pods`, args, allocation.podCidr, parent);
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
  const fleetMember = membership
    ? new resources.Resource(
        `${name}-fleet-member`,
        {
          resourceProviderNamespace: "Microsoft.ContainerService",
          parentResourcePath: pulumi.interpolate`fleets/${membership.fleetName}`,
          resourceType: "members",
          resourceName: memberName,
          apiVersion: FLEET_MEMBER_API_VERSION,
          resourceGroupName: membership.resourceGroupName,
          properties: { clusterResourceId: cluster.id, labels: membership.labels },
        },
        { parent },
      )
    : undefined;
  const networkAccess = grantNetworkAccess(name, args, cluster, parent);
  return { cluster, fleetMember, networkAccess, kubeconfig: userKubeconfig(args, cluster, parent), clusterIdentifier: cluster.id };
}
