// `policy.affinity.clusterAffinity`.
//
// Schema (CRD, every placement type): required `clusterSelectorTerms` (maxItems 10) when
// `requiredDuringSchedulingIgnoredDuringExecution` is set; each preferred item needs `weight`
// (int32 in [-100, 100]) and `preference`; plus the label/property selector and sorter schemas.
// Webhook (`validateClusterAffinity`, only for PickAll and PickN): required terms get their label
// selector and property selector checked and may not carry a property sorter; for PickAll any
// preferred term is an error ("will be ignored", still a denial); for PickN preferred terms get
// their label selector and property sorter checked and may not carry a property selector.

import { Affinity, ClusterAffinity, ClusterSelectorTerm, PreferredClusterSelector } from "../types";
import {
  at,
  checkArray,
  checkInteger,
  checkRequired,
  child,
  isSet,
  render,
  Violations,
  violation,
  withDetail,
} from "../../../k8s/field-errors";
import { labelSelectorSchemaViolations, labelSelectorWebhookViolations } from "../../../k8s/label-selector";
import {
  propertySelectorSchemaViolations,
  propertySelectorWebhookViolations,
  propertySorterSchemaViolations,
  propertySorterWebhookViolations,
} from "./property-selector";

export const MAX_REQUIRED_TERMS = 10;
export const MIN_WEIGHT = -100;
export const MAX_WEIGHT = 100;

const REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution";
const PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution";

/** Schema checks for every placement type, webhook checks for PickAll and PickN. */
export function affinityViolations(affinity: Affinity | undefined, placementType: string, path: string): Violations {
  const clusterAffinity = affinity?.clusterAffinity;
  if (!isSet(clusterAffinity)) return [];
  const base = child(path, "clusterAffinity");
  const webhook = placementType === "PickAll" || placementType === "PickN" ? placementType : undefined;
  return [
    ...requiredViolations(clusterAffinity, child(base, REQUIRED), webhook !== undefined),
    ...preferredViolations(clusterAffinity, child(base, PREFERRED), webhook),
  ];
}

function requiredViolations(ca: ClusterAffinity, path: string, webhook: boolean): Violations {
  const selector = ca.requiredDuringSchedulingIgnoredDuringExecution;
  if (!isSet(selector)) return [];
  const out: Violations = [];
  const termsPath = child(path, "clusterSelectorTerms");
  out.push(...checkRequired(selector.clusterSelectorTerms, termsPath));
  checkArray(selector.clusterSelectorTerms, termsPath, out, MAX_REQUIRED_TERMS).forEach((term, i) => {
    const termPath = at(termsPath, i);
    out.push(...termSchemaViolations(term, termPath));
    if (webhook) out.push(...requiredTermWebhookViolations(term, termPath));
  });
  return out;
}

/** `validateClusterSelector` for one required term. */
function requiredTermWebhookViolations(term: ClusterSelectorTerm | undefined, path: string): Violations {
  if (!isSet(term)) return [];
  const out = labelSelectorWebhookViolations(term.labelSelector, "cluster selector", child(path, "labelSelector"));
  if (isSet(term.propertySorter)) {
    const message = "PropertySorter is not allowed for RequiredDuringSchedulingIgnoredDuringExecution affinity";
    out.push(violation(child(path, "propertySorter"), withDetail(message, `got ${render(term.propertySorter)}`)));
  }
  out.push(...propertySelectorWebhookViolations(term.propertySelector, child(path, "propertySelector")));
  return out;
}

function preferredViolations(ca: ClusterAffinity, path: string, webhook: "PickAll" | "PickN" | undefined): Violations {
  const out: Violations = [];
  const items = checkArray(ca.preferredDuringSchedulingIgnoredDuringExecution, path, out);
  items.forEach((item, i) => {
    out.push(...preferredSchemaViolations(item, at(path, i)));
    if (webhook === "PickN") out.push(...preferredWebhookViolations(item, at(path, i)));
  });
  if (webhook === "PickAll" && items.length > 0) {
    // Upstream returns this as an error, so the request is denied despite the wording.
    const message = "PreferredDuringSchedulingIgnoredDuringExecution will be ignored for placement policy type PickAll";
    out.push(violation(path, withDetail(message, `got ${render(items)}`)));
  }
  return out;
}

function preferredSchemaViolations(item: PreferredClusterSelector | undefined, path: string): Violations {
  if (!isSet(item)) return [];
  return [
    ...checkRequired(item.weight, child(path, "weight")),
    ...checkInteger(item.weight, child(path, "weight"), MIN_WEIGHT, MAX_WEIGHT),
    ...checkRequired(item.preference, child(path, "preference")),
    ...termSchemaViolations(item.preference, child(path, "preference")),
  ];
}

/** `validatePreferredClusterSelectors` for one preferred item (PickN only). */
function preferredWebhookViolations(item: PreferredClusterSelector | undefined, path: string): Violations {
  const term = item?.preference;
  if (!isSet(term)) return [];
  const termPath = child(path, "preference");
  const out = labelSelectorWebhookViolations(term.labelSelector, "preferred cluster selector", child(termPath, "labelSelector"));
  if (isSet(term.propertySelector)) {
    const message = "PropertySelector is not allowed for PreferredDuringSchedulingIgnoredDuringExecution affinity";
    out.push(violation(child(termPath, "propertySelector"), withDetail(message, `got ${render(term.propertySelector)}`)));
  }
  out.push(...propertySorterWebhookViolations(term.propertySorter, child(termPath, "propertySorter")));
  return out;
}

function termSchemaViolations(term: ClusterSelectorTerm | undefined, path: string): Violations {
  if (!isSet(term)) return [];
  return [
    ...labelSelectorSchemaViolations(term.labelSelector, child(path, "labelSelector")),
    ...propertySelectorSchemaViolations(term.propertySelector, child(path, "propertySelector")),
    ...propertySorterSchemaViolations(term.propertySorter, child(path, "propertySorter")),
  ];
}
