// The component provider as another language's SDK drives it: `construct` with the inputs the
// engine deserializes (plain JSON, secrets and values from other resources as Outputs), on the mock
// runtime. What it registers must be what the same TypeScript program registers.
import { strict as assert } from "assert";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { Fleet, FleetArgs, FleetValidationError } from "../../components";
import { FleetmeshProvider, HOSTED_COMPONENTS } from "../../provider/provider";
import { PackageSchema, secretBearing } from "../../provider/schema-spec";
import { RecordedResource, complete, fakeKubeconfig, isSecretInput, named, recorder, settle, useMocks } from "../components/harness";

const FLEET = "fleetmesh:index:Fleet";

/** The kind example's fleet, as a YAML or Python program writes it: plain data. */
const KIND_MESH: FleetArgs = {
  cilium: { version: "1.18.12" },
  members: {
    cluster1: { kind: {}, labels: { mesh: "demo", region: "east" } },
    cluster2: { kind: {}, labels: { mesh: "demo", region: "west" } },
  },
  meshes: { demo: { memberSelector: { matchLabels: { mesh: "demo" } }, defaultGlobalNamespace: false, globalNamespaces: ["demo"] } },
};

const WITH_KUBECONFIG = (kubeconfig: pulumi.Input<string>): FleetArgs => ({
  members: { edge: { kubeconfig, context: "edge", serviceCidr: "10.200.0.0/16", labels: { mesh: "demo" } } },
});

/** What the engine sees of each registration: type, name and inputs, in order. */
const shapeOf = (records: readonly RecordedResource[]) => records.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));

async function viaTypeScript(args: FleetArgs): Promise<RecordedResource[]> {
  await useMocks(true);
  const records: RecordedResource[] = [];
  const fleet = new Fleet("kind-mesh", args, { transformations: [recorder(records)] });
  await fleet.ready;
  return complete(records);
}

async function viaProvider(args: pulumi.Inputs, preview = true, previous: Record<string, unknown> = {}) {
  await useMocks(preview, previous);
  const records: RecordedResource[] = [];
  const provider = new FleetmeshProvider();
  const result = await provider.construct("kind-mesh", FLEET, args, { transformations: [recorder(records)] });
  return { provider, result, records };
}

async function built(records: RecordedResource[]): Promise<RecordedResource[]> {
  const fleet = records.find((r) => r.type === FLEET)?.resource as Fleet;
  await fleet.ready;
  return complete(records);
}

