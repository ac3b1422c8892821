// Upstream validation of a ClusterResourcePlacement's policy and rollout strategy as pure
// functions returning `{path, message}` lists ([] = valid).

export { validatePolicy, validatePolicyUpdate, PLACEMENT_TYPES, MAX_CLUSTER_NAMES } from "./policy";
export { validateRolloutStrategy, validateStrategyUpdate, INT_OR_PERCENT_PATTERN } from "./strategy";
export type {
  RolloutStrategy,
  RollingUpdateConfig,
  ServerSideApplyConfig,
  ApplyStrategy,
  DeleteStrategy,
  ReportBackStrategy,
} from "./strategy";
export {
  RolloutStrategyType,
  ApplyStrategyType,
  ComparisonOptionType,
  WhenToApplyType,
  WhenToTakeOverType,
  DeletePropagationPolicy,
  ReportBackStrategyType,
  ReportBackDestination,
} from "./strategy";
export { describePropertyNameProblem, RESOURCE_PROPERTY_NAME_PREFIX, RESOURCE_CAPACITY_TYPES } from "./property-name";
export { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from "../../../k8s/names";
export { goToleration } from "./tolerations";
