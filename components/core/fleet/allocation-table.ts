import { FleetState, MemberAllocation, Provisioner } from "./types";
import { hasOwn, ownValue } from "./own";
import { AllocationChange } from "./enums";

// The allocation what-if: what each member gets, and what changed since the previous run.

export { AllocationChange };

/** One row of the allocation what-if. */
export interface AllocationRow {
  /** The member's name. */
  member: string;
  /** Absent for a member gone since the previous run (the state records no provisioner). */
  provisioner?: Provisioner;
  /** Its allocation after this run (a removed member's: the previous run's). */
  allocation?: MemberAllocation;
  /** What this run does to it. */
  change: AllocationChange;
}

function sameAllocation(a: MemberAllocation, b: MemberAllocation): boolean {
  return a.clusterId === b.clusterId && a.podCidr === b.podCidr && a.serviceCidr === b.serviceCidr && a.nodePort === b.nodePort;
}

/** One row per current member (new / kept / renumbered), then one per member gone since the previous run. */
export function allocationRows(
  allocations: Record<string, MemberAllocation>,
  provisioners: Record<string, Provisioner>,
  previous: FleetState | undefined,
): AllocationRow[] {
  const before = previous?.members ?? {};
  const current = Object.keys(allocations)
    .sort()
    .map((member): AllocationRow => {
      const allocation = allocations[member];
      const old = ownValue(before, member);
      const change: AllocationChange = !old ? "new" : sameAllocation(old, allocation) ? "kept" : "renumbered";
      const provisioner = ownValue(provisioners, member);
      return { member, ...(provisioner !== undefined && { provisioner }), allocation, change };
    });
  const removed = Object.keys(before)
    .filter((member) => !hasOwn(allocations, member))
    .sort()
    .map((member): AllocationRow => ({ member, allocation: before[member], change: "removed" }));
  return [...current, ...removed];
}

/** Fixed-width columns, the header first. */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

export function renderAllocationTable(fleetName: string, rows: readonly AllocationRow[]): string {
  const header = ["MEMBER", "PROVISIONER", "CLUSTER-ID", "POD-CIDR", "SERVICE-CIDR", "NODEPORT", "CHANGE"];
  const cells = rows.map((row) => [
    row.member,
    row.provisioner ?? "-",
    String(row.allocation?.clusterId ?? "-"),
    row.allocation?.podCidr ?? "-",
    row.allocation?.serviceCidr ?? "-",
    row.allocation?.nodePort === undefined ? "-" : String(row.allocation.nodePort),
    row.change,
  ]);
  return `Fleet ${fleetName}: member allocation\n${renderTable(header, cells)}`;
}
