import { strict as assert } from "assert";
import { Fleet, FleetArgs } from "../../components";
import { chartValuesValidator } from "../support/chart-schema";
import { RecordedResource, deploy, fakeKubeconfig, named, ofType, settle } from "./harness";

const AKS_FLEET: FleetArgs = {
  azureFleet: { resourceGroupName: "fleet-rg", location: "eastus2" },
  pools: { podCidrPool: "10.20.0.0/14", podCidrPrefixLength: 16, serviceCidrPool: "10.100.0.0/16", serviceCidrPrefixLength: 20 },
  members: {
    east1: {
      aks: {
        resourceGroupName: "east-rg",
        location: "eastus2",
        kubernetesVersion: "1.33",
        virtualNetwork: { name: "fleet-vnet", resourceGroupName: "net-rg" },
        nodeSubnetCidr: "10.10.1.0/24",
      },
      labels: { mesh: "prod", region: "eastus2" },
    },
  },
};

describe("Fleet with one AKS member (AKS-managed Cilium)", () => {
  let records: RecordedResource[];
  let fleet: Fleet;
  before(async () => ({ fleet, records } = await deploy("azure", AKS_FLEET)));

  it("registers the Azure Fleet, the member's subnets, its AKS cluster, its VNet grant and its FleetMember, and no Cilium release", () => {
    assert.deepEqual(records.map((r) => `${r.type} ${r.name}`).sort(), [
      "azure-native:authorization:RoleAssignment azure-east1-vnet-access",
      "azure-native:containerservice:Fleet azure-azure-fleet",
      "azure-native:containerservice:ManagedCluster azure-east1-aks",
      "azure-native:network:Subnet azure-east1-nodes",
      "azure-native:network:Subnet azure-east1-pods",
      "azure-native:resources:Resource azure-east1-fleet-member",
      "fleetmesh:index:Fleet azure",
      "fleetmesh:index:Member azure-east1",
      "pulumi:providers:kubernetes azure-east1",
      "pulumi:pulumi:StackReference azure-previous-state",
      "tls:index/privateKey:PrivateKey azure-ca-key",
      "tls:index/selfSignedCert:SelfSignedCert azure-ca",
    ]);
    assert.equal(fleet.members.east1.ciliumOwner, "aks");
  });

  it("uses Azure CNI without overlay, the Cilium dataplane and ACNS, on the member's allocated subnets", () => {
    const cluster = named(records, "azure-east1-aks").inputs;
    assert.deepEqual(cluster.networkProfile, {
      networkPlugin: "azure",
      networkDataplane: "cilium",
      networkPolicy: "cilium",
      serviceCidr: "10.100.0.0/20",
      dnsServiceIP: "10.100.0.10",
      advancedNetworking: { enabled: true, observability: { enabled: true }, security: { enabled: true } },
      // API defaults the azure-native SDK fills in; AKS ignores podCidr without overlay (pods use the pod subnet).
      outboundType: "loadBalancer",
      podCidr: "10.244.0.0/16",
    });
    assert.deepEqual(
      [cluster.kubernetesVersion, cluster.agentPoolProfiles[0].vnetSubnetID, cluster.agentPoolProfiles[0].podSubnetID],
      ["1.33", "azure-east1-nodes-id", "azure-east1-pods-id"],
    );
    assert.deepEqual(
      [named(records, "azure-east1-pods").inputs.addressPrefix, named(records, "azure-east1-nodes").inputs.addressPrefix],
      ["10.20.0.0/16", "10.10.1.0/24"],
    );
  });

  it("joins the Azure Fleet through the preview API that carries member labels", () => {
    assert.deepEqual(named(records, "azure-east1-fleet-member").inputs, {
      resourceProviderNamespace: "Microsoft.ContainerService",
      parentResourcePath: "fleets/azure",
      resourceType: "members",
      resourceName: "east1",
      apiVersion: "2026-03-02-preview",
      resourceGroupName: "fleet-rg",
      properties: { clusterResourceId: "azure-east1-aks-id", labels: { mesh: "prod", region: "eastus2" } },
    });
  });

  it("decodes the user kubeconfig AKS returns and keeps it secret", async () => {
    const provider = named(records, "azure-east1", "pulumi:providers:kubernetes");
    assert.ok(provider.secretInputs.includes("kubeconfig"));
    assert.equal(provider.inputs.kubeconfig, fakeKubeconfig("east1"));
    assert.equal(await settle(fleet.members.east1.kubeconfig), fakeKubeconfig("east1"));
  });
});

describe("Fleet with a member taken from a kubeconfig", () => {
  let records: RecordedResource[];
  before(
    async () =>
      ({ records } = await deploy("dc", {
        members: {
          dc1: {
            kubeconfig: fakeKubeconfig("dc1", "dc1-admin"),
            context: "dc1-admin",
            serviceCidr: "10.140.0.0/20",
            labels: { region: "dc" },
          },
        },
        pools: { serviceCidrPool: "10.128.0.0/12" },
      })),
  );

  it("connects with that kubeconfig and context, kept secret, and installs Cilium with cluster-pool IPAM", () => {
    const provider = named(records, "dc-dc1", "pulumi:providers:kubernetes");
    assert.deepEqual(
      [provider.inputs.kubeconfig, provider.inputs.context, provider.secretInputs.includes("kubeconfig")],
      [fakeKubeconfig("dc1", "dc1-admin"), "dc1-admin", true],
    );
    const values = named(records, "dc-dc1-cilium").inputs.values as Record<string, any>;
    assert.ok(chartValuesValidator("1.18.12")(values));
    assert.deepEqual(
      [values.ipam, values.kubeProxyReplacement],
      [{ mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: ["10.0.0.0/17"] } }, false],
    );
    assert.deepEqual(ofType(records, "command:local:Command"), []);
  });
});
