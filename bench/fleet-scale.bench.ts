// Scale of a meshed kind fleet with one GlobalService under the mock runtime, against the engine
// floor (the same resources registered with no fleetmesh logic), and what one member joining or
// leaving changes on the members already there: Helm releases, peer objects, and pod templates in the
// real chart render.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_CILIUM_VERSION } from "../components/core/cilium/cilium-version";
import { chartFile, helmTemplate, pool, Rendered } from "../test/helm/helm-template";
import { generateTestCa, withCa } from "../test/helm/test-ca";
import { helmBinary } from "../test/support/helm";
import { buildBenchChild, stackTraceHook } from "./bench-build";
import { meshChange, MeshChange, median, renderChange, RenderChange, sample } from "./mesh-change";
import { medianInterval } from "./timing";
import type { ChildReport, ChildSpec, DigestEntry } from "./scale-child";

/** `FLEETMESH_BENCH_MAX_MEMBERS=64` leaves the larger sizes out (a quick look, not a report). */
const MAX_MEMBERS = Number(process.env.FLEETMESH_BENCH_MAX_MEMBERS ?? 511);
export const SIZES = [2, 16, 64, 255, 511].filter((n) => n <= MAX_MEMBERS);
/**
 * Rounds of (fleetmesh, floor) per size: on the 2-core development machine one round's ratio ranges
 * over ±10 to 20% (the machine's own speed moves that much from one run to the next: a run's CPU time
 * moves with its wall time), so a median needs ten rounds or more to be read against a 10% line; fewer
 * where one run takes half a minute (255) or more (511). The report gives each median's interval
 * (timing.ts `medianInterval`), which says whether the rounds settle it. Even, so fleetmesh runs first
 * in as many rounds as the floor (ABBA).
 */
const ROUNDS: Record<number, number> = { 2: 20, 16: 14, 64: 14, 255: 8, 511: 4 };
/**
 * Sizes where every other pair of rounds also builds its workload a second time in the process
 * (ChildSpec `again`; those runs read no live heap).
 */
const AGAIN_SIZES = new Set([2, 16]);
/** Sizes a member joins and leaves at (the fleet size with the member in it). */
export const CHANGE_SIZES = [16, 255, 511].filter((n) => n <= MAX_MEMBERS);
/** Another chart version checked at one small size (its peer files carry host aliases). */
const EXTRA_VERSION = { version: "1.20.0", members: 16 };
/** Existing members whose chart is rendered before and after, per join or leave. */
const RENDER_SAMPLE = 3;

const MB = 1024 * 1024;

/**
 * One child process (bench-build.ts: the package and the child compiled, run under the stack-trace
 * hook `pulumi up` installs); `nodeArgs` go to node (e.g. `--cpu-prof`).
 */
export function runChild(spec: ChildSpec, nodeArgs: string[] = []): ChildReport {
  const child = buildBenchChild();
  const out = execFileSync(
    process.execPath,
    ["-r", stackTraceHook(), "--max-old-space-size=8192", ...nodeArgs, child, JSON.stringify(spec)],
    { cwd: path.join(__dirname, ".."), encoding: "utf8", maxBuffer: 64 * MB },
  );
  return JSON.parse(out.trim().split("\n").pop()!) as ChildReport;
}

const memberNames = (count: number) => Array.from({ length: count }, (_, i) => `m${i + 1}`);
const maxConnectedFor = (members: number): 255 | 511 => (members > 255 ? 511 : 255);

function readDigest(shape: string): DigestEntry[] {
  return JSON.parse(fs.readFileSync(`${shape}.digest.json`, "utf8")) as DigestEntry[];
}

/** A table's header row and its delimiter row, one column per header cell (GFM needs the counts equal). */
function sayHeader(say: (line: string) => void, columns: readonly string[]): void {
  say(`| ${columns.join(" | ")} |`);
  say(`|${columns.map(() => "---").join("|")}|`);
}

