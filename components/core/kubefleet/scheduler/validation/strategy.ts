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

// Closed sets of values are objects of constants with the type of their values (see core/fleet/enums.ts);
// the names are upstream's (kubefleet-dev/kubefleet apis/placement/v1beta1/clusterresourceplacement_types.go).

/** How a placement's changes reach the clusters (upstream `RolloutStrategyType`). */
export const RolloutStrategyType = {
  /** Cluster by cluster, within maxUnavailable and maxSurge. */
  RollingUpdate: "RollingUpdate",
  /** An external controller (a staged update run) decides; the rollout controller stands aside. */
  External: "External",
} as const;
export type RolloutStrategyType = (typeof RolloutStrategyType)[keyof typeof RolloutStrategyType];

/** How the objects are applied on the clusters (upstream `ApplyStrategyType`). */
export const ApplyStrategyType = {
  /** A client-side apply (a three-way merge patch). */
  ClientSideApply: "ClientSideApply",
  /** A server-side apply. */
  ServerSideApply: "ServerSideApply",
  /** Nothing is applied: the differences from the clusters' objects are reported. */
  ReportDiff: "ReportDiff",
} as const;
export type ApplyStrategyType = (typeof ApplyStrategyType)[keyof typeof ApplyStrategyType];

/** Which fields drift and differences are compared on (upstream `ComparisonOptionType`). */
export const ComparisonOptionType = {
  /** Only the fields the placed manifest sets. */
  PartialComparison: "PartialComparison",
  /** Every field, those set on the cluster only included. */
  FullComparison: "FullComparison",
} as const;
export type ComparisonOptionType = (typeof ComparisonOptionType)[keyof typeof ComparisonOptionType];

/** When the placed objects are applied (upstream `WhenToApplyType`). */
export const WhenToApplyType = {
  /** On every change of the placement, drift on the cluster overwritten. */
  Always: "Always",
  /** Only while the cluster's object has not drifted from the placed one. */
  IfNotDrifted: "IfNotDrifted",
} as const;
export type WhenToApplyType = (typeof WhenToApplyType)[keyof typeof WhenToApplyType];

/** Whether an object that already exists on a cluster is taken over (upstream `WhenToTakeOverType`). */
export const WhenToTakeOverType = {
  /** Always taken over. */
  Always: "Always",
  /** Taken over when it matches the placed manifest. */
  IfNoDiff: "IfNoDiff",
  /** Never taken over: the placement fails to apply it. */
  Never: "Never",
} as const;
export type WhenToTakeOverType = (typeof WhenToTakeOverType)[keyof typeof WhenToTakeOverType];

/** What happens to the placed objects when the placement is deleted (upstream `DeletePropagationPolicy`). */
export const DeletePropagationPolicy = {
  /** They stay on the clusters. */
  Abandon: "Abandon",
  /** They are deleted from the clusters. */
  Delete: "Delete",
} as const;
export type DeletePropagationPolicy = (typeof DeletePropagationPolicy)[keyof typeof DeletePropagationPolicy];

/** Whether the placed objects' statuses are reported back to the hub (upstream `ReportBackStrategyType`). */
export const ReportBackStrategyType = {
  /** Not reported back. */
  Disabled: "Disabled",
  /** Mirrored to `destination`. */
  Mirror: "Mirror",
} as const;
export type ReportBackStrategyType = (typeof ReportBackStrategyType)[keyof typeof ReportBackStrategyType];

/** Where mirrored statuses go (upstream `ReportBackDestination`). */
export const ReportBackDestination = {
  /** The status of the original object on the hub. */
  OriginalResource: "OriginalResource",
  /** The Work objects of the placement. */
  WorkAPI: "WorkAPI",
} as const;
export type ReportBackDestination = (typeof ReportBackDestination)[keyof typeof ReportBackDestination];

/** The rolling update's pace. */
export interface RollingUpdateConfig {
  /**
   * How many clusters may be unavailable during the update: an integer or a percentage (e.g. "25%")
   * of the placement's target number of clusters.
   * @default "25%"
   */
  // `any`: upstream's IntOrString, and the package schema has no integer-or-string type; validateRolloutStrategy checks the value.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  maxUnavailable?: any;
  /**
   * How many clusters beyond the target number may hold the objects during the update: an integer or
   * a percentage (e.g. "25%") of the placement's target number of clusters.
   * @default "25%"
   */
  // `any`: upstream's IntOrString, and the package schema has no integer-or-string type; validateRolloutStrategy checks the value.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  maxSurge?: any;
  /**
   * Seconds to wait after updating a cluster before counting it available again (minimum 0).
   * @default 60
   */
  unavailablePeriodSeconds?: number;
}

