import { strict as assert } from "assert";
import { PlacementChild } from "../../../components/core/kubefleet/placement/children";
import { PlacementMemberFacts } from "../../../components/core/kubefleet/placement/member-clusters";
import {
  PlacementPlan,
  PlacementPlanInput,
  canonicalJson,
  legacyObjectsHash,
  objectKey,
  objectsHash,
  planPlacement,
} from "../../../components/core/kubefleet/placement/plan";
import { KubernetesObject } from "../../../components/core/kubefleet/placement/resource-selection";
import { RolloutBatch } from "../../../components/core/kubefleet/placement/rollout";
import { PlacementCondition, PlacementStatus } from "../../../components/core/kubefleet/placement/status";
import { Binding, ClusterDecision, PlacementPolicy, policyHash } from "../../../components/core/kubefleet/scheduler";

const NOW = new Date("2026-03-02T10:00:00.000Z");
const NODES = "kubernetes-fleet.io/node-count";

// ---- the fleet and the hub inventory ----

const member = (name: string, region: string, nodes = "3"): PlacementMemberFacts => ({
  name,
  labels: { region },
  taints: [],
  properties: { [NODES]: nodes },
});
const FLEET = [member("east-1", "east"), member("west-1", "west"), member("east-2", "east")];

const NAMESPACE: KubernetesObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "web" } };
const DEPLOYMENT: KubernetesObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "web" },
  spec: { replicas: 2 },
};
const SCALED: KubernetesObject = { ...DEPLOYMENT, spec: { replicas: 3 } };
const ELSEWHERE: KubernetesObject = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: "other" },
  data: { a: "b" },
};
const SELECT_WEB = [{ group: "", version: "v1", kind: "Namespace", name: "web" }];

// ---- expected values, spelled out ----

const picked = (cluster: string, affinity = 0): ClusterDecision => ({
  clusterName: cluster,
  selected: true,
  clusterScore: { affinityScore: affinity, priorityScore: 0 },
  reason: `Successfully scheduled resources for placement in "${cluster}" (affinity score: ${affinity}, topology spread score: 0): picked by scheduling policy`,
});
const pickedByName = (cluster: string): ClusterDecision => ({
  clusterName: cluster,
  selected: true,
  reason: `Successfully scheduled resources for placement in "${cluster}": picked by scheduling policy`,
});
const bindings = (policy: PlacementPolicy | undefined, decisions: ClusterDecision[]): Binding[] =>
  decisions
    .filter((d) => d.selected)
    .map((d): Binding => ({ targetCluster: d.clusterName, state: "Scheduled", policyHash: policyHash(policy), clusterDecision: d }))
    .sort((a, b) => (a.targetCluster < b.targetCluster ? -1 : 1));
const fulfilled = (found: number): PlacementCondition => ({
  type: "Scheduled",
  status: "True",
  reason: "SchedulingPolicyFulfilled",
  message: `found all cluster needed as specified by the scheduling policy, found ${found} cluster(s)`,
});
const statuses = (decisions: ClusterDecision[]): PlacementStatus[] =>
  decisions
    .filter((d) => d.selected)
    .map((d) => ({
      clusterName: d.clusterName,
      conditions: [{ type: "Scheduled", status: "True", reason: "Scheduled", message: d.reason }],
    }));

const nsOn = (where: string) => `web-${where}-core-namespace-web`;
const deploymentOn = (where: string) => `web-${where}-apps-deployment-web-web`;
/** The namespace, then the Deployment after it (and after whatever the member waits for). */
const onMember = (name: string, after: string[] = [], deployment = DEPLOYMENT): PlacementChild[] => [
  { type: "object", name: nsOn(name), member: name, object: NAMESPACE, skipAwait: false, dependsOn: after },
  { type: "object", name: deploymentOn(name), member: name, object: deployment, skipAwait: false, dependsOn: [...after, nsOn(name)] },
];
const batch = (index: number, members: string[], waitSecondsBefore = 0): RolloutBatch => ({ index, members, waitSecondsBefore });

interface Expected {
  policy?: PlacementPolicy;
  objects: KubernetesObject[];
  decisions: ClusterDecision[];
  condition: PlacementCondition;
  targets: string[];
  batches: RolloutBatch[];
  previousTargets: string[];
  children: PlacementChild[];
  mode?: "direct" | "hub";
}

