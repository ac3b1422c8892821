import { LabelSelector, LabelSelectorRequirement } from "./types";

// Kubernetes label-selector semantics (apimachinery labels.Selector): matchLabels and every
// matchExpressions requirement are AND-ed; an empty selector matches everything.

function requirementMatches(req: LabelSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const values = req.values ?? [];
  switch (req.operator) {
    case "In":
      return has && values.includes(labels[req.key]);
    case "NotIn":
      // apimachinery: NotIn also matches when the key is absent.
      return !has || !values.includes(labels[req.key]);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    default:
      throw new Error(`label selector operator "${String(req.operator)}" is not one of In, NotIn, Exists, DoesNotExist`);
  }
}

/** True when `labels` satisfy `selector` (an empty selector matches every label set). */
export function labelSelectorMatches(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const set = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (set[key] !== value || !Object.prototype.hasOwnProperty.call(set, key)) return false;
  }
  return (selector.matchExpressions ?? []).every((req) => requirementMatches(req, set));
}
