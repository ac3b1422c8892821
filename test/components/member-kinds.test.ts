import { strict as assert } from "assert";
import { Fleet, FleetArgs, Placement } from "../../components";
import { chartValuesValidator } from "../support/chart-schema";
import { clusterCheckScript, memberCheckSpec } from "../../components/core/fleet/existing-cluster-check";
import { fleetMemberCreateScript, fleetMemberDeleteScript, fleetMemberUpdateScript } from "../../components/core/azure/fleet-member-script";
import { convertKubeconfigLogin } from "../../components/core/azure/kubeconfig-login";
import { hubAccessWaitScript } from "../../components/core/azure/hub-access";
import { FakeCloud } from "../../plan/fake-cloud";
import { RecordedResource, dependsOnOf, deploy, fakeKubeconfig, isSecretInput, named, ofType, settle } from "./harness";

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

/** An Entra kubeconfig in device-code mode, the shape the Fleet hub's listCredentials (and an AKS cluster without local accounts) returns. */
function entraKubeconfig(cluster: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    `clusters:\n- name: ${cluster}\n  cluster:\n    server: https://${cluster}.hcp.eastus2.azmk8s.io:443`,
    `contexts:\n- name: ${cluster}\n  context:\n    cluster: ${cluster}\n    user: clusterUser_rg_${cluster}`,
    `current-context: ${cluster}`,
    `users:\n- name: clusterUser_rg_${cluster}\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1`,
    "      command: kubelogin",
    "      args: [get-token, --environment, AzurePublicCloud, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, " +
      "--client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, t-1, --login, devicecode]",
    "",
  ].join("\n");
}

/** Makes the mock Azure hand out Entra kubeconfigs (the hub's always is one; an AKS cluster's is one without local accounts). */
function withEntraKubeconfigs(): () => void {
  const prototype = FakeCloud.prototype as unknown as { call: (args: { token: string; inputs: Record<string, string> }) => unknown };
  const original = prototype.call;
  prototype.call = function (args) {
    const encode = (text: string) => ({ kubeconfigs: [{ name: "user", value: Buffer.from(text).toString("base64") }] });
    if (args.token === "azure-native:containerservice:listFleetCredentials") return encode(entraKubeconfig(`${args.inputs.fleetName}-hub`));
    if (args.token === "azure-native:containerservice:listManagedClusterUserCredentials")
      return encode(entraKubeconfig(args.inputs.resourceName));
    return original.call(this, args);
  };
  return () => void (prototype.call = original);
}

describe("Fleet with one AKS member (AKS-managed Cilium)", () => {
  let records: RecordedResource[];
  let fleet: Fleet;
  before(async () => ({ fleet, records } = await deploy("azure", AKS_FLEET)));

  it("registers the Azure Fleet and its hub provider, the member's subnets, its AKS cluster, its VNet grant and its FleetMember, and no Cilium release", () => {
    assert.deepEqual(records.map((r) => `${r.type} ${r.name}`).sort(), [
      "azure-native:authorization:RoleAssignment azure-east1-vnet-access",
      "azure-native:containerservice:Fleet azure-azure-fleet",
      "azure-native:containerservice:ManagedCluster azure-east1-aks",
      "azure-native:network:Subnet azure-east1-nodes",
      "azure-native:network:Subnet azure-east1-pods",
      "command:local:Command azure-east1-fleet-member",
      "fleetmesh:index:Fleet azure",
      "fleetmesh:index:Member azure-east1",
      "pulumi:providers:kubernetes azure-east1",
      "pulumi:providers:kubernetes azure-hub",
      "pulumi:pulumi:StackReference azure-previous-state",
      "tls:index/privateKey:PrivateKey azure-ca-key",
      "tls:index/selfSignedCert:SelfSignedCert azure-ca",
    ]);
    assert.equal(fleet.members.east1.ciliumOwner, "aks");
  });

  it("uses Azure CNI without overlay, the Cilium dataplane and ACNS, on the member's allocated subnets, written one after the other", async () => {
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
    assert.deepEqual(await dependsOnOf(named(records, "azure-east1-pods")), [named(records, "azure-east1-nodes").resource]);
  });

  it("joins the Azure Fleet with a Command whose az calls retry the Fleet RP's lag, after the cluster and its VNet grant", async () => {
    const member = named(records, "azure-east1-fleet-member");
    assert.deepEqual(member.inputs, {
      create: fleetMemberCreateScript(),
      update: fleetMemberUpdateScript(),
      delete: fleetMemberDeleteScript(),
      environment: {
        FLEETMESH_AZ_SUBSCRIPTION: "sub-1",
        FLEETMESH_FLEET_RESOURCE_GROUP: "fleet-rg",
        FLEETMESH_FLEET_NAME: "azure",
        FLEETMESH_MEMBER_NAME: "east1",
        FLEETMESH_MEMBER_CLUSTER_ID:
          "/subscriptions/sub-1/resourceGroups/east-rg/providers/Microsoft.ContainerService/managedClusters/east1",
        FLEETMESH_MEMBER_LABELS: "mesh=prod region=eastus2",
        FLEETMESH_AZ_ATTEMPTS: "60",
        FLEETMESH_AZ_RETRY_SECONDS: "20",
      },
    });
    assert.deepEqual(await dependsOnOf(member), [
      named(records, "azure-east1-aks").resource,
      named(records, "azure-east1-vnet-access").resource,
    ]);
  });

  it("decodes the user kubeconfig AKS returns and keeps it secret", async () => {
    const provider = named(records, "azure-east1", "pulumi:providers:kubernetes");
    assert.ok(provider.secretInputs.includes("kubeconfig"));
    assert.equal(provider.inputs.kubeconfig, fakeKubeconfig("east1"));
    assert.equal(await settle(fleet.members.east1.kubeconfig), fakeKubeconfig("east1"));
  });

  it("lets AKS choose the Kubernetes version when none is given", async () => {
    const { records: unpinned } = await deploy("unpinned", {
      ...AKS_FLEET,
      members: { east1: { ...AKS_FLEET.members.east1, aks: { ...AKS_FLEET.members.east1.aks!, kubernetesVersion: undefined } } },
    });
    assert.equal(named(unpinned, "unpinned-east1-aks").inputs.kubernetesVersion, undefined);
  });
});

