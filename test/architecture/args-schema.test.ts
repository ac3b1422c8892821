// The structural check follows the Args interfaces, not the other way round: the committed schema is
// what scripts/args-schema.ts generates from them today, every field of every public Args interface is
// in it with its JSDoc, and every class it names has its instance check in the runtime layer.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import Ajv2020 from "ajv/dist/2020";
import { ARGS_SCHEMA, ARGS_TYPES, ArgsChecker } from "../../components/core/args";
import { CLASS_PREDICATES } from "../../components/runtime/check-args";
import {
  ARGS_SCHEMA_FILE,
  ARGS_VALIDATORS_FILE,
  PUBLIC_ARGS,
  argsProgram,
  buildArgsSchema,
  docOf,
  publicArgsTypes,
  renderArgsSchemaModule,
  renderArgsValidatorsModule,
} from "../../scripts/args-schema";

const REPO = path.resolve(__dirname, "../..");

type Node = { [keyword: string]: unknown };
const defs = (ARGS_SCHEMA as { $defs: Record<string, Node> }).$defs;

/** Every value of a keyword anywhere in the schema. */
function keywordValues(node: unknown, keyword: string, out: unknown[] = []): unknown[] {
  if (node === null || typeof node !== "object") return out;
  if (Array.isArray(node)) {
    node.forEach((item) => keywordValues(item, keyword, out));
    return out;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === keyword) out.push(value);
    keywordValues(value, keyword, out);
  }
  return out;
}

describe("architecture: the Args schema follows the Args interfaces", function () {
  // The compiler reads the components and their Pulumi SDK types: about ten seconds.
  this.timeout(120000);
  let program: ts.Program;
  before(() => {
    program = argsProgram();
  });

  it("is up to date: scripts/args-schema.ts regenerates the committed file unchanged (run `npm run args-schema`)", async () => {
    const generated = await renderArgsSchemaModule(buildArgsSchema(program));
    assert.equal(generated, fs.readFileSync(path.join(REPO, ARGS_SCHEMA_FILE), "utf8"));
  });

  it("has precompiled validators up to date: scripts/args-schema.ts regenerates them unchanged (run `npm run args-schema`)", async () => {
    const generated = await renderArgsValidatorsModule(buildArgsSchema(program));
    assert.equal(generated, fs.readFileSync(path.join(REPO, ARGS_VALIDATORS_FILE), "utf8"));
  });

  it("knows the same public Args interfaces as the runtime check", () => {
    assert.deepEqual([...PUBLIC_ARGS], [...ARGS_TYPES]);
  });

  it("has every field of every public Args interface, required as the interface says, with its JSDoc", () => {
    const checker = program.getTypeChecker();
    const problems: string[] = [];
    for (const [name, type] of publicArgsTypes(program)) {
      const def = defs[name] as { properties?: Record<string, Node>; required?: string[]; additionalProperties?: unknown };
      assert.ok(def, `$defs.${name}`);
      assert.equal(def.additionalProperties, false, `${name} refuses unknown fields`);
      const fields = checker.getPropertiesOfType(type);
      assert.deepEqual(
        Object.keys(def.properties ?? {}),
        fields.map((f) => f.name),
        `${name}: the fields, in declaration order`,
      );
      for (const field of fields) {
        const schema = def.properties?.[field.name] ?? {};
        const doc = docOf(field, checker);
        if (!doc.description) problems.push(`${name}.${field.name} has no JSDoc`);
        if (schema.description !== doc.description)
          problems.push(`${name}.${field.name}: description ${JSON.stringify(schema.description)}`);
        if (schema.defaultDescription !== doc.defaultDescription) problems.push(`${name}.${field.name}: @default`);
        const required = !(field.flags & ts.SymbolFlags.Optional);
        if ((def.required ?? []).includes(field.name) !== required) problems.push(`${name}.${field.name}: required should be ${required}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it("compiles under ajv's strict mode, with every def reachable from an Args interface", () => {
    const ajv = new Ajv2020({ strict: true });
    ajv.addKeyword({ keyword: "defaultDescription", schemaType: "string" });
    ajv.addKeyword({ keyword: "deferred", schemaType: "boolean", validate: () => true });
    ajv.addKeyword({ keyword: "instanceOf", schemaType: "string", validate: () => true });
    for (const name of ARGS_TYPES) assert.doesNotThrow(() => ajv.compile({ $defs: defs, $ref: `#/$defs/${name}` }), name);
    const referenced = new Set(keywordValues(ARGS_SCHEMA, "$ref").map((ref) => String(ref).replace("#/$defs/", "")));
    const unreached = Object.keys(defs).filter((name) => !referenced.has(name) && !(ARGS_TYPES as readonly string[]).includes(name));
    assert.deepEqual(unreached, []);
  });

  it("has an instance check in the runtime layer for every class it names, and no other", () => {
    const named = [...new Set(keywordValues(ARGS_SCHEMA, "instanceOf"))].sort();
    assert.deepEqual(named, Object.keys(CLASS_PREDICATES).sort());
  });

  it("accepts the arguments the README's first program passes", () => {
    const checker = new ArgsChecker(CLASS_PREDICATES);
    const fleet = {
      members: { east: { kind: {}, labels: { mesh: "web" } }, west: { kind: {}, labels: { mesh: "web" } } },
      meshes: { web: { memberSelector: { matchLabels: { mesh: "web" } } } },
    };
    assert.deepEqual(checker.violations("FleetArgs", fleet), []);
  });
});
