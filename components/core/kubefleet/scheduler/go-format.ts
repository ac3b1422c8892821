// Number behaviour of Go that the scheduler's scores and messages depend on.

/** Go `math.Round`: halves round away from zero (JS `Math.round(-2.5)` is -2, Go gives -3). */
export function goRound(x: number): number {
  if (!Number.isFinite(x)) return x;
  const rounded = Math.round(Math.abs(x));
  // Math.round rounds .5 up, which for |x| is away from zero.
  return x < 0 ? -rounded : rounded;
}

/** Go `int32(x)` for an already rounded float inside the int32 range. */
export function toInt32(x: number): number {
  return x | 0;
}

/**
 * Go `fmt.Sprintf("%.2f", x)`: correctly rounded, exact ties to even.
 * JS `toFixed` rounds exact ties up, so the ties (values that are odd multiples of 1/8) are fixed here.
 */
export function formatGoFixed2(x: number): string {
  // x*100 ends in exactly .5 only when x is an odd multiple of 1/8 (both multiplications are exact).
  const isExactTie = Number.isInteger(x * 8) && !Number.isInteger(x * 4);
  if (!isExactTie) return x.toFixed(2);
  const scaled = x * 100; // exact: x is m/8 with m odd
  const floor = Math.floor(scaled);
  const even = floor % 2 === 0 ? floor : floor + 1;
  return (even / 100).toFixed(2);
}

/** Go `time.Duration(ns).Minutes()` for a whole number of milliseconds, with Go's saturation at max int64 nanoseconds. */
export function goDurationMinutes(elapsedMs: number): number {
  const maxDurationMs = Number(9223372036854775807n) / 1e6; // math.MaxInt64 nanoseconds
  if (elapsedMs >= maxDurationMs) return 153722867.28091294; // Duration(math.MaxInt64).Minutes()
  const wholeMinutes = Math.trunc(elapsedMs / 60000);
  const remainderMs = elapsedMs - wholeMinutes * 60000;
  return wholeMinutes + remainderMs / 60000;
}
