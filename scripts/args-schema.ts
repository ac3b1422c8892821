// `npm run args-schema`: writes components/core/args/args-schema.generated.ts, the JSON Schema of the
// public component arguments, read from the TypeScript interfaces with the compiler API. The
// interfaces are the source of truth; the schema follows them (and test/architecture/args-schema.test.ts
// fails when the committed file no longer matches them).
//
// Mapping: string, number and boolean as themselves; unions of string or number literals as `enum`;
// arrays as `items`; `Record<string, T>` and index signatures as `additionalProperties: T`; a named
// interface (or type alias) as a `$ref` to its own `$defs` entry, which refuses unknown fields
// (`additionalProperties: false`); `pulumi.Input<T>` as T or a deferred value (`{ deferred: true }`:
// a Pulumi Output or a Promise); a class (Fleet, Member, k8s.Provider, ...) as `{ instanceOf: name }`,
// and an interface tagged `@instanceOf <Class>` (a reference such as FleetRef) as that class or its shape;
// any other union as `anyOf`; `unknown` as `{}`. Descriptions come from the JSDoc, `@default` text
// from the `@default` tag (as `defaultDescription`).
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import Ajv2020 from "ajv/dist/2020";
import standaloneCode from "ajv/dist/standalone";
import { ARGS_KEYWORDS, COMPILE_OPTIONS } from "../components/core/args/keywords";
import { ARGS_TYPES } from "../components/core/args/args-types";

const REPO = path.resolve(__dirname, "..");
export const ARGS_SCHEMA_FILE = "components/core/args/args-schema.generated.ts";
export const ARGS_VALIDATORS_FILE = "components/core/args/args-validators.generated.ts";
const INDEX_FILE = "components/index.ts";

/** The public Args interfaces, each the arguments of one component. */
export const PUBLIC_ARGS = ARGS_TYPES;

export type JsonSchema = { [keyword: string]: unknown };

/** The program over components/index.ts, with the repository's compiler options. */
export function argsProgram(repo = REPO): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(repo, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  );
  if (!config) throw new Error("tsconfig.json could not be read");
  return ts.createProgram([path.join(repo, INDEX_FILE)], { ...config.options, noEmit: true });
}

/** The declared type of each public Args interface, as components/index.ts exports it. */
export function publicArgsTypes(program: ts.Program, repo = REPO): Map<string, ts.Type> {
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(repo, INDEX_FILE));
  const module = index && checker.getSymbolAtLocation(index);
  if (!module) throw new Error(`${INDEX_FILE} not found`);
  const exported = checker.getExportsOfModule(module);
  const types = new Map<string, ts.Type>();
  for (const name of PUBLIC_ARGS) {
    const symbol = exported.find((e) => e.name === name);
    if (!symbol) throw new Error(`${INDEX_FILE} does not export ${name}`);
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    types.set(name, checker.getDeclaredTypeOfSymbol(target));
  }
  return types;
}

/** A symbol's JSDoc: its text, and its `@default` tag when it has one. */
export function docOf(symbol: ts.Symbol, checker: ts.TypeChecker): { description?: string; defaultDescription?: string } {
  const description = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const tag = symbol.getJsDocTags(checker).find((t) => t.name === "default");
  const defaultDescription = tag && ts.displayPartsToString(tag.text).trim();
  return { ...(description ? { description } : {}), ...(defaultDescription ? { defaultDescription } : {}) };
}

function isWithin(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return !relative.startsWith("..") && !path.isAbsolute(relative);
}

/** Reads the Args interfaces and everything they reach into one schema document. */
class SchemaBuilder {
  private readonly checker: ts.TypeChecker;
  private readonly defs = new Map<string, JsonSchema>();
  /** Which type each def name stands for: two types under one name is an error. */
  private readonly owners = new Map<string, ts.Type>();

  constructor(
    private readonly program: ts.Program,
    private readonly repo: string,
  ) {
    this.checker = program.getTypeChecker();
  }

