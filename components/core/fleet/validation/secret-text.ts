// Describing a secret-bearing argument (a kubeconfig, a CA key) that is not the text it should be,
// without quoting it: its JSON type only.

/** "a number", "a boolean", "a list", "an object": what the value is, never what it holds. */
export function typeOfValue(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
