import { strict as assert } from "assert";
import { schedule, SchedulingCycleError, parseQuantity } from "../../../components/core/kubefleet/scheduler";
import { interpolateWeight } from "../../../components/core/kubefleet/scheduler/plugins/cluster-affinity";
import { Binding, MemberCluster, PlacementPolicy } from "../../../components/core/kubefleet/scheduler/types";
import {
  NOW,
  bindingView,
  boundB,
  filtered,
  memberCluster,
  notPicked,
  plain,
  scheduledB,
  selected,
  unscheduledB,
  markBound,
} from "./fixtures";

const q = parseQuantity;

describe("weight interpolation of property sorters (upstream TestInterpolateWeightFor)", () => {
  const cases: Array<[string, string, string, string, "Ascending" | "Descending", number, number]> = [
    ["U1 descending w7 rounds 2.8 up", "4", "2", "7", "Descending", 7, 3],
    ["U1 descending w8 rounds 3.2 down", "4", "2", "7", "Descending", 8, 3],
    ["U1 ascending w8 rounds 4.8 up", "4", "2", "7", "Ascending", 8, 5],
    ["U1 ascending w7 rounds 4.2 down", "4", "2", "7", "Ascending", 7, 4],
    ["U2 min equal to max gives 0", "4", "4", "4", "Descending", 100, 0],
    ["U3 the minimum gets nothing when descending", "4", "4", "8", "Descending", 100, 0],
    ["U3 the maximum gets everything when descending", "4", "2", "4", "Descending", 100, 100],
    ["U3 the minimum gets everything when ascending", "4", "4", "8", "Ascending", 100, 100],
    ["U5 available cpu 20 of [10, 100] descending", "20", "10", "100", "Descending", 100, 11],
    ["U5 cost 0.2 of [0.1, 1] ascending", "0.2", "0.1", "1", "Ascending", 100, 89],
    ["a negative weight rounds half away from zero", "3", "2", "4", "Descending", -5, -3],
    ["quantities of different suffixes compare by value", "1500m", "1", "2", "Descending", 10, 5],
  ];
  for (const [name, value, min, max, order, weight, expected] of cases) {
    it(name, () => assert.equal(interpolateWeight(q(value), { min: q(min), max: q(max) }, order, weight, "c"), expected));
  }
  const errors: Array<[string, string, string | undefined, string | undefined, string]> = [
    ["U4 a value above the maximum is an error", "9", "2", "8", "Descending"],
    ["U4 a value below the minimum is an error", "1", "2", "8", "Descending"],
    ["U4 missing extremes are an error", "4", undefined, "8", "Descending"],
    ["U4 an unknown sort order is an error", "4", "2", "8", "Sideways"],
    ["U4 min above max is an error", "4", "8", "2", "Descending"],
  ];
  for (const [name, value, min, max, order] of errors) {
    it(name, () => {
      const extremes = { min: min === undefined ? undefined : q(min), max: max === undefined ? undefined : q(max) };
      assert.throws(() => interpolateWeight(q(value), extremes, order, 10, "c"), SchedulingCycleError);
    });
  }
});

function fleet(count: number, labels: (i: number) => Record<string, string> = () => ({})): MemberCluster[] {
  return Array.from({ length: count }, (_, i) => memberCluster(`m-${String(i).padStart(2, "0")}`, { labels: labels(i) }));
}

