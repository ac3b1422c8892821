// aks-fleet: the Azure Fleet documentation scenario, declared in one program that creates everything it needs.
//   - a resource group, and two peered regional VNets (eastus2, westus3);
//   - an Azure Fleet with a hub; three AKS members (Azure CNI without overlay, AKS-managed Cilium, ACNS)
//     labelled into one Fleet-managed Cilium mesh (ClusterMeshProfile);
//   - the kuard demo behind a MultiClusterService (Fleet networking's L4 load balancer);
//   - a ClusterResourcePlacement of the kuard namespace to the members in one region, handed to the hub.
// Needs `az` logged in (with the fleet extension 2.0.0 or later), kubelogin and kubectl on PATH, and the
// Pulumi CLI: `pulumi up` here. Plan offline with `npm run plan -- programs/aks-fleet` from the repository root.
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import { Fleet, MultiClusterService, Placement } from "../../components";

const config = new pulumi.Config();
const resourceGroupName = config.get("resourceGroupName") ?? "fleetmesh-demo";
// Unset: each cluster takes AKS's default Kubernetes version in its region (1.32 or later is checked when set).
const kubernetesVersion = config.get("kubernetesVersion");
// One node per member keeps the three clusters (4 vCPUs each) inside a new subscription's regional vCPU quota.
const nodeCount = config.getNumber("nodeCount") ?? 1;

const group = new resources.ResourceGroup("aks-fleet", { resourceGroupName, location: "eastus2" });

// A VNet is regional, so each region gets its own, peered into one flat network (Fleet meshes and
// multi-cluster load balancing need pod IPs routable across members). Each VNet also holds its
// region's pod subnets: east takes the first half of the pod pool, west the second (pinned below).
const regionalNetwork = (region: string, location: string, addressPrefixes: string[]) => ({
  addressPrefixes,
  vnet: new network.VirtualNetwork(
    `aks-fleet-${region}`,
    { resourceGroupName, location, virtualNetworkName: `fleetmesh-${region}`, addressSpace: { addressPrefixes } },
    // fleetmesh adds the subnets as separate resources.
    { ignoreChanges: ["subnets"], dependsOn: [group] },
  ),
});
const east = regionalNetwork("east", "eastus2", ["10.10.0.0/16", "10.64.0.0/13"]);
const west = regionalNetwork("west", "westus3", ["10.20.0.0/16", "10.72.0.0/13"]);
for (const [name, from, to] of [
  ["east-to-west", east, west],
  ["west-to-east", west, east],
] as const) {
  new network.VirtualNetworkPeering(name, {
    resourceGroupName,
    virtualNetworkName: from.vnet.name,
    remoteVirtualNetwork: { id: to.vnet.id },
    allowVirtualNetworkAccess: true,
    allowForwardedTraffic: true,
  });
}

const member = (location: string, net: typeof east, nodeSubnetCidr: string, region: string) => ({
  aks: {
    resourceGroupName,
    location,
    ...(kubernetesVersion !== undefined && { kubernetesVersion }),
    nodeCount,
    // The address prefixes let the preview check that each member's subnets fit in its VNet.
    virtualNetwork: { name: net.vnet.name, resourceGroupName, addressPrefixes: net.addressPrefixes },
    nodeSubnetCidr,
  },
  labels: { mesh: "prod", region },
});

const fleet = new Fleet(
  "aks-fleet",
  {
    azureFleet: {
      resourceGroupName,
      location: "eastus2",
      hub: true,
      // The identity running `pulumi` gets the Fleet Manager RBAC role a ClusterResourcePlacement needs.
      hubAccess: { grantClusterAdmin: config.getBoolean("grantHubAccess") ?? true },
      // Set for one run when the stack's members were joined by an earlier fleetmesh (README, Deploying to Azure).
      retireArmFleetMembers: config.getBoolean("retireArmFleetMembers") ?? false,
    },
    pools: { podCidrPool: "10.64.0.0/12", podCidrPrefixLength: 16, serviceCidrPool: "10.96.0.0/12", serviceCidrPrefixLength: 20 },
    members: {
      "east-1": member("eastus2", east, "10.10.1.0/24", "east"),
      "east-2": member("eastus2", east, "10.10.2.0/24", "east"),
      // In the west VNet's half of the pod pool.
      "west-1": { ...member("westus3", west, "10.20.1.0/24", "west"), podCidr: "10.72.0.0/16" },
    },
    // The kuard namespace has one owner, the hub's placement below (which annotates it global for the mesh).
    meshes: { prod: { memberSelector: { matchLabels: { mesh: "prod" } } } },
  },
  // Everything the fleet creates in the resource group waits for it.
  { dependsOn: [group] },
);

// Hub mode goes through the fleet's hub provider (fleet.hubProvider): an Entra kubeconfig switched to the
// `az login` session, ready once the hub honours the role granted above.
const kuardInEast = new Placement("kuard-east", {
  fleet,
  mode: "hub",
  resources: [
    // Shared with the mesh (AKS-managed Cilium shares only annotated namespaces).
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "kuard-demo", annotations: { "clustermesh.cilium.io/global": "true" } } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "kuard", namespace: "kuard-demo" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "kuard" } },
        template: {
          metadata: { labels: { app: "kuard" } },
          spec: { containers: [{ name: "kuard", image: "ghcr.io/kuar-demo/kuard-amd64:v0.10.0-blue", ports: [{ containerPort: 8080 }] }] },
        },
      },
    },
    // The Service the MultiClusterService exports travels with the workload.
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kuard", namespace: "kuard-demo" },
      spec: { selector: { app: "kuard" }, ports: [{ name: "http", port: 8080, targetPort: 8080 }] },
    },
  ],
  resourceSelectors: [{ group: "", version: "v1", kind: "Namespace", name: "kuard-demo" }],
  policy: {
    placementType: "PickAll",
    affinity: {
      clusterAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          clusterSelectorTerms: [{ labelSelector: { matchLabels: { "fleet.azure.com/location": "eastus2" } } }],
        },
      },
    },
  },
});

// kuard-demo reaches the members only through the placement above: the exports wait for the hub to
// hold it, and the Kubernetes provider retries a create whose namespace is not there yet.
const kuard = new MultiClusterService(
  "kuard",
  {
    fleet,
    namespace: "kuard-demo",
    serviceName: "kuard",
    exportFrom: { matchLabels: { region: "east" } },
    ingressMember: "east-1",
    ports: [{ name: "http", port: 8080 }],
  },
  { dependsOn: [kuardInEast] },
);

export const aksFleetFleetState = fleet.state;
export const kuardEastPlacementState = kuardInEast.state;
export const kuardAddress = kuard.address;
