// What a plan report says: every member, mesh, service and placement with what this run does to it
// (added, changed, removed, unchanged), decided once from this run's facts and the previous run's. Pure.
import type { AllocationChange } from "../../components/core/fleet/allocation-table";
import type { MemberAllocation } from "../../components/core/fleet/types";
import type { ExistingMembersTouch, MeshWhatIfRow } from "../../components/core/cilium/mesh";
import type { PlacementWhatIf } from "../../components/core/kubefleet/placement/status";
import { FleetFacts, MeshFacts, PlacementFacts, ReportFacts, ServiceFacts } from "./facts";
import { CHANGES, Change } from "./picture";

export interface MemberEntry {
  fleet: string;
  name: string;
  provisioner: string;
  region?: string;
  mesh?: string;
  allocation?: MemberAllocation;
  /** The allocation what-if's own word for it (new, kept, renumbered, removed). */
  allocationChange: AllocationChange;
  change: Change;
}

export interface MeshEntry {
  fleet: string;
  name: string;
  backend: string;
  /** Its members after this run. */
  members: string[];
  rows: MeshWhatIfRow[];
  existingMembers?: ExistingMembersTouch;
  change: Change;
}

export interface ServiceEntry extends ServiceFacts {
  /** The members that served it in the previous run, when it existed then. */
  previousMembers?: string[];
  change: Change;
}

export interface PlacementEntry {
  fleet: string;
  name: string;
  targets: string[];
  whatIf?: PlacementWhatIf;
  change: Change;
}

export const ELEMENTS = ["members", "meshes", "services", "placements"] as const;
export type Element = (typeof ELEMENTS)[number];

export interface ReportModel {
  members: MemberEntry[];
  meshes: MeshEntry[];
  services: ServiceEntry[];
  placements: PlacementEntry[];
  counts: Record<Element, Record<Change, number>>;
}

const byName = <T extends { fleet: string; name: string }>(a: T, b: T) =>
  a.fleet === b.fleet ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.fleet < b.fleet ? -1 : 1;

/** How a member is told apart across fleets (member names are unique only within one). */
export const memberKey = (fleet: string, name: string) => `${fleet}/${name}`;

const entryKey = (e: { fleet: string; name: string }) => memberKey(e.fleet, e.name);
const meshKey = (m: MeshFacts) => memberKey(m.fleet, m.meshName);

/** The members a mesh has after its what-if rows (every row but a removal). */
const membersAfter = (rows: readonly MeshWhatIfRow[]) => rows.filter((r) => r.action !== "Remove").map((r) => r.name);

const ALLOCATION_CHANGE: Record<AllocationChange, Change> = { new: "added", kept: "unchanged", renumbered: "changed", removed: "removed" };

/** The members a mesh change writes to in place (or has Azure Fleet reconcile), by fleet and member. */
function touchedMembers(meshes: readonly MeshFacts[]): Set<string> {
  return new Set(
    meshes.flatMap((m) =>
      m.existingMembers && m.existingMembers.via !== "none" ? m.existingMembers.members.map((name) => memberKey(m.fleet, name)) : [],
    ),
  );
}

function meshOf(fleet: FleetFacts | undefined, member: string): string | undefined {
  return Object.entries(fleet?.meshMembers ?? {}).find(([, members]) => members.includes(member))?.[0];
}

function fleetMembers(fleet: FleetFacts, before: FleetFacts | undefined, touched: ReadonlySet<string>): MemberEntry[] {
  return fleet.allocation.map((row) => {
    const removed = row.change === "removed";
    const site = (removed ? before?.sites[row.member] : fleet.sites[row.member]) ?? before?.sites[row.member];
    const mesh = meshOf(removed ? before : fleet, row.member);
    const moved = before !== undefined && !removed && row.change === "kept" && meshOf(before, row.member) !== mesh;
    const base = ALLOCATION_CHANGE[row.change];
    const change: Change = base === "unchanged" && (moved || touched.has(memberKey(fleet.name, row.member))) ? "changed" : base;
    return {
      fleet: fleet.name,
      name: row.member,
      provisioner: site?.provisioner ?? row.provisioner ?? "-",
      ...(site?.region !== undefined && { region: site.region }),
      ...(mesh !== undefined && { mesh }),
      ...(row.allocation && { allocation: row.allocation }),
      allocationChange: row.change,
      change,
    };
  });
}

/** The members of a fleet of the previous run that this run no longer declares: all leave. */
function removedFleetMembers(fleet: FleetFacts): MemberEntry[] {
  return fleet.allocation
    .filter((row) => row.change !== "removed")
    .map((row) => ({
      ...fleetMembers({ ...fleet, allocation: [{ ...row, change: "removed" }] }, fleet, new Set())[0],
      change: "removed" as const,
    }));
}

