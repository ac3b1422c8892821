// Plays one `pulumi up` of a program against the fake tools: the steps the engine would take
// between the previous run's state and this run's plan (plan/engine-steps.ts planSteps, waves run
// with runSteps), where every `command:local:Command` step runs its script as the provider would
// (run-command.ts) and other resources do nothing (or what a test's handler for their type does).
// Returns what ran, what failed, and the state the next run starts from.
//
// The offline plan (plan/run-program.ts) is a preview: ids of custom resources are unknown, and
// Command stdout is a placeholder (plan/fake-cloud.ts). So, before planning the steps:
// - an unknown input that came from exactly one resource is that resource's id: its id in the
//   previous state, or the new id it gets when this run creates or replaces it (decided to a fixed
//   point, since a replacement changes the ids its dependents see, e.g. a Command whose `triggers`
//   hold another's id is replaced with it, as the engine does once the new id is known);
// - a Command input holding another Command's placeholder stdout gets that Command's real stdout:
//   the one in the previous state when planning, the one of this run when it runs first.
// A delete of a resource retained on delete calls no provider, as in the engine.
// Limitations: an input whose value depends on several unknowns, or whose unknown came out of an
// `apply` (a whole script built from an id), stays unknown, and a step that needs it fails with a
// message saying so; a Command whose stdout changes in this run does not turn its dependents'
// unchanged step into an update; a replaced resource whose old copy failed to delete is not kept
// as a pending delete.
import { createHash } from "crypto";
import { NewResource, PlannedRunResource, Step, StepOp, planSteps, runSteps } from "../../../plan/engine-steps";
import { FakeCloud, unwrapSecrets } from "../../../plan/fake-cloud";
import type { FakeState } from "./lib/state";
import type { FakeTools } from "./index";
import { CommandInputs, CommandOutputs, CommandRun, runCommandOperation } from "./run-command";

export const COMMAND_TYPE = "command:local:Command";

/** The engine's placeholder for an unknown value (@pulumi/pulumi runtime/rpc.js unknownValue). */
const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A resource in the state a run leaves: as planned, with the id and outputs it got. */
export interface StateResource extends PlannedRunResource {
  id: string;
  /** Command stdout/stderr after its last successful create or update. */
  outputs?: CommandOutputs;
}

/** The state between runs (the fake of a stack's checkpoint). */
export interface RunState {
  /** How many runs made it: new ids differ from run to run. */
  generation: number;
  resources: StateResource[];
}

export interface ScriptRecord {
  urn: string;
  name: string;
  step: StepOp;
  run: CommandRun;
}

export interface PlanRunResult {
  /** The waves planned. */
  waves: Step[][];
  /** The steps that completed, in wave order. */
  ran: Step[];
  /** The first step that failed, when one did. */
  failed?: { step: Step; error: unknown };
  /** Every Command script that ran (or had nothing to run), in the order they finished. */
  scripts: ScriptRecord[];
  /** The state the next run starts from. */
  state: RunState;
  /** The fake tools' state afterwards. */
  fake: FakeState;
}

export type ResourceHandler = (step: Step, resource: { new?: StateResource; old?: StateResource }) => Promise<void> | void;

export interface RunPlanOptions {
  /** The previous run's state (none: a first `up`). */
  previous?: RunState;
  /** This run's plan (runProgram with `raw: true`, so secret inputs reach the scripts). */
  current: { resources: readonly PlannedRunResource[] };
  tools: FakeTools;
  /** What steps of other resource types do (e.g. ARM mocks writing to tools.azure), by type. */
  handlers?: Record<string, ResourceHandler>;
  /** Extra environment for every script. */
  env?: Record<string, string>;
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

function isUnknown(value: unknown): boolean {
  return (
    value === UNKNOWN_VALUE ||
    (typeof value === "object" && value !== null && (value as { __pulumiUnknown?: unknown }).__pulumiUnknown === true)
  );
}

function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
  return false;
}

function mapLeaves(value: unknown, fn: (leaf: unknown) => unknown): unknown {
  if (isUnknown(value)) return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapLeaves(v, fn));
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapLeaves(v, fn)]));
  return fn(value);
}