describe("the fleetmesh provider constructs a Fleet from what another language sends", function () {
  this.timeout(60000);

  it("registers exactly what the TypeScript program registers, from plain JSON arguments", async () => {
    const expected = shapeOf(await viaTypeScript(KIND_MESH));
    const { records } = await viaProvider(JSON.parse(JSON.stringify(KIND_MESH)));
    assert.deepEqual(shapeOf(await built(records)), expected);
  });

  it("registers what the TypeScript program registers for services and policies that name the fleet by URN and the mesh by name", async () => {
    const services = (fleet: pulumi.Input<unknown>, mesh: unknown) => [
      {
        type: "GlobalService",
        name: "rebel-base",
        args: { fleet, mesh, namespace: "demo", selector: { name: "rebel-base" }, ports: [{ name: "http", port: 80 }] },
      },
      {
        type: "CrossClusterPolicy",
        name: "x-wing-to-rebel-base",
        args: {
          fleet,
          from: { member: "cluster1", namespace: "demo", labels: { name: "x-wing" } },
          to: { member: "cluster2", namespace: "demo", labels: { name: "rebel-base" } },
          ports: [{ port: 80, protocol: "TCP" }],
        },
      },
      {
        type: "MultiClusterService",
        name: "x-wing-entry",
        args: {
          fleet,
          namespace: "demo",
          serviceName: "x-wing-entry",
          exportFrom: { matchLabels: { mesh: "demo" } },
          ingressMember: "cluster1",
          ports: [{ name: "http", port: 80 }],
          selector: { name: "x-wing" },
        },
      },
    ];
    await useMocks(true);
    const expected: RecordedResource[] = [];
    const fleet = new Fleet("kind-mesh", KIND_MESH, { transformations: [recorder(expected)] });
    for (const s of services(fleet, fleet.meshes.demo)) {
      const Component = HOSTED_COMPONENTS[s.type as keyof typeof HOSTED_COMPONENTS] as unknown as new (
        n: string,
        a: unknown,
        o: object,
      ) => unknown;
      new Component(s.name, s.args, { transformations: [recorder(expected)] });
    }
    await fleet.ready;
    await complete(expected);

    const { provider, result, records } = await viaProvider(KIND_MESH);
    for (const s of services({ urn: result.urn }, { meshName: "demo" })) {
      await provider.construct(s.name, `fleetmesh:index:${s.type}`, s.args as pulumi.Inputs, { transformations: [recorder(records)] });
    }
    // The provider builds the fleet before it constructs the next component (the real server waits for
    // every registration of a construct before answering it), so only the order differs.
    const sorted = (rs: RecordedResource[]) => shapeOf(rs).sort((x, y) => `${x.type}::${x.name}`.localeCompare(`${y.type}::${y.name}`));
    assert.deepEqual(sorted(await built(records)), sorted(expected));
  });

  it("returns the schema's outputs, the kubeconfigs as a secret (an update: kubeconfigs are known once the clusters exist)", async () => {
    const { result, records } = await viaProvider(KIND_MESH, false);
    await built(records);
    const state = result.state as Record<string, unknown>;
    const secrecy = Object.fromEntries(await Promise.all(Object.entries(state).map(async ([k, v]) => [k, await isSecretInput(v)])));
    assert.deepEqual(secrecy, {
      allocationWhatIf: false,
      memberSites: false,
      state: false,
      caCertPem: false,
      azureFleetHub: false,
      loadBalancerPool: false,
      memberNames: false,
      kubeconfigs: true,
      meshMembers: false,
    });
    const known = async (key: string) => settle(state[key] as pulumi.Input<unknown>);
    assert.deepEqual(
      {
        azureFleetHub: await known("azureFleetHub"),
        loadBalancerPool: await known("loadBalancerPool"),
        memberNames: await known("memberNames"),
        meshMembers: await known("meshMembers"),
        kubeconfigs: Object.keys((await known("kubeconfigs")) as Record<string, string>),
      },
      {
        azureFleetHub: false,
        loadBalancerPool: "172.18.255.0/24",
        memberNames: ["cluster1", "cluster2"],
        meshMembers: { demo: ["cluster1", "cluster2"] },
        kubeconfigs: ["cluster1", "cluster2"],
      },
    );
  });

  const secretCases: Array<{ name: string; args: () => pulumi.Inputs }> = [
    { name: "a secret kubeconfig inside the members map", args: () => WITH_KUBECONFIG(pulumi.secret(fakeKubeconfig("edge"))) },
    {
      name: "a members map that arrives as one secret Output (the older secret encoding lifts a nested secret to the field)",
      args: () => ({ members: pulumi.secret(WITH_KUBECONFIG(fakeKubeconfig("edge")).members) }),
    },
  ];
  for (const c of secretCases) {
    it(`accepts ${c.name}, the kubeconfig secret at the member's provider`, async () => {
      const { records } = await viaProvider(c.args());
      await built(records);
      const provider = named(records, "kind-mesh-edge", "pulumi:providers:kubernetes");
      assert.ok(provider.secretInputs.includes("kubeconfig"), `secret inputs: ${provider.secretInputs.join(", ")}`);
    });
  }

  it("makes only the input-typed leaves of a secret plain field secrets again once unwrapped", async () => {
    const schema = JSON.parse(await new FleetmeshProvider().getSchema()) as PackageSchema;
    const members = schema.resources[FLEET].inputProperties!.members;
    const value = secretBearing({ edge: { kubeconfig: "KUBECONFIG", context: "edge", labels: { mesh: "demo" } } }, members, schema) as {
      edge: { kubeconfig: unknown; context: unknown; labels: unknown };
    };
    assert.equal(pulumi.Output.isInstance(value.edge.kubeconfig), true);
    assert.equal(await isSecretInput(value.edge.kubeconfig), true);
    assert.equal(await settle(value.edge.kubeconfig as pulumi.Output<string>), "KUBECONFIG");
    assert.deepEqual([value.edge.context, value.edge.labels], ["edge", { mesh: "demo" }]);
  });

  it("keeps the allocation on the next run from the state the program exported", async () => {
    const first = await viaProvider(KIND_MESH, false);
    await built(first.records);
    const state = await settle((first.result.state as Record<string, pulumi.Output<unknown>>).state);
    const again = await viaProvider({ ...KIND_MESH, members: { cluster3: { kind: {} }, ...KIND_MESH.members } }, false, {
      kindMeshFleetState: state,
    });
    await built(again.records);
    const next = (await settle((again.result.state as Record<string, pulumi.Output<unknown>>).state)) as {
      members: Record<string, unknown>;
    };
    const before = (state as { members: Record<string, unknown> }).members;
    assert.deepEqual(next.members.cluster1, before.cluster1);
    assert.deepEqual(next.members.cluster2, before.cluster2);
  });

  it("refuses a plain field that is still unknown in a preview, naming it, before registering anything", async () => {
    await useMocks(true);
    const records: RecordedResource[] = [];
    const unknownMembers = pulumi.output(pulumi.unknown as unknown as FleetArgs["members"]);
    await assert.rejects(
      new FleetmeshProvider().construct(
        "kind-mesh",
        FLEET,
        { ...KIND_MESH, members: unknownMembers },
        { transformations: [recorder(records)] },
      ),
      (error: unknown) =>
        error instanceof FleetValidationError &&
        error.violations.length === 1 &&
        error.violations[0].path === "members" &&
        /not known yet/.test(error.violations[0].message),
    );
    assert.deepEqual(records, []);
  });

  it("refuses a fleet reference whose URN names no Fleet of this program", async () => {
    const { provider } = await viaProvider(KIND_MESH);
    const urn = "urn:pulumi:dev::fleetmesh-test::fleetmesh:index:Fleet::elsewhere";
    await assert.rejects(
      provider.construct("policy", "fleetmesh:index:CrossClusterPolicy", { fleet: { urn }, from: {}, to: {} }, {}),
      (error: unknown) =>
        error instanceof FleetValidationError &&
        error.violations[0].path === "fleet.urn" &&
        error.violations[0].message.startsWith(`"${urn}" is not the URN of a Fleet declared in this program`),
    );
  });

  it("unwraps an Output inside a plain field (a value from another resource or a secret config) and registers what plain values register", async () => {
    const expected = shapeOf(await viaTypeScript(KIND_MESH));
    const demo = KIND_MESH.meshes!.demo;
    const nested = {
      ...KIND_MESH,
      cilium: { version: pulumi.secret("1.18.12") },
      meshes: { demo: { ...demo, globalNamespaces: [pulumi.output("demo")] } },
    };
    const { records } = await viaProvider(nested as pulumi.Inputs);
    assert.deepEqual(shapeOf(await built(records)), expected);
  });

  it("refuses an Output inside a plain field that is still unknown in a preview, naming where it is", async () => {
    await useMocks(true);
    const records: RecordedResource[] = [];
    const demo = KIND_MESH.meshes!.demo;
    const nested = { ...KIND_MESH, meshes: { demo: { ...demo, globalNamespaces: [pulumi.output(pulumi.unknown as unknown as string)] } } };
    await assert.rejects(
      new FleetmeshProvider().construct("kind-mesh", FLEET, nested as pulumi.Inputs, { transformations: [recorder(records)] }),
      (error: unknown) =>
        error instanceof FleetValidationError && error.violations.map((v) => v.path).join() === "meshes.demo.globalNamespaces[0]",
    );
    assert.deepEqual(records, []);
  });

  it("refuses a type it does not host", async () => {
    await assert.rejects(
      new FleetmeshProvider().construct("m", "fleetmesh:index:ClusterMesh", {}, {}),
      /fleetmesh has no component fleetmesh:index:ClusterMesh/,
    );
  });
});

