import { strict as assert } from "assert";
import { PlacementMemberFacts, memberClusters } from "../../../components/core/kubefleet/placement/member-clusters";
import { invalidSelectorsCondition } from "../../../components/core/kubefleet/placement/resource-selection";
import { rolloutBatches } from "../../../components/core/kubefleet/placement/rollout";
import {
  PlacementStatus,
  PlacementWhatIf,
  placementStatuses,
  placementWhatIf,
  renderPlacementWhatIf,
  reportedCondition,
  rolloutLine,
} from "../../../components/core/kubefleet/placement/status";
import { Condition, PlacementPolicy, schedule } from "../../../components/core/kubefleet/scheduler";

const NOW = new Date("2026-03-02T10:00:00.000Z");
const member = (name: string, labels: Record<string, string>, tainted = false): PlacementMemberFacts => ({
  name,
  labels,
  taints: tainted ? [{ key: "gpu", effect: "NoSchedule" }] : [],
});
const FLEET = memberClusters(
  [
    member("east-1", { region: "east", env: "prod" }),
    member("east-2", { region: "east", env: "prod" }),
    member("west-1", { region: "west", env: "prod" }),
    member("west-2", { region: "west", env: "canary" }),
    member("gpu-1", { region: "west", env: "prod" }, true),
  ],
  NOW,
);
const prod = {
  clusterAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{ labelSelector: { matchLabels: { env: "prod" } } }] },
  },
};
const preferWest = { weight: 20, preference: { labelSelector: { matchLabels: { region: "west" } } } };
const picked = (c: string, affinity = 0) =>
  `Successfully scheduled resources for placement in "${c}" (affinity score: ${affinity}, topology spread score: 0): picked by scheduling policy`;
const ok = (clusterName: string, message: string): PlacementStatus => ({
  clusterName,
  conditions: [{ type: "Scheduled", status: "True", reason: "Scheduled", message }],
});
const failed = (message: string): PlacementStatus => ({
  conditions: [{ type: "Scheduled", status: "False", reason: "ScheduleFailed", message }],
});
const TAINTED = "ClusterUnschedulable, taint &{Key:gpu Value: Effect:NoSchedule} cannot be tolerated";
const NOT_PROD = "ClusterUnschedulable, cluster does not match with any of the required cluster affinity terms";

describe("placement statuses", () => {
  const cases: Array<{ name: string; policy?: PlacementPolicy; want: PlacementStatus[] }> = [
    {
      name: "PickAll reports one entry per selected cluster and never a failed one",
      policy: { placementType: "PickAll", affinity: prod },
      want: [ok("east-1", picked("east-1")), ok("east-2", picked("east-2")), ok("west-1", picked("west-1"))],
    },
    { name: "no policy behaves as PickAll", want: ["east-1", "east-2", "west-1", "west-2"].map((c) => ok(c, picked(c))) },
    {
      name: "PickN short of N adds failed entries without clusterName, from the unselected decisions in order (picks best first, ties to the greater name)",
      policy: { placementType: "PickN", numberOfClusters: 5, affinity: prod },
      want: [
        ok("west-1", picked("west-1")),
        ok("east-2", picked("east-2")),
        ok("east-1", picked("east-1")),
        failed(TAINTED),
        failed(NOT_PROD),
      ],
    },
    {
      name: "PickN adds no more failed entries than there are unselected decisions",
      policy: { placementType: "PickN", numberOfClusters: 9, affinity: prod },
      want: [
        ok("west-1", picked("west-1")),
        ok("east-2", picked("east-2")),
        ok("east-1", picked("east-1")),
        failed(TAINTED),
        failed(NOT_PROD),
      ],
    },
    {
      name: "a fulfilled PickN reports only the selected clusters, though not-picked decisions exist",
      policy: {
        placementType: "PickN",
        numberOfClusters: 2,
        affinity: { clusterAffinity: { ...prod.clusterAffinity, preferredDuringSchedulingIgnoredDuringExecution: [preferWest] } },
      },
      want: [ok("west-1", picked("west-1", 20)), ok("east-2", picked("east-2"))],
    },
    {
      name: "PickFixed reports a name that is not in the fleet as a failed entry, and ignores taints",
      policy: { placementType: "PickFixed", clusterNames: ["gpu-1", "nowhere", "east-1"] },
      want: [
        ok("gpu-1", `Successfully scheduled resources for placement in "gpu-1": picked by scheduling policy`),
        ok("east-1", `Successfully scheduled resources for placement in "east-1": picked by scheduling policy`),
        failed(`Specified cluster "nowhere" is not found`),
      ],
    },
    {
      name: "PickFixed with no clusterNames stays SchedulePending (Unknown), so the statuses are empty",
      policy: { placementType: "PickFixed", clusterNames: [] },
      want: [],
    },
    { name: "PickN 0 reports nothing", policy: { placementType: "PickN", numberOfClusters: 0 }, want: [] },
  ];
  for (const c of cases) {
    it(c.name, () =>
      assert.deepStrictEqual(placementStatuses(schedule({ clusters: FLEET, policy: c.policy, now: NOW }), c.policy), c.want),
    );
  }
});

