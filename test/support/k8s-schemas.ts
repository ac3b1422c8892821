// Validates the Kubernetes objects a plan writes against real schemas: built-in kinds against the
// Kubernetes OpenAPI schema through the validators the `kubernetes-models` package carries, Cilium
// kinds against Cilium's own CRDs (vendored in test/fixtures/cilium-crds, see its README.md) of the
// Cilium minor the cluster runs.
import * as fs from "fs";
import * as path from "path";
import type { ErrorObject } from "ajv";
import { PlanRun } from "../../plan/run-program";
import { crdInfo, crdValidator } from "./crd-schema";

/** One schema violation: a JSON pointer into the object, and what is wrong there. */
export interface SchemaError {
  path: string;
  message: string;
}

/** What one object was checked against, what failed, and a served-but-deprecated API version. */
export interface SchemaVerdict {
  schema: string;
  errors: SchemaError[];
  deprecation?: string;
}

type KubeObject = Record<string, unknown> & { apiVersion?: unknown; kind?: unknown; metadata?: unknown };

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

// ---------------------------------------------------------------------------------------------
// Built-in kinds: kubernetes-models

/**
 * The schemas kubernetes-models 4.5.1 compiled its validators from: the Kubernetes v1.33.0 OpenAPI
 * spec, merged with older specs for APIs since removed (tommy351/kubernetes-models-ts,
 * first-party/kubernetes-models/CHANGELOG.md 4.5.0 "Update schema version to v1.33.0", and
 * scripts/generate.ts).
 */
export const KUBERNETES_MODELS_SCHEMA = "Kubernetes v1.33.0 OpenAPI (kubernetes-models 4.5.1)";

/** A kubernetes-models class: `validate()` runs the compiled schema on `this` and throws a ValidationError. */
interface ModelClass {
  apiVersion?: string;
  kind?: string;
  prototype: { validate(): void };
}

const API_VERSION = /^(?:([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\/)?(v[0-9]+(?:(?:alpha|beta)[0-9]+)?)$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

/** The model for a built-in apiVersion/kind: `kubernetes-models/<group>/<version>/<Kind>` (core: `kubernetes-models/v1/<Kind>`). */
export function builtInModel(apiVersion: string, kind: string): ModelClass | undefined {
  if (!API_VERSION.test(apiVersion) || !KIND.test(kind)) return undefined;
  let exported: Record<string, ModelClass>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exported = require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, ModelClass>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return undefined;
    throw error;
  }
  const model = exported[kind];
  return model?.apiVersion === apiVersion && model.kind === kind ? model : undefined;
}

/** ObjectMeta, the schema the API server checks every object's metadata against (custom resources' too). */
function objectMetaModel(): ModelClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta") as { ObjectMeta: ModelClass }).ObjectMeta;
}

interface Reads {
  keys: Set<string>;
  listed: boolean;
}

/**
 * Runs a compiled validator on `value` and reports the fields it never looked at. The OpenAPI
 * schemas, like the API server's, declare each kind's fields without `additionalProperties: false`;
 * the server's strict field validation (kubectl's default `--validate=strict`) still rejects an
 * undeclared field, and otherwise drops it. kubernetes-models ships ajv-compiled code, not the
 * schemas, so the declared fields are read off the validator: ajv's code for `properties` reads
 * each declared property of the object, and lists the keys (for…in) only for a map
 * (`additionalProperties`). An object whose keys were read but never listed is a struct; its other
 * keys are unknown fields. Objects the validator never entered (free-form) are not judged.
 */
function runTracked(model: ModelClass, value: Record<string, unknown>): SchemaError[] {
  const reads = new WeakMap<object, Reads>();
  const proxies = new WeakMap<object, object>();
  const wrap = (node: unknown): unknown => {
    if (node === null || typeof node !== "object") return node;
    let proxy = proxies.get(node);
    if (!proxy) {
      const seen: Reads = { keys: new Set(), listed: false };
      reads.set(node, seen);
      proxy = new Proxy(node, {
        get(target, key, receiver) {
          if (typeof key === "string") seen.keys.add(key);
          return wrap(Reflect.get(target, key, receiver));
        },
        has(target, key) {
          if (typeof key === "string") seen.keys.add(key);
          return Reflect.has(target, key);
        },
        ownKeys(target) {
          seen.listed = true;
          return Reflect.ownKeys(target);
        },
      });
      proxies.set(node, proxy);
    }
    return proxy;
  };
  try {
    model.prototype.validate.call(wrap(value));
  } catch (error) {
    const errors = (error as { errors?: ErrorObject[] }).errors;
    if (!errors) throw error;
    return errors.map(fromAjv);
  }
  const unknown = (node: unknown, at: string): SchemaError[] => {
    if (Array.isArray(node)) return node.flatMap((item, i) => unknown(item, `${at}/${i}`));
    if (!isObject(node)) return [];
    const seen = reads.get(node);
    const struct = seen !== undefined && !seen.listed && seen.keys.size > 0;
    return Object.entries(node).flatMap(([key, child]) =>
      struct && !seen.keys.has(key)
        ? [{ path: `${at}/${pointerToken(key)}`, message: `unknown field "${key}"` }]
        : unknown(child, `${at}/${pointerToken(key)}`),
    );
  };
  return unknown(value, "");
}

