import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import { CrossClusterPolicy, Fleet, FleetArgs, GlobalService, MultiClusterService, Placement, PlacementArgs } from "../../components";
import { Case, GOOD_FLEET, INVENTORY, NS, kind, placementCase, runCatalogue } from "./catalogue";
import { RecordedResource, recorder, settle, useMocks, warnLog } from "../components/harness";

// The semantic rules of GlobalService, MultiClusterService, CrossClusterPolicy and Placement:
// refused before anything is registered, under the user's field path, quoting the value. What
// upstream admits but does nothing (a selector that selects nothing, a policy that matches no
// member) is said in a preview warning instead.

const MESHED: FleetArgs = {
  members: { a: kind({ m: "x", region: "east" }), b: kind({ m: "x", region: "west" }) },
  meshes: { x: { memberSelector: { matchLabels: { m: "x" } } } },
};
const PORTS = [{ name: "http", port: 80 }];

const globalServiceCase = (name: string, args: Record<string, unknown>, path: string, quotes: string): Case => ({
  name,
  build: (record) => {
    const fleet = new Fleet("ok", MESHED);
    const base = { mesh: fleet.meshes.x, fleet, namespace: "app", selector: { app: "web" }, ports: PORTS };
    new GlobalService("bad", { ...base, ...args }, { transformations: [record] });
  },
  path,
  quotes,
});

const multiClusterServiceCase = (name: string, args: Record<string, unknown>, path: string, quotes: string): Case => ({
  name,
  build: (record) => {
    const fleet = new Fleet("ok", MESHED);
    const base = {
      fleet,
      namespace: "app",
      serviceName: "web",
      exportFrom: { matchLabels: { m: "x" } },
      ingressMember: "a",
      selector: { app: "web" },
      ports: PORTS,
    };
    new MultiClusterService("bad", { ...base, ...args }, { transformations: [record] });
  },
  path,
  quotes,
});

const crossClusterPolicyCase = (name: string, args: Record<string, unknown>, path: string, quotes: string): Case => ({
  name,
  build: (record) => {
    const fleet = new Fleet("ok", MESHED);
    const base = { fleet, from: { member: "a", namespace: "app", labels: {} }, to: { member: "b", namespace: "app", labels: {} } };
    new CrossClusterPolicy("bad", { ...base, ...args }, { transformations: [record] });
  },
  path,
  quotes,
});

const hubPlacementCase = (name: string, args: Omit<PlacementArgs, "fleet" | "mode" | "hub">, path: string, quotes: string): Case => ({
  name: `${name} (hub mode)`,
  build: (record) => {
    const hub = new k8s.Provider("hub", { kubeconfig: "HUB" });
    new Placement(
      "bad",
      { fleet: new Fleet("ok", GOOD_FLEET), mode: "hub", hub: { provider: hub }, ...args },
      { transformations: [record] },
    );
  },
  path,
  quotes,
});

