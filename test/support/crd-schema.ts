// The upstream CRDs vendored in ./upstream (see its README.md), as ajv validators of one served version's openAPIV3Schema.
// Other vendored CRDs (test/fixtures/cilium-crds) are read by absolute path.
import * as fs from "fs";
import * as path from "path";
import Ajv, { AnySchemaObject, ValidateFunction } from "ajv";
import type { DataValidateFunction, RegExpEngine } from "ajv/dist/types";
import { parse } from "yaml";
import { UPSTREAM_DATA } from "./chart-schema";

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
}

interface Crd {
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

/** How strictly a CRD validator reads its schema (the defaults are the JSON-schema reading alone). */
export interface CrdValidatorOptions {
  /**
   * Reject fields the structural schema does not declare, as the API server's strict field
   * validation does (kubectl's default `--validate=strict`); otherwise the server prunes them
   * silently. Also checks `x-kubernetes-int-or-string` and the `x-kubernetes-validations` rules
   * that `celRuleCheck` understands (any other rule makes the validator refuse to build).
   * Pruning: https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#field-pruning
   */
  strict?: boolean;
}

const validators = new Map<string, ValidateFunction>();
const crds = new Map<string, Crd>();

/** `file` relative to ./upstream, or an absolute path (other vendored CRDs, e.g. test/fixtures/cilium-crds). */
function readCrd(file: string): Crd {
  const full = path.resolve(UPSTREAM_DATA, file);
  let crd = crds.get(full);
  if (!crd) {
    crd = parse(fs.readFileSync(full, "utf8")) as Crd;
    crds.set(full, crd);
  }
  return crd;
}

/** The CRD's group, kind and versions (served or not, deprecated or not), as its file declares them. */
export function crdInfo(file: string): {
  group: string;
  kind: string;
  versions: Array<{ name: string; served: boolean; storage: boolean; deprecated: boolean; deprecationWarning?: string }>;
} {
  const { spec } = readCrd(file);
  return {
    group: spec.group,
    kind: spec.names.kind,
    versions: spec.versions.map((v) => ({
      name: v.name,
      served: v.served === true,
      storage: v.storage === true,
      deprecated: v.deprecated === true,
      ...(v.deprecationWarning ? { deprecationWarning: v.deprecationWarning } : {}),
    })),
  };
}

/**
 * A validator for objects of a CRD version. Kubernetes' structural-schema extensions
 * (x-kubernetes-*) are not JSON-schema keywords: ajv ignores them (strict mode off), unless
 * `options.strict` (see CrdValidatorOptions).
 */
export function crdValidator(file: string, version: string, options: CrdValidatorOptions = {}): ValidateFunction {
  const key = `${path.resolve(UPSTREAM_DATA, file)}@${version}${options.strict ? "#strict" : ""}`;
  let validate = validators.get(key);
  if (!validate) {
    const served = readCrd(file).spec.versions.find((v) => v.name === version);
    if (!served?.schema?.openAPIV3Schema) throw new Error(`${file} has no schema for version ${version}`);
    if (options.strict) {
      const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: re2Engine } });
      ajv.addKeyword({ keyword: "x-kubernetes-validations", errors: true, compile: celRulesValidator });
      validate = ajv.compile(strictStructuralSchema(served.schema.openAPIV3Schema));
    } else {
      validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(served.schema.openAPIV3Schema);
    }
    validators.set(key, validate);
  }
  return validate;
}

/**
 * CRD patterns are Go RE2 syntax (the API server matches them with Go's regexp), where a
 * one-letter Unicode class needs no braces (`\PC`); JavaScript wants `\P{C}`.
 * https://github.com/google/re2/wiki/Syntax
 */
export function re2ToJs(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c !== "\\" || i + 1 >= pattern.length) {
      out += c;
      continue;
    }
    const next = pattern[i + 1];
    const letter = pattern[i + 2];
    if ((next === "p" || next === "P") && letter !== undefined && /[A-Za-z]/.test(letter)) {
      out += `\\${next}{${letter}}`;
      i += 2;
    } else {
      out += c + next;
      i += 1;
    }
  }
  return out;
}

const re2Engine: RegExpEngine = Object.assign((pattern: string, u: string) => new RegExp(re2ToJs(pattern), u), { code: "new RegExp" });

type SchemaNode = Record<string, unknown>;

const isNode = (value: unknown): value is SchemaNode => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * A copy of a structural schema that says in JSON-schema terms what the API server enforces
 * beyond it: `additionalProperties: false` where a node declares `properties` (and neither
 * `additionalProperties` nor `x-kubernetes-preserve-unknown-fields`), and `integer or string` for
 * `x-kubernetes-int-or-string`. Only the structural positions (properties, items,
 * additionalProperties) are rewritten: the branches of anyOf/oneOf/allOf/not may only restate
 * fields (structural schema rule), so closing them would reject valid objects.
 * https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
export function strictStructuralSchema(node: SchemaNode): SchemaNode {
  const out: SchemaNode = { ...node };
  if (isNode(node.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([name, child]) => [name, isNode(child) ? strictStructuralSchema(child) : child]),
    );
    if (node.additionalProperties === undefined && node["x-kubernetes-preserve-unknown-fields"] !== true) out.additionalProperties = false;
  }
  if (isNode(node.items)) out.items = strictStructuralSchema(node.items);
  if (isNode(node.additionalProperties)) out.additionalProperties = strictStructuralSchema(node.additionalProperties);
  if (node["x-kubernetes-int-or-string"] === true && node.type === undefined && node.anyOf === undefined) {
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  return out;
}

/** One rule of `x-kubernetes-validations` (a CEL expression on `self`). */
interface CelRule {
  rule: string;
  message?: string;
}

const HAS_FIELD = /^has\(self\.([A-Za-z_][A-Za-z0-9_]*)\)$/;

/**
 * The check for the CEL rules this helper understands, or undefined. Only a disjunction of field
 * presence tests (`has(self.a) || has(self.b)`) for now: a CEL interpreter is not worth a
 * dependency for the rules the vendored CRDs carry. Semantics: https://kubernetes.io/docs/reference/using-api/cel/
 */
export function celRuleCheck(rule: string): ((self: unknown) => boolean) | undefined {
  const terms = rule.split("||").map((term) => HAS_FIELD.exec(term.trim())?.[1]);
  if (terms.some((field) => field === undefined)) return undefined;
  return (self) => isNode(self) && terms.some((field) => self[field!] !== undefined);
}

/** ajv keyword `x-kubernetes-validations`: refuses to compile a rule it cannot check, rather than skip it. */
function celRulesValidator(rules: unknown, _parent: AnySchemaObject): DataValidateFunction {
  const checks = (rules as CelRule[]).map((r) => {
    const check = celRuleCheck(r.rule);
    if (!check)
      throw new Error(
        `x-kubernetes-validations rule ${JSON.stringify(r.rule)} is not understood by test/support/crd-schema.ts (celRuleCheck)`,
      );
    return { ...r, check };
  });
  const validate: DataValidateFunction = (data, context) => {
    const failed = checks.filter((c) => !c.check(data));
    validate.errors = failed.map((c) => ({
      instancePath: context?.instancePath ?? "",
      schemaPath: "#/x-kubernetes-validations",
      keyword: "x-kubernetes-validations",
      params: { rule: c.rule },
      message: c.message ?? `failed rule: ${c.rule}`,
    }));
    return failed.length === 0;
  };
  return validate;
}
