// Every Cilium values set fleetmesh plans, with the peer objects it writes beside each release and
// what the test knows about each fleet: the example programs planned in-process (plan/run-program.ts),
// and a fleet of kind, kubeconfig and AKS BYOCNI members built on the component test harness
// (test/components/harness.ts).
import * as path from "path";
import { FleetArgs } from "../../components";
import { FleetState } from "../../components/core/fleet/types";
import { fakeNodeAddress } from "../../plan/fake-cloud";
import { resetRootStack, runProgram } from "../../plan/run-program";
import { deploy, ofType, settle } from "../components/harness";
import { FleetFacts, MemberFacts } from "./expected-view";
import { K8sObject } from "./helm-template";

const RELEASE = "kubernetes:helm.sh/v3:Release";
/** How fleetmesh writes a member's peer objects (components/runtime/peer-config-objects.ts). */
const PEER_OBJECT_TYPES = ["kubernetes:core/v1:SecretPatch", "kubernetes:core/v1:ConfigMapPatch"];
export const PROGRAMS_DIR = path.resolve(__dirname, "../../programs");

/** One member's Cilium release as planned. */
export interface PlannedCilium {
  member: string;
  chartVersion: string;
  values: Record<string, unknown>;
}

export interface PlannedFleet {
  facts: FleetFacts;
  releases: PlannedCilium[];
  /** Per member, the peer objects registered on its provider, as the cluster receives them. */
  peerObjects: Record<string, K8sObject[]>;
}

/** A Patch resource's object (its inputs are the object itself). */
function objectOf(inputs: Record<string, any>): K8sObject {
  const { apiVersion, kind, metadata, data } = inputs;
  return { apiVersion, kind, metadata, data };
}

/** Peer objects by member, from resources and the member each one's provider belongs to. */
function peerObjectsOf<R extends { type: string; inputs: Record<string, any> }>(
  resources: readonly R[],
  memberOf: (resource: R) => string,
): Record<string, K8sObject[]> {
  const byMember: Record<string, K8sObject[]> = {};
  for (const r of resources.filter((r) => PEER_OBJECT_TYPES.includes(r.type))) (byMember[memberOf(r)] ??= []).push(objectOf(r.inputs));
  return byMember;
}

/** How a member's clustermesh-apiserver is reached, as declared (kind: the cluster, whose control-plane node the fake cloud addresses by the cluster name). */
export type Exposure = { kindCluster: string } | { loadBalancerIP: string; annotations?: Record<string, string> } | { nodeIps: string[] };

function memberFacts(allocation: FleetState["members"][string], exposure: Exposure | undefined): MemberFacts {
  if (!exposure) return { clusterId: allocation.clusterId };
  if ("loadBalancerIP" in exposure) {
    const { loadBalancerIP, annotations } = exposure;
    return {
      clusterId: allocation.clusterId,
      apiserver: { type: "LoadBalancer", loadBalancerIP, annotations },
      dialled: { port: 2379, ips: [loadBalancerIP] },
    };
  }
  const ips = "kindCluster" in exposure ? [fakeNodeAddress(exposure.kindCluster)] : exposure.nodeIps;
  return {
    clusterId: allocation.clusterId,
    apiserver: { type: "NodePort", nodePort: allocation.nodePort! },
    dialled: { port: allocation.nodePort!, ips },
  };
}

/** The facts of a fleet: ids, NodePorts and meshes from its state output, exposure from its declaration. */
export function fleetFacts(state: FleetState, exposure: Record<string, Exposure>): FleetFacts {
  const meshes = Object.values(state.meshes ?? {}).map((mesh) => [...mesh.members]);
  const members = Object.fromEntries(
    Object.entries(state.members).map(([name, allocation]) => [name, memberFacts(allocation, exposure[name])]),
  );
  return { members, meshes };
}

/** Kind members' exposure: their kind cluster, `<fleet>-<member>` unless renamed. */
export function kindExposure(fleet: string, members: readonly string[]): Record<string, Exposure> {
  return Object.fromEntries(members.map((m) => [m, { kindCluster: `${fleet}-${m}` }]));
}

/** Plans an example program; its fleet is `fleet`, its state output `<camelCase fleet>FleetState`. */
export async function planProgram(program: string, fleet: string, config: Record<string, string> = {}): Promise<PlannedFleet> {
  const run = await runProgram(path.join(PROGRAMS_DIR, program), { config });
  resetRootStack();
  const stateOutput = `${fleet.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}FleetState`;
  const state = run.outputs[stateOutput] as FleetState;
  const releases = run.resources
    .filter((r) => r.type === RELEASE)
    .map((r) => ({
      member: r.provider!.slice(fleet.length + 1),
      chartVersion: r.inputs.version as string,
      values: r.inputs.values as Record<string, unknown>,
    }));
  const peerObjects = peerObjectsOf(run.resources, (r) => r.provider!.slice(fleet.length + 1));
  return { facts: fleetFacts(state, kindExposure(fleet, Object.keys(state.members))), releases, peerObjects };
}

/** Builds a Fleet on the component harness (mock runtime, as an update with the fake cloud's placeholders). */
export async function planFleet(name: string, args: FleetArgs, exposure: Record<string, Exposure>): Promise<PlannedFleet> {
  resetRootStack();
  const { fleet, records } = await deploy(name, args);
  const state = (await settle(fleet.state)) as FleetState;
  const memberOf = (r: (typeof records)[number]) => Object.values(fleet.members).find((m) => m.provider === r.provider)!.memberName;
  const releases = ofType(records, RELEASE).map((r) => ({
    member: memberOf(r),
    chartVersion: r.inputs.version as string,
    values: r.inputs.values as Record<string, unknown>,
  }));
  return { facts: fleetFacts(state, exposure), releases, peerObjects: peerObjectsOf(records, memberOf) };
}