/** The whole plan, from the parts a case spells out. */
function plan(e: Expected): PlacementPlan {
  const result = {
    bindings: bindings(e.policy, e.decisions),
    decisions: e.decisions,
    condition: fulfilled(e.decisions.filter((d) => d.selected).length),
    policyHash: policyHash(e.policy),
  };
  const sorted = (names: string[]) => [...names].sort();
  return {
    selected: e.objects,
    schedule: result,
    condition: e.condition,
    targets: e.targets,
    batches: e.batches,
    whatIf: {
      placement: "web",
      placementType: e.policy?.placementType ?? "PickAll",
      picked: e.decisions.filter((d) => d.selected),
      notPicked: e.decisions.filter((d) => !d.selected && d.clusterScore !== undefined),
      filtered: e.decisions.filter((d) => !d.selected && d.clusterScore === undefined),
      added: sorted(e.targets.filter((t) => !e.previousTargets.includes(t))),
      removed: sorted(e.previousTargets.filter((t) => !e.targets.includes(t))),
      kept: sorted(e.targets.filter((t) => e.previousTargets.includes(t))),
      batches: e.batches,
      condition: e.condition,
      mode: e.mode ?? "direct",
    },
    placementStatuses: statuses(e.decisions),
    state: {
      version: 1,
      bindings: result.bindings,
      objectsHash: objectsHash(e.objects),
      ...(e.mode === "hub" && { hubSpec: { ...(e.policy && { policy: e.policy }) } }),
    },
    children: e.children,
    hubUpdate: { kind: "update" },
    unwrittenTaints: [],
  };
}

// ---- the cases ----

const PICK_ALL_DECISIONS = [picked("east-1"), picked("east-2"), picked("west-1")];
const BIGGEST_TWO: PlacementPolicy = {
  placementType: "PickN",
  numberOfClusters: 2,
  affinity: {
    clusterAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 50, preference: { propertySorter: { name: NODES, sortOrder: "Descending" } } },
      ],
    },
  },
};
const ONE_AT_A_TIME = { type: "RollingUpdate" as const, rollingUpdate: { maxUnavailable: 1, unavailablePeriodSeconds: 30 } };
const INVALID_SELECTORS =
  "resourceSelectors[0]: the resource is not found in schema (please retry) or it is not a cluster scoped resource: apps/v1, Kind=Deployment" +
  " (a ClusterResourcePlacement selects cluster-scoped kinds, and namespaced ones only next to a Namespace selector with selectionScope NamespaceWithResourceSelectors)";
const PICK_FIXED: PlacementPolicy = { placementType: "PickFixed", clusterNames: ["west-1", "east-1"] };

const base: PlacementPlanInput = {
  name: "web",
  resources: [NAMESPACE, DEPLOYMENT, ELSEWHERE],
  resourceSelectors: SELECT_WEB,
  members: FLEET,
  now: NOW,
};

