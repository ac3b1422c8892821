// Field paths in the repository's style, walked through the value and the schema side by side:
// fields and named entities (members, meshes, memberProperties) as `members.c1` or
// `members["Bad.Name"]`, entries of maps of strings (labels, annotations, matchLabels) as
// `labels["app"]`, list items as `[0]`.

import { JsonSchema } from "./json-schema";
import { ClassPredicates, SchemaDocument, isScalar, mapValueNode, propertyNode, resolveFor } from "./schema-nodes";
import { SECRET_FIELDS } from "./values";

/** A segment written after a dot: a plain name, as findings.ts `memberPath` writes member names. */
const SIMPLE_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Where a path leads: its text, the node and value there, and whether a field on the way holds key material. */
export interface Location {
  path: string;
  /** The node at the path, `$ref`s and `anyOf`s followed; undefined past an unknown field. */
  node?: JsonSchema;
  /** The def the node comes from (it names the object in messages). */
  defName?: string;
  value: unknown;
  secret: boolean;
}

function named(path: string, key: string): string {
  if (!SIMPLE_SEGMENT.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === "" ? key : `${path}.${key}`;
}

function ownValue(container: unknown, key: string): unknown {
  if (container === null || typeof container !== "object") return undefined;
  return Object.prototype.hasOwnProperty.call(container, key) ? (container as Record<string, unknown>)[key] : undefined;
}

/** Walks `segments` (JSON pointer segments, decoded) from the arguments and their schema. */
export function locate(
  document: SchemaDocument,
  root: JsonSchema,
  args: unknown,
  segments: readonly string[],
  classes: ClassPredicates,
): Location {
  let node: JsonSchema | undefined = root;
  let value = args;
  let path = "";
  let secret = false;
  let defName: string | undefined;
  for (const segment of segments) {
    const resolved = node && resolveFor(document, node, value, classes);
    const property = resolved && propertyNode(resolved.node, segment);
    const mapValues = resolved && mapValueNode(resolved.node);
    if (Array.isArray(value)) {
      path = `${path}[${segment}]`;
      node = resolved?.node.items as JsonSchema | undefined;
    } else if (property) {
      path = named(path, segment);
      secret ||= SECRET_FIELDS.has(segment);
      node = property;
    } else if (mapValues) {
      path = isScalar(document, mapValues) ? `${path}[${JSON.stringify(segment)}]` : named(path, segment);
      node = mapValues;
    } else {
      path = named(path, segment);
      secret ||= SECRET_FIELDS.has(segment);
      node = undefined;
    }
    value = ownValue(value, segment);
  }
  if (node) ({ node, defName } = resolveFor(document, node, value, classes));
  return { path, node, defName, value, secret };
}

/** Decodes an ajv `instancePath` (a JSON pointer) into its segments. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}
