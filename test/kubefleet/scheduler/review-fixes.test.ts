import { strict as assert } from "assert";
import { schedule, SchedulingCycleError, policyHash } from "../../../components/core/kubefleet/scheduler";
import { PlacementPolicy } from "../../../components/core/kubefleet/scheduler/types";
import { NOW, memberCluster } from "./fixtures";

const requiredProperty = (name: string): PlacementPolicy => ({
  placementType: "PickAll",
  affinity: {
    clusterAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        clusterSelectorTerms: [{ propertySelector: { matchExpressions: [{ name, operator: "Ge", values: ["0"] }] } }],
      },
    },
  },
});

describe("inputs upstream reads as Go values", () => {
  const prototypeNames = ["constructor", "toString", "resources.kubernetes-fleet.io/total-constructor"];
  for (const name of prototypeNames) {
    it(`treats a property named ${name} that no cluster reports as unavailable`, () => {
      const result = schedule({
        clusters: [memberCluster("a", { resourceUsage: { capacity: { cpu: "1" } } })],
        policy: requiredProperty(name),
        now: NOW,
      });
      assert.deepEqual(result.bindings, []);
    });
  }

  it("reads a null deletionTimestamp as not leaving", () => {
    const cluster = memberCluster("a");
    (cluster.metadata as { deletionTimestamp?: unknown }).deletionTimestamp = null;
    assert.deepEqual(
      schedule({ clusters: [cluster], now: NOW }).bindings.map((b) => b.targetCluster),
      ["a"],
    );
  });

  const badSelectors: Array<[string, PlacementPolicy]> = [
    [
      "In without values",
      {
        affinity: {
          clusterAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              clusterSelectorTerms: [{ labelSelector: { matchExpressions: [{ key: "env", operator: "In" }] } }],
            },
          },
        },
      },
    ],
    [
      "Exists with values",
      {
        affinity: {
          clusterAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              clusterSelectorTerms: [{ labelSelector: { matchExpressions: [{ key: "env", operator: "Exists", values: ["x"] }] } }],
            },
          },
        },
      },
    ],
    [
      "an unknown operator",
      {
        affinity: {
          clusterAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              clusterSelectorTerms: [{ labelSelector: { matchExpressions: [{ key: "env", operator: "Equals" as never, values: ["x"] }] } }],
            },
          },
        },
      },
    ],
  ];
  for (const [name, policy] of badSelectors) {
    it(`aborts the cycle on a label selector with ${name}, as upstream fails to parse it`, () => {
      assert.throws(
        () => schedule({ clusters: [memberCluster("a", { labels: { env: "prod" } })], policy, now: NOW }),
        (error: unknown) => error instanceof SchedulingCycleError && /failed to parse label selector/.test(error.message),
      );
    });
  }

  it("keeps the default options when an option is passed as undefined", () => {
    const stale = memberCluster("stale", { heartbeatAgeMs: 10 * 60 * 1000 });
    const result = schedule({
      clusters: [stale],
      now: NOW,
      options: { heartbeatTimeoutMs: undefined, maxUnselectedClusterDecisionCount: undefined },
    });
    assert.deepEqual(
      result.decisions.map((d) => d.reason),
      ["ClusterUnschedulable, cluster is not connected to the fleet: no recent heartbeat signals (last received 10.00 minutes ago)"],
    );
  });
});

describe("the policy hash follows Go's JSON encoding", () => {
  const base: PlacementPolicy = { placementType: "PickN", numberOfClusters: 2, tolerations: [{ key: "k", operator: "Equal", value: "v" }] };
  const same: Array<[string, PlacementPolicy, PlacementPolicy]> = [
    ["an empty tolerations list and none", { placementType: "PickAll", tolerations: [] }, { placementType: "PickAll" }],
    ["an empty toleration effect and none", base, { ...base, tolerations: [{ key: "k", operator: "Equal", value: "v", effect: "" }] }],
    [
      "an empty matchLabels map and none",
      {
        affinity: {
          clusterAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{ labelSelector: { matchLabels: {} } }] },
          },
        },
      },
      {
        affinity: {
          clusterAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{ labelSelector: {} }] } },
        },
      },
    ],
    ["a field the API does not know and none", base, { ...base, ...({ unknownField: true } as object) }],
    [
      "matchLabels in any key order",
      {
        affinity: {
          clusterAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              clusterSelectorTerms: [{ labelSelector: { matchLabels: { a: "1", b: "2" } } }],
            },
          },
        },
      },
      {
        affinity: {
          clusterAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              clusterSelectorTerms: [{ labelSelector: { matchLabels: { b: "2", a: "1" } } }],
            },
          },
        },
      },
    ],
  ];
  for (const [name, a, b] of same) it(`hashes ${name} alike`, () => assert.equal(policyHash(a), policyHash(b)));

  const different: Array<[string, PlacementPolicy, PlacementPolicy]> = [
    [
      "an empty label selector and no selector",
      {
        affinity: {
          clusterAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{ labelSelector: {} }] } },
        },
      },
      { affinity: { clusterAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{}] } } } },
    ],
    ["another toleration value", base, { ...base, tolerations: [{ key: "k", operator: "Equal", value: "w" }] }],
    [
      "another term order",
      {
        affinity: {
          clusterAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{ labelSelector: { matchLabels: { a: "1" } } }, {}] },
          },
        },
      },
      {
        affinity: {
          clusterAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{}, { labelSelector: { matchLabels: { a: "1" } } }] },
          },
        },
      },
    ],
  ];
  for (const [name, a, b] of different) it(`tells ${name} apart`, () => assert.notEqual(policyHash(a), policyHash(b)));
});
