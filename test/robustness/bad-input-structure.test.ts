import * as pulumi from "@pulumi/pulumi";
import {
  ClusterMesh,
  ClusterMeshArgs,
  CrossClusterPolicy,
  CrossClusterPolicyArgs,
  Fleet,
  FleetArgs,
  GlobalService,
  GlobalServiceArgs,
  MultiClusterService,
  MultiClusterServiceArgs,
  PlacementArgs,
} from "../../components";
import { Case, GOOD_FLEET, INVENTORY, NS, fleetCase, kind, placementCase, runCatalogue } from "./catalogue";

// Wrong shapes: every component's arguments are checked for structure first (types, required and
// unknown fields, enums, where an Output may stand), each problem reported under the user's field path
// with the bad value quoted (never key material), before any semantic rule runs and before anything
// is registered.

/** Arguments a program can only pass by getting around the types (plain JavaScript, `any`, a cast). */
const untyped = <T>(value: unknown): T => value as T;

const meshedFleet = (): Fleet =>
  new Fleet("ok", {
    members: { a: kind({ mesh: "m" }), b: kind({ mesh: "m" }) },
    meshes: { m: { memberSelector: { matchLabels: { mesh: "m" } } } },
  });

const meshCase = (name: string, args: Omit<ClusterMeshArgs, "fleet">, path: string, quotes: string): Case => ({
  name,
  build: (record) =>
    new ClusterMesh("bad", { fleet: new Fleet("ok", GOOD_FLEET), memberSelector: {}, ...args }, { transformations: [record] }),
  path,
  quotes,
});

const GOOD_SERVICE = { namespace: "web", selector: { app: "web" }, ports: [{ name: "http", port: 80 }] };
const serviceCase = (name: string, args: Partial<GlobalServiceArgs>, path: string, quotes: string): Case => ({
  name,
  build: (record) => {
    const fleet = meshedFleet();
    new GlobalService("bad", { mesh: fleet.meshes.m, fleet, ...GOOD_SERVICE, ...args }, { transformations: [record] });
  },
  path,
  quotes,
});

const GOOD_MCS = { ...GOOD_SERVICE, serviceName: "web", exportFrom: { matchLabels: { mesh: "m" } }, ingressMember: "a" };
const mcsCase = (name: string, args: Partial<MultiClusterServiceArgs>, path: string, quotes: string): Case => ({
  name,
  build: (record) => new MultiClusterService("bad", { fleet: meshedFleet(), ...GOOD_MCS, ...args }, { transformations: [record] }),
  path,
  quotes,
});

const GOOD_POLICY = {
  from: { member: "a", namespace: "web", labels: { app: "x" } },
  to: { member: "b", namespace: "web", labels: { app: "y" } },
};
const policyCase = (name: string, args: Partial<CrossClusterPolicyArgs>, path: string, quotes: string): Case => ({
  name,
  build: (record) => new CrossClusterPolicy("bad", { fleet: meshedFleet(), ...GOOD_POLICY, ...args }, { transformations: [record] }),
  path,
  quotes,
});

const GOOD_PLACEMENT = { resources: INVENTORY, resourceSelectors: NS };

