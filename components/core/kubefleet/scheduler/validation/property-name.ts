// Property-name syntax, mirroring the webhook's `validateName` (kubefleet
// pkg/utils/validator/placement.go):
//  * `resources.kubernetes-fleet.io/<capacityType>-<resource>`: capacityType ∈ {total, allocatable,
//    available}, split on the first '-' only, and the whole name must be a qualified name;
//  * any other name: '/'-separated segments; the first may be a DNS subdomain (prefix) or a
//    qualified name, every later one must be a qualified name; a name without '/' is one
//    qualified name.

import { isDNS1123Subdomain, isQualifiedName } from "../../../k8s/names";

export const RESOURCE_PROPERTY_NAME_PREFIX = "resources.kubernetes-fleet.io/";
/** Sorted, as upstream prints them in its error message. */
export const RESOURCE_CAPACITY_TYPES: readonly string[] = ["allocatable", "available", "total"];

/** The webhook's error text for a bad property name, or undefined when the name is valid. */
export function describePropertyNameProblem(name: string): string | undefined {
  return name.startsWith(RESOURCE_PROPERTY_NAME_PREFIX) ? resourceNameProblem(name) : genericNameProblem(name);
}

function resourceNameProblem(name: string): string | undefined {
  const rest = name.slice(RESOURCE_PROPERTY_NAME_PREFIX.length);
  const dash = rest.indexOf("-");
  if (dash < 0) return `invalid resource property name ${name}, expected format is [PREFIX]/[CAPACITY_TYPE]-[RESOURCE_NAME]`;
  if (!RESOURCE_CAPACITY_TYPES.includes(rest.slice(0, dash))) {
    return `invalid capacity type in resource property name ${name}, supported values are [${RESOURCE_CAPACITY_TYPES.join(" ")}]`;
  }
  return qualifiedNameProblem(name);
}

function genericNameProblem(name: string): string | undefined {
  const segments = name.split("/");
  if (segments.length <= 1) return qualifiedNameProblem(name);
  const [first, ...others] = segments;
  const subdomainErrs = isDNS1123Subdomain(first);
  const qualifiedErrs = isQualifiedName(first);
  if (subdomainErrs.length > 0 && qualifiedErrs.length > 0) {
    return (
      `property name first segment ${first} is not valid: it is neither a valid DNS subdomain (${subdomainErrs.join("; ")})` +
      ` nor a valid qualified name (${qualifiedErrs.join("; ")})`
    );
  }
  for (const segment of others) {
    const errs = isQualifiedName(segment);
    if (errs.length > 0) return `property name segment ${segment} is not valid: ${errs.join("; ")}`;
  }
  return undefined;
}

function qualifiedNameProblem(name: string): string | undefined {
  const errs = isQualifiedName(name);
  return errs.length > 0 ? `property name ${name} is not valid: ${errs.join("; ")}` : undefined;
}
