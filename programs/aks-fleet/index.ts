// aks-fleet: the Azure Fleet documentation scenario, declared in one program.
//   - two peered regional VNets (eastus2, westus3);
//   - an Azure Fleet with a hub; three AKS members (Azure CNI without overlay, AKS-managed Cilium, ACNS)
//     labelled into one Fleet-managed Cilium mesh (ClusterMeshProfile);
//   - the kuard demo behind a MultiClusterService (Fleet networking's L4 load balancer);
//   - a ClusterResourcePlacement of the kuard namespace to the members in one region, handed to the hub.
// Needs Azure credentials and the Pulumi CLI (and the az CLI for the mesh apply step): `pulumi up` here.
// Plan offline with `npm run plan -- programs/aks-fleet` from the repository root.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as network from "@pulumi/azure-native/network";
import { Fleet, MultiClusterService, Placement } from "../../components";

const config = new pulumi.Config();
const resourceGroupName = config.get("resourceGroupName") ?? "fleetmesh-demo";

// A VNet is regional, so each region gets its own, peered into one flat network (Fleet meshes and
// multi-cluster load balancing need pod IPs routable across members). Each VNet also holds its
// region's pod subnets: east takes the first half of the pod pool, west the second (pinned below).
const regionalNetwork = (region: string, location: string, addressPrefixes: string[]) =>
  new network.VirtualNetwork(
    `aks-fleet-${region}`,
    { resourceGroupName, location, virtualNetworkName: `fleetmesh-${region}`, addressSpace: { addressPrefixes } },
    // fleetmesh adds the subnets as separate resources.
    { ignoreChanges: ["subnets"] },
  );
const east = regionalNetwork("east", "eastus2", ["10.10.0.0/16", "10.64.0.0/13"]);
const west = regionalNetwork("west", "westus3", ["10.20.0.0/16", "10.72.0.0/13"]);
for (const [from, to] of [
  [east, west],
  [west, east],
] as const) {
  new network.VirtualNetworkPeering(`${from === east ? "east-to-west" : "west-to-east"}`, {
    resourceGroupName,
    virtualNetworkName: from.name,
    remoteVirtualNetwork: { id: to.id },
    allowVirtualNetworkAccess: true,
    allowForwardedTraffic: true,
  });
}

const member = (location: string, vnet: network.VirtualNetwork, nodeSubnetCidr: string, region: string) => ({
  aks: { resourceGroupName, location, kubernetesVersion: "1.33", virtualNetwork: { name: vnet.name, resourceGroupName }, nodeSubnetCidr },
  labels: { mesh: "prod", region },
});

const fleet = new Fleet("aks-fleet", {
  azureFleet: { resourceGroupName, location: "eastus2", hub: true },
  pools: { podCidrPool: "10.64.0.0/12", podCidrPrefixLength: 16, serviceCidrPool: "10.96.0.0/12", serviceCidrPrefixLength: 20 },
  members: {
    "east-1": member("eastus2", east, "10.10.1.0/24", "east"),
    "east-2": member("eastus2", east, "10.10.2.0/24", "east"),
    // In the west VNet's half of the pod pool.
    "west-1": { ...member("westus3", west, "10.20.1.0/24", "west"), podCidr: "10.72.0.0/16" },
  },
  meshes: { prod: { memberSelector: { matchLabels: { mesh: "prod" } }, globalNamespaces: ["kuard-demo"] } },
});

const kuard = new MultiClusterService("kuard", {
  fleet,
  namespace: "kuard-demo",
  serviceName: "kuard",
  exportFrom: { matchLabels: { region: "east" } },
  ingressMember: "east-1",
  ports: [{ name: "http", port: 8080 }],
});

// The hub's kubeconfig is Entra ID (kubelogin on PATH) and needs a Fleet Manager RBAC role.
const hubCredentials = containerservice.listFleetCredentialsOutput({ resourceGroupName, fleetName: fleet.azureFleet!.name });
const hub = new k8s.Provider("aks-fleet-hub", {
  kubeconfig: pulumi.secret(hubCredentials.kubeconfigs.apply((c) => Buffer.from(c[0].value, "base64").toString("utf8"))),
});

const kuardInEast = new Placement("kuard-east", {
  fleet,
  mode: "hub",
  hub: { provider: hub },
  resources: [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "kuard-demo" } },
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

export const aksFleetFleetState = fleet.state;
export const kuardEastPlacementState = kuardInEast.state;
export const kuardAddress = kuard.address;
