// The hub inventory as a Placement takes it: manifests of any kind, with whatever fields their kind
// has (spec, data, rules, ...), so the package schema types them as maps of Any. What every
// Kubernetes object has (apiVersion, kind, metadata.name; the API server refuses an object without
// them: apimachinery pkg/api/meta, pkg/apis/meta/v1/unstructured) is checked here instead, before the
// selectors read them. Pure: no Pulumi import.

import { FieldViolation, isSet, render, violation, withDetail, wrongType } from "../../k8s/field-errors";
import { hasOwn, isMapping } from "../../fleet/own";
import { KubernetesObject } from "./resource-selection";

/**
 * A Kubernetes manifest of the hub inventory: `apiVersion`, `kind`, `metadata` (with at least a name)
 * and whatever else its kind has.
 */
// `any`: a manifest's fields are its kind's; manifestViolations checks the ones every object has.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubernetesManifest = Record<string, any>;

/** Every reason the manifests are not Kubernetes objects, each at `resources[i].<field>`; [] when they all are. */
export function manifestViolations(resources: readonly unknown[]): FieldViolation[] {
  return resources.flatMap((manifest, index) => manifestFieldViolations(manifest, `resources[${index}]`));
}

/** A manifest every field of which the selectors read is what KubernetesObject says. */
export function isKubernetesObject(manifest: unknown): manifest is KubernetesObject {
  return manifestFieldViolations(manifest, "").length === 0;
}

function manifestFieldViolations(manifest: unknown, path: string): FieldViolation[] {
  if (!isMapping(manifest)) return [violation(path, wrongType(manifest, "object"))];
  return [
    ...typeName(manifest.apiVersion, `${path}.apiVersion`, 'a manifest names its API group and version, e.g. "v1" or "apps/v1"'),
    ...typeName(manifest.kind, `${path}.kind`, 'a manifest names its kind, e.g. "Namespace" or "Deployment"'),
    ...metadataViolations(manifest.metadata, `${path}.metadata`),
    ...toStringViolations(manifest, path),
  ];
}

/** apiVersion and kind: non-empty strings. */
function typeName(value: unknown, path: string, rule: string): FieldViolation[] {
  if (!isSet(value)) return [violation(path, withDetail("Required value", rule))];
  if (typeof value !== "string") return [violation(path, wrongType(value, "string"))];
  return value === "" ? [violation(path, withDetail(`Invalid value: "": must not be empty`, rule))] : [];
}

/** metadata: an object with a string name; namespace, when given, a string; labels, when given, strings by key. */
function metadataViolations(metadata: unknown, path: string): FieldViolation[] {
  if (!isSet(metadata)) return [violation(path, withDetail("Required value", "a manifest's metadata holds at least its name"))];
  if (!isMapping(metadata)) return [violation(path, wrongType(metadata, "object"))];
  const out: FieldViolation[] = [];
  const name = metadata.name;
  if (!isSet(name)) out.push(violation(`${path}.name`, withDetail("Required value", "every Kubernetes object has a name")));
  else if (typeof name !== "string") out.push(violation(`${path}.name`, wrongType(name, "string")));
  if (metadata.namespace !== undefined && typeof metadata.namespace !== "string")
    out.push(violation(`${path}.namespace`, wrongType(metadata.namespace, "string")));
  out.push(...labelViolations(metadata.labels, `${path}.labels`));
  return out;
}

function labelViolations(labels: unknown, path: string): FieldViolation[] {
  if (labels === undefined) return [];
  if (!isMapping(labels)) return [violation(path, wrongType(labels, "object"))];
  return Object.entries(labels).flatMap(([key, value]) =>
    typeof value === "string" ? [] : [violation(`${path}[${render(key)}]`, wrongType(value, "string"))],
  );
}

/**
 * A manifest is one element of the `objs` array its ConfigGroup registers, and the Pulumi SDK turns
 * every input into text for its debugging labels (pulumi/pulumi sdk/nodejs/runtime/rpc.ts,
 * `safeToString` in `transferProperties`): an array's text joins its elements' own `toString`, so a
 * top-level `toString` field that is not a function throws inside the SDK and the registration never
 * settles. No Kubernetes kind has such a field; refusing it here names it instead.
 */
function toStringViolations(manifest: Record<string, unknown>, path: string): FieldViolation[] {
  if (!hasOwn(manifest, "toString")) return [];
  return [
    violation(
      `${path}.toString`,
      "Forbidden: a top-level field named toString: the Pulumi SDK reads it as the object's text conversion and cannot register the manifest (no Kubernetes kind has this field)",
    ),
  ];
}
