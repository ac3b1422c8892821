import { strict as assert } from "assert";
import fc from "fast-check";
import {
  RolloutBatch,
  RolloutInput,
  rolloutBatches,
  rolloutParameters,
  scaledIntOrPercent,
} from "../../../components/core/kubefleet/placement/rollout";

const names = (count: number, prefix = "c") => Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(2, "0")}`);
const ten = names(10);
const batch = (index: number, members: string[], waitSecondsBefore = index === 1 ? 0 : 60): RolloutBatch => ({
  index,
  members,
  waitSecondsBefore,
});

describe("placement rollout", () => {
  describe("scaledIntOrPercent", () => {
    const cases: Array<{ name: string; value: number | string; total: number; want: number }> = [
      { name: "25% of 10 rounds up to 3", value: "25%", total: 10, want: 3 },
      { name: "25% of 4 is exactly 1", value: "25%", total: 4, want: 1 },
      { name: "25% of 1 rounds up to 1", value: "25%", total: 1, want: 1 },
      { name: "50% of 5 rounds up to 3", value: "50%", total: 5, want: 3 },
      { name: "0% is 0", value: "0%", total: 10, want: 0 },
      { name: "an integer is taken as it is, even above the total", value: 7, total: 3, want: 7 },
      { name: "any percentage of 0 is 0", value: "100%", total: 0, want: 0 },
    ];
    for (const c of cases) it(c.name, () => assert.equal(scaledIntOrPercent("maxUnavailable", c.value, c.total), c.want));

    it("refuses a string without % like the webhook", () => {
      assert.throws(() => scaledIntOrPercent("maxSurge", "25", 10), {
        message: "maxSurge `25` is invalid: invalid value for IntOrString: invalid type: string is not a percentage",
      });
    });
  });

  describe("rolloutParameters", () => {
    const cases: Array<{ name: string; input: Parameters<typeof rolloutParameters>[0]; want: ReturnType<typeof rolloutParameters> }> = [
      {
        name: "PickN scales against numberOfClusters, with the 25%/25%/60s defaults",
        input: { placementType: "PickN", numberOfClusters: 10, targets: names(7) },
        want: { targetNumber: 10, maxUnavailable: 3, maxSurge: 3, unavailablePeriodSeconds: 60 },
      },
      {
        name: "PickFixed scales against the number of clusterNames",
        input: { placementType: "PickFixed", clusterNames: ["a", "b", "c"], targets: ["a"] },
        want: { targetNumber: 3, maxUnavailable: 1, maxSurge: 1, unavailablePeriodSeconds: 60 },
      },
      {
        name: "PickAll scales against the number of targets and takes the strategy's values",
        input: { targets: names(8), strategy: { rollingUpdate: { maxUnavailable: 2, maxSurge: "50%", unavailablePeriodSeconds: 30 } } },
        want: { targetNumber: 8, maxUnavailable: 2, maxSurge: 4, unavailablePeriodSeconds: 30 },
      },
    ];
    for (const c of cases) it(c.name, () => assert.deepStrictEqual(rolloutParameters(c.input), c.want));
  });

  describe("rolloutBatches", () => {
    const cases: Array<{ name: string; input: RolloutInput; want: RolloutBatch[] }> = [
      {
        name: "updates 10 serving clusters in place 3 at a time (25% of 10 → 3), waiting 60s between batches",
        input: { placementType: "PickN", numberOfClusters: 10, targets: ten, changed: ten },
        want: [batch(1, ["c01", "c02", "c03"]), batch(2, ["c04", "c05", "c06"]), batch(3, ["c07", "c08", "c09"]), batch(4, ["c10"])],
      },
      {
        name: "takes an integer maxUnavailable and the unavailablePeriodSeconds asked for",
        input: { targets: names(5), changed: names(5), strategy: { rollingUpdate: { maxUnavailable: 2, unavailablePeriodSeconds: 15 } } },
        want: [batch(1, ["c01", "c02"]), batch(2, ["c03", "c04"], 15), batch(3, ["c05"], 15)],
      },
      {
        name: "rounds a percentage up: 50% of 5 → 3",
        input: { targets: names(5), changed: names(5), strategy: { rollingUpdate: { maxUnavailable: "50%" } } },
        want: [batch(1, ["c01", "c02", "c03"]), batch(2, ["c04", "c05"])],
      },
      {
        name: "uses batches of 1 with maxUnavailable 0, where upstream would stall on an in-place update",
        input: { targets: names(3), changed: names(3), strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } },
        want: [batch(1, ["c01"]), batch(2, ["c02"]), batch(3, ["c03"])],
      },
      {
        name: "puts every changed member in one batch with the External strategy",
        input: { targets: ten, changed: ["c09", "c02", "c05"], strategy: { type: "External" } },
        want: [batch(1, ["c02", "c05", "c09"])],
      },
      { name: "returns no batch when nothing changes", input: { targets: ten, changed: [] }, want: [] },
      {
        name: "adds every member at once on a first run: new clusters do not count against availability",
        input: { placementType: "PickN", numberOfClusters: 10, targets: ten, changed: ten, serving: [] },
        want: [batch(1, ten)],
      },
      {
        name: "adds new clusters in the first batch, then updates the serving ones within maxUnavailable once the new ones are ready",
        input: { placementType: "PickN", numberOfClusters: 5, targets: names(5), changed: names(5), serving: names(3) },
        want: [batch(1, ["c04", "c05"]), batch(2, ["c01", "c02"]), batch(3, ["c03"])],
      },
      {
        name: "only adds on a scale-out without an object change",
        input: { placementType: "PickN", numberOfClusters: 5, targets: names(5), changed: ["c04", "c05"], serving: names(3) },
        want: [batch(1, ["c04", "c05"])],
      },
      {
        name: "paces a replacement one in, one out with maxSurge 1 (PickN 3 moved to other clusters)",
        input: {
          placementType: "PickN",
          numberOfClusters: 3,
          targets: ["d", "e", "f"],
          changed: ["d", "e", "f"],
          serving: ["a", "b", "c"],
        },
        want: [batch(1, ["d"]), batch(2, ["e"]), batch(3, ["f"])],
      },
      {
        name: "spends maxToRemove on a removal before in-place updates (PickN 3 swapping x1 for c03)",
        input: { placementType: "PickN", numberOfClusters: 3, targets: names(3), changed: names(3), serving: ["c01", "c02", "x1"] },
        want: [batch(1, ["c03"]), batch(2, ["c01"]), batch(3, ["c02"])],
      },
      {
        name: "removes on a scale-in while updating within maxUnavailable",
        input: { placementType: "PickN", numberOfClusters: 3, targets: names(3), changed: names(3), serving: names(5) },
        want: [batch(1, ["c01"]), batch(2, ["c02"]), batch(3, ["c03"])],
      },
      {
        name: "keeps the target order inside a batch when adds and updates mix",
        input: {
          targets: ["n1", "s1", "n2", "s2"],
          changed: ["n1", "s1", "n2", "s2"],
          serving: ["s1", "s2"],
          strategy: { rollingUpdate: { maxUnavailable: "100%" } },
        },
        want: [batch(1, ["n1", "s1", "n2", "s2"])],
      },
      {
        name: "moves one add at a time when maxUnavailable and maxSurge are both 0 on a replacement, where upstream would deadlock",
        input: {
          placementType: "PickN",
          numberOfClusters: 2,
          targets: ["c", "d"],
          changed: ["c", "d"],
          serving: ["a", "b"],
          strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } },
        },
        want: [batch(1, ["c"]), batch(2, ["d"])],
      },
    ];
    for (const c of cases) it(c.name, () => assert.deepStrictEqual(rolloutBatches(c.input), c.want));
  });

  describe("rolloutBatches properties", () => {
    const intOrPercent = fc.oneof(
      fc.integer({ min: 0, max: 12 }),
      fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`),
    );
    const scenario = fc
      .record({
        universe: fc.uniqueArray(fc.constantFrom(...names(14, "m")), { minLength: 1, maxLength: 14 }),
        targetMask: fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }),
        changedMask: fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }),
        servingMask: fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }),
        type: fc.constantFrom("PickAll" as const, "PickN" as const, "PickFixed" as const),
        extra: fc.integer({ min: 0, max: 3 }),
        maxUnavailable: intOrPercent,
        maxSurge: intOrPercent,
        period: fc.integer({ min: 0, max: 120 }),
      })
      .map((s) => {
        const targets = s.universe.filter((_, i) => s.targetMask[i]);
        const input: RolloutInput = {
          placementType: s.type,
          numberOfClusters: targets.length + s.extra,
          clusterNames: [...targets, ...names(s.extra, "x")],
          targets,
          changed: targets.filter((_, i) => s.changedMask[i]),
          serving: s.universe.filter((_, i) => s.servingMask[i]),
          strategy: { rollingUpdate: { maxUnavailable: s.maxUnavailable, maxSurge: s.maxSurge, unavailablePeriodSeconds: s.period } },
        };
        return input;
      });

    it("lists every changed member exactly once, respects the bounds and keeps the target order", () => {
      fc.assert(
        fc.property(scenario, (input) => {
          const batches = rolloutBatches(input);
          const { maxUnavailable, maxSurge, targetNumber, unavailablePeriodSeconds } = rolloutParameters(input);
          const serving = new Set(input.serving);
          const position = (m: string) => input.targets.indexOf(m);
          const flat = batches.flatMap((b) => b.members);
          assert.deepStrictEqual([...flat].sort(), [...input.changed].sort());
          const servingTargets = input.targets.filter((t) => serving.has(t)).length;
          batches.forEach((b, i) => {
            assert.equal(b.index, i + 1);
            assert.equal(b.waitSecondsBefore, i === 0 ? 0 : unavailablePeriodSeconds);
            assert.ok(b.members.length > 0);
            assert.deepStrictEqual(
              b.members,
              [...b.members].sort((x, y) => position(x) - position(y)),
            );
            assert.ok(b.members.filter((m) => serving.has(m)).length <= Math.max(1, maxUnavailable));
            assert.ok(b.members.filter((m) => !serving.has(m)).length <= Math.max(1, targetNumber + maxSurge - servingTargets));
          });
          for (const inClass of [(m: string) => serving.has(m), (m: string) => !serving.has(m)]) {
            const order = flat.filter(inClass);
            assert.deepStrictEqual(
              order,
              [...order].sort((x, y) => position(x) - position(y)),
            );
          }
        }),
        { numRuns: 300 },
      );
    });

    it("is deterministic", () => {
      fc.assert(
        fc.property(scenario, (input) => assert.deepStrictEqual(rolloutBatches(input), rolloutBatches(structuredClone(input)))),
        { numRuns: 100 },
      );
    });
  });
});
