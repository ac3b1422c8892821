// Turns a planned run into what a person reads (the resource tree and the what-if tables) and what
// a GitOps repository would hold (every Kubernetes object and Helm values file, per cluster).
import { execFile } from "child_process";
import { createHash, createPrivateKey, createPublicKey, sign } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { parse, stringify } from "yaml";
import { kindCreateScriptDescription } from "../components/core/fleet/kind-scripts";
import { PlanRun, PlannedResource, ProgramError } from "./run-program";

const key = (r: PlannedResource) => `${r.type}::${r.name}`;

/** The resource tree: components with their children, indented, in registration order. */
export function renderTree(run: PlanRun): string {
  const children = new Map<string | undefined, PlannedResource[]>();
  for (const resource of run.resources) {
    const siblings = children.get(resource.parent) ?? [];
    siblings.push(resource);
    children.set(resource.parent, siblings);
  }
  const known = new Set(run.resources.map(key));
  const roots = run.resources.filter((r) => r.parent === undefined || !known.has(r.parent));
  const lines: string[] = [];
  const walk = (resource: PlannedResource, depth: number) => {
    const via = resource.provider ? `  (on ${resource.provider})` : "";
    lines.push(`${"  ".repeat(depth)}${resource.type}  ${resource.name}${via}`);
    for (const child of children.get(key(resource)) ?? []) walk(child, depth + 1);
  };
  for (const root of roots) walk(root, 0);
  return lines.join("\n");
}

/** Everything the components printed (allocation, mesh and placement what-ifs), errors first. */
export function renderWhatIf(run: PlanRun): string {
  const order = { error: 0, warn: 1, info: 2 } as const;
  return [...run.logs]
    .sort((a, b) => order[a.severity] - order[b.severity])
    .map((log) => (log.severity === "info" ? log.message : `${log.severity.toUpperCase()}: ${log.message}`))
    .join("\n\n");
}

interface Manifest {
  file: string;
  content: unknown;
}

/** A Kubernetes object as the plan writes it: only its kind and metadata are read here. */
interface ObjectLike {
  kind?: unknown;
  metadata?: { namespace?: unknown; name?: unknown };
  [key: string]: unknown;
}

function fileName(obj: ObjectLike): string {
  const parts = [obj.kind, obj.metadata?.namespace, obj.metadata?.name].filter(Boolean).map((p) => String(p).toLowerCase());
  return `${parts.join("-").replace(/[^a-z0-9.-]/g, "-")}.yaml`;
}

/** The objects a resource puts on a cluster, as that cluster would receive them. */
function manifestsOf(resource: PlannedResource): Manifest[] {
  const inputs = resource.inputs as ObjectLike & { objs?: ObjectLike[]; name?: string; values?: unknown; apiVersion?: unknown };
  if (resource.type === "kubernetes:yaml/v2:ConfigGroup") return (inputs.objs ?? []).map((obj) => ({ file: fileName(obj), content: obj }));
  if (resource.type === "kubernetes:helm.sh/v3:Release") {
    return [{ file: `helm-${inputs.name ?? resource.name}-values.yaml`, content: inputs.values }];
  }
  if (resource.type.startsWith("kubernetes:") && inputs.apiVersion && inputs.kind) {
    const { apiVersion, kind, metadata, ...rest } = inputs;
    return [{ file: fileName(inputs), content: { apiVersion, kind, metadata, ...rest } }];
  }
  return [];
}

/** The file a kind member's cluster definition is written to, in the member's folder. */
export const KIND_CONFIG_FILE = "kind-config.yaml";

const MEMBER_TYPE = "fleetmesh:index:Member";

/**
 * The kind config of a kind member's cluster (what its `<member>-kind-cluster` Command feeds
 * `kind create cluster --config -`), headed by the create script's own description of the command
 * line and the node image; the folder is the member's, named as its provider.
 */
function kindConfigOf(resource: PlannedResource): (Manifest & { folder: string }) | undefined {
  if (resource.type !== "command:local:Command" || !resource.name.endsWith("-kind-cluster")) return undefined;
  const [parentType, member] = (resource.parent ?? "").split("::");
  const { stdin, create } = resource.inputs as { stdin?: unknown; create?: unknown };
  if (parentType !== MEMBER_TYPE || !member || typeof stdin !== "string") return undefined;
  const header = typeof create === "string" ? kindCreateScriptDescription(create) : [];
  return { folder: member, file: KIND_CONFIG_FILE, content: [...header, stdin].join("\n") };
}

/**
 * Writes every Kubernetes object and Helm values file under `outDir/<cluster>/`, the cluster being
 * the provider the resource is registered with, and each kind member's kind config beside them.
 * Secrets appear as `[secret]`. Returns the files written.
 */
