import { schedule } from "../components/core/kubefleet/scheduler";
import { mixedPolicy, referencePolicy, syntheticFleet } from "./synthetic-fleet";
import { summarize, timeRuns } from "./timing";

const NOW = new Date("2026-11-01T00:00:00Z");

export interface SchedulerFigures {
  single1k: ReturnType<typeof summarize>;
  single10k: ReturnType<typeof summarize>;
  mixed1kTotalMs: number;
  mixed1k: ReturnType<typeof summarize>;
  pickedByReference: number;
}

export function runSchedulerBench(log: (line: string) => void = console.log): SchedulerFigures {
  const fleet1k = syntheticFleet(1000, NOW);
  const fleet10k = syntheticFleet(10000, NOW);
  const policy = referencePolicy();
  const once = (clusters = fleet1k) => schedule({ clusters, policy, now: NOW });
  const pickedByReference = once().bindings.length;
  const single1k = summarize(timeRuns(() => once(), 30, 5));
  const single10k = summarize(timeRuns(() => once(fleet10k), 10, 2));
  const perPlacement: number[] = [];
  const start = performance.now();
  for (let i = 0; i < 1000; i++) {
    const t0 = performance.now();
    schedule({ clusters: fleet1k, policy: mixedPolicy(i), now: NOW });
    perPlacement.push(performance.now() - t0);
  }
  const mixed1kTotalMs = performance.now() - start;
  const figures = { single1k, single10k, mixed1kTotalMs, mixed1k: summarize(perPlacement), pickedByReference };
  log("## Scheduler (pure core, one process, 2-core machine)");
  log("");
  log("| case | median ms | p99 ms | goal |");
  log("|---|---|---|---|");
  log(
    `| PickN 100 of 1,000 (3 required, 3 preferred incl. 2 sorters, 2 spread constraints; picked ${pickedByReference}) | ${single1k.median.toFixed(2)} | ${single1k.p99.toFixed(2)} | ≤ 20 ms median |`,
  );
  log(
    `| same policy over 10,000 clusters | ${single10k.median.toFixed(2)} | ${single10k.p99.toFixed(2)} | about 10× the 1,000 figure (linear) |`,
  );
  log(
    `| 1,000 mixed placements over 1,000 clusters, per placement | ${figures.mixed1k.median.toFixed(2)} | ${figures.mixed1k.p99.toFixed(2)} | |`,
  );
  log(`| 1,000 mixed placements, total | ${mixed1kTotalMs.toFixed(0)} ms | | ≤ 10 s |`);
  log("");
  log(`Growth 1,000 → 10,000 clusters: ×${(single10k.median / single1k.median).toFixed(1)} (linear would be ×10).`);
  return figures;
}
