// `fleetmesh plan <program> [--previous <file>] [--out <dir>] [--stack <name>] [--config k=v] [--render-charts --chart <path> [--helm <path>]]`: what a program would
// do, on a machine with no cloud and no Pulumi CLI.
import * as fs from "fs";
import { parse as parseYaml } from "yaml";
import * as path from "path";
import { PreviousRun, PreviousStateError, isPlanStateFile, readPrevious } from "./previous-state";
import { componentRecords, writeReport } from "./report/write-report";
import { Progress, terminalProgress } from "./progress";
import { ProgramError, runProgram } from "./run-program";
import { ChartRendering, helmVersion, renderCharts, renderTree, renderWhatIf, writeManifests, writeRenderedCharts } from "./render";

export interface PlanOptions {
  program: string;
  previous?: string;
  out: string;
  stack?: string;
  /** `--config key=value`, over the stack's own Pulumi.<stack>.yaml. */
  config?: Record<string, string>;
  /** `--render-charts`: also write each Cilium release's `helm template` output, with this Helm and chart. */
  renderCharts?: ChartRendering;
  /** `--report <file>`: write the Markdown report there, its picture as SVG beside it. */
  report?: string;
}

const USAGE =
  "usage: fleetmesh plan <program-dir> [--previous <pulumi-stack-export.json | state.json>] [--out <dir>] [--stack <name>] [--config <key>=<value>]...\n" +
  "                      [--report <PLAN.md>]\n" +
  "                      [--render-charts --chart <cilium-<version>.tgz | chart folder | folder of cilium-<version>.tgz> [--helm <helm binary>]]\n" +
  "  --render-charts writes each member's Cilium chart as `helm template` renders it (cilium-rendered.yaml, with a stand-in CA),\n" +
  "  using a local Helm (default: helm on PATH) and chart: nothing is downloaded\n" +
  "  --report writes a Markdown report for a pull request (summary, topology picture, what the change touches, details),\n" +
  "  with the picture as SVG beside it (<report>.svg)";

/** The stack whose Pulumi.<stack>.yaml is read when --stack is not given (the name `pulumi stack init` suggests). */
const DEFAULT_STACK = "dev";

export function parseArgs(argv: string[]): PlanOptions {
  const [command, ...rest] = argv;
  if (command !== "plan") throw new ProgramError(USAGE);
  const options: Partial<PlanOptions> = {};
  const charts: { render?: boolean; helm?: string; chart?: string } = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      const next = rest[++i];
      if (next === undefined) throw new ProgramError(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === "--previous") options.previous = value();
    else if (arg === "--out") options.out = value();
    else if (arg === "--stack") options.stack = value();
    else if (arg === "--config") options.config = { ...options.config, ...configPair(value()) };
    else if (arg === "--report") options.report = value();
    else if (arg === "--render-charts") charts.render = true;
    else if (arg === "--helm") charts.helm = value();
    else if (arg === "--chart") charts.chart = value();
    else if (arg.startsWith("-")) throw new ProgramError(`unknown option ${arg}\n${USAGE}`);
    else if (options.program === undefined) options.program = arg;
    else throw new ProgramError(`one program at a time (got "${options.program}" and "${arg}")\n${USAGE}`);
  }
  if (!options.program) throw new ProgramError(USAGE);
  return {
    program: options.program,
    previous: options.previous,
    stack: options.stack,
    out: options.out ?? path.join(".plan-out", path.basename(path.resolve(options.program))),
    ...(options.config ? { config: options.config } : {}),
    ...(options.report !== undefined ? { report: options.report } : {}),
    ...chartRendering(charts),
  };
}

/** `--render-charts` with its `--chart` (required) and `--helm` (default: helm on PATH). */
function chartRendering(charts: { render?: boolean; helm?: string; chart?: string }): { renderCharts?: ChartRendering } {
  if (!charts.render) {
    if (charts.helm === undefined && charts.chart === undefined) return {};
    throw new ProgramError(`--helm and --chart only apply with --render-charts\n${USAGE}`);
  }
  const why = "the plan renders a local chart and never downloads one";
  if (charts.chart === undefined) throw new ProgramError(`--render-charts needs --chart: ${why}\n${USAGE}`);
  return { renderCharts: { helm: charts.helm ?? "helm", chart: charts.chart } };
}

function configPair(text: string): Record<string, string> {
  const at = text.indexOf("=");
  if (at <= 0) throw new ProgramError(`--config ${text}: expected <key>=<value>\n${USAGE}`);
  return { [text.slice(0, at)]: text.slice(at + 1) };
}

/**
 * The plain values of the stack's Pulumi.<stack>.yaml (what `pulumi config set` wrote). Secrets are
 * encrypted there and cannot be read offline: the program sees them unset.
 */