export function writeManifests(run: PlanRun, outDir: string): string[] {
  const written: string[] = [];
  for (const resource of run.resources) {
    const kind = kindConfigOf(resource);
    if (!kind) continue;
    const file = path.join(outDir, kind.folder, kind.file);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, kind.content as string);
    written.push(file);
  }
  for (const resource of run.resources) {
    if (!resource.provider) continue;
    for (const manifest of manifestsOf(resource)) {
      const dir = path.join(outDir, resource.provider);
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, manifest.file);
      fs.writeFileSync(file, stringify(manifest.content, { sortMapEntries: true }));
      written.push(file);
    }
  }
  return written.sort();
}

// ---------------------------------------------------------------------------------------------
// --render-charts: each member's Cilium release through `helm template`, with a local Helm and chart
// ---------------------------------------------------------------------------------------------

/** Where `--render-charts` finds Helm and the chart (never downloaded). */
export interface ChartRendering {
  /** A Helm 3 or 4 binary (a path, or a name on PATH). */
  helm: string;
  /** A packaged chart (`cilium-1.18.12.tgz`), an unpacked chart folder, or a folder of `<chart>-<version>.tgz`. */
  chart: string;
}

const runFile = promisify(execFile);

/** `helm version --short`; a clear ProgramError when Helm cannot be run. */
export async function helmVersion(helm: string): Promise<string> {
  try {
    return (await runFile(helm, ["version", "--short"])).stdout.trim();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : (error as Error).message.split("\n")[0];
    const hint = "install Helm or pass --helm <path to a helm binary>";
    throw new ProgramError(`--helm ${helm}: cannot run Helm (${reason}); ${hint}`, { cause: error });
  }
}

/** The chart to render a release of `chart` at `version` with, checked to be that version. */
async function chartPath(options: ChartRendering, chart: string, version: string): Promise<string> {
  const given = options.chart;
  if (!fs.existsSync(given)) throw new ProgramError(`--chart ${given}: no such file or folder`);
  const inFolder = fs.statSync(given).isDirectory() && !fs.existsSync(path.join(given, "Chart.yaml"));
  const file = inFolder ? path.join(given, `${chart}-${version}.tgz`) : given;
  const pinned = `the plan pins chart ${chart} ${version}`;
  if (!fs.existsSync(file)) throw new ProgramError(`--chart ${given}: no ${chart}-${version}.tgz in that folder (${pinned})`);
  const { stdout } = await runFile(options.helm, ["show", "chart", file]).catch((error: Error) => {
    throw new ProgramError(`--chart ${file}: not a Helm chart (${error.message.split("\n")[0]})`, { cause: error });
  });
  const shown = parse(stdout) as { name?: string; version?: string };
  if (shown.name !== chart || shown.version !== version) {
    throw new ProgramError(`--chart ${file}: is chart ${shown.name} ${shown.version}, but the plan pins ${chart} ${version}`);
  }
  return file;
}

