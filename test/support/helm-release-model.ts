// A small stateful model of one cluster's Kubernetes objects and of the three writers fleetmesh puts
// on them: Helm 3 (install, upgrade, uninstall of one release, as the `helm.v3.Release` resource runs
// it), pulumi-kubernetes Patch resources (server-side apply) and plain pulumi-kubernetes resources
// (create). Only what decides who owns an object and whether it survives is modelled: labels,
// annotations and `data`-like maps key by key, every other top-level field as one value, and which
// field manager owns each field. No pods, no watches, no timing: a write is one atomic step.
//
// Upstream behaviour, in my words (helm/helm is the v3 line, which pulumi-kubernetes embeds):
// - helm/helm pkg/action/validate.go: every object Helm writes gets the label
//   `app.kubernetes.io/managed-by: Helm` and the annotations `meta.helm.sh/release-name` and
//   `meta.helm.sh/release-namespace` (setMetadataVisitor). An object the chart renders that already
//   exists may only be taken into a release when it carries exactly that label and those two
//   annotations (checkOwnership, through existingResourceConflict); otherwise the install or upgrade
//   stops with "... exists and cannot be imported into the current release: invalid ownership metadata".
// - helm/helm pkg/action/install.go: every rendered object is checked that way; those that pass are
//   updated, the rest created.
// - helm/helm pkg/action/upgrade.go: only the rendered objects the deployed revision did not have are
//   checked (toBeCreated); then pkg/kube/client.go Update writes every rendered object (create when
//   missing, otherwise a three-way patch from the previous revision's copy, or from the live copy for
//   an adopted object) and afterwards deletes each object of the previous revision that the new one
//   no longer renders, unless the LIVE object (re-read with info.Get() just before) is annotated
//   `helm.sh/resource-policy: keep`. A missing object is only logged.
// - helm/helm pkg/action/uninstall.go with pkg/action/resource_policy.go: an uninstall deletes the
//   objects of the deployed revision's manifest except those whose MANIFEST copy says keep.
// - pulumi/pulumi-kubernetes provider/pkg/await/await.go: a Patch resource is a server-side apply
//   (PATCH with the apply content type) under a field manager of its own; it creates the object when
//   it is missing and otherwise takes over the fields it sets. A field another manager owns with a
//   different value is a conflict that fails the apply, unless the object carries
//   `pulumi.com/patchForce: "true"`, which forces it (the other manager loses that field).
// - pulumi/pulumi-kubernetes provider/pkg/ssa/actions.go Relinquish: deleting a Patch resource applies
//   an empty object under its manager, so the fields only it owned disappear and the object stays.
// - pulumi/pulumi-kubernetes#4278 (v4.29): a plain resource is created with a client-side create,
//   which fails with AlreadyExists when the object exists (unless the provider sets
//   `upsertExistingObjects`).
// - Server-side apply itself (kubernetes.io/docs/reference/using-api/server-side-apply/): an apply
//   that omits a field its manager owned gives it up, and the field is removed when no manager is
//   left; an Update (Helm's patches) takes the fields it changes away from other managers.

/** A Kubernetes object as plain data (a manifest entry or a live object). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Which object: kind, name, and namespace (none for a cluster-scoped kind). */
export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
}

/** An API error by its Kubernetes status reason (metav1.StatusReason). */
export class KubeApiError extends Error {
  constructor(
    readonly reason: "AlreadyExists" | "NotFound" | "Conflict",
    message: string,
  ) {
    super(message);
  }
}

export const HELM_KEEP_ANNOTATION = "helm.sh/resource-policy";
export const HELM_KEEP = "keep";
export const HELM_MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const HELM_RELEASE_NAME_ANNOTATION = "meta.helm.sh/release-name";
export const HELM_RELEASE_NAMESPACE_ANNOTATION = "meta.helm.sh/release-namespace";
export const PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce";

/** Top-level fields whose entries are owned one by one; every other top-level field is one value. */
const MAP_SECTIONS = ["metadata.labels", "metadata.annotations", "data", "stringData", "binaryData"] as const;