/** Server-side apply options. */
export interface ServerSideApplyConfig {
  /**
   * Take over fields other field managers own.
   * @default false
   */
  force?: boolean;
}

/** How the placed objects are applied on the clusters. */
export interface ApplyStrategy {
  /**
   * How they are applied.
   * @default ClientSideApply
   */
  type?: ApplyStrategyType;
  /**
   * Which fields drift and differences are compared on.
   * @default PartialComparison
   */
  comparisonOption?: ComparisonOptionType;
  /**
   * When they are applied.
   * @default Always
   */
  whenToApply?: WhenToApplyType;
  /**
   * Whether objects that already exist on a cluster are taken over.
   * @default Always
   */
  whenToTakeOver?: WhenToTakeOverType;
  /**
   * Let other owners keep owning an object the placement applies.
   * @default false
   */
  allowCoOwnership?: boolean;
  /** Server-side apply options: only with type ServerSideApply. */
  serverSideApplyConfig?: ServerSideApplyConfig;
}

/** What happens to the placed objects when the placement is deleted (v1beta1 only). */
export interface DeleteStrategy {
  /**
   * Whether they are deleted from the clusters.
   * @default Delete
   */
  propagationPolicy?: DeletePropagationPolicy;
}

/** Whether the placed objects' statuses are reported back to the hub (v1beta1 only). */
export interface ReportBackStrategy {
  /** Disabled, or Mirror to `destination`. */
  type: ReportBackStrategyType;
  /** Where mirrored statuses go: required when type is Mirror. */
  destination?: ReportBackDestination;
}

/** ClusterResourcePlacement `spec.strategy`. */
export interface RolloutStrategy {
  /**
   * How changes reach the clusters.
   * @default RollingUpdate
   */
  type?: RolloutStrategyType;
  /** The rolling update's pace (RollingUpdate only). */
  rollingUpdate?: RollingUpdateConfig;
  /** How the objects are applied on the clusters. */
  applyStrategy?: ApplyStrategy;
  /** What happens to the placed objects when the placement is deleted (v1beta1 only). */
  deleteStrategy?: DeleteStrategy;
  /** Whether the placed objects' statuses are reported back to the hub (v1beta1 only). */
  reportBackStrategy?: ReportBackStrategy;
}

export const INT_OR_PERCENT_PATTERN = "^((100|[0-9]{1,2})%|[0-9]+)$";
const intOrPercentRegexp = new RegExp(INT_OR_PERCENT_PATTERN);
const ROLLOUT_TYPES: readonly string[] = Object.values(RolloutStrategyType);

export function validateRolloutStrategy(strategy: RolloutStrategy | undefined): Violations {
  if (!isSet(strategy)) return [];
  return [
    ...checkEnum(strategy.type || undefined, ROLLOUT_TYPES, "strategy.type"),
    ...rollingUpdateViolations(strategy),
    ...applyStrategyViolations(strategy.applyStrategy, "strategy.applyStrategy"),
    ...checkEnum(
      strategy.deleteStrategy?.propagationPolicy,
      Object.values(DeletePropagationPolicy),
      "strategy.deleteStrategy.propagationPolicy",
    ),
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
function intOrPercentViolations(field: string, value: unknown, path: string): Violations {
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
    ...checkEnum(apply.type, Object.values(ApplyStrategyType), child(path, "type")),
    ...checkEnum(apply.comparisonOption, Object.values(ComparisonOptionType), child(path, "comparisonOption")),
    ...checkEnum(apply.whenToApply, Object.values(WhenToApplyType), child(path, "whenToApply")),
    ...checkEnum(apply.whenToTakeOver, Object.values(WhenToTakeOverType), child(path, "whenToTakeOver")),
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
  out.push(...checkEnum(reportBack.type, Object.values(ReportBackStrategyType), child(path, "type")));
  out.push(...checkEnum(reportBack.destination, Object.values(ReportBackDestination), child(path, "destination")));
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
