// Runs a Pulumi program in-process on the mock runtime, in preview mode, inside a root stack (so
// every resource can be recorded with its parent and provider), and collects what it logged.
import * as path from "path";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { FakeCloud, redactSecrets } from "./fake-cloud";

export interface PlannedResource {
  type: string;
  name: string;
  /** `type::name` of the parent (undefined for the root stack). */
  parent?: string;
  /** `name` of the explicit provider, when there is one. */
  provider?: string;
  /** Inputs as the engine received them, key material shown as `[secret]` (see redactSecrets). */
  inputs: Record<string, unknown>;
  /** With `raw`: the inputs as received, secrets still wrapped (for leak checks). */
  rawInputs?: Record<string, unknown>;
}

export interface PlannedLog {
  severity: "info" | "warn" | "error";
  message: string;
  resource?: string;
}

export interface PlanRun {
  resources: PlannedResource[];
  logs: PlannedLog[];
  /** The program's exports: the stack outputs a real `pulumi up` would record. */
  outputs: Record<string, unknown>;
}

export class ProgramError extends Error {}

/**
 * Planning leaves the program's root stack (with its transformations) set in this process; forget
 * it so later programs in the same process (tests) start clean. Uses the SDK's internal state module.
 */
export function resetRootStack(): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const state = require("@pulumi/pulumi/runtime/state") as { setStackResource(stack: unknown): void };
  state.setStackResource(undefined);
}

/** The program's entry module: `<dir>/index.ts` (or the `main` of its Pulumi.yaml). */
export function programEntry(programDir: string): string {
  const dir = path.resolve(programDir);
  if (!fs.existsSync(dir)) throw new ProgramError(`program "${programDir}" does not exist`);
  const pulumiYaml = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!pulumiYaml) throw new ProgramError(`program "${programDir}" has no Pulumi.yaml: it is not a Pulumi program`);
  const main = /^main:\s*(\S+)/m.exec(fs.readFileSync(pulumiYaml, "utf8"))?.[1];
  const entry = path.join(dir, main ?? "index.ts");
  const candidates = [entry, `${entry}.ts`, path.join(entry, "index.ts")];
  const found = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  if (!found) throw new ProgramError(`program "${programDir}" has no entry module (looked for ${candidates.map((c) => path.relative(process.cwd(), c)).join(", ")})`);
  return found;
}

/** Forget the program's own modules, so planning it again runs it again (libraries stay cached). */
function forgetProgramModules(programDir: string): void {
  const dir = path.resolve(programDir) + path.sep;
  for (const cached of Object.keys(require.cache)) {
    if (cached.startsWith(dir)) delete require.cache[cached];
  }
}

function label(resource: pulumi.Resource | undefined, names: WeakMap<pulumi.Resource, string>): string | undefined {
  return resource ? names.get(resource) : undefined;
}

function captureLogs(into: PlannedLog[], names: WeakMap<pulumi.Resource, string>): void {
  for (const severity of ["info", "warn", "error"] as const) {
    (pulumi.log as Record<string, unknown>)[severity] = async (message: string, resource?: pulumi.Resource) =>
      void into.push({ severity, message, resource: label(resource, names) });
  }
}

/** Each export on its own: one that stays unknown is left out instead of hiding the others. */
async function settleOutputs(exports: unknown): Promise<Record<string, unknown>> {
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries((exports ?? {}) as Record<string, unknown>)) {
    const output = pulumi.output(value) as unknown as { isKnown: Promise<boolean>; isSecret: Promise<boolean>; promise(withUnknowns?: boolean): Promise<unknown> };
    if (!(await output.isKnown)) continue;
    outputs[name] = (await output.isSecret) ? "[secret]" : redactSecrets(await output.promise(true));
  }
  return outputs;
}

/**
 * Plans `programDir`: its resources (type, name, parent, provider, inputs), its logs (the what-if
 * tables) and its outputs. `previousOutputs` are what StackReferences to this stack read: the
 * previous run's outputs, so allocations and placements are planned against it.
 */
export async function runProgram(
  programDir: string,
  options: { stack?: string; config?: Record<string, string>; previousOutputs?: Record<string, unknown>; raw?: boolean } = {},
): Promise<PlanRun> {
  const entry = programEntry(programDir);
  forgetProgramModules(programDir);
  const project = path.basename(path.resolve(programDir));
  const cloud = new FakeCloud(true, options.previousOutputs ?? {}, true);
  await pulumi.runtime.setMocks(cloud.mocks(), project, options.stack ?? "plan", true, "organization");
  for (const [key, value] of Object.entries(options.config ?? {})) pulumi.runtime.setConfig(key.includes(":") ? key : `${project}:${key}`, value);
  const recorded: Array<{ type: string; name: string; resource: pulumi.Resource; parent?: pulumi.Resource; provider?: pulumi.ProviderResource }> = [];
  const names = new WeakMap<pulumi.Resource, string>();
  const logs: PlannedLog[] = [];
  captureLogs(logs, names);
  let exports: unknown;
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      names.set(args.resource, `${args.type}::${args.name}`);
      recorded.push({ type: args.type, name: args.name, resource: args.resource, parent: args.opts.parent, provider: (args.opts as pulumi.CustomResourceOptions).provider });
      return undefined;
    });
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      exports = require(entry);
      return {};
    } catch (error) {
      throw new ProgramError(`program "${programDir}" failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  await Promise.all(recorded.map((r) => (r.resource as unknown as { urn: { promise?: () => Promise<string> } }).urn.promise?.()));
  return {
    resources: recorded.map((r) => ({
      type: r.type,
      name: r.name,
      parent: label(r.parent, names),
      provider: r.provider ? label(r.provider, names)?.split("::")[1] : undefined,
      inputs: redactSecrets(cloud.inputs.get(`${r.type}::${r.name}`) ?? {}) as Record<string, unknown>,
      ...(options.raw ? { rawInputs: cloud.inputs.get(`${r.type}::${r.name}`) ?? {} } : {}),
    })),
    logs,
    outputs: await settleOutputs(exports),
  };
}
