import * as fs from "fs";

export class PreviousStateError extends Error {}

interface Checkpoint {
  deployment?: { resources?: Array<{ type?: string; outputs?: Record<string, unknown> }> };
  checkpoint?: { latest?: { resources?: Array<{ type?: string; outputs?: Record<string, unknown> }> } };
}

/**
 * The stack outputs of a previous run, from either `pulumi stack export` (the root stack resource's
 * outputs) or the state file a previous plan wrote (`{ "outputs": { ... } }`).
 */
export function readPreviousOutputs(file: string): Record<string, unknown> {
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
  if (planOutputs) return planOutputs;
  const record = parsed as Checkpoint;
  const resources = record.deployment?.resources ?? record.checkpoint?.latest?.resources;
  const stack = resources?.find((r) => r.type === "pulumi:pulumi:Stack");
  if (stack) return stack.outputs ?? {};
  throw new PreviousStateError(
    `--previous: "${file}" is neither \`pulumi stack export\` output (no pulumi:pulumi:Stack resource) nor a plan's state.json (no "outputs")`,
  );
}

/** The outputs of a plan's state.json (`{ "outputs": { ... } }`), or undefined for anything else. */
function planStateOutputs(parsed: unknown): Record<string, unknown> | undefined {
  const outputs = (parsed as { outputs?: unknown }).outputs;
  return outputs && typeof outputs === "object" ? (outputs as Record<string, unknown>) : undefined;
}

/** `file` is exactly a state.json a plan wrote: one "outputs" object and nothing else. */
export function isPlanStateFile(file: string): boolean {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    return (
      typeof parsed === "object" && parsed !== null && Object.keys(parsed).join() === "outputs" && planStateOutputs(parsed) !== undefined
    );
  } catch {
    return false;
  }
}