/** A field: its section and, for a map section, its key. Encoded as JSON so keys may hold dots. */
type FieldPath = string;

function fieldPath(section: string, key?: string): FieldPath {
  return JSON.stringify(key === undefined ? [section] : [section, key]);
}

/** A field as the API server prints it in a conflict (`.data.cluster2`). */
export function showField(path: FieldPath): string {
  return `.${(JSON.parse(path) as string[]).join(".")}`;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The object's fields, each value as JSON (identity fields left out). */
function fieldsOf(object: KubeObject): Map<FieldPath, string> {
  const fields = new Map<FieldPath, string>();
  const mapAt = (section: string): unknown =>
    section.startsWith("metadata.") ? (object.metadata as Record<string, unknown>)[section.slice("metadata.".length)] : object[section];
  for (const section of MAP_SECTIONS) {
    const entries = mapAt(section);
    if (isMap(entries)) for (const [key, value] of Object.entries(entries)) fields.set(fieldPath(section, key), JSON.stringify(value));
  }
  for (const [key, value] of Object.entries(object)) {
    if (["apiVersion", "kind", "metadata"].includes(key) || (MAP_SECTIONS as readonly string[]).includes(key) || value === undefined)
      continue;
    fields.set(fieldPath(key), JSON.stringify(value));
  }
  return fields;
}

function refOf(object: KubeObject): ObjectRef {
  return { kind: object.kind, name: object.metadata.name, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) };
}

