// What the hub refuses when a ClusterResourcePlacement it already holds is updated, decided before
// `up` from the spec the previous run handed it: upstream's update rules on `spec.policy` (CEL "policy
// cannot be removed once set", "placement type is immutable", and the webhook's toleration rule in
// kubefleet-dev/kubefleet pkg/utils/validator/placement.go, ported as validatePolicyUpdate) and the CEL
// rule on `spec.strategy.type` (External cannot change to another type). Pure: no Pulumi import.

import { FieldViolation } from "../../k8s/field-errors";
import { PlacementPolicy } from "../scheduler/types";
import { RolloutStrategy, validatePolicyUpdate, validateStrategyUpdate } from "../scheduler/validation";

/** The part of a ClusterResourcePlacement's spec its update rules compare, as the previous run handed it to the hub. */
export interface HubPlacementSpec {
  /** The `spec.policy` handed to the hub. */
  policy?: PlacementPolicy;
  /** The `spec.strategy` handed to the hub. */
  strategy?: RolloutStrategy;
}

/** What a hub placement's update is: accepted, refused, or a replacement the user opted into. */
export type HubUpdate =
  { kind: "update" } | { kind: "replace"; rejected: FieldViolation[] } | { kind: "refused"; violations: FieldViolation[] };

/**
 * Compares the spec this run hands the hub with the one the previous run handed it (undefined on
 * the first run, in direct mode, or when the state predates the record): an update the hub would
 * reject is refused, naming the field, unless `replace` asks for the placement to be re-created.
 */
export function hubUpdate(placement: string, previous: HubPlacementSpec | undefined, next: HubPlacementSpec, replace: boolean): HubUpdate {
  if (previous === undefined) return { kind: "update" };
  const rejected = [...validatePolicyUpdate(previous.policy, next.policy), ...validateStrategyUpdate(previous.strategy, next.strategy)];
  if (rejected.length === 0) return { kind: "update" };
  if (replace) return { kind: "replace", rejected };
  return { kind: "refused", violations: rejected.map((v) => ({ path: v.path, message: `${v.message}: ${refusalReason(placement)}` })) };
}

function refusalReason(placement: string): string {
  return (
    `the hub refuses this change to ClusterResourcePlacement "${placement}", which the previous run handed it, so \`up\` would fail; ` +
    "revert the change, or set replaceOnPolicyChange: true to delete and re-create the placement (the hub then removes the placed objects " +
    "from every member before placing them again)"
  );
}
