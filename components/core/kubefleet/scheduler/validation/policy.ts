// `spec.policy` of a ClusterResourcePlacement: the CRD schema, its CEL rules and the kubefleet
// validating webhook (pkg/utils/validator/placement.go), as one list of violations.
//
// Order of evaluation in the API server: defaulting, then OpenAPI schema + CEL, then the webhook,
// which only runs when the first two pass. We report the union, but where CEL/schema and the
// webhook reject the same thing we report it once, with the CEL/schema message (the one a user
// sees first). The webhook duplicates dropped this way: "cluster names needs to be empty…",
// "number of clusters must be nil…", "number of cluster cannot be nil for policy type PickN",
// "number of clusters cannot be -1 for policy type PickN" (schema minimum 0), "affinity must be
// nil…", "topology spread constraints needs to be empty…", "tolerations needs to be empty…".

import { PlacementPolicy } from "../types";
import {
  at,
  byteLength,
  checkArray,
  checkEnum,
  checkInteger,
  isSet,
  render,
  Violations,
  violation,
  withDetail,
} from "../../../k8s/field-errors";
import { affinityViolations } from "./affinity";
import { DNS1035_LABEL_MAX_LENGTH, isDNS1123Subdomain } from "../../../k8s/names";
import { topologySpreadViolations } from "./topology";
import { tolerationsUpdateViolations, tolerationsViolations } from "./tolerations";

export const PLACEMENT_TYPES: readonly string[] = ["PickAll", "PickN", "PickFixed"];
export const MAX_CLUSTER_NAMES = 100;

const CEL_PICK_FIXED =
  "affinity, numberOfClusters, topologySpreadConstraints, and tolerations cannot be set when placementType is PickFixed";
const CEL_PICK_ALL = "clusterNames, numberOfClusters, and topologySpreadConstraints cannot be set when placementType is PickAll";
const CEL_PICK_N = "clusterNames cannot be set and numberOfClusters must be set when placementType is PickN";

/** The CRD default: an unset (or empty) placementType is PickAll. */
function placementTypeOf(policy: PlacementPolicy): string {
  return policy.placementType || "PickAll";
}

/** Every upstream rule on a policy; [] means valid. An undefined policy is valid (PickAll). */
export function validatePolicy(policy: PlacementPolicy | undefined): Violations {
  if (!isSet(policy)) return [];
  const type = placementTypeOf(policy);
  const webhookValidatesTolerations = type === "PickAll" || type === "PickN";
  return [
    ...checkEnum(policy.placementType || undefined, PLACEMENT_TYPES, "policy.placementType"),
    ...placementTypeCelViolations(policy, type),
    ...clusterNamesViolations(policy, type),
    ...checkInteger(policy.numberOfClusters, "policy.numberOfClusters", 0),
    ...affinityViolations(policy.affinity, type, "policy.affinity"),
    ...topologySpreadViolations(policy.topologySpreadConstraints, "policy.topologySpreadConstraints"),
    ...tolerationsViolations(policy.tolerations, webhookValidatesTolerations, "policy.tolerations"),
  ];
}

interface CelRule {
  message: string;
  /** Fields the rule forbids (`!has(self.<field>)`). */
  forbidden: (keyof PlacementPolicy)[];
  /** The rule also demands `has(self.numberOfClusters)`. */
  requiresNumberOfClusters?: boolean;
}

/** The three CEL rules on `spec.policy` tying fields to the placement type. */
const CEL_RULES = new Map<string, CelRule>([
  ["PickFixed", { message: CEL_PICK_FIXED, forbidden: ["affinity", "numberOfClusters", "topologySpreadConstraints", "tolerations"] }],
  ["PickAll", { message: CEL_PICK_ALL, forbidden: ["clusterNames", "numberOfClusters", "topologySpreadConstraints"] }],
  ["PickN", { message: CEL_PICK_N, forbidden: ["clusterNames"], requiresNumberOfClusters: true }],
]);

/** One violation per failing rule, quoting every offending field (`has()` is true even for an empty list). */
function placementTypeCelViolations(policy: PlacementPolicy, type: string): Violations {
  const rule = CEL_RULES.get(type);
  if (rule === undefined) return [];
  const details = rule.forbidden.filter((field) => isSet(policy[field])).map((field) => `${field} ${render(policy[field])}`);
  if (rule.requiresNumberOfClusters && !isSet(policy.numberOfClusters)) details.push("numberOfClusters unset");
  return details.length === 0 ? [] : [violation("policy", withDetail(rule.message, `got ${details.join(", ")}`))];
}

/** Schema maxItems for every type; the webhook's PickFixed checks (names, length, uniqueness). */
function clusterNamesViolations(policy: PlacementPolicy, type: string): Violations {
  const out: Violations = [];
  const names = checkArray(policy.clusterNames, "policy.clusterNames", out, MAX_CLUSTER_NAMES);
  // Webhook: an empty list is allowed since kubefleet#719 (PickFixed "scale to zero").
  if (type === "PickFixed") out.push(...pickFixedNameViolations(names));
  return out;
}

function pickFixedNameViolations(names: string[]): Violations {
  const out: Violations = [];
  const seen = new Set<string>();
  let duplicateReported = false;
  names.map(String).forEach((name, i) => {
    const path = at("policy.clusterNames", i);
    const dnsErrs = isDNS1123Subdomain(name);
    if (dnsErrs.length > 0) out.push(violation(path, `PickFixed cluster name ${name} is not a valid member name: ${dnsErrs.join("; ")}`));
    if (byteLength(name) > DNS1035_LABEL_MAX_LENGTH) {
      out.push(violation(path, `PickFixed cluster name ${name} cannot have length exceeding ${DNS1035_LABEL_MAX_LENGTH}`));
    }
    // Upstream reports the first duplicate only (and stops checking names there; we keep checking).
    if (seen.has(name) && !duplicateReported) {
      out.push(violation(path, withDetail("cluster names must be unique for policy type PickFixed", `got ${render(name)} more than once`)));
      duplicateReported = true;
    }
    seen.add(name);
  });
  return out;
}

/**
 * The rules that compare a policy with the one it replaces: CEL "policy cannot be removed once set"
 * and "placement type is immutable", the webhook's stricter type check (an unset policy counts as
 * PickAll, so unset -> PickN is a change) and its toleration rule (only additions allowed).
 * Validate the new policy itself with validatePolicy.
 */
export function validatePolicyUpdate(oldPolicy: PlacementPolicy | undefined, newPolicy: PlacementPolicy | undefined): Violations {
  if (!isSet(newPolicy)) {
    // CEL on spec; the webhook's "placement type is immutable" for this case is never reached.
    return isSet(oldPolicy)
      ? [violation("policy", withDetail("policy cannot be removed once set", `got no policy, was ${render(oldPolicy)}`))]
      : [];
  }
  const out: Violations = [];
  const oldType = isSet(oldPolicy) ? placementTypeOf(oldPolicy) : "PickAll";
  const newType = placementTypeOf(newPolicy);
  if (oldType !== newType) {
    const before = isSet(oldPolicy) ? `was ${render(oldType)}` : `there was no policy, which counts as ${render(oldType)}`;
    const detail = `got ${render(newType)}; ${before}`;
    out.push(violation("policy.placementType", withDetail("placement type is immutable", detail)));
  }
  out.push(...tolerationsUpdateViolations(oldPolicy?.tolerations, newPolicy.tolerations, "policy.tolerations"));
  return out;
}