const pct = (ratio: number, digits = 0) => `${ratio >= 0 ? "+" : ""}${(ratio * 100).toFixed(digits)}%`;
const kb = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`);
const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

interface SizeResult {
  members: number;
  resources: number;
  perMember: number;
  byType: Record<string, number>;
  fm: ChildReport[];
  fl: ChildReport[];
  shape: string;
}

/**
 * fleetmesh and the floor at one size, interleaved ABBA (fleetmesh, floor, floor, fleetmesh, ...) so a
 * drift of the machine's speed weighs on both alike; the first fleetmesh run writes the shape.
 */
function overheadAt(members: number, dir: string): SizeResult {
  const shape = path.join(dir, `shape-${members}.jsonl`);
  const spec: ChildSpec = { mode: "fleetmesh", members: memberNames(members), maxConnectedClusters: maxConnectedFor(members) };
  const fm: ChildReport[] = [runChild({ ...spec, shape })];
  const fl: ChildReport[] = [runChild({ mode: "floor", shape })];
  for (let round = 1; round < ROUNDS[members]; round++) {
    // Rounds 2, 3, 6, 7, ...: each side runs first in as many of them as the other.
    const again = AGAIN_SIZES.has(members) && Math.floor(round / 2) % 2 === 1 ? { again: true } : {};
    const [fmSpec, flSpec]: ChildSpec[] = [
      { ...spec, ...again },
      { mode: "floor", shape, ...again },
    ];
    if (round % 2 === 1) {
      fl.push(runChild(flSpec));
      fm.push(runChild(fmSpec));
    } else {
      fm.push(runChild(fmSpec));
      fl.push(runChild(flSpec));
    }
  }
  const fleetLevel = readDigest(shape).filter((r) => r.member === undefined).length;
  return { members, resources: fm[0].resources, perMember: (fm[0].resources - fleetLevel) / members, byType: fm[0].byType, fm, fl, shape };
}

/** fleetmesh's run over the floor's run of the same round, minus one, per round. */
function roundRatios(r: SizeResult): number[] {
  return r.fm.map((m, i) => m.ms / r.fl[i].ms - 1);
}

/**
 * The sizes measured again (ChildSpec `again`): where a run is short, the first run of fleetmesh's code
 * in a process weighs on it, and the second build shows the rest.
 */
function sayAgain(results: SizeResult[], say: (line: string) => void): void {
  const rounds = (r: SizeResult) =>
    r.fm.map((m, i) => [m, r.fl[i]] as const).filter(([m, f]) => m.againMs !== undefined && f.againMs !== undefined);
  const measured = results.filter((r) => rounds(r).length > 0);
  if (measured.length === 0) return;
  say("");
  say(
    `Built again in the same process (${measured.map((r) => r.members).join(" and ")} members): in every other pair of rounds, each run then builds the same workload a second time under other names ` +
      "(fleetmesh: another fleet whose members are renamed too, so its texts per peer are built again; floor: the shape again, its resources renamed), timed the same way, with no collection forced in between (those runs read no live heap). " +
      "Both sides have then run their code once, and the SDK has too. The goal is judged on the first build, above; the first build's difference is over all rounds.",
  );
  say("");
  sayHeader(say, [
    "members",
    "fleetmesh ms, again",
    "floor ms, again",
    "overhead again (median of rounds)",
    "per-round range",
    "first build's difference",
    "the second's",
  ]);
  for (const r of measured) {
    const pairs = rounds(r);
    const ratios = pairs.map(([m, f]) => m.againMs! / f.againMs! - 1);
    const [fmAgain, flAgain] = [median(pairs.map(([m]) => m.againMs!)), median(pairs.map(([, f]) => f.againMs!))];
    const first = median(r.fm.map((m) => m.ms)) - median(r.fl.map((m) => m.ms));
    say(
      `| ${r.members} | ${fmAgain.toFixed(0)} | ${flAgain.toFixed(0)} | ${pct(median(ratios), 1)} | ${pct(Math.min(...ratios))} … ${pct(Math.max(...ratios))} | ${first.toFixed(0)} ms | ${(fmAgain - flAgain).toFixed(0)} ms |`,
    );
  }
}

interface ChangeCase {
  event: "join" | "leave";
  version: string;
  /** Fleet size with the member in it. */
  members: number;
  mover: string;
  change: MeshChange;
  renders: Array<{ member: string; change: RenderChange }>;
}

/**
 * At `members`: the full fleet (A), one member in the middle leaving (L, planned against A's state) and
 * a new member joining (J, planned against L's state). Leave compares A → L, join L → J.
 */
function changesAt(members: number, version: string, dir: string, fullShape?: string): Array<Omit<ChangeCase, "renders">> {
  const maxConnectedClusters = maxConnectedFor(members);
  const tag = `${members}-${version}`;
  const all = memberNames(members);
  const full = fullShape ?? path.join(dir, `full-${tag}.jsonl`);
  if (!fullShape) runChild({ mode: "fleetmesh", members: all, maxConnectedClusters, ciliumVersion: version, shape: full });
  const leaver = `m${Math.ceil(members / 2)}`;
  const joiner = `m${members + 1}`;
  const left = path.join(dir, `left-${tag}.jsonl`);
  const joined = path.join(dir, `joined-${tag}.jsonl`);
  const remaining = all.filter((m) => m !== leaver);
  runChild({
    mode: "fleetmesh",
    members: remaining,
    maxConnectedClusters,
    ciliumVersion: version,
    shape: left,
    previous: `${full}.state.json`,
  });
  runChild({
    mode: "fleetmesh",
    members: [...remaining, joiner],
    maxConnectedClusters,
    ciliumVersion: version,
    shape: joined,
    previous: `${left}.state.json`,
  });
  const [a, l, j] = [readDigest(full), readDigest(left), readDigest(joined)];
  return [
    { event: "join", version, members, mover: joiner, change: meshChange(l, j) },
    { event: "leave", version, members, mover: leaver, change: meshChange(a, l) },
  ];
}

/** Renders the sampled members' chart with their registered values before and after (one CA for all). */
async function renderSamples(cases: Array<Omit<ChangeCase, "renders">>, dir: string): Promise<ChangeCase[]> {
  const helm = (await helmBinary()).path;
  const ca = generateTestCa(dir);
  const limit = pool(2);
  const render = (values: Record<string, unknown> | undefined, version: string): Promise<Rendered> => {
    if (!values) throw new Error("a sampled member has no registered Cilium release");
    return limit(() => helmTemplate(helm, chartFile(version), withCa(values, ca), dir));
  };
  return Promise.all(
    cases.map(async (c) => {
      const picked = sample(c.change.existing, RENDER_SAMPLE);
      const renders = await Promise.all(
        picked.map(async (member) => {
          const release = c.change.releases.get(member);
          if (!release) throw new Error(`${member}: no Cilium release in both runs`);
          const [before, after] = await Promise.all([
            render(release.before.values, release.before.chartVersion!),
            render(release.after.values, release.after.chartVersion!),
          ]);
          return { member, change: renderChange(before, after) };
        }),
      );
      return { ...c, renders };
    }),
  );
}

export async function runFleetScaleBench(say: (line: string) => void = console.log): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-scale-"));
  try {
    await bench(dir, say);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function bench(dir: string, say: (line: string) => void): Promise<void> {
  const started = Date.now();
  say("## Fleet scale: fleetmesh against the engine floor");
  say("");
  say(
    "A meshed kind fleet (every member in one mesh) with one GlobalService, planned as a preview on the mock runtime, one process per run. " +
      "The floor registers the very same resources (types, names, parents, inputs, the 3 peer-object Patches per member included) through the same SDK classes with no fleetmesh logic, and the same dependencies, each on the provider fleetmesh gave it (every Kubernetes resource on its member's) with the resource options fleetmesh passed: after every floor run, the dependencies, property dependencies, provider reference and options each request sent are compared with those of fleetmesh's run (N dependencies per peer object in an N-member mesh). Both sides carry the same recording transformation. " +
      "fleetmesh runs as a program gets it: the package compiled by its build configuration (tsconfig.build.json, no JavaScript source maps) and loaded as JavaScript; the measuring program is compiled too, so neither side pays ts-node for its own code; both processes load the same modules and run under `source-map-support/register`, which `pulumi up` installs before a program (pulumi/pulumi sdk/nodejs/cmd/run/index.ts), so every stack the SDK captures is mapped as in a real run. " +
      "Time is from the first registration until every registration settles; peak memory is the process's peak RSS at that moment; live heap is the heap in use after a full collection, read after both, with the run's resources still held (what each side keeps, without its garbage), in the runs that build nothing a second time (below). The floor's shape keeps one copy of each distinct text, as a program keeps one copy of a text it hands to several resources. " +
      "Runs alternate fleetmesh and floor in rounds (ABBA: fleetmesh, floor, floor, fleetmesh, ...), so a drift of the machine's speed weighs on both runs of a round alike. " +
      "The ms columns are the medians of the runs of each; the overhead is the median of the per-round ratios (fleetmesh's run over the floor's run of the same round), shown with their range and beside the ratio of the medians. " +
      "Its interval is distribution-free: the k-th smallest and k-th largest per-round ratios, with the largest k that still covers the median of all such rounds with at least 90% confidence (the confidence shown; 4 rounds can only give their extremes, at 87.5%). A median whose interval straddles 10% is not settled by that many rounds.",
  );
  say("");
  sayHeader(say, [
    "members",
    "resources",
    "per member",
    "runs",
    "fleetmesh ms",
    "floor ms",
    "overhead (median of rounds)",
    "interval of that median (confidence)",
    "per-round range",
    "ratio of medians",
    "fleetmesh peak MB",
    "floor peak MB",
    "fleetmesh live MB",
    "floor live MB",
  ]);
  const results: SizeResult[] = [];
  for (const members of SIZES) {
    const r = overheadAt(members, dir);
    results.push(r);
    const [fmMs, flMs] = [median(r.fm.map((m) => m.ms)), median(r.fl.map((m) => m.ms))];
    const ratios = roundRatios(r);
    const interval = medianInterval(ratios);
    const [fmMb, flMb] = [median(r.fm.map((m) => m.maxRssMb)), median(r.fl.map((m) => m.maxRssMb))];
    const live = (list: ChildReport[]) => median(list.flatMap((m) => (m.liveMb === undefined ? [] : [m.liveMb])));
    const [fmLive, flLive] = [live(r.fm), live(r.fl)];
    say(
      `| ${members} | ${r.resources} | ${r.perMember.toFixed(2)} | ${r.fm.length} + ${r.fl.length} | ${fmMs.toFixed(0)} | ${flMs.toFixed(0)} | ${pct(median(ratios), 1)} | ${pct(interval.low, 1)} … ${pct(interval.high, 1)} (${(interval.confidence * 100).toFixed(1)}%) | ${pct(Math.min(...ratios))} … ${pct(Math.max(...ratios))} | ${pct(fmMs / flMs - 1, 1)} | ${fmMb} | ${flMb} | ${fmLive.toFixed(1)} | ${flLive.toFixed(1)} |`,
    );
  }
  say("");
  say("Every run, in the order run (ms, peak MB, then live MB or the second build's ms):");
  say("");
  for (const r of results) {
    const last = (m: ChildReport) => (m.againMs === undefined ? `${m.liveMb?.toFixed(1)}` : `again ${m.againMs.toFixed(0)}`);
    const runs = (list: ChildReport[]) => list.map((m) => `${m.ms.toFixed(0)} (${m.maxRssMb}, ${last(m)})`).join(", ");
    say(`- ${r.members}: fleetmesh ${runs(r.fm)}; floor ${runs(r.fl)}`);
  }
  const overheads = results.map((r) => {
    const ratios = roundRatios(r);
    return {
      members: r.members,
      overhead: median(ratios),
      interval: medianInterval(ratios),
      memory: median(r.fm.map((m) => m.maxRssMb)) - median(r.fl.map((m) => m.maxRssMb)),
    };
  });
  const slow = overheads.filter((o) => o.overhead > 0.1);
  const heavy = overheads.filter((o) => o.memory > 0);
  // Sizes whose interval lies on both sides of the line: the verdict there is the median's, not the runs' settled answer.
  const open = overheads.filter((o) => o.interval.low <= 0.1 && o.interval.high > 0.1);
  say("");
  say(`Goal: ≤ 10% overhead at every size up to 511, peak memory no higher than the floor's.`);
  say(
    `Result: overhead ${slow.length === 0 ? "met" : `NOT met at ${slow.map((o) => `${o.members} (${pct(o.overhead, 1)})`).join(", ")}`}; ` +
      `peak memory ${heavy.length === 0 ? "met" : `NOT met at ${heavy.map((o) => `${o.members} (+${o.memory} MB)`).join(", ")}`}.`,
  );
  say(
    open.length === 0
      ? "Every size's interval lies on one side of 10%: the rounds settle each verdict."
      : `Not settled by the rounds (the interval straddles 10%): ${open.map((o) => `${o.members} (${pct(o.interval.low, 1)} … ${pct(o.interval.high, 1)})`).join(", ")}.`,
  );
  const growth = (r: SizeResult, of: "fm" | "fl") => median(r[of].map((m) => m.ms));
  for (const [from, to] of [
    [64, 255],
    [255, 511],
  ]) {
    const [a, b] = [results.find((r) => r.members === from), results.find((r) => r.members === to)];
    if (!a || !b) continue;
    say("");
    say(
      `Growth ${from} → ${to} members (×${(to / from).toFixed(2)}): fleetmesh ×${(growth(b, "fm") / growth(a, "fm")).toFixed(2)}, floor ×${(growth(b, "fl") / growth(a, "fl")).toFixed(2)}.`,
    );
  }
  sayAgain(results, say);
  const largest = results[results.length - 1];
  say("");
  say(
    `Resources per member are fixed (no resource per pair of members): ${JSON.stringify(Object.fromEntries(Object.entries(largest.byType).filter(([, n]) => n >= largest.members)))} at ${largest.members}.`,
  );
  const overheadDone = Date.now();
  say("");
  say(`(This part took ${minutes(overheadDone - started)}.)`);

  // Joins and leaves: the full fleet of each size is the overhead's first run (same members, same maxConnectedClusters).
  const cases: Array<Omit<ChangeCase, "renders">> = [];
  for (const members of CHANGE_SIZES) {
    const full = results.find((r) => r.members === members)?.shape;
    cases.push(...changesAt(members, DEFAULT_CILIUM_VERSION, dir, full));
  }
  cases.push(...changesAt(EXTRA_VERSION.members, EXTRA_VERSION.version, dir));
  const planned = Date.now();
  const rendered = await renderSamples(cases, dir);
  const renderedAt = Date.now();
  say("");
  sayChanges(rendered, say, (await helmBinary()).version);
  say("");
  say(
    `(This part took ${minutes(renderedAt - overheadDone)}: ${minutes(planned - overheadDone)} planning the runs after, ${minutes(renderedAt - planned)} rendering.)`,
  );
}

