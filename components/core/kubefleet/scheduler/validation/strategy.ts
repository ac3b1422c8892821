// `spec.strategy` of a ClusterResourcePlacement (RolloutStrategy; v1 and v1beta1 share these
// fields, v1beta1 adds deleteStrategy and reportBackStrategy).
//
// Schema (CRD): type ∈ {RollingUpdate, External}; maxUnavailable / maxSurge are IntOrString with
// pattern ^((100|[0-9]{1,2})%|[0-9]+)$ (strings only); unavailablePeriodSeconds minimum 0; enums
// on applyStrategy, deleteStrategy and reportBackStrategy; CEL: a Mirror reportBackStrategy needs
// a destination, and type cannot change from External (an update rule).
// Webhook (`validateRolloutStrategy`): rollingUpdate is invalid with External; maxUnavailable and
// maxSurge go through intstr.GetScaledValueFromIntOrPercent, so a string without '%' ("25") is
// rejected although the pattern allows it, and a negative integer is rejected;
// serverSideApplyConfig only with ServerSideApply. The webhook's "unsupported rollout strategy
// type" and "unavailablePeriodSeconds must be greater than or equal to 0" duplicate the schema,
// which runs first, so they are not repeated.
// Nothing enforces the documented "maxSurge cannot be 0 when maxUnavailable is 0".

import {
  checkEnum,
  checkInteger,
  child,
  isSet,
  patternMismatch,
  render,
  Violations,
  violation,
  withDetail,
} from "../../../k8s/field-errors";

export type RolloutStrategyType = "RollingUpdate" | "External";

export interface RollingUpdateConfig {
  /** Integer or percentage string; default "25%". */
  maxUnavailable?: number | string;
  /** Integer or percentage string; default "25%". */
  maxSurge?: number | string;
  /** Default 60, minimum 0. */
  unavailablePeriodSeconds?: number;
}

export interface ApplyStrategy {
  /** Default ClientSideApply. */
  type?: "ClientSideApply" | "ServerSideApply" | "ReportDiff";
  /** Default PartialComparison. */
  comparisonOption?: "PartialComparison" | "FullComparison";
  /** Default Always. */
  whenToApply?: "Always" | "IfNotDrifted";
  /** Default Always. */
  whenToTakeOver?: "Always" | "IfNoDiff" | "Never";
  allowCoOwnership?: boolean;
  /** Only with type ServerSideApply. */
  serverSideApplyConfig?: { force?: boolean };
}

/** v1beta1 only. */
export interface DeleteStrategy {
  /** Default Delete. */
  propagationPolicy?: "Abandon" | "Delete";
}

/** v1beta1 only. */
export interface ReportBackStrategy {
  type: "Disabled" | "Mirror";
  /** Required when type is Mirror. */
  destination?: "OriginalResource" | "WorkAPI";
}

/** ClusterResourcePlacement `spec.strategy`. */
export interface RolloutStrategy {
  /** Default RollingUpdate. */
  type?: RolloutStrategyType;
  rollingUpdate?: RollingUpdateConfig;
  applyStrategy?: ApplyStrategy;
  deleteStrategy?: DeleteStrategy;
  reportBackStrategy?: ReportBackStrategy;
}

export const INT_OR_PERCENT_PATTERN = "^((100|[0-9]{1,2})%|[0-9]+)$";
const intOrPercentRegexp = new RegExp(INT_OR_PERCENT_PATTERN);
const ROLLOUT_TYPES: readonly string[] = ["RollingUpdate", "External"];

export function validateRolloutStrategy(strategy: RolloutStrategy | undefined): Violations {
  if (!isSet(strategy)) return [];
  return [
    ...checkEnum(strategy.type || undefined, ROLLOUT_TYPES, "strategy.type"),
    ...rollingUpdateViolations(strategy),
    ...applyStrategyViolations(strategy.applyStrategy, "strategy.applyStrategy"),
    ...checkEnum(strategy.deleteStrategy?.propagationPolicy, ["Abandon", "Delete"], "strategy.deleteStrategy.propagationPolicy"),
    ...reportBackViolations(strategy.reportBackStrategy, "strategy.reportBackStrategy"),
  ];
}

