/** Runs `fn` `warmup` times untimed, then `runs` times timed; returns the durations in ms. */
export function timeRuns(fn: () => unknown, runs: number, warmup: number): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

/** Median and nearest-rank p99 of a sample. */
export function summarize(samples: readonly number[]): { median: number; p99: number; runs: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  return { median: at(0.5), p99: at(0.99), runs: sorted.length };
}

/**
 * A distribution-free confidence interval for the median of the distribution a sample is drawn from:
 * the k-th smallest and k-th largest values, with the largest k whose coverage, 1 − 2·P(B ≤ k − 1)
 * for B ~ Binomial(n, ½), is at least `confidence` (each value falls below the median with
 * probability ½, independently). A sample too small for `confidence` gets its minimum and maximum
 * and the lower coverage they have. Used where one run's noise is as large as the effect measured,
 * to say whether the runs settle a median against a line at all.
 */
export function medianInterval(samples: readonly number[], confidence = 0.9): { low: number; high: number; confidence: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { low: NaN, high: NaN, confidence: 0 };
  const coverage = (k: number) => 1 - 2 * binomialHalfCdf(n, k - 1);
  let k = 1;
  while (k + 1 <= Math.floor(n / 2) && coverage(k + 1) >= confidence) k++;
  return { low: sorted[k - 1], high: sorted[n - k], confidence: coverage(k) };
}

/** P(B ≤ at) for B ~ Binomial(n, ½); exact for the sample sizes a benchmark takes. */
function binomialHalfCdf(n: number, at: number): number {
  let term = 0.5 ** n;
  let sum = 0;
  for (let i = 0; i <= at; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum;
}
