// Admission of `spec.resourceSelectors`: what the CRD schema, its CEL rules and the kubefleet webhook
// (pkg/utils/validator/placement.go `validatePlacement`) refuse before the placement controller runs.
// Each check returns the first problem as one line, `<path>: <message>`, the message in upstream's
// words where upstream has one, with our "(got …)" detail quoting the bad value.

import { labelSelectorMatches } from "../../k8s/labels";
import { LabelSelector } from "../scheduler/types";
import { notSupported, render, tooMany, withDetail, wrongType } from "../../k8s/field-errors";

export type SelectionScope = "NamespaceOnly" | "NamespaceWithResources" | "NamespaceWithResourceSelectors";

/** ClusterResourcePlacement `spec.resourceSelectors[]`. */
export interface ResourceSelectorTerm {
  /** API group; "" for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Mutually exclusive with labelSelector. */
  name?: string;
  labelSelector?: LabelSelector;
  /** Only read when kind is Namespace. @default "NamespaceWithResources" */
  selectionScope?: SelectionScope;
}

export const MIN_RESOURCE_SELECTORS = 1;
export const MAX_RESOURCE_SELECTORS = 100;
export const SELECTION_SCOPES: readonly SelectionScope[] = ["NamespaceOnly", "NamespaceWithResources", "NamespaceWithResourceSelectors"];

/** Cluster-scoped (true), namespaced (false) or unknown (undefined) for a selector's GVK. */
export type ScopeOf = (group: string, version: string, kind: string) => boolean | undefined;

/** The core/v1 Namespace GVK (upstream compares the whole GVK with utils.NamespaceGVK). */
export function isNamespaceSelector(selector: ResourceSelectorTerm): boolean {
  return selector.group === "" && selector.version === "v1" && selector.kind === "Namespace";
}

export function scopeOfSelector(selector: ResourceSelectorTerm): SelectionScope {
  return selector.selectionScope ?? "NamespaceWithResources";
}

export function isNamespaceWithResourceSelectors(selector: ResourceSelectorTerm): boolean {
  return isNamespaceSelector(selector) && scopeOfSelector(selector) === "NamespaceWithResourceSelectors";
}

const at = (i: number) => `resourceSelectors[${i}]`;
const hasName = (s: ResourceSelectorTerm) => typeof s.name === "string" && s.name.length > 0;
const hasLabelSelector = (s: ResourceSelectorTerm) => s.labelSelector !== undefined && s.labelSelector !== null;

/** The first reason the selectors would be refused at admission, or undefined. */
export function selectorAdmissionError(selectors: unknown, scopeOf: ScopeOf): string | undefined {
  if (!Array.isArray(selectors)) return `resourceSelectors: ${wrongType(selectors, "array")}`;
  if (selectors.length < MIN_RESOURCE_SELECTORS)
    return `resourceSelectors: Invalid value: 0: should have at least ${MIN_RESOURCE_SELECTORS} items`;
  if (selectors.length > MAX_RESOURCE_SELECTORS) return `resourceSelectors: ${tooMany(selectors.length, MAX_RESOURCE_SELECTORS)}`;
  const terms = selectors as ResourceSelectorTerm[];
  return firstOf([
    () => firstIndexed(terms, schemaError),
    () => firstIndexed(terms, exclusivityError),
    () => namespaceWithResourceSelectorsError(terms),
    () => firstIndexed(terms, labelSelectorError),
    () => firstIndexed(terms, (s, i) => scopeError(s, i, terms, scopeOf)),
  ]);
}

function firstOf(checks: ReadonlyArray<() => string | undefined>): string | undefined {
  for (const check of checks) {
    const error = check();
    if (error !== undefined) return error;
  }
  return undefined;
}

function firstIndexed(
  terms: readonly ResourceSelectorTerm[],
  check: (s: ResourceSelectorTerm, i: number) => string | undefined,
): string | undefined {
  for (let i = 0; i < terms.length; i++) {
    const error = check(terms[i], i);
    if (error !== undefined) return error;
  }
  return undefined;
}

