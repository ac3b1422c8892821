// Fleets of any size, planned with the pure planners the components use (components/core/fleet:
// planFleet, allocateFleet, member-cilium.ts) and no Pulumi runtime: per member, its Helm values
// (`buildCiliumValues`, as Member builds them) and its peer objects (`memberPeerConfig` over its mesh's
// table, as Fleet and Member build them).
import { buildCiliumValues } from "../../components/core/cilium/cilium-values";
import { CiliumPeer, MeshPeerTable, PeerConfig, memberPeerConfig } from "../../components/core/cilium/peer-config";
import {
  meshEndpoints,
  meshPeerTableOf,
  memberApiserver,
  memberCiliumValuesInput,
  memberPeerSelf,
  memberPeers,
} from "../../components/core/fleet/member-cilium";
import {
  FleetDeclaration,
  FleetPlan,
  MemberDeclarationFacts,
  PlannedMesh,
  allocateFleet,
  fleetState,
  planFleet,
} from "../../components/core/fleet/plan-fleet";
import { FleetState, MemberAllocation } from "../../components/core/fleet/types";
import { ChartCa } from "./test-ca";

/** How a member runs and is reached: a kind cluster (NodePort on its node), or an existing or AKS BYOCNI cluster. */
export type Shape = "kind" | "kubeconfig-lb" | "kubeconfig-nodeport" | "byocni-lb";
export const SHAPES: readonly Shape[] = ["kind", "kubeconfig-lb", "kubeconfig-nodeport", "byocni-lb"];

/** The mesh every member of a pure fleet is in. */
const MESH = "all";

/**
 * A number per member from its name (`m017` → 17, anything else past the numbered ones), so that its
 * addresses do not move when others join or leave.
 */
function numberOf(name: string): number {
  const match = /^m(\d+)$/.exec(name);
  if (match) return Number(match[1]);
  return 1000 + [...name].reduce((sum, c) => (sum * 31 + c.charCodeAt(0)) % 1000, 0);
}

const address = (prefix: string, n: number) => `${prefix}.${Math.floor(n / 250)}.${(n % 250) + 1}`;

/** The address the fake kind node of a member has (what `docker inspect` would read). */
export function nodeAddress(name: string): string {
  return address("172.18", numberOf(name));
}

/** A member as declared; `extra` adds IPs to a NodePort member's endpoint. */
export function declareMember(name: string, shape: Shape, extra: string[] = []): MemberDeclarationFacts {
  const labels = { mesh: MESH };
  const ip = address("192.168", numberOf(name));
  if (shape === "kind") return { name, kind: {}, hasKubeconfig: false, labels };
  if (shape === "kubeconfig-lb") return { name, hasKubeconfig: true, labels, meshEndpoint: { loadBalancerIP: ip } };
  if (shape === "kubeconfig-nodeport") {
    return { name, hasKubeconfig: true, labels, meshEndpoint: { serviceType: "NodePort", ips: [ip, ...extra] } };
  }
  return { name, aks: { networkPlugin: "none" }, hasKubeconfig: false, labels, meshEndpoint: { loadBalancerIP: ip } };
}

export interface PureFleetOptions {
  version: string;
  maxConnectedClusters?: 255 | 511;
  /** The previous run's state: existing members keep their ids and NodePorts. */
  previous?: FleetState;
}

export interface PureFleet {
  plan: FleetPlan;
  allocations: Record<string, MemberAllocation>;
  /** What the next run reads as previous. */
  state: FleetState;
  /** The member's Helm values, with `ca` as the fleet CA. */
  values(member: string, ca: ChartCa): Record<string, unknown>;
  /** The member's peers, as its peer config lists them. */
  peers(member: string): CiliumPeer[];
  /** The member's peer objects. */
  peerConfig(member: string): PeerConfig;
}

/** Plans and allocates a fleet of these members, all in one mesh; throws on any violation. */
export function pureFleet(members: readonly MemberDeclarationFacts[], options: PureFleetOptions): PureFleet {
  const declaration: FleetDeclaration = {
    name: "pure",
    azureFleet: false,
    ownerStack: "org.proj.dev",
    cilium: { version: options.version },
    ...(options.maxConnectedClusters && { maxConnectedClusters: options.maxConnectedClusters }),
    members: [...members],
    meshes: [{ name: MESH, memberSelector: { matchLabels: { mesh: MESH } } }],
  };
  const plan = planFleet(declaration);
  if (plan.violations.length > 0) throw new Error(`planFleet: ${JSON.stringify(plan.violations.slice(0, 3))}`);
  const { allocations, violations } = allocateFleet(plan, options.previous, false);
  if (violations.length > 0) throw new Error(`allocateFleet: ${JSON.stringify(violations.slice(0, 3))}`);
  const byName = new Map(plan.members.map((m) => [m.name, m]));
  const nodeAddresses = Object.fromEntries(plan.members.map((m) => [m.name, m.kind ? nodeAddress(m.name) : undefined]));
  const planned = (name: string) => {
    const member = byName.get(name);
    if (!member) throw new Error(`no member ${name}`);
    return { member, mesh: plan.meshes.find((m) => m.name === member.mesh), allocation: allocations[name] };
  };
  const peers = (name: string) => {
    const { member, mesh } = planned(name);
    return memberPeers(member, mesh, plan.members, allocations, nodeAddresses);
  };
  // One table per mesh, as Fleet builds it (components/fleet.ts peerTables).
  const tables = new Map<string, MeshPeerTable>();
  const tableOf = (mesh: PlannedMesh | undefined): MeshPeerTable => {
    const key = mesh?.name ?? "";
    let table = tables.get(key);
    if (!table) {
      table = meshPeerTableOf(mesh, plan.cilium, mesh ? meshEndpoints(mesh, plan.members, allocations, nodeAddresses) : {});
      tables.set(key, table);
    }
    return table;
  };
  return {
    plan,
    allocations,
    state: fleetState(plan, allocations),
    values(name, ca) {
      const { member, mesh, allocation } = planned(name);
      const apiserver = member.apiserver
        ? memberApiserver(member, allocation, nodeAddresses[name], mesh?.defaultGlobalNamespace)
        : undefined;
      const input = memberCiliumValuesInput(member, plan.cilium, allocation, { certPemBase64: ca.cert, keyPemBase64: ca.key }, apiserver);
      return buildCiliumValues(input);
    },
    peers,
    peerConfig(name) {
      const { member, mesh, allocation } = planned(name);
      return memberPeerConfig(tableOf(mesh), memberPeerSelf(member, allocation));
    },
  };
}

/** `count` members `m000`, `m001`, … with the shapes in turn. */
export function numberedMembers(count: number): MemberDeclarationFacts[] {
  return Array.from({ length: count }, (_, i) => declareMember(`m${String(i).padStart(3, "0")}`, SHAPES[i % SHAPES.length]));
}
