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

/**
 * A component's fleet: the `fleetName` it publishes, else (a state written before components
 * published it) the only fleet there is.
 */
function fleetOf(outputs: Record<string, unknown>, fleets: readonly FleetFacts[]): string {
  return text(outputs.fleetName) ?? (fleets.length === 1 ? fleets[0].name : "");
}

function fleetFacts(c: ComponentRecord): FleetFacts {
  return {
    name: c.name,
    allocation: list<AllocationRow>(c.outputs.allocationWhatIf),
    sites: record<MemberSite>(c.outputs.memberSites),
    meshMembers: record<string[]>(c.outputs.meshMembers),
  };
}

function meshFacts(c: ComponentRecord, fleets: readonly FleetFacts[]): MeshFacts {
  const touch = c.outputs.existingMembers as ExistingMembersTouch | undefined;
  return {
    fleet: fleetOf(c.outputs, fleets),
    meshName: text(c.outputs.meshName) ?? c.name,
    backend: text(c.outputs.backend) ?? "cilium",
    rows: list<MeshWhatIfRow>(c.outputs.whatIf),
    ...(touch && { existingMembers: touch }),
  };
}

function serviceFacts(c: ComponentRecord, kind: ServiceKind, fleets: readonly FleetFacts[]): ServiceFacts {
  const global = kind === ServiceKind.GlobalService;
  const ingress = text(c.outputs.ingressMember);
  const namespace = text(c.outputs.namespace);
  return {
    kind,
    name: c.name,
    fleet: fleetOf(c.outputs, fleets),
    ...(namespace !== undefined && { namespace }),
    members: [...list<string>(global ? c.outputs.members : c.outputs.servingMembers)].sort(),
    ...(ingress !== undefined && { ingressMember: ingress }),
  };
}

function placementFacts(c: ComponentRecord, fleets: readonly FleetFacts[]): PlacementFacts {
  const whatIf = c.outputs.whatIf as PlacementWhatIf | undefined;
  return {
    name: c.name,
    fleet: fleetOf(c.outputs, fleets),
    ...(whatIf && { whatIf }),
    targets: [...list<string>(c.outputs.targets)].sort(),
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
