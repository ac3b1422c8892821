import { strict as assert } from "assert";
import { ClusterMesh, Fleet, FleetArgs, FleetState, FleetValidationError, MemberDeclaration } from "../../components";
import { aks, Case, fleetCase, GOOD_FLEET, kind, runCatalogue } from "./catalogue";
import { deploy, fakeKubeconfig, named, ofType, settle, warnLog } from "../components/harness";

// The Fleet's and meshes' semantic rules: refused before anything is registered, under the user's
// field path, quoting the value. Rules that need the previous run's state (maxConnectedClusters)
// fail the preview before anything that would consume an allocation is registered.

const KUBECONFIG = fakeKubeconfig("dc");
const MESHED = { m: "x" };
const MESH_X = { x: { memberSelector: { matchLabels: MESHED } } };
/** A kubeconfig member in mesh x, with the given endpoint. */
const existing = (meshEndpoint: MemberDeclaration["meshEndpoint"], extra: Partial<MemberDeclaration> = {}): MemberDeclaration => ({
  kubeconfig: KUBECONFIG,
  labels: MESHED,
  meshEndpoint,
  ...extra,
});
const meshed = (members: FleetArgs["members"], extra: Partial<FleetArgs> = {}): FleetArgs => ({ members, meshes: MESH_X, ...extra });
const standaloneMesh = (name: string, args: { globalNamespaces?: string[] }, path: string, quotes: string): Case => ({
  name,
  build: (record) => {
    const fleet = new Fleet("ok", GOOD_FLEET);
    new ClusterMesh("bad", { fleet, memberSelector: { matchLabels: { env: "prod" } }, ...args }, { transformations: [record] });
  },
  path,
  quotes,
});

