// Where a fleetmesh scale run spends its time: one fleetmesh run and a floor run of its shape, the
// timed part of each CPU-profiled (scale-child.ts `cpuProfile`), summarized by self time per function
// and per source file/package, and by time under each repository function.
//   npx ts-node --transpile-only bench/profile.ts [members=511] [fleetmesh|floor|both]
// Not part of `npm run bench` (a profiled 511-member run takes minutes); its output is for reading.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BENCH_BUILD } from "./bench-build";
import { runChild } from "./fleet-scale.bench";
import type { ChildSpec } from "./scale-child";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const ROOT = path.resolve(__dirname, "..");

/** `node_modules/@pulumi/pulumi/...` → `@pulumi/pulumi`; a repository file → its path. */
function owner(url: string): string {
  const file = url.replace(/^file:\/\//, "");
  const modules = file.lastIndexOf("node_modules/");
  if (modules !== -1) {
    const parts = file.slice(modules + "node_modules/".length).split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  // The package as the benchmark builds it (bench-build.ts): its compiled files, whose lines these are.
  if (file.startsWith(BENCH_BUILD)) return path.relative(BENCH_BUILD, file);
  if (file.startsWith(ROOT)) return path.relative(ROOT, file);
  return file === "" ? "(native/gc/idle)" : file.startsWith("node:") ? "node:*" : file;
}

/** Self time (ms) per function and per owner, and the time under each repository function (inclusive). */
export function summarize(profile: CpuProfile): {
  totalMs: number;
  byFunction: Array<[string, number]>;
  byOwner: Array<[string, number]>;
  inclusive: Array<[string, number]>;
} {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + profile.timeDeltas[i] / 1000));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const fn = (n: ProfileNode) =>
    `${n.callFrame.functionName || "(anonymous)"} ${owner(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ""}`;
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of self) {
    const n = nodes.get(id)!;
    byFunction.set(fn(n), (byFunction.get(fn(n)) ?? 0) + ms);
    const o = owner(n.callFrame.url);
    byOwner.set(o, (byOwner.get(o) ?? 0) + ms);
    // Inclusive time of repository functions (components/, plan/): each counted once per sample.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const a = nodes.get(at)!;
      if (!/^(components|plan)\//.test(owner(a.callFrame.url))) continue;
      const key = fn(a);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  }
  const top = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    byFunction: top(byFunction),
    byOwner: top(byOwner),
    inclusive: top(inclusive),
  };
}

function profileRun(spec: ChildSpec, label: string, dir: string): void {
  const file = path.join(dir, `${label}.cpuprofile`);
  const report = runChild({ ...spec, cpuProfile: file });
  const summary = summarize(JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile);
  const row = ([name, ms]: [string, number]) =>
    `  ${ms.toFixed(0).padStart(8)} ms  ${((ms / summary.totalMs) * 100).toFixed(1).padStart(5)}%  ${name}`;
  console.log(
    `\n# ${label}: ${report.members} members, ${report.resources} resources, ${report.ms.toFixed(0)} ms timed, peak ${report.maxRssMb} MB`,
  );
  console.log(`profile of the timed part: ${summary.totalMs.toFixed(0)} ms; ${file}`);
  console.log("\nself time by package / file:");
  summary.byOwner.slice(0, 15).forEach((r) => console.log(row(r)));
  console.log("\nself time by function:");
  summary.byFunction.slice(0, 30).forEach((r) => console.log(row(r)));
  console.log("\ntime under repository functions (inclusive):");
  summary.inclusive.slice(0, 30).forEach((r) => console.log(row(r)));
}

function main(): void {
  const members = Number(process.argv[2] ?? 511);
  const which = process.argv[3] ?? "both";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-prof-"));
  const shape = path.join(dir, `shape-${members}.jsonl`);
  const names = Array.from({ length: members }, (_, i) => `m${i + 1}`);
  const spec: ChildSpec = { mode: "fleetmesh", members: names, maxConnectedClusters: members > 255 ? 511 : 255 };
  if (which !== "floor") profileRun({ ...spec, shape }, "fleetmesh", dir);
  if (which !== "fleetmesh") {
    if (!fs.existsSync(shape)) runChild({ ...spec, shape });
    profileRun({ mode: "floor", shape }, "floor", dir);
  }
  console.log(`\nprofiles and shape kept in ${dir}`);
}

if (require.main === module) main();