/** Plain JSON: drops undefined, and gives the validator objects of its own to wrap. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const pointerToken = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

function fromAjv(error: Partial<ErrorObject>): SchemaError {
  const extra = error.keyword === "additionalProperties" ? `/${pointerToken(String(error.params?.additionalProperty))}` : "";
  const message =
    error.keyword === "additionalProperties"
      ? `unknown field "${error.params?.additionalProperty}"`
      : (error.message ?? error.keyword ?? "invalid");
  return { path: `${error.instancePath ?? ""}${extra}`, message };
}

/** Only GA versions of built-in APIs: beta ones are off by default (since 1.24) or removed. https://kubernetes.io/docs/reference/using-api/deprecation-guide/ */
const GA_VERSION = /^v[0-9]+$/;

/** Validates a built-in object (core/v1, apps/v1, …) with kubernetes-models, unknown fields included. */
export function validateBuiltIn(obj: KubeObject): SchemaVerdict {
  const apiVersion = String(obj.apiVersion);
  const kind = String(obj.kind);
  const schema = `${KUBERNETES_MODELS_SCHEMA} ${apiVersion} ${kind}`;
  const model = builtInModel(apiVersion, kind);
  if (!model) return { schema, errors: [{ path: "", message: `kubernetes-models has no schema for ${apiVersion} ${kind}` }] };
  const version = apiVersion.split("/").pop()!;
  if (!GA_VERSION.test(version))
    return { schema, errors: [{ path: "/apiVersion", message: `${apiVersion} is not a GA Kubernetes API version` }] };
  return { schema, errors: runTracked(model, plain(obj)) };
}

// ---------------------------------------------------------------------------------------------
// Cilium kinds: the CRDs of each supported minor

/** The vendored Cilium CRDs (provenance in README.md there). */
export const CILIUM_CRDS = path.resolve(__dirname, "../fixtures/cilium-crds");

/** The Cilium release whose CRDs stand for each supported minor (see CILIUM_CRDS/README.md for why these patches). */
export const CILIUM_CRD_RELEASES: Readonly<Record<string, string>> = {
  "1.16": "1.16.17",
  "1.17": "1.17.10",
  "1.18": "1.18.10",
  "1.19": "1.19.4",
  "1.20": "1.20.0-pre.4",
};

export const CILIUM_GROUP = "cilium.io";

/** `MAJOR.MINOR` of a chart version (`1.18.12`, `v1.18.12`). */
export function ciliumMinor(version: string): string {
  const match = /^v?(\d+)\.(\d+)\./.exec(version);
  if (!match) throw new Error(`"${version}" is not a Cilium version`);
  return `${match[1]}.${match[2]}`;
}

const ciliumIndexes = new Map<string, Map<string, string>>();

/** `group/Kind` → CRD file, for one vendored release. */
function ciliumIndex(release: string): Map<string, string> {
  let index = ciliumIndexes.get(release);
  if (!index) {
    index = new Map();
    const dir = path.join(CILIUM_CRDS, release);
    for (const sub of fs.readdirSync(dir).sort()) {
      for (const name of fs
        .readdirSync(path.join(dir, sub))
        .filter((f) => f.endsWith(".yaml"))
        .sort()) {
        const file = path.join(dir, sub, name);
        const { group, kind } = crdInfo(file);
        index.set(`${group}/${kind}`, file);
      }
    }
    ciliumIndexes.set(release, index);
  }
  return index;
}

