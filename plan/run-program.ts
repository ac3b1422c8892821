// Runs a Pulumi program in-process on the mock runtime, in preview mode, inside a root stack (so
// every resource can be recorded with its parent and provider), collects what it logged, and
// refuses what `pulumi up` (or the clusters) would refuse: see refusals.
import * as path from "path";
import * as fs from "fs";
// Types only: the runtime is the copy of the SDK the program itself imports (see runProgram).
import type * as pulumi from "@pulumi/pulumi";
import { FakeCloud, PulumiSdk, Registration, pulumiSdk, redactSecrets } from "./fake-cloud";
import { providerUrnOf, refusals } from "./refusals";

export interface PlannedResource {
  type: string;
  name: string;
  /** The URN the engine gives it (see engineUrn). */
  urn: string;
  /** `type::name` of the parent (undefined for the root stack). */
  parent?: string;
  /** The parent's URN (the root stack's for a top-level resource). */
  parentUrn?: string;
  /** `name` of the explicit provider, when there is one. */
  provider?: string;
  /** The explicit provider's URN, when there is one. */
  providerUrn?: string;
  /** URNs it depends on, as the engine receives them: explicit dependsOn plus every property's dependencies. */
  dependencies: string[];
  /** Input property → the URNs its value came from. */
  propertyDependencies: Record<string, string[]>;
  /** A custom resource (managed by a provider), not a component. */
  custom: boolean;
  /** The options the engine's step generator reads, when set. */
  deleteBeforeReplace?: boolean;
  replaceOnChanges?: string[];
  /** Set: the engine's delete of it leaves the real object in place; `importId`: it is imported, not created. */
  retainOnDelete?: boolean;
  importId?: string;
  /** Inputs as the engine received them, key material shown as `[secret]` (see redactSecrets). */
  inputs: Record<string, unknown>;
  /** With `raw`: the inputs as received, secrets still wrapped (for leak checks). */
  rawInputs?: Record<string, unknown>;
  /**
   * A component's registered outputs (what the engine records in the stack's state), secrets shown as
   * `[secret]` and values unknown in a preview left out; undefined for a custom resource.
   */
  outputs?: Record<string, unknown>;
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

/** The SDK copies programs were planned on (each program's own: see runProgram). */
const plannedOn = new Set<PulumiSdk>();

/**
 * Planning leaves the program's root stack (with its transformations) set in this process; forget
 * it so later programs in the same process (tests) start clean. Uses the SDK's internal state module.
 */
export function resetRootStack(): void {
  for (const sdk of plannedOn) sdk.state.setStackResource(undefined);
}

/** Entry modules, in the order looked for: a TypeScript program's sources first, as `pulumi up` runs them. */
const ENTRY_EXTENSIONS = [".ts", ".js"];

/** The program's entry module: `<dir>/index.ts` or `index.js` (or the `main` of its Pulumi.yaml). */
export function programEntry(programDir: string): string {
  const dir = path.resolve(programDir);
  if (!fs.existsSync(dir)) throw new ProgramError(`program "${programDir}" does not exist`);
  const pulumiYaml = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!pulumiYaml) throw new ProgramError(`program "${programDir}" has no Pulumi.yaml: it is not a Pulumi program`);
  const main = /^main:\s*(\S+)/m.exec(fs.readFileSync(pulumiYaml, "utf8"))?.[1];
  const entry = path.join(dir, main ?? "index");
  const indexes = ENTRY_EXTENSIONS.map((ext) => path.join(entry, `index${ext}`));
  const candidates = main
    ? [entry, ...ENTRY_EXTENSIONS.map((ext) => `${entry}${ext}`), ...indexes]
    : ENTRY_EXTENSIONS.map((ext) => `${entry}${ext}`);
  const found = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  if (!found)
    throw new ProgramError(
      `program "${programDir}" has no entry module (looked for ${candidates.map((c) => path.relative(process.cwd(), c)).join(", ")})`,
    );
  return found;
}

/**
 * Forget the program's own modules, so planning it again runs it again. Libraries stay cached, those
 * installed in the program's own node_modules included: the SDK among them must stay the one copy.
 */
function forgetProgramModules(programDir: string): void {
  const dir = path.resolve(programDir) + path.sep;
  for (const cached of Object.keys(require.cache)) {
    if (cached.startsWith(dir) && !cached.slice(dir.length).split(path.sep).includes("node_modules")) delete require.cache[cached];
  }
}

/**
 * The copy of @pulumi/pulumi the program imports (the one its directory resolves): the runtime its
 * resources reach, so the one to mock. In a user's project it is the project's own, which this
 * package shares as a peer dependency.
 */
