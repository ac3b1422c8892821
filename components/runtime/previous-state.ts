import * as pulumi from "@pulumi/pulumi";
import { FleetState } from "../core/fleet/types";
import { fleetStateOutputName } from "../core/fleet/state-output";
import { knownValue } from "./outputs";

/** Where a component finds the state it left behind in the previous run. */
export interface StateSource<T> {
  /**
   * The previous run's state, given explicitly (e.g. read from another stack or a file).
   * @default read back from this stack's own output named `stackOutput` (nothing when `readFromStack` is false)
   */
  readonly previous?: pulumi.Input<T | undefined>;
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

/** Where a fleet finds the state of its previous run. */
export type FleetStateSource = StateSource<FleetState>;

/**
 * The state a component left behind in the previous run, as a plain value for its planner: a
 * StackReference to the current stack reads its last outputs (a read, so the value is known during
 * `pulumi preview` too). Caveats, documented in the README: "previous" is the last saved state (after
 * a failed `up`, the outputs registered before the failure are kept); after `destroy` it is empty; a
 * secret output the backend cannot decrypt reads as absent. Only the one output is read; the
 * reference's whole outputs are never exported (the state would nest copies of itself). `isState`
 * rejects an output of that name that is something else.
 */
export function readPreviousState<T>(
  name: string,
  source: StateSource<T> | undefined,
  defaultOutput: string,
  isState: (value: unknown) => value is T,
  parent: pulumi.Resource,
): Promise<T | undefined> {
  if (source?.previous !== undefined) return knownValue(pulumi.output(source.previous) as pulumi.Output<T | undefined>);
  if (source?.readFromStack === false) return Promise.resolve(undefined);
  // A DIY backend names its organization "organization", which getOrganization() returns there too.
  const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const reference = new pulumi.StackReference(`${name}-previous-state`, { name: self }, { parent });
  const outputName = source?.stackOutput ?? defaultOutput;
  return reference.getOutputDetails(outputName).then((details) => {
    const value: unknown = details.value ?? details.secretValue;
    if (value === undefined || value === null) return undefined;
    if (!isState(value)) {
      throw new Error(
        `state.stackOutput: the stack output "${outputName}" is not the state this component exports; export its state under that name or set state.stackOutput`,
      );
    }
    return value;
  });
}

function isFleetState(value: unknown): value is FleetState {
  return (
    typeof value === "object" && value !== null && (value as FleetState).version === 1 && typeof (value as FleetState).members === "object"
  );
}

export function readPreviousFleetState(
  name: string,
  source: FleetStateSource | undefined,
  parent: pulumi.Resource,
): Promise<FleetState | undefined> {
  return readPreviousState(name, source, fleetStateOutputName(name), isFleetState, parent);
}