/** Schema: group, version and kind are required strings; selectionScope is an enum. */
function schemaError(selector: ResourceSelectorTerm, i: number): string | undefined {
  if (typeof selector !== "object" || selector === null) return `${at(i)}: ${wrongType(selector, "object")}`;
  for (const field of ["group", "version", "kind"] as const) {
    if (selector[field] === undefined || selector[field] === null) return `${at(i)}.${field}: Required value`;
    if (typeof selector[field] !== "string") return `${at(i)}.${field}: ${wrongType(selector[field], "string")}`;
  }
  const scope = selector.selectionScope;
  if (scope !== undefined && !SELECTION_SCOPES.includes(scope)) return `${at(i)}.selectionScope: ${notSupported(scope, SELECTION_SCOPES)}`;
  return undefined;
}

/** CEL on the list: `!(has(x.name) && size(x.name) > 0 && has(x.labelSelector))`. */
function exclusivityError(selector: ResourceSelectorTerm, i: number): string | undefined {
  if (!hasName(selector) || !hasLabelSelector(selector)) return undefined;
  const detail = `got ${at(i)} with name ${render(selector.name)} and labelSelector ${render(selector.labelSelector)}`;
  return `resourceSelectors: ${withDetail("name and labelSelector are mutually exclusive in a resource selector", detail)}`;
}

/**
 * The NamespaceWithResourceSelectors rules the CRD documents (at most one such selector, by name,
 * and the only Namespace selector). The wording is ours: the stored upstream sources document the
 * rules but carry no message text for them.
 */
function namespaceWithResourceSelectorsError(terms: readonly ResourceSelectorTerm[]): string | undefined {
  const modeIndexes = terms.flatMap((s, i) => (isNamespaceWithResourceSelectors(s) ? [i] : []));
  if (modeIndexes.length === 0) return undefined;
  if (modeIndexes.length > 1) {
    return `resourceSelectors: ${withDetail("at most one Namespace selector can use selectionScope NamespaceWithResourceSelectors", `got ${modeIndexes.map(at).join(", ")}`)}`;
  }
  const i = modeIndexes[0];
  const selector = terms[i];
  if (!hasName(selector) || hasLabelSelector(selector)) {
    const got = hasLabelSelector(selector) ? `labelSelector ${render(selector.labelSelector)}` : "no name";
    return `${at(i)}: ${withDetail("a Namespace selector with selectionScope NamespaceWithResourceSelectors must select the namespace by name", `got ${got}`)}`;
  }
  const other = terms.findIndex((s, j) => j !== i && isNamespaceSelector(s));
  if (other < 0) return undefined;
  return `${at(other)}: ${withDetail("a Namespace selector with selectionScope NamespaceWithResourceSelectors must be the only Namespace selector", `got ${at(i)} with that scope`)}`;
}

/** Webhook `validateLabelSelector(selector.LabelSelector, "resource selector")` (the selector printed as JSON, not Go's %+v). */
function labelSelectorError(selector: ResourceSelectorTerm, i: number): string | undefined {
  if (!hasLabelSelector(selector)) return undefined;
  const labelSelector = selector.labelSelector as LabelSelector;
  const requirements = [
    ...Object.entries(labelSelector.matchLabels ?? {}).map(([key, value]) => ({ matchLabels: { [key]: value } })),
    ...(labelSelector.matchExpressions ?? []).map((req) => ({ matchExpressions: [req] })),
  ];
  for (const single of requirements) {
    try {
      labelSelectorMatches(single, {});
    } catch (error) {
      const inner = error instanceof Error ? error.message : String(error);
      return `${at(i)}.labelSelector: the labelSelector in resource selector ${JSON.stringify(labelSelector)} is invalid: ${inner}`;
    }
  }
  return undefined;
}

/** Webhook: a CRP selects cluster-scoped kinds only, unless some Namespace selector uses NamespaceWithResourceSelectors. */
function scopeError(
  selector: ResourceSelectorTerm,
  i: number,
  terms: readonly ResourceSelectorTerm[],
  scopeOf: ScopeOf,
): string | undefined {
  if (scopeOf(selector.group, selector.version, selector.kind) !== false) return undefined;
  if (terms.some(isNamespaceWithResourceSelectors)) return undefined;
  const gvk = `${selector.group}/${selector.version}, Kind=${selector.kind}`;
  return `${at(i)}: the resource is not found in schema (please retry) or it is not a cluster scoped resource: ${gvk}`;
}