function programSdk(programDir: string): PulumiSdk {
  try {
    return pulumiSdk(path.resolve(programDir));
  } catch (error) {
    throw new ProgramError(
      `program "${programDir}" cannot load @pulumi/pulumi (install it in the program's project): ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
    );
  }
}

/** The ts-node instances this module registered, by the tsconfig.json they read ("" for none). */
const compilers = new Map<string, TsNodeService>();

type TsNodeService = import("ts-node").Service;

/**
 * Makes `require` compile the program's TypeScript as `pulumi up` would: with the tsconfig.json of
 * the program's directory when there is one, else none, under the defaults Pulumi's language host
 * gives (pulumi/pulumi sdk/nodejs/cmd/run/run.ts). Uses this package's own ts-node and TypeScript,
 * so a user's project needs neither; transpile only, as the plan shows what a program does (`tsc`
 * checks types). A ts-node already registered that compiles the entry (mocha's `-r ts-node/register`,
 * or this repository's sources) is left to do it: a second one would compile every file twice.
 */
function compileTypeScriptFor(programDir: string, entry: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tsNode = require("ts-node") as typeof import("ts-node");
  const registered = process[tsNode.REGISTER_INSTANCE];
  const ours = [...compilers.values()];
  if (registered && !ours.includes(registered) && !registered.ignored(entry)) return;
  const tsconfig = path.join(path.resolve(programDir), "tsconfig.json");
  const key = fs.existsSync(tsconfig) ? tsconfig : "";
  for (const compiler of ours) compiler.enabled(false);
  const existing = compilers.get(key);
  if (existing) return void existing.enabled(true);
  // Pulumi's defaults with the module system it falls back to (commonjs: the entry is `require`d here).
  const compilerOptions = { target: "ES2020", module: "commonjs", moduleResolution: "node", ...(key ? ownCompilerOptions(key) : {}) };
  const project = key ? { project: key } : { skipProject: true };
  compilers.set(key, tsNode.register({ compiler: require.resolve("typescript"), transpileOnly: true, ...project, compilerOptions }));
}

/**
 * The compilerOptions the tsconfig.json sets itself, over Pulumi's defaults as its language host reads
 * them (pulumi/pulumi sdk/nodejs/tsutils.ts, loadTypeScriptCompilerOptions): unreadable, none, and
 * ts-node reports the error when it reads the file.
 */
function ownCompilerOptions(tsconfig: string): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("typescript") as typeof import("typescript");
  const parsed = ts.parseConfigFileTextToJson(tsconfig, fs.readFileSync(tsconfig, "utf8")) as {
    config?: { compilerOptions?: Record<string, unknown> };
  };
  return parsed.config?.compilerOptions ?? {};
}

function label(resource: pulumi.Resource | undefined, names: WeakMap<pulumi.Resource, string>): string | undefined {
  return resource ? names.get(resource) : undefined;
}

function captureLogs(sdk: PulumiSdk, into: PlannedLog[], names: WeakMap<pulumi.Resource, string>): void {
  for (const severity of ["info", "warn", "error"] as const) {
    (sdk.pulumi.log as Record<string, unknown>)[severity] = async (message: string, resource?: pulumi.Resource) =>
      void into.push({ severity, message, resource: label(resource, names) });
  }
}

/** Each export on its own: one that stays unknown is left out instead of hiding the others. */
async function settleOutputs(sdk: PulumiSdk, exports: unknown): Promise<Record<string, unknown>> {
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries((exports ?? {}) as Record<string, unknown>)) {
    const output = sdk.pulumi.output(value) as unknown as {
      isKnown: Promise<boolean>;
      isSecret: Promise<boolean>;
      promise(withUnknowns?: boolean): Promise<unknown>;
    };
    if (!(await output.isKnown)) continue;
    outputs[name] = (await output.isSecret) ? "[secret]" : redactSecrets(await output.promise(true));
  }
  return outputs;
}

/**
 * The refusals of components that plan once the previous run's state is read (their `ready`
 * rejects): a real program ends with that error, so the plan does too. Taken as soon as the
 * program's module has run, before any refusal can happen, so none goes unhandled.
 */
function componentRefusals(recorded: readonly Recorded[]): Promise<Error[]> {
  const readiness = recorded.flatMap((r) => {
    const ready = (r.resource as { ready?: unknown }).ready;
    return ready instanceof Promise
      ? [
          ready.then(
            () => undefined,
            (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
          ),
        ]
      : [];
  });
  return Promise.all(readiness).then((all) => all.filter((e): e is Error => e !== undefined));
}

interface Recorded {
  type: string;
  name: string;
  resource: pulumi.Resource;
  parent?: pulumi.Resource;
  provider?: pulumi.ProviderResource;
}

function urnOf(resource: pulumi.Resource): Promise<string> | undefined {
  return (resource as unknown as { urn: { promise?: () => Promise<string> } }).urn.promise?.();
}

/** Waits until every recorded resource is registered, those registered inside applies included. */
async function settleRegistrations(recorded: readonly Recorded[]): Promise<string[]> {
  let settled = -1;
  let urns: string[] = [];
  while (settled !== recorded.length) {
    settled = recorded.length;
    urns = await Promise.all(recorded.map((r) => urnOf(r.resource) ?? ""));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return urns;
}

function plannedResource(
  r: Recorded,
  urn: string,
  request: Registration | undefined,
  names: WeakMap<pulumi.Resource, string>,
  raw: boolean,
  outputs: Record<string, unknown> | undefined,
): PlannedResource {
  const inputs = request?.inputs ?? {};
  return {
    type: r.type,
    name: r.name,
    urn,
    parent: label(r.parent, names),
    ...(request?.parent ? { parentUrn: request.parent } : {}),
    provider: r.provider ? label(r.provider, names)?.split("::")[1] : undefined,
    ...(request?.provider ? { providerUrn: providerUrnOf(request.provider) } : {}),
    dependencies: request?.dependencies ?? [],
    propertyDependencies: request?.propertyDependencies ?? {},
    custom: request?.custom ?? false,
    ...(request?.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
    ...(request?.replaceOnChanges.length ? { replaceOnChanges: request.replaceOnChanges } : {}),
    ...(request?.retainOnDelete ? { retainOnDelete: true } : {}),
    ...(request?.importId ? { importId: request.importId } : {}),
    inputs: redactSecrets(inputs) as Record<string, unknown>,
    ...(raw ? { rawInputs: inputs } : {}),
    ...(outputs && !(request?.custom ?? false) ? { outputs: redactSecrets(outputs) as Record<string, unknown> } : {}),
  };
}

/**
 * Plans `programDir`: its resources (type, name, URN, parent, provider, dependencies, inputs), its
 * logs (the what-if tables) and its outputs. `previousOutputs` are what StackReferences to this
 * stack read: the previous run's outputs, so allocations and placements are planned against it.
 * Refuses (ProgramError) a program that `pulumi up` would not deploy: see refusals.
 */
export async function runProgram(
  programDir: string,
  options: {
    stack?: string;
    config?: Record<string, string>;
    previousOutputs?: Record<string, unknown>;
    raw?: boolean;
    /** Told the number of resources declared so far, after each one. */
    onRegistered?: (count: number) => void;
  } = {},
): Promise<PlanRun> {
  const entry = programEntry(programDir);
  forgetProgramModules(programDir);
  const sdk = programSdk(programDir);
  if (/\.tsx?$/.test(entry)) compileTypeScriptFor(programDir, entry);
  plannedOn.add(sdk);
  const { pulumi } = sdk;
  const project = path.basename(path.resolve(programDir));
  const cloud = new FakeCloud(true, options.previousOutputs ?? {}, true);
  await pulumi.runtime.setMocks(cloud.mocks(sdk), project, options.stack ?? "plan", true, "organization");
  // This plan's config only: a previous plan's in this process must not leak in.
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(options.config ?? {}).map(([key, value]) => [key.includes(":") ? key : `${project}:${key}`, value])),
  );
  const recorded: Recorded[] = [];
  const names = new WeakMap<pulumi.Resource, string>();
  const logs: PlannedLog[] = [];
  captureLogs(sdk, logs, names);
  let exports: unknown;
  let refused: Promise<Error[]> = Promise.resolve([]);
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      names.set(args.resource, `${args.type}::${args.name}`);
      recorded.push({
        type: args.type,
        name: args.name,
        resource: args.resource,
        parent: args.opts.parent,
        provider: (args.opts as pulumi.CustomResourceOptions).provider,
      });
      options.onRegistered?.(recorded.length);
      return undefined;
    });
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      exports = require(entry);
      refused = componentRefusals(recorded);
      return {};
    } catch (error) {
      throw new ProgramError(`program "${programDir}" failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  const failures = await refused;
  if (failures.length > 0) throw new ProgramError(`program "${programDir}" failed: ${failures.map((e) => e.message).join("\n")}`);
  const urns = await settleRegistrations(recorded);
  const problems = refusals(cloud.registrations);
  if (problems.length > 0)
    throw new ProgramError(`program "${programDir}" cannot be deployed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  // Refused above unless every URN is registered once: each resource's request is the one with its URN.
  const requests = new Map(cloud.registrations.map((r) => [r.urn, r]));
  return {
    resources: recorded.map((r, i) =>
      plannedResource(r, urns[i], requests.get(urns[i]), names, options.raw ?? false, cloud.componentOutputs.get(urns[i])),
    ),
    logs,
    outputs: await settleOutputs(sdk, exports),
  };
}
