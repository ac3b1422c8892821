import * as pulumi from "@pulumi/pulumi";
import { FleetState } from "../core/fleet/types";

/** Where a component finds the state it left behind in the previous run. */
export interface StateSource<T> {
  /**
   * The previous run's state, given explicitly (e.g. read from another stack or a file).
   * @default read from this stack's own output named `stackOutput`
   */
  previous?: pulumi.Input<T | undefined>;
  /**
   * The stack output the program exports the component's `state` under
   * (`export const fleetState = fleet.state`).
   * @default "fleetState" for a Fleet, "<camelCaseName>PlacementState" for a Placement
   */
  stackOutput?: string;
  /**
   * Read the previous state back from this stack's own outputs.
   * @default true
   */
  readFromStack?: boolean;
}

/** Where a fleet finds the state of its previous run. */
export type FleetStateSource = StateSource<FleetState>;

/**
 * The state a component left behind in the previous run: a StackReference to the current stack
 * reads its last outputs (a read, so the value is known during `pulumi preview` too). `isState`
 * rejects an output of that name that is something else.
 */
export function previousState<T>(
  name: string,
  source: StateSource<T> | undefined,
  defaultOutput: string,
  isState: (value: unknown) => value is T,
  parent: pulumi.Resource,
): pulumi.Output<T | undefined> {
  if (source?.previous !== undefined) return pulumi.output(source.previous) as pulumi.Output<T | undefined>;
  if (source?.readFromStack === false) return pulumi.output(undefined);
  const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const reference = new pulumi.StackReference(`${name}-previous-state`, { name: self }, { parent });
  const outputName = source?.stackOutput ?? defaultOutput;
  return reference.getOutput(outputName).apply((value) => {
    if (value === undefined || value === null) return undefined;
    if (!isState(value)) {
      throw new Error(`state.stackOutput: the stack output "${outputName}" is not the state this component exports; export its state under that name or set state.stackOutput`);
    }
    return value;
  });
}

function isFleetState(value: unknown): value is FleetState {
  return typeof value === "object" && value !== null && (value as FleetState).version === 1 && typeof (value as FleetState).members === "object";
}

export function previousFleetState(name: string, source: FleetStateSource | undefined, parent: pulumi.Resource): pulumi.Output<FleetState | undefined> {
  return previousState(name, source, "fleetState", isFleetState, parent);
}