describe("placement what-if", () => {
  const policy: PlacementPolicy = {
    placementType: "PickN",
    numberOfClusters: 2,
    affinity: { clusterAffinity: { ...prod.clusterAffinity, preferredDuringSchedulingIgnoredDuringExecution: [preferWest] } },
  };
  const result = schedule({ clusters: FLEET, policy, now: NOW });
  const targets = ["east-2", "west-1"];
  const previousTargets = ["east-1", "old-1"];
  const batches = rolloutBatches({ placementType: "PickN", numberOfClusters: 2, targets, changed: targets, serving: previousTargets });
  const whatIf = placementWhatIf({ placement: "web", policy, result, previousTargets, batches });

  it("splits the decisions and diffs the targets against the previous run", () => {
    const want: PlacementWhatIf = {
      placement: "web",
      placementType: "PickN",
      picked: result.decisions.slice(0, 2),
      notPicked: [
        {
          clusterName: "east-1",
          selected: false,
          clusterScore: { affinityScore: 0, priorityScore: 0 },
          reason: `Cluster "east-1" does not score high enough (affinity score: 0, topology spread score: 0)`,
        },
      ],
      filtered: [
        { clusterName: "gpu-1", selected: false, reason: TAINTED },
        { clusterName: "west-2", selected: false, reason: NOT_PROD },
      ],
      added: ["east-2", "west-1"],
      removed: ["east-1", "old-1"],
      kept: [],
      batches: [
        { index: 1, members: ["east-2"], waitSecondsBefore: 0 },
        { index: 2, members: ["west-1"], waitSecondsBefore: 60 },
      ],
      condition: reportedCondition(result.condition),
      mode: "direct",
    };
    assert.deepStrictEqual(whatIf, want);
  });

  it("renders picked clusters with scores, then not-picked and filtered ones with upstream reasons, then the batches", () => {
    assert.equal(
      renderPlacementWhatIf(whatIf),
      [
        "Placement web (PickN, direct)",
        "Scheduled=True SchedulingPolicyFulfilled: found all cluster needed as specified by the scheduling policy, found 2 cluster(s)",
        "CLUSTER  ACTION  AFFINITY  TOPOLOGY  REASON",
        `west-1   add     20        0         ${picked("west-1", 20)}`,
        `east-2   add     0         0         ${picked("east-2")}`,
        `east-1   remove  0         0         Cluster "east-1" does not score high enough (affinity score: 0, topology spread score: 0)`,
        `gpu-1    skip    -         -         ${TAINTED}`,
        `west-2   skip    -         -         ${NOT_PROD}`,
        "old-1    remove  -         -         no longer selected by the placement",
        "rollout: batch 1: east-2; batch 2 (after 60s): west-1",
      ].join("\n"),
    );
  });

  it("says in hub mode that the local schedule is a prediction, and keeps the clusters a second run keeps", () => {
    const second = schedule({ clusters: FLEET, policy, bindings: result.bindings, now: NOW });
    const w = placementWhatIf({ placement: "web", policy, result: second, previousTargets: targets, batches: [], mode: "hub" });
    assert.equal(
      renderPlacementWhatIf(w),
      [
        "Placement web (PickN, hub)",
        "hub mode: this schedule is a local prediction of what the hub's scheduler will decide; the hub's own decisions are authoritative",
        "Scheduled=True SchedulingPolicyFulfilled: found all cluster needed as specified by the scheduling policy, found 2 cluster(s)",
        "CLUSTER  ACTION  AFFINITY  TOPOLOGY  REASON",
        `east-2   keep    0         0         ${picked("east-2")}`,
        `west-1   keep    20        0         ${picked("west-1", 20)}`,
        "rollout: no member changes",
      ].join("\n"),
    );
  });

  it("shows the invalid-selectors condition and places nothing when the selectors are refused", () => {
    const condition = invalidSelectorsCondition("namespace kube-system is not allowed to propagate");
    const w = placementWhatIf({
      placement: "sys",
      result: schedule({ clusters: FLEET.slice(0, 1), now: NOW }),
      condition,
      targets: [],
      batches: [],
    });
    assert.equal(
      renderPlacementWhatIf(w),
      [
        "Placement sys (PickAll, direct)",
        "Scheduled=False InvalidResourceSelectors: The resource selectors are invalid: namespace kube-system is not allowed to propagate",
        "CLUSTER  ACTION  AFFINITY  TOPOLOGY  REASON",
        `east-1   skip    0         0         ${picked("east-1")}`,
        "rollout: no member changes",
      ].join("\n"),
    );
  });

  it("omits the wait of a batch whose unavailablePeriodSeconds is 0", () => {
    assert.equal(
      rolloutLine([
        { index: 1, members: ["a", "b"], waitSecondsBefore: 0 },
        { index: 2, members: ["c"], waitSecondsBefore: 0 },
      ]),
      "rollout: batch 1: a, b; batch 2: c",
    );
  });
});

describe("reportedCondition: a condition as a placement reports it, its time in RFC 3339", () => {
  const base = { type: "Scheduled", status: "True" as const, reason: "Scheduled", message: "m" };
  const cases: Array<{ name: string; condition: Condition; want: ReturnType<typeof reportedCondition> }> = [
    { name: "keeps a condition without a time as it is", condition: base, want: base },
    {
      name: "writes a Date as its RFC 3339 text",
      condition: { ...base, lastTransitionTime: new Date("2026-01-02T03:04:05.000Z"), observedGeneration: 2 },
      want: { ...base, lastTransitionTime: "2026-01-02T03:04:05.000Z", observedGeneration: 2 },
    },
    {
      name: "keeps a time already written as text",
      condition: { ...base, lastTransitionTime: "2026-01-02T03:04:05Z" },
      want: { ...base, lastTransitionTime: "2026-01-02T03:04:05Z" },
    },
    { name: "leaves out a time that is unset", condition: { ...base, lastTransitionTime: undefined }, want: base },
  ];
  for (const c of cases) it(c.name, () => assert.deepStrictEqual(reportedCondition(c.condition), c.want));
});
