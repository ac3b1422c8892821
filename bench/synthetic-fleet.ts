import { MemberCluster, PlacementPolicy } from "../components/core/kubefleet/scheduler/types";

// A deterministic synthetic fleet for the scheduler benchmark: labels region/zone/env/tier,
// node-count and cost properties, resource usage, and a few tainted clusters.

/** Mulberry32: a small seeded PRNG, so every run measures the same fleet. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REGIONS = ["eastus", "westus", "centralus", "northeurope", "westeurope", "southeastasia"];
const ENVS = ["prod", "staging", "dev"];
const TIERS = ["gold", "silver", "bronze"];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

export function syntheticFleet(size: number, now: Date, seed = 42): MemberCluster[] {
  const random = seededRandom(seed);
  const heartbeat = new Date(now.getTime() - 30_000).toISOString();
  return Array.from({ length: size }, (_, i) => {
    const region = pick(random, REGIONS);
    const cluster: MemberCluster = {
      metadata: {
        name: `member-${String(i).padStart(5, "0")}`,
        labels: { region, zone: `${region}-${1 + Math.floor(random() * 3)}`, env: pick(random, ENVS), tier: pick(random, TIERS) },
      },
      spec: random() < 0.03 ? { taints: [{ key: "maintenance", value: "true", effect: "NoSchedule" }] } : {},
      status: {
        properties: {
          "kubernetes-fleet.io/node-count": { value: String(1 + Math.floor(random() * 50)) },
          "kubernetes.azure.com/per-cpu-core-cost": { value: (0.02 + random() * 0.2).toFixed(3) },
        },
        resourceUsage: { available: { cpu: `${Math.floor(random() * 64000)}m`, memory: `${1 + Math.floor(random() * 256)}Gi` } },
        agentStatus: [
          {
            type: "MemberAgent",
            lastReceivedHeartbeat: heartbeat,
            conditions: [
              { type: "Joined", status: "True", reason: "Joined", message: "", lastTransitionTime: heartbeat },
              { type: "Healthy", status: "True", reason: "Healthy", message: "", lastTransitionTime: heartbeat },
            ],
          },
        ],
      },
    };
    return cluster;
  });
}

/** The reference placement: PickN 100, 3 required terms, 3 preferred (2 sorters), 2 spread constraints. */
export function referencePolicy(): PlacementPolicy {
  return {
    placementType: "PickN",
    numberOfClusters: 100,
    affinity: {
      clusterAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          clusterSelectorTerms: [
            { labelSelector: { matchLabels: { env: "prod" } } },
            { labelSelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["gold", "silver"] }] } },
            { propertySelector: { matchExpressions: [{ name: "kubernetes-fleet.io/node-count", operator: "Ge", values: ["40"] }] } },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 50, preference: { propertySorter: { name: "kubernetes.azure.com/per-cpu-core-cost", sortOrder: "Ascending" } } },
          { weight: 30, preference: { propertySorter: { name: "resources.kubernetes-fleet.io/available-cpu", sortOrder: "Descending" } } },
          { weight: 20, preference: { labelSelector: { matchLabels: { tier: "gold" } } } },
        ],
      },
    },
    topologySpreadConstraints: [
      { topologyKey: "region", maxSkew: 2, whenUnsatisfiable: "DoNotSchedule" },
      { topologyKey: "zone", maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway" },
    ],
  };
}

/** A mix of the policy shapes users write, varied by index. */
export function mixedPolicy(index: number): PlacementPolicy {
  const region = REGIONS[index % REGIONS.length];
  switch (index % 5) {
    case 0:
      return {
        placementType: "PickAll",
        affinity: {
          clusterAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{ labelSelector: { matchLabels: { region } } }] },
          },
        },
      };
    case 1:
      return {
        placementType: "PickFixed",
        clusterNames: [`member-${String(index % 997).padStart(5, "0")}`, `member-${String((index * 7) % 997).padStart(5, "0")}`],
      };
    case 2:
      return {
        placementType: "PickN",
        numberOfClusters: 5,
        affinity: {
          clusterAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 40, preference: { propertySorter: { name: "kubernetes-fleet.io/node-count", sortOrder: "Descending" } } },
            ],
          },
        },
      };
    case 3:
      return {
        placementType: "PickN",
        numberOfClusters: 3,
        topologySpreadConstraints: [{ topologyKey: "region" }],
        tolerations: [{ key: "maintenance", operator: "Exists" }],
      };
    default:
      return {
        placementType: "PickN",
        numberOfClusters: 10,
        affinity: {
          clusterAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              clusterSelectorTerms: [{ labelSelector: { matchExpressions: [{ key: "env", operator: "NotIn", values: ["dev"] }] } }],
            },
          },
        },
      };
  }
}