const CASES: Case[] = [
  // AKS member fields.
  fleetCase(
    "an AKS node subnet overlapping the member's pinned pod CIDR",
    { members: { a: { ...aks({ nodeSubnetCidr: "10.0.0.0/24" }), podCidr: "10.0.0.0/17" } } },
    "members.a.aks.nodeSubnetCidr",
    '"10.0.0.0/24"',
  ),
  fleetCase(
    "an AKS node subnet inside the pod pool its pod CIDR is allocated from",
    { members: { a: aks({ nodeSubnetCidr: "10.1.0.0/24" }) } },
    "members.a.aks.nodeSubnetCidr",
    '"10.1.0.0/24"',
  ),
  fleetCase(
    "two AKS members with overlapping node subnets",
    { members: { a: aks({ nodeSubnetCidr: "10.200.0.0/24" }), b: aks({ nodeSubnetCidr: "10.200.0.128/25" }) } },
    "members.b.aks.nodeSubnetCidr",
    '"10.200.0.0/24"',
  ),
  fleetCase(
    "an AKS node subnet with an invalid prefix",
    { members: { a: aks({ nodeSubnetCidr: "10.200.0.0/33" }) } },
    "members.a.aks.nodeSubnetCidr",
    '"10.200.0.0/33"',
  ),
  fleetCase(
    "an AKS node subnet too small for its nodes",
    { members: { a: aks({ nodeSubnetCidr: "10.200.0.0/29", nodeCount: 3 }) } },
    "members.a.aks.nodeSubnetCidr",
    '"10.200.0.0/29"',
  ),
  fleetCase(
    "an AKS node subnet inside the service pool",
    { members: { a: aks({ nodeSubnetCidr: "10.128.0.0/24" }) } },
    "members.a.aks.nodeSubnetCidr",
    '"10.128.0.0/24"',
  ),
  fleetCase("an AKS node count of 0", { members: { a: aks({ nodeCount: 0 }) } }, "members.a.aks.nodeCount", "0"),
  fleetCase(
    "an AKS cluster name Azure refuses",
    { members: { a: aks({ clusterName: "bad name" }) } },
    "members.a.aks.clusterName",
    '"bad name"',
  ),
  fleetCase(
    "an AKS cluster name with an underscore, which its DNS prefix cannot have",
    { members: { a: aks({ clusterName: "my_cluster" }) } },
    "members.a.aks.clusterName",
    '"my_cluster"',
  ),
  // Fleet-wide Cilium choices, refused before they reach the Helm values.
  fleetCase(
    "a Cilium routing mode the chart does not have",
    { members: { a: kind() }, cilium: { routingMode: "direct" as "native" } },
    "cilium.routingMode",
    '"direct"',
  ),
  // kind.
  fleetCase(
    "a kind node image with a space",
    { members: { a: { kind: { nodeImage: "kindest/node: v1.33.1" } } } },
    "members.a.kind.nodeImage",
    '"kindest/node: v1.33.1"',
  ),
  fleetCase(
    "a kind node image with upper case",
    { members: { a: { kind: { nodeImage: "kindest/Node:v1.33.1" } } } },
    "members.a.kind.nodeImage",
    '"kindest/Node:v1.33.1"',
  ),
  // NodePorts of NodePort mesh endpoints: checked like kind's.
  fleetCase(
    "a NodePort endpoint's pinned NodePort outside the range",
    meshed({ dc: existing({ serviceType: "NodePort", ips: ["192.168.60.1"] }, { nodePort: 40000 }) }),
    "members.dc.nodePort",
    "40000",
  ),
  fleetCase(
    "a NodePort endpoint pinning a kind member's NodePort",
    meshed({
      k: { ...kind(MESHED), nodePort: 32100 },
      dc: existing({ serviceType: "NodePort", ips: ["192.168.60.1"] }, { nodePort: 32100 }),
    }),
    "members.k.nodePort",
    "32100",
  ),
  fleetCase(
    "a NodePort pinned on a LoadBalancer endpoint",
    meshed({ dc: existing({ loadBalancerIP: "192.168.50.10" }, { nodePort: 32100 }) }),
    "members.dc.nodePort",
    "32100",
  ),
  // Mesh endpoints, under the user's field names (not the Cilium values').
  fleetCase(
    "a NodePort endpoint IP that is not an IP",
    meshed({ dc: existing({ serviceType: "NodePort", ips: ["node-1.example"] }) }),
    "members.dc.meshEndpoint.ips[0]",
    '"node-1.example"',
  ),
  fleetCase(
    "a NodePort endpoint listing one IP twice",
    meshed({ dc: existing({ serviceType: "NodePort", ips: ["192.168.60.1", "192.168.60.1"] }) }),
    "members.dc.meshEndpoint.ips[1]",
    '"192.168.60.1"',
  ),
  fleetCase(
    "a LoadBalancer endpoint IP that is not an IP",
    meshed({ dc: existing({ loadBalancerIP: "10.0.0.256" }) }),
    "members.dc.meshEndpoint.loadBalancerIP",
    '"10.0.0.256"',
  ),
  fleetCase(
    "an endpoint annotation key that is not a qualified name",
    meshed({ dc: existing({ loadBalancerIP: "192.168.50.10", annotations: { "bad key": "x" } }) }),
    'members.dc.meshEndpoint.annotations["bad key"]',
    '"bad key"',
  ),
  fleetCase(
    "an unsupported endpoint service type",
    meshed({ dc: existing({ serviceType: "ClusterIP" as "NodePort", ips: ["192.168.60.1"] }) }),
    "members.dc.meshEndpoint.serviceType",
    '"ClusterIP"',
  ),
  fleetCase(
    "a NodePort endpoint with a loadBalancerIP, which it would ignore",
    meshed({ dc: existing({ serviceType: "NodePort", ips: ["192.168.60.1"], loadBalancerIP: "192.168.50.10" }) }),
    "members.dc.meshEndpoint.loadBalancerIP",
    '"192.168.50.10"',
  ),
  fleetCase(
    "a mesh endpoint on a kind member, which it would ignore",
    meshed({ k: { ...kind(MESHED), meshEndpoint: { loadBalancerIP: "192.168.50.10" } } }),
    "members.k.meshEndpoint",
    "kind",
  ),
  // Member selectors.
  fleetCase(
    "a mesh matchLabels key that is not a qualified name",
    { members: { a: kind(MESHED) }, meshes: { x: { memberSelector: { matchLabels: { "bad key": "x" } } } } },
    'meshes.x.memberSelector.matchLabels["bad key"]',
    '"bad key"',
  ),
  fleetCase(
    "a mesh matchLabels value that is not a string",
    { members: { a: kind(MESHED) }, meshes: { x: { memberSelector: { matchLabels: { m: 5 as unknown as string } } } } },
    'meshes.x.memberSelector.matchLabels["m"]',
    "5",
  ),
  fleetCase(
    "a mesh matchExpressions key that is not a qualified name",
    { members: { a: kind(MESHED) }, meshes: { x: { memberSelector: { matchExpressions: [{ key: "bad key", operator: "Exists" }] } } } },
    "meshes.x.memberSelector.matchExpressions[0].key",
    '"bad key"',
  ),
  // Global namespaces.
  fleetCase(
    "a reserved global namespace",
    meshed({ a: kind(MESHED) }, { meshes: { x: { ...MESH_X.x, globalNamespaces: ["kube-system"] } } }),
    "meshes.x.globalNamespaces[0]",
    '"kube-system"',
  ),
  fleetCase(
    "the default namespace as a global namespace",
    meshed({ a: kind(MESHED) }, { meshes: { x: { ...MESH_X.x, globalNamespaces: ["shop", "default"] } } }),
    "meshes.x.globalNamespaces[1]",
    '"default"',
  ),
  fleetCase(
    "a global namespace that is not a DNS-1123 label",
    meshed({ a: kind(MESHED) }, { meshes: { x: { ...MESH_X.x, globalNamespaces: ["Shop_1"] } } }),
    "meshes.x.globalNamespaces[0]",
    '"Shop_1"',
  ),
  fleetCase(
    "a global namespace listed twice",
    meshed({ a: kind(MESHED) }, { meshes: { x: { ...MESH_X.x, globalNamespaces: ["shop", "shop"] } } }),
    "meshes.x.globalNamespaces[1]",
    '"shop"',
  ),
  standaloneMesh(
    "a reserved global namespace of a ClusterMesh component",
    { globalNamespaces: ["kube-public"] },
    "globalNamespaces[0]",
    '"kube-public"',
  ),
  standaloneMesh(
    "a duplicated global namespace of a ClusterMesh component",
    { globalNamespaces: ["a", "a"] },
    "globalNamespaces[1]",
    '"a"',
  ),
];

