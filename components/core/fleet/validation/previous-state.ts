// A fleet state given as `state.previous`: the format this version writes and reads. Its structure
// (members, their allocations) is checked with the other arguments; what the structure cannot say is
// here: the format version, and how AKS members keep their Azure Fleet membership (the package
// schema types both as plain text and numbers). Pure: no Pulumi import.
import { AZ_FLEET_MEMBERSHIP } from "../../azure/arm-fleet-members";
import { isMapping } from "../own";
import { isDeferredValue } from "../../args/values";
import { FieldViolation, render, wrongType } from "../../k8s/field-errors";

/** The one format of a fleet's state this version reads and writes. */
export const FLEET_STATE_VERSION = 1;

/**
 * What is wrong with a previous fleet state; [] for an absent one or an Output, which the fleet checks
 * again once it arrives (its structure is then unchecked, so the basic shape is checked here too).
 */
export function previousFleetStateViolations(previous: unknown, path = "state.previous"): FieldViolation[] {
  if (previous === undefined || previous === null || isDeferredValue(previous)) return [];
  if (!isMapping(previous)) return [{ path, message: wrongType(previous, "object") }];
  const out: FieldViolation[] = [];
  if (!isMapping(previous.members)) out.push({ path: `${path}.members`, message: wrongType(previous.members, "object") });
  if (previous.version !== FLEET_STATE_VERSION) {
    out.push({
      path: `${path}.version`,
      message: `Unsupported value: ${render(previous.version)}: supported values: ${FLEET_STATE_VERSION} (the one format of a fleet's state this version reads)`,
    });
  }
  const membership = previous.azureFleetMembership;
  if (membership !== undefined && membership !== AZ_FLEET_MEMBERSHIP) {
    out.push({
      path: `${path}.azureFleetMembership`,
      message: `Unsupported value: ${render(membership)}: supported values: "${AZ_FLEET_MEMBERSHIP}" (absent in a state written before AKS members joined by \`az fleet member\`)`,
    });
  }
  return out;
}
