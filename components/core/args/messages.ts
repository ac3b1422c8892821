// The structural check's messages, in the wording of apimachinery's `field.Error` (as field-errors.ts
// writes the OpenAPI-schema failures): "Invalid value: <v>: must be of type string: \"number\"",
// "Unsupported value: <v>: supported values: ...", "Required value"; plus the unknown-field refusal.

import { requiredValue } from "../k8s/field-errors";

export { requiredValue };

/** A value of the wrong kind: `Invalid value: 5: must be of type string: "number"`. */
export function wrongKind(quoted: string, expected: string, kind: string): string {
  if (kind === "NaN" || kind === "Infinity" || kind === "-Infinity") return `Invalid value: ${quoted}: must be a finite number`;
  return `Invalid value: ${quoted}: must be ${expected}: ${JSON.stringify(kind)}`;
}

/** A Pulumi Output or a Promise where the interface wants a plain value. */
export function notDeferrable(quoted: string, expected: string, kind: string): string {
  return `${wrongKind(quoted, expected, kind)} (only the fields typed pulumi.Input take a Pulumi Output or a Promise: this value must be known when the component is declared)`;
}

/** A value outside an enum; strings quoted, numbers bare. */
export function unsupported(quoted: string, allowed: readonly unknown[]): string {
  const values = allowed.map((a) => (typeof a === "string" ? JSON.stringify(a) : String(a))).join(", ");
  return `Unsupported value: ${quoted}: supported values: ${values}`;
}

/** A value that is not an instance of the class the interface names. */
export function notInstance(quoted: string, expected: string): string {
  return `Invalid value: ${quoted}: must be ${expected}`;
}

/** Edit distance, for the did-you-mean of an unknown field. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known field a typo most likely meant: the closest within two edits (or differing only in case). */
export function closestField(field: string, known: readonly string[]): string | undefined {
  const scored = known
    .map((k) => ({ k, d: k.toLowerCase() === field.toLowerCase() ? 0 : distance(field, k) }))
    .filter(({ d }) => d <= Math.min(2, Math.floor(field.length / 2)))
    .sort((a, b) => a.d - b.d);
  return scored[0]?.k;
}

/**
 * A field the interface does not have (a typo must not be silently ignored). Names the field, the
 * likely intended one, and the known fields; never quotes the value (it may be a mistyped secret).
 */
export function unknownField(field: string, known: readonly string[], owner: string | undefined): string {
  const guess = closestField(field, known);
  const hint = guess ? ` (did you mean ${JSON.stringify(guess)}?)` : "";
  const where = owner ? `the fields of ${owner} are` : "the fields here are";
  const list = known.length > 0 ? `${where} ${known.map((k) => JSON.stringify(k)).join(", ")}` : "no fields are accepted here";
  return `Unknown field ${JSON.stringify(field)}${hint}: ${list}`;
}
