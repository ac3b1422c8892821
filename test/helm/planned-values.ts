// Every Cilium values set fleetmesh plans, with what the test knows about each fleet: the example
// programs planned in-process (plan/run-program.ts), and a fleet of kind, kubeconfig and AKS BYOCNI
// members built on the component test harness (test/components/harness.ts).
import * as path from "path";
import { FleetArgs } from "../../components";
import { FleetState } from "../../components/core/fleet/types";
import { fakeNodeAddress } from "../../plan/fake-cloud";
import { resetRootStack, runProgram } from "../../plan/run-program";
import { deploy, ofType, settle } from "../components/harness";
import { FleetFacts, MemberFacts } from "./expected-view";

const RELEASE = "kubernetes:helm.sh/v3:Release";
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
}

/** How a member's clustermesh-apiserver is reached, as declared (kind: the cluster, whose control-plane node the fake cloud addresses by the cluster name). */
export type Exposure = { kindCluster: string } | { loadBalancerIP: string; annotations?: Record<string, string> } | { nodeIps: string[] };

function memberFacts(allocation: FleetState["members"][string], exposure: Exposure | undefined, meshed: boolean): MemberFacts {
  if (!meshed || !exposure) return { clusterId: allocation.clusterId };
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
  const meshed = new Set(meshes.flat());
  const members = Object.fromEntries(
    Object.entries(state.members).map(([name, allocation]) => [name, memberFacts(allocation, exposure[name], meshed.has(name))]),
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
  return { facts: fleetFacts(state, kindExposure(fleet, Object.keys(state.members))), releases };
}

/** Builds a Fleet on the component harness (mock runtime, as an update with the fake cloud's placeholders). */
export async function planFleet(name: string, args: FleetArgs, exposure: Record<string, Exposure>): Promise<PlannedFleet> {
  resetRootStack();
  const { fleet, records } = await deploy(name, args);
  const state = (await settle(fleet.state)) as FleetState;
  const releases = ofType(records, RELEASE).map((r) => {
    const member = Object.values(fleet.members).find((m) => m.provider === r.provider)!;
    return { member: member.memberName, chartVersion: r.inputs.version as string, values: r.inputs.values as Record<string, unknown> };
  });
  return { facts: fleetFacts(state, exposure), releases };
}