runCatalogue("bad Fleet and mesh arguments are refused before anything is registered", CASES, 30);

// ---- what needs the previous run's state ----

/** Plans a first run (an update) and returns its state, for the next run to read. */
async function firstRun(name: string, args: FleetArgs): Promise<FleetState> {
  const { fleet, refusal } = await deploy(name, args);
  assert.equal(refusal, undefined);
  return (await settle(fleet.state))!;
}

const outputName = (fleet: string) => `${fleet.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}FleetState`;

describe("bad Fleet arguments that need the previous run's state fail the preview before anything consumes an allocation", () => {
  const cases: Array<{ name: string; first: FleetArgs; next: FleetArgs; path: string; quotes: string }> = [
    {
      name: "maxConnectedClusters changed from 255 to 511",
      first: { members: { a: kind(), b: kind() } },
      next: { members: { a: kind(), b: kind() }, maxConnectedClusters: 511 },
      path: "maxConnectedClusters",
      quotes: "511 differs from 255",
    },
    {
      name: "maxConnectedClusters changed from 511 to 255, even with allowRenumber",
      first: { members: { a: kind() }, maxConnectedClusters: 511 },
      next: { members: { a: kind() }, allowRenumber: true },
      path: "maxConnectedClusters",
      quotes: "255 differs from 511",
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}`, async () => {
      const state = await firstRun("mcc", c.first);
      const { records, refusal } = await deploy("mcc", c.next, { preview: true, previous: { [outputName("mcc")]: state } });
      assert.ok(refusal instanceof FleetValidationError, String(refusal));
      const violation = refusal.violations.find((v) => v.path === c.path);
      assert.ok(violation, `a violation at ${c.path}; got ${refusal.violations.map((v) => v.path).join(", ")}`);
      assert.ok(violation.message.includes(c.quotes), violation.message);
      const consumers = records.filter((r) => r.type === "command:local:Command" || r.type === "kubernetes:helm.sh/v3:Release");
      assert.deepEqual(consumers, [], "no cluster and no Cilium release registered");
    });
  }

  it("accepts a state written before maxConnectedClusters was recorded, and records it", async () => {
    const state = await firstRun("mcc", { members: { a: kind() } });
    const { maxConnectedClusters: _recorded, ...older } = state;
    const { fleet, refusal } = await deploy(
      "mcc",
      { members: { a: kind() }, maxConnectedClusters: 511 },
      { preview: true, previous: { mccFleetState: older } },
    );
    assert.deepEqual([refusal, (await settle(fleet.state))?.maxConnectedClusters], [undefined, 511]);
  });
});

// ---- what is allowed ----

describe("Fleet arguments the rules allow", () => {
  it("a kubeconfig member with a NodePort mesh endpoint pins its NodePort, and its Cilium values use it", async () => {
    const { fleet, records, refusal } = await deploy(
      "pin",
      meshed({ k: kind(MESHED), dc: existing({ serviceType: "NodePort", ips: ["192.168.60.1"] }, { nodePort: 32100 }) }),
    );
    assert.equal(refusal, undefined);
    const release = named(records, "pin-dc-cilium", "kubernetes:helm.sh/v3:Release");
    const service = (release.inputs.values as { clustermesh: { apiserver: { service: unknown } } }).clustermesh.apiserver.service;
    assert.deepEqual([await settle(fleet.members.dc.nodePort), service], [32100, { type: "NodePort", nodePort: 32100 }]);
  });

  it("members and labels named after Object.prototype's properties keep their own values", async () => {
    const { fleet, refusal } = await deploy("own", {
      members: { constructor: kind({ constructor: "yes" }), b: kind() },
      meshes: { x: { memberSelector: { matchLabels: { constructor: "yes" } } } },
    });
    assert.equal(refusal, undefined);
    const state = (await settle(fleet.state))!;
    assert.deepEqual([Object.keys(state.members), state.meshes], [["b", "constructor"], { x: { members: ["constructor"] } }]);
  });
});

// ---- preview warnings for what would silently do nothing ----

describe("Fleet preview warnings", () => {
  const cases: Array<{ name: string; args: FleetArgs; warning: string }> = [
    {
      name: "a mesh whose selector matches no member",
      args: { members: { a: kind({ env: "prod" }) }, meshes: { empty: { memberSelector: { matchLabels: { env: "dev" } } } } },
      warning: `Fleet "warn": mesh "empty": memberSelector {"matchLabels":{"env":"dev"}} matches no member, so the mesh connects nothing (check the members' labels)`,
    },
  ];
  for (const c of cases) {
    it(`warns about ${c.name}`, async () => {
      await deploy("warn", c.args, { preview: true });
      assert.ok(warnLog.includes(c.warning), `warned: ${JSON.stringify(warnLog)}`);
    });
  }

  it("a ClusterMesh component whose selector matches no member", async () => {
    await deploy("warn", GOOD_FLEET, {
      preview: true,
      alongside: (fleet) => new ClusterMesh("nobody", { fleet, memberSelector: { matchLabels: { env: "qa" } } }),
    });
    const warning = `Fleet "warn": mesh "nobody": memberSelector {"matchLabels":{"env":"qa"}} matches no member, so the mesh connects nothing (check the members' labels)`;
    assert.ok(warnLog.includes(warning), `warned: ${JSON.stringify(warnLog)}`);
  });

  it('normalises cilium.version "v1.18.12" before it reaches Helm', async () => {
    const { records } = await deploy("ver", { members: { a: kind() }, cilium: { version: "v1.18.12" } }, { preview: true });
    assert.deepEqual(
      ofType(records, "kubernetes:helm.sh/v3:Release").map((r) => r.inputs.version),
      ["1.18.12"],
    );
  });
});
