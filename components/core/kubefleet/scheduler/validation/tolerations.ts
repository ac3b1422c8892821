// `policy.tolerations`.
//
// Schema (CRD): maxItems 100; operator ∈ {Equal, Exists} (default Equal); effect ∈ {NoSchedule}.
// CEL on the list (every placement type): "value must be empty when operator is Exists" and
// "operator must be Exists when key is empty". The webhook (`validateTolerations`, PickAll and
// PickN only) repeats both with its own wording ("toleration value needs to be empty, when
// operator is Exists", "toleration key cannot be empty, when operator is Equal"); CEL runs first,
// so only the CEL message is reported. Webhook-only: a non-empty key must be a qualified name, an
// Equal value must be a valid label value, and tolerations must be unique. Update rule
// (`IsTolerationsUpdatedOrDeleted`): every old toleration must still be present.
//
// An empty-string operator or effect is treated as unset (Go's omitempty never sends it).

import { Toleration } from "../types";
import { at, checkArray, checkEnum, child, isSet, Violations, violation, withDetail } from "../../../k8s/field-errors";
import { isQualifiedName, isValidLabelValue } from "../../../k8s/names";

export const MAX_TOLERATIONS = 100;
const OPERATORS: readonly string[] = ["Equal", "Exists"];
const EFFECTS: readonly string[] = ["NoSchedule"];

interface DefaultedToleration {
  key: string;
  operator: string;
  value: string;
  effect: string;
}

function defaulted(t: Toleration): DefaultedToleration {
  return { key: t.key ?? "", operator: t.operator || "Equal", value: t.value ?? "", effect: t.effect ?? "" };
}

/** Go's `%+v` of the (defaulted) toleration struct, as the webhook prints it. */
export function goToleration(t: Toleration): string {
  const d = defaulted(t);
  return `{Key:${d.key} Operator:${d.operator} Value:${d.value} Effect:${d.effect}}`;
}

/** `webhook` is true for the placement types whose webhook validates tolerations (PickAll, PickN). */
export function tolerationsViolations(tolerations: Toleration[] | undefined, webhook: boolean, path: string): Violations {
  const out: Violations = [];
  const seen = new Set<string>();
  checkArray(tolerations, path, out, MAX_TOLERATIONS).forEach((t, i) => {
    if (!isSet(t)) return;
    const itemPath = at(path, i);
    out.push(...schemaViolations(t, itemPath), ...celViolations(t, itemPath));
    if (!webhook) return;
    out.push(...webhookViolations(t, itemPath));
    const identity = goToleration(t);
    // Upstream keys a map by the struct: duplicates compare after defaulting.
    if (seen.has(identity)) out.push(violation(itemPath, `toleration ${identity} already exists, tolerations must be unique`));
    seen.add(identity);
  });
  return out;
}

function schemaViolations(t: Toleration, path: string): Violations {
  return [
    ...checkEnum(t.operator || undefined, OPERATORS, child(path, "operator")),
    ...checkEnum(t.effect || undefined, EFFECTS, child(path, "effect")),
  ];
}

function celViolations(t: Toleration, path: string): Violations {
  const d = defaulted(t);
  const out: Violations = [];
  if (d.operator === "Exists" && d.value !== "") {
    out.push(
      violation(child(path, "value"), withDetail("value must be empty when operator is Exists", `got value ${JSON.stringify(d.value)}`)),
    );
  }
  if (d.key === "" && d.operator !== "Exists") {
    out.push(
      violation(
        child(path, "operator"),
        withDetail("operator must be Exists when key is empty", `got operator ${JSON.stringify(d.operator)} with an empty key`),
      ),
    );
  }
  return out;
}

function webhookViolations(t: Toleration, path: string): Violations {
  const d = defaulted(t);
  const shown = goToleration(t);
  const out: Violations = [];
  if (d.key !== "") {
    for (const msg of isQualifiedName(d.key)) out.push(violation(child(path, "key"), `invalid toleration key ${shown}: ${msg}`));
  }
  if (d.operator === "Equal") {
    for (const msg of isValidLabelValue(d.value)) out.push(violation(child(path, "value"), `invalid toleration value ${shown}: ${msg}`));
  }
  return out;
}

/** The webhook's update rule: existing tolerations may not be changed or removed, only added to. */
export function tolerationsUpdateViolations(
  oldTolerations: Toleration[] | undefined,
  newTolerations: Toleration[] | undefined,
  path: string,
): Violations {
  const kept = new Set((newTolerations ?? []).filter(isSet).map(goToleration));
  const missing = (oldTolerations ?? [])
    .filter(isSet)
    .map(goToleration)
    .filter((t) => !kept.has(t));
  if (missing.length === 0) return [];
  const message = "tolerations have been updated/deleted, only additions to tolerations are allowed";
  return [violation(path, withDetail(message, `removed or changed: ${missing.join(", ")}`))];
}
