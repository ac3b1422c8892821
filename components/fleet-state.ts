import * as pulumi from "@pulumi/pulumi";
import { FleetState } from "./core/types";

/** Where a fleet finds the state of its previous run. */
export interface FleetStateSource {
  /**
   * The previous run's state, given explicitly (e.g. read from another stack or a file).
   * @default read from this stack's own output named `stackOutput`
   */
  previous?: pulumi.Input<FleetState | undefined>;
  /**
   * The stack output the program exports `fleet.state` under (`export const fleetState = fleet.state`).
   * @default "fleetState"
   */
  stackOutput?: string;
  /**
   * Read the previous state back from this stack's own outputs.
   * @default true
   */
  readFromStack?: boolean;
}

function isFleetState(value: unknown): value is FleetState {
  return typeof value === "object" && value !== null && (value as FleetState).version === 1 && typeof (value as FleetState).members === "object";
}

/**
 * The state this fleet left behind in the previous run: a StackReference to the current stack reads
 * its last outputs (a read, so the value is known during `pulumi preview` too).
 */
export function previousFleetState(name: string, source: FleetStateSource | undefined, parent: pulumi.Resource): pulumi.Output<FleetState | undefined> {
  if (source?.previous !== undefined) return pulumi.output(source.previous) as pulumi.Output<FleetState | undefined>;
  if (source?.readFromStack === false) return pulumi.output(undefined);
  const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const reference = new pulumi.StackReference(`${name}-previous-state`, { name: self }, { parent });
  const outputName = source?.stackOutput ?? "fleetState";
  return reference.getOutput(outputName).apply((value) => {
    if (value === undefined || value === null) return undefined;
    if (!isFleetState(value)) {
      throw new Error(`state.stackOutput: the stack output "${outputName}" is not a fleetmesh state (expected {version: 1, members: {...}}); export fleet.state under that name or set state.stackOutput`);
    }
    return value;
  });
}
