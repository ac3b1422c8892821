// The facts a plan report is made of, read from the outputs fleetmesh's components register: the
// same values the preview's what-if tables print, as the engine records them in a stack's state (so
// a `pulumi stack export` of the previous run holds the previous facts too). Pure.
import type { AllocationRow } from "../../components/core/fleet/allocation-table";
import type { MemberSite } from "../../components/core/fleet/member-site";
import type { ExistingMembersTouch, MeshWhatIfRow } from "../../components/core/cilium/mesh";
import type { PlacementWhatIf } from "../../components/core/kubefleet/placement/status";

/** A component as the engine records it: its type, name and registered outputs. */
export interface ComponentRecord {
  readonly type: string;
  readonly name: string;
  readonly outputs: Record<string, unknown>;
}

export interface FleetFacts {
  name: string;
  allocation: AllocationRow[];
  sites: Record<string, MemberSite>;
  meshMembers: Record<string, string[]>;
}

export interface MeshFacts {
  fleet: string;
  meshName: string;
  backend: string;
  rows: MeshWhatIfRow[];
  existingMembers?: ExistingMembersTouch;
}

export const ServiceKind = { GlobalService: "GlobalService", MultiClusterService: "MultiClusterService" } as const;
export type ServiceKind = (typeof ServiceKind)[keyof typeof ServiceKind];

export interface ServiceFacts {
  kind: ServiceKind;
  name: string;
  fleet: string;
  namespace?: string;
  /** The members whose endpoints serve it. */
  members: string[];
  /** A MultiClusterService's entry member. */
  ingressMember?: string;
}

export interface PlacementFacts {
  name: string;
  fleet: string;
  /** Absent for a placement known only from a previous run's state of an older version. */
  whatIf?: PlacementWhatIf;
  targets: string[];
}

export interface ReportFacts {
  fleets: FleetFacts[];
  meshes: MeshFacts[];
  services: ServiceFacts[];
  placements: PlacementFacts[];
}

const TYPE = "fleetmesh:index:";

const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
const record = <T>(value: unknown): Record<string, T> =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, T>) : {};
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === "string");

/** Mesh name → members, keeping only well-formed entries (a secret or older output may hold anything). */
function meshMembersOf(value: unknown): Record<string, string[]> {
  return Object.fromEntries(Object.entries(record<unknown>(value)).filter((entry): entry is [string, string[]] => isStringList(entry[1])));
}

/** Every member name a fleet's facts mention. */
function membersOf(fleet: FleetFacts): Set<string> {
  return new Set([...fleet.allocation.map((r) => r.member), ...Object.keys(fleet.sites)]);
}

/**
 * A component's fleet: the `fleetName` it publishes, else (a state written before components
 * published it) the only fleet there is, or the first fleet holding the members it reaches.
 */
function fleetOf(outputs: Record<string, unknown>, fleets: readonly FleetFacts[], reaches: readonly string[]): string {
  const named = text(outputs.fleetName);
  if (named !== undefined || fleets.length === 1) return named ?? fleets[0].name;
  return (
    fleets.find((f) => {
      const members = membersOf(f);
      return reaches.some((m) => members.has(m));
    })?.name ?? ""
  );
}

function fleetFacts(c: ComponentRecord): FleetFacts {
  return {
    name: c.name,
    allocation: list<AllocationRow>(c.outputs.allocationWhatIf),
    sites: record<MemberSite>(c.outputs.memberSites),
    meshMembers: meshMembersOf(c.outputs.meshMembers),
  };
}

function meshFacts(c: ComponentRecord, fleets: readonly FleetFacts[]): MeshFacts {
  const touch = c.outputs.existingMembers as ExistingMembersTouch | undefined;
  const rows = list<MeshWhatIfRow>(c.outputs.whatIf);
  return {
    fleet: fleetOf(
      c.outputs,
      fleets,
      rows.map((r) => r.name),
    ),
    meshName: text(c.outputs.meshName) ?? c.name,
    backend: text(c.outputs.backend) ?? "cilium",
    rows,
    ...(touch && { existingMembers: touch }),
  };
}

function serviceFacts(c: ComponentRecord, kind: ServiceKind, fleets: readonly FleetFacts[]): ServiceFacts {
  const global = kind === ServiceKind.GlobalService;
  const ingress = text(c.outputs.ingressMember);
  const namespace = text(c.outputs.namespace);
  const members = list<unknown>(global ? c.outputs.members : c.outputs.servingMembers).filter((m): m is string => typeof m === "string");
  return {
    kind,
    name: c.name,
    fleet: fleetOf(c.outputs, fleets, [...members, ...(ingress === undefined ? [] : [ingress])]),
    ...(namespace !== undefined && { namespace }),
    members: [...members].sort(),
    ...(ingress !== undefined && { ingressMember: ingress }),
  };
}

function placementFacts(c: ComponentRecord, fleets: readonly FleetFacts[]): PlacementFacts {
  const whatIf = c.outputs.whatIf as PlacementWhatIf | undefined;
  const targets = list<unknown>(c.outputs.targets).filter((m): m is string => typeof m === "string");
  return {
    name: c.name,
    fleet: fleetOf(c.outputs, fleets, [...targets, ...(whatIf?.removed ?? [])]),
    ...(whatIf && { whatIf }),
    targets: [...targets].sort(),
  };
}

/** The facts of every fleetmesh component among `components`, in the order they were registered. */
export function factsOf(components: readonly ComponentRecord[]): ReportFacts {
  const ofType = (type: string) => components.filter((c) => c.type === `${TYPE}${type}`);
  const fleets = ofType("Fleet").map(fleetFacts);
  return {
    fleets,
    meshes: ofType("ClusterMesh").map((c) => meshFacts(c, fleets)),
    services: [
      ...ofType(ServiceKind.GlobalService).map((c) => serviceFacts(c, ServiceKind.GlobalService, fleets)),
      ...ofType(ServiceKind.MultiClusterService).map((c) => serviceFacts(c, ServiceKind.MultiClusterService, fleets)),
    ],
    placements: ofType("Placement").map((c) => placementFacts(c, fleets)),
  };
}
