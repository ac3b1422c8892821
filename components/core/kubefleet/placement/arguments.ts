// The rules a Placement's arguments are refused by before anything is registered: the webhook's
// checks of a ClusterResourcePlacement (kubefleet-dev/kubefleet pkg/utils/validator/placement.go
// `validatePlacement`: name length, policy, rollout strategy) plus fleetmesh's own (a hub for hub
// mode, properties only for members). Pure: no Pulumi import.

import { FieldViolation } from "../../k8s/field-errors";
import { PlacementPolicy, validatePolicy, validateRolloutStrategy } from "../scheduler";
import { RolloutStrategy } from "../scheduler/validation";
import { PlacementMode } from "./status";

/** `validation.DNS1035LabelMaxLength`, the longest name the webhook admits. */
export const MAX_PLACEMENT_NAME_LENGTH = 63;

export interface PlacementArgumentFacts {
  name: string;
  policy?: PlacementPolicy;
  strategy?: RolloutStrategy;
  /** @default "direct" */
  mode?: PlacementMode;
  /** A hub (its provider) was given. */
  hasHub: boolean;
  /** The fleet's member names. */
  memberNames: readonly string[];
  memberProperties?: Record<string, Record<string, string>>;
}

/** Everything wrong with the arguments; [] means they are valid. */
export function placementArgumentViolations(facts: PlacementArgumentFacts): FieldViolation[] {
  return [
    ...validatePolicy(facts.policy),
    ...validateRolloutStrategy(facts.strategy),
    ...nameViolations(facts.name),
    ...hubViolations(facts),
    ...propertyViolations(facts),
  ];
}

function nameViolations(name: string): FieldViolation[] {
  if (name.length <= MAX_PLACEMENT_NAME_LENGTH) return [];
  return [
    {
      path: "name",
      message: `placement name "${name}" is ${name.length} characters: ClusterResourcePlacement names are at most ${MAX_PLACEMENT_NAME_LENGTH} (DNS-1035 label length)`,
    },
  ];
}

function hubViolations(facts: PlacementArgumentFacts): FieldViolation[] {
  if (facts.mode !== "hub" || facts.hasHub) return [];
  return [{ path: "hub", message: `mode "hub" needs hub: { provider }, the KubeFleet hub to hand the ClusterResourcePlacement to` }];
}

function propertyViolations(facts: PlacementArgumentFacts): FieldViolation[] {
  const members = new Set(facts.memberNames);
  return Object.keys(facts.memberProperties ?? {})
    .filter((member) => !members.has(member))
    .map((member) => ({ path: `memberProperties.${member}`, message: `"${member}" is not a member of the fleet` }));
}