function rollingUpdateViolations(strategy: RolloutStrategy): Violations {
  const config = strategy.rollingUpdate;
  if (!isSet(config)) return [];
  const path = "strategy.rollingUpdate";
  const out: Violations = [];
  if (strategy.type === "External") {
    // Upstream's typo ("Conifg") kept verbatim.
    out.push(violation(path, withDetail("rollingUpdateConifg is not valid for ExternalRollout strategy type", `got ${render(config)}`)));
  }
  out.push(...checkInteger(config.unavailablePeriodSeconds, child(path, "unavailablePeriodSeconds"), 0));
  out.push(...intOrPercentViolations("maxUnavailable", config.maxUnavailable, child(path, "maxUnavailable")));
  out.push(...intOrPercentViolations("maxSurge", config.maxSurge, child(path, "maxSurge")));
  return out;
}

/** Schema pattern on strings, then the webhook's GetScaledValueFromIntOrPercent and >= 0 checks. */
function intOrPercentViolations(field: string, value: number | string | undefined, path: string): Violations {
  if (!isSet(value)) return [];
  if (typeof value === "string") {
    if (!intOrPercentRegexp.test(value)) return [violation(path, patternMismatch(value, INT_OR_PERCENT_PATTERN))];
    if (!value.endsWith("%")) {
      return [violation(path, `${field} \`${value}\` is invalid: invalid value for IntOrString: invalid type: string is not a percentage`)];
    }
    return [];
  }
  if (typeof value !== "number" || !Number.isInteger(value)) {
    // Our own wording: the schema's int-or-string type check has no single upstream sentence.
    return [violation(path, `${field} must be an integer or a percentage string, got ${render(value)}`)];
  }
  return value < 0 ? [violation(path, `${field} must be greater than or equal to 0, got \`${value}\``)] : [];
}

function applyStrategyViolations(apply: ApplyStrategy | undefined, path: string): Violations {
  if (!isSet(apply)) return [];
  const out: Violations = [
    ...checkEnum(apply.type, ["ClientSideApply", "ServerSideApply", "ReportDiff"], child(path, "type")),
    ...checkEnum(apply.comparisonOption, ["PartialComparison", "FullComparison"], child(path, "comparisonOption")),
    ...checkEnum(apply.whenToApply, ["Always", "IfNotDrifted"], child(path, "whenToApply")),
    ...checkEnum(apply.whenToTakeOver, ["Always", "IfNoDiff", "Never"], child(path, "whenToTakeOver")),
  ];
  const type = apply.type ?? "ClientSideApply";
  if (isSet(apply.serverSideApplyConfig) && type !== "ServerSideApply") {
    const message = "serverSideApplyConfig is only valid for ServerSideApply strategy type";
    out.push(violation(child(path, "serverSideApplyConfig"), withDetail(message, `got type ${render(type)}`)));
  }
  return out;
}

function reportBackViolations(reportBack: ReportBackStrategy | undefined, path: string): Violations {
  if (!isSet(reportBack)) return [];
  const out: Violations = [];
  if (!isSet(reportBack.type)) out.push(violation(child(path, "type"), "Required value"));
  out.push(...checkEnum(reportBack.type, ["Disabled", "Mirror"], child(path, "type")));
  out.push(...checkEnum(reportBack.destination, ["OriginalResource", "WorkAPI"], child(path, "destination")));
  if (reportBack.type === "Mirror" && !reportBack.destination) {
    const message = "when reportBackStrategy.type is 'Mirror', a destination must be specified";
    out.push(violation(path, withDetail(message, "got no destination")));
  }
  return out;
}

/** CEL transition rule on strategy.type: External cannot change to another type. */
export function validateStrategyUpdate(oldStrategy: RolloutStrategy | undefined, newStrategy: RolloutStrategy | undefined): Violations {
  // Defaulting fills type with RollingUpdate, so an unset type counts as RollingUpdate.
  const oldType = oldStrategy?.type || "RollingUpdate";
  const newType = newStrategy?.type || "RollingUpdate";
  if (oldType !== "External" || newType === "External") return [];
  const message = "cannot change rollout strategy type from 'External' to other types";
  return [violation("strategy.type", withDetail(message, `got ${render(newType)}`))];
}
