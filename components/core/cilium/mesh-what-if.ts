// The mesh what-if printed during `pulumi preview`, modelled on `az fleet clustermeshprofile apply
// --what-if` (MicrosoftDocs/azure-aks-docs articles/kubernetes-fleet/howto-configure-use-cross-cluster-networking.md):
// one row per member that is added, kept or removed, with Azure's mesh-member states (the ARM
// `meshProperties.status.state` values). Pure: no Pulumi import.

import { renderTable } from "../fleet/allocation-table";
import { MeshEndpoint, meshPeersOf } from "./mesh-peers";
import { PeerObjectChange, peerConfig, peerConfigChanges } from "./peer-config";
import { MeshPlan } from "./mesh-plan";
import { ownValue } from "../fleet/own";

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

/** Where peers dial an endpoint, as the ADDRESS column shows it: its IPs, or its DNS name; undefined while not known. */
export function endpointAddress(endpoint: MeshEndpoint | undefined): string | undefined {
  if (endpoint?.ips !== undefined && endpoint.ips.length > 0) return endpoint.ips.join(", ");
  return endpoint?.address;
}

/**
 * Keep and Add rows by name, then Remove rows by name. `previousMembers` undefined = first run. A
 * member's address is its fact (a kind node's address once known), else where its endpoint says peers
 * dial it: a declared `meshEndpoint` is known in every preview.
 */
export function meshWhatIf(
  plan: MeshPlan,
  previousMembers: readonly string[] | undefined,
  facts: Record<string, { clusterId?: number; address?: string }>,
  endpoints: Record<string, MeshEndpoint> = {},
): MeshWhatIfRow[] {
  const before = new Set(previousMembers ?? []);
  const now = new Set(plan.members);
  const row = (action: MeshAction, name: string): MeshWhatIfRow => {
    const known = ownValue(facts, name) ?? {};
    const address = known.address ?? endpointAddress(ownValue(endpoints, name));
    return {
      action,
      name,
      ...(known.clusterId !== undefined && { clusterId: known.clusterId }),
      ...(address !== undefined && { address }),
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

/**
 * What a membership change writes on the members that stay: the peer objects of one of them (every
 * staying member gets the same entries added and removed: one per joining and leaving member). Endpoints
 * not known yet (a kind node address in preview) or gone (a member that left the fleet) are stood in
 * for, so the entries are exact and the byte counts close estimates. Empty on a first run or with no change.
 */
export function existingMemberChanges(
  version: string,
  maxConnectedClusters: 255 | 511,
  members: readonly string[],
  previousMembers: readonly string[] | undefined,
  endpoints: Record<string, MeshEndpoint>,
): PeerObjectChange[] {
  const now = new Set(members);
  const staying = (previousMembers ?? []).filter((name) => now.has(name)).sort(compareStrings);
  if (staying.length === 0) return [];
  const endpoint = (name: string): MeshEndpoint => {
    const known = ownValue(endpoints, name);
    return known && (known.ips !== undefined || known.address !== undefined) ? known : { port: 2379, address: `${name}.not-known.invalid` };
  };
  const sample = staying[0];
  const config = (list: readonly string[]) => {
    const all = Object.fromEntries(list.map((name) => [name, endpoint(name)]));
    return peerConfig({ version, clusterName: sample, maxConnectedClusters, peers: meshPeersOf(sample, list, all) });
  };
  return peerConfigChanges(config(previousMembers ?? []), config(members));
}

/** How a membership change reaches the members that were in the mesh before and stay. */
export type TouchVia = "none" | "peer-objects" | "azure-fleet-apply";

/** What a run does to the members that stay in a mesh: the facts the what-if's last line states. */
export interface ExistingMembersTouch {
  /** The members that were in the mesh before and stay, sorted. */
  members: string[];
  via: TouchVia;
  /** The objects each of them gets written in place (the same on every one); empty unless `via` is `peer-objects`. */
  writes: PeerObjectChange[];
}

/**
 * What existing members go through, from the rows and the computed object changes. Their Helm values
 * carry no peers (cilium-values.ts), so no release is upgraded and no pod template changes; the objects
 * are files Cilium re-reads where they are mounted (peer-config.ts cites where it watches them). Azure
 * Fleet's `apply` (the POST `clusterMeshProfiles/{name}/apply` action in Azure/azure-rest-api-specs
 * specification/containerservice/resource-manager/Microsoft.ContainerService/fleet/preview/2026-03-02-preview/fleets.json)
 * reconciles the profile itself.
 */
export function existingMembersTouch(
  plan: MeshPlan,
  rows: readonly MeshWhatIfRow[],
  changes: readonly PeerObjectChange[],
): ExistingMembersTouch {
  const members = rows.filter((r) => r.action === "Keep").map((r) => r.name);
  const changed = rows.some((r) => r.action !== "Keep");
  if (!changed || members.length === 0) return { members, via: "none", writes: [] };
  if (plan.backend === "azure-fleet") return { members, via: "azure-fleet-apply", writes: [] };
  return { members, via: "peer-objects", writes: [...changes] };
}

/** Heading, table, and what the change does to members that were in the mesh before. */
export function renderMeshWhatIf(plan: MeshPlan, rows: MeshWhatIfRow[], touch: ExistingMembersTouch): string {
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
  return [heading, renderTable(header, cells), touchLine(touch)].join("\n");
}

/** The what-if's last line: how the change reaches the members that stay. */
export function touchLine(touch: ExistingMembersTouch): string {
  if (touch.via === "none") return "no change on existing members";
  if (touch.via === "azure-fleet-apply") return "Azure Fleet applies the profile: existing members stay Connected";
  const writes = touch.writes.map((c) => `${c.kind} ${c.name} (${entryList(c)}; ${c.bytesBefore} → ${c.bytesAfter} bytes)`);
  const staying = touch.members.length;
  const members = `${staying} existing ${staying === 1 ? "member" : "members"}`;
  return `${members}: no Helm upgrade, no pod restart; ${writes.length} in-place ${writes.length === 1 ? "write" : "writes"} each: ${writes.join(", ")}`;
}

const LISTED_ENTRIES = 4;

function entryList(change: PeerObjectChange): string {
  const parts = [...change.added.map((e) => `+${e}`), ...change.removed.map((e) => `-${e}`), ...change.changed.map((e) => `~${e}`)];
  const shown = parts.slice(0, LISTED_ENTRIES).join(" ");
  return parts.length > LISTED_ENTRIES ? `${shown} and ${parts.length - LISTED_ENTRIES} more` : shown;
}
