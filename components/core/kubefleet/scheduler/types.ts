// Plain-data shapes of the KubeFleet APIs the scheduler reads and writes.
// Field names follow cluster.kubernetes-fleet.io/v1beta1 (MemberCluster) and
// placement.kubernetes-fleet.io/v1beta1 (ClusterResourcePlacement spec.policy, ClusterResourceBinding),
// so `kubectl get memberclusters -o json` items and a CRP's `spec.policy` can be fed in unchanged.

// Closed sets of values are objects of constants with the type of their values, so that TypeScript
// programs write the strings and the package schema has named enums (see core/fleet/enums.ts).

/** How a placement picks its clusters. */
export const PlacementType = {
  /** Every cluster that matches the affinity and tolerates the taints. */
  PickAll: "PickAll",
  /** The best `numberOfClusters` by score. */
  PickN: "PickN",
  /** Exactly the clusters of `clusterNames`. */
  PickFixed: "PickFixed",
} as const;
export type PlacementType = (typeof PlacementType)[keyof typeof PlacementType];

/** A label selector requirement's operator (apimachinery `LabelSelectorOperator`). */
export const LabelSelectorOperator = {
  /** The label's value is one of `values`. */
  In: "In",
  /** The label is absent, or its value is none of `values`. */
  NotIn: "NotIn",
  /** The label is present (`values` empty). */
  Exists: "Exists",
  /** The label is absent (`values` empty). */
  DoesNotExist: "DoesNotExist",
} as const;
export type LabelSelectorOperator = (typeof LabelSelectorOperator)[keyof typeof LabelSelectorOperator];

/** One requirement of a label selector. */
export interface LabelSelectorRequirement {
  /** The label key it reads. */
  key: string;
  /** How the label's value is compared with `values`. */
  operator: LabelSelectorOperator;
  /** The values for In and NotIn (non-empty); empty for Exists and DoesNotExist. */
  values?: string[];
}

/** A standard Kubernetes label selector: matchLabels and matchExpressions are AND-ed. */
export interface LabelSelector {
  /** Labels that must be present with exactly these values. */
  matchLabels?: Record<string, string>;
  /** Requirements that must all hold. */
  matchExpressions?: LabelSelectorRequirement[];
}

/** How a cluster property is compared with a requirement's value. */
export const PropertySelectorOperator = {
  /** Greater than. */
  Gt: "Gt",
  /** Greater than or equal. */
  Ge: "Ge",
  /** Equal. */
  Eq: "Eq",
  /** Not equal. */
  Ne: "Ne",
  /** Less than. */
  Lt: "Lt",
  /** Less than or equal. */
  Le: "Le",
} as const;
export type PropertySelectorOperator = (typeof PropertySelectorOperator)[keyof typeof PropertySelectorOperator];

/** One requirement on a cluster property. */
export interface PropertySelectorRequirement {
  /** The property's name (e.g. `kubernetes-fleet.io/node-count`). */
  name: string;
  /** How the property is compared with the value. */
  operator: PropertySelectorOperator;
  /** Exactly one Kubernetes quantity string. */
  values: string[];
}

/** Requirements on cluster properties, all of which must hold. */
export interface PropertySelector {
  /** The requirements. */
  matchExpressions: PropertySelectorRequirement[];
}

/** Which end of a property's range scores highest. */
export const PropertySortOrder = {
  /** The smallest value scores highest. */
  Ascending: "Ascending",
  /** The largest value scores highest. */
  Descending: "Descending",
} as const;
export type PropertySortOrder = (typeof PropertySortOrder)[keyof typeof PropertySortOrder];

/** Scores clusters by a property, scaled between the smallest and largest value among them. */
export interface PropertySorter {
  /** The property's name. */
  name: string;
  /** Which end scores highest. */
  sortOrder: PropertySortOrder;
}

/** One term of a cluster affinity: what a cluster's labels and properties must be. */
export interface ClusterSelectorTerm {
  /** The cluster's labels must match. */
  labelSelector?: LabelSelector;
  /** Required terms only. */
  propertySelector?: PropertySelector;
  /** Preferred terms only. */
  propertySorter?: PropertySorter;
}

/** A preferred term and what a matching cluster scores. */
export interface PreferredClusterSelector {
  /** -100..100. */
  weight: number;
  /** The term a cluster must match to score the weight. */
  preference: ClusterSelectorTerm;
}

/** Terms that are OR-ed: a cluster matches when any term matches. */
export interface ClusterSelector {
  /** The terms. */
  clusterSelectorTerms: ClusterSelectorTerm[];
}

/** Which clusters a placement may pick, and which it prefers. */
export interface ClusterAffinity {
  /** Only clusters that match are picked. */
  requiredDuringSchedulingIgnoredDuringExecution?: ClusterSelector;
  /** Matching clusters score the term's weight (PickN ranks by score). */
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredClusterSelector[];
}

/** A placement's affinity. */
export interface Affinity {
  /** Its cluster affinity. */
  clusterAffinity?: ClusterAffinity;
}

/** What a topology spread constraint does when it cannot be met. */
export const UnsatisfiableConstraintAction = {
  /** Clusters that would break the skew are not picked. */
  DoNotSchedule: "DoNotSchedule",
  /** Clusters that would break the skew score lower but can be picked. */
  ScheduleAnyway: "ScheduleAnyway",
} as const;
export type UnsatisfiableConstraintAction = (typeof UnsatisfiableConstraintAction)[keyof typeof UnsatisfiableConstraintAction];

