// Which hub objects a ClusterResourcePlacement's `resourceSelectors` carry, as KubeFleet's placement
// controller decides it (kubefleet pkg/controllers/placement/resource_selector.go
// `gatherSelectedResource`), with the webhook's and CRD's admission rules checked first
// (selector-validation.ts). The hub is the program's inventory: the plain objects it declares.
// Pure: no Pulumi import.

import { labelSelectorMatches } from "../../k8s/labels";
import { Condition, LabelSelector } from "../scheduler/types";
import {
  CrdScopes,
  crdScopes,
  groupVersion,
  isDisabledResource,
  isReservedNamespace,
  isSkippedObject,
  knownClusterScope,
} from "./resource-kinds";
import {
  ResourceSelectorTerm,
  ScopeOf,
  isNamespaceSelector,
  isNamespaceWithResourceSelectors,
  scopeOfSelector,
  selectorAdmissionError,
  selectorAdmissionViolations,
} from "./selector-validation";
import { FieldViolation } from "../../k8s/field-errors";

export type { ResourceSelectorTerm } from "./selector-validation";
export { SelectionScope } from "./selector-validation";
export { MAX_RESOURCE_SELECTORS, MIN_RESOURCE_SELECTORS, SELECTION_SCOPES } from "./selector-validation";
export { groupVersion, isReservedNamespace } from "./resource-kinds";

/** A plain Kubernetes object of the hub inventory. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ResourceSelection {
  /** Namespaces first, then by group, kind, namespace, name (and version); never the same object twice. */
  selected: KubernetesObject[];
  /** Why upstream would refuse the selectors; `selected` is then empty. */
  error?: string;
}

export interface SelectOptions {
  /** The placement's name, quoted by the controller's messages. */
  placementName?: string;
}

/** The CRP's Scheduled condition when the selectors are invalid (upstream's user-error path in handleUpdate). */
export function invalidSelectorsCondition(error: string): Condition {
  return {
    type: "Scheduled",
    status: "False",
    reason: "InvalidResourceSelectors",
    message: `The resource selectors are invalid: ${error}`,
  };
}

/**
 * Cluster-scoped per the table of well-known kinds, then the CustomResourceDefinitions in
 * `inventory`; otherwise namespaced iff `metadata.namespace` is set.
 */
export function isClusterScoped(obj: KubernetesObject, inventory: readonly KubernetesObject[] = []): boolean {
  return clusterScoped(obj, crdScopes(inventory));
}

function clusterScoped(obj: KubernetesObject, crds: CrdScopes): boolean {
  const known = knownClusterScope(groupVersion(obj.apiVersion).group, obj.kind, crds);
  return known ?? !obj.metadata.namespace;
}

/** Thrown inside the gathering to stop at the first user error, as upstream does. */
class SelectionError extends Error {}

interface Hub {
  inventory: readonly KubernetesObject[];
  crds: CrdScopes;
  scopeOf: ScopeOf;
  placementName?: string;
}

/** The objects the selectors carry (OR-ed), or upstream's error for them. */
export function selectResources(
  inventory: KubernetesObject[],
  selectors: ResourceSelectorTerm[],
  options: SelectOptions = {},
): ResourceSelection {
  const hub = hubOf(inventory, options.placementName);
  const admission = selectorAdmissionError(selectors, hub.scopeOf);
  if (admission !== undefined) return { selected: [], error: admission };
  try {
    return { selected: sortObjects(gather(hub, selectors)) };
  } catch (error) {
    if (error instanceof SelectionError) return { selected: [], error: error.message };
    throw error;
  }
}

/**
 * Every reason the API server would refuse the selectors (schema, CEL, webhook), each at its path
 * (`resourceSelectors[0].kind`); the inventory tells the scope of the kinds it declares.
 */
export function resourceSelectorViolations(inventory: readonly KubernetesObject[], selectors: unknown): FieldViolation[] {
  return selectorAdmissionViolations(selectors, hubOf(inventory).scopeOf);
}

/**
 * The indexes of the selectors that carry no object of the inventory (each counted alone, hub-made
 * objects left out); [] when the selectors are refused, since then nothing is selected at all.
 */
