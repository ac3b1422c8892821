// The package schema other languages generate their SDKs from: committed, matching the TypeScript
// sources (the component analyzer's reading of them, finished by provider/schema-spec.ts), and
// complete: every component, every argument with its documentation, every output typed, the
// credentials secret.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { FleetmeshProvider, HOSTED_COMPONENTS, PACKAGE_NAME, SCHEMA_FILE } from "../../provider/provider";
import { PackageSchema, PropertySpec } from "../../provider/schema-spec";
import { ARGS_SCHEMA } from "../../components/core/args/args-schema.generated";

const ROOT = path.resolve(__dirname, "../..");
const committed = (): PackageSchema => JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as PackageSchema;

/** Every property of the schema with where it is, inputs and type fields and outputs alike. */
function properties(schema: PackageSchema): Array<{ at: string; spec: PropertySpec; output: boolean }> {
  return [
    ...Object.entries(schema.resources).flatMap(([token, r]) => [
      ...Object.entries(r.inputProperties ?? {}).map(([k, spec]) => ({ at: `${token} input ${k}`, spec, output: false })),
      ...Object.entries(r.properties ?? {}).map(([k, spec]) => ({ at: `${token} output ${k}`, spec, output: true })),
    ]),
    ...Object.entries(schema.types).flatMap(([token, t]) =>
      Object.entries(t.properties ?? {}).map(([k, spec]) => ({ at: `${token}.${k}`, spec, output: false })),
    ),
  ];
}

/** A property's type in short: a type's name, a primitive, [item], { "*": value } for a map, "any". */
function compact(spec: PropertySpec): unknown {
  if (spec.$ref !== undefined) return spec.$ref === "pulumi.json#/Any" ? "any" : spec.$ref.split(":").pop();
  if (spec.type === "array" && spec.items) return [compact(spec.items)];
  if (spec.type === "object" && spec.additionalProperties) return { "*": compact(spec.additionalProperties) };
  return spec.type;
}

describe("the package schema", function () {
  this.timeout(180000);

  it("is the one the sources give (run `npm run provider-schema` after changing a component's arguments or outputs)", async () => {
    assert.deepEqual(await new FleetmeshProvider().analyzedSchema(), committed());
  });

  it("has exactly the hosted components, under the package's name", () => {
    const tokens = Object.keys(HOSTED_COMPONENTS).map((c) => `${PACKAGE_NAME}:index:${c}`);
    assert.deepEqual(Object.keys(committed().resources).sort(), tokens.sort());
  });

  it("carries the package's version", () => {
    const version = (file: string) => (JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as { version: string }).version;
    assert.equal(committed().version, version("package.json"));
    assert.equal(version("provider/package.json"), version("package.json"));
  });

  it("documents every argument and every field of the types arguments reach", () => {
    const missing = properties(committed())
      .filter((p) => !p.output && !p.spec.description)
      .map((p) => p.at);
    assert.deepEqual(missing, []);
  });

  it("has every field of each component's Args interface, and of every type the arguments reach", () => {
    const missing: string[] = [];
    const argsDefs = (ARGS_SCHEMA as { $defs: Record<string, { properties?: Record<string, unknown> }> }).$defs;
    for (const [token, resource] of Object.entries(committed().resources)) {
      const component = token.split(":")[2];
      const fields = Object.keys(argsDefs[`${component}Args`].properties ?? {});
      missing.push(...fields.filter((f) => resource.inputProperties?.[f] === undefined).map((f) => `${component}Args.${f}`));
    }
    for (const [token, type] of Object.entries(committed().types)) {
      const name = token.split(":")[2];
      const fields = Object.keys(argsDefs[name]?.properties ?? {});
      missing.push(...fields.filter((f) => type.properties?.[f] === undefined).map((f) => `${name}.${f}`));
    }
    assert.deepEqual(missing, []);
  });

  it("gives each component the outputs a program in another language reads, with their types", () => {
    const outputs = Object.fromEntries(
      Object.entries(committed().resources).map(([token, r]) => [
        token.split(":")[2],
        Object.fromEntries(Object.entries(r.properties ?? {}).map(([k, spec]) => [k, compact(spec)])),
      ]),
    );
    assert.deepEqual(outputs, {
      Fleet: {
        state: "FleetState",
        caCertPem: "string",
        azureFleetHub: "boolean",
        loadBalancerPool: "string",
        memberNames: ["string"],
        kubeconfigs: { "*": "string" },
        meshMembers: { "*": ["string"] },
        allocationWhatIf: ["AllocationRow"],
        memberSites: { "*": "MemberSite" },
      },
      GlobalService: { serviceName: "string", namespace: "string", members: ["string"], fleetName: "string" },
      MultiClusterService: {
        realization: "Realization",
        ingressMember: "string",
        servingMembers: ["string"],
        namespace: "string",
        fleetName: "string",
        address: "string",
      },
      CrossClusterPolicy: { enforcedOn: ["string"], policyNames: ["string"], fleetName: "string" },
      Placement: {
        state: "PlacementState",
        decisions: ["ClusterDecision"],
        condition: "PlacementCondition",
        placementStatuses: ["PlacementStatus"],
        targets: ["string"],
        whatIf: "PlacementWhatIf",
        selected: [{ "*": "any" }],
        fleetName: "string",
      },
    });
  });

  it("types every output", () => {
    const untyped = properties(committed())
      .filter((p) => p.output && p.spec.type === undefined && p.spec.$ref === undefined)
      .map((p) => p.at);
    assert.deepEqual(untyped, []);
  });

  it("marks exactly the kubeconfigs secret", () => {
    const secret = properties(committed())
      .filter((p) => p.spec.secret === true)
      .map((p) => p.at);
    assert.deepEqual(secret, ["fleetmesh:index:Fleet output kubeconfigs"]);
  });

  it("refers to no other package than Kubernetes (a program in another language installs only what it uses)", () => {
    const refs: string[] = [];
    JSON.stringify(committed(), (key, value: unknown) => {
      if (key === "$ref" && typeof value === "string" && value.startsWith("/")) refs.push(value);
      return value;
    });
    const packages = [...new Set(refs.map((ref) => ref.split("/")[1]))];
    assert.deepEqual(
      packages.filter((p) => p !== "kubernetes"),
      [],
    );
    const dependencies = (committed().dependencies ?? []) as Array<{ name: string }>;
    assert.deepEqual(
      dependencies.map((d) => d.name).filter((name) => name !== "kubernetes"),
      [],
    );
  });

  it("refers to the Kubernetes provider as a provider (a hub placement's provider)", () => {
    const hub = committed().types["fleetmesh:index:PlacementHubArgs"].properties!.provider;
    assert.match(hub.$ref ?? "", /^\/kubernetes\/v[^/]+\/schema\.json#\/provider$/);
  });
});
