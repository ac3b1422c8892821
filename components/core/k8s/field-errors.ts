// Building blocks for validation results: paths, value rendering and the Kubernetes API server's
// wording for OpenAPI-schema failures.
//
// Schema messages mirror apimachinery `field.Error.ErrorBody()` ("Invalid value: <v>: <detail>",
// "Unsupported value: …", "Too many: …", "Required value"); the detail is kube-openapi's text
// without its "<field> in body" prefix, because the path is carried separately.

/**
 * A refusal: the field (a dotted path from the component's arguments, e.g. `members.c1.clusterId`)
 * and a message that quotes the bad value and states the rule. The one violation type of fleetmesh:
 * validation, planning and the scheduler's policy checks all report in it.
 */
export interface FieldViolation {
  path: string;
  message: string;
}

export type Violations = FieldViolation[];

export function violation(path: string, message: string): FieldViolation {
  return { path, message };
}

export function child(path: string, name: string): string {
  return `${path}.${name}`;
}

export function at(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** Map entries, as apimachinery's `Path.Key` prints them: `matchLabels[env]`. */
export function keyed(path: string, key: string): string {
  return `${path}[${key}]`;
}

/** A field the API server sees as present: undefined and null are both absent (nulls are pruned). */
export function isSet<T>(value: T | undefined | null): value is T {
  return value !== undefined && value !== null;
}

const maxRenderedLength = 120;

/** Renders a bad value the way `field.Error` does: strings quoted, numbers and booleans bare, the rest as JSON. */
export function render(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === undefined) return "null";
  const json = JSON.stringify(value) ?? String(value);
  return json.length > maxRenderedLength ? `${json.slice(0, maxRenderedLength - 3)}...` : json;
}

/** Go's `%#v` of a `[]string`, as `labels.NewRequirement` prints its values. */
export function goStringSlice(values: readonly string[]): string {
  if (values.length === 0) return "[]string(nil)";
  return `[]string{${values.map((v) => JSON.stringify(v)).join(", ")}}`;
}

/** Go `len(string)`: UTF-8 bytes, not UTF-16 code units. */
export function byteLength(value: string): number {
  return Buffer.byteLength(value, "utf8");
}

// ---- OpenAPI schema failures (structural validation runs before CEL and the webhook) ----

export function requiredValue(): string {
  return "Required value";
}

export function notSupported(value: unknown, allowed: readonly string[]): string {
  return `Unsupported value: ${render(value)}: supported values: ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
}

export function tooMany(actual: number, max: number): string {
  return `Too many: ${actual}: must have at most ${max} items`;
}

export function belowMinimum(value: number, min: number): string {
  return `Invalid value: ${value}: should be greater than or equal to ${min}`;
}

export function aboveMaximum(value: number, max: number): string {
  return `Invalid value: ${value}: should be less than or equal to ${max}`;
}

export function patternMismatch(value: string, pattern: string): string {
  return `Invalid value: ${render(value)}: should match '${pattern}'`;
}

/** kube-openapi's type failure ("must be of type integer: \"number\""), with the JSON type of the bad value. */
export function wrongType(value: unknown, expected: string): string {
  return `Invalid value: ${render(value)}: must be of type ${expected}: ${JSON.stringify(jsonType(value))}`;
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value === "object" ? "object" : typeof value;
}

// ---- reusable field checks ----

/** Schema `enum`: reports a present value outside `allowed`. */
export function checkEnum(value: unknown, allowed: readonly string[], path: string): Violations {
  if (!isSet(value) || (typeof value === "string" && allowed.includes(value))) return [];
  return [violation(path, notSupported(value, allowed))];
}

/** Schema `type: integer` plus optional `minimum` / `maximum`. */
export function checkInteger(value: unknown, path: string, min?: number, max?: number): Violations {
  if (!isSet(value)) return [];
  if (typeof value !== "number" || !Number.isInteger(value)) return [violation(path, wrongType(value, "integer"))];
  if (min !== undefined && value < min) return [violation(path, belowMinimum(value, min))];
  if (max !== undefined && value > max) return [violation(path, aboveMaximum(value, max))];
  return [];
}

/** Schema `type: array` plus optional `maxItems`; returns the items to keep validating (none when not an array). */
export function checkArray<T>(value: T[] | undefined | null, path: string, out: Violations, maxItems?: number): T[] {
  if (!isSet(value)) return [];
  if (!Array.isArray(value)) {
    out.push(violation(path, wrongType(value, "array")));
    return [];
  }
  if (maxItems !== undefined && value.length > maxItems) out.push(violation(path, tooMany(value.length, maxItems)));
  return value;
}

/** Schema `required`: reports an absent field. */
export function checkRequired(value: unknown, path: string): Violations {
  return isSet(value) ? [] : [violation(path, requiredValue())];
}

/** Appends our own "(…)" detail, quoting the bad value, to an upstream message that does not quote it. */
export function withDetail(message: string, detail: string): string {
  return `${message} (${detail})`;
}
