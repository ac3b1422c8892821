// The parts of a Pulumi package schema (https://www.pulumi.com/docs/iac/extensions/packages/schema/)
// fleetmesh's provider reads and finishes. The component analyzer of @pulumi/pulumi
// (provider/experimental/analyzer.ts) writes a property's JSDoc text but drops `@default` tags and the
// descriptions of types, and has no way to say an output is secret: these are added back here from
// the args schema, which is generated from the same JSDoc (scripts/args-schema.ts).
import * as pulumi from "@pulumi/pulumi";
import { ARGS_SCHEMA } from "../components/core/args/args-schema.generated";
import { ownValue } from "../components/core/fleet/own";

/** A property: its type (a primitive, an array, a map or a reference), its docs, and how it may be given. */
export interface PropertySpec {
  type?: string;
  $ref?: string;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  description?: string;
  plain?: boolean;
  secret?: boolean;
  [field: string]: unknown;
}

/** A named type: an object with properties, or an enum. */
export interface ObjectTypeSpec {
  type?: string;
  description?: string;
  properties?: Record<string, PropertySpec>;
  enum?: unknown[];
  [field: string]: unknown;
}

/** A component: its inputs and its outputs. */
export interface ResourceSpec {
  description?: string;
  inputProperties?: Record<string, PropertySpec>;
  properties?: Record<string, PropertySpec>;
  [field: string]: unknown;
}

/** A package schema, the parts read here. */
export interface PackageSchema {
  name: string;
  version?: string;
  resources: Record<string, ResourceSpec>;
  types: Record<string, ObjectTypeSpec>;
  [field: string]: unknown;
}

/** Component outputs that hold key material or credentials. */
const SECRET_OUTPUTS: Record<string, string[]> = { Fleet: ["kubeconfigs"] };

interface ArgsDef {
  description?: string;
  properties?: Record<string, { description?: string; defaultDescription?: string }>;
}

/** The args schema's named types: descriptions and `@default` texts by type name. */
const defs = (ARGS_SCHEMA as { $defs: Record<string, ArgsDef> }).$defs;

/**
 * The analyzer refers to a package's provider class as one of that package's resources
 * (`/kubernetes/v4.34.2/schema.json#/resources/kubernetes`); the schema spells a provider `#/provider`.
 */
const PROVIDER_REF = /^(\/[^/]+\/v[^/]+\/schema\.json)#\/resources\/([^/:]+)$/;

function providerRefs<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) => {
      if (key !== "$ref" || typeof v !== "string") return v;
      const m = PROVIDER_REF.exec(v);
      return m && m[1].split("/")[1] === m[2] ? `${m[1]}#/provider` : v;
    }),
  ) as T;
}

/** The analyzer's schema with the type descriptions, the `@default` texts and the secret outputs added, and provider references fixed. */
export function finishSchema(analyzed: PackageSchema): PackageSchema {
  const schema = providerRefs(analyzed);
  const resources = Object.fromEntries(
    Object.entries(schema.resources).map(([token, resource]) => [token, finishResource(simpleName(token), resource)]),
  );
  const types = Object.fromEntries(
    Object.entries(schema.types).map(([token, type]) => {
      const def = defs[simpleName(token)];
      const described = def?.description !== undefined && type.description === undefined ? { description: def.description } : {};
      return [token, { ...described, ...type, ...(type.properties && { properties: withDefaults(type.properties, def) }) }];
    }),
  );
  return { ...schema, resources, types };
}

/** A component with its inputs' defaults and its secret outputs. */
function finishResource(component: string, resource: ResourceSpec): ResourceSpec {
  // Each component's inputs are its `<Component>Args` interface, where their `@default` texts are.
  const argsDef = ownValue(defs, `${component}Args`);
  const secret = new Set(SECRET_OUTPUTS[component] ?? []);
  const properties = Object.fromEntries(
    Object.entries(resource.properties ?? {}).map(([key, spec]) => [key, secret.has(key) ? { ...spec, secret: true } : spec]),
  );
  return {
    ...resource,
    ...(resource.inputProperties && { inputProperties: withDefaults(resource.inputProperties, argsDef) }),
    properties,
  };
}

/** Appends each property's `@default` text to its description, as Pulumi's docs print defaults. */
function withDefaults(properties: Record<string, PropertySpec>, def: ArgsDef | undefined): Record<string, PropertySpec> {
  return Object.fromEntries(
    Object.entries(properties).map(([key, spec]) => {
      const text = def?.properties?.[key]?.defaultDescription;
      if (text === undefined || spec.description?.includes(`Default: ${text}`)) return [key, spec];
      return [key, { ...spec, description: `${spec.description ?? ""}\n\nDefault: ${text}`.trim() }];
    }),
  );
}

/** `fleetmesh:index:Fleet` → `Fleet`. */
function simpleName(token: string): string {
  return token.split(":").pop() ?? token;
}

/**
 * The spec of each field of an object at a place of type `spec`: the same for every key of a map,
 * its own for each property of a named type; undefined when the place holds no object of known shape.
 */
export function fieldsOf(spec: PropertySpec, schema: PackageSchema): ((key: string) => PropertySpec | undefined) | undefined {
  const values = spec.additionalProperties;
  if (values) return () => values;
  const type = spec.$ref?.startsWith("#/types/") ? schema.types[decodeURIComponent(spec.$ref.slice("#/types/".length))] : undefined;
  const properties = type?.properties;
  return properties ? (key) => ownValue(properties, key) : undefined;
}

/**
 * `value` with the text leaves the schema types as inputs (`pulumi.Input<string>`: a kubeconfig, a CA
 * key) made secrets: what a plain field that arrived as one secret Output gets back once unwrapped.
 * Plain leaves (names, numbers, choices) cannot be secrets: the component plans with them.
 */
export function secretBearing(value: unknown, spec: PropertySpec, schema: PackageSchema): unknown {
  if (value === undefined || value === null) return value;
  // Secrets are text (kubeconfigs, keys); an input of another type (a port name or number) stays as it is.
  if (spec.plain !== true) return spec.type === "string" ? pulumi.secret(value) : value;
  if (Array.isArray(value)) return spec.items ? value.map((item) => secretBearing(item, spec.items!, schema)) : value;
  if (typeof value !== "object") return value;
  const fieldSpec = fieldsOf(spec, schema);
  if (fieldSpec === undefined) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => {
      const itemSpec = fieldSpec(key);
      return [key, itemSpec ? secretBearing(item, itemSpec, schema) : item];
    }),
  );
}
