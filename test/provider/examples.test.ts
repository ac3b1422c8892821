// The examples in other languages, checked as far as this machine can (no Pulumi CLI, no Python
// packages): the YAML program's fleetmesh resources are constructed through the provider with their
// properties as Pulumi YAML would send them, and refuse nothing; the Python program compiles, and every
// keyword argument, dict key and attribute it uses of the fleetmesh SDK is one the schema has.
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { Fleet } from "../../components";
import { FleetmeshProvider, SCHEMA_FILE } from "../../provider/provider";
import { PackageSchema, PropertySpec } from "../../provider/schema-spec";
import { RecordedResource, complete, errorLog, recorder, useMocks } from "../components/harness";

const ROOT = path.resolve(__dirname, "../..");
const schema = (): PackageSchema => JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as PackageSchema;

interface YamlResource {
  type: string;
  name?: string;
  properties?: Record<string, unknown>;
}
interface YamlProgram {
  config?: Record<string, { default?: unknown }>;
  variables?: Record<string, unknown>;
  resources: Record<string, YamlResource>;
  outputs?: Record<string, string>;
}

const INTERPOLATION = /\$\{([^}]+)\}/g;

/** Every `${resource.property...}` the program reads, as [resource key, property]. */
function references(program: YamlProgram): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  JSON.stringify(program, (_key, value: unknown) => {
    if (typeof value === "string") for (const m of value.matchAll(INTERPOLATION)) found.push(m[1].split(/[.[]/, 2) as [string, string]);
    return value;
  });
  return found.filter(([resource, property]) => property !== undefined && program.resources[resource] !== undefined);
}

/** Substitutes config, variables and the URNs of the resources constructed so far, as Pulumi YAML would. */
function substitute(value: unknown, scope: Record<string, unknown>): unknown {
  if (typeof value === "string") {
    const whole = /^\$\{([^}]+)\}$/.exec(value);
    if (whole) {
      if (!(whole[1] in scope)) throw new Error(`the example reads \${${whole[1]}}, which this test does not provide`);
      return scope[whole[1]];
    }
    return value.replace(INTERPOLATION, (_m, name: string) => String(scope[name]));
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, scope));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, scope)]));
  }
  return value;
}

describe("the examples in other languages", function () {
  this.timeout(120000);

  it("the YAML example's fleetmesh resources are constructed through the provider and refuse nothing", async () => {
    const program = parse(fs.readFileSync(path.join(ROOT, "examples/kind-mesh-yaml/Pulumi.yaml"), "utf8")) as YamlProgram;
    await useMocks(true);
    const provider = new FleetmeshProvider();
    const records: RecordedResource[] = [];
    const scope: Record<string, unknown> = {
      ...Object.fromEntries(Object.entries(program.config ?? {}).map(([k, v]) => [k, v.default])),
      ...(program.variables ?? {}),
    };
    const constructed: string[] = [];
    for (const [key, resource] of Object.entries(program.resources)) {
      if (!resource.type.startsWith("fleetmesh:")) continue;
      const result = await provider.construct(
        resource.name ?? key,
        resource.type,
        substitute(resource.properties ?? {}, scope) as pulumi.Inputs,
        {
          transformations: [recorder(records)],
        },
      );
      scope[`${key}.urn`] = result.urn;
      constructed.push(resource.type);
    }
    const fleet = records.find((r) => r.type === "fleetmesh:index:Fleet")?.resource as Fleet;
    await fleet.ready;
    await complete(records);
    assert.deepEqual(errorLog, []);
    assert.deepEqual(constructed, [
      "fleetmesh:index:Fleet",
      "fleetmesh:index:GlobalService",
      "fleetmesh:index:CrossClusterPolicy",
      "fleetmesh:index:MultiClusterService",
    ]);
  });

  it("the YAML example reads only outputs the components have", () => {
    const program = parse(fs.readFileSync(path.join(ROOT, "examples/kind-mesh-yaml/Pulumi.yaml"), "utf8")) as YamlProgram;
    const unknown = references(program).filter(([resource, property]) => {
      const type = program.resources[resource].type;
      if (!type.startsWith("fleetmesh:")) return false;
      return property !== "urn" && schema().resources[type].properties?.[property] === undefined;
    });
    assert.deepEqual(unknown, []);
  });

  it("the Python example compiles", () => {
    const compiled = spawnSync("python3", ["-m", "py_compile", path.join(ROOT, "examples/kind-mesh-python/__main__.py")], {
      encoding: "utf8",
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", PYTHONPYCACHEPREFIX: path.join(os.tmpdir(), "fleetmesh-pycache") },
    });
    assert.equal(compiled.status, 0, compiled.stderr);
  });

  it("the Python example uses only arguments, fields and outputs the schema has (snake_case, as the generated SDK names them)", () => {
    const out = execFileSync(
      "python3",
      [path.join(__dirname, "python-calls.py"), path.join(ROOT, "examples/kind-mesh-python/__main__.py")],
      {
        encoding: "utf8",
      },
    );
    const { calls, reads } = JSON.parse(out) as {
      calls: Array<{ component: string; kwargs: Record<string, unknown> }>;
      reads: Array<{ component: string; attribute: string }>;
    };
    const s = schema();
    const unknown: string[] = [];
    for (const call of calls) {
      const resource = s.resources[`fleetmesh:index:${call.component}`];
      if (resource === undefined) {
        unknown.push(`fleetmesh.${call.component}`);
        continue;
      }
      for (const [kwarg, given] of Object.entries(call.kwargs)) {
        const field = camelCase(kwarg.replace(/_$/, ""));
        const spec = resource.inputProperties?.[field];
        if (spec === undefined) unknown.push(`${call.component}(${kwarg}=)`);
        else unknown.push(...unknownKeys(given, spec, s, `${call.component}.${kwarg}`));
      }
    }
    for (const read of reads) {
      const outputs = s.resources[`fleetmesh:index:${read.component}`]?.properties ?? {};
      if (read.attribute !== "urn" && outputs[camelCase(read.attribute)] === undefined) unknown.push(`${read.component}.${read.attribute}`);
    }
    assert.deepEqual(unknown, []);
  });
});

const camelCase = (name: string) => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Keys of a Python dict literal that the schema type at that place does not have (maps take any key). */
function unknownKeys(given: unknown, spec: PropertySpec, s: PackageSchema, at: string): string[] {
  if (given === null || given === undefined) return [];
  if (Array.isArray(given)) return spec.items ? given.flatMap((item, i) => unknownKeys(item, spec.items!, s, `${at}[${i}]`)) : [];
  if (typeof given !== "object") return [];
  const entries = Object.entries(given as Record<string, unknown>);
  if (spec.additionalProperties) return entries.flatMap(([k, v]) => unknownKeys(v, spec.additionalProperties!, s, `${at}[${k}]`));
  const type = spec.$ref?.startsWith("#/types/") ? s.types[spec.$ref.slice("#/types/".length)] : undefined;
  if (type?.properties === undefined) return [];
  return entries.flatMap(([k, v]) => {
    const field = type.properties![camelCase(k)];
    return field === undefined ? [`${at}.${k}`] : unknownKeys(v, field, s, `${at}.${k}`);
  });
}
