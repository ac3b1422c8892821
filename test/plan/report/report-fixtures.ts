// Component records as fleetmesh's components register them, for report tests that need no program.
import type { AllocationChange, AllocationRow } from "../../../components/core/fleet/allocation-table";
import type { MeshAction } from "../../../components/core/cilium/mesh";
import type { PlacementWhatIf } from "../../../components/core/kubefleet/placement/status";
import type { ComponentRecord } from "../../../plan/report/facts";

const FLEET = "fleet";

export interface MemberSpec {
  name: string;
  change?: AllocationChange;
  region?: string;
  provisioner?: "kind" | "aks" | "kubeconfig";
}

function row(m: MemberSpec, index: number): AllocationRow {
  return {
    member: m.name,
    ...(m.change !== "removed" && { provisioner: m.provisioner ?? "kind" }),
    allocation: { clusterId: index + 1, podCidr: `10.${index}.0.0/17`, serviceCidr: `10.128.${index}.0/24`, nodePort: 30000 + index },
    change: m.change ?? "new",
  };
}

/** A Fleet's record: its allocation rows, sites and meshes (mesh name → members after the run). */
export function fleetRecord(members: readonly MemberSpec[], meshes: Record<string, string[]> = {}, name = FLEET): ComponentRecord {
  const present = members.filter((m) => m.change !== "removed");
  return {
    type: "fleetmesh:index:Fleet",
    name,
    outputs: {
      allocationWhatIf: members.map(row),
      memberSites: Object.fromEntries(
        present.map((m) => [m.name, { provisioner: m.provisioner ?? "kind", ...(m.region !== undefined && { region: m.region }) }]),
      ),
      meshMembers: meshes,
      caCertPem: "-----BEGIN CERTIFICATE-----\nnot for reports\n-----END CERTIFICATE-----\n",
    },
  };
}

/** A ClusterMesh's record: one what-if row per member, by action. */
export function meshRecord(meshName: string, rows: Record<string, MeshAction>, fleet = FLEET): ComponentRecord {
  const state: Record<MeshAction, string> = { Add: "Connecting", Keep: "Connected", Remove: "Disconnecting" };
  const kept = Object.entries(rows)
    .filter(([, a]) => a === "Keep")
    .map(([n]) => n);
  const changed = Object.values(rows).some((a) => a !== "Keep");
  return {
    type: "fleetmesh:index:ClusterMesh",
    name: `${fleet}-${meshName}`,
    outputs: {
      meshName,
      backend: "cilium",
      fleetName: fleet,
      whatIf: Object.entries(rows).map(([name, action]) => ({ action, name, state: state[action] })),
      existingMembers: { members: kept, via: changed && kept.length ? "peer-objects" : "none", writes: [] },
    },
  };
}

export function globalServiceRecord(name: string, members: string[], fleet = FLEET): ComponentRecord {
  return { type: "fleetmesh:index:GlobalService", name, outputs: { serviceName: name, namespace: "demo", members, fleetName: fleet } };
}

export function placementRecord(
  name: string,
  move: { added?: string[]; kept?: string[]; removed?: string[] },
  fleet = FLEET,
): ComponentRecord {
  const [added, kept, removed] = [move.added ?? [], move.kept ?? [], move.removed ?? []];
  const whatIf: PlacementWhatIf = {
    placement: name,
    placementType: "PickAll",
    picked: [...added, ...kept].map((clusterName) => ({ clusterName, selected: true, reason: "picked by scheduling policy" })),
    notPicked: [],
    filtered: [],
    added,
    removed,
    kept,
    batches: added.length ? [{ index: 1, members: added, waitSecondsBefore: 0 }] : [],
    condition: { type: "Scheduled", status: "True", reason: "SchedulingPolicyFulfilled", message: "found all cluster needed" },
    mode: "direct",
  } as PlacementWhatIf;
  return { type: "fleetmesh:index:Placement", name, outputs: { whatIf, targets: [...added, ...kept].sort(), fleetName: fleet } };
}
