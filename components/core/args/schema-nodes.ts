// Reading the generated schema beside a value: which alternative of an `anyOf` a value is meant for,
// what a node expects (in words, for messages), and how a path through the value is written.

import { JsonSchema } from "./json-schema";
import { isDeferredValue, isPlainObject } from "./values";

/** Tells whether a value is an instance of the class a schema names (`instanceOf: "Fleet"`). */
export type ClassPredicates = Readonly<Record<string, (value: unknown) => boolean>>;

/** The generated document: `$defs` by name. */
export interface SchemaDocument {
  readonly $defs: Readonly<Record<string, JsonSchema>>;
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** A node with its `$ref`s followed, and the name of the last def followed (it names the object in messages). */
export interface Resolved {
  node: JsonSchema;
  defName?: string;
}

export function resolveRef(document: SchemaDocument, node: JsonSchema, defName?: string): Resolved {
  let current = node;
  let name = defName;
  for (let hops = 0; typeof current.$ref === "string"; hops++) {
    const target = /^#\/\$defs\/(.+)$/.exec(current.$ref);
    if (!target || !hasOwn(document.$defs, target[1]) || hops > 64) throw new Error(`args schema: cannot resolve ${current.$ref}`);
    name = target[1];
    current = document.$defs[target[1]];
  }
  return { node: current, defName: name };
}

function branchesOf(node: JsonSchema): JsonSchema[] | undefined {
  return Array.isArray(node.anyOf) ? (node.anyOf as JsonSchema[]) : undefined;
}

/**
 * Whether a value is of the kind a node is for, looking at the node's top only (its fields are not
 * checked): what picks the alternative of an `anyOf` a bad value was meant for.
 */
export function fitsKind(document: SchemaDocument, node: JsonSchema, value: unknown, classes: ClassPredicates): boolean {
  const { node: resolved } = resolveRef(document, node);
  const branches = branchesOf(resolved);
  if (branches) return branches.some((branch) => fitsKind(document, branch, value, classes));
  if (resolved.deferred === true) return isDeferredValue(value);
  if (typeof resolved.instanceOf === "string") return classes[resolved.instanceOf]?.(value) ?? false;
  if (Array.isArray(resolved.enum)) return resolved.enum.some((allowed) => typeof allowed === typeof value);
  switch (resolved.type) {
    case undefined:
      return true;
    case "object":
      return isPlainObject(value);
    case "array":
      return Array.isArray(value);
    case "number":
      return typeof value === "number";
    default:
      return typeof value === resolved.type;
  }
}

/** The alternative of an `anyOf` a value was meant for: the first whose kind it has. */
export function branchFor(document: SchemaDocument, node: JsonSchema, value: unknown, classes: ClassPredicates): JsonSchema | undefined {
  return branchesOf(node)?.find((branch) => fitsKind(document, branch, value, classes));
}

/** Follows `$ref`s, and an `anyOf` to the alternative the value was meant for (itself when none fits). */
export function resolveFor(document: SchemaDocument, node: JsonSchema, value: unknown, classes: ClassPredicates): Resolved {
  let resolved = resolveRef(document, node);
  for (
    let branch = branchFor(document, resolved.node, value, classes);
    branch;
    branch = branchFor(document, resolved.node, value, classes)
  ) {
    resolved = resolveRef(document, branch, resolved.defName);
  }
  return resolved;
}

/** Whether a node accepts a Pulumi Output or a Promise: `deferred`, or an `anyOf` with a deferred alternative. */
export function acceptsDeferred(document: SchemaDocument, node: JsonSchema): boolean {
  const { node: resolved } = resolveRef(document, node);
  if (resolved.deferred === true) return true;
  return branchesOf(resolved)?.some((branch) => acceptsDeferred(document, branch)) ?? false;
}

/** Whether a node names a class (or has an alternative that does): its values are instances, not data. */
export function namesClass(document: SchemaDocument, node: JsonSchema): boolean {
  const { node: resolved } = resolveRef(document, node);
  if (typeof resolved.instanceOf === "string") return true;
  return branchesOf(resolved)?.some((branch) => namesClass(document, branch)) ?? false;
}

/** A node that constrains nothing (`unknown` in the interface). */
export function isUnconstrained(node: JsonSchema): boolean {
  return Object.keys(node).every((keyword) => keyword === "description" || keyword === "defaultDescription");
}

/** A node for strings, numbers, booleans or a set of literals (or a Pulumi Output of one). */
export function isScalar(document: SchemaDocument, node: JsonSchema): boolean {
  const { node: resolved } = resolveRef(document, node);
  const branches = branchesOf(resolved);
  if (branches) return branches.every((branch) => isScalar(document, branch) || resolveRef(document, branch).node.deferred === true);
  return Array.isArray(resolved.enum) || ["string", "number", "boolean"].includes(resolved.type as string);
}

function article(noun: string): string {
  return /^[AEIOUaeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function literal(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** `of type string or number` rather than `of type string or of type number`. */
function joinAlternatives(words: string[]): string {
  const types = words.filter((w) => w.startsWith("of type "));
  const others = words.filter((w) => !w.startsWith("of type "));
  const typeWords = types.length > 0 ? [`of type ${types.map((w) => w.slice("of type ".length)).join(" or ")}`] : [];
  return [...others, ...typeWords].join(" or ");
}

/** What a node expects, as words that follow "must be": `of type string`, `one of "a", "b"`, `a Fleet`. */
export function expectation(document: SchemaDocument, node: JsonSchema): string {
  const { node: resolved } = resolveRef(document, node);
  const branches = branchesOf(resolved);
  if (branches) {
    const plain = branches.filter((branch) => resolveRef(document, branch).node.deferred !== true);
    const words = joinAlternatives(plain.map((branch) => expectation(document, branch)));
    return plain.length < branches.length ? `${words} (or a Pulumi Output of one)` : words;
  }
  if (resolved.deferred === true) return "a Pulumi Output or a Promise";
  if (typeof resolved.instanceOf === "string") return article(resolved.instanceOf);
  if (Array.isArray(resolved.enum)) return `one of ${resolved.enum.map(literal).join(", ")}`;
  if (typeof resolved.type === "string") return `of type ${resolved.type}`;
  return "any value";
}

/** The fields an object node declares, in declaration order. */
export function fieldsOf(node: JsonSchema): string[] {
  const properties = node.properties;
  return properties && typeof properties === "object" ? Object.keys(properties) : [];
}

export function propertyNode(node: JsonSchema, key: string): JsonSchema | undefined {
  const properties = node.properties as Record<string, JsonSchema> | undefined;
  return properties && hasOwn(properties, key) ? properties[key] : undefined;
}

/** The schema of a map's values (`additionalProperties` as a schema), or undefined when the object is not a map. */
export function mapValueNode(node: JsonSchema): JsonSchema | undefined {
  const values = node.additionalProperties;
  return values !== null && typeof values === "object" ? (values as JsonSchema) : undefined;
}
