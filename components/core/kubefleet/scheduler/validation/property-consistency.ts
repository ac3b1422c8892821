// The webhook's cross-requirement check on one property name (`validateRequirementsConsistency`
// in kubefleet pkg/utils/validator/placement.go). Only well-formed requirements take part
// (supported operator, one value, a parseable quantity); the first problem found is returned:
//  1. two Eq with different values (found while collecting, in requirement order);
//  2. Eq and Ne on the same value (compared as quantities, so "1000m" equals "1");
//  3. an empty interval between the tightest lower and upper bounds (Gt 10 + Lt 5, Gt x + Lt x,
//     Gt x + Le x, Ge x + Lt x);
//  4. an Eq value outside the tightest bounds (Gt 10 + Eq 10).
// Quantities are printed with Go's Quantity.String(), as upstream does.

import { PropertySelectorRequirement } from "../types";
import { Quantity, compareQuantities, formatQuantity, tryParseQuantity } from "../../../k8s/quantity";

/** The operators the webhook accepts on a property selector requirement (`supportedPropertyOperators`). */
export const PROPERTY_OPERATORS: readonly string[] = ["Gt", "Ge", "Eq", "Ne", "Lt", "Le"];

interface Bound {
  q: Quantity;
  strict: boolean;
}

interface Bounds {
  lower?: Bound;
  upper?: Bound;
  eq?: Quantity;
  ne: Quantity[];
}

/** The upstream error text for an unsatisfiable set of requirements on one property, or undefined. */
export function requirementsConsistencyProblem(reqs: readonly PropertySelectorRequirement[]): string | undefined {
  if (reqs.length < 2) return undefined;
  const collected = collectBounds(reqs);
  if (typeof collected === "string") return collected;
  return eqVersusNe(collected) ?? emptyInterval(collected) ?? eqOutsideBounds(collected);
}

function collectBounds(reqs: readonly PropertySelectorRequirement[]): Bounds | string {
  const bounds: Bounds = { ne: [] };
  for (const req of reqs) {
    if (!PROPERTY_OPERATORS.includes(req.operator) || !Array.isArray(req.values) || req.values.length !== 1) continue;
    const q = tryParseQuantity(req.values[0]);
    if (q === undefined) continue;
    switch (req.operator) {
      case "Eq":
        if (bounds.eq !== undefined && compareQuantities(bounds.eq, q) !== 0) {
          return `conflicting Eq values ${formatQuantity(bounds.eq)} and ${formatQuantity(q)}`;
        }
        bounds.eq = q;
        break;
      case "Ne":
        bounds.ne.push(q);
        break;
      case "Gt":
      case "Ge":
        bounds.lower = tighter(bounds.lower, { q, strict: req.operator === "Gt" }, 1);
        break;
      case "Lt":
      case "Le":
        bounds.upper = tighter(bounds.upper, { q, strict: req.operator === "Lt" }, -1);
        break;
    }
  }
  return bounds;
}

/** Keeps the more restrictive bound: larger lower (direction 1) or smaller upper (-1); strict wins a tie. */
function tighter(current: Bound | undefined, next: Bound, direction: 1 | -1): Bound {
  if (current === undefined) return next;
  const cmp = compareQuantities(next.q, current.q);
  if (cmp !== 0) return cmp === direction ? next : current;
  return next.strict && !current.strict ? next : current;
}

function eqVersusNe(b: Bounds): string | undefined {
  if (b.eq === undefined) return undefined;
  const eq = b.eq;
  return b.ne.some((ne) => compareQuantities(eq, ne) === 0) ? `conflicting Eq and Ne on same value ${formatQuantity(eq)}` : undefined;
}

function emptyInterval(b: Bounds): string | undefined {
  if (b.lower === undefined || b.upper === undefined) return undefined;
  const cmp = compareQuantities(b.lower.q, b.upper.q);
  if (cmp > 0 || (cmp === 0 && (b.lower.strict || b.upper.strict))) {
    return `lower bound (${formatQuantity(b.lower.q)}) and upper bound (${formatQuantity(b.upper.q)}) exclude all values`;
  }
  return undefined;
}

function eqOutsideBounds(b: Bounds): string | undefined {
  if (b.eq === undefined) return undefined;
  if (b.lower !== undefined) {
    const cmp = compareQuantities(b.eq, b.lower.q);
    if (cmp < 0 || (cmp === 0 && b.lower.strict))
      return `eq value ${formatQuantity(b.eq)} violates lower bound ${formatQuantity(b.lower.q)}`;
  }
  if (b.upper !== undefined) {
    const cmp = compareQuantities(b.eq, b.upper.q);
    if (cmp > 0 || (cmp === 0 && b.upper.strict))
      return `eq value ${formatQuantity(b.eq)} violates upper bound ${formatQuantity(b.upper.q)}`;
  }
  return undefined;
}