/** Spreads a placement's picks evenly over the values of a cluster label. */
export interface TopologySpreadConstraint {
  /** The largest difference in picks allowed between two values of the label. Default 1, minimum 1. */
  maxSkew?: number;
  /** The cluster label whose values are the domains spread over. */
  topologyKey: string;
  /** What happens when the skew cannot be met. Default DoNotSchedule. */
  whenUnsatisfiable?: UnsatisfiableConstraintAction;
}

/** How a toleration matches a taint's value. */
export const TolerationOperator = {
  /** The taint's value equals the toleration's. */
  Equal: "Equal",
  /** Any value (the toleration has none). */
  Exists: "Exists",
} as const;
export type TolerationOperator = (typeof TolerationOperator)[keyof typeof TolerationOperator];

/** The one effect a MemberCluster taint takes. */
export type TaintEffect = "NoSchedule";

/** The taint effects a toleration names. */
export const TolerationEffect = {
  /** Tolerates NoSchedule taints. */
  NoSchedule: "NoSchedule",
  /** Tolerates taints of every effect. */
  Any: "",
} as const;
export type TolerationEffect = (typeof TolerationEffect)[keyof typeof TolerationEffect];

/** Lets a placement pick clusters with a matching taint. */
export interface Toleration {
  /** The taint key it tolerates; empty with Exists tolerates every taint. */
  key?: string;
  /** Default Equal. */
  operator?: TolerationOperator;
  /** The taint value, with Equal. */
  value?: string;
  /** Empty matches every effect. */
  effect?: TolerationEffect;
}

/** ClusterResourcePlacement `spec.policy`. */
export interface PlacementPolicy {
  /** Default PickAll. */
  placementType?: PlacementType;
  /** PickFixed: the clusters to place on. */
  clusterNames?: string[];
  /** PickN: how many clusters to pick. */
  numberOfClusters?: number;
  /** Which clusters may be picked and which are preferred. */
  affinity?: Affinity;
  /** PickN: how picks spread over cluster labels. */
  topologySpreadConstraints?: TopologySpreadConstraint[];
  /** The taints this placement tolerates. */
  tolerations?: Toleration[];
}

/** A MemberCluster's taint (`spec.taints`). */
export interface Taint {
  /** A label key. */
  key: string;
  /** A label value. */
  value?: string;
  /** A TaintEffect: NoSchedule is the only one a MemberCluster takes (its CRD's enum). */
  effect: string;
}

/** A condition's status (apimachinery `metav1.ConditionStatus`). */
export const ConditionStatus = {
  /** The condition holds. */
  True: "True",
  /** The condition does not hold. */
  False: "False",
  /** Whether the condition holds is not known. */
  Unknown: "Unknown",
} as const;
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

/**
 * A condition as the scheduler reads and writes it (apimachinery `metav1.Condition`). The times of the
 * MemberClusters' conditions may be Dates; what a Placement reports is a PlacementCondition.
 */
export interface Condition {
  /** What the condition is about (e.g. `Scheduled`). */
  type: string;
  /** Whether it holds. */
  status: ConditionStatus;
  /** Why, in one CamelCase word. */
  reason: string;
  /** Why, in a sentence. */
  message: string;
  /** When the status last changed. */
  lastTransitionTime?: string | Date;
  /** The generation of the object the condition was set for. */
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

/** A ClusterResourceBinding's state (upstream `BindingState`). */
export const BindingState = {
  /** Scheduled onto the cluster, not yet rolled out there. */
  Scheduled: "Scheduled",
  /** Rolled out to the cluster. */
  Bound: "Bound",
  /** No longer picked: the objects leave the cluster. */
  Unscheduled: "Unscheduled",
} as const;
export type BindingState = (typeof BindingState)[keyof typeof BindingState];

/** The state an Unscheduled binding had before (upstream annotation `kubernetes-fleet.io/previous-binding-state`). */
export const PreviousBindingState = {
  /** It was Scheduled. */
  Scheduled: "Scheduled",
  /** It was Bound. */
  Bound: "Bound",
} as const;
export type PreviousBindingState = (typeof PreviousBindingState)[keyof typeof PreviousBindingState];

/** Upstream `ClusterScore`; `priorityScore` is the JSON name of the topology spread score. */
export interface ClusterScore {
  /** The score from the preferred cluster affinity terms (upstream `AffinityScore`). */
  affinityScore: number;
  /** The score from the topology spread constraints (upstream `TopologySpreadScore`). */
  priorityScore: number;
}

/** Upstream `ClusterDecision`: whether a cluster was picked, and why. */
export interface ClusterDecision {
  /** The member cluster. */
  clusterName: string;
  /** The cluster was picked. */
  selected: boolean;
  /** Its score, when it was scored (not when it was filtered out). */
  clusterScore?: ClusterScore;
  /** Upstream's reason for the decision. */
  reason: string;
}

/**
 * A ClusterResourceBinding reduced to what the scheduler reads and writes.
 * `policyHash` stands in for the policy snapshot name: a binding whose hash differs from the
 * current policy's is obsolete.
 */
export interface Binding {
  /** The member cluster the binding places the objects on. */
  targetCluster: string;
  /** Where the binding is in its life. */
  state: BindingState;
  /** The hash of the policy that made the binding (a different hash makes it obsolete). */
  policyHash: string;
  /** The scheduler's decision behind the binding. */
  clusterDecision: ClusterDecision;
  /** The state before the scheduler unscheduled it (upstream annotation `kubernetes-fleet.io/previous-binding-state`). */
  previousState?: PreviousBindingState;
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