  document(): JsonSchema {
    for (const [name, type] of publicArgsTypes(this.program, this.repo)) this.interfaceRef(type, name);
    const names = [...this.defs.keys()].sort();
    return {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      title: "fleetmesh component arguments",
      description:
        "The arguments of fleetmesh's public components, one $defs entry per named type, generated from the TypeScript interfaces exported by components/index.ts.",
      $defs: Object.fromEntries(names.map((n) => [n, this.defs.get(n)!])),
    };
  }

  private isOwn(symbol: ts.Symbol | undefined): boolean {
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
    return file !== undefined && isWithin(file, path.join(this.repo, "components")) && !file.includes("node_modules");
  }

  /** `Promise<T>`, `PromiseLike<T>`, a Pulumi `OutputInstance<T>` or `Output<T>`: what `pulumi.Input` adds to T. */
  private isDeferred(type: ts.Type): boolean {
    if (type.isIntersection()) return type.types.some((t) => this.isDeferred(t));
    const name = type.symbol?.name;
    return name === "Promise" || name === "PromiseLike" || name === "OutputInstance";
  }

  schemaOf(type: ts.Type): JsonSchema {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (type.flags & ts.TypeFlags.Boolean) return { type: "boolean" };
    if (type.isUnion()) return this.unionSchema(type);
    if (type.flags & ts.TypeFlags.String) return { type: "string" };
    if (type.flags & ts.TypeFlags.Number) return { type: "number" };
    if (type.isStringLiteral() || type.isNumberLiteral()) return { enum: [type.value] };
    if (type.flags & ts.TypeFlags.BooleanLiteral) return { enum: [this.checker.typeToString(type) === "true"] };
    if (type.flags & ts.TypeFlags.Object || type.isIntersection()) return this.objectTypeSchema(type);
    throw new Error(`args-schema: no JSON Schema for the type ${this.checker.typeToString(type)}`);
  }

  private unionSchema(type: ts.UnionType): JsonSchema {
    const members = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    const deferred = members.some((t) => this.isDeferred(t));
    const plain = members.filter((t) => !this.isDeferred(t));
    const alias = type.aliasSymbol;
    const named = !deferred && plain.length === type.types.length && alias && this.isOwn(alias) && !type.aliasTypeArguments;
    const base = named
      ? this.defRef(alias.name, type, () => ({ ...docOf(alias, this.checker), ...this.alternatives(plain) }))
      : this.alternatives(plain);
    return deferred ? { anyOf: [base, { deferred: true }] } : base;
  }

  /** The schema of a value that is one of `members`: literals merged into one `enum`, `true | false` into boolean. */
  private alternatives(members: ts.Type[]): JsonSchema {
    const isTrue = (t: ts.Type) => t.flags & ts.TypeFlags.BooleanLiteral && this.checker.typeToString(t) === "true";
    const isFalse = (t: ts.Type) => t.flags & ts.TypeFlags.BooleanLiteral && this.checker.typeToString(t) === "false";
    const boolean = members.some(isTrue) && members.some(isFalse);
    const literals = members.filter((t) => t.isStringLiteral() || t.isNumberLiteral()).map((t) => (t as ts.LiteralType).value);
    const parts: JsonSchema[] = [];
    if (boolean) parts.push({ type: "boolean" });
    if (literals.length > 0) parts.push({ enum: literals });
    for (const member of members) {
      if (member.isStringLiteral() || member.isNumberLiteral()) continue;
      if (boolean && (isTrue(member) || isFalse(member))) continue;
      parts.push(this.schemaOf(member));
    }
    if (parts.length === 0) throw new Error("args-schema: an empty union");
    return parts.length === 1 ? parts[0] : { anyOf: parts };
  }

