// `helm template` of a vendored Cilium chart (test/fixtures/charts, provenance in its README.md)
// with given values, a few renders at a time, parsed into Kubernetes objects.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { parseAllDocuments } from "yaml";

const run = promisify(execFile);

export const CHARTS_DIR = path.resolve(__dirname, "../fixtures/charts");
/** One chart per supported Cilium minor, as vendored. */
export const CHART_VERSIONS = ["1.16.19", "1.17.18", "1.18.12", "1.19.6", "1.20.0"] as const;
/** The chart's namespace, as `components/runtime/cilium-release.ts` installs it. */
export const RELEASE_NAMESPACE = "kube-system";

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** The packaged chart of that version. */
export function chartFile(version: string): string {
  const file = path.join(CHARTS_DIR, `cilium-${version}.tgz`);
  if (!fs.existsSync(file)) throw new Error(`no vendored chart cilium-${version}.tgz in ${CHARTS_DIR}`);
  return file;
}

/** The chart minor of a version, as a number (`1.19.6` → 19). */
export function chartMinor(version: string): number {
  return Number(version.split(".")[1]);
}

/** Runs tasks at most `limit` at a time, in order of submission. */
export function pool(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/** One `helm template` output: its text, its objects, and the keys it repeats within a map. */
export interface Rendered {
  text: string;
  objects: K8sObject[];
  /** `<kind> <name>: <key>` per repeated key (the objects keep the last value, as a Kubernetes client reads them). */
  duplicateKeys: string[];
}

/** The map key on the line that holds `offset`. */
function keyAt(text: string, offset: number): string {
  const line = text.slice(text.lastIndexOf("\n", offset) + 1, text.indexOf("\n", offset));
  return line.trim().split(":")[0];
}

/** A multi-document YAML stream as objects (empty documents left out); anything unparsable but a repeated key throws. */
export function parseRender(text: string): Rendered {
  const objects: K8sObject[] = [];
  const duplicateKeys: string[] = [];
  for (const doc of parseAllDocuments(text, { uniqueKeys: false })) {
    if (doc.errors.length > 0) throw new Error(`unparsable YAML: ${doc.errors[0].message}`);
    const obj = doc.toJS() as K8sObject | null;
    if (obj === null) continue;
    objects.push(obj);
  }
  for (const doc of parseAllDocuments(text)) {
    const repeated = doc.errors.filter((e) => e.code === "DUPLICATE_KEY").map((e) => keyAt(text, e.pos[0]));
    const obj = doc.toJS() as K8sObject | null;
    duplicateKeys.push(...repeated.map((key) => `${obj?.kind} ${obj?.metadata.name}: ${key}`));
  }
  return { text, objects, duplicateKeys };
}

let renders = 0;

/**
 * `helm template cilium <chart> --namespace kube-system -f <values>`: the values are written (as JSON,
 * which is YAML) into `workDir`, which the caller owns and removes. Rejects with Helm's stderr.
 */
export async function helmTemplate(helm: string, chart: string, values: unknown, workDir: string): Promise<Rendered> {
  const valuesFile = path.join(workDir, `values-${++renders}.json`);
  fs.writeFileSync(valuesFile, JSON.stringify(values), { mode: 0o600 });
  let stdout: string;
  try {
    ({ stdout } = await run(helm, ["template", "cilium", chart, "--namespace", RELEASE_NAMESPACE, "-f", valuesFile], {
      maxBuffer: 64 << 20,
    }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    throw new Error(`helm template ${path.basename(chart)} failed: ${stderr?.trim() || (error as Error).message}`, { cause: error });
  } finally {
    fs.rmSync(valuesFile, { force: true });
  }
  return parseRender(stdout);
}