const NODES = "kubernetes-fleet.io/node-count";
const CASES: Case[] = [
  // Namespaces a service component would create and own.
  globalServiceCase(
    "a GlobalService in kube-system, which it would create and own",
    { namespace: "kube-system" },
    "namespace",
    '"kube-system"',
  ),
  globalServiceCase(
    "a GlobalService in default, created by the component",
    { namespace: "default", createNamespace: true },
    "namespace",
    '"default"',
  ),
  globalServiceCase("a GlobalService namespace that is not a DNS-1123 label", { namespace: "App_NS" }, "namespace", '"App_NS"'),
  multiClusterServiceCase(
    "a MultiClusterService in kube-node-lease, which it would create",
    { namespace: "kube-node-lease" },
    "namespace",
    '"kube-node-lease"',
  ),
  multiClusterServiceCase("a MultiClusterService namespace that is not a DNS-1123 label", { namespace: "app.ns" }, "namespace", '"app.ns"'),
  globalServiceCase(
    "a GlobalService with both ports and portsByMember",
    { portsByMember: { a: PORTS, b: PORTS } },
    "ports",
    "ports and portsByMember are both given",
  ),
  globalServiceCase("a GlobalService mesh the fleet does not have", { mesh: { meshName: "y" } }, "mesh", '"y"'),
  multiClusterServiceCase(
    "a MultiClusterService with both ports and portsByMember",
    { portsByMember: { a: PORTS, b: PORTS } },
    "ports",
    "ports and portsByMember are both given",
  ),
  crossClusterPolicyCase(
    "a CrossClusterPolicy peer with both member and members",
    { from: { member: "a", members: ["a"], namespace: "app", labels: {} } },
    "from.member",
    "from.member and from.members are both given",
  ),
  crossClusterPolicyCase(
    "a CrossClusterPolicy namespace that is not a DNS-1123 label",
    { to: { member: "b", namespace: "App", labels: {} } },
    "to.namespace",
    '"App"',
  ),
  // Own properties only.
  globalServiceCase(
    "a GlobalService sharedByMember map keyed by a prototype name",
    { sharedByMember: JSON.parse('{"constructor":true}') },
    "sharedByMember.constructor",
    '"constructor"',
  ),
  placementCase(
    "memberProperties keyed by a prototype name",
    { resources: INVENTORY, resourceSelectors: NS, memberProperties: JSON.parse('{"constructor":{"cpu":"1"}}') },
    "memberProperties.constructor",
    '"constructor"',
  ),
  placementCase(
    "a member property that is not a quantity",
    { resources: INVENTORY, resourceSelectors: NS, memberProperties: { a: { [NODES]: "three" } } },
    `memberProperties.a["${NODES}"]`,
    '"three"',
  ),
  // Resource selectors the API server refuses.
  placementCase(
    "a manifest with a top-level toString field (the Pulumi SDK would hang registering it)",
    { resources: [{ ...INVENTORY[0], toString: [] }], resourceSelectors: NS },
    "resources[0].toString",
    "toString",
  ),
  placementCase("an empty selector list", { resources: INVENTORY, resourceSelectors: [] }, "resourceSelectors", "Invalid value: 0"),
  placementCase(
    "a name together with a label selector",
    { resources: INVENTORY, resourceSelectors: [{ ...NS[0], labelSelector: { matchLabels: { a: "b" } } }] },
    "resourceSelectors[0]",
    'name "app"',
  ),
  placementCase(
    "an empty kind",
    { resources: INVENTORY, resourceSelectors: [{ group: "", version: "v1", kind: "" }] },
    "resourceSelectors[0].kind",
    'kind ""',
  ),
  placementCase(
    "a namespaced kind without NamespaceWithResourceSelectors",
    { resources: INVENTORY, resourceSelectors: [{ group: "apps", version: "v1", kind: "Deployment" }] },
    "resourceSelectors[0]",
    "apps/v1, Kind=Deployment",
  ),
  placementCase(
    "a Namespace selected by label with NamespaceWithResourceSelectors",
    {
      resources: INVENTORY,
      resourceSelectors: [
        { group: "", version: "v1", kind: "Namespace", labelSelector: {}, selectionScope: "NamespaceWithResourceSelectors" },
      ],
    },
    "resourceSelectors[0]",
    "labelSelector {}",
  ),
  hubPlacementCase(
    "a name together with a label selector",
    { resources: INVENTORY, resourceSelectors: [{ ...NS[0], labelSelector: { matchLabels: { a: "b" } } }] },
    "resourceSelectors[0]",
    'name "app"',
  ),
  hubPlacementCase("an empty selector list", { resources: INVENTORY, resourceSelectors: [] }, "resourceSelectors", "Invalid value: 0"),
];

runCatalogue("bad input: services and placements", CASES, 15);

describe("bad input: what services and placements accept", () => {
  it("accepts a GlobalService in default that it does not create (createNamespace: false)", async () => {
    await useMocks(true);
    const fleet = new Fleet("ok", MESHED);
    const records: RecordedResource[] = [];
    new GlobalService(
      "seed",
      { mesh: fleet.meshes.x, fleet, namespace: "default", createNamespace: false, selector: { app: "web" }, ports: PORTS },
      { transformations: [recorder(records)] },
    );
    assert.deepEqual(
      records.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.type),
      ["kubernetes:core/v1:Service", "kubernetes:core/v1:Service"],
    );
  });
});

describe("bad input: preview warnings for placements that silently do nothing", () => {
  const warningsOf = async (args: Omit<PlacementArgs, "fleet">) => {
    await useMocks(true);
    const placed = new Placement("quiet", { fleet: new Fleet("ok", GOOD_FLEET), ...args });
    await settle(placed.state);
    await placed.ready;
    return warnLog.filter((line) => line.startsWith('Placement "quiet"'));
  };

  it("names a selector that selects nothing of resources", async () => {
    assert.deepEqual(
      await warningsOf({ resources: INVENTORY, resourceSelectors: [{ group: "", version: "v1", kind: "Namespace", name: "ap" }] }),
      [
        'Placement "quiet": resourceSelectors[0] {"group":"","version":"v1","kind":"Namespace","name":"ap"} selects no object of resources, so it places nothing',
      ],
    );
  });

  it("says when a required cluster affinity matches no member", async () => {
    const policy = {
      placementType: "PickAll" as const,
      affinity: {
        clusterAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{ labelSelector: { matchLabels: { env: "qa" } } }] },
        },
      },
    };
    assert.deepEqual(await warningsOf({ resources: INVENTORY, resourceSelectors: NS, policy }), [
      'Placement "quiet" places its objects on no member (Scheduled=True SchedulingPolicyFulfilled: found all cluster needed as specified by the scheduling policy, found 0 cluster(s))',
    ]);
  });
});
