// A member's name is its Cilium `cluster.name`: non-empty, at most 32 characters, the chart's pattern
// and not "default" with a non-zero id (cilium/cilium install/kubernetes/cilium/templates/validate.yaml,
// pkg/clustermesh/types/option.go), and unique in a mesh (cilium/cilium cilium-cli/clustermesh/clustermesh.go
// refuses two clusters with the same name). Messages keep the chart's `validate.yaml` wording
// ("The cluster name is invalid: …").
//
// The name is also the kind cluster name, the MemberCluster / Kubernetes object name and a label
// value (`io.cilium.k8s.policy.cluster`). Cilium's rule is the strictest of these, so it covers
// them: kind accepts `^[a-z0-9.-]+$` (and warns above 50 characters, because `<name>-control-plane`
// becomes a container hostname of at most 64), a DNS-1123 subdomain allows dots and 253
// characters, a label value 63 characters, an AKS cluster name 63 characters with '_'.

import { FleetSpec } from "../types";
import { finding, MemberFinding, show } from "./findings";

export const CLUSTER_NAME_MAX_LENGTH = 32;
export const CLUSTER_NAME_PATTERN = /^([a-z0-9][-a-z0-9]*)?[a-z0-9]$/;
/** Cilium's default `cluster.name`, forbidden with a non-zero `cluster.id` (every member gets one). */
export const DEFAULT_CLUSTER_NAME = "default";

const PATTERN_RULE = "must consist of lower case alphanumeric characters and '-', and must start and end with an alphanumeric character";

/** The chart's rules for one cluster name, in its order; [] when valid. */
export function clusterNameProblems(name: string): string[] {
  if (name.length === 0) return ["cannot be empty"];
  const problems: string[] = [];
  if (name.length > CLUSTER_NAME_MAX_LENGTH) problems.push(`must not be more than ${CLUSTER_NAME_MAX_LENGTH} characters`);
  if (!CLUSTER_NAME_PATTERN.test(name)) problems.push(PATTERN_RULE);
  if (name === DEFAULT_CLUSTER_NAME) problems.push("cannot use default value with cluster.id != 0");
  return problems;
}

export function memberNameFindings(spec: FleetSpec): MemberFinding[] {
  const names = spec.members.map((m) => m.name);
  const own = names.flatMap((name, i) =>
    clusterNameProblems(name).map((problem) => finding(names, i, "name", `cluster name ${show(name)} is invalid: ${problem}`)),
  );
  return [...own, ...duplicateNameFindings(names)];
}

/** One finding per name declared more than once (case-sensitive), on its first declaration. */
function duplicateNameFindings(names: readonly string[]): MemberFinding[] {
  const positions = new Map<string, number[]>();
  names.forEach((name, i) => positions.set(name, [...(positions.get(name) ?? []), i]));
  return [...positions.entries()]
    .filter(([, at]) => at.length > 1)
    .map(([name, at]) =>
      finding(
        names,
        at[0],
        "name",
        `cluster name ${show(name)} is declared ${at.length} times (${at.map((i) => `members[${i}]`).join(", ")}): ` +
          "cluster names must be unique in the fleet (a mesh refuses two clusters with the same, non-unique name)",
      ),
    );
}
