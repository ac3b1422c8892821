// Names of kind clusters, scoped to their fleet, and the mark of the Pulumi stack that owns one.
// Pure: no Pulumi import.

import { createHash } from "crypto";
import { FieldViolation } from "../k8s/field-errors";
import { show } from "./validation/findings";

/**
 * kind's own rule for a cluster name (kubernetes-sigs/kind pkg/internal/apis/config/validate.go,
 * `validNameRE`): the name is prefixed and suffixed into Docker container names.
 */
export const KIND_CLUSTER_NAME_PATTERN = /^[a-z0-9.-]+$/;
/** The control-plane node is the container `<name>-control-plane`, also its hostname (at most 63 characters). */
export const KIND_CONTROL_PLANE_SUFFIX = "-control-plane";
export const KIND_CLUSTER_NAME_MAX_LENGTH = 63 - KIND_CONTROL_PLANE_SUFFIX.length;

/** The node label that marks which Pulumi stack created a kind cluster. */
export const OWNER_STACK_LABEL = "fleetmesh.io/owner-stack";

/** `<fleet>-<member>` unless the member names its kind cluster itself. */
export function kindClusterName(fleet: string, member: string, override: string | undefined): string {
  return override ?? `${fleet}-${member}`;
}

/** The control-plane node's container (and host) name, which Cilium's `k8sServiceHost` dials. */
export function kindControlPlane(clusterName: string): string {
  return `${clusterName}${KIND_CONTROL_PLANE_SUFFIX}`;
}

/** Why `name` cannot be a kind cluster name; [] when it can. */
export function kindClusterNameViolations(path: string, name: string, derived: boolean): FieldViolation[] {
  const problems: string[] = [];
  if (!KIND_CLUSTER_NAME_PATTERN.test(name)) problems.push(`kind cluster names must match ${KIND_CLUSTER_NAME_PATTERN.source}`);
  if (name.length > KIND_CLUSTER_NAME_MAX_LENGTH) {
    problems.push(
      `it is ${name.length} characters, and at most ${KIND_CLUSTER_NAME_MAX_LENGTH} leave "${kindControlPlane(name)}" a valid 63-character hostname`,
    );
  }
  const origin = derived ? " (derived as <fleet>-<member>; set kind.clusterName to choose another)" : "";
  return problems.map((problem) => ({ path, message: `kind cluster name ${show(name)}${origin} is invalid: ${problem}` }));
}

const LABEL_VALUE_MAX = 63;

/**
 * The owner mark as a Kubernetes label value (at most 63 characters of `[A-Za-z0-9_.-]`, alphanumeric
 * at both ends): `<org>.<project>.<stack>`, anything else replaced by `_`; a longer mark keeps its
 * start and ends with a hash of the whole, so two stacks never share a mark.
 */
export function ownerStackLabelValue(organization: string, project: string, stack: string): string {
  const full = `${organization}/${project}/${stack}`;
  const plain = [organization, project, stack].join(".").replace(/[^A-Za-z0-9_.-]/g, "_");
  const trimmed = plain.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  if (trimmed.length > 0 && trimmed.length <= LABEL_VALUE_MAX && trimmed === plain) return plain;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 12);
  const head = trimmed.slice(0, LABEL_VALUE_MAX - hash.length - 1).replace(/[^A-Za-z0-9]+$/, "");
  return head.length > 0 ? `${head}-${hash}` : hash;
}
