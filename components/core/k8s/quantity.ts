// Kubernetes resource.Quantity as the scheduler and the policy webhook use it: parsing, exact comparison,
// the float64 conversion of the property sorter, and the String() form.
//
// Mirrors k8s.io/apimachinery pkg/api/resource (quantity.go ParseQuantity / Cmp / AsApproximateFloat64 /
// String, suffix.go, amount.go, math.go) and Go's math.Pow10. A Quantity keeps the same (unscaled, exponent)
// pair Go stores after parsing, because AsApproximateFloat64 depends on that pair and not only on the value:
// "0.0000001" (int64 fast path, 1e-7) and "0.0000001000000000000" (inf.Dec path, 100e-9) are equal, yet
// convert to different floats.

export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

/** A parsed quantity. Treat as opaque: build it with parseQuantity. Its value is `unscaled × 10^exponent`. */
export interface Quantity {
  /** The signed integer Go stores: int64Amount.value, or the inf.Dec unscaled value. */
  readonly unscaled: bigint;
  /** The power of ten Go stores: int64Amount.scale, or minus the inf.Dec scale. */
  readonly exponent: number;
  /** The format String() renders in (BinarySI falls back to DecimalSI where it would lose precision). */
  readonly format: QuantityFormat;
  /** The input itself, when the int64 fast path judged it canonical: Go's String() then returns it verbatim. */
  readonly cachedString?: string;
}

export type QuantityErrorKind = "format" | "numeric" | "suffix";

// The three errors ParseQuantity returns (ErrFormatWrong, ErrNumeric, ErrSuffix), word for word.
const GO_ERROR_TEXT: Record<QuantityErrorKind, string> = {
  format: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  numeric: "unable to parse numeric part of quantity",
  suffix: "unable to parse quantity's suffix",
};

const MAX_QUOTED_INPUT = 64;

/** A string Go's resource.ParseQuantity rejects. `goMessage` is Go's error text, for `%w`-style messages. */
export class QuantityError extends Error {
  readonly input: string;
  readonly kind: QuantityErrorKind;
  readonly goMessage: string;

  constructor(input: string, kind: QuantityErrorKind) {
    const goMessage = GO_ERROR_TEXT[kind];
    super(`${goMessage} (got ${quoteInput(input)})`);
    this.name = "QuantityError";
    this.input = input;
    this.kind = kind;
    this.goMessage = goMessage;
  }
}

function quoteInput(input: string): string {
  const shown = input.length > MAX_QUOTED_INPUT ? `${input.slice(0, MAX_QUOTED_INPUT)}…` : input;
  return JSON.stringify(shown);
}

// ---------------------------------------------------------------------------------------------------------------
// Scanning: apimachinery parseQuantityString.

interface ScannedQuantity {
  positive: boolean;
  /** Every digit of the number part as written (leading zeros kept), fraction included; may be empty. */
  writtenDigits: string;
  /** The integer digits without leading zeros, "0" when none are left. */
  num: string;
  /** The fraction digits as written (trailing zeros kept). */
  denom: string;
  suffix: string;
}

// sign, leading zeros, integer digits, optional "." and fraction digits; "." alone and "1." are accepted.
const NUMBER_PART = /^([+-]?)(0*)([0-9]*)(?:\.([0-9]*))?/;
// The suffix scanner: letters from the suffix alphabet, an optional sign, then digits, and nothing else.
const SUFFIX_PART = /^[eEinumkKMGTP]*[+-]?[0-9]*$/;

