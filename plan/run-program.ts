// Runs a Pulumi program in-process on the mock runtime, in preview mode, inside a root stack (so
// every resource can be recorded with its parent and provider), collects what it logged, and
// refuses what `pulumi up` (or the clusters) would refuse: see refusals.
import * as path from "path";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { FakeCloud, Registration, redactSecrets } from "./fake-cloud";
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
 * The refusals of components that plan once the previous run's state is read (their `ready`
 * rejects): a real program ends with that error, so the plan does too. Taken as soon as the
 * program's module has run, before any refusal can happen, so none goes unhandled.
 */
function componentRefusals(recorded: readonly Recorded[]): Promise<Error[]> {
  const readiness = recorded.flatMap((r) => {
    const ready = (r.resource as { ready?: unknown }).ready;
    return ready instanceof Promise ? [ready.then(() => undefined, (error: unknown) => (error instanceof Error ? error : new Error(String(error))))] : [];
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


function plannedResource(r: Recorded, urn: string, request: Registration | undefined, names: WeakMap<pulumi.Resource, string>, raw: boolean): PlannedResource {
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
    inputs: redactSecrets(inputs) as Record<string, unknown>,
    ...(raw ? { rawInputs: inputs } : {}),
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
  options: { stack?: string; config?: Record<string, string>; previousOutputs?: Record<string, unknown>; raw?: boolean } = {},
): Promise<PlanRun> {
  const entry = programEntry(programDir);
  forgetProgramModules(programDir);
  const project = path.basename(path.resolve(programDir));
  const cloud = new FakeCloud(true, options.previousOutputs ?? {}, true);
  await pulumi.runtime.setMocks(cloud.mocks(), project, options.stack ?? "plan", true, "organization");
  // This plan's config only: a previous plan's in this process must not leak in.
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(options.config ?? {}).map(([key, value]) => [key.includes(":") ? key : `${project}:${key}`, value])));
  const recorded: Recorded[] = [];
  const names = new WeakMap<pulumi.Resource, string>();
  const logs: PlannedLog[] = [];
  captureLogs(logs, names);
  let exports: unknown;
  let refused: Promise<Error[]> = Promise.resolve([]);
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      names.set(args.resource, `${args.type}::${args.name}`);
      recorded.push({ type: args.type, name: args.name, resource: args.resource, parent: args.opts.parent, provider: (args.opts as pulumi.CustomResourceOptions).provider });
      return undefined;
    });
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
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
  if (problems.length > 0) throw new ProgramError(`program "${programDir}" cannot be deployed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  // Refused above unless every URN is registered once: each resource's request is the one with its URN.
  const requests = new Map(cloud.registrations.map((r) => [r.urn, r]));
  return {
    resources: recorded.map((r, i) => plannedResource(r, urns[i], requests.get(urns[i]), names, options.raw ?? false)),
    logs,
    outputs: await settleOutputs(exports),
  };
}