/** Registration order: each resource after what it depends on (parent, provider, dependencies), stable otherwise. */
function registrationOrder<T extends PlannedRunResource>(resources: readonly T[]): T[] {
  const known = new Set(resources.map((r) => r.urn));
  const needs = (r: T) =>
    [...r.dependencies, ...Object.values(r.propertyDependencies ?? {}).flat(), r.parentUrn, r.providerUrn].filter(
      (u): u is string => u !== undefined && u !== r.urn && known.has(u),
    );
  const done = new Set<string>();
  const ordered: T[] = [];
  while (ordered.length < resources.length) {
    const next = resources.find((r) => !done.has(r.urn) && needs(r).every((u) => done.has(u)));
    if (!next) throw new Error("run-plan: the planned resources depend on one another in a cycle");
    done.add(next.urn);
    ordered.push(next);
  }
  return ordered;
}

/** The stdout the offline plan gave a Command (plan/fake-cloud.ts), trimmed as the provider trims. */
function placeholderStdout(resource: PlannedRunResource): string {
  const cloud = new FakeCloud(true, {}, true);
  const answer = cloud.mocks().newResource({ type: resource.type, name: nameOf(resource.urn), inputs: resource.inputs, custom: true }) as {
    state: { stdout?: unknown };
  };
  const stdout = answer.state.stdout;
  return typeof stdout === "string" ? stdout.replace(/\n$/, "") : "";
}

