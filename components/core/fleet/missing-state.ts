// The rule for a fleet whose state is missing from a stack that was deployed before. Pure: no Pulumi
// import.
//
// A fleet keeps its allocations stable only through the state it reads back from the stack's own
// outputs. When a program stops exporting that state, the next run finds none and allocates every
// member anew: an existing member can get another cluster id, CIDR or NodePort, and a kind cluster
// whose CIDRs move is re-created. The state cannot tell a fleet new to the stack from a fleet whose
// export was dropped; the stack's outputs can, in part: a stack that has outputs was deployed before,
// so a missing state there is refused unless the user says the fleet is new (`state.fresh`). A stack
// with no outputs at all (never deployed, or destroyed) reads as new.

import { FieldViolation } from "./types";

/** What the fleet found when it looked for its state among the stack's outputs. */
export interface StateLookup {
  /** The output the fleet's state is read from (`state.stackOutput` or its default). */
  outputName: string;
  /**
   * The names of the stack's outputs at its last update.
   * @default undefined when the state was not read from the stack (`state.previous` given, or `readFromStack: false`)
   */
  stackOutputs?: readonly string[];
  /** The outputs among them that hold a fleet's state (this fleet's or another's). */
  fleetStateOutputs: readonly string[];
  /** `state.fresh`: the user declared the fleet new to a stack that already has outputs. */
  fresh: boolean;
}

/** How many output names a message lists before it summarizes the rest. */
const LISTED_OUTPUTS = 5;

/** Whether the fleet's state was read from the stack and the stack has outputs, none of them the fleet's state. */
export function stateIsMissing(lookup: StateLookup): boolean {
  const outputs = lookup.stackOutputs;
  return outputs !== undefined && outputs.length > 0 && !outputs.includes(lookup.outputName);
}

/**
 * A refusal when the stack was deployed before (it has outputs) but has no output holding this
 * fleet's state, unless `state.fresh` says the fleet is new to the stack.
 */
export function missingStateViolations(lookup: StateLookup): FieldViolation[] {
  if (lookup.fresh || !stateIsMissing(lookup)) return [];
  const name = lookup.outputName;
  const elsewhere = lookup.fleetStateOutputs.filter((output) => output !== name);
  const fixes = [
    `if the program stopped exporting it, export it again (\`export const ${name} = fleet.state\`) and, for the next run, ` +
      "pass the value it last had as state.previous (`pulumi stack export --version <an earlier update>` shows it among the stack's outputs)",
    ...(elsewhere.length > 0
      ? [`if it is exported under another name (fleet states found: ${listed(elsewhere)}), set state.stackOutput to that name`]
      : []),
    "if this fleet is new to the stack, set state.fresh: true",
  ];
  return [
    {
      path: "state.stackOutput",
      message:
        `the stack was deployed before (its outputs: ${listed(lookup.stackOutputs ?? [])}) but has no output ${JSON.stringify(name)} ` +
        "holding this fleet's state: allocating without it would move existing members to other cluster ids, CIDRs and NodePorts " +
        `(a kind cluster whose CIDRs move is re-created). ${capitalized(fixes.join("; "))}`,
    },
  ];
}

/**
 * A warning when `state.fresh` is set but the state was found: it changes nothing now, and would let a
 * later run that loses the state start over instead of being refused.
 */
export function freshStateWarnings(lookup: StateLookup): string[] {
  if (!lookup.fresh || lookup.stackOutputs === undefined || !lookup.stackOutputs.includes(lookup.outputName)) return [];
  return [
    `state.fresh is set, but the stack holds this fleet's state in ${JSON.stringify(lookup.outputName)}: remove state.fresh, ` +
      "or a later run that loses the state would allocate every member anew instead of being refused",
  ];
}

function listed(names: readonly string[]): string {
  const shown = [...names]
    .sort()
    .slice(0, LISTED_OUTPUTS)
    .map((n) => JSON.stringify(n));
  const rest = names.length - shown.length;
  return rest > 0 ? `${shown.join(", ")} and ${rest} more` : shown.join(", ");
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
