// Mesh NodePorts where Kubernetes hands NodePorts out last (KEP-3668's static band), existing members'
// NodePorts kept when the default range changed, and the preview warning for Cilium ≤ 1.18 with
// kube-proxy replacement (cilium/cilium#24692).
import { strict as assert } from "assert";
import { FleetDeclaration, allocateFleet, planFleet } from "../../components/core/fleet/plan-fleet";
import { DEFAULT_NODE_PORT_RANGE, staticNodePortBand } from "../../components/core/fleet/validation/fleet-settings";
import { NodePortRiskMember, sharedNodePortWarnings } from "../../components/core/cilium/shared-nodeport-risk";
import { FleetState } from "../../components/core/fleet/types";

const MESHED = { mesh: "demo" };
const DEMO_MESH = { name: "demo", memberSelector: { matchLabels: MESHED } };

function declaration(overrides: Partial<FleetDeclaration>): FleetDeclaration {
  return { name: "demo", members: [], meshes: [], azureFleet: false, ownerStack: "org.proj.dev", ...overrides };
}

const kindMembers = (...names: string[]) => names.map((name) => ({ name, kind: {}, hasKubeconfig: false, labels: MESHED }));

describe("staticNodePortBand follows the API server's calculateRangeOffset", () => {
  const cases: Array<[string, { first: number; last: number }, { first: number; last: number } | undefined]> = [
    ["the default range 30000-32767 keeps its first 86 ports", { first: 30000, last: 32767 }, { first: 30000, last: 30085 }],
    ["a wide range keeps at most 128 ports", { first: 20000, last: 32767 }, { first: 20000, last: 20127 }],
    ["a narrow range keeps at least 16 ports", { first: 32567, last: 32767 }, { first: 32567, last: 32582 }],
    ["a range of 17 ports keeps 16", { first: 32000, last: 32016 }, { first: 32000, last: 32015 }],
    ["a range of 16 ports or fewer has no band", { first: 32000, last: 32015 }, undefined],
  ];
  for (const [name, range, band] of cases) it(name, () => assert.deepEqual(staticNodePortBand(range), band));
});

describe("the allocator's default NodePort range", () => {
  const band = staticNodePortBand(DEFAULT_NODE_PORT_RANGE)!;

  it("is the whole Kubernetes NodePort range", () => {
    const plan = planFleet(declaration({ members: kindMembers("a") }));
    assert.deepEqual(plan.pools.nodePortRange, { first: 30000, last: 32767 });
  });

  it("hands a new fleet's NodePorts out from the bottom, inside the band Kubernetes gives Services that ask for any NodePort last", () => {
    const plan = planFleet(declaration({ members: kindMembers("a", "b", "c"), meshes: [DEMO_MESH] }));
    const result = allocateFleet(plan, undefined, false);
    const ports = Object.values(result.allocations).map((a) => a.nodePort!);
    assert.deepEqual({ ports, violations: result.violations }, { ports: [30000, 30001, 30002], violations: [] });
    for (const port of ports) assert.ok(port >= band.first && port <= band.last, `${port} lies in ${band.first}-${band.last}`);
  });

  it("keeps the NodePorts existing members got from the former default 32000-32767, and gives a new member the bottom of the range", () => {
    const held = (clusterId: number, nodePort: number) => ({
      clusterId,
      podCidr: `10.${clusterId - 1}.0.0/17`,
      serviceCidr: `10.128.${(clusterId - 1) * 16}.0/20`,
      nodePort,
    });
    const previous: FleetState = { version: 1, maxConnectedClusters: 255, members: { a: held(1, 32000), b: held(2, 32001) } };
    const plan = planFleet(declaration({ members: kindMembers("a", "b", "c"), meshes: [DEMO_MESH] }));
    const result = allocateFleet(plan, previous, false);
    assert.deepEqual(
      {
        violations: result.violations,
        nodePorts: Object.fromEntries(Object.entries(result.allocations).map(([name, a]) => [name, a.nodePort])),
      },
      { violations: [], nodePorts: { a: 32000, b: 32001, c: 30000 } },
    );
  });

  it("still accepts a pin anywhere in the Kubernetes range, as the former default did for 32000-32767", () => {
    const members = [{ ...kindMembers("a")[0], nodePort: 32100 }];
    const plan = planFleet(declaration({ members }));
    assert.deepEqual([plan.violations, allocateFleet(plan, undefined, false).allocations.a.nodePort], [[], 32100]);
  });

  it("is the user's range when one is set", () => {
    const plan = planFleet(declaration({ members: kindMembers("a"), pools: { nodePortRange: { first: 32380, last: 32389 } } }));
    assert.equal(allocateFleet(plan, undefined, false).allocations.a.nodePort, 32380);
  });
});