/** Old and new states, as the step model reads them. */
function modelResource(r: StateResource): NewResource {
  return {
    urn: r.urn,
    type: r.type,
    inputs: r.inputs,
    dependencies: r.dependencies,
    ...(r.propertyDependencies ? { propertyDependencies: r.propertyDependencies } : {}),
    ...(r.parentUrn ? { parent: r.parentUrn } : {}),
    ...(r.providerUrn ? { provider: r.providerUrn } : {}),
    ...(r.custom !== undefined ? { custom: r.custom } : {}),
    ...(r.replaceOnChanges ? { replaceOnChanges: r.replaceOnChanges } : {}),
    ...(r.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
  };
}

/** Plays this run's steps against the fake tools. */
export async function runPlan(options: RunPlanOptions): Promise<PlanRunResult> {
  const { tools } = options;
  const generation = (options.previous?.generation ?? 0) + 1;
  const olds = options.previous?.resources ?? [];
  const oldByUrn = new Map(olds.map((r) => [r.urn, r]));
  const planned = registrationOrder(options.current.resources).map((r) => ({
    ...r,
    inputs: unwrapSecrets(r.rawInputs ?? r.inputs) as Record<string, unknown>,
  }));
  const plannedByUrn = new Map(planned.map((r) => [r.urn, r]));
  const newId = (urn: string) => `${nameOf(urn)}-${createHash("sha256").update(`${generation}:${urn}`).digest("hex").slice(0, 8)}`;

  // This run's inputs with ids and stdout resolved, given which resources get new ids.
  const resolve = (fresh: ReadonlySet<string>): StateResource[] =>
    planned.map((r) => {
      const inputs: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(r.inputs)) {
        const deps = r.propertyDependencies?.[key] ?? [];
        let resolved = value;
        if (deps.length === 1 && containsUnknown(value)) {
          const id = fresh.has(deps[0]) || !oldByUrn.has(deps[0]) ? newId(deps[0]) : oldByUrn.get(deps[0])!.id;
          resolved = mapLeaves(value, (leaf) => (isUnknown(leaf) ? id : leaf));
        }
        for (const dep of deps) {
          const from = plannedByUrn.get(dep);
          const old = oldByUrn.get(dep);
          if (r.type !== COMMAND_TYPE || from?.type !== COMMAND_TYPE || !old?.outputs) continue;
          const placeholder = placeholderStdout(from);
          if (placeholder !== "") {
            resolved = mapLeaves(resolved, (leaf) => (typeof leaf === "string" ? leaf.split(placeholder).join(old.outputs!.stdout) : leaf));
          }
        }
        inputs[key] = resolved;
      }
      return { ...r, inputs, id: oldByUrn.get(r.urn)?.id ?? newId(r.urn) };
    });

  let fresh = new Set<string>();
  let news = resolve(fresh);
  let waves = planSteps(olds.map(modelResource), news.map(modelResource));
  for (let i = 0; i < 50; i++) {
    const next = new Set(
      waves
        .flat()
        .filter((s) => s.op === "create" || s.op === "replace")
        .map((s) => s.urn),
    );
    if ([...next].every((u) => fresh.has(u)) && next.size === fresh.size) break;
    fresh = next;
    news = resolve(fresh);
    waves = planSteps(olds.map(modelResource), news.map(modelResource));
  }
  const newByUrn = new Map(news.map((r) => [r.urn, r]));

  // What the run leaves: the new copies registered, the old copies not deleted.
  const registered = new Map<string, StateResource>();
  const remaining = new Map(olds.map((r) => [r.urn, r]));
  const scripts: ScriptRecord[] = [];
  const outputsThisRun = new Map<string, CommandOutputs>();

  const runCommand = async (step: Step): Promise<void> => {
    const now = newByUrn.get(step.urn);
    const old = oldByUrn.get(step.urn);
    // A replacement creates the new copy; its old copy's delete is a step of its own.
    const operation = step.op === "delete" ? "delete" : step.op === "update" ? "update" : "create";
    let inputs = now?.inputs as CommandInputs | undefined;
    if (inputs && operation !== "delete") {
      // Another Command's stdout from this run, where the plan had its placeholder.
      for (const dep of Object.values(now!.propertyDependencies ?? {}).flat()) {
        const from = plannedByUrn.get(dep);
        const out = outputsThisRun.get(dep);
        if (from?.type !== COMMAND_TYPE || !out) continue;
        const replacements = [placeholderStdout(from), oldByUrn.get(dep)?.outputs?.stdout].filter(
          (s): s is string => !!s && s !== out.stdout,
        );
        inputs = mapLeaves(inputs, (leaf) =>
          typeof leaf === "string" ? replacements.reduce((text, r) => text.split(r).join(out.stdout), leaf) : leaf,
        ) as CommandInputs;
      }
      for (const field of ["create", "update", "stdin", "environment", "dir", "interpreter"]) {
        if (containsUnknown(inputs[field])) {
          throw new Error(
            `run-plan: the ${field} of ${step.urn} is unknown in the offline plan (it is built from values only a real run knows)`,
          );
        }
      }
    }
    if (operation === "delete" && old && containsUnknown(old.inputs.delete)) {
      throw new Error(
        `run-plan: the delete script of ${step.urn} is unknown in the state (it was built from values only a real run knows)`,
      );
    }
    const run = await runCommandOperation(
      operation,
      { inputs, old: old ? { inputs: old.inputs as CommandInputs, outputs: old.outputs ?? { stdout: "", stderr: "" } } : undefined },
      { env: tools.env(options.env) },
    );
    scripts.push({ urn: step.urn, name: nameOf(step.urn), step: step.op, run });
    if (run.error !== undefined) throw new Error(run.error);
    if (operation !== "delete") outputsThisRun.set(step.urn, run.outputs);
    return finish(step, run.outputs);
  };

  const finish = (step: Step, outputs?: CommandOutputs): void => {
    const now = newByUrn.get(step.urn)!;
    const old = oldByUrn.get(step.urn);
    if (step.op === "delete") remaining.delete(step.urn);
    else if (step.op === "create" || step.op === "replace")
      registered.set(step.urn, { ...now, id: newId(step.urn), ...(outputs ? { outputs } : {}) });
    else {
      const kept = outputs ?? old?.outputs;
      registered.set(step.urn, { ...now, id: old!.id, ...(kept ? { outputs: kept } : {}) });
    }
  };

  const handle = async (step: Step): Promise<void> => {
    if (step.op === "same") return finish(step);
    // A resource whose state says retainOnDelete leaves the state without its provider being called
    // (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply): no delete script, no handler.
    if (step.op === "delete" && (oldByUrn.get(step.urn) as { retainOnDelete?: boolean } | undefined)?.retainOnDelete) return finish(step);
    if (step.type === COMMAND_TYPE) return runCommand(step);
    const handler = options.handlers?.[step.type];
    if (handler) await handler(step, { new: newByUrn.get(step.urn), old: oldByUrn.get(step.urn) });
    finish(step);
  };
  const run = await runSteps(waves, { create: handle, update: handle, replace: handle, delete: handle, same: handle });

  const state: StateResource[] = [];
  for (const r of news) {
    const kept = registered.get(r.urn) ?? remaining.get(r.urn);
    if (kept) state.push(kept);
    remaining.delete(r.urn);
  }
  state.push(...remaining.values());
  return {
    waves,
    ran: run.ran,
    ...(run.failed ? { failed: run.failed } : {}),
    scripts,
    state: { generation, resources: state },
    fake: tools.state(),
  };
}

/** The Command scripts of a run that did something (a create, update or delete with a script). */
export function scriptsRan(result: PlanRunResult): ScriptRecord[] {
  return result.scripts.filter((s) => s.run.script !== undefined);
}
