// Admission of `spec.resourceSelectors`: what the CRD schema, its CEL rules and the kubefleet webhook
// (kubefleet-dev/kubefleet pkg/utils/validator/placement.go `validatePlacement`) refuse before the
// placement controller runs. Upstream never stores such a ClusterResourcePlacement, so a Placement
// refuses them before registering anything, every problem at its own path; the messages are in
// upstream's words where upstream has them, with our "(got …)" detail quoting the bad value.
// What the controller finds later (a reserved namespace, a duplicate object, a missing namespace)
// is not here: upstream admits those objects and reports them in the Scheduled condition.

import { labelSelectorSchemaViolations, labelSelectorWebhookViolations } from "../../k8s/label-selector";
import { LabelSelector } from "../scheduler/types";
import { FieldViolation, notSupported, render, tooMany, violation, withDetail, wrongType } from "../../k8s/field-errors";

/** What a Namespace selector carries (upstream `SelectionScope`). */
export const SelectionScope = {
  /** The namespace only. */
  NamespaceOnly: "NamespaceOnly",
  /** The namespace and every object inside. */
  NamespaceWithResources: "NamespaceWithResources",
  /** The namespace, and inside it the objects the placement's other selectors pick. */
  NamespaceWithResourceSelectors: "NamespaceWithResourceSelectors",
} as const;
export type SelectionScope = (typeof SelectionScope)[keyof typeof SelectionScope];

/** ClusterResourcePlacement `spec.resourceSelectors[]`: which hub objects a placement carries. */
export interface ResourceSelectorTerm {
  /** API group; "" for the core group. */
  group: string;
  /** API version (e.g. "v1"). */
  version: string;
  /** Kind (e.g. "Namespace"). */
  kind: string;
  /** The one object of that kind to select; mutually exclusive with labelSelector. */
  name?: string;
  /** The objects of that kind whose labels match; mutually exclusive with name. */
  labelSelector?: LabelSelector;
  /**
   * What a Namespace selector carries (read only when kind is Namespace).
   * @default "NamespaceWithResources"
   */
  selectionScope?: SelectionScope;
}

export const MIN_RESOURCE_SELECTORS = 1;
export const MAX_RESOURCE_SELECTORS = 100;
export const SELECTION_SCOPES: readonly SelectionScope[] = Object.values(SelectionScope);

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

/** The first reason the selectors would be refused at admission, as `<path>: <message>`, or undefined. */
export function selectorAdmissionError(selectors: unknown, scopeOf: ScopeOf): string | undefined {
  const first = selectorAdmissionViolations(selectors, scopeOf)[0];
  return first === undefined ? undefined : `${first.path}: ${first.message}`;
}

/**
 * Every reason the API server would refuse the selectors, in the order it checks them: the
 * schema, then the CEL rules, then the webhook. A selector the schema refuses is not checked further.
 */
export function selectorAdmissionViolations(selectors: unknown, scopeOf: ScopeOf): FieldViolation[] {
  if (selectors === undefined || selectors === null)
    return [violation("resourceSelectors", withDetail("Required value", "a placement selects at least one kind of object"))];
  if (!Array.isArray(selectors)) return [violation("resourceSelectors", wrongType(selectors, "array"))];
  const out: FieldViolation[] = [];
  if (selectors.length < MIN_RESOURCE_SELECTORS)
    out.push(
      violation(
        "resourceSelectors",
        withDetail(
          `Invalid value: 0: should have at least ${MIN_RESOURCE_SELECTORS} items`,
          "a placement selects at least one kind of object",
        ),
      ),
    );
  if (selectors.length > MAX_RESOURCE_SELECTORS)
    out.push(violation("resourceSelectors", tooMany(selectors.length, MAX_RESOURCE_SELECTORS)));
  const terms = selectors as ResourceSelectorTerm[];
  const schema = terms.map(schemaViolations);
  out.push(...schema.flat());
  const wellFormed = terms.flatMap((term, i) => (schema[i].length === 0 ? [{ term, i }] : []));
  const modeSelectors = terms.some((s, i) => schema[i].length === 0 && isNamespaceWithResourceSelectors(s));
  out.push(...wellFormed.flatMap(({ term, i }) => exclusivityViolations(term, i)));
  out.push(...namespaceWithResourceSelectorsViolations(wellFormed));
  out.push(...wellFormed.flatMap(({ term, i }) => labelSelectorViolations(term, i)));
  out.push(...wellFormed.flatMap(({ term, i }) => resourceTypeViolations(term, i, modeSelectors, scopeOf)));
  return out;
}

const TERM_FIELDS = ["group", "version", "kind"] as const;

