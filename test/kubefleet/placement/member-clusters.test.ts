import { strict as assert } from "assert";
import { PlacementMemberFacts, azureFleetLabels, memberClusters } from "../../../components/core/kubefleet/placement/member-clusters";
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
