import { strict as assert } from "assert";
import { formatGoFixed2, goDurationMinutes, goRound } from "../../../components/core/kubefleet/scheduler/go-format";
import { labelSelectorMatches } from "../../../components/core/k8s/labels";
import { defaultPolicy, policyHash } from "../../../components/core/kubefleet/scheduler/policy";
import { describeTaint, firstUntoleratedTaint, tolerates } from "../../../components/core/kubefleet/scheduler/plugins/taint-toleration";
import { DomainCounts, willViolate } from "../../../components/core/kubefleet/scheduler/plugins/topology-spread-constraints";
import { LabelSelector, Taint, Toleration } from "../../../components/core/kubefleet/scheduler/types";

describe("Go number behaviour", () => {
  const rounding: Array<[number, number]> = [
    [2.5, 3],
    [-2.5, -3],
    [2.4999, 2],
    [-0.5, -1],
    [0.5, 1],
    [2.8, 3],
    [4.2, 4],
    [-4.8, -5],
    [0, 0],
  ];
  for (const [input, expected] of rounding) {
    it(`rounds ${input} half away from zero to ${expected}`, () => assert.equal(goRound(input), expected));
  }

  const fixed: Array<[number, string]> = [
    [0.125, "0.12"],
    [0.375, "0.38"],
    [0.625, "0.62"],
    [0.875, "0.88"],
    [1500, "1500.00"],
    [25.005, "25.00"],
    [1.006, "1.01"],
    [1440, "1440.00"],
  ];
  for (const [input, expected] of fixed) {
    it(`prints ${input} with %.2f as ${expected}`, () => assert.equal(formatGoFixed2(input), expected));
  }

  it("measures minutes the way time.Duration.Minutes does", () => {
    assert.deepEqual(
      [goDurationMinutes(90_000), goDurationMinutes(25 * 3_600_000), goDurationMinutes(1e16)],
      [1.5, 1500, 153722867.28091294],
    );
  });
});

