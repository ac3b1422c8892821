import { createHash } from "crypto";
import { PlacementPolicy, PlacementType, Toleration, TopologySpreadConstraint } from "./types";

/** A policy after upstream's API defaulting: every field the scheduler reads has its default filled in. */
export interface DefaultedPolicy extends PlacementPolicy {
  placementType: PlacementType;
}

function defaultConstraint(tsc: TopologySpreadConstraint): TopologySpreadConstraint {
  // CRD + defaulter: maxSkew defaults to 1, whenUnsatisfiable to DoNotSchedule.
  return { ...tsc, maxSkew: tsc.maxSkew ?? 1, whenUnsatisfiable: tsc.whenUnsatisfiable || "DoNotSchedule" };
}

function defaultToleration(toleration: Toleration): Toleration {
  // CRD default: operator Equal.
  return { ...toleration, operator: toleration.operator || "Equal" };
}

/** Applies the ClusterResourcePlacement defaults; an undefined policy becomes PickAll. */
export function defaultPolicy(policy: PlacementPolicy | undefined): DefaultedPolicy {
  const source = policy ?? {};
  const defaulted: DefaultedPolicy = { ...source, placementType: source.placementType ?? "PickAll" };
  if (source.topologySpreadConstraints) defaulted.topologySpreadConstraints = source.topologySpreadConstraints.map(defaultConstraint);
  if (source.tolerations) defaulted.tolerations = source.tolerations.map(defaultToleration);
  return defaulted;
}

// The policy as upstream marshals it for the snapshot hash (Go encoding/json over the API structs):
// fields the API does not know are pruned, and `omitempty` fields are dropped when empty, so e.g.
// `tolerations: []` or a toleration's `value: ""` hash like their absence. Pointer-to-struct fields
// (labelSelector, affinity, ...) keep an empty `{}`: Go's omitempty only drops nil pointers.
type FieldKind = "scalar" | "list" | "map" | "struct";
interface FieldSpec {
  kind: FieldKind;
  omitEmpty: boolean;
  /** Element spec (list) or field specs (struct). */
  item?: FieldSpec;
  fields?: Record<string, FieldSpec>;
}

const scalar = (omitEmpty: boolean): FieldSpec => ({ kind: "scalar", omitEmpty });
const list = (item: FieldSpec, omitEmpty = true): FieldSpec => ({ kind: "list", omitEmpty, item });
const struct = (fields: Record<string, FieldSpec>, omitEmpty = true): FieldSpec => ({ kind: "struct", omitEmpty, fields });

const LABEL_SELECTOR = struct({
  matchLabels: { kind: "map", omitEmpty: true },
  matchExpressions: list(struct({ key: scalar(false), operator: scalar(false), values: list(scalar(false)) }, false)),
});
const SELECTOR_TERM = (omitEmpty: boolean) =>
  struct(
    {
      labelSelector: LABEL_SELECTOR,
      propertySelector: struct({
        matchExpressions: list(struct({ name: scalar(false), operator: scalar(false), values: list(scalar(false), false) }, false), false),
      }),
      propertySorter: struct({ name: scalar(false), sortOrder: scalar(false) }),
    },
    omitEmpty,
  );
const POLICY_SPEC: FieldSpec = struct({
  placementType: scalar(true),
  clusterNames: list(scalar(false)),
  affinity: struct({
    clusterAffinity: struct({
      requiredDuringSchedulingIgnoredDuringExecution: struct({ clusterSelectorTerms: list(SELECTOR_TERM(false), false) }),
      preferredDuringSchedulingIgnoredDuringExecution: list(struct({ weight: scalar(false), preference: SELECTOR_TERM(false) }, false)),
    }),
  }),
  topologySpreadConstraints: list(struct({ maxSkew: scalar(true), topologyKey: scalar(false), whenUnsatisfiable: scalar(true) }, false)),
  tolerations: list(struct({ key: scalar(true), operator: scalar(true), value: scalar(true), effect: scalar(true) }, false)),
});

const OMIT = Symbol("omit");

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/** The value as encoding/json would write it for this field, or OMIT. */
function marshal(value: unknown, spec: FieldSpec): unknown {
  if (value === undefined || value === null) return OMIT;
  if (spec.kind === "scalar") return spec.omitEmpty && isEmpty(value) ? OMIT : value;
  if (spec.kind === "list") {
    const items = Array.isArray(value) ? value.map((v) => marshal(v, spec.item!)).filter((v) => v !== OMIT) : [];
    return spec.omitEmpty && items.length === 0 ? OMIT : items;
  }
  if (spec.kind === "map") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return spec.omitEmpty && entries.length === 0 ? OMIT : Object.fromEntries(entries);
  }
  const out: Record<string, unknown> = {};
  for (const [name, fieldSpec] of Object.entries(spec.fields!)) {
    const marshalled = marshal((value as Record<string, unknown>)[name], fieldSpec);
    if (marshalled !== OMIT) out[name] = marshalled;
  }
  return out;
}

/** The identity of a defaulted policy (see policyHash). */
export function hashDefaultedPolicy(policy: DefaultedPolicy): string {
  const { numberOfClusters: _ignored, ...rest } = policy;
  return createHash("sha256")
    .update(JSON.stringify(marshal(rest, POLICY_SPEC)))
    .digest("hex");
}

/**
 * The identity of a policy snapshot. Upstream hashes the policy with `numberOfClusters` removed,
 * so changing only the cluster count scales in place instead of re-evaluating every binding.
 */
export function policyHash(policy: PlacementPolicy | undefined): string {
  return hashDefaultedPolicy(defaultPolicy(policy));
}
