// Bad input of the components that run on an Azure Fleet's members and hub, refused before anything is
// registered: a CrossClusterPolicy whose cluster selectors cannot match (Fleet or AKS names the Cilium
// cluster), a MultiClusterService selecting by a Fleet label whose value is not known before
// deployment, a hub placement of a namespace a mesh also creates; and, once the previous run's state is
// read, a hub placement update the hub would refuse.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  CrossClusterPolicy,
  Fleet,
  FleetArgs,
  FleetValidationError,
  MultiClusterService,
  Placement,
  PlacementArgs,
} from "../../components";
import { settle, useMocks } from "../components/harness";
import { Case, INVENTORY, NS, aks, runCatalogue } from "./catalogue";

const member = (subnet: number, labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  ...aks({ nodeSubnetCidr: `10.200.${subnet}.0/24`, ...extra }),
  labels,
});
const AZURE: FleetArgs = {
  azureFleet: { resourceGroupName: "rg", location: "eastus2", fleetName: "hub" },
  members: { e1: member(1, { mesh: "prod" }), e2: member(2, { mesh: "prod" }), solo: member(3, {}) },
  meshes: { prod: { memberSelector: { matchLabels: { mesh: "prod" } }, globalNamespaces: ["app"] } },
};
const peer = (member: string) => ({ member, namespace: "app", labels: { app: "web" } });

const policyCase = (name: string, from: string, to: string, path: string, quotes: string): Case => ({
  name,
  build: (record) =>
    new CrossClusterPolicy("bad", { fleet: new Fleet("ok", AZURE), from: peer(from), to: peer(to) }, { transformations: [record] }),
  path,
  quotes,
});

const CASES: Case[] = [
  policyCase("a CrossClusterPolicy between members of a Fleet-managed mesh", "e1", "e2", "from.member", '"e1"'),
  policyCase("a CrossClusterPolicy inside an AKS-managed Cilium member", "solo", "solo", "to.member", '"solo"'),
  {
    name: "a MultiClusterService exporting by a Fleet label set from an Output",
    build: (record) => {
      const fromOutput = {
        ...AZURE,
        members: { ...AZURE.members, e1: member(1, { mesh: "prod" }, { resourceGroupName: pulumi.output("rg") }) },
      };
      new MultiClusterService(
        "bad",
        {
          fleet: new Fleet("ok", fromOutput),
          namespace: "app",
          serviceName: "web",
          exportFrom: { matchLabels: { "fleet.azure.com/resource-group": "rg" } },
          ingressMember: "e2",
        },
        { transformations: [record] },
      );
    },
    path: "exportFrom",
    quotes: '"fleet.azure.com/resource-group"',
  },
  {
    name: "a hub placement of a namespace the fleet's mesh creates on its members",
    build: (record) =>
      new Placement(
        "bad",
        {
          fleet: new Fleet("ok", AZURE),
          mode: "hub",
          hub: { provider: new k8s.Provider("hub", { kubeconfig: "HUB" }) },
          resources: INVENTORY,
          resourceSelectors: NS,
        },
        { transformations: [record] },
      ),
    path: "resourceSelectors[0]",
    quotes: '"app"',
  },
];

runCatalogue("bad-input catalogue, Azure workloads: refused before anything is registered", CASES, 4);

describe("bad-input, Azure workloads, known once the previous run's state is read", () => {
  const TOLERATE = { key: "gpu", operator: "Exists" as const, effect: "NoSchedule" as const };
  const hubRun = async (policy: PlacementArgs["policy"], preview: boolean, previous: Record<string, unknown> = {}) => {
    await useMocks(preview, previous);
    const placed = new Placement("kuard", {
      fleet: new Fleet("ok", { ...AZURE, meshes: {} }),
      mode: "hub",
      hub: { provider: new k8s.Provider("hub", { kubeconfig: "HUB" }) },
      resources: INVENTORY,
      resourceSelectors: NS,
      policy,
    });
    const refusal = await placed.ready.then(
      () => undefined,
      (error: unknown) => error,
    );
    return { placed, refusal };
  };
  const cases: Array<[string, PlacementArgs["policy"], string, string]> = [
    ["a removed toleration", { placementType: "PickAll" }, "policy.tolerations", "Key:gpu Operator:Exists"],
    [
      "a changed placement type",
      { placementType: "PickN", numberOfClusters: 1, tolerations: [TOLERATE] },
      "policy.placementType",
      '"PickN"',
    ],
  ];
  for (const [sentence, policy, path, quotes] of cases) {
    it(`fails the preview of ${sentence} in a hub placement, at its path, quoting the value`, async () => {
      const first = await hubRun({ placementType: "PickAll", tolerations: [TOLERATE] }, false);
      const { refusal } = await hubRun(policy, true, { kuardPlacementState: await settle(first.placed.state) });
      assert.ok(refusal instanceof FleetValidationError, String(refusal));
      const violation = refusal.violations.find((v) => v.path === path);
      assert.ok(violation, refusal.message);
      assert.ok(violation.message.includes(quotes), violation.message);
    });
  }
});
