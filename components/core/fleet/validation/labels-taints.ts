// A member's labels and taints, as its MemberCluster (and Azure FleetMember) will carry them.
//
// Labels: Kubernetes metadata rules (apimachinery `IsQualifiedName` keys, `IsValidLabelValue`
// values), with apimachinery's messages. Taints: the MemberCluster CRD (key and effect required,
// effect ∈ {NoSchedule}, at most 100) and KubeFleet's webhook (`validateTaints`: key a qualified
// name, a non-empty value a label value, no two identical taints) with its messages
// ("invalid taint key …", "taint {…} already exists, taints must be unique").

import { isQualifiedName, isValidLabelValue } from "../../kubefleet/scheduler/validation";
import { FleetSpec, MemberTaint } from "../types";
import { finding, keySuffix, MemberFinding, show } from "./findings";

export const MAX_TAINTS = 100;
export const TAINT_EFFECTS: readonly string[] = ["NoSchedule"];

export function labelAndTaintFindings(spec: FleetSpec): MemberFinding[] {
  const names = spec.members.map((m) => m.name);
  return spec.members.flatMap((member, i) => [
    ...labelFindings(member.labels ?? {}).map(([key, message]) => finding(names, i, "labels", message, keySuffix(key))),
    ...taintFindings(member.taints ?? []).map(([suffix, message]) => finding(names, i, "taints", message, suffix)),
  ]);
}

/** [key, message] pairs, keys in code-unit order. */
function labelFindings(labels: Record<string, string>): Array<[string, string]> {
  const keys = Object.keys(labels).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.flatMap((key): Array<[string, string]> => [
    ...isQualifiedName(key).map((msg): [string, string] => [key, `label key ${show(key)} is invalid: ${msg}`]),
    ...labelValueProblems(labels[key]).map((msg): [string, string] => [
      key,
      `label value ${show(labels[key])} of key ${show(key)} is invalid: ${msg}`,
    ]),
  ]);
}

function labelValueProblems(value: unknown): string[] {
  return typeof value === "string" ? isValidLabelValue(value) : ["must be a string"];
}

/** KubeFleet's `%+v` of a Taint. */
export function goTaint(taint: MemberTaint): string {
  return `{Key:${taint.key} Value:${taint.value ?? ""} Effect:${taint.effect}}`;
}

/** [path suffix, message] pairs in taint order; the count first. */
function taintFindings(taints: readonly MemberTaint[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (taints.length > MAX_TAINTS) out.push(["", `${taints.length} taints are too many: must have at most ${MAX_TAINTS} items`]);
  const seen = new Map<string, number>();
  taints.forEach((taint, i) => {
    out.push(...oneTaint(taint).map(([field, message]): [string, string] => [`[${i}]${field}`, message]));
    const identity = goTaint(taint);
    const first = seen.get(identity);
    if (first !== undefined) out.push([`[${i}]`, `taint ${identity} already exists, taints must be unique (same as taints[${first}])`]);
    else seen.set(identity, i);
  });
  return out;
}

/** [".key" | ".value" | ".effect", message] pairs for one taint. */
function oneTaint(taint: MemberTaint): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const msg of isQualifiedName(taint.key ?? "")) out.push([".key", `invalid taint key ${show(taint.key ?? "")}: ${msg}`]);
  if (taint.value !== undefined && taint.value !== "") {
    for (const msg of labelValueProblems(taint.value)) out.push([".value", `invalid taint value ${show(taint.value)}: ${msg}`]);
  }
  if (!TAINT_EFFECTS.includes(taint.effect)) {
    out.push([
      ".effect",
      `taint effect ${show(taint.effect)} is not supported: supported values: ${TAINT_EFFECTS.map((e) => JSON.stringify(e)).join(", ")}`,
    ]);
  }
  return out;
}