export function selectorsSelectingNothing(inventory: readonly KubernetesObject[], selectors: readonly ResourceSelectorTerm[]): number[] {
  const hub = hubOf(inventory);
  if (selectorAdmissionError(selectors, hub.scopeOf) !== undefined) return [];
  const modeNamespace = selectors.find(isNamespaceWithResourceSelectors)?.name;
  return selectors.flatMap((selector, i) => (selectsSomething(hub, selector, modeNamespace) ? [] : [i]));
}

/** The namespaces each selector carries (its Namespace objects), by selector index; [] when the selectors are refused. */
export function namespacesSelectedBy(
  inventory: readonly KubernetesObject[],
  selectors: readonly ResourceSelectorTerm[],
): Array<{ index: number; namespace: string }> {
  const hub = hubOf(inventory);
  if (!Array.isArray(selectors) || selectorAdmissionError(selectors, hub.scopeOf) !== undefined) return [];
  const modeNamespace = selectors.find(isNamespaceWithResourceSelectors)?.name;
  return selectors.flatMap((selector, index) =>
    selectedOrNone(hub, selector, modeNamespace)
      .filter(isNamespaceObject)
      .map((ns) => ({ index, namespace: ns.metadata.name })),
  );
}

function selectedOrNone(hub: Hub, selector: ResourceSelectorTerm, modeNamespace: string | undefined): KubernetesObject[] {
  try {
    return selectOne(hub, selector, modeNamespace);
  } catch (error) {
    if (error instanceof SelectionError) return [];
    throw error;
  }
}

/** A selector the controller refuses (a reserved namespace) is reported in the condition, not as selecting nothing. */
function selectsSomething(hub: Hub, selector: ResourceSelectorTerm, modeNamespace: string | undefined): boolean {
  try {
    return selectOne(hub, selector, modeNamespace).length > 0;
  } catch (error) {
    if (error instanceof SelectionError) return true;
    throw error;
  }
}

function hubOf(inventory: readonly KubernetesObject[], placementName?: string): Hub {
  const known = Array.isArray(inventory) ? inventory : [];
  const crds = crdScopes(known);
  return { inventory: known, crds, scopeOf: (group, version, kind) => selectorScope(known, crds, group, version, kind), placementName };
}

/** A selector GVK's scope: table, inventory CRDs, then the declared objects of that GVK (unknown if none). */
function selectorScope(
  inventory: readonly KubernetesObject[],
  crds: CrdScopes,
  group: string,
  version: string,
  kind: string,
): boolean | undefined {
  const known = knownClusterScope(group, kind, crds);
  if (known !== undefined) return known;
  const objects = inventory.filter((obj) => hasGvk(obj, group, version, kind));
  if (objects.length === 0) return undefined;
  return !objects.some((obj) => Boolean(obj.metadata.namespace));
}

function hasGvk(obj: KubernetesObject, group: string, version: string, kind: string): boolean {
  const gv = groupVersion(obj.apiVersion);
  return obj.kind === kind && gv.group === group && gv.version === version;
}

function gather(hub: Hub, selectors: readonly ResourceSelectorTerm[]): KubernetesObject[] {
  const modeNamespace = selectors.find(isNamespaceWithResourceSelectors)?.name;
  const seen = new Set<string>();
  const out: KubernetesObject[] = [];
  for (const selector of selectors) {
    for (const obj of selectOne(hub, selector, modeNamespace)) {
      const id = identifier(obj);
      if (seen.has(id)) throw new SelectionError(`found duplicate resource ${id}`);
      seen.add(id);
      out.push(obj);
    }
  }
  return out;
}

/** Go's `%+v` of the upstream ResourceIdentifier. */
function identifier(obj: KubernetesObject): string {
  const { group, version } = groupVersion(obj.apiVersion);
  return `{Group:${group} Version:${version} Kind:${obj.kind} Name:${obj.metadata.name} Namespace:${obj.metadata.namespace ?? ""} Envelope:<nil>}`;
}

