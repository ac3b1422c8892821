// Reading user-supplied maps (members, meshes, labels, allocations keyed by member name) by own
// property only: a member named `constructor` or `toString` must not find Object.prototype's.
// Pure: no Pulumi import.

/** A parsed YAML or JSON object (not an array). */
export type Mapping = Record<string, unknown>;

export const isMapping = (value: unknown): value is Mapping => typeof value === "object" && value !== null && !Array.isArray(value);

/** True when `key` is an own property of `map` (false for an absent map). */
export function hasOwn(map: object | undefined | null, key: string | number): boolean {
  return map !== undefined && map !== null && Object.prototype.hasOwnProperty.call(map, key);
}

/** The value stored under `key` itself, never one inherited from the prototype chain. */
export function ownValue<T>(map: Readonly<Record<string | number, T>> | undefined | null, key: string | number): T | undefined {
  return hasOwn(map, key) ? map![key] : undefined;
}