/** Validates a cilium.io object against the CRD of Cilium `minor` (`"1.18"`), metadata against ObjectMeta. */
export function validateCilium(obj: KubeObject, minor: string): SchemaVerdict {
  const apiVersion = String(obj.apiVersion);
  const kind = String(obj.kind);
  const release = CILIUM_CRD_RELEASES[minor];
  const schema = `Cilium ${release ?? minor} CRD ${apiVersion} ${kind}`;
  if (!release)
    return {
      schema,
      errors: [
        { path: "", message: `no Cilium CRDs are vendored for Cilium ${minor} (have ${Object.keys(CILIUM_CRD_RELEASES).join(", ")})` },
      ],
    };
  const [group, version] = apiVersion.split("/");
  const file = ciliumIndex(release).get(`${group}/${kind}`);
  if (!file) return { schema, errors: [{ path: "/kind", message: `no vendored CRD of Cilium ${release} defines ${group} ${kind}` }] };
  const info = crdInfo(file);
  const served = info.versions.filter((v) => v.served);
  const at = served.find((v) => v.name === version);
  if (!at)
    return {
      schema,
      errors: [
        {
          path: "/apiVersion",
          message: `Cilium ${release} does not serve ${kind} at ${version} (served: ${served.map((v) => v.name).join(", ")})`,
        },
      ],
    };
  const validate = crdValidator(file, version, { strict: true });
  const copy = plain(obj);
  const errors = validate(copy) ? [] : (validate.errors ?? []).map(fromAjv);
  const metadata = isObject(copy.metadata)
    ? runTracked(objectMetaModel(), copy.metadata).map((e) => ({ ...e, path: `/metadata${e.path}` }))
    : [];
  const deprecation = at.deprecated ? (at.deprecationWarning ?? `${apiVersion} ${kind} is deprecated`) : undefined;
  return { schema, errors: [...errors, ...metadata], ...(deprecation ? { deprecation } : {}) };
}

// ---------------------------------------------------------------------------------------------
// The objects of a plan

/**
 * API groups this module leaves to other tests, which validate them against their upstream CRDs:
 * Azure Fleet networking (test/components/multi-cluster-service.test.ts, test/plan/plan.test.ts) and
 * KubeFleet placements (test/components/placement.test.ts, test/plan/plan.test.ts). Their CRDs carry
 * CEL rules beyond celRuleCheck, so crdValidator's strict mode would refuse them.
 */
export const VALIDATED_ELSEWHERE = ["networking.fleet.azure.com", "placement.kubernetes-fleet.io"];

/** One Kubernetes object of a planned resource. */
export interface PlannedObject {
  /** `type::name` of the resource that carries it. */
  resource: string;
  /** The cluster (the resource's provider). */
  provider?: string;
  object: KubeObject;
}

/** Resource types that carry no Kubernetes object (Helm releases carry values, rendered by Helm elsewhere). */
const NOT_OBJECTS = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"]);

/**
 * Every Kubernetes object in the plan's resource inputs: a typed resource's inputs are the object
 * (`kubernetes:core/v1:Service`, `kubernetes:cilium.io/v2:CiliumNetworkPolicy`, …); a
 * `kubernetes:yaml/v2:ConfigGroup` carries them in `objs`. Throws on a `kubernetes:` resource of
 * neither shape, so a new way of writing objects cannot slip past validation.
 */
export function plannedObjects(run: PlanRun): PlannedObject[] {
  return run.resources.flatMap((r) => {
    if (!r.type.startsWith("kubernetes:") || NOT_OBJECTS.has(r.type)) return [];
    const inputs = r.inputs as KubeObject & { objs?: unknown };
    const carried =
      r.type === "kubernetes:yaml/v2:ConfigGroup"
        ? inputs.objs
        : inputs.apiVersion !== undefined && inputs.kind !== undefined
          ? [inputs]
          : undefined;
    if (!Array.isArray(carried))
      throw new Error(`${r.type}::${r.name}: no Kubernetes object found in its inputs (keys: ${Object.keys(inputs).join(", ")})`);
    return carried.map((object: KubeObject) => ({ resource: `${r.type}::${r.name}`, provider: r.provider, object }));
  });
}

/** The group of an apiVersion (`""` for core). */
export const groupOf = (apiVersion: unknown) => (String(apiVersion).includes("/") ? String(apiVersion).split("/")[0] : "");

/** The Cilium chart version each cluster (provider) installs, from the plan's Cilium Helm releases. */
export function ciliumVersionsByProvider(run: PlanRun): Map<string, string> {
  const versions = new Map<string, string>();
  for (const r of run.resources) {
    const inputs = r.inputs as { chart?: string; version?: string };
    if (r.type === "kubernetes:helm.sh/v3:Release" && inputs.chart === "cilium" && r.provider && inputs.version)
      versions.set(r.provider, inputs.version);
  }
  return versions;
}

/** `Kind namespace/name` (or `Kind name` for a cluster-scoped object), for messages. */
export function describeObject(obj: KubeObject): string {
  const meta = (isObject(obj.metadata) ? obj.metadata : {}) as { name?: string; namespace?: string };
  return `${obj.apiVersion} ${obj.kind} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? "(no name)"}`;
}

/** One line per error: the resource, the object, the schema and the error path. */
export function formatVerdict(where: string, obj: KubeObject, verdict: SchemaVerdict): string[] {
  return verdict.errors.map((e) => `${where}: ${describeObject(obj)} against ${verdict.schema}: ${e.path || "/"} ${e.message}`);
}
