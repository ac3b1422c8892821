// The scale benchmark runs fleetmesh as a program gets it: the package compiled by its own build
// configuration (tsconfig.build.json, as `npm run build` compiles it), loaded as JavaScript, under the
// stack-trace hook `pulumi up` installs. The measuring child is compiled too, so neither side of the
// comparison pays ts-node for its own code: the floor's registration loop is as cheap as it can be.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");
/**
 * Where the build goes (gitignored); rebuilt from scratch once per process that measures, so run one
 * such process at a time (`npm run bench` or `bench/profile.ts`).
 */
export const BENCH_BUILD = path.join(ROOT, ".bench-build");
const CHILD_SOURCE = path.join(ROOT, "bench", "scale-child.ts");
/** The child sits where its relative imports (`../components`, `../plan/fake-cloud`) find the build. */
const CHILD_BUILT = path.join(BENCH_BUILD, "bench", "scale-child.js");

/** Found once per process. */
let hook: string | undefined;

/**
 * Pulumi's Node.js runtime requires `source-map-support/register` before it loads the program
 * (pulumi/pulumi sdk/nodejs/cmd/run/index.ts), resolved from the SDK's own dependencies: from then on
 * every stack the SDK formats goes through it. The child is started with the same module. It is looked
 * up on disk, as Node would from the SDK's folder: under ts-node, `require.resolve` of that name answers
 * with ts-node's own fork (@cspotcode/source-map-support), which is not what the SDK loads.
 */
export function stackTraceHook(): string {
  hook ??= findStackTraceHook();
  return hook;
}

function findStackTraceHook(): string {
  let dir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [ROOT] }));
  for (;;) {
    const candidate = path.join(dir, "node_modules", "source-map-support", "register.js");
    if (fs.existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new Error("source-map-support, a dependency of @pulumi/pulumi, is not installed");
    dir = up;
  }
}

let built: string | undefined;

/** Compiles the package (no declarations: nothing reads them here) and the child; returns the child's path. */
export function buildBenchChild(): string {
  if (built) return built;
  fs.rmSync(BENCH_BUILD, { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [
      require.resolve("typescript/bin/tsc"),
      ...["-p", path.join(ROOT, "tsconfig.build.json")],
      ...["--outDir", BENCH_BUILD, "--declaration", "false", "--declarationMap", "false"],
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
  if (tsc.status !== 0) throw new Error(`building the package for the benchmark failed:\n${tsc.stdout}${tsc.stderr}`);
  const child = ts.transpileModule(fs.readFileSync(CHILD_SOURCE, "utf8"), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: CHILD_SOURCE,
  });
  fs.mkdirSync(path.dirname(CHILD_BUILT), { recursive: true });
  fs.writeFileSync(CHILD_BUILT, child.outputText);
  built = CHILD_BUILT;
  return built;
}