/** Minimal DER: a tag and its contents (lengths below 64 KiB). */
function der(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

const hex = (text: string) => Buffer.from(text, "hex");
/** AlgorithmIdentifier id-Ed25519 (RFC 8410). */
const ED25519 = hex("300506032b6570");

function pem(label: string, data: Buffer): string {
  const lines = data.toString("base64").match(/.{1,64}/g)!;
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/**
 * The stand-in CA the chart is rendered with: the chart parses `tls.ca` (templates/_helpers.tpl,
 * "cilium.ca.setup": sprig buildCustomCert), which the plan's placeholder cannot pass, and the plan
 * never holds the fleet's real key. An Ed25519 self-signed CA (RFC 5280 / RFC 8410) from a fixed,
 * public seed, so renders are reproducible: it protects nothing and is never written out.
 */
function standInCa(): { cert: string; key: string } {
  const seed = createHash("sha256").update("fleetmesh plan --render-charts stand-in CA").digest();
  const key = createPrivateKey({ key: Buffer.concat([hex("302e020100300506032b657004220420"), seed]), format: "der", type: "pkcs8" });
  const name = der(0x30, der(0x31, der(0x30, hex("0603550403"), der(0x0c, Buffer.from("fleetmesh plan stand-in CA")))));
  const validity = der(0x30, der(0x17, Buffer.from("250101000000Z")), der(0x17, Buffer.from("491231235959Z")));
  const spki = createPublicKey(key).export({ type: "spki", format: "der" });
  // basicConstraints CA:TRUE and keyUsage keyCertSign+cRLSign, both critical.
  const basicConstraints = der(0x30, hex("0603551d130101ff"), der(0x04, hex("30030101ff")));
  const keyUsage = der(0x30, hex("0603551d0f0101ff"), der(0x04, hex("03020106")));
  const extensions = der(0xa3, der(0x30, basicConstraints, keyUsage));
  const tbs = der(0x30, hex("a003020102020101"), ED25519, name, validity, name, spki, extensions);
  const signature = sign(null, tbs, key);
  const cert = der(0x30, tbs, ED25519, der(0x03, Buffer.from([0]), signature));
  const keyPem = key.export({ type: "pkcs8", format: "pem" }) as string;
  return { cert: Buffer.from(pem("CERTIFICATE", cert)).toString("base64"), key: Buffer.from(keyPem).toString("base64") };
}

const RENDERED_FILE = "cilium-rendered.yaml";

/** A Cilium `helm.v3.Release` deployed to a member (through its provider). */
function isCiliumRelease(resource: PlannedResource): boolean {
  return Boolean(resource.provider) && resource.type === "kubernetes:helm.sh/v3:Release" && resource.inputs.chart === "cilium";
}

function renderedHeader(command: string, helm: string): string {
  return [
    `# ${command}`,
    `# written by \`fleetmesh plan --render-charts\` with Helm ${helm}: what the chart makes of the values beside this file.`,
    "# The CA is a stand-in: the plan never holds the fleet's CA key, and the chart needs a CA it can parse. Secret",
    "# cilium-ca shows the plan's placeholder certificate and [secret] for the key; the chart's cert jobs issue the",
    "# real certificates in the cluster.",
    "",
  ].join("\n");
}

/** The inputs of a planned `helm.v3.Release` that rendering reads. */
interface ReleaseInputs {
  name: string;
  chart: string;
  version: string;
  namespace?: string;
  values?: { tls?: { ca?: { cert?: string } } } & Record<string, unknown>;
}

type ReleaseValues = NonNullable<ReleaseInputs["values"]>;

/** The values with the stand-in CA; the output with the plan's placeholder certificate and the key redacted. */
function withStandInCa(values: ReleaseValues): { values: ReleaseValues; restore: (text: string) => string } {
  const placeholder = values.tls?.ca;
  if (!placeholder?.cert) return { values, restore: (text) => text };
  const ca = standInCa();
  const restore = (text: string) => {
    const shown = text.split(`: ${ca.cert}\n`).join(`: ${placeholder.cert}\n`).split(`: ${ca.key}\n`).join(`: "[secret]"\n`);
    if (!shown.includes(ca.key) && !shown.includes(Buffer.from(ca.key, "base64").toString())) return shown;
    throw new ProgramError("the rendered chart carries the stand-in CA key somewhere it cannot be redacted");
  };
  return { values: { ...values, tls: { ...values.tls, ca } }, restore };
}

/** `helm template` of one Cilium release, with the stand-in CA. */
async function renderRelease(options: ChartRendering, helm: string, inputs: ReleaseInputs, scratch: string): Promise<string> {
  const chart = await chartPath(options, inputs.chart, inputs.version);
  const { values, restore } = withStandInCa(inputs.values ?? {});
  const valuesFile = path.join(scratch, "values.json");
  fs.writeFileSync(valuesFile, JSON.stringify(values), { mode: 0o600 });
  const args = ["template", inputs.name, chart, "--namespace", inputs.namespace ?? "default", "-f", valuesFile];
  const { stdout } = await runFile(options.helm, args, { maxBuffer: 256 << 20 }).catch((error: Error & { stderr?: string }) => {
    const reason = error.stderr?.trim() || error.message;
    throw new ProgramError(`helm template ${inputs.name} (${path.basename(chart)}) failed: ${reason}`, { cause: error });
  });
  const command = `helm template ${inputs.name} ${path.basename(chart)} --namespace ${args[4]} -f helm-${inputs.name}-values.yaml`;
  return renderedHeader(command, helm) + restore(stdout);
}

/** One member's rendered Cilium chart, to be written to `<outDir>/<cluster>/cilium-rendered.yaml`. */
export interface RenderedChart {
  cluster: string;
  text: string;
}

/**
 * `helm template` of each Cilium release the plan writes values for, with a stand-in CA. Downloads
 * nothing: Helm and the chart are the local ones `options` names. Writes nothing (see writeRenderedCharts),
 * so a refused render leaves the output folder as it was.
 */
export async function renderCharts(run: PlanRun, options: ChartRendering): Promise<RenderedChart[]> {
  const helm = await helmVersion(options.helm);
  const releases = run.resources.filter(isCiliumRelease);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-render-"));
  const charts: RenderedChart[] = [];
  try {
    // One at a time: a fleet may have many members, and each render is a Helm process.
    for (const release of releases) {
      const text = await renderRelease(options, helm, release.inputs as unknown as ReleaseInputs, scratch);
      charts.push({ cluster: release.provider!, text });
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return charts;
}

/** Writes each rendered chart beside its cluster's values; returns the files written. */
export function writeRenderedCharts(charts: readonly RenderedChart[], outDir: string): string[] {
  return charts
    .map(({ cluster, text }) => {
      const file = path.join(outDir, cluster, RENDERED_FILE);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      return file;
    })
    .sort();
}