describe("label selectors", () => {
  const labels = { region: "east", env: "prod", empty: "" };
  const cases: Array<[string, LabelSelector, boolean]> = [
    ["an empty selector matches everything", {}, true],
    ["matchLabels must all match", { matchLabels: { region: "east", env: "prod" } }, true],
    ["one mismatching label fails", { matchLabels: { region: "east", env: "canary" } }, false],
    ["In matches a listed value", { matchExpressions: [{ key: "region", operator: "In", values: ["west", "east"] }] }, true],
    ["In fails when the key is absent", { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }, false],
    ["NotIn matches when the key is absent", { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, true],
    ["NotIn fails on a listed value", { matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, false],
    ["Exists matches a key with an empty value", { matchExpressions: [{ key: "empty", operator: "Exists" }] }, true],
    ["DoesNotExist fails when the key is present", { matchExpressions: [{ key: "region", operator: "DoesNotExist" }] }, false],
    [
      "matchLabels and matchExpressions are AND-ed",
      { matchLabels: { env: "prod" }, matchExpressions: [{ key: "region", operator: "In", values: ["west"] }] },
      false,
    ],
  ];
  for (const [name, selector, expected] of cases) it(name, () => assert.equal(labelSelectorMatches(selector, labels), expected));
});

describe("taints and tolerations (upstream tainttoleration filtering cases)", () => {
  const k1v1: Taint = { key: "k1", value: "v1", effect: "NoSchedule" };
  const k2v2: Taint = { key: "k2", value: "v2", effect: "NoSchedule" };
  const k2: Taint = { key: "k2", effect: "NoSchedule" };
  const k3: Taint = { key: "k3", effect: "NoSchedule" };
  const cases: Array<[string, Taint[], Toleration[], Taint | undefined]> = [
    [
      "U7: Equal tolerations for both taints pass",
      [k1v1, k2v2],
      [
        { key: "k1", operator: "Equal", value: "v1" },
        { key: "k2", operator: "Equal", value: "v2" },
      ],
      undefined,
    ],
    ["U8: a keyless Exists tolerates every taint", [k1v1, k2, k3], [{ operator: "Exists" }], undefined],
    ["U9: a different value is not tolerated", [k1v1], [{ key: "k1", operator: "Equal", value: "v2", effect: "NoSchedule" }], k1v1],
    ["U10: the first untolerated taint is reported", [k1v1, k2], [{ key: "k1", operator: "Equal", value: "v1" }], k2],
    ["an Exists toleration with a key tolerates any value of that key", [k1v1], [{ key: "k1", operator: "Exists" }], undefined],
    ["an empty operator matches nothing", [k1v1], [{ key: "k1", value: "v1" }], k1v1],
  ];
  for (const [name, taints, tolerations, expected] of cases) {
    it(name, () => assert.deepEqual(firstUntoleratedTaint(taints, tolerations), expected));
  }
  it("prints taints as Go's %+v of a pointer, empty values included", () => {
    assert.deepEqual(
      [describeTaint(k1v1), describeTaint(k2)],
      ["&{Key:k1 Value:v1 Effect:NoSchedule}", "&{Key:k2 Value: Effect:NoSchedule}"],
    );
  });
  it("a toleration with another effect does not tolerate", () => {
    assert.equal(tolerates({ key: "k1", operator: "Exists", effect: "NoExecute" as never }, k1v1), false);
  });
});

describe("topology spread: willViolate (upstream utils_test cases, U6)", () => {
  function domains(counts: number[]): DomainCounts {
    const sorted = [...counts].sort((a, b) => a - b);
    return {
      counts: new Map(counts.map((c, i) => [`d${i}`, c])),
      smallest: sorted[0],
      secondSmallest: sorted[1] ?? sorted[0],
      largest: sorted[sorted.length - 1],
    };
  }
  const cases: Array<[number[], number, number, { violated: boolean; change: number }]> = [
    [[2, 2, 2], 2, 1, { violated: false, change: 1 }],
    [[2, 2, 2], 2, 0, { violated: true, change: 1 }],
    [[1, 2, 2], 1, 1, { violated: false, change: -1 }],
    [[1, 4, 4], 1, 1, { violated: true, change: -1 }],
    [[1, 1, 2], 1, 1, { violated: false, change: 0 }],
    [[1, 1, 3], 1, 1, { violated: true, change: 0 }],
    [[1, 2, 3], 2, 2, { violated: false, change: 0 }],
    [[1, 2, 3], 2, 1, { violated: true, change: 0 }],
    [[1, 2, 5, 3], 3, 5, { violated: false, change: 0 }],
    [[1, 2, 5, 3], 3, 3, { violated: true, change: 0 }],
    [[1, 2, 5], 5, 5, { violated: false, change: 1 }],
    [[1, 2, 5], 5, 2, { violated: true, change: 1 }],
    [[3], 3, 1, { violated: false, change: 1 }],
  ];
  for (const [counts, pick, maxSkew, expected] of cases) {
    it(`counts {${counts}} placing in a domain with ${pick} at maxSkew ${maxSkew} gives ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(willViolate(domains(counts), pick, maxSkew), expected);
    });
  }
});

describe("policy defaulting and hashing", () => {
  it("treats an undefined policy as PickAll", () => assert.deepEqual(defaultPolicy(undefined), { placementType: "PickAll" }));
  it("fills maxSkew, whenUnsatisfiable and the toleration operator", () => {
    assert.deepEqual(
      defaultPolicy({
        placementType: "PickN",
        numberOfClusters: 1,
        topologySpreadConstraints: [{ topologyKey: "region" }],
        tolerations: [{ key: "a", value: "b" }],
      }),
      {
        placementType: "PickN",
        numberOfClusters: 1,
        topologySpreadConstraints: [{ topologyKey: "region", maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" }],
        tolerations: [{ key: "a", value: "b", operator: "Equal" }],
      },
    );
  });
  it("ignores numberOfClusters, key order and defaults in the hash, and nothing else", () => {
    const a = policyHash({ placementType: "PickN", numberOfClusters: 2, topologySpreadConstraints: [{ topologyKey: "region" }] });
    const b = policyHash({
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "region" }],
      numberOfClusters: 5,
      placementType: "PickN",
    });
    const c = policyHash({ placementType: "PickN", numberOfClusters: 2, topologySpreadConstraints: [{ topologyKey: "zone" }] });
    assert.deepEqual([a === b, a === c, policyHash(undefined) === policyHash({ placementType: "PickAll" })], [true, false, true]);
  });
});