describe("Fleet with an Azure Fleet hub: the hub provider, Entra logins and hub access", () => {
  let restore: () => void;
  before(() => (restore = withEntraKubeconfigs()));
  after(() => restore());

  it("creates fleet.hubProvider with the fleet, its device-code kubeconfig switched to the az login session, and hub-mode placements use it", async () => {
    let placement: Placement | undefined;
    const { fleet, records } = await deploy("hubbed", AKS_FLEET, {
      alongside: (f, transformations) => {
        placement = new Placement(
          "web",
          {
            fleet: f,
            mode: "hub",
            resources: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "web" } }],
            resourceSelectors: [{ group: "", version: "v1", kind: "Namespace", name: "web" }],
          },
          { transformations },
        );
      },
    });
    await placement!.ready;
    const hub = named(records, "hubbed-hub", "pulumi:providers:kubernetes");
    const converted = convertKubeconfigLogin(entraKubeconfig("hubbed-hub"), { mode: "azurecli" }).kubeconfig;
    assert.deepEqual(
      [
        hub.resource === fleet.hubProvider,
        hub.parent === fleet,
        hub.inputs.kubeconfig,
        hub.secretInputs,
        named(records, "web-crp").provider === fleet.hubProvider,
      ],
      [true, true, converted, ["kubeconfig"], true],
    );
    // The member's own Entra kubeconfig is switched the same way.
    assert.equal(
      named(records, "hubbed-east1", "pulumi:providers:kubernetes").inputs.kubeconfig,
      convertKubeconfigLogin(entraKubeconfig("east1"), { mode: "azurecli" }).kubeconfig,
    );
  });

  it("logs in as a service principal when azureLogin says so, never writing its secret", async () => {
    const { records } = await deploy("spn", { ...AKS_FLEET, azureLogin: { mode: "spn", clientId: "sp-app" } });
    const kubeconfig = named(records, "spn-hub", "pulumi:providers:kubernetes").inputs.kubeconfig as string;
    assert.deepEqual(
      [kubeconfig, /secret/i.test(kubeconfig)],
      [convertKubeconfigLogin(entraKubeconfig("spn-hub"), { mode: "spn", clientId: "sp-app" }).kubeconfig, false],
    );
  });

  it("grants the deploying identity Fleet Manager RBAC Cluster Admin on the fleet and makes the hub provider wait until the hub honours it", async () => {
    const { records } = await deploy("granted", {
      ...AKS_FLEET,
      azureFleet: { ...AKS_FLEET.azureFleet!, hubAccess: { grantClusterAdmin: true, principalType: "User", waitSeconds: 120 } },
    });
    const grant = named(records, "granted-hub-access");
    const ready = named(records, "granted-hub-access-ready");
    const provider = named(records, "granted-hub", "pulumi:providers:kubernetes");
    assert.deepEqual(
      {
        grant: grant.inputs,
        ready: { ...ready.inputs, environment: { ...ready.inputs.environment, FLEETMESH_HUB_KUBECONFIG: "(the hub kubeconfig)" } },
        secret: await isSecretInput((ready.props.environment as Record<string, unknown>).FLEETMESH_HUB_KUBECONFIG),
        kubeconfig: ready.inputs.environment.FLEETMESH_HUB_KUBECONFIG === provider.inputs.kubeconfig,
        order: [await dependsOnOf(ready), await dependsOnOf(provider)],
      },
      {
        grant: {
          scope: "granted-azure-fleet-id",
          principalId: "object-1",
          principalType: "User",
          roleDefinitionId: "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/18ab4d3d-a1bf-4477-8ad9-8359bc988f69",
        },
        ready: {
          create: hubAccessWaitScript(),
          environment: { FLEETMESH_HUB_KUBECONFIG: "(the hub kubeconfig)", FLEETMESH_HUB_WAIT_ATTEMPTS: "12" },
          triggers: ["granted-hub-access-id"],
        },
        secret: true,
        kubeconfig: true,
        order: [[grant.resource], [ready.resource]],
      },
    );
  });

  it("has no hub provider when the Azure Fleet has no hub, and a hub-mode placement then needs one given", async () => {
    const { fleet } = await deploy("hubless", { ...AKS_FLEET, azureFleet: { ...AKS_FLEET.azureFleet!, hub: false } });
    assert.equal(fleet.hubProvider, undefined);
    assert.throws(
      () =>
        new Placement("needs-hub", {
          fleet,
          mode: "hub",
          resources: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "web" } }],
          resourceSelectors: [{ group: "", version: "v1", kind: "Namespace", name: "web" }],
        }),
      (e: { violations?: Array<{ path: string }> }) => e.violations?.[0]?.path === "hub",
    );
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
  });

  it("checks the cluster at up with a read-only command, the kubeconfig on its stdin only, before the release", async () => {
    const check = named(records, "dc-dc1-cluster-check");
    const spec = memberCheckSpec({
      member: "dc1",
      context: "dc1-admin",
      declaredServiceCidr: "10.140.0.0/20",
      ciliumVersion: "1.18.12",
      routingMode: "tunnel",
      maxConnectedClusters: 255,
      allocation: { clusterId: 1, podCidr: "10.0.0.0/17" },
      newMember: true,
    });
    assert.deepEqual(
      {
        commands: ofType(records, "command:local:Command").map((r) => r.name),
        inputs: check.inputs,
        secret: check.secretInputs,
        releaseWaits: (await dependsOnOf(named(records, "dc-dc1-cilium"))).includes(check.resource),
        options: [named(records, "dc-dc1-cilium").opts.import, named(records, "dc-dc1-cilium").opts.retainOnDelete],
      },
      {
        commands: ["dc-dc1-cluster-check"],
        inputs: {
          create: clusterCheckScript(spec, true),
          update: clusterCheckScript(spec, false),
          stdin: fakeKubeconfig("dc1", "dc1-admin"),
          logging: "stderr",
        },
        secret: ["stdin"],
        releaseWaits: true,
        options: [undefined, undefined],
      },
    );
    // On its first run, a member fleetmesh installs Cilium on refuses a cluster that already runs one.
    assert.equal(spec.installs, true);
  });
});

