// A mesh's `globalNamespaces`: the namespaces it creates on every member, annotated
// `clustermesh.cilium.io/global`. Each is a namespace name (a DNS-1123 label: apimachinery
// `ValidateNamespaceName`, k8s.io/apimachinery pkg/api/validation/generic.go), listed once, and not
// one of the namespaces the API server creates on every cluster (default, kube-system, kube-public,
// kube-node-lease: kubernetes/kubernetes pkg/controlplane/controller/systemnamespaces). The mesh
// creates each global namespace as a Namespace it owns, so one that every cluster already has would
// fail to be created (it exists) or be adopted by fleetmesh; that holds for `default` too. To share
// such a namespace, annotate it on the clusters instead (or, on Cilium 1.20+, keep
// `defaultGlobalNamespace: true`, which shares every namespace). Pure: no Pulumi import.

import { isDNS1123Label } from "../k8s/names";
import { FieldViolation } from "../fleet/types";
import { show } from "../fleet/validation/findings";
import { SYSTEM_NAMESPACES } from "../services/global-service";

/** Every problem with one mesh's `globalNamespaces`, under `path` (`meshes.<mesh>.globalNamespaces`). */
export function globalNamespaceViolations(path: string, namespaces: unknown): FieldViolation[] {
  if (namespaces === undefined || namespaces === null) return [];
  if (!Array.isArray(namespaces))
    return [{ path, message: `globalNamespaces ${show(namespaces)} is invalid: must be a list of namespace names` }];
  const firstAt = new Map<string, number>();
  return namespaces.flatMap((namespace: unknown, i): FieldViolation[] => {
    const at = `${path}[${i}]`;
    const own = namespaceProblems(namespace).map((problem) => ({ path: at, message: `namespace ${show(namespace)} ${problem}` }));
    if (own.length > 0 || typeof namespace !== "string") return own;
    const first = firstAt.get(namespace);
    if (first === undefined) {
      firstAt.set(namespace, i);
      return [];
    }
    return [{ path: at, message: `namespace ${show(namespace)} is also globalNamespaces[${first}]: each namespace is listed once` }];
  });
}

function namespaceProblems(namespace: unknown): string[] {
  if (typeof namespace !== "string" || namespace.length === 0) return ["is invalid: must be a non-empty string"];
  const syntax = isDNS1123Label(namespace);
  if (syntax.length > 0) return syntax.map((problem) => `is invalid: ${problem}`);
  if (!SYSTEM_NAMESPACES.includes(namespace)) return [];
  return [
    `is reserved: every cluster already has it (${SYSTEM_NAMESPACES.map(show).join(", ")}), and the mesh would create and own it ` +
      'on each member; annotate it clustermesh.cilium.io/global: "true" on the clusters instead',
  ];
}
