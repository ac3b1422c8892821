import * as pulumi from "@pulumi/pulumi";
import { FleetState } from "../core/fleet/types";
import { PlacementState } from "../core/kubefleet/placement/state-output";
import { fleetStateOutputName } from "../core/fleet/state-output";
import { knownValue } from "./outputs";
import { StateLookup } from "../core/fleet/missing-state";
import { ownValue } from "../core/fleet/own";

/** Which of the stack's own outputs a component reads its previous state from. */
export interface StateOutputSource {
  /**
   * The stack output the program exports the component's `state` under
   * (`export const fleetState = fleet.state`).
   * @default "<camelCaseName>FleetState" for a Fleet ("kindMeshFleetState" for "kind-mesh"), "<camelCaseName>PlacementState" for a Placement
   */
  readonly stackOutput?: string;
  /**
   * Read the previous state back from this stack's own outputs (false: without `previous`, the
   * component plans as if there were no previous run).
   * @default true
   */
  readonly readFromStack?: boolean;
}

/** Where a component finds the state it left behind in the previous run. */
export interface StateSource<T> extends StateOutputSource {
  /**
   * The previous run's state, given explicitly (e.g. read from another stack or a file).
   * @default read back from this stack's own output named `stackOutput` (nothing when `readFromStack` is false)
   */
  readonly previous?: pulumi.Input<T | undefined>;
}

/** Where a fleet finds the state of its previous run (the fields of StateSource, for a fleet's state, and `fresh`). */
export interface FleetStateSource extends StateOutputSource {
  /**
   * The previous run's state, given explicitly (e.g. read from another stack or a file).
   * @default read back from this stack's own output named `stackOutput` (nothing when `readFromStack` is false)
   */
  readonly previous?: pulumi.Input<FleetState | undefined>;
  /**
   * The fleet is new to a stack that already has outputs: allocate without a previous state instead of
   * refusing the run. Needed for a fleet's first run only; remove it once the state is exported (a run
   * that finds the state warns).
   * @default false: a stack that has outputs but none holding this fleet's state refuses the run, since allocating anew would move existing members
   */
  readonly fresh?: boolean;
}

/** Where a placement finds the bindings of its previous run (the fields of StateSource, for a placement's state). */
export interface PlacementStateSource extends StateOutputSource {
  /**
   * The previous run's state, given explicitly (e.g. read from another stack or a file).
   * @default read back from this stack's own output named `stackOutput` (nothing when `readFromStack` is false)
   */
  readonly previous?: pulumi.Input<PlacementState | undefined>;
}

/**
 * The state a component left behind in the previous run, as a plain value for its planner: a
 * StackReference to the current stack reads its last outputs (a read, so the value is known during
 * `pulumi preview` too). Caveats, documented in the README: "previous" is the last saved state (after
 * a failed `up`, the outputs registered before the failure are kept); after `destroy` it is empty; a
 * secret output the backend cannot decrypt reads as absent. The reference's outputs are inspected
 * (the state's own, and which other outputs exist) but never exported: the state would nest copies
 * of itself, and other outputs may be secrets. `isState` rejects an output of that name that is
 * something else.
 */
export function readPreviousState<T>(
  name: string,
  source: StateSource<T> | undefined,
  defaultOutput: string,
  isState: (value: unknown) => value is T,
  parent: pulumi.Resource,
): Promise<T | undefined> {
  return readPreviousStateWithOutputs(name, source, defaultOutput, isState, parent).then((read) => read.state);
}

/** The previous state, and what the stack's outputs held when it was read from them. */
export interface PreviousRead<T> {
  readonly state?: T;
  /**
   * The stack's outputs at its last update, by name (values as stored, secrets unwrapped: inspected,
   * never logged or exported).
   * @default undefined when the state was not read from the stack (`previous` given, or `readFromStack: false`)
   */
  readonly stackOutputs?: Readonly<Record<string, unknown>>;
  /** The output the state was looked for under. */
  readonly outputName: string;
}

/** readPreviousState, also handing back the stack's outputs it looked at (the missing-state rule needs them). */
export async function readPreviousStateWithOutputs<T>(
  name: string,
  source: StateSource<T> | undefined,
  defaultOutput: string,
  isState: (value: unknown) => value is T,
  parent: pulumi.Resource,
): Promise<PreviousRead<T>> {
  const outputName = source?.stackOutput ?? defaultOutput;
  if (source?.previous !== undefined) {
    return { state: await knownValue(pulumi.output(source.previous) as pulumi.Output<T | undefined>), outputName };
  }
  if (source?.readFromStack === false) return { outputName };
  // A DIY backend names its organization "organization", which getOrganization() returns there too.
  const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const reference = new pulumi.StackReference(`${name}-previous-state`, { name: self }, { parent });
  // A read resolves during preview too; were it ever unknown, the stack reads as one without outputs.
  const stackOutputs = ((await knownValue(reference.outputs)) ?? {}) as Record<string, unknown>;
  const value = ownValue(stackOutputs, outputName);
  if (value === undefined || value === null) return { stackOutputs, outputName };
  if (!isState(value)) {
    throw new Error(
      `state.stackOutput: the stack output "${outputName}" is not the state this component exports; export its state under that name or set state.stackOutput`,
    );
  }
  return { state: value, stackOutputs, outputName };
}

export function isFleetState(value: unknown): value is FleetState {
  return (
    typeof value === "object" && value !== null && (value as FleetState).version === 1 && typeof (value as FleetState).members === "object"
  );
}

/** What a fleet read back: its previous state, and what the missing-state rule needs to know. */
export interface PreviousFleetRead {
  readonly state?: FleetState;
  readonly lookup: StateLookup;
}

export async function readPreviousFleetState(
  name: string,
  source: FleetStateSource | undefined,
  parent: pulumi.Resource,
): Promise<PreviousFleetRead> {
  const read = await readPreviousStateWithOutputs(name, source, fleetStateOutputName(name), isFleetState, parent);
  const outputs = read.stackOutputs;
  const lookup: StateLookup = {
    outputName: read.outputName,
    stackOutputs: outputs && Object.keys(outputs),
    fleetStateOutputs: outputs ? Object.keys(outputs).filter((key) => isFleetState(outputs[key])) : [],
    fresh: source?.fresh ?? false,
  };
  return { state: read.state, lookup };
}