const cases: Array<{ name: string; input: PlacementPlanInput; want: PlacementPlan }> = [
  {
    name: "a first run places the selected objects on every picked member in one batch, each namespace before the objects in it",
    input: base,
    want: plan({
      objects: [NAMESPACE, DEPLOYMENT],
      decisions: PICK_ALL_DECISIONS,
      condition: fulfilled(3),
      targets: ["east-1", "east-2", "west-1"],
      batches: [batch(1, ["east-1", "east-2", "west-1"])],
      previousTargets: [],
      children: [...onMember("east-1"), ...onMember("east-2"), ...onMember("west-1")],
    }),
  },
  {
    name: "a second run keeps its bindings when a bigger cluster appears, and re-registers the unchanged objects with no rollout",
    input: {
      ...base,
      policy: BIGGEST_TWO,
      members: [member("east-1", "east", "50"), member("west-1", "west", "9"), member("east-2", "east", "8")],
      previous: {
        version: 1,
        bindings: bindings(BIGGEST_TWO, [picked("west-1", 50), picked("east-2", 44)]),
        objectsHash: objectsHash([NAMESPACE, DEPLOYMENT]),
      },
    },
    want: plan({
      policy: BIGGEST_TWO,
      objects: [NAMESPACE, DEPLOYMENT],
      decisions: [picked("east-2", 44), picked("west-1", 50)],
      condition: fulfilled(2),
      targets: ["east-2", "west-1"],
      batches: [],
      previousTargets: ["east-2", "west-1"],
      children: [...onMember("east-2"), ...onMember("west-1")],
    }),
  },
  {
    name: "a changed object rolls out one member at a time, each batch after the one before it behind a wait gate named after the batch's first member",
    input: {
      ...base,
      resources: [NAMESPACE, SCALED, ELSEWHERE],
      strategy: ONE_AT_A_TIME,
      previous: { version: 1, bindings: bindings(undefined, PICK_ALL_DECISIONS), objectsHash: objectsHash([NAMESPACE, DEPLOYMENT]) },
    },
    want: plan({
      objects: [NAMESPACE, SCALED],
      decisions: PICK_ALL_DECISIONS,
      condition: fulfilled(3),
      targets: ["east-1", "east-2", "west-1"],
      batches: [batch(1, ["east-1"]), batch(2, ["east-2"], 30), batch(3, ["west-1"], 30)],
      previousTargets: ["east-1", "east-2", "west-1"],
      children: [
        ...onMember("east-1", [], SCALED),
        {
          type: "rolloutWait",
          name: "web-east-2-rollout-wait",
          batch: 2,
          seconds: 30,
          triggers: [objectsHash([NAMESPACE, SCALED])],
          dependsOn: [nsOn("east-1"), deploymentOn("east-1")],
        },
        ...onMember("east-2", ["web-east-2-rollout-wait"], SCALED),
        {
          type: "rolloutWait",
          name: "web-west-1-rollout-wait",
          batch: 3,
          seconds: 30,
          triggers: [objectsHash([NAMESPACE, SCALED])],
          dependsOn: [nsOn("east-2"), deploymentOn("east-2")],
        },
        ...onMember("west-1", ["web-west-1-rollout-wait"], SCALED),
      ],
    }),
  },
  {
    name: "hub mode hands the objects, unawaited and namespace first, then the ClusterResourcePlacement to the hub, and places nothing on members",
    input: { ...base, policy: PICK_FIXED, mode: "hub" },
    want: plan({
      policy: PICK_FIXED,
      objects: [NAMESPACE, DEPLOYMENT],
      decisions: [pickedByName("west-1"), pickedByName("east-1")],
      condition: fulfilled(2),
      targets: ["west-1", "east-1"],
      batches: [batch(1, ["west-1", "east-1"])],
      previousTargets: [],
      mode: "hub",
      children: [
        { type: "object", name: nsOn("hub"), object: NAMESPACE, skipAwait: true, dependsOn: [] },
        { type: "object", name: deploymentOn("hub"), object: DEPLOYMENT, skipAwait: true, dependsOn: [nsOn("hub")] },
        {
          type: "clusterResourcePlacement",
          name: "web-crp",
          manifest: {
            apiVersion: "placement.kubernetes-fleet.io/v1beta1",
            kind: "ClusterResourcePlacement",
            metadata: { name: "web" },
            spec: { resourceSelectors: SELECT_WEB, policy: PICK_FIXED },
          },
          replace: false,
          dependsOn: [nsOn("hub"), deploymentOn("hub")],
        },
      ],
    }),
  },
  {
    name: "invalid selectors select nothing, set the InvalidResourceSelectors condition and place nothing anywhere",
    input: { ...base, resourceSelectors: [{ group: "apps", version: "v1", kind: "Deployment", name: "web" }] },
    want: plan({
      objects: [],
      decisions: PICK_ALL_DECISIONS,
      condition: {
        type: "Scheduled",
        status: "False",
        reason: "InvalidResourceSelectors",
        message: `The resource selectors are invalid: ${INVALID_SELECTORS}`,
      },
      targets: [],
      batches: [],
      previousTargets: [],
      children: [],
    }),
  },
];

describe("planPlacement: a placement's whole run from plain values", () => {
  for (const c of cases) it(c.name, () => assert.deepStrictEqual(planPlacement(c.input), c.want));
});

describe("objectKey: an object's part of its child names", () => {
  const cases: Array<[string, KubernetesObject, string]> = [
    ["names the core group core", NAMESPACE, "core-namespace-web"],
    ["adds the namespace of a namespaced object", DEPLOYMENT, "apps-deployment-web-web"],
    [
      "keeps the dots of an API group",
      { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name: "allow", namespace: "web" } },
      "cilium.io-ciliumnetworkpolicy-web-allow",
    ],
    [
      "lowers the case and turns other characters into dashes",
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "system:reader" } },
      "rbac.authorization.k8s.io-clusterrole-system-reader",
    ],
  ];
  for (const [name, obj, want] of cases) it(name, () => assert.equal(objectKey(obj), want));
});