describe("the fleetmesh provider given arbitrary inputs (property)", function () {
  this.timeout(300000);

  for (const component of Object.keys(HOSTED_COMPONENTS)) {
    it(`${component}: constructs or refuses with the fields named, never crashes or hangs`, async () => {
      await useMocks(true);
      const provider = new FleetmeshProvider();
      const fleet = await provider.construct("shared", FLEET, KIND_MESH, {});
      const schema = JSON.parse(await provider.getSchema()) as PackageSchema;
      const fields = Object.keys(schema.resources[`fleetmesh:index:${component}`].inputProperties ?? {});
      const key = fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 5 }));
      const value = fc.oneof(
        fc.anything({ key, maxDepth: 3, maxKeys: 4 }),
        fc.constant({ urn: fleet.urn }),
        fc.constantFrom({ urn: "urn:pulumi:dev::x::fleetmesh:index:Fleet::nope" }, { meshName: "demo" }),
      );
      let sequence = 0;
      await fc.assert(
        fc.asyncProperty(fc.dictionary(key, value, { maxKeys: 6 }), async (inputs) => {
          try {
            await provider.construct(`${component.toLowerCase()}-${++sequence}`, `fleetmesh:index:${component}`, inputs, {});
          } catch (error) {
            assert.ok(error instanceof FleetValidationError, `not a refusal: ${error instanceof Error ? error.stack : String(error)}`);
            assert.ok(error.violations.length > 0 && error.violations.every((v) => v.path !== "" && v.message !== ""));
          }
        }),
        { numRuns: component === "Fleet" ? 25 : 60, timeout: 20_000 },
      );
    });
  }
});
