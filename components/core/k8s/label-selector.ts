// Label selectors inside cluster selector terms.
//
// The CRD schema only requires `key` and `operator` on each matchExpressions item (no operator
// enum, no key pattern). The webhook (`validateLabelSelector` in kubefleet
// pkg/utils/validator/placement.go) converts the selector with `metav1.LabelSelectorAsSelector`,
// which rejects unknown operators and runs `labels.NewRequirement` (key: qualified name; In/NotIn
// need values; Exists/DoesNotExist forbid them; every value a valid label value). Upstream stops at
// the first bad requirement; we report every bad requirement at its own path.

import type { LabelSelector, LabelSelectorRequirement } from "../kubefleet/scheduler";
import { at, checkArray, checkRequired, child, goStringSlice, isSet, keyed, Violations, violation } from "./field-errors";
import { isQualifiedName, isValidLabelValue } from "./names";

/** Which selector the webhook message names: "cluster selector" (required) or "preferred cluster selector". */
export type SelectorParent = "cluster selector" | "preferred cluster selector";

const knownOperators: readonly string[] = ["In", "NotIn", "Exists", "DoesNotExist"];

/** OpenAPI schema checks: matchExpressions items need `key` and `operator`. */
export function labelSelectorSchemaViolations(selector: LabelSelector | undefined, path: string): Violations {
  if (!isSet(selector)) return [];
  const out: Violations = [];
  const exprPath = child(path, "matchExpressions");
  checkArray(selector.matchExpressions, exprPath, out).forEach((req, i) => {
    out.push(...checkRequired(req?.key, child(at(exprPath, i), "key")));
    out.push(...checkRequired(req?.operator, child(at(exprPath, i), "operator")));
  });
  return out;
}

/** Webhook checks (`LabelSelectorAsSelector`); missing keys/operators are left to the schema check. */
export function labelSelectorWebhookViolations(selector: LabelSelector | undefined, parent: SelectorParent, path: string): Violations {
  if (!isSet(selector)) return [];
  // Upstream: fmt.Errorf("the labelSelector in %s %+v is invalid: %w", parent, labelSelector, err);
  // we print the selector as JSON instead of Go's %+v.
  const wrap = (inner: string) => `the labelSelector in ${parent} ${JSON.stringify(selector)} is invalid: ${inner}`;
  const out: Violations = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    // matchLabels entries become `key Equals [value]` requirements.
    for (const inner of requirementErrors(key, "Equals", [String(value)]))
      out.push(violation(keyed(child(path, "matchLabels"), key), wrap(inner.message)));
  }
  const exprPath = child(path, "matchExpressions");
  (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []).forEach((req, i) => {
    out.push(...expressionViolations(req, at(exprPath, i)).map((v) => violation(v.path, wrap(v.message))));
  });
  return out;
}

function expressionViolations(req: LabelSelectorRequirement | undefined, path: string): Violations {
  if (!isSet(req) || !isSet(req.key) || !isSet(req.operator)) return []; // schema reports the missing field
  if (!knownOperators.includes(req.operator)) {
    return [violation(child(path, "operator"), `${JSON.stringify(req.operator)} is not a valid label selector operator`)];
  }
  return requirementErrors(String(req.key), req.operator, (req.values ?? []).map(String)).map((e) => violation(e.at(path), e.message));
}

interface RequirementError {
  /** Where the problem sits, relative to the requirement's path. */
  at: (requirementPath: string) => string;
  /** `labels.NewRequirement`'s field.Error text (its own relative path first). */
  message: string;
}

/** `labels.NewRequirement` for the operators a LabelSelector can produce. */
function requirementErrors(key: string, op: "Equals" | "In" | "NotIn" | "Exists" | "DoesNotExist", values: string[]): RequirementError[] {
  const errs: RequirementError[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) {
    errs.push({
      at: (p) => (op === "Equals" ? p : child(p, "key")),
      message: `key: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join("; ")}`,
    });
  }
  if ((op === "In" || op === "NotIn") && values.length === 0) {
    errs.push({
      at: (p) => child(p, "values"),
      message: `values: Invalid value: ${goStringSlice(values)}: for 'in', 'notin' operators, values set can't be empty`,
    });
  }
  if ((op === "Exists" || op === "DoesNotExist") && values.length !== 0) {
    errs.push({
      at: (p) => child(p, "values"),
      message: `values: Invalid value: ${goStringSlice(values)}: values set must be empty for exists and does not exist`,
    });
  }
  values.forEach((value, i) => {
    const valueErrs = isValidLabelValue(value);
    if (valueErrs.length === 0) return;
    errs.push({
      at: (p) => (op === "Equals" ? p : at(child(p, "values"), i)),
      message: `values[${i}][${key}]: Invalid value: ${JSON.stringify(value)}: ${valueErrs.join("; ")}`,
    });
  });
  return errs;
}