const CASES: Case[] = [
  // Fleet.
  fleetCase("arguments that are not an object", untyped<FleetArgs>(undefined), "args", "undefined"),
  fleetCase("members given as a list", untyped<FleetArgs>({ members: [kind()] }), "members", '[{"kind":{},"labels":{}}]'),
  fleetCase("a null member", untyped<FleetArgs>({ members: { a: null } }), "members.a", "null"),
  fleetCase("labels given as a string", untyped<FleetArgs>({ members: { a: { kind: {}, labels: "prod" } } }), "members.a.labels", '"prod"'),
  fleetCase(
    "a label value that is not a string",
    untyped<FleetArgs>({ members: { a: kind({ env: untyped(5) }) } }),
    'members.a.labels["env"]',
    "5",
  ),
  fleetCase(
    "taints that are not a list",
    untyped<FleetArgs>({ members: { a: { kind: {}, taints: { key: "k", effect: "NoSchedule" } } } }),
    "members.a.taints",
    '{"key":"k","effect":"NoSchedule"}',
  ),
  fleetCase(
    "a kind worker count given as a string",
    untyped<FleetArgs>({ members: { a: { kind: { workers: "2" } } } }),
    "members.a.kind.workers",
    '"2"',
  ),
  fleetCase(
    "the kubconfig typo (an unknown field is never ignored)",
    untyped<FleetArgs>({ members: { a: { kubconfig: "apiVersion: v1" } } }),
    "members.a.kubconfig",
    'Unknown field "kubconfig" (did you mean "kubeconfig"?)',
  ),
  fleetCase(
    "a kubeconfig that is not a string, never quoted",
    untyped<FleetArgs>({ members: { a: { kubeconfig: { token: "s3cret" } } } }),
    "members.a.kubeconfig",
    "<hidden: may hold key material>: must be of type string (or a Pulumi Output of one)",
  ),
  fleetCase(
    "a CA key that is not a string, never quoted",
    untyped<FleetArgs>({ ...GOOD_FLEET, ca: { certPem: "cert", keyPem: 42 } }),
    "ca.keyPem",
    "<hidden: may hold key material>",
  ),
  fleetCase(
    "an Output where the interface wants a plain value",
    untyped<FleetArgs>({ ...GOOD_FLEET, cilium: pulumi.output({ version: "1.18.12" }) }),
    "cilium",
    "<Output>: must be of type object",
  ),
  fleetCase(
    "maxConnectedClusters given as a string",
    untyped<FleetArgs>({ ...GOOD_FLEET, maxConnectedClusters: "511" }),
    "maxConnectedClusters",
    '"511"',
  ),
  fleetCase(
    "a NodePort range with a missing end",
    untyped<FleetArgs>({ ...GOOD_FLEET, pools: { nodePortRange: { first: 32000 } } }),
    "pools.nodePortRange.last",
    "Required value",
  ),
  // ClusterMesh.
  meshCase("a ClusterMesh over a fleet's name instead of the Fleet", untyped({ fleet: "ok" }), "fleet", '"ok": must be a Fleet'),
  meshCase("a mesh's globalNamespaces given as a string", untyped({ globalNamespaces: "web" }), "globalNamespaces", '"web"'),
  meshCase(
    "a mesh selector's label value that is not a string",
    untyped({ memberSelector: { matchLabels: { mesh: true } } }),
    'memberSelector.matchLabels["mesh"]',
    "true",
  ),
  // GlobalService.
  serviceCase("GlobalService ports given as a string", untyped({ ports: "80" }), "ports", '"80"'),
  serviceCase("a GlobalService port number given as a string", untyped({ ports: [{ name: "http", port: "80" }] }), "ports[0].port", '"80"'),
  serviceCase("a null GlobalService selector", untyped({ selector: null }), "selector", "null"),
  serviceCase("a GlobalService mesh that is not a ClusterMesh", untyped({ mesh: "m" }), "mesh", '"m": must be a ClusterMesh'),
  // MultiClusterService.
  mcsCase("an exportFrom selector given as a string", untyped({ exportFrom: "mesh=m" }), "exportFrom", '"mesh=m"'),
  mcsCase("a MultiClusterService without its ingress member", untyped({ ingressMember: undefined }), "ingressMember", "Required value"),
  // CrossClusterPolicy.
  policyCase("a policy peer's member given as a number", untyped({ from: { ...GOOD_POLICY.from, member: 7 } }), "from.member", "7"),
  policyCase("policy ports given as an object", untyped({ ports: { port: 80 } }), "ports", '{"port":80}'),
  // Placement.
  placementCase(
    "placement resources that are not a list",
    untyped<PlacementArgs>({ ...GOOD_PLACEMENT, resources: INVENTORY[0] }),
    "resources",
    '{"apiVersion":"v1"',
  ),
  placementCase(
    "null resource selectors",
    untyped<PlacementArgs>({ ...GOOD_PLACEMENT, resourceSelectors: null }),
    "resourceSelectors",
    "null",
  ),
  placementCase(
    "member properties given as a string",
    untyped<PlacementArgs>({ ...GOOD_PLACEMENT, memberProperties: { a: "large" } }),
    "memberProperties.a",
    '"large"',
  ),
  placementCase(
    "the polcy typo",
    untyped<PlacementArgs>({ ...GOOD_PLACEMENT, polcy: { placementType: "PickAll" } }),
    "polcy",
    'Unknown field "polcy" (did you mean "policy"?)',
  ),
  placementCase(
    "a hub without a provider",
    untyped<PlacementArgs>({ ...GOOD_PLACEMENT, mode: "hub", hub: {} }),
    "hub.provider",
    "Required value",
  ),
];

runCatalogue("bad-input catalogue, wrong shapes: refused by the structural check before anything is registered", CASES, 15);
