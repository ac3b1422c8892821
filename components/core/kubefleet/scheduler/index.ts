// fleetmesh's placement scheduler: a pure re-implementation of KubeFleet's ClusterResourcePlacement
// scheduler. No Pulumi here: plain data in upstream shapes in, plain data out.
import { PlacementPolicy, FieldViolation, ScheduleInput, ScheduleResult } from "./types";
import { defaultProfile } from "./profile";
import { runScheduler } from "./framework/schedule";
import { validatePolicy as validatePlacementPolicy } from "./validation";

export * from "./types";
export { SchedulingCycleError } from "./framework/status";
export { defaultPolicy, policyHash } from "./policy";
export { validatePolicyUpdate, validateRolloutStrategy } from "./validation";
export type {
  RolloutStrategy,
  RollingUpdateConfig,
  ServerSideApplyConfig,
  ApplyStrategy,
  DeleteStrategy,
  ReportBackStrategy,
} from "./validation";
export {
  RolloutStrategyType,
  ApplyStrategyType,
  ComparisonOptionType,
  WhenToApplyType,
  WhenToTakeOverType,
  DeletePropagationPolicy,
  ReportBackStrategyType,
  ReportBackDestination,
} from "./validation";
export { parseQuantity, compareQuantities, QuantityError } from "../../k8s/quantity";

/**
 * Decides which member clusters a placement policy selects, exactly as KubeFleet's scheduler does,
 * including its requeue loop (run here to its fixed point), stickiness and status wording.
 * Throws SchedulingCycleError where upstream would abort the cycle (e.g. a property value that is not a quantity).
 */
export function schedule(input: ScheduleInput): ScheduleResult {
  return runScheduler(input, defaultProfile);
}

/** The upstream CEL and webhook rules for `spec.policy`; [] means valid. */
export function validatePolicy(policy: PlacementPolicy | undefined): FieldViolation[] {
  return validatePlacementPolicy(policy);
}