describe("the preview warning for Cilium ≤ 1.18 with kube-proxy replacement in a mesh", () => {
  const kindKpr = (name: string): NodePortRiskMember => ({ name, kubeProxyReplacement: true, reachedOnNodePort: true });
  const lbPeer = (name: string): NodePortRiskMember => ({ name, kubeProxyReplacement: false, reachedOnNodePort: false });
  const WARNING =
    'Cilium 1.18.12 with kube-proxy replacement, in mesh "demo": a NodePort or LoadBalancer Service that Kubernetes gives the NodePort ' +
    "of a peer's clustermesh-apiserver takes over the member's mesh connection to that peer (cilium/cilium#24692). fleetmesh's own " +
    "LoadBalancer Services take no NodePort and mesh NodePorts come from the bottom of the range, which Kubernetes hands out last, but " +
    "other Services can still collide: Cilium 1.19 or later (cilium.version) fixes it";
  const cases: Array<[string, string, Array<{ name: string; members: string[] }>, NodePortRiskMember[], string[]]> = [
    [
      "warns for kind members meshed on 1.18.12",
      "1.18.12",
      [{ name: "demo", members: ["a", "b"] }],
      [kindKpr("a"), kindKpr("b")],
      [WARNING],
    ],
    [
      "warns on 1.16 too",
      "1.16.19",
      [{ name: "demo", members: ["a", "b"] }],
      [kindKpr("a"), kindKpr("b")],
      [WARNING.replace("1.18.12", "1.16.19")],
    ],
    ["does not warn on 1.19, which fixes it", "1.19.6", [{ name: "demo", members: ["a", "b"] }], [kindKpr("a"), kindKpr("b")], []],
    [
      "does not warn without kube-proxy replacement",
      "1.18.12",
      [{ name: "demo", members: ["a", "b"] }],
      [
        { ...kindKpr("a"), kubeProxyReplacement: false },
        { ...kindKpr("b"), kubeProxyReplacement: false },
      ],
      [],
    ],
    ["does not warn for a mesh of one member", "1.18.12", [{ name: "demo", members: ["a"] }], [kindKpr("a"), kindKpr("b")], []],
    ["does not warn without a mesh", "1.18.12", [], [kindKpr("a"), kindKpr("b")], []],
    [
      "does not warn when the member with kube-proxy replacement reaches its only peer on a LoadBalancer",
      "1.18.12",
      [{ name: "demo", members: ["a", "b"] }],
      [kindKpr("a"), lbPeer("b")],
      [],
    ],
    [
      "names every mesh at risk in one line",
      "1.18.12",
      [
        { name: "x", members: ["a", "b"] },
        { name: "y", members: ["c", "d"] },
      ],
      [kindKpr("a"), kindKpr("b"), kindKpr("c"), kindKpr("d")],
      [WARNING.replace('in mesh "demo"', 'in meshes "x", "y"')],
    ],
    [
      "does not warn for a version it cannot read (refused elsewhere)",
      "1.18",
      [{ name: "demo", members: ["a", "b"] }],
      [kindKpr("a"), kindKpr("b")],
      [],
    ],
  ];
  for (const [name, version, meshes, members, warnings] of cases) {
    it(name, () => assert.deepEqual(sharedNodePortWarnings(version, meshes, members), warnings));
  }

  it("planFleet warns for the default kind mesh, and not once the fleet runs Cilium 1.19", () => {
    const planned = (version?: string) =>
      planFleet(declaration({ members: kindMembers("a", "b"), meshes: [DEMO_MESH], cilium: version ? { version } : undefined }));
    assert.deepEqual(
      [planned().warnings.filter((w) => w.includes("#24692")), planned("1.19.6").warnings.filter((w) => w.includes("#24692"))],
      [[WARNING], []],
    );
  });
});
