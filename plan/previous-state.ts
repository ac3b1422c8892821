import * as fs from "fs";
import type { ComponentRecord } from "./report/facts";

export class PreviousStateError extends Error {}

interface CheckpointResource {
  urn?: string;
  type?: string;
  outputs?: Record<string, unknown>;
}

interface Checkpoint {
  deployment?: { resources?: CheckpointResource[] };
  checkpoint?: { latest?: { resources?: CheckpointResource[] } };
}

/** The keys a plan's state.json holds: the stack outputs, and the components' registered outputs. */
const PLAN_STATE_KEYS = ["outputs", "components"];

/**
 * The stack outputs of a previous run, from either `pulumi stack export` (the root stack resource's
 * outputs) or the state file a previous plan wrote (`{ "outputs": { ... } }`).
 */
export function readPreviousOutputs(file: string): Record<string, unknown> {
  return readPrevious(file).outputs;
}

/** What a previous run left: its stack outputs, and its fleetmesh components with their outputs. */
export interface PreviousRun {
  outputs: Record<string, unknown>;
  components: ComponentRecord[];
}

/** The component name in a URN (`urn:pulumi:<stack>::<project>::<type chain>::<name>`). */
function nameInUrn(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

function fleetmeshComponents(resources: readonly CheckpointResource[]): ComponentRecord[] {
  return resources
    .filter((r) => typeof r.type === "string" && r.type.startsWith("fleetmesh:index:") && typeof r.urn === "string")
    .map((r) => ({ type: r.type!, name: nameInUrn(r.urn!), outputs: r.outputs ?? {} }));
}

/**
 * A previous run, from either `pulumi stack export` (the root stack's outputs; the components'
 * recorded outputs) or the state file a previous plan wrote (`{ "outputs": { ... }, "components": [...] }`).
 */
export function readPrevious(file: string): PreviousRun {
  if (!fs.existsSync(file)) throw new PreviousStateError(`--previous: "${file}" does not exist`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new PreviousStateError(
      `--previous: "${file}" is not JSON (${(error as Error).message}); give the output of \`pulumi stack export\` or a plan's state.json`,
    );
  }
  if (typeof parsed !== "object" || parsed === null) throw new PreviousStateError(`--previous: "${file}" holds no object`);
  const planOutputs = planStateOutputs(parsed);
  if (planOutputs) return { outputs: planOutputs, components: planStateComponents(parsed) };
  const record = parsed as Checkpoint;
  const resources = record.deployment?.resources ?? record.checkpoint?.latest?.resources;
  const stack = resources?.find((r) => r.type === "pulumi:pulumi:Stack");
  if (stack && resources) return { outputs: stack.outputs ?? {}, components: fleetmeshComponents(resources) };
  throw new PreviousStateError(
    `--previous: "${file}" is neither \`pulumi stack export\` output (no pulumi:pulumi:Stack resource) nor a plan's state.json (no "outputs")`,
  );
}

/** The outputs of a plan's state.json (`{ "outputs": { ... } }`), or undefined for anything else. */
function planStateOutputs(parsed: unknown): Record<string, unknown> | undefined {
  const outputs = (parsed as { outputs?: unknown }).outputs;
  return outputs && typeof outputs === "object" ? (outputs as Record<string, unknown>) : undefined;
}

/** The components a plan's state.json records (none in one written before it recorded them). */
function planStateComponents(parsed: unknown): ComponentRecord[] {
  const components = (parsed as { components?: unknown }).components;
  if (!Array.isArray(components)) return [];
  return components.filter(
    (c): c is ComponentRecord =>
      typeof c === "object" &&
      c !== null &&
      typeof c.type === "string" &&
      typeof c.name === "string" &&
      typeof c.outputs === "object" &&
      c.outputs !== null,
  );
}

/** `file` is exactly a state.json a plan wrote: an "outputs" object, the components, and nothing else. */
export function isPlanStateFile(file: string): boolean {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    return (
      typeof parsed === "object" &&
      parsed !== null &&
      Object.keys(parsed).every((key) => PLAN_STATE_KEYS.includes(key)) &&
      planStateOutputs(parsed) !== undefined
    );
  } catch {
    return false;
  }
}