function meshEntry(mesh: MeshFacts, before: readonly MeshFacts[] | undefined): MeshEntry {
  const existed = before === undefined ? mesh.rows.some((r) => r.action !== "Add") : before.some((b) => meshKey(b) === meshKey(mesh));
  const change: Change = !existed ? "added" : mesh.rows.some((r) => r.action !== "Keep") ? "changed" : "unchanged";
  return {
    fleet: mesh.fleet,
    name: mesh.meshName,
    backend: mesh.backend,
    members: membersAfter(mesh.rows),
    rows: mesh.rows,
    ...(mesh.existingMembers && { existingMembers: mesh.existingMembers }),
    change,
  };
}

/** A mesh of the previous run that no component declares now: all its members leave. */
function removedMesh(mesh: MeshFacts): MeshEntry {
  return {
    fleet: mesh.fleet,
    name: mesh.meshName,
    backend: mesh.backend,
    members: [],
    rows: membersAfter(mesh.rows).map((name) => ({ action: "Remove", name, state: "Disconnecting" })),
    change: "removed",
  };
}

const serviceKey = (s: ServiceFacts) => `${s.fleet}/${s.kind}/${s.name}`;
const sameService = (a: ServiceFacts, b: ServiceFacts) =>
  a.namespace === b.namespace && a.ingressMember === b.ingressMember && a.members.join() === b.members.join();

/** A service with what it was in the previous run: changed when what serves it or where it enters changed. */
function serviceEntry(service: ServiceFacts, before: readonly ServiceFacts[] | undefined): ServiceEntry {
  const old = before?.find((b) => serviceKey(b) === serviceKey(service));
  if (old === undefined) return { ...service, change: "added" };
  return { ...service, previousMembers: old.members, change: sameService(old, service) ? "unchanged" : "changed" };
}

function placementChange(placement: PlacementFacts, before: readonly PlacementFacts[] | undefined): Change {
  const existed =
    before === undefined
      ? (placement.whatIf?.kept.length ?? 0) + (placement.whatIf?.removed.length ?? 0) > 0
      : before.some((b) => entryKey(b) === entryKey(placement));
  if (!existed) return "added";
  const moved = placement.whatIf ? placement.whatIf.added.length + placement.whatIf.removed.length > 0 : false;
  return moved ? "changed" : "unchanged";
}

/** Elements of the previous run that this run no longer declares. */
function gone<T>(before: readonly T[] | undefined, now: readonly T[], key: (t: T) => string): T[] {
  const present = new Set(now.map(key));
  return (before ?? []).filter((b) => !present.has(key(b)));
}

function countChanges(entries: ReadonlyArray<{ change: Change }>): Record<Change, number> {
  return Object.fromEntries(CHANGES.map((change) => [change, entries.filter((e) => e.change === change).length])) as Record<Change, number>;
}

/**
 * The report of a run. `previous` undefined: nothing is known of a previous run (a first run, or a
 * previous state with no component records), so what the components' own what-ifs say decides.
 */
export function reportModel(now: ReportFacts, previous: ReportFacts | undefined): ReportModel {
  const touched = touchedMembers(now.meshes);
  const members = [
    ...now.fleets.flatMap((fleet) =>
      fleetMembers(
        fleet,
        previous?.fleets.find((f) => f.name === fleet.name),
        touched,
      ),
    ),
    ...gone(previous?.fleets, now.fleets, (f) => f.name).flatMap(removedFleetMembers),
  ];
  const meshes = [
    ...now.meshes.map((m) => meshEntry(m, previous?.meshes)),
    ...gone(previous?.meshes, now.meshes, meshKey).map(removedMesh),
  ].sort(byName);
  const services = [
    ...now.services.map((s) => serviceEntry(s, previous?.services)),
    ...gone(previous?.services, now.services, serviceKey).map((s) => ({ ...s, change: "removed" as const })),
  ].sort((a, b) => byName(a, b) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  const placements: PlacementEntry[] = [
    ...now.placements.map((p) => ({ ...p, change: placementChange(p, previous?.placements) })),
    ...gone(previous?.placements, now.placements, entryKey).map((p) => ({
      fleet: p.fleet,
      name: p.name,
      targets: p.targets,
      change: "removed" as const,
    })),
  ].sort(byName);
  return {
    members,
    meshes,
    services,
    placements,
    counts: {
      members: countChanges(members),
      meshes: countChanges(meshes),
      services: countChanges(services),
      placements: countChanges(placements),
    },
  };
}
