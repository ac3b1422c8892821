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