  private objectTypeSchema(type: ts.Type): JsonSchema {
    if (this.isDeferred(type)) return { deferred: true };
    const symbol = type.symbol;
    if (symbol && symbol.flags & ts.SymbolFlags.Class) return { instanceOf: this.className(symbol) };
    if (this.checker.isArrayType(type)) {
      const [item] = this.checker.getTypeArguments(type as ts.TypeReference);
      return { type: "array", items: this.schemaOf(item) };
    }
    if (this.checker.isTupleType(type)) throw new Error(`args-schema: tuples are not supported (${this.checker.typeToString(type)})`);
    if (this.checker.getSignaturesOfType(type, ts.SignatureKind.Call).length > 0) {
      throw new Error(`args-schema: functions are not supported (${this.checker.typeToString(type)})`);
    }
    const alias = type.aliasSymbol;
    if (alias && this.isOwn(alias) && !type.aliasTypeArguments) return this.interfaceRef(type, alias.name, alias);
    if (symbol && symbol.flags & ts.SymbolFlags.Interface) {
      if (!this.isOwn(symbol)) throw new Error(`args-schema: the interface ${symbol.name} is not fleetmesh's own`);
      const args = (type as ts.TypeReference).typeArguments ?? [];
      const name = [symbol.name, ...args.map((a) => this.checker.typeToString(a).replace(/[^A-Za-z0-9]+/g, ""))].join("_");
      return this.interfaceRef(type, name, symbol);
    }
    return this.objectSchema(type);
  }

  /** Fleetmesh's own classes by name (Fleet, Member); others with their package (kubernetes.Provider). */
  private className(symbol: ts.Symbol): string {
    if (this.isOwn(symbol)) return symbol.name;
    const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? "";
    const pulumiPackage = /node_modules\/@pulumi\/([^/]+)\//.exec(file);
    if (!pulumiPackage) throw new Error(`args-schema: the class ${symbol.name} is neither fleetmesh's nor a Pulumi package's`);
    return `${pulumiPackage[1]}.${symbol.name}`;
  }

  private interfaceRef(type: ts.Type, name: string, symbol: ts.Symbol = type.symbol): JsonSchema {
    return this.defRef(name, type, () => {
      const doc = docOf(symbol, this.checker);
      const shape = this.objectSchema(type);
      // A reference interface (`@instanceOf Fleet`): the class itself, or the reference's own shape.
      const tag = symbol.getJsDocTags(this.checker).find((t) => t.name === "instanceOf");
      const instanceOf = tag && ts.displayPartsToString(tag.text).trim();
      return instanceOf ? { ...doc, anyOf: [{ instanceOf }, shape] } : { ...doc, ...shape };
    });
  }

  private defRef(name: string, type: ts.Type, build: () => JsonSchema): JsonSchema {
    const owner = this.owners.get(name);
    if (owner !== undefined && owner !== type) throw new Error(`args-schema: two types are named ${name}`);
    if (owner === undefined) {
      this.owners.set(name, type);
      this.defs.set(name, {}); // reserved first: a type may reach itself
      this.defs.set(name, build());
    }
    return { $ref: `#/$defs/${name}` };
  }

  /** An object with its properties; unknown fields refused unless the type has a string index signature. */
  private objectSchema(type: ts.Type): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const property of this.checker.getPropertiesOfType(type)) {
      properties[property.name] = { ...docOf(property, this.checker), ...this.schemaOf(this.propertyType(property, type)) };
      if (!(property.flags & ts.SymbolFlags.Optional)) required.push(property.name);
    }
    const index = this.checker.getIndexInfosOfType(type).find((i) => i.keyType.flags & ts.TypeFlags.String);
    return {
      type: "object",
      ...(Object.keys(properties).length > 0 ? { properties } : {}),
      ...(required.length > 0 ? { required } : {}),
      additionalProperties: index ? this.schemaOf(index.type) : false,
    };
  }

  /**
   * A property's type as written (so a named alias such as `ServiceAffinity` keeps its name), unless the
   * property belongs to a generic interface: then its instantiated type.
   */
  private propertyType(property: ts.Symbol, owner: ts.Type): ts.Type {
    const declaration = property.valueDeclaration ?? property.declarations?.[0];
    const generic = (owner as ts.TypeReference).typeArguments?.length || owner.aliasTypeArguments?.length;
    if (!generic && declaration && (ts.isPropertySignature(declaration) || ts.isPropertyDeclaration(declaration)) && declaration.type) {
      return this.checker.getTypeFromTypeNode(declaration.type);
    }
    return this.checker.getTypeOfSymbol(property);
  }
}