function scanQuantity(str: string): ScannedQuantity {
  const match = NUMBER_PART.exec(str); // always matches: every part is optional
  const numberPart = match?.[0] ?? "";
  const integerDigits = match?.[3] ?? "";
  const denom = match?.[4] ?? "";
  const suffix = str.slice(numberPart.length);
  // apimachinery: anything after the number that is not letters-sign-digits is ErrFormatWrong (" 1", "1 Ki", "1.5.5").
  if (!SUFFIX_PART.test(suffix)) throw new QuantityError(str, "format");
  return {
    positive: match?.[1] !== "-",
    writtenDigits: (match?.[2] ?? "") + integerDigits + denom,
    num: integerDigits === "" ? "0" : integerDigits,
    denom,
    suffix,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Suffixes: apimachinery suffix.go. No case folding: "1ki" and "1mi" are rejected.

interface SuffixMeaning {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

const DECIMAL_SI_EXPONENTS = new Map<string, number>([
  ["n", -9],
  ["u", -6],
  ["m", -3],
  ["", 0],
  ["k", 3],
  ["M", 6],
  ["G", 9],
  ["T", 12],
  ["P", 15],
  ["E", 18],
]);
const BINARY_SI_EXPONENTS = new Map<string, number>([
  ["Ki", 10],
  ["Mi", 20],
  ["Gi", 30],
  ["Ti", 40],
  ["Pi", 50],
  ["Ei", 60],
]);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function interpretSuffix(suffix: string): SuffixMeaning | undefined {
  const decimal = DECIMAL_SI_EXPONENTS.get(suffix);
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: "DecimalSI" };
  const binary = BINARY_SI_EXPONENTS.get(suffix);
  if (binary !== undefined) return { base: 2, exponent: binary, format: "BinarySI" };
  // "E" alone is exa (above); "e"/"E" followed by a strconv.ParseInt(…, 10, 64) integer is an exponent.
  if (suffix.length < 2 || (suffix[0] !== "e" && suffix[0] !== "E")) return undefined;
  const digits = suffix.slice(1);
  if (!/^[+-]?[0-9]+$/.test(digits)) return undefined;
  const parsed = BigInt(digits);
  if (parsed < INT64_MIN || parsed > INT64_MAX) return undefined;
  // apimachinery narrows the int64 with int32(parsed): "1e4294967297" means 1e1.
  return { base: 10, exponent: toInt32(parsed), format: "DecimalExponent" };
}

/** Go's wrapping conversion to int32. */
function toInt32(value: bigint | number): number {
  return Number(BigInt.asIntN(32, BigInt(value)));
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing: apimachinery ParseQuantity.

const NANO_EXPONENT = -9;
// apimachinery math.go: maxInt64Factors, the digit count the int64 fast path accepts.
const MAX_INT64_FACTORS = 18;
// Beyond this many powers of ten, an expanded inf.Dec converts to ±Inf anyway, so the value is kept unexpanded.
const MAX_NANO_EXPANSION = 400;

function makeQuantity(unscaled: bigint, exponent: number, format: QuantityFormat, cachedString?: string): Quantity {
  const quantity = cachedString === undefined ? { unscaled, exponent, format } : { unscaled, exponent, format, cachedString };
  return Object.freeze(quantity);
}

/** Parses like Go's resource.ParseQuantity; throws QuantityError on exactly the strings Go rejects. */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new QuantityError(str, "format");
  if (str === "0") return makeQuantity(0n, 0, "DecimalSI", "0");
  const scanned = scanQuantity(str);
  const suffix = interpretSuffix(scanned.suffix);
  if (!suffix) throw new QuantityError(str, "suffix");
  return parseInt64FastPath(str, scanned, suffix) ?? parseAsDecimal(str, scanned, suffix);
}

/** parseQuantity, but undefined instead of a QuantityError. */
export function tryParseQuantity(str: string): Quantity | undefined {
  try {
    return parseQuantity(str);
  } catch (error) {
    if (error instanceof QuantityError) return undefined;
    throw error;
  }
}

/** apimachinery's "precision": how far the digits stay from overflowing the int64 fast path (negative: too far). */
function fastPathPrecision(scanned: ScannedQuantity, suffix: SuffixMeaning): number {
  if (suffix.format !== "BinarySI") return MAX_INT64_FACTORS - (scanned.num.length + scanned.denom.length);
  // apimachinery: 2^exponent has about exponent*3/10 decimal digits; fractional binary values skip the fast path.
  if (suffix.exponent < 0 || scanned.denom.length > 0) return -1;
  return 15 - scanned.num.length - Math.trunc((suffix.exponent * 3) / 10) - 1;
}

/** The int64Amount path: a small value at nano scale or coarser, stored without any rounding. */
function parseInt64FastPath(str: string, scanned: ScannedQuantity, suffix: SuffixMeaning): Quantity | undefined {
  if (fastPathPrecision(scanned, suffix) < 0) return undefined;
  const baseScale = suffix.base === 10 ? suffix.exponent : 0;
  const scale = toInt32(baseScale - scanned.denom.length); // int32 arithmetic, as upstream
  if (scale < NANO_EXPONENT) return undefined;
  const shifted = scanned.num + scanned.denom;
  const value = BigInt(shifted);
  const magnitude = suffix.base === 2 ? value << BigInt(suffix.exponent) : value;
  if (magnitude > INT64_MAX) return undefined; // int64Multiply overflow: fall through to inf.Dec
  const unscaled = scanned.positive ? magnitude : -magnitude;
  const cached = isCanonicalSpelling(shifted, value, scale, suffix) ? str : undefined;
  return makeQuantity(unscaled, scale, suffix.format, cached);
}

/** apimachinery reuses the input as String() when it already looks canonical. */
function isCanonicalSpelling(shifted: string, value: bigint, scale: number, suffix: SuffixMeaning): boolean {
  if (suffix.format === "BinarySI") return suffix.exponent % 10 === 0 && (value & 7n) !== 0n;
  return scale % 3 === 0 && !shifted.endsWith("000") && shifted[0] !== "0";
}

/** The inf.Dec path: exact digits, rounded away from zero to nano, BinarySI capped at max int64. */
function parseAsDecimal(str: string, scanned: ScannedQuantity, suffix: SuffixMeaning): Quantity {
  // inf.Dec.SetString needs at least one digit: ".Pi", "-Ei" and "e-20" fail here, while "Ki" and "." are zero above.
  if (scanned.writtenDigits === "") throw new QuantityError(str, "numeric");
  let magnitude = BigInt(scanned.writtenDigits);
  let exponent: number;
  if (suffix.base === 10) {
    exponent = -toInt32(scanned.denom.length + toInt32(-suffix.exponent)); // inf.Scale is an int32
  } else {
    magnitude <<= BigInt(suffix.exponent);
    exponent = -scanned.denom.length;
  }
  if (magnitude !== 0n) [magnitude, exponent] = roundUpToNano(magnitude, exponent);
  let format = suffix.format;
  if (format === "BinarySI" && compareMagnitudes(magnitude, exponent, INT64_MAX, 0) > 0) {
    // apimachinery: a BinarySI amount is silently capped at 2^63-1 ("8Ei" and "9Ei" parse as 2^63-1).
    [magnitude, exponent] = [INT64_MAX, 0];
  }
  if (format === "BinarySI" && magnitude !== 0n && compareMagnitudes(magnitude, exponent, 1n, 0) < 0) {
    format = "DecimalSI"; // apimachinery: a BinarySI value strictly between 0 and 1 becomes DecimalSI
  }
  return makeQuantity(scanned.positive ? magnitude : -magnitude, exponent, format);
}

/**
 * inf.Dec.Round(amount, 9, inf.RoundUp) on a non-zero magnitude: the result is stored at nano scale, and a
 * finer value rounds up ("0.0000000001" and "0.9n" are 1n, "3.001n" is 4n).
 */
function roundUpToNano(magnitude: bigint, exponent: number): [bigint, number] {
  if (exponent >= NANO_EXPONENT) {
    const places = exponent - NANO_EXPONENT;
    if (places > MAX_NANO_EXPANSION) return [magnitude, exponent]; // same value; its float is ±Inf either way
    return [magnitude * 10n ** BigInt(places), NANO_EXPONENT];
  }
  const dropped = NANO_EXPONENT - exponent;
  if (dropped > digitCount(magnitude)) return [1n, NANO_EXPONENT];
  const divisor = 10n ** BigInt(dropped);
  const quotient = magnitude / divisor;
  return [magnitude % divisor === 0n ? quotient : quotient + 1n, NANO_EXPONENT];
}

// ---------------------------------------------------------------------------------------------------------------
// Comparison: Quantity.Cmp, exact across suffix families.

/** Go's Quantity.Cmp: exact, so "1000m" equals "1" and "1Ki" equals "1024". */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  const signA = signOf(a.unscaled);
  const signB = signOf(b.unscaled);
  if (signA !== signB) return signA < signB ? -1 : 1;
  if (signA === 0) return 0;
  const byMagnitude = compareMagnitudes(abs(a.unscaled), a.exponent, abs(b.unscaled), b.exponent);
  return signA > 0 ? byMagnitude : negate(byMagnitude);
}

/** Compares two non-zero magnitudes `m × 10^e` without expanding far-apart exponents. */
function compareMagnitudes(ma: bigint, ea: number, mb: bigint, eb: number): -1 | 0 | 1 {
  const orderA = digitCount(ma) + ea;
  const orderB = digitCount(mb) + eb;
  if (orderA !== orderB) return orderA < orderB ? -1 : 1;
  // Same order of magnitude: the exponents differ by at most the difference in digit counts.
  const shift = ea - eb;
  const left = shift > 0 ? ma * 10n ** BigInt(shift) : ma;
  const right = shift < 0 ? mb * 10n ** BigInt(-shift) : mb;
  return left < right ? -1 : left > right ? 1 : 0;
}

function signOf(value: bigint): -1 | 0 | 1 {
  return value < 0n ? -1 : value > 0n ? 1 : 0;
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function negate(order: -1 | 0 | 1): -1 | 0 | 1 {
  return order === 0 ? 0 : order === 1 ? -1 : 1;
}

function digitCount(magnitude: bigint): number {
  return magnitude.toString().length;
}

// ---------------------------------------------------------------------------------------------------------------
// Float conversion: Quantity.AsApproximateFloat64, which the clusteraffinity property sorter uses.

// Go math.Pow10 multiplies or divides two table entries, which is not always the correctly rounded 10^n
// (Pow10(33) is 1e32*10, one ulp away from 1e33), so its tables are rebuilt from the same literals.
const POW10_SMALL = Array.from({ length: 32 }, (_, i) => Number(`1e${i}`));
const POW10_POSITIVE_BY_32 = Array.from({ length: 10 }, (_, i) => Number(`1e${32 * i}`));
const POW10_NEGATIVE_BY_32 = Array.from({ length: 11 }, (_, i) => Number(`1e-${32 * i}`));

/** Go's math.Pow10: 0 below 10^-323, +Inf above 10^308. */
export function goPow10(n: number): number {
  if (n >= 0 && n <= 308) return POW10_POSITIVE_BY_32[Math.floor(n / 32)]! * POW10_SMALL[n % 32]!;
  if (n < 0 && n >= -323) return POW10_NEGATIVE_BY_32[Math.floor(-n / 32)]! / POW10_SMALL[-n % 32]!;
  return n > 0 ? Infinity : 0;
}

/**
 * Go's Quantity.AsApproximateFloat64, which kubefleet's clusteraffinity sorter uses for `(v-min)/(max-min)`:
 * float64(unscaled) × math.Pow10(exponent), returned as is when the exponent is 0. Like Go it can return ±Infinity
 * (e.g. "1e400", or any value of 19+ digits above ~1.8e299, whose nano-scaled unscaled overflows) and NaN
 * (a zero stored with an exponent above 308, e.g. "0e400", is 0 × +Inf).
 */
export function quantityToFloat64(q: Quantity): number {
  // Number(bigint) rounds to nearest, ties to even, like big.Float.Float64 and float64(int64).
  const base = Number(q.unscaled);
  if (q.exponent === 0) return base;
  return base * goPow10(q.exponent);
}

/**
 * Go's math.IsInf(f, 0): the "infinite quantity" check of kubefleet's interpolateWeightFor. NaN is not
 * infinite, so Go lets a NaN reading through that check (unlike `!Number.isFinite`).
 */
export function isInfiniteFloat64(f: number): boolean {
  return f === Infinity || f === -Infinity;
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting: Quantity.String().

/**
 * Go's Quantity.String(): the input verbatim when parsing cached it (e.g. "1Ki", "+5", "1.G"), otherwise the
 * canonical form (see canonicalQuantityString).
 */
export function formatQuantity(q: Quantity): string {
  return q.cachedString ?? canonicalQuantityString(q);
}

/**
 * Go's CanonicalizeBytes: no fraction digits, the largest suffix that loses nothing ("1.5" is "1500m", "1.5Gi" is
 * "1536Mi"), BinarySI only for whole values of magnitude 1024 or more, and "e<exp>" beyond the "E" suffix.
 */
export function canonicalQuantityString(q: Quantity): string {
  if (q.unscaled === 0n) return "0";
  if (q.format === "BinarySI") {
    const whole = wholeValue(q);
    if (whole !== undefined && abs(whole) >= 1024n) return binarySIString(whole);
    return decimalString(q, "DecimalSI");
  }
  return decimalString(q, q.format);
}

function wholeValue(q: Quantity): bigint | undefined {
  if (q.exponent >= 0) return q.unscaled * 10n ** BigInt(q.exponent);
  const divisor = 10n ** BigInt(-q.exponent);
  return q.unscaled % divisor === 0n ? q.unscaled / divisor : undefined;
}

const BINARY_SI_BY_POWER = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

function binarySIString(whole: bigint): string {
  let mantissa = abs(whole);
  let power = 0;
  while (mantissa >= 1024n && mantissa % 1024n === 0n) {
    mantissa /= 1024n;
    power++;
  }
  return `${whole < 0n ? "-" : ""}${mantissa}${BINARY_SI_BY_POWER[power] ?? ""}`;
}

const DECIMAL_SI_BY_EXPONENT = new Map([...DECIMAL_SI_EXPONENTS].map(([suffix, exponent]) => [exponent, suffix]));

function decimalString(q: Quantity, format: "DecimalSI" | "DecimalExponent"): string {
  const written = abs(q.unscaled).toString();
  const trimmed = written.replace(/0+$/, "");
  let digits = trimmed;
  let exponent = q.exponent + (written.length - trimmed.length);
  // apimachinery: the exponent moves down to a multiple of 3, the mantissa taking the zeros.
  while (exponent % 3 !== 0) {
    digits += "0";
    exponent--;
  }
  const siSuffix = format === "DecimalSI" ? DECIMAL_SI_BY_EXPONENT.get(exponent) : undefined;
  const suffix = siSuffix ?? (exponent === 0 ? "" : `e${exponent}`);
  return `${q.unscaled < 0n ? "-" : ""}${digits}${suffix}`;
}
