// Plain-data shapes of the KubeFleet APIs the scheduler reads and writes.
// Field names follow cluster.kubernetes-fleet.io/v1beta1 (MemberCluster) and
// placement.kubernetes-fleet.io/v1beta1 (ClusterResourcePlacement spec.policy, ClusterResourceBinding),
// so `kubectl get memberclusters -o json` items and a CRP's `spec.policy` can be fed in unchanged.

export type PlacementType = "PickAll" | "PickN" | "PickFixed";

export type LabelSelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  values?: string[];
}

/** A standard Kubernetes label selector: matchLabels and matchExpressions are AND-ed. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type PropertySelectorOperator = "Gt" | "Ge" | "Eq" | "Ne" | "Lt" | "Le";

export interface PropertySelectorRequirement {
  name: string;
  operator: PropertySelectorOperator;
  /** Exactly one Kubernetes quantity string. */
  values: string[];
}

export interface PropertySelector {
  matchExpressions: PropertySelectorRequirement[];
}

export type PropertySortOrder = "Ascending" | "Descending";

export interface PropertySorter {
  name: string;
  sortOrder: PropertySortOrder;
}

export interface ClusterSelectorTerm {
  labelSelector?: LabelSelector;
  /** Required terms only. */
  propertySelector?: PropertySelector;
  /** Preferred terms only. */
  propertySorter?: PropertySorter;
}

export interface PreferredClusterSelector {
  /** -100..100. */
  weight: number;
  preference: ClusterSelectorTerm;
}

export interface ClusterSelector {
  clusterSelectorTerms: ClusterSelectorTerm[];
}

export interface ClusterAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: ClusterSelector;
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredClusterSelector[];
}

export interface Affinity {
  clusterAffinity?: ClusterAffinity;
}

export type UnsatisfiableConstraintAction = "DoNotSchedule" | "ScheduleAnyway";

export interface TopologySpreadConstraint {
  /** Default 1, minimum 1. */
  maxSkew?: number;
  topologyKey: string;
  /** Default DoNotSchedule. */
  whenUnsatisfiable?: UnsatisfiableConstraintAction;
}

export type TolerationOperator = "Equal" | "Exists";
export type TaintEffect = "NoSchedule";

export interface Toleration {
  key?: string;
  /** Default Equal. */
  operator?: TolerationOperator;
  value?: string;
  /** Empty matches every effect. */
  effect?: TaintEffect | "";
}

/** ClusterResourcePlacement `spec.policy`. */
export interface PlacementPolicy {
  /** Default PickAll. */
  placementType?: PlacementType;
  clusterNames?: string[];
  numberOfClusters?: number;
  affinity?: Affinity;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  tolerations?: Toleration[];
}

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export type ConditionStatus = "True" | "False" | "Unknown";

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime?: string | Date;
  observedGeneration?: number;
}

/** A timestamp as Kubernetes serialises it (RFC 3339) or a Date. */
export type Timestamp = string | Date;

export interface AgentStatus {
  /** MemberAgent is the agent the eligibility check reads. */
  type: string;
  conditions?: Condition[];
  lastReceivedHeartbeat?: Timestamp;
}

export interface PropertyValue {
  value: string;
  observationTime?: Timestamp;
}

export type ResourceList = Record<string, string>;

export interface ResourceUsage {
  capacity?: ResourceList;
  allocatable?: ResourceList;
  available?: ResourceList;
  observationTime?: Timestamp;
}

export interface MemberCluster {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: Timestamp;
  };
  spec?: {
    taints?: Taint[];
    [field: string]: unknown;
  };
  status?: {
    properties?: Record<string, PropertyValue>;
    resourceUsage?: ResourceUsage;
    agentStatus?: AgentStatus[];
    conditions?: Condition[];
  };
}

export type BindingState = "Scheduled" | "Bound" | "Unscheduled";

/** Upstream `ClusterScore`; `priorityScore` is the JSON name of the topology spread score. */
export interface ClusterScore {
  affinityScore: number;
  priorityScore: number;
}

export interface ClusterDecision {
  clusterName: string;
  selected: boolean;
  clusterScore?: ClusterScore;
  reason: string;
}

/**
 * A ClusterResourceBinding reduced to what the scheduler reads and writes.
 * `policyHash` stands in for the policy snapshot name: a binding whose hash differs from the
 * current policy's is obsolete.
 */
export interface Binding {
  targetCluster: string;
  state: BindingState;
  policyHash: string;
  clusterDecision: ClusterDecision;
  /** The state before the scheduler unscheduled it (upstream annotation `kubernetes-fleet.io/previous-binding-state`). */
  previousState?: "Scheduled" | "Bound";
  /** The binding is being deleted (deletionTimestamp set): the scheduler leaves it alone. */
  deleting?: boolean;
}

export interface ScheduleOptions {
  /** Upstream `maxUnselectedClusterDecisionCount`. @default 20 */
  maxUnselectedClusterDecisionCount?: number;
  /** Heartbeat timeout of the eligibility checker, in milliseconds. @default 300000 (5 min) */
  heartbeatTimeoutMs?: number;
  /** Health timeout of the eligibility checker, in milliseconds. @default 300000 (5 min) */
  healthTimeoutMs?: number;
}

export interface ScheduleInput {
  /** Every MemberCluster of the fleet, ineligible ones included (they feed sorter min/max and topology domains). */
  clusters: MemberCluster[];
  /** ClusterResourcePlacement `spec.policy`; undefined means PickAll. */
  policy?: PlacementPolicy;
  /** The bindings a previous call returned. */
  bindings?: Binding[];
  /** Clock for the eligibility checks. @default the current time */
  now?: Date;
  options?: ScheduleOptions;
}

export interface ScheduleResult {
  /** Every binding after the cycle, sorted by target cluster; Unscheduled ones mark removals. */
  bindings: Binding[];
  /** Upstream order: selected, then not picked (best first), then filtered (name ascending). */
  decisions: ClusterDecision[];
  /** The policy snapshot's Scheduled condition. */
  condition: Condition;
  /** The hash of the policy, `numberOfClusters` excluded (what upstream's policy snapshot carries). */
  policyHash: string;
}

export type { FieldViolation } from "../../k8s/field-errors";