/** The schema document of the public Args interfaces. */
export function buildArgsSchema(program: ts.Program = argsProgram(), repo = REPO): JsonSchema {
  return new SchemaBuilder(program, repo).document();
}

/** The generated module's text, formatted with the repository's prettier settings. */
export async function renderArgsSchemaModule(schema: JsonSchema, repo = REPO): Promise<string> {
  return formatted(repo, ARGS_SCHEMA_FILE, [
    "// Generated by scripts/args-schema.ts from the Args interfaces exported by components/index.ts: do not",
    "// edit. Run `npm run args-schema` after changing an Args interface (or a type it reaches).",
    'import type { JsonSchema } from "./json-schema";',
    "",
    `export const ARGS_SCHEMA: JsonSchema = ${JSON.stringify(schema)};`,
    "",
  ]);
}

/** A generated module's lines, formatted with the repository's prettier settings for that file. */
async function formatted(repo: string, relativeFile: string, lines: readonly string[]): Promise<string> {
  const prettier = await import("prettier");
  const file = path.join(repo, relativeFile);
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(lines.join("\n"), { ...options, filepath: file });
}

/** The schema without its documentation: what a validator needs (and keeps the generated code small). */
function withoutDocs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDocs);
  if (node === null || typeof node !== "object") return node;
  const entries = Object.entries(node as Record<string, unknown>).filter(([key]) => key !== "description" && key !== "defaultDescription");
  // `properties` maps field names (a field may be called `description`): only schema nodes lose docs.
  return Object.fromEntries(
    entries.map(([key, value]) => [key, key === "properties" || key === "$defs" ? mapValues(value) : withoutDocs(value)]),
  );
}

function mapValues(value: unknown): unknown {
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, v]) => [key, withoutDocs(v)]));
}

/**
 * Precompiled pass/fail validators, one per public Args interface, as ajv's standalone code: a program
 * with valid arguments then compiles no schema when it starts (compiling the Fleet's takes about 0.1 s).
 * They stop at the first error; a refusal compiles the reporting validator at run time.
 */
export async function renderArgsValidatorsModule(schema: JsonSchema, repo = REPO): Promise<string> {
  const ajv = new Ajv2020({ ...COMPILE_OPTIONS, code: { source: true, esm: true } });
  for (const keyword of ARGS_KEYWORDS) ajv.addKeyword(keyword);
  ajv.addSchema({ ...(withoutDocs(schema) as object), $id: "args" });
  const code = standaloneCode(ajv, Object.fromEntries(PUBLIC_ARGS.map((name) => [name, `args#/$defs/${name}`])));
  return formatted(repo, ARGS_VALIDATORS_FILE, [
    "// Generated by scripts/args-schema.ts (ajv standalone code of args-schema.generated.ts): do not edit.",
    "// Run `npm run args-schema` after changing an Args interface (or a type it reaches).",
    "/* eslint-disable */",
    "// @ts-nocheck",
    code.replace(/^"use strict";/, ""),
    "",
    `export const ARGS_VALIDATORS: Readonly<Record<string, (value: unknown) => boolean>> = { ${PUBLIC_ARGS.join(", ")} };`,
    "",
  ]);
}

async function main(): Promise<void> {
  const schema = buildArgsSchema();
  fs.writeFileSync(path.join(REPO, ARGS_SCHEMA_FILE), await renderArgsSchemaModule(schema));
  console.log(`args-schema: wrote ${ARGS_SCHEMA_FILE}`);
  fs.writeFileSync(path.join(REPO, ARGS_VALIDATORS_FILE), await renderArgsValidatorsModule(schema));
  console.log(`args-schema: wrote ${ARGS_VALIDATORS_FILE}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