export function stackConfig(programDir: string, stack: string): { file?: string; values: Record<string, string>; secrets: string[] } {
  const file = path.join(programDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return { values: {}, secrets: [] };
  const config = (parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {};
  const values: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === "object" && value !== null && "secure" in value) secrets.push(key);
    else values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { file, values, secrets };
}

function section(title: string, body: string): string {
  return `\n=== ${title} ===\n${body || "(nothing)"}\n`;
}

/** Written into every output folder: only folders carrying it (or empty ones) are ever wiped. */
const PLAN_MARKER = ".fleetmesh-plan";

/** Refuses to wipe a folder that is not a previous plan's output (a typo in --out must not delete a project). */
function assertReplaceable(out: string): void {
  if (!fs.existsSync(out)) return;
  if (!fs.statSync(out).isDirectory()) throw new ProgramError(`--out ${out}: is a file, not a folder`);
  const entries = fs.readdirSync(out);
  // Plans written before the marker existed are recognised by their state.json.
  if (entries.length > 0 && !entries.includes(PLAN_MARKER) && !isPlanStateFile(path.join(out, "state.json"))) {
    throw new ProgramError(`--out ${out}: the folder is not empty and holds no previous plan (no ${PLAN_MARKER}); refusing to replace it`);
  }
}

/**
 * Plans `options.program` and writes what it would apply. On a terminal, `progress` shows on stderr
 * what a long plan is doing; it is cleared before anything is printed, so the two never share a line.
 */
export async function plan(
  options: PlanOptions,
  print: (text: string) => void = (t) => process.stdout.write(`${t}\n`),
  progress: Progress | undefined = terminalProgress(process.stderr),
): Promise<void> {
  const say = (text: string) => {
    progress?.done();
    print(text);
  };
  try {
    await planSteps(options, say, progress);
  } finally {
    progress?.done();
  }
}

async function planSteps(options: PlanOptions, print: (text: string) => void, progress: Progress | undefined): Promise<void> {
  assertReplaceable(options.out);
  // Before planning: a Helm that cannot run, or a chart path that does not exist, is a usage error.
  if (options.renderCharts) await assertRenderable(options.renderCharts);
  const previous: PreviousRun | undefined = options.previous ? readPrevious(options.previous) : undefined;
  print(
    `planning ${options.program}${options.previous ? ` against ${options.previous}` : ""} (mock runtime, preview; nothing is deployed)...`,
  );
  print(`  values only a real deployment knows (node IPs, kubeconfigs, keys) are deterministic placeholders`);
  const started = Date.now();
  const fromStack = stackConfig(options.program, options.stack ?? DEFAULT_STACK);
  if (fromStack.file)
    print(`  config from ${fromStack.file}${fromStack.secrets.length ? ` (secrets left unset: ${fromStack.secrets.join(", ")})` : ""}`);
  const config = { ...fromStack.values, ...options.config };
  const run = await runProgram(options.program, {
    stack: options.stack,
    previousOutputs: previous?.outputs,
    config,
    ...(progress && { onRegistered: (count: number) => progress.update(`planning: ${count} resources registered`) }),
  });
  print(`  ${run.resources.length} resources planned in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  print(section("resources", renderTree(run)));
  print(section("what-if", renderWhatIf(run)));
  if (options.renderCharts) progress?.update("rendering each member's Cilium chart with helm template");
  const charts = options.renderCharts ? await renderCharts(run, options.renderCharts) : [];
  progress?.update(`writing the manifests of ${run.resources.length} resources`);
  fs.rmSync(options.out, { recursive: true, force: true });
  const files = writeManifests(run, options.out);
  files.push(...writeRenderedCharts(charts, options.out));
  fs.mkdirSync(options.out, { recursive: true });
  fs.writeFileSync(path.join(options.out, PLAN_MARKER), "written by `fleetmesh plan`; the next plan replaces this folder\n");
  const stateFile = path.join(options.out, "state.json");
  fs.writeFileSync(stateFile, `${JSON.stringify({ outputs: run.outputs, components: componentRecords(run) }, null, 2)}\n`);
  print(
    section(
      "manifests",
      `${files.length} files under ${options.out}/ (one folder per target cluster, named after its provider); outputs in ${stateFile} (pass it as --previous next time)`,
    ),
  );
  if (options.report !== undefined) {
    progress?.update(`writing the report ${options.report}`);
    const written = await writeReport(run, options.report, {
      program: options.program,
      ...(options.previous !== undefined && { previous: options.previous }),
      ...(previous && { previousComponents: previous.components }),
    });
    print(section("report", `${written.join(", ")} (post ${written[0]} on the pull request)`));
  }
  const errors = run.logs.filter((l) => l.severity === "error");
  if (errors.length > 0) throw new ProgramError(`the plan reports ${errors.length} error(s): see the what-if above`);
}

async function assertRenderable(rendering: ChartRendering): Promise<void> {
  await helmVersion(rendering.helm);
  if (!fs.existsSync(rendering.chart)) throw new ProgramError(`--chart ${rendering.chart}: no such file or folder`);
}

export async function main(argv: string[]): Promise<number> {
  try {
    await plan(parseArgs(argv));
    return 0;
  } catch (error) {
    if (error instanceof ProgramError || error instanceof PreviousStateError) {
      process.stderr.write(`fleetmesh: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`fleetmesh: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}
