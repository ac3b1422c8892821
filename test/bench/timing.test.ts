import { strict as assert } from "assert";
import fc from "fast-check";
import { medianInterval } from "../../bench/timing";
import { median } from "../../bench/mesh-change";

/** 1, 2, …, n in a scrambled order: the interval must not depend on the order of the runs. */
const scrambled = (n: number) => Array.from({ length: n }, (_, i) => ((i * 11) % n) + 1);

describe("the benchmark's interval for a median", () => {
  const cases: Array<{ sentence: string; n: number; expected: { low: number; high: number; confidence: number } }> = [
    { sentence: "four runs can only give their minimum and maximum, at 87.5%", n: 4, expected: { low: 1, high: 4, confidence: 0.875 } },
    { sentence: "six runs give their minimum and maximum, at 96.9%", n: 6, expected: { low: 1, high: 6, confidence: 1 - 2 / 64 } },
    { sentence: "eight runs give the 2nd and 7th, at 93.0%", n: 8, expected: { low: 2, high: 7, confidence: 1 - 18 / 256 } },
    { sentence: "ten runs give the 2nd and 9th, at 97.9%", n: 10, expected: { low: 2, high: 9, confidence: 1 - 22 / 1024 } },
    { sentence: "fourteen runs give the 4th and 11th, at 94.3%", n: 14, expected: { low: 4, high: 11, confidence: 1 - 940 / 16384 } },
    { sentence: "twenty runs give the 6th and 15th, at 95.9%", n: 20, expected: { low: 6, high: 15, confidence: 1 - 43400 / 1048576 } },
  ];
  for (const { sentence, n, expected } of cases) {
    it(sentence, () => {
      const got = medianInterval(scrambled(n));
      assert.deepEqual(
        { ...got, confidence: Number(got.confidence.toFixed(12)) },
        { ...expected, confidence: Number(expected.confidence.toFixed(12)) },
      );
    });
  }

  it("an empty sample has no interval", () => {
    assert.deepEqual(medianInterval([]), { low: NaN, high: NaN, confidence: 0 });
  });

  it("holds the sample's median, is made of two of its values, and reaches the confidence asked for once the sample is large enough", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.constantFrom(0.8, 0.9, 0.95),
        (sample, asked) => {
          const { low, high, confidence } = medianInterval(sample, asked);
          assert.ok(low <= median(sample) && median(sample) <= high);
          assert.ok(sample.includes(low) && sample.includes(high));
          // The smallest sample whose extremes reach 95% is 6 (1 − 2/2⁶ ≈ 96.9%; five runs give 93.75%).
          if (sample.length >= 6) assert.ok(confidence >= asked, `${sample.length} runs: ${confidence} < ${asked}`);
        },
      ),
    );
  });
});