describe("decision lists", () => {
  it("lists at most 20 unselected clusters, not-picked before filtered", () => {
    const clusters = fleet(30, (i) => ({ tier: i < 10 ? "gold" : "bronze" }));
    const policy: PlacementPolicy = {
      placementType: "PickN",
      numberOfClusters: 2,
      affinity: {
        clusterAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{ labelSelector: { matchLabels: { tier: "gold" } } }] },
        },
      },
    };
    const result = schedule({ clusters, policy, now: NOW });
    const reason = "cluster does not match with any of the required cluster affinity terms";
    assert.deepEqual(plain(result.decisions), [
      selected("m-09"),
      selected("m-08"),
      ...["m-07", "m-06", "m-05", "m-04", "m-03", "m-02", "m-01", "m-00"].map((n) => notPicked(n)),
      ...Array.from({ length: 12 }, (_, i) => filtered(`m-${10 + i}`, reason)),
    ]);
  });

  it("honours a custom maxUnselectedClusterDecisionCount of zero", () => {
    const result = schedule({
      clusters: fleet(4),
      policy: { placementType: "PickN", numberOfClusters: 1 },
      now: NOW,
      options: { maxUnselectedClusterDecisionCount: 0 },
    });
    assert.deepEqual(plain(result.decisions), [selected("m-03")]);
  });

  it("keeps listing not-picked clusters past 1000 selected decisions, as upstream's negative slot count does", () => {
    const clusters = fleet(1003).map((c, i) => ({ ...c, metadata: { ...c.metadata, name: `c-${String(i).padStart(4, "0")}` } }));
    const result = schedule({ clusters, policy: { placementType: "PickN", numberOfClusters: 1001 }, now: NOW });
    assert.deepEqual(
      [result.decisions.length, result.decisions.filter((d) => d.selected).length, result.decisions.slice(1000).map((d) => d.clusterName)],
      [1002, 1000, ["c-0001", "c-0000"]],
    );
  });
});

describe("PickN scale in", () => {
  const clusters = fleet(5);
  const pick = (n: number, bindings?: Binding[]) =>
    schedule({ clusters, policy: { placementType: "PickN", numberOfClusters: n }, bindings, now: NOW });

  it("removes Scheduled bindings before Bound ones, lowest score then smallest name first", () => {
    const first = pick(4); // m-04, m-03, m-02, m-01 with equal scores
    const bound = markBound(first.bindings, ["m-04", "m-03"]);
    const result = pick(1, bound);
    assert.deepEqual(result.bindings.map(bindingView), [
      unscheduledB("m-01", "Scheduled", selected("m-01")),
      unscheduledB("m-02", "Scheduled", selected("m-02")),
      unscheduledB("m-03", "Bound", selected("m-03")),
      boundB("m-04"),
    ]);
    assert.deepEqual(plain(result.decisions), [selected("m-04")]);
    assert.equal(result.condition.status, "True");
  });

  it("reports the kept Scheduled bindings in trimming order when only some are removed", () => {
    const result = pick(2, pick(4).bindings);
    assert.deepEqual(plain(result.decisions), [selected("m-03"), selected("m-04")]);
    assert.deepEqual(
      result.bindings.map((b) => [b.targetCluster, b.state]),
      [
        ["m-01", "Unscheduled"],
        ["m-02", "Unscheduled"],
        ["m-03", "Scheduled"],
        ["m-04", "Scheduled"],
      ],
    );
  });

  it("scales out by adding only, and restores an unscheduled binding's previous state when re-picked", () => {
    const shrunk = pick(1, markBound(pick(2).bindings, ["m-04", "m-03"]));
    const grown = pick(2, shrunk.bindings);
    assert.deepEqual(grown.bindings.map(bindingView), [boundB("m-03"), boundB("m-04")]);
  });
});

describe("topology spread runs one pick per cycle to the fixed point", () => {
  it("reports the last cycle's pick first, then earlier picks by name, with each pick's own score", () => {
    const clusters = [
      memberCluster("a-east", { labels: { region: "east" } }),
      memberCluster("b-east", { labels: { region: "east" } }),
      memberCluster("c-west", { labels: { region: "west" } }),
      memberCluster("d-west", { labels: { region: "west" } }),
    ];
    const result = schedule({
      clusters,
      policy: { placementType: "PickN", numberOfClusters: 3, topologySpreadConstraints: [{ topologyKey: "region" }] },
      now: NOW,
    });
    // Cycle 1: every cluster -1, d-west wins the name tie. Cycle 2: east +1, west violates -> b-east.
    // Cycle 3: domains {1,1}: all -1 again -> c-west (a-east scores the same, smaller name).
    assert.deepEqual(plain(result.decisions), [
      selected("c-west", 0, -1),
      selected("b-east", 0, 1),
      selected("d-west", 0, -1),
      notPicked("a-east", 0, -1),
    ]);
  });
});

