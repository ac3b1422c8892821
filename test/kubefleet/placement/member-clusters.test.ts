import { strict as assert } from "assert";
import {
  PlacementMemberFacts,
  azureFleetFacts,
  azureFleetLabels,
  fleetMemberLabels,
  memberClusters,
  unknownFleetLabelKeys,
} from "../../../components/core/kubefleet/placement/member-clusters";
import { MemberCluster, schedule } from "../../../components/core/kubefleet/scheduler";

const NOW = new Date("2026-03-02T10:00:00.000Z");
const T = "2026-03-02T10:00:00.000Z";

const healthy = {
  type: "MemberAgent",
  conditions: [
    {
      type: "Joined",
      status: "True" as const,
      reason: "DeclaredMember",
      message: "declared in the fleetmesh program",
      lastTransitionTime: T,
    },
    {
      type: "Healthy",
      status: "True" as const,
      reason: "DeclaredMember",
      message: "declared in the fleetmesh program",
      lastTransitionTime: T,
    },
  ],
  lastReceivedHeartbeat: T,
};

const kindMember: PlacementMemberFacts = { name: "c1", labels: { region: "east" }, taints: [] };
const aksMember: PlacementMemberFacts = {
  name: "aks1",
  labels: { env: "prod", "fleet.azure.com/location": "wrong" },
  taints: [{ key: "gpu", value: "true", effect: "NoSchedule" }],
  azure: { location: "eastus2", resourceGroup: "rg-fleet", subscriptionId: "0000-1111", clusterName: "aks-prod-1" },
  properties: { "kubernetes-fleet.io/node-count": "3" },
  resourceUsage: { capacity: { cpu: "8" }, available: { cpu: "2", memory: "4Gi" } },
};

describe("placement member clusters", () => {
  const cases: Array<{ name: string; members: PlacementMemberFacts[]; want: MemberCluster[] }> = [
    {
      name: "turns a plain member into a joined, healthy MemberCluster with its labels and no Azure labels",
      members: [kindMember],
      want: [
        {
          apiVersion: "cluster.kubernetes-fleet.io/v1beta1",
          kind: "MemberCluster",
          metadata: { name: "c1", labels: { region: "east" } },
          spec: { taints: [] },
          status: { agentStatus: [healthy] },
        },
      ],
    },
    {
      name: "adds Azure Fleet's five labels (overriding a user label with the same key), taints, properties and resource usage",
      members: [aksMember],
      want: [
        {
          apiVersion: "cluster.kubernetes-fleet.io/v1beta1",
          kind: "MemberCluster",
          metadata: {
            name: "aks1",
            labels: {
              env: "prod",
              "fleet.azure.com/location": "eastus2",
              "fleet.azure.com/resource-group": "rg-fleet",
              "fleet.azure.com/subscription-id": "0000-1111",
              "fleet.azure.com/cluster-name": "aks-prod-1",
              "fleet.azure.com/member-name": "aks1",
            },
          },
          spec: { taints: [{ key: "gpu", value: "true", effect: "NoSchedule" }] },
          status: {
            agentStatus: [healthy],
            properties: { "kubernetes-fleet.io/node-count": { value: "3", observationTime: T } },
            resourceUsage: { capacity: { cpu: "8" }, available: { cpu: "2", memory: "4Gi" }, observationTime: T },
          },
        },
      ],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepStrictEqual(memberClusters(c.members, NOW), c.want));

  it("leaves out the subscription-id label when the subscription is not known", () => {
    const member: PlacementMemberFacts = {
      name: "m",
      labels: {},
      taints: [],
      azure: { location: "westeurope", resourceGroup: "rg", clusterName: "aks-m" },
    };
    assert.deepStrictEqual(azureFleetLabels(member), {
      "fleet.azure.com/location": "westeurope",
      "fleet.azure.com/resource-group": "rg",
      "fleet.azure.com/cluster-name": "aks-m",
      "fleet.azure.com/member-name": "m",
    });
  });

  const facts: Array<{
    name: string;
    aks: Parameters<typeof azureFleetFacts>[0];
    joins: boolean;
    want: ReturnType<typeof azureFleetFacts>;
  }> = [
    {
      name: "an AKS member of an Azure Fleet: its location, resource group and cluster name",
      aks: { location: "eastus2", resourceGroupName: "rg", clusterName: "aks-e1" },
      joins: true,
      want: { location: "eastus2", resourceGroup: "rg", clusterName: "aks-e1" },
    },
    {
      name: "the cluster is named after the member by default; a value not known now (an Output) is left out",
      aks: { location: { unknown: true }, resourceGroupName: "rg" },
      joins: true,
      want: { resourceGroup: "rg", clusterName: "e1" },
    },
    {
      name: "an AKS member of a fleet without an Azure Fleet: none",
      aks: { location: "eastus2", resourceGroupName: "rg" },
      joins: false,
      want: undefined,
    },
    { name: "a member that is not on AKS: none", aks: undefined, joins: true, want: undefined },
  ];
  for (const c of facts) it(`azureFleetFacts: ${c.name}`, () => assert.deepStrictEqual(azureFleetFacts(c.aks, "e1", c.joins), c.want));

  it("puts Fleet's labels over the member's own, and names the Fleet labels whose value is not known now", () => {
    const member = {
      name: "e1",
      labels: { region: "east", "fleet.azure.com/location": "mine" },
      azure: { resourceGroup: "rg", clusterName: "aks-e1" },
    };
    assert.deepStrictEqual(fleetMemberLabels(member), {
      region: "east",
      "fleet.azure.com/location": "mine",
      "fleet.azure.com/resource-group": "rg",
      "fleet.azure.com/cluster-name": "aks-e1",
      "fleet.azure.com/member-name": "e1",
    });
    assert.deepStrictEqual(unknownFleetLabelKeys(member), ["fleet.azure.com/location", "fleet.azure.com/subscription-id"]);
    assert.deepStrictEqual(unknownFleetLabelKeys({ name: "k1" }), []);
  });

  it("makes every declared member eligible: PickAll picks them all and filters none", () => {
    const result = schedule({ clusters: memberClusters([kindMember, { ...aksMember, taints: [] }], NOW), now: NOW });
    assert.deepStrictEqual(
      result.decisions.map((d) => [d.clusterName, d.selected]),
      [
        ["aks1", true],
        ["c1", true],
      ],
    );
  });

  it("lets the scheduler filter on taints and select on Azure labels", () => {
    const policy = {
      placementType: "PickAll" as const,
      affinity: {
        clusterAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            clusterSelectorTerms: [{ labelSelector: { matchLabels: { "fleet.azure.com/location": "eastus2" } } }],
          },
        },
      },
    };
    const result = schedule({ clusters: memberClusters([kindMember, aksMember], NOW), policy, now: NOW });
    assert.deepStrictEqual(result.decisions, [
      {
        clusterName: "aks1",
        selected: false,
        reason: "ClusterUnschedulable, taint &{Key:gpu Value:true Effect:NoSchedule} cannot be tolerated",
      },
      {
        clusterName: "c1",
        selected: false,
        reason: "ClusterUnschedulable, cluster does not match with any of the required cluster affinity terms",
      },
    ]);
  });
});