describe("objectsHash: what tells a rollout that the objects changed", () => {
  const cases: Array<[string, KubernetesObject[], KubernetesObject[], boolean]> = [
    ["is the same for the same objects", [NAMESPACE, DEPLOYMENT], [{ ...NAMESPACE }, { ...DEPLOYMENT }], true],
    ["changes when a field of an object changes", [NAMESPACE, DEPLOYMENT], [NAMESPACE, SCALED], false],
    ["changes when an object is added", [NAMESPACE], [NAMESPACE, DEPLOYMENT], false],
  ];
  for (const [name, a, b, same] of cases) it(name, () => assert.equal(objectsHash(a) === objectsHash(b), same));
});

// The same Deployment with its keys written in another order, at every level.
const REORDERED: KubernetesObject = {
  spec: { replicas: 2 },
  metadata: { namespace: "web", name: "web" },
  kind: "Deployment",
  apiVersion: "apps/v1",
};

describe("objectsHash: the objects' canonical form", () => {
  const cases: Array<[string, KubernetesObject[], KubernetesObject[], boolean]> = [
    [
      "is the same when the keys of the objects are written in another order, at every level",
      [NAMESPACE, DEPLOYMENT],
      [NAMESPACE, REORDERED],
      true,
    ],
    [
      "changes when the items of a list change order",
      [{ ...NAMESPACE, data: { list: ["a", "b"] } }],
      [{ ...NAMESPACE, data: { list: ["b", "a"] } }],
      false,
    ],
    ["leaves out undefined fields, as JSON does", [{ ...NAMESPACE, spec: undefined }], [NAMESPACE], true],
  ];
  for (const [name, a, b, same] of cases) it(name, () => assert.equal(objectsHash(a) === objectsHash(b), same));

  it("sorts keys at every level and keeps list order", () => {
    assert.equal(canonicalJson({ b: [{ d: 1, c: 2 }], a: { f: 3, e: 4 } }), '{"a":{"e":4,"f":3},"b":[{"c":2,"d":1}]}');
  });

  it("keeps a __proto__ key of parsed JSON as a key", () => {
    assert.equal(canonicalJson(JSON.parse('{"z":1,"__proto__":{"x":1}}')), '{"__proto__":{"x":1},"z":1}');
  });
});

describe("planPlacement: a state whose hash the previous version wrote", () => {
  const previous = (hash: string) => ({ version: 1 as const, bindings: bindings(undefined, PICK_ALL_DECISIONS), objectsHash: hash });
  const withStrategy = { ...base, strategy: ONE_AT_A_TIME };

  it("differs from the canonical hash for objects whose keys are not written in order (the premise)", () => {
    assert.notEqual(legacyObjectsHash([NAMESPACE, REORDERED]), objectsHash([NAMESPACE, REORDERED]));
  });

  const cases: Array<{ name: string; input: PlacementPlanInput; batches: string[][]; stored: string }> = [
    {
      name: "rolls nothing out for the same objects, and stores the canonical hash from then on",
      input: { ...withStrategy, resources: [NAMESPACE, REORDERED], previous: previous(legacyObjectsHash([NAMESPACE, REORDERED])) },
      batches: [],
      stored: objectsHash([NAMESPACE, REORDERED]),
    },
    {
      name: "rolls nothing out when only the keys' order changed since the canonical hash was stored",
      input: { ...withStrategy, resources: [NAMESPACE, REORDERED], previous: previous(objectsHash([NAMESPACE, DEPLOYMENT])) },
      batches: [],
      stored: objectsHash([NAMESPACE, DEPLOYMENT]),
    },
    {
      name: "rolls a real change out batch by batch",
      input: { ...withStrategy, resources: [NAMESPACE, SCALED], previous: previous(legacyObjectsHash([NAMESPACE, REORDERED])) },
      batches: [["east-1"], ["east-2"], ["west-1"]],
      stored: objectsHash([NAMESPACE, SCALED]),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planPlacement(c.input);
      assert.deepStrictEqual(
        { batches: plan.batches.map((b) => b.members), stored: plan.state.objectsHash },
        { batches: c.batches, stored: c.stored },
      );
    });
  }
});