function selectOne(hub: Hub, selector: ResourceSelectorTerm, modeNamespace: string | undefined): KubernetesObject[] {
  if (isNamespaceSelector(selector)) {
    switch (scopeOfSelector(selector)) {
      case "NamespaceWithResourceSelectors":
        return [namespaceForSelectors(hub, selector.name ?? "")];
      case "NamespaceWithResources":
        return matching(hub, selector, hub.inventory.filter(isNamespaceObject)).flatMap((ns) => [ns, ...contents(hub, ns.metadata.name)]);
      default:
        return matching(hub, selector, hub.inventory.filter(isNamespaceObject));
    }
  }
  const { group, version, kind } = selector;
  if (isDisabledResource(group, version, kind)) return [];
  const namespaced = hub.scopeOf(group, version, kind) === false;
  const candidates = hub.inventory.filter(
    (obj) => hasGvk(obj, group, version, kind) && (!namespaced || obj.metadata.namespace === modeNamespace),
  );
  return matching(hub, selector, candidates);
}

function isNamespaceObject(obj: KubernetesObject): boolean {
  return obj.apiVersion === "v1" && obj.kind === "Namespace";
}

/** By name, by label selector, or every candidate; reserved namespaces are refused, hub-made objects skipped. */
function matching(hub: Hub, selector: ResourceSelectorTerm, candidates: readonly KubernetesObject[]): KubernetesObject[] {
  const picked = candidates.filter((obj) => selectorMatches(selector, obj));
  for (const obj of picked) if (isNamespaceObject(obj)) refuseReserved(hub, obj.metadata.name);
  return picked.filter((obj) => !skipped(hub, obj));
}

function selectorMatches(selector: ResourceSelectorTerm, obj: KubernetesObject): boolean {
  if (selector.name) return obj.metadata.name === selector.name;
  const labelSelector: LabelSelector | undefined = selector.labelSelector ?? undefined;
  return labelSelector === undefined || labelSelectorMatches(labelSelector, obj.metadata.labels);
}

function refuseReserved(hub: Hub, namespace: string): void {
  if (!isReservedNamespace(namespace)) return;
  // Upstream's typo ("clusterRresourcePlacement") kept verbatim.
  const prefix = hub.placementName === undefined ? "" : `invalid clusterRresourcePlacement ${hub.placementName}: `;
  throw new SelectionError(`${prefix}namespace ${namespace} is not allowed to propagate`);
}

function skipped(hub: Hub, obj: KubernetesObject): boolean {
  const serviceExists = (namespace: string, name: string) =>
    hub.inventory.some(
      (o) => o.apiVersion === "v1" && o.kind === "Service" && o.metadata.name === name && (o.metadata.namespace ?? "") === namespace,
    );
  return isSkippedObject(obj, serviceExists);
}

/** NamespaceWithResources: every namespaced object inside, except Fleet's own and hub-local types. */
function contents(hub: Hub, namespace: string): KubernetesObject[] {
  return hub.inventory.filter((obj) => {
    if (obj.metadata.namespace !== namespace || clusterScoped(obj, hub.crds)) return false;
    const { group, version } = groupVersion(obj.apiVersion);
    return !isDisabledResource(group, version, obj.kind) && !skipped(hub, obj);
  });
}

/** NamespaceWithResourceSelectors: the namespace itself; the other selectors pick what is inside. */
function namespaceForSelectors(hub: Hub, name: string): KubernetesObject {
  refuseReserved(hub, name);
  const ns = hub.inventory.find((obj) => isNamespaceObject(obj) && obj.metadata.name === name && !skipped(hub, obj));
  // Our wording: the CRD says the controller reports an error when that namespace is missing.
  if (ns === undefined)
    throw new SelectionError(`namespace ${name} selected with selectionScope NamespaceWithResourceSelectors is not found`);
  return ns;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKey(obj: KubernetesObject): string[] {
  const { group, version } = groupVersion(obj.apiVersion);
  return [isNamespaceObject(obj) ? "0" : "1", group, obj.kind, obj.metadata.namespace ?? "", obj.metadata.name, version];
}

function sortObjects(objects: KubernetesObject[]): KubernetesObject[] {
  const keyed = objects.map((obj) => ({ obj, key: sortKey(obj) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      const c = compare(a.key[i], b.key[i]);
      if (c !== 0) return c;
    }
    return 0;
  });
  return keyed.map((k) => k.obj);
}
