import type { LabelSelector, LabelSelectorRequirement } from "../kubefleet/scheduler";

// Kubernetes label-selector semantics (apimachinery labels.Selector): matchLabels and every
// matchExpressions requirement are AND-ed; an empty selector matches everything.

/** A selector apimachinery's LabelSelectorAsSelector refuses; upstream's scheduling cycle fails on it. */
export class LabelSelectorError extends Error {}

function checkRequirement(req: LabelSelectorRequirement): void {
  const values = req.values ?? [];
  if ((req.operator === "In" || req.operator === "NotIn") && values.length === 0) {
    throw new LabelSelectorError(`values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty (key "${req.key}")`);
  }
  if ((req.operator === "Exists" || req.operator === "DoesNotExist") && values.length > 0) {
    throw new LabelSelectorError(
      `values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist (key "${req.key}")`,
    );
  }
}

function requirementMatches(req: LabelSelectorRequirement, labels: Record<string, string>): boolean {
  checkRequirement(req);
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
      throw new LabelSelectorError(`"${String(req.operator)}" is not a valid label selector operator`);
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
