// What the structural check needs to know of a value: its JSON kind, whether it is deferred (a Pulumi
// Output or a Promise) or some other object that is not plain data, and how to quote it in a message
// without ever echoing key material.

import { render } from "../k8s/field-errors";

/** A Pulumi Output (an object with `apply` and `promise` functions) or a Promise (any thenable). */
export function isDeferredValue(value: unknown): boolean {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
  const candidate = value as { apply?: unknown; promise?: unknown; then?: unknown };
  return (typeof candidate.apply === "function" && typeof candidate.promise === "function") || typeof candidate.then === "function";
}

/** A plain object: `{...}` or `Object.create(null)`, not an array, a class instance or a deferred value. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !isDeferredValue(value);
}

/** An object that is not plain data: a deferred value or a class instance (arrays and plain objects are data). */
export function isOpaqueObject(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !isPlainObject(value);
}

/** The name an opaque value goes by in messages: `Output`, `Promise`, or its class name. */
export function opaqueName(value: object): string {
  const candidate = value as { apply?: unknown; promise?: unknown };
  if (typeof candidate.apply === "function" && typeof candidate.promise === "function") return "Output";
  if (isDeferredValue(value) && !(value instanceof Promise)) return "thenable";
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" ? name : "object";
}

/** The value's kind as a JSON Schema type (`"null"`, `"array"`, ...), or what else it is (`"undefined"`, `"Output"`, a class name). */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isFinite(value) ? "number" : String(value);
  if (typeof value === "object") return isPlainObject(value) ? "object" : opaqueName(value);
  return typeof value;
}

/** Field names whose values hold key material: never quoted, at any depth. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(["kubeconfig", "keyPem"]);

/** Text that looks like key material (a PEM private key, a kubeconfig's credentials), wherever it was put. */
const KEY_MATERIAL = /PRIVATE KEY|client-key-data|client-certificate-data|\btoken\s*:/;

export const HIDDEN = "<hidden: may hold key material>";
const MAX_DEPTH = 4;
const MAX_ENTRIES = 12;

/** A JSON-safe copy for quoting: key material hidden, opaque values named, cycles and depth cut. */
function quotable(value: unknown, depth: number, seen: Set<object>): unknown {
  if (typeof value === "string") return KEY_MATERIAL.test(value) ? HIDDEN : value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "boolean" || value === null) return value;
  if (value === undefined) return undefined;
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value !== "object") return `<${typeof value}>`;
  if (isOpaqueObject(value)) return `<${opaqueName(value)}>`;
  if (seen.has(value) || depth >= MAX_DEPTH) return "<...>";
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.slice(0, MAX_ENTRIES).map((item) => quotable(item, depth + 1, seen) ?? null);
    // No prototype: an own `__proto__` field is copied as a field.
    const copy: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value).slice(0, MAX_ENTRIES)) {
      copy[key] = SECRET_FIELDS.has(key) ? HIDDEN : quotable((value as Record<string, unknown>)[key], depth + 1, seen);
    }
    return copy;
  } finally {
    seen.delete(value);
  }
}

/**
 * A bad value as `field.Error` quotes it (strings quoted, numbers and booleans bare, the rest as JSON,
 * as `render` does), made safe for any input: the value of a secret field is never shown, nor is text
 * that looks like key material; Outputs, Promises and class instances are named (`<Output>`).
 */
export function quote(value: unknown, secret = false): string {
  if (secret) return HIDDEN;
  if (value === undefined) return "undefined";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "function") return "<function>";
  if (typeof value === "symbol") return "<symbol>";
  if (typeof value === "bigint") return `${value}n`;
  if (isOpaqueObject(value)) return `<${opaqueName(value as object)}>`;
  const copy = quotable(value, 0, new Set());
  return copy === HIDDEN ? HIDDEN : render(copy);
}
