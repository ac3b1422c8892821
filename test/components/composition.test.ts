import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Fleet, FleetArgs, GlobalService } from "../../components";
import { RecordedResource, complete, named, recorder, settle, useMocks } from "./harness";

// Several fleets, meshes and services compose in one program: every child is named after its
// component, so the engine sees no URN twice, and kind clusters are scoped to their fleet.

function fleetArgs(): FleetArgs {
  return {
    members: { a: { kind: {}, labels: { mesh: "web" } }, b: { kind: {}, labels: { mesh: "web" } } },
    meshes: { web: { memberSelector: { matchLabels: { mesh: "web" } } } },
  };
}

async function program(): Promise<{ records: RecordedResource[]; fleets: Fleet[] }> {
  await useMocks(false);
  const records: RecordedResource[] = [];
  const fleets = ["dev", "stage"].map((name) => new Fleet(name, fleetArgs(), { transformations: [recorder(records)] }));
  for (const fleet of fleets) {
    const name = fleet.plan.name;
    new GlobalService(
      `${name}-web`,
      { mesh: fleet.meshes.web, fleet, namespace: "web", selector: { app: "web" }, ports: [{ name: "http", port: 80 }] },
      { transformations: [recorder(records)] },
    );
  }
  await Promise.all(fleets.map((f) => f.ready));
  await complete(records);
  return { records, fleets };
}

describe("Two fleets that share member names in one program", () => {
  let records: RecordedResource[];
  before(async () => ({ records } = await program()));

  it("registers every resource under its own URN", async () => {
    const urns = await Promise.all(records.map((r) => settle((r.resource as pulumi.Resource).urn)));
    const repeated = urns.filter((urn, i) => urns.indexOf(urn) !== i);
    assert.deepEqual(repeated, []);
    assert.equal(new Set(urns).size, records.length);
  });

  it("creates one kind cluster per fleet and member, named <fleet>-<member>", () => {
    const created = records.filter((r) => r.name.endsWith("-kind-cluster")).map((r) => [r.name, r.inputs.delete]);
    assert.deepEqual(created.sort(), [
      ["dev-a-kind-cluster", "kind delete cluster --name 'dev-a'"],
      ["dev-b-kind-cluster", "kind delete cluster --name 'dev-b'"],
      ["stage-a-kind-cluster", "kind delete cluster --name 'stage-a'"],
      ["stage-b-kind-cluster", "kind delete cluster --name 'stage-b'"],
    ]);
  });

  it("points each member's Cilium at its own fleet's control plane, while the Cilium cluster name stays the member name", () => {
    for (const fleet of ["dev", "stage"]) {
      const values = named(records, `${fleet}-a-cilium`).inputs.values as Record<string, any>;
      assert.deepEqual([values.cluster.name, values.k8sServiceHost], ["a", `${fleet}-a-control-plane`]);
    }
  });

  it("prefixes every child with the name of the component that registers it", () => {
    const nameOf = new Map(records.map((r) => [r.resource, r.name]));
    const children = records.filter((r) => r.parent !== undefined && nameOf.has(r.parent));
    const unprefixed = children.filter((r) => !r.name.startsWith(nameOf.get(r.parent)!));
    assert.ok(children.length > 30, `${children.length} children checked`);
    assert.deepEqual(
      unprefixed.map((r) => `${r.name} (parent ${nameOf.get(r.parent)})`),
      [],
    );
  });
});