function sayChanges(cases: ChangeCase[], say: (line: string) => void, helmVersion: string): void {
  say("## A member joining or leaving: what changes on the members already there");
  say("");
  say(
    "The run after is planned against the fleet state of the run before (as `pulumi up` would), and the resources each existing member's components register are compared input by input. " +
      "Leave: the full fleet of that size, then the member in the middle removed. Join: that smaller fleet, then a new member added (the fleet is back at that size). " +
      `maxConnectedClusters is 255 up to 255 members and 511 at 511. Pod templates: for ${RENDER_SAMPLE} existing members (first, middle, last), the real chart rendered (Helm ${helmVersion}, vendored chart) with the member's registered Release values before and after, one CA for both; ` +
      "an object with a pod template (Deployment, DaemonSet, StatefulSet, Job, CronJob) counts when its rendered spec differs. " +
      "Entries are data keys: a peer file in each Secret, and the users ConfigMap's one `users.yaml` (which lists every peer, so its bytes are the whole list).",
  );
  say("");
  sayHeader(say, [
    "event",
    "chart",
    "members",
    "existing",
    "Helm releases changed",
    "other existing resources changed",
    "objects changed per member (max / median)",
    "entries changed per member (max / median)",
    "bytes of those entries per member (max / median)",
    "data written per member, decoded (max / median)",
    "largest object written, as stored",
    "pod templates changed (sampled)",
    "any manifest differs (sampled)",
  ]);
  for (const c of cases) {
    const { change } = c;
    const per = change.perMember;
    const stat = (f: (w: (typeof per)[number]) => number, show: (n: number) => string = String) =>
      `${show(Math.max(0, ...per.map(f)))} / ${show(median(per.map(f)))}`;
    const size = (n: number) => kb(Math.round(n));
    const others = Object.entries(change.changedByType).filter(([type]) => !/Patch$|helm\.sh\/v3:Release$/.test(type));
    const otherText =
      [...others.map(([t, n]) => `${n} ${t.split(":").pop()}`), ...change.fleetLevel.map((f) => `fleet-level ${f}`)].join(", ") || "0";
    const templates = c.renders.reduce((a, r) => a + r.change.podTemplatesChanged.length, 0);
    const templateObjects = c.renders.reduce((a, r) => a + r.change.podTemplateObjects.length, 0);
    const differs = c.renders.filter((r) => r.change.manifestDiffers).length;
    const sizes = c.event === "join" ? `${c.members - 1} → ${c.members}` : `${c.members} → ${c.members - 1}`;
    const cells = [
      `${c.event} (${c.mover})`,
      c.version,
      sizes,
      change.existing.length,
      change.releasesChanged,
      otherText,
      stat((w) => w.objects),
      stat((w) => w.entries),
      stat((w) => w.entryBytes, size),
      stat((w) => w.bytes, size),
      kb(Math.max(0, ...per.map((w) => w.largestObject))),
      `${templates} of ${templateObjects} (${c.renders.length} members)`,
      `${differs} of ${c.renders.length}`,
    ];
    say(`| ${cells.join(" | ")} |`);
  }
  const releases = cases.filter((c) => c.change.releasesChanged > 0);
  const templates = cases.filter((c) => c.renders.some((r) => r.change.podTemplatesChanged.length > 0));
  const objects = cases.filter((c) => c.change.perMember.some((w) => w.objects > 3));
  const others = cases.filter((c) => Object.keys(c.change.changedByType).some((t) => !/Patch$|helm\.sh\/v3:Release$/.test(t)));
  const perMember = Math.max(...cases.flatMap((c) => c.change.perMember.map((w) => w.storedBytes)));
  const largest = Math.max(...cases.flatMap((c) => c.change.perMember.map((w) => w.largestObject)));
  const delta = Math.max(...cases.flatMap((c) => c.change.perMember.map((w) => w.entryBytes)));
  const where = (list: ChangeCase[]) => list.map((c) => `${c.event} at ${c.members} (${c.version})`).join(", ");
  say("");
  say("Goals: 0 pod templates changed, 0 releases upgraded, at most 3 small objects per existing member.");
  say(
    `Result: pod templates ${templates.length === 0 ? "met (0 changed in every sampled render)" : `NOT met: ${where(templates)}`}; ` +
      `releases ${releases.length === 0 ? "met (0 changed)" : `NOT met: ${where(releases)}`}; ` +
      `objects per member ${objects.length === 0 ? "met on the count (≤ 3)" : `NOT met: ${where(objects)}`}` +
      `${others.length === 0 ? "" : `, and other resources of existing members change: ${where(others)}`}. ` +
      `On size: what changes is small (at most ${kb(delta)} of entries per member), but each write carries its whole object, every peer included, so the writes grow with the mesh: ` +
      `up to ${kb(perMember)} per member as stored, the largest object ${kb(largest)}, against Kubernetes' 1 MiB limit per object.`,
  );
  // Job names end in a hash of the member's values (`hubble-generate-certs-<hash>`): one entry for all of them.
  const unhashed = (name: string) => name.replace(/-[0-9a-f]{10}$/, "-<hash>");
  const kinds = [...new Set(cases.flatMap((c) => c.renders.flatMap((r) => r.change.podTemplateObjects.map(unhashed))))].sort();
  say("");
  say(`Pod-template objects in the sampled renders: ${kinds.join(", ")}.`);
  const changedObjects = [...new Set(cases.flatMap((c) => c.renders.flatMap((r) => r.change.objectsChanged)))];
  if (changedObjects.length > 0) say(`Rendered objects that differ in some sampled render: ${changedObjects.sort().join(", ")}.`);
}