/** Schema: an object; group, version and kind required strings; name a string; labelSelector an object; selectionScope an enum. */
function schemaViolations(selector: ResourceSelectorTerm, i: number): FieldViolation[] {
  if (typeof selector !== "object" || selector === null || Array.isArray(selector))
    return [violation(at(i), wrongType(selector, "object"))];
  const out: FieldViolation[] = [];
  for (const field of TERM_FIELDS) {
    const value: unknown = selector[field];
    if (value === undefined || value === null)
      out.push(
        violation(
          `${at(i)}.${field}`,
          withDetail("Required value", `a resource selector names the group, version and kind it selects; got ${render(selector)}`),
        ),
      );
    else if (typeof value !== "string") out.push(violation(`${at(i)}.${field}`, wrongType(value, "string")));
  }
  const name: unknown = selector.name;
  if (name !== undefined && name !== null && typeof name !== "string") out.push(violation(`${at(i)}.name`, wrongType(name, "string")));
  const labelSelector: unknown = selector.labelSelector;
  if (labelSelector !== undefined && labelSelector !== null) {
    if (typeof labelSelector !== "object" || Array.isArray(labelSelector))
      out.push(violation(`${at(i)}.labelSelector`, wrongType(labelSelector, "object")));
    else out.push(...labelSelectorSchemaViolations(selector.labelSelector, `${at(i)}.labelSelector`));
  }
  const scope = selector.selectionScope;
  if (scope !== undefined && !SELECTION_SCOPES.includes(scope))
    out.push(violation(`${at(i)}.selectionScope`, notSupported(scope, SELECTION_SCOPES)));
  return out;
}

/** CEL on the list: `!(has(x.name) && size(x.name) > 0 && has(x.labelSelector))`. */
function exclusivityViolations(selector: ResourceSelectorTerm, i: number): FieldViolation[] {
  if (!hasName(selector) || !hasLabelSelector(selector)) return [];
  const detail = `got name ${render(selector.name)} and labelSelector ${render(selector.labelSelector)}`;
  return [violation(at(i), withDetail("name and labelSelector are mutually exclusive in a resource selector", detail))];
}

interface IndexedTerm {
  term: ResourceSelectorTerm;
  i: number;
}

/**
 * The CEL rules on NamespaceWithResourceSelectors (at most one such selector, by name, and the
 * only Namespace selector). The wording is ours: the CRD's messages do not quote the selectors.
 */
function namespaceWithResourceSelectorsViolations(terms: readonly IndexedTerm[]): FieldViolation[] {
  const mode = terms.filter(({ term }) => isNamespaceWithResourceSelectors(term));
  if (mode.length === 0) return [];
  if (mode.length > 1) {
    const listed = `got ${mode.map(({ i }) => at(i)).join(", ")}`;
    return [
      violation(
        "resourceSelectors",
        withDetail("at most one Namespace selector can use selectionScope NamespaceWithResourceSelectors", listed),
      ),
    ];
  }
  const { term: selector, i } = mode[0];
  const out: FieldViolation[] = [];
  if (!hasName(selector) || hasLabelSelector(selector)) {
    const got = hasLabelSelector(selector) ? `labelSelector ${render(selector.labelSelector)}` : "no name";
    out.push(
      violation(
        at(i),
        withDetail(
          "a Namespace selector with selectionScope NamespaceWithResourceSelectors must select the namespace by name",
          `got ${got}`,
        ),
      ),
    );
  }
  for (const other of terms.filter(({ term, i: j }) => j !== i && isNamespaceSelector(term))) {
    const detail = `got ${render(other.term)} next to ${at(i)}, which has that scope`;
    out.push(
      violation(
        at(other.i),
        withDetail("a Namespace selector with selectionScope NamespaceWithResourceSelectors must be the only Namespace selector", detail),
      ),
    );
  }
  return out;
}

/** Webhook `validateLabelSelector(selector.LabelSelector, "resource selector")`, every bad requirement at its own path. */
function labelSelectorViolations(selector: ResourceSelectorTerm, i: number): FieldViolation[] {
  if (!hasLabelSelector(selector)) return [];
  // The shared check words its message for cluster selectors; the webhook names this one a resource selector.
  return labelSelectorWebhookViolations(selector.labelSelector as LabelSelector, "cluster selector", `${at(i)}.labelSelector`).map((v) =>
    violation(v.path, v.message.replace(/^the labelSelector in cluster selector /, "the labelSelector in resource selector ")),
  );
}

/**
 * Webhook: the selector's kind must map to a resource (`RESTMapper.RESTMapping`), and a
 * ClusterResourcePlacement selects cluster-scoped kinds only unless a Namespace selector uses
 * NamespaceWithResourceSelectors. An empty kind or version never maps; a kind the inventory does
 * not describe is left to the hub (it may know kinds the program does not declare).
 */
function resourceTypeViolations(selector: ResourceSelectorTerm, i: number, modeSelectors: boolean, scopeOf: ScopeOf): FieldViolation[] {
  const { group, version, kind } = selector;
  const gvk = `${group}/${version}, Kind=${kind}`;
  if (kind === "") return [violation(`${at(i)}.kind`, `failed to get GVR of the selector: ${noKindMatch(group, version)}`)];
  if (modeSelectors) return [];
  const notClusterScoped = withDetail(
    `the resource is not found in schema (please retry) or it is not a cluster scoped resource: ${gvk}`,
    "a ClusterResourcePlacement selects cluster-scoped kinds, and namespaced ones only next to a Namespace selector with selectionScope NamespaceWithResourceSelectors",
  );
  if (version === "") return [violation(`${at(i)}.version`, notClusterScoped)];
  if (scopeOf(group, version, kind) !== false) return [];
  return [violation(at(i), notClusterScoped)];
}

/** apimachinery `NoKindMatchError` for one searched version (none when the version is empty). */
function noKindMatch(group: string, version: string): string {
  if (version === "") return `no matches for kind "" in group ${JSON.stringify(group)}`;
  return `no matches for kind "" in version ${JSON.stringify(group === "" ? version : `${group}/${version}`)}`;
}