function keyOf(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ""}/${ref.name}`;
}

/** `secrets`, `configmaps`, `networkpolicies`: the resource name an API error message uses. */
function resourceName(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith("y")) return `${lower.slice(0, -1)}ies`;
  return lower.endsWith("s") ? `${lower}es` : `${lower}s`;
}

function notFound(ref: ObjectRef): KubeApiError {
  return new KubeApiError("NotFound", `${resourceName(ref.kind)} "${ref.name}" not found`);
}

interface Stored {
  apiVersion: string;
  ref: ObjectRef;
  fields: Map<FieldPath, string>;
  /** Field manager → the fields it owns. */
  managers: Map<string, Set<FieldPath>>;
}

function toObject(stored: Stored): KubeObject {
  const metadata: KubeObject["metadata"] = { name: stored.ref.name, ...(stored.ref.namespace ? { namespace: stored.ref.namespace } : {}) };
  const object: KubeObject = { apiVersion: stored.apiVersion, kind: stored.ref.kind, metadata };
  for (const [path, json] of [...stored.fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [section, key] = JSON.parse(path) as [string, string?];
    const value = JSON.parse(json) as unknown;
    if (key === undefined) {
      object[section] = value;
      continue;
    }
    const holder: Record<string, unknown> = section.startsWith("metadata.") ? (metadata as Record<string, unknown>) : object;
    const name = section.startsWith("metadata.") ? section.slice("metadata.".length) : section;
    holder[name] = { ...(holder[name] as Record<string, unknown> | undefined), [key]: value };
  }
  return object;
}

/** The objects of one cluster, with the field managers that own each field. */
export class KubeModel {
  private readonly store = new Map<string, Stored>();

  /** The live object, or undefined. */
  get(ref: ObjectRef): KubeObject | undefined {
    const stored = this.store.get(keyOf(ref));
    return stored && toObject(stored);
  }

  /** Every live object, sorted by kind, namespace, name. */
  list(): KubeObject[] {
    return [...this.store.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, stored]) => toObject(stored));
  }

  /** Field manager → the fields it owns (as `.section.key`), managers that own nothing left out. */
  managedFields(ref: ObjectRef): Record<string, string[]> {
    const stored = this.require(ref);
    return Object.fromEntries(
      [...stored.managers]
        .filter(([, fields]) => fields.size > 0)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([manager, fields]) => [manager, [...fields].map(showField).sort()]),
    );
  }

  /** POST: creates the object, owned wholly by `manager`; AlreadyExists when it exists. */
  create(object: KubeObject, manager: string): KubeObject {
    const ref = refOf(object);
    if (this.store.has(keyOf(ref))) throw new KubeApiError("AlreadyExists", `${resourceName(ref.kind)} "${ref.name}" already exists`);
    const fields = fieldsOf(object);
    this.store.set(keyOf(ref), { apiVersion: object.apiVersion, ref, fields, managers: new Map([[manager, new Set(fields.keys())]]) });
    return this.get(ref)!;
  }

  /**
   * An Update (a client-side patch): sets `set`, removes `remove`. The fields whose value it changes
   * (or adds) become `manager`'s and no one else's; removed fields leave every manager.
   */
  update(ref: ObjectRef, change: { set: Map<FieldPath, string>; remove: ReadonlySet<FieldPath> }, manager: string): KubeObject {
    const stored = this.require(ref);
    for (const path of change.remove) {
      stored.fields.delete(path);
      for (const owned of stored.managers.values()) owned.delete(path);
    }
    for (const [path, value] of change.set) {
      if (stored.fields.get(path) === value) continue;
      stored.fields.set(path, value);
      for (const owned of stored.managers.values()) owned.delete(path);
      this.owned(stored, manager).add(path);
    }
    return toObject(stored);
  }

  /**
   * Server-side apply under `manager`: creates a missing object; otherwise sets every field given,
   * failing on a field another manager owns with another value unless `force` (which takes it from
   * them), and gives up the fields `manager` owned but no longer sets (removed when nobody else owns them).
   */
  apply(object: KubeObject, manager: string, force: boolean): KubeObject {
    const ref = refOf(object);
    const stored = this.store.get(keyOf(ref));
    if (!stored) return this.create(object, manager);
    const fields = fieldsOf(object);
    const others = [...stored.managers].filter(([name]) => name !== manager);
    const conflicts = [...fields].flatMap(([path, value]) =>
      stored.fields.has(path) && stored.fields.get(path) !== value
        ? others.filter(([, owned]) => owned.has(path)).map(([name]) => ({ path, name }))
        : [],
    );
    if (conflicts.length > 0 && !force) {
      const lines = conflicts.map((c) => `conflict with "${c.name}": ${showField(c.path)}`);
      throw new KubeApiError(
        "Conflict",
        `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? "s" : ""}: ${lines.join("\n")}`,
      );
    }
    for (const { path, name } of conflicts) stored.managers.get(name)!.delete(path);
    const mine = this.owned(stored, manager);
    for (const path of [...mine].filter((p) => !fields.has(p))) {
      mine.delete(path);
      if (!others.some(([, owned]) => owned.has(path))) stored.fields.delete(path);
    }
    for (const [path, value] of fields) {
      stored.fields.set(path, value);
      mine.add(path);
    }
    return toObject(stored);
  }

  /** DELETE; NotFound when the object is missing. */
  delete(ref: ObjectRef): void {
    if (!this.store.delete(keyOf(ref))) throw notFound(ref);
  }

  private require(ref: ObjectRef): Stored {
    const stored = this.store.get(keyOf(ref));
    if (!stored) throw notFound(ref);
    return stored;
  }

  private owned(stored: Stored, manager: string): Set<FieldPath> {
    let owned = stored.managers.get(manager);
    if (!owned) stored.managers.set(manager, (owned = new Set()));
    return owned;
  }
}

// ---------------------------------------------------------------------------------------------
// Helm 3: one release.
// ---------------------------------------------------------------------------------------------

/** What an upgrade or uninstall did, by `Kind namespace/name`. */
export interface HelmResult {
  created: string[];
  updated: string[];
  deleted: string[];
  /** Dropped from the manifest but left in place: annotated keep. */
  kept: string[];
}

function refLabel(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

/** validate.go resourceString. */
function resourceString(ref: ObjectRef): string {
  return `${ref.kind} "${ref.name}" in namespace "${ref.namespace ?? ""}"`;
}

/** validate.go requireValue: the key must be there with that value. */
function requireValue(entries: Record<string, string> | undefined, key: string, value: string): string | undefined {
  const actual = entries?.[key];
  if (actual === undefined) return `missing key "${key}": must be set to "${value}"`;
  return actual === value ? undefined : `key "${key}" must equal "${value}": current value is "${actual}"`;
}

/** validate.go checkOwnership: undefined when the release may take the object, else Helm's message. */
export function checkOwnership(live: KubeObject, releaseName: string, releaseNamespace: string): string | undefined {
  const errors = [
    ["label", requireValue(live.metadata.labels, HELM_MANAGED_BY_LABEL, "Helm")],
    ["annotation", requireValue(live.metadata.annotations, HELM_RELEASE_NAME_ANNOTATION, releaseName)],
    ["annotation", requireValue(live.metadata.annotations, HELM_RELEASE_NAMESPACE_ANNOTATION, releaseNamespace)],
  ].filter(([, error]) => error !== undefined);
  if (errors.length === 0) return undefined;
  return ["invalid ownership metadata", ...errors.map(([what, error]) => `${what} validation error: ${error}`)].join("; ");
}

/**
 * One Helm release in one cluster, through the v3 action and kube packages' logic (see the header).
 * `fieldManager` is the manager Helm's patches are recorded under.
 */
export class HelmRelease {
  /** The deployed revision's objects (with Helm's metadata), undefined before install and after uninstall. */
  manifest: KubeObject[] | undefined;
  revision = 0;

  constructor(
    readonly kube: KubeModel,
    readonly name: string,
    readonly namespace: string,
    readonly fieldManager = "helm",
  ) {}

  /** Whether the deployed revision renders the object. */
  owns(ref: ObjectRef): boolean {
    return (this.manifest ?? []).some((object) => keyOf(refOf(object)) === keyOf(ref));
  }

  /** install.go: refuse an existing object the release may not own, update the ones it may, create the rest. */
  install(objects: readonly KubeObject[]): HelmResult {
    if (this.manifest) throw new Error(`cannot re-use a name that is still in use`);
    const target = objects.map((object) => this.withMetadata(object));
    for (const object of target) {
      const error = this.conflict(object);
      if (error) throw new Error(`rendered manifests contain a resource that already exists. Unable to continue with install: ${error}`);
    }
    const result: HelmResult = { created: [], updated: [], deleted: [], kept: [] };
    for (const object of target) {
      const ref = refOf(object);
      if (this.kube.get(ref)) {
        this.patch(object, object);
        result.updated.push(refLabel(ref));
      } else {
        this.kube.create(object, this.fieldManager);
        result.created.push(refLabel(ref));
      }
    }
    this.manifest = target;
    this.revision = 1;
    return result;
  }

  /**
   * upgrade.go then kube/client.go Update: ownership of the objects new to the release, every
   * rendered object written, then the objects no longer rendered deleted unless their live copy says keep.
   */
  upgrade(objects: readonly KubeObject[]): HelmResult {
    const current = this.manifest;
    if (!current) throw new Error(`"${this.name}" has no deployed releases`);
    const target = objects.map((object) => this.withMetadata(object));
    const inCurrent = new Map(current.map((object) => [keyOf(refOf(object)), object]));
    for (const object of target.filter((o) => !inCurrent.has(keyOf(refOf(o))))) {
      const error = this.conflict(object);
      if (error) throw new Error(`unable to continue with update: ${error}`);
    }
    const result: HelmResult = { created: [], updated: [], deleted: [], kept: [] };
    for (const object of target) {
      const ref = refOf(object);
      const live = this.kube.get(ref);
      if (!live) {
        this.kube.create(object, this.fieldManager);
        result.created.push(refLabel(ref));
        continue;
      }
      this.patch(inCurrent.get(keyOf(ref)) ?? live, object);
      result.updated.push(refLabel(ref));
    }
    const inTarget = new Set(target.map((object) => keyOf(refOf(object))));
    for (const dropped of current.filter((object) => !inTarget.has(keyOf(refOf(object))))) {
      const ref = refOf(dropped);
      // info.Get() refreshes the object; when it fails Helm goes on with the copy it had.
      const live = this.kube.get(ref);
      if ((live ?? dropped).metadata.annotations?.[HELM_KEEP_ANNOTATION] === HELM_KEEP) {
        result.kept.push(refLabel(ref));
        continue;
      }
      if (live) this.kube.delete(ref);
      result.deleted.push(refLabel(ref));
    }
    this.manifest = target;
    this.revision++;
    return result;
  }

  /** uninstall.go: deletes the manifest's objects except those its own copies annotate keep. */
  uninstall(): HelmResult {
    const current = this.manifest;
    if (!current) throw new Error(`uninstall: Release not loaded: ${this.name}: release: not found`);
    const result: HelmResult = { created: [], updated: [], deleted: [], kept: [] };
    for (const object of current) {
      const ref = refOf(object);
      if (object.metadata.annotations?.[HELM_KEEP_ANNOTATION] === HELM_KEEP) {
        result.kept.push(refLabel(ref));
        continue;
      }
      if (this.kube.get(ref)) this.kube.delete(ref);
      result.deleted.push(refLabel(ref));
    }
    this.manifest = undefined;
    return result;
  }

  /** validate.go setMetadataVisitor (forced): Helm's label and annotations on every object it writes. */
  private withMetadata(object: KubeObject): KubeObject {
    const namespace = object.metadata.namespace;
    return {
      ...object,
      metadata: {
        ...object.metadata,
        labels: { ...object.metadata.labels, [HELM_MANAGED_BY_LABEL]: "Helm" },
        annotations: {
          ...object.metadata.annotations,
          [HELM_RELEASE_NAME_ANNOTATION]: this.name,
          [HELM_RELEASE_NAMESPACE_ANNOTATION]: this.namespace,
        },
        ...(namespace ? { namespace } : {}),
      },
    };
  }

  /** validate.go existingResourceConflict for one object: its message when it exists and may not be taken. */
  private conflict(object: KubeObject): string | undefined {
    const ref = refOf(object);
    const live = this.kube.get(ref);
    const error = live && checkOwnership(live, this.name, this.namespace);
    return error && `${resourceString(ref)} exists and cannot be imported into the current release: ${error}`;
  }

  /** kube/client.go updateResource: a three-way patch (original → target) onto the live object. */
  private patch(original: KubeObject, target: KubeObject): void {
    const set = fieldsOf(target);
    const remove = new Set([...fieldsOf(original).keys()].filter((path) => !set.has(path)));
    this.kube.update(refOf(target), { set, remove }, this.fieldManager);
  }
}

// ---------------------------------------------------------------------------------------------
// pulumi-kubernetes.
// ---------------------------------------------------------------------------------------------

/** The field manager of one Patch resource: each gets a name of its own (the provider keeps it in state). */
export function patchFieldManager(resourceName: string): string {
  return `pulumi-patch-${resourceName}`;
}

/** Creating or updating a Patch resource: server-side apply, forced when the object says `patchForce`. */
export function applyPatchResource(kube: KubeModel, object: KubeObject, fieldManager: string): KubeObject {
  return kube.apply(object, fieldManager, object.metadata.annotations?.[PATCH_FORCE_ANNOTATION] === "true");
}

/** Deleting a Patch resource: it relinquishes its fields (ssa.Relinquish); the object stays. */
export function deletePatchResource(kube: KubeModel, object: KubeObject, fieldManager: string): void {
  kube.apply({ apiVersion: object.apiVersion, kind: object.kind, metadata: refMetadata(object) }, fieldManager, false);
}

/** Creating a plain resource (v4.29+ without `upsertExistingObjects`): a client-side create. */
export function createResource(kube: KubeModel, object: KubeObject, fieldManager = "pulumi-kubernetes"): KubeObject {
  return kube.create(object, fieldManager);
}

function refMetadata(object: KubeObject): KubeObject["metadata"] {
  return { name: object.metadata.name, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) };
}
