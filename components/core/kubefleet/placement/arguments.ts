// The rules a Placement's arguments are refused by before anything is registered: what the API
// server and the webhook refuse of a ClusterResourcePlacement (kubefleet-dev/kubefleet
// pkg/utils/validator/placement.go `validatePlacement`: name length, resource selectors, policy,
// rollout strategy) plus fleetmesh's own (manifests that are Kubernetes objects; a hub for hub mode;
// properties only for members, named and valued as a MemberCluster's, kubefleet-dev/kubefleet
// apis/cluster/v1beta1/membercluster_types.go; a previous state in the one format it reads).
// Pure: no Pulumi import.

import { isMapping } from "../../fleet/own";
import { FieldViolation, isSet, render, withDetail, wrongType } from "../../k8s/field-errors";
import { isDNS1123Subdomain } from "../../k8s/names";
import { tryParseQuantity } from "../../k8s/quantity";
import { PlacementPolicy, validatePolicy, validateRolloutStrategy } from "../scheduler";
import { RolloutStrategy } from "../scheduler/validation";
import { RESOURCE_PROPERTY_NAME_PREFIX, describePropertyNameProblem } from "../scheduler/validation/property-name";
import { resourceSelectorViolations } from "./resource-selection";
import { isKubernetesObject, manifestViolations } from "./manifests";
import { PLACEMENT_STATE_VERSION } from "./state-output";
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
  /** The hub inventory, as given: each must be a Kubernetes object (it tells the scope of the kinds it declares). */
  resources?: readonly unknown[];
  /** Checked when given: the API server's and the webhook's rules for `spec.resourceSelectors`. */
  resourceSelectors?: unknown;
  /** `state.previous` when given as a plain value (an Output is checked once it resolves: previousStateViolations). */
  previousState?: unknown;
}

/** Everything wrong with the arguments; [] means they are valid. */
export function placementArgumentViolations(facts: PlacementArgumentFacts): FieldViolation[] {
  return [
    ...manifestViolations(facts.resources ?? []),
    ...selectorViolations(facts),
    ...validatePolicy(facts.policy),
    ...validateRolloutStrategy(facts.strategy),
    ...nameViolations(facts.name, facts.mode),
    ...hubViolations(facts),
    ...propertyViolations(facts),
    ...previousStateViolations(facts.previousState),
  ];
}

/**
 * A previous state given that is not one this version reads (an object of `version` 1 with its
 * bindings): planning with it would read its bindings wrongly. Absent (undefined or null) is a first run.
 */
export function previousStateViolations(previous: unknown): FieldViolation[] {
  if (previous === undefined || previous === null) return [];
  if (!isMapping(previous)) return [{ path: "state.previous", message: wrongType(previous, "object") }];
  const out: FieldViolation[] = [];
  if (previous.version !== PLACEMENT_STATE_VERSION)
    out.push({
      path: "state.previous.version",
      message: `Unsupported value: ${render(previous.version)}: supported values: ${PLACEMENT_STATE_VERSION} (the one format of a placement's state this version reads)`,
    });
  if (!isSet(previous.bindings))
    out.push({ path: "state.previous.bindings", message: withDetail("Required value", "a placement's state holds its bindings") });
  else if (!Array.isArray(previous.bindings)) out.push({ path: "state.previous.bindings", message: wrongType(previous.bindings, "array") });
  return out;
}

function selectorViolations(facts: PlacementArgumentFacts): FieldViolation[] {
  if (!Object.prototype.hasOwnProperty.call(facts, "resourceSelectors")) return [];
  // Selectors are checked against the manifests that are Kubernetes objects (the others are refused above).
  return resourceSelectorViolations((facts.resources ?? []).filter(isKubernetesObject), facts.resourceSelectors);
}

function nameViolations(name: string, mode: PlacementMode | undefined): FieldViolation[] {
  if (name.length > MAX_PLACEMENT_NAME_LENGTH)
    return [
      {
        path: "name",
        message: `placement name "${name}" is ${name.length} characters: ClusterResourcePlacement names are at most ${MAX_PLACEMENT_NAME_LENGTH} (DNS-1035 label length)`,
      },
    ];
  // The API server's rule for a custom object's name (apimachinery ValidateObjectMeta, NameIsDNSSubdomain).
  const problems = mode === "hub" ? isDNS1123Subdomain(name) : [];
  return problems.map((problem) => ({
    path: "name",
    message: `placement name "${name}" is not a valid ClusterResourcePlacement name in hub mode: ${problem}`,
  }));
}

function hubViolations(facts: PlacementArgumentFacts): FieldViolation[] {
  if (facts.mode !== "hub" || facts.hasHub) return [];
  return [{ path: "hub", message: `mode "hub" needs hub: { provider }, the KubeFleet hub to hand the ClusterResourcePlacement to` }];
}

function propertyViolations(facts: PlacementArgumentFacts): FieldViolation[] {
  const members = new Set(facts.memberNames);
  const given = facts.memberProperties ?? {};
  return Object.keys(given).flatMap((member) => {
    const path = `memberProperties${segment(member)}`;
    if (!members.has(member)) return [{ path, message: `"${member}" is not a member of the fleet` }];
    const properties: unknown = given[member];
    if (typeof properties !== "object" || properties === null || Array.isArray(properties)) return [];
    return Object.entries(properties).flatMap(([name, value]) => propertyEntryViolations(`${path}[${JSON.stringify(name)}]`, name, value));
  });
}

/** A MemberCluster property: a property name (a label name) whose value is a Kubernetes quantity. */
function propertyEntryViolations(path: string, name: string, value: unknown): FieldViolation[] {
  const out: FieldViolation[] = [];
  if (name.startsWith(RESOURCE_PROPERTY_NAME_PREFIX)) {
    out.push({
      path,
      message: `property "${name}" cannot be given: names under ${RESOURCE_PROPERTY_NAME_PREFIX} are read from a cluster's reported resource usage, not its properties, so the scheduler would never see it`,
    });
  } else {
    const problem = describePropertyNameProblem(name);
    if (problem !== undefined) out.push({ path, message: `property name "${name}" is invalid: ${problem}` });
  }
  if (typeof value !== "string" || tryParseQuantity(value) === undefined)
    out.push({
      path,
      message: `property value ${JSON.stringify(value) ?? String(value)} of "${name}" is not a Kubernetes quantity (e.g. "3", "100m", "8Gi"): property selectors and sorters compare quantities`,
    });
  return out;
}

/** `.east-1`, or `["Bad.Name"]` when the key is not a plain path segment. */
function segment(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
