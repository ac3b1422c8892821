// Runs a `command:local:Command` resource's script the way @pulumi/command 1.2.1's local provider
// does (pulumi/pulumi-command v1.2.1, provider/pkg/provider/local):
// - commandController.go: Create runs `create` (nothing when absent); Update runs `update`, or
//   `create` when there is no `update`, with the new inputs and the previous run's stdout/stderr;
//   Delete runs the `delete` of the state being deleted, with that state's own inputs (its
//   environment, dir, stdin, interpreter) and outputs. A preview runs nothing.
// - commandOutputs.go (run): the interpreter is `interpreter` or `/bin/sh -c`; the working
//   directory `dir` or the provider's own; the environment the provider's plus `environment`, plus
//   PULUMI_COMMAND_STDOUT / PULUMI_COMMAND_STDERR holding the previous stdout/stderr when they are
//   not empty and `addPreviousOutputInEnv` is not false (so never on create); stdin is `stdin` when
//   not empty. A non-zero exit fails the operation with `<exit status N>: running "<script>":` and
//   the interleaved stdout and stderr; on success stdout and stderr are recorded with one trailing
//   newline trimmed.
// - common/inputs.go: `triggers` is replaceOnChanges (the engine replaces; see run-plan.ts).
// A failed create leaves no resource behind and a failed update keeps the old state, since the
// provider returns a plain error, not a ResourceInitFailedError (pulumi/pulumi-go-provider v1.3.0,
// infer/resource.go: only that error yields partial state).
import { runProcess } from "./index";

/** The inputs of a Command that running it reads (the rest, e.g. `triggers` and `logging`, does not change what runs). */
export interface CommandInputs {
  create?: string;
  update?: string;
  delete?: string;
  stdin?: string;
  environment?: Record<string, string>;
  dir?: string;
  interpreter?: string[];
  addPreviousOutputInEnv?: boolean;
  [other: string]: unknown;
}

export interface CommandOutputs {
  stdout: string;
  stderr: string;
}

/** A Command as the engine's state holds it: its inputs and the outputs of its last create or update. */
export interface CommandState {
  inputs: CommandInputs;
  outputs: CommandOutputs;
}

export type CommandOperation = "create" | "update" | "delete";

export interface CommandRun {
  operation: CommandOperation;
  /** The script that ran; undefined when the operation had none (nothing ran). */
  script?: string;
  exitCode: number;
  /** As printed, untrimmed. */
  stdout: string;
  stderr: string;
  /** The outputs the state records afterwards (the old ones when nothing ran or the run failed). */
  outputs: CommandOutputs;
  /** The provider's error when the script failed. */
  error?: string;
}

export interface RunCommandOptions {
  /** The provider process's environment (e.g. FakeTools.env()). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The provider process's working directory, used when the Command has no `dir`. @default process.cwd() */
  cwd?: string;
}

const EMPTY: CommandOutputs = { stdout: "", stderr: "" };

/** strings.TrimSuffix(s, "\n"). */
function trimNewline(text: string): string {
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}

/**
 * Runs one operation of a Command: `create` with the new inputs, `update` with the new inputs and
 * the old state, `delete` with the old state.
 */
export async function runCommandOperation(
  operation: CommandOperation,
  resource: { inputs?: CommandInputs; old?: CommandState },
  options: RunCommandOptions = {},
): Promise<CommandRun> {
  const base = operation === "delete" ? resource.old?.inputs : resource.inputs;
  if (!base) throw new Error(`a Command ${operation} needs ${operation === "delete" ? "the old state" : "the new inputs"}`);
  const previous = operation === "create" ? EMPTY : (resource.old?.outputs ?? EMPTY);
  const script = operation === "create" ? base.create : operation === "update" ? (base.update ?? base.create) : base.delete;
  if (script === undefined || script === null) return { operation, exitCode: 0, stdout: "", stderr: "", outputs: previous };
  if (typeof script !== "string") throw new Error(`the ${operation} script is not known: ${JSON.stringify(script)}`);

  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), ...(base.environment ?? {}) };
  if (base.addPreviousOutputInEnv !== false) {
    if (previous.stdout !== "") env.PULUMI_COMMAND_STDOUT = previous.stdout;
    if (previous.stderr !== "") env.PULUMI_COMMAND_STDERR = previous.stderr;
  }
  const interpreter = base.interpreter && base.interpreter.length > 0 ? base.interpreter : ["/bin/sh", "-c"];
  const cwd = base.dir ?? options.cwd ?? process.cwd();
  let result;
  try {
    result = await runProcess([...interpreter, script], { env, cwd, stdin: base.stdin ?? undefined });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { operation, script, exitCode: -1, stdout: "", stderr: "", outputs: previous, error: message };
  }
  if (result.exitCode !== 0) {
    return {
      operation,
      script,
      exitCode: result.exitCode,
      stdout: result.stdout,
      stderr: result.stderr,
      outputs: previous,
      error: `exit status ${result.exitCode}: running ${JSON.stringify(script)}:\n${result.combined}`,
    };
  }
  return {
    operation,
    script,
    exitCode: 0,
    stdout: result.stdout,
    stderr: result.stderr,
    outputs: { stdout: trimNewline(result.stdout), stderr: trimNewline(result.stderr) },
  };
}
