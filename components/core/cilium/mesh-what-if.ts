// The mesh what-if printed during `pulumi preview`, modelled on `az fleet clustermeshprofile apply
// --what-if` (MicrosoftDocs/azure-aks-docs articles/kubernetes-fleet/howto-configure-use-cross-cluster-networking.md):
// one row per member that is added, kept or removed, with Azure's mesh-member states (the ARM
// `meshProperties.status.state` values). Pure: no Pulumi import.

import { renderTable } from "../fleet/allocation-table";
import { atLeast, requireSupportedCiliumVersion } from "./cilium-version";
import { MeshPlan } from "./mesh-plan";

export type MeshAction = "Add" | "Remove" | "Keep";

export interface MeshWhatIfRow {
  action: MeshAction;
  name: string;
  /** Undefined = not known yet (e.g. Fleet assigns it on apply). */
  clusterId?: number;
  /** Where peers reach the member's clustermesh-apiserver (or its ClusterResourceId); undefined = not known yet. */
  address?: string;
  /** ARM MeshMemberStatus state the row leads to: Connecting, Connected or Disconnecting. */
  state: string;
}

/** Printed for any value not known during the preview; a row is never dropped for it. */
export const UNKNOWN_VALUE = "(known after up)";

const STATE: Record<MeshAction, string> = { Keep: "Connected", Add: "Connecting", Remove: "Disconnecting" };

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keep and Add rows by name, then Remove rows by name. `previousMembers` undefined = first run. */
export function meshWhatIf(
  plan: MeshPlan,
  previousMembers: readonly string[] | undefined,
  facts: Record<string, { clusterId?: number; address?: string }>,
): MeshWhatIfRow[] {
  const before = new Set(previousMembers ?? []);
  const now = new Set(plan.members);
  const row = (action: MeshAction, name: string): MeshWhatIfRow => {
    const known = Object.prototype.hasOwnProperty.call(facts, name) ? facts[name] : {};
    return {
      action,
      name,
      ...(known.clusterId !== undefined && { clusterId: known.clusterId }),
      ...(known.address !== undefined && { address: known.address }),
      state: STATE[action],
    };
  };
  const current = [...now].sort(compareStrings).map((name) => row(before.has(name) ? "Keep" : "Add", name));
  const removed = [...before]
    .filter((name) => !now.has(name))
    .sort(compareStrings)
    .map((name) => row("Remove", name));
  return [...current, ...removed];
}

/** Heading, table, and what the change does to members that were in the mesh before. */
export function renderMeshWhatIf(plan: MeshPlan, rows: MeshWhatIfRow[], chartVersion: string): string {
  const count = plan.members.length;
  const heading = `ClusterMesh ${plan.name} (${plan.backend}): ${count} ${count === 1 ? "member" : "members"}`;
  const header = ["ACTION", "NAME", "CLUSTER-ID", "ADDRESS", "MESH-MEMBERSHIP-STATE"];
  const cells = rows.map((r) => [
    r.action,
    r.name,
    r.clusterId === undefined ? UNKNOWN_VALUE : String(r.clusterId),
    r.address ?? UNKNOWN_VALUE,
    r.state,
  ]);
  return [heading, renderTable(header, cells), touchLine(plan, rows, chartVersion)].join("\n");
}

/**
 * What existing members (Keep or Remove rows) go through. With KVStoreMesh on (always, see
 * cilium-values.ts) a peer change rewrites the `cilium-kvstoremesh` / `cilium-clustermesh` Secrets and
 * the clustermesh-apiserver `hostAliases`, so on ≤ 1.19 only that Deployment rolls; 1.20 also carries
 * the aliases in the Secret (`cilium-host-aliases`), so nothing restarts (cilium/cilium
 * install/kubernetes/cilium/templates/clustermesh-apiserver/deployment.yaml and
 * templates/clustermesh-config/_helpers.tpl). Caveat: the 1.20.0 chart still renders the `hostAliases`
 * (a TODO there drops them in 1.21) unless `clustermesh.disableKubernetesHostAliases` is true, and
 * cilium-values.ts does not set it, so the 1.20 line is optimistic. Azure Fleet's `apply` (the POST
 * `clusterMeshProfiles/{name}/apply` action in Azure/azure-rest-api-specs
 * specification/containerservice/resource-manager/Microsoft.ContainerService/fleet/preview/2026-03-02-preview/fleets.json)
 * reconciles the profile itself.
 */
function touchLine(plan: MeshPlan, rows: readonly MeshWhatIfRow[], chartVersion: string): string {
  const changes = rows.some((r) => r.action !== "Keep");
  const existing = rows.some((r) => r.action !== "Add");
  if (!changes || !existing) return "no change on existing members";
  if (plan.backend === "azure-fleet") return "Azure Fleet applies the profile: existing members stay Connected";
  if (atLeast(requireSupportedCiliumVersion(chartVersion, "chartVersion"), 1, 20)) {
    return "existing members: peer list updated in place (cilium-host-aliases), no pod restarts";
  }
  return "existing members: only clustermesh-apiserver restarts (its peer list and hostAliases change); Cilium agents keep running";
}
