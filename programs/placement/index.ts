// placement: the three placement policies of the Fleet documentation over four kind clusters.
// Deploy with kind, Docker and the Pulumi CLI (`pulumi up` here); plan offline with
// `npm run plan -- programs/placement` from the repository root.
import { Fleet, Placement } from "../../components";

const fleet = new Fleet("placement-demo", {
  members: {
    "prod-east": { kind: {}, labels: { environment: "production", region: "east" } },
    "prod-west": { kind: {}, labels: { environment: "production", region: "west" } },
    "stage-east": { kind: {}, labels: { environment: "staging", region: "east" } },
    "stage-west": {
      kind: {},
      labels: { environment: "staging", region: "west" },
      taints: [{ key: "maintenance", value: "true", effect: "NoSchedule" }],
    },
  },
});

/** The hub inventory: what the placements choose from. */
const inventory = (namespace: string) => [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "kuard", namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "kuard" } },
      template: {
        metadata: { labels: { app: "kuard" } },
        spec: { containers: [{ name: "kuard", image: "ghcr.io/kuar-demo/kuard-amd64:v0.10.0-blue", ports: [{ containerPort: 8080 }] }] },
      },
    },
  },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kuard", namespace },
    spec: { selector: { app: "kuard" }, ports: [{ port: 8080, targetPort: 8080 }] },
  },
];
const namespaceSelector = (name: string) => [{ group: "", version: "v1", kind: "Namespace", name }];

/** PickAll: every production cluster. */
const toProduction = new Placement("pick-all-production", {
  fleet,
  resources: inventory("pick-all"),
  resourceSelectors: namespaceSelector("pick-all"),
  policy: {
    placementType: "PickAll",
    affinity: {
      clusterAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          clusterSelectorTerms: [{ labelSelector: { matchLabels: { environment: "production" } } }],
        },
      },
    },
  },
});

/** PickFixed: exactly these two clusters (taints do not apply to PickFixed). */
const toNamed = new Placement("pick-fixed", {
  fleet,
  resources: inventory("pick-fixed"),
  resourceSelectors: namespaceSelector("pick-fixed"),
  policy: { placementType: "PickFixed", clusterNames: ["prod-east", "stage-west"] },
});

/** PickN: three clusters, production preferred, spread over regions, rolled out one cluster at a time. */
const toThree = new Placement("pick-n", {
  fleet,
  resources: inventory("pick-n"),
  resourceSelectors: namespaceSelector("pick-n"),
  policy: {
    placementType: "PickN",
    numberOfClusters: 3,
    affinity: {
      clusterAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          clusterSelectorTerms: [
            { labelSelector: { matchExpressions: [{ key: "environment", operator: "In", values: ["production", "staging"] }] } },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 20, preference: { labelSelector: { matchLabels: { environment: "production" } } } },
        ],
      },
    },
    topologySpreadConstraints: [{ topologyKey: "region", maxSkew: 2, whenUnsatisfiable: "DoNotSchedule" }],
    tolerations: [{ key: "maintenance", operator: "Exists" }],
  },
  strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 1, unavailablePeriodSeconds: 30 } },
});

export const placementDemoFleetState = fleet.state;
export const pickAllProductionPlacementState = toProduction.state;
export const pickFixedPlacementState = toNamed.state;
export const pickNPlacementState = toThree.state;
export const decisions = { pickAll: toProduction.decisions, pickFixed: toNamed.decisions, pickN: toThree.decisions };
