// Property selectors (required terms) and property sorters (preferred terms).
//
// Schema (CRD): selector.matchExpressions required; each requirement needs name, operator and
// values, with `values` maxItems 1; sorter needs name and sortOrder ∈ {Ascending, Descending}.
// Webhook (kubefleet pkg/utils/validator/placement.go): property-name syntax (`validateName`),
// operator ∈ {Gt, Ge, Eq, Ne, Lt, Le}, exactly one value that parses as a resource.Quantity
// (`validateOperatorAndValues`), and per-name consistency (`validateRequirementsConsistency`).

import { PropertySelector, PropertySelectorRequirement, PropertySorter } from "../types";
import { at, checkArray, checkEnum, checkRequired, child, isSet, Violations, violation } from "../../../k8s/field-errors";
import { describePropertyNameProblem } from "./property-name";
import { PROPERTY_OPERATORS, requirementsConsistencyProblem } from "./property-consistency";
import { QuantityError, parseQuantity } from "../../../k8s/quantity";

export const SORT_ORDERS: readonly string[] = ["Ascending", "Descending"];

/** Schema checks of a property selector, wherever it appears. */
export function propertySelectorSchemaViolations(selector: PropertySelector | undefined, path: string): Violations {
  if (!isSet(selector)) return [];
  const out: Violations = [];
  const exprPath = child(path, "matchExpressions");
  out.push(...checkRequired(selector.matchExpressions, exprPath));
  checkArray(selector.matchExpressions, exprPath, out).forEach((req, i) => {
    const reqPath = at(exprPath, i);
    out.push(...checkRequired(req?.name, child(reqPath, "name")));
    out.push(...checkRequired(req?.operator, child(reqPath, "operator")));
    out.push(...checkRequired(req?.values, child(reqPath, "values")));
    // CRD `maxItems: 1`; the webhook's "requires exactly one value, got N" for N > 1 is never reached.
    checkArray(req?.values, child(reqPath, "values"), out, 1);
  });
  return out;
}

/** Webhook checks of a property selector in a required term. */
export function propertySelectorWebhookViolations(selector: PropertySelector | undefined, path: string): Violations {
  if (!isSet(selector) || !Array.isArray(selector.matchExpressions)) return [];
  const exprPath = child(path, "matchExpressions");
  const out: Violations = [];
  selector.matchExpressions.forEach((req, i) => out.push(...requirementViolations(req, at(exprPath, i))));
  out.push(...consistencyViolations(selector.matchExpressions, exprPath));
  return out;
}

function requirementViolations(req: PropertySelectorRequirement | undefined, path: string): Violations {
  if (!isSet(req)) return [];
  const out: Violations = [];
  if (isSet(req.name)) {
    const problem = describePropertyNameProblem(String(req.name));
    if (problem) out.push(violation(child(path, "name"), `invalid property name ${req.name}: ${problem}`));
  }
  const opProblem = operatorAndValuesProblem(req, path);
  if (opProblem) out.push(violation(opProblem.path, `invalid requirement on property ${req.name}: ${opProblem.message}`));
  return out;
}

/** `validateOperatorAndValues`: the first problem only, as upstream returns on the first error. */
function operatorAndValuesProblem(req: PropertySelectorRequirement, path: string): { path: string; message: string } | undefined {
  if (!isSet(req.operator) || !Array.isArray(req.values)) return undefined; // schema: Required value
  if (!PROPERTY_OPERATORS.includes(req.operator)) {
    return { path: child(path, "operator"), message: `unsupported operator ${req.operator}` };
  }
  if (req.values.length > 1) return undefined; // schema maxItems 1 reports it first
  if (req.values.length !== 1) {
    return { path: child(path, "values"), message: `operator ${req.operator} requires exactly one value, got ${req.values.length}` };
  }
  const value = String(req.values[0]);
  const parseError = quantityParseError(value);
  if (parseError === undefined) return undefined;
  return { path: at(child(path, "values"), 0), message: `value ${JSON.stringify(value)} is not a valid resource.Quantity: ${parseError}` };
}

function quantityParseError(value: string): string | undefined {
  try {
    parseQuantity(value);
    return undefined;
  } catch (err) {
    if (err instanceof QuantityError) return err.goMessage;
    throw err;
  }
}

/** `validateRequirementsConsistency`, per property name in order of first appearance. */
function consistencyViolations(reqs: PropertySelectorRequirement[], exprPath: string): Violations {
  const byName = new Map<string, PropertySelectorRequirement[]>();
  for (const req of reqs) {
    if (!isSet(req) || !isSet(req.name)) continue;
    byName.set(req.name, [...(byName.get(req.name) ?? []), req]);
  }
  const out: Violations = [];
  for (const [name, group] of byName) {
    const problem = requirementsConsistencyProblem(group);
    if (problem) out.push(violation(exprPath, `inconsistent requirements on property ${name}: ${problem}`));
  }
  return out;
}

/** Schema checks of a property sorter: name and sortOrder required, sortOrder an enum. */
export function propertySorterSchemaViolations(sorter: PropertySorter | undefined, path: string): Violations {
  if (!isSet(sorter)) return [];
  return [
    ...checkRequired(sorter.name, child(path, "name")),
    ...checkRequired(sorter.sortOrder, child(path, "sortOrder")),
    // The webhook's "invalid property sort order X" is never reached: the enum rejects X first.
    ...checkEnum(sorter.sortOrder, SORT_ORDERS, child(path, "sortOrder")),
  ];
}

/** Webhook checks of a property sorter in a preferred term (`validatePropertySorter`): the name only. */
export function propertySorterWebhookViolations(sorter: PropertySorter | undefined, path: string): Violations {
  if (!isSet(sorter) || !isSet(sorter.name)) return [];
  const problem = describePropertyNameProblem(sorter.name);
  return problem ? [violation(child(path, "name"), problem)] : [];
}
