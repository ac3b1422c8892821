import { strict as assert } from "assert";
import fc from "fast-check";
import {
  Quantity,
  QuantityError,
  QuantityErrorKind,
  QuantityFormat,
  canonicalQuantityString,
  compareQuantities,
  formatQuantity,
  isInfiniteFloat64,
  parseQuantity,
  quantityToFloat64,
  tryParseQuantity,
} from "../../../components/core/k8s/quantity";

/** The exact value as a plain decimal ("102435.84", "-0.000000001"), to compare whole parse results readably. */
function exactDecimal(q: Quantity): string {
  if (q.unscaled === 0n) return "0";
  const negative = q.unscaled < 0n;
  const digits = (negative ? -q.unscaled : q.unscaled).toString();
  let plain: string;
  if (q.exponent >= 0) {
    plain = digits + "0".repeat(q.exponent);
  } else {
    const padded = digits.padStart(-q.exponent + 1, "0");
    const point = padded.length + q.exponent;
    plain = `${padded.slice(0, point)}.${padded.slice(point)}`.replace(/\.?0+$/, "");
  }
  return negative ? `-${plain}` : plain;
}

const summary = (q: Quantity) => ({ value: exactDecimal(q), format: q.format });

describe("parseQuantity", () => {
  // apimachinery quantity_test.go TestQuantityParse: the value and format every spelling must parse to.
  const accepted: Array<[string, string, QuantityFormat]> = [
    ["0", "0", "DecimalSI"],
    ["0n", "0", "DecimalSI"],
    ["0u", "0", "DecimalSI"],
    ["0m", "0", "DecimalSI"],
    ["0Ki", "0", "BinarySI"],
    ["0k", "0", "DecimalSI"],
    ["0Mi", "0", "BinarySI"],
    ["0Ti", "0", "BinarySI"],
    ["1", "1", "DecimalSI"],
    ["1Ki", "1024", "BinarySI"],
    ["8Ki", "8192", "BinarySI"],
    ["7Mi", "7340032", "BinarySI"],
    ["6Gi", "6442450944", "BinarySI"],
    ["5Ti", "5497558138880", "BinarySI"],
    ["4Pi", "4503599627370496", "BinarySI"],
    ["3Ei", "3458764513820540928", "BinarySI"],
    ["100Ti", "109951162777600", "BinarySI"],
    ["5n", "0.000000005", "DecimalSI"],
    ["4u", "0.000004", "DecimalSI"],
    ["3m", "0.003", "DecimalSI"],
    ["8k", "8000", "DecimalSI"],
    ["50k", "50000", "DecimalSI"],
    ["7M", "7000000", "DecimalSI"],
    ["6G", "6000000000", "DecimalSI"],
    ["300T", "300000000000000", "DecimalSI"],
    ["2P", "2000000000000000", "DecimalSI"],
    ["1E", "1000000000000000000", "DecimalSI"],
    ["1E-3", "0.001", "DecimalExponent"],
    ["1e3", "1000", "DecimalExponent"],
    ["1E18", "1000000000000000000", "DecimalExponent"],
    ["1e14", "100000000000000", "DecimalExponent"],
    ["100.035k", "100035", "DecimalSI"],
    ["0.001", "0.001", "DecimalSI"],
    ["0.0005k", "0.5", "DecimalSI"],
    ["0.00500", "0.005", "DecimalSI"],
    ["0.5e-2", "0.005", "DecimalExponent"],
    ["10.035M", "10035000", "DecimalSI"],
    ["1.3E+6", "1300000", "DecimalExponent"],
    ["1.53E12", "1530000000000", "DecimalExponent"],
    ["7.123456M", "7123456", "DecimalSI"],
    ["6.987654321G", "6987654321", "DecimalSI"],
    ["1.01E", "1010000000000000000", "DecimalSI"],
    ["100.035Ki", "102435.84", "BinarySI"],
    ["0.5Mi", "524288", "BinarySI"],
    ["0.05Gi", "53687091.2", "BinarySI"],
    ["0.025Ti", "27487790694.4", "BinarySI"],
    [".001", "0.001", "DecimalSI"],
    [".0001k", "0.1", "DecimalSI"],
    ["1.", "1", "DecimalSI"],
    ["1.G", "1000000000", "DecimalSI"],
  ];
  for (const [input, value, format] of accepted) {
    it(`parses ${input} as ${value} (${format}), and its signed spellings alike`, () => {
      assert.deepEqual(summary(parseQuantity(input)), { value, format });
      assert.deepEqual(summary(parseQuantity(`+${input}`)), { value, format });
      assert.deepEqual(summary(parseQuantity(`-${input}`)), { value: value === "0" ? "0" : `-${value}`, format });
    });
  }

  // Spellings Go accepts although they look wrong: its scanner lets the number part be empty.
  const quirks: Array<[string, string, QuantityFormat]> = [
    [".", "0", "DecimalSI"],
    ["+", "0", "DecimalSI"],
    ["-", "0", "DecimalSI"],
    ["-0", "0", "DecimalSI"],
    ["000", "0", "DecimalSI"],
    ["Ki", "0", "BinarySI"],
    ["m", "0", "DecimalSI"],
    ["e5", "0", "DecimalExponent"],
    ["+.5", "0.5", "DecimalSI"],
    ["05", "5", "DecimalSI"],
    ["1e03", "1000", "DecimalExponent"],
    ["1.Pi", "1125899906842624", "BinarySI"],
  ];
  for (const [input, value, format] of quirks) {
    it(`accepts the odd spelling ${JSON.stringify(input)} as ${value}, like Go`, () => {
      assert.deepEqual(summary(parseQuantity(input)), { value, format });
    });
  }

  // quantity_test.go's invalid list, plus ErrNumeric/ErrSuffix cases worked out from ParseQuantity.
  const rejected: Array<[string, QuantityErrorKind]> = [
    ["", "format"],
    ["1.1.M", "format"],
    ["1+1.0M", "format"],
    ["0.1mi", "suffix"],
    ["0.1am", "format"],
    ["aoeu", "format"],
    [".5i", "suffix"],
    ["1i", "suffix"],
    ["-3.01e-", "suffix"],
    [" 1", "format"],
    ["1 ", "format"],
    ["1 Ki", "format"],
    ["1.5.5", "format"],
    ["1ki", "suffix"],
    ["1KI", "format"],
    ["1K", "suffix"],
    ["1e", "suffix"],
    ["1ee5", "suffix"],
    ["1e3.5", "format"],
    ["1k3", "suffix"],
    ["Non-Numeric", "format"],
    ["--1", "suffix"],
    ["1-", "suffix"],
    ["1e9223372036854775808", "suffix"],
    ["0x10", "format"],
    ["1,5", "format"],
    ["1_000", "format"],
    ["Inf", "format"],
    ["NaN", "format"],
    ["1PiB", "format"],
    ["１", "format"],
    ["Pi", "numeric"],
    ["Ei", "numeric"],
    [".Pi", "numeric"],
    ["-Ei", "numeric"],
    ["e-20", "numeric"],
  ];
  for (const [input, kind] of rejected) {
    it(`rejects ${JSON.stringify(input)} with Go's ${kind} error`, () => {
      assert.throws(
        () => parseQuantity(input),
        (error: unknown) => {
          assert.ok(error instanceof QuantityError);
          assert.deepEqual([error.kind, error.input, error.message.includes(JSON.stringify(input))], [kind, input, true]);
          return true;
        },
      );
      assert.equal(tryParseQuantity(input), undefined);
    });
  }

  it("words its errors like Go and quotes the bad input", () => {
    const error = new QuantityError("1 Ki", "format");
    assert.deepEqual(
      [error.goMessage, error.message],
      [
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (got "1 Ki")`,
      ],
    );
    assert.deepEqual(
      [new QuantityError("Pi", "numeric").goMessage, new QuantityError("1i", "suffix").goMessage],
      ["unable to parse numeric part of quantity", "unable to parse quantity's suffix"],
    );
  });

  // What Go stores: the int64 fast path keeps (value, scale); the inf.Dec path keeps nano scale.
  const stored: Array<[string, Quantity]> = [
    ["0", { unscaled: 0n, exponent: 0, format: "DecimalSI", cachedString: "0" }],
    ["1Ki", { unscaled: 1024n, exponent: 0, format: "BinarySI", cachedString: "1Ki" }],
    ["1024Ki", { unscaled: 1048576n, exponent: 0, format: "BinarySI" }],
    ["50k", { unscaled: 50n, exponent: 3, format: "DecimalSI", cachedString: "50k" }],
    ["1000m", { unscaled: 1000n, exponent: -3, format: "DecimalSI" }],
    ["-.5", { unscaled: -5n, exponent: -1, format: "DecimalSI" }],
    ["1.5Gi", { unscaled: 1610612736000000000n, exponent: -9, format: "BinarySI" }],
    ["7Ei", { unscaled: 7n * 2n ** 60n * 10n ** 9n, exponent: -9, format: "BinarySI" }],
    ["9Ei", { unscaled: 2n ** 63n - 1n, exponent: 0, format: "BinarySI" }],
    ["0.0000001000000000000", { unscaled: 100n, exponent: -9, format: "DecimalSI" }],
    ["0e400", { unscaled: 0n, exponent: 400, format: "DecimalExponent" }],
    ["1e4294967297", { unscaled: 1n, exponent: 1, format: "DecimalExponent" }],
    ["1.25e-2147483648", { unscaled: 125n, exponent: 2147483646, format: "DecimalExponent", cachedString: "1.25e-2147483648" }],
  ];
  for (const [input, expected] of stored) {
    it(`stores ${input} the way Go does, as ${exactDecimalOrShort(expected)}`, () => {
      assert.deepStrictEqual({ ...parseQuantity(input) }, expected);
    });
  }
});

function exactDecimalOrShort(q: Quantity): string {
  return Math.abs(q.exponent) > 40 ? `${q.unscaled}e${q.exponent}` : exactDecimal(q);
}

describe("rounding and capping at parse time", () => {
  // quantity_test.go "Things that saturate/round" and quantity_subnano_test.go.
  const cases: Array<[string, string, QuantityFormat]> = [
    ["3.001n", "0.000000004", "DecimalSI"],
    ["1.1E-9", "0.000000002", "DecimalExponent"],
    ["0.0000000001", "0.000000001", "DecimalSI"],
    ["0.0000000005", "0.000000001", "DecimalSI"],
    ["0.5e-9", "0.000000001", "DecimalExponent"],
    ["0.9n", "0.000000001", "DecimalSI"],
    ["-0.9n", "-0.000000001", "DecimalSI"],
    ["0.00000012345", "0.000000124", "DecimalSI"],
    ["0.00000012354", "0.000000124", "DecimalSI"],
    ["1e-2147483647", "0.000000001", "DecimalExponent"],
    ["1000000000000000000001e-30", "0.000000002", "DecimalExponent"],
    ["999999999999999999999e-30", "0.000000001", "DecimalExponent"],
    ["0e-2147483647", "0", "DecimalExponent"],
    ["0.0e-100", "0", "DecimalExponent"],
    ["0.000000000001Ki", "0.000000002", "DecimalSI"],
    ["0.00000000000000000000001Ki", "0.000000001", "DecimalSI"],
    ["9Ei", "9223372036854775807", "BinarySI"],
    ["8Ei", "9223372036854775807", "BinarySI"],
    ["9223372036854775807Ki", "9223372036854775807", "BinarySI"],
    ["-9Ei", "-9223372036854775807", "BinarySI"],
    ["12E", "12000000000000000000", "DecimalSI"],
    ["9223372036854775808", "9223372036854775808", "DecimalSI"],
    ["1e4294967296", "1", "DecimalExponent"],
  ];
  for (const [input, value, format] of cases) {
    it(`parses ${input} as ${value} (${format})`, () => assert.deepEqual(summary(parseQuantity(input)), { value, format }));
  }
});

describe("compareQuantities", () => {
  const cases: Array<[string, string, -1 | 0 | 1]> = [
    ["0", "0", 0],
    ["100m", "50m", 1],
    ["50m", "100m", -1],
    ["10000T", "100Gi", 1],
    ["1000m", "1", 0],
    ["1Ki", "1024", 0],
    ["1k", "1e3", 0],
    ["1Mi", "1048576", 0],
    ["1Gi", "1G", 1],
    ["0.5Ki", "512", 0],
    ["1.5Gi", "1536Mi", 0],
    ["1E", "1e18", 0],
    ["1n", "0.0000000001", 0],
    ["1.5n", "2n", 0],
    ["-1.5n", "-2n", 0],
    ["-1n", "0", -1],
    ["-0", "0", 0],
    ["0Ki", "0e400", 0],
    [".", "0m", 0],
    ["9Ei", "8Ei", 0],
    ["9Ei", "9223372036854775807", 0],
    ["12E", "9Ei", 1],
    ["-9Ei", "-12E", 1],
    ["0.0000001", "0.0000001000000000000", 0],
    ["1e400", "1e399", 1],
    ["-1e400", "1e-400", -1],
    ["100001m", "100", 1],
    ["1e4294967297", "10", 0],
    ["999999999999999999999", "1Ei", 1],
    ["1.000000000000000000001", "1", 1],
  ];
  for (const [a, b, expected] of cases) {
    it(`orders ${a} against ${b} as ${expected}`, () => {
      const [qa, qb] = [parseQuantity(a), parseQuantity(b)];
      assert.deepEqual([compareQuantities(qa, qb), compareQuantities(qb, qa)], [expected, -expected || 0]);
    });
  }
});

describe("quantityToFloat64", () => {
  const maxFloat64Spelling = `${BigInt(Number.MAX_VALUE)}.000000`; // Go's fmt.Sprintf("%f", math.MaxFloat64)
  // quantity_test.go TestStringQuantityAsApproximateFloat64 / TestQuantityAsApproximateFloat64, then representation effects.
  const cases: Array<[string, string, number]> = [
    ["2Ki", "2Ki", 2048],
    ["1.1Ki", "1.1Ki", 1126.4],
    ["1Mi", "1Mi", 1.048576e6],
    ["2Gi", "2Gi", 2.147483648e9],
    ["12E", "12E", 1.2e19],
    ["0", "0", 0],
    ["max int64 (the BinarySI cap)", "9Ei", Number(9223372036854775807n)],
    ["7340032 at scale -1, multiplied by Pow10(-1) rather than divided", "734003.2", 7340032 * 0.1],
    ["7340032 at scale -8", "0.07340032", 7340032 / 100000000],
    ["1e33 via Go's Pow10 tables (1e32 * 10), not the nearest double", "1e33", 1e32 * 10],
    ["1e-7 from the int64 path", "0.0000001", 1e-7],
    ["1e-7 from the nano-scaled inf.Dec path", "0.0000001000000000000", 100 * 1e-9],
    ["1e300 from the int64 path", "1e300", 1e288 * 1e12],
    ["1e301 written with 22 digits (nano-scaling overflows)", "1000000000000000000000e280", Infinity],
    ["an overflowing exponent", "12e500", Infinity],
    ["a negative overflowing exponent", "-12e500", -Infinity],
    ["kubefleet's infinite test quantity (MaxFloat64 printed with %f, plus a 0)", `${maxFloat64Spelling}0`, Infinity],
    ["a zero with an exponent above 308 (0 * +Inf)", "0e400", NaN],
  ];
  for (const [what, input, expected] of cases) {
    it(`converts ${what} like AsApproximateFloat64`, () => assert.deepStrictEqual(quantityToFloat64(parseQuantity(input)), expected));
  }

  it("reproduces the sorter ratios of the property-based scheduling docs", () => {
    const [high, mid, low] = ["100", "20", "10"].map((s) => quantityToFloat64(parseQuantity(s))) as [number, number, number];
    assert.deepEqual([(mid - low) / (high - low), (4 - 2) / (7 - 2)], [1 / 9, 0.4]);
  });

  const infinity: Array<[number, boolean]> = [
    [Infinity, true],
    [-Infinity, true],
    [NaN, false],
    [Number.MAX_VALUE, false],
    [0, false],
  ];
  for (const [f, expected] of infinity) {
    it(`treats ${f} as ${expected ? "" : "not "}infinite, like math.IsInf(f, 0)`, () => assert.equal(isInfiniteFloat64(f), expected));
  }
});

describe("formatQuantity", () => {
  // quantity_test.go TestQuantityParseEmit and the alternates of TestQuantityString, then the cached-input quirks.
  const cases: Array<[string, string]> = [
    ["1Ki", "1Ki"],
    ["1024Mi", "1Gi"],
    ["1000M", "1G"],
    [".001Ki", "1024m"],
    [".000001Ki", "1024u"],
    [".000000001Ki", "1024n"],
    [".000000000001Ki", "2n"],
    ["-1024Mi", "-1Gi"],
    ["307200Ki", "300Mi"],
    ["1025024Mi", "1001Gi"],
    ["1024Gi", "1Ti"],
    ["5000m", "5"],
    ["0.5", "500m"],
    ["0.001T", "1G"],
    ["1000u", "1m"],
    ["1.08", "1080m"],
    ["1080000000n", "1080m"],
    ["1000E", "1e21"],
    ["5000E", "5e21"],
    ["1000000E", "1e24"],
    [".001e12", "1e9"],
    ["0.001e0", "1e-3"],
    ["1000e-12", "1e-9"],
    ["00", "0"],
    ["1.5", "1500m"],
    ["1.5Gi", "1536Mi"],
    ["0.5Ki", "512"],
    ["1025Ki", "1025Ki"],
    ["9Ei", "9223372036854775807"],
    ["7Ei", "7Ei"],
    ["100.035Ki", "102435840m"],
    ["1e-100", "1e-9"],
    ["0e400", "0"],
    ["1000e0", "1e3"],
    ["1.5e3", "1500"],
    ["0.5e2147483648", "50e2147483646"],
    ["1.5e2147483648", "150e2147483646"],
    // Go's String() returns the input itself when parsing judged it canonical.
    ["+5", "+5"],
    ["05", "05"],
    ["1.G", "1.G"],
    ["1E3", "1E3"],
    ["+1Ki", "+1Ki"],
    ["1e4294967296", "1e4294967296"],
  ];
  for (const [input, expected] of cases) {
    it(`prints ${input} as ${expected}, like Quantity.String()`, () => assert.equal(formatQuantity(parseQuantity(input)), expected));
  }

  it("offers the canonical form even when Go would echo the input", () => {
    assert.deepEqual(
      ["+5", "05", "1.G", "1E3", "+1Ki"].map((s) => canonicalQuantityString(parseQuantity(s))),
      ["5", "5", "1G", "1e3", "1Ki"],
    );
  });
});

describe("quantity properties", () => {
  const suffixes = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
  const suffix = fc.oneof(
    fc.constantFrom(...suffixes),
    fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), fc.integer({ min: 0, max: 40 })).map((parts) => parts.join("")),
  );
  const quantityText = fc
    .tuple(fc.constantFrom("", "+", "-"), fc.stringMatching(/^[0-9]{0,24}$/), fc.option(fc.stringMatching(/^[0-9]{0,14}$/)), suffix)
    .map(([sign, whole, fraction, unit]) => `${sign}${whole}${fraction === null ? "" : `.${fraction}`}${unit}`);
  const quantity = quantityText.map(tryParseQuantity).filter((q): q is Quantity => q !== undefined);

  it("parses any string or throws a QuantityError, never anything else", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), quantityText), (text) => {
        try {
          parseQuantity(text);
        } catch (error) {
          assert.ok(error instanceof QuantityError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("compares antisymmetrically and reflexively", () => {
    fc.assert(
      fc.property(quantity, quantity, (a, b) => {
        assert.equal(compareQuantities(a, b), -compareQuantities(b, a) || 0);
        assert.equal(compareQuantities(a, a), 0);
      }),
      { numRuns: 1000 },
    );
  });

  it("compares transitively: a sorted list is ordered pair by pair", () => {
    fc.assert(
      fc.property(fc.array(quantity, { maxLength: 12 }), (list) => {
        const sorted = [...list].sort(compareQuantities);
        sorted.forEach((a, i) => sorted.slice(i + 1).forEach((b) => assert.ok(compareQuantities(a, b) <= 0)));
      }),
      { numRuns: 300 },
    );
  });

  it("mirrors the order when both spellings are negated", () => {
    fc.assert(
      fc.property(quantityText, quantityText, (a, b) => {
        const unsigned = [a.replace(/^[+-]/, ""), b.replace(/^[+-]/, "")];
        const [qa, qb, na, nb] = [...unsigned, ...unsigned.map((s) => `-${s}`)].map(tryParseQuantity);
        fc.pre(qa !== undefined && qb !== undefined && na !== undefined && nb !== undefined);
        assert.equal(compareQuantities(na!, nb!), -compareQuantities(qa!, qb!) || 0);
      }),
      { numRuns: 1000 },
    );
  });

  it("round-trips through its printed form to an equal quantity that prints the same", () => {
    fc.assert(
      fc.property(quantity, (q) => {
        const printed = formatQuantity(q);
        const reparsed = parseQuantity(printed);
        assert.deepEqual([compareQuantities(reparsed, q), formatQuantity(reparsed)], [0, printed]);
        assert.equal(compareQuantities(parseQuantity(canonicalQuantityString(q)), q), 0);
      }),
      { numRuns: 1000 },
    );
  });
});