describe("Fleet with kind members of one and of three nodes", () => {
  let records: RecordedResource[];
  before(
    async () =>
      ({ records } = await deploy("kinds", {
        members: {
          solo: { kind: {} },
          trio: { kind: { workers: 2 } },
          dc1: { kubeconfig: fakeKubeconfig("dc1"), serviceCidr: "10.140.0.0/20" },
        },
        pools: { serviceCidrPool: "10.128.0.0/12" },
      })),
  );

  it("sizes each kind member's cilium-operator to its nodes (min(2, nodes): the chart's 2 replicas repel each other by hostname), and leaves others at the chart's default", () => {
    const values = (member: string) => named(records, `kinds-${member}-cilium`).inputs.values as Record<string, any>;
    assert.deepEqual(
      ["solo", "trio", "dc1"].map((member) => values(member).operator?.replicas),
      [1, 2, undefined],
    );
    assert.ok(chartValuesValidator("1.18.12")(values("solo")));
  });

  it("creates each kind cluster with a script that checks the kind release and the LoadBalancer pool, and refuses to adopt a cluster that is not the member's", () => {
    const create = named(records, "kinds-solo-kind-cluster").inputs.create as string;
    for (const part of [
      "kind version -q",
      "kind get nodes --name 'kinds-solo'",
      "docker exec 'kinds-solo-control-plane' cat /kind/kubeadm.conf",
      "kind create cluster --name 'kinds-solo' --image \"$image\" --config -",
      "check_pool",
    ]) {
      assert.ok(create.includes(part), part);
    }
  });
});