describe("bindings the scheduler finds on clusters that left", () => {
  it("unschedules a binding whose cluster is gone or leaving, in every placement type", () => {
    const clusters = [memberCluster("stay"), memberCluster("leaving", { deleting: true })];
    const first = schedule({ clusters: [memberCluster("stay"), memberCluster("leaving"), memberCluster("gone")], now: NOW });
    for (const policy of [
      undefined,
      { placementType: "PickN", numberOfClusters: 3 },
      { placementType: "PickFixed", clusterNames: ["stay"] },
    ] as Array<PlacementPolicy | undefined>) {
      const result = schedule({ clusters, policy, bindings: first.bindings, now: NOW });
      assert.deepEqual(
        result.bindings.filter((b) => b.targetCluster !== "stay").map((b) => [b.targetCluster, b.state, b.previousState]),
        [
          ["gone", "Unscheduled", "Scheduled"],
          ["leaving", "Unscheduled", "Scheduled"],
        ],
        `policy ${JSON.stringify(policy)}`,
      );
    }
  });
});

describe("PickFixed edge cases", () => {
  it("leaves an empty clusterNames list pending and changes no binding", () => {
    const previous = schedule({ clusters: fleet(2), policy: { placementType: "PickFixed", clusterNames: ["m-00"] }, now: NOW });
    const result = schedule({
      clusters: fleet(2),
      policy: { placementType: "PickFixed", clusterNames: [] },
      bindings: previous.bindings,
      now: NOW,
    });
    assert.deepEqual(
      plain({ bindings: result.bindings, decisions: result.decisions, condition: result.condition }),
      plain({
        bindings: previous.bindings,
        decisions: [],
        condition: { type: "Scheduled", status: "Unknown", reason: "SchedulePending", message: "Scheduling has not completed" },
      }),
    );
  });
});

describe("cycle errors", () => {
  const sorted: PlacementPolicy = {
    placementType: "PickN",
    numberOfClusters: 1,
    affinity: {
      clusterAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 10, preference: { propertySorter: { name: "cost", sortOrder: "Ascending" } } },
        ],
      },
    },
  };
  it("aborts when any cluster reports a property value that is not a quantity, even an ineligible one", () => {
    const clusters = [
      memberCluster("ok", { properties: { cost: "1" } }),
      memberCluster("bad", { properties: { cost: "cheap" }, deleting: true }),
    ];
    assert.throws(
      () => schedule({ clusters, policy: sorted, now: NOW }),
      /value cheap of property cost from cluster bad is not a valid quantity/,
    );
  });
  it("aborts on an unknown capacity type in a resource property name", () => {
    const policy: PlacementPolicy = {
      placementType: "PickAll",
      affinity: {
        clusterAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            clusterSelectorTerms: [
              {
                propertySelector: {
                  matchExpressions: [{ name: "resources.kubernetes-fleet.io/spare-cpu", operator: "Gt", values: ["1"] }],
                },
              },
            ],
          },
        },
      },
    };
    assert.throws(
      () => schedule({ clusters: fleet(1), policy, now: NOW }),
      /invalid capacity type spare in resource property name spare-cpu/,
    );
  });
  it("refuses two clusters with the same name", () => {
    assert.throws(() => schedule({ clusters: [memberCluster("x"), memberCluster("x")], now: NOW }), /name "x" appears more than once/);
  });
  it("reads a resource name with dashes after the first dash", () => {
    const clusters = [memberCluster("disk", { resourceUsage: { available: { "ephemeral-storage": "10Gi" } } }), memberCluster("nodisk")];
    const policy: PlacementPolicy = {
      placementType: "PickAll",
      affinity: {
        clusterAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            clusterSelectorTerms: [
              {
                propertySelector: {
                  matchExpressions: [
                    { name: "resources.kubernetes-fleet.io/available-ephemeral-storage", operator: "Ge", values: ["5Gi"] },
                  ],
                },
              },
            ],
          },
        },
      },
    };
    assert.deepEqual(schedule({ clusters, policy, now: NOW }).bindings.map(bindingView), [scheduledB("disk")]);
  });
});
