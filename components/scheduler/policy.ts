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

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The identity of a policy snapshot. Upstream hashes the policy with `numberOfClusters` removed,
 * so changing only the cluster count scales in place instead of re-evaluating every binding.
 */
export function policyHash(policy: PlacementPolicy | undefined): string {
  const { numberOfClusters: _ignored, ...rest } = defaultPolicy(policy);
  return createHash("sha256").update(canonicalJson(rest)).digest("hex");
}
