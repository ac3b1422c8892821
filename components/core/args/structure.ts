// The structural check of a component's arguments: types, required fields, unknown fields, enums,
// class instances and where a Pulumi Output may stand, all from the schema generated from the Args
// interfaces (args-schema.generated.ts), validated with ajv and reported as FieldViolations under the
// user's field paths. It runs before any semantic rule, which may then assume the structure.

import Ajv2020, { ErrorObject, ValidateFunction } from "ajv/dist/2020";
import { FieldViolation } from "../k8s/field-errors";
import { ARGS_SCHEMA } from "./args-schema.generated";
import { ARGS_VALIDATORS } from "./args-validators.generated";
import { ARGS_KEYWORDS, COMPILE_OPTIONS, ValidationContext } from "./keywords";
import { ArgsType } from "./args-types";
import { JsonSchema } from "./json-schema";
import { notDeferrable, notInstance, requiredValue, unknownField, unsupported, wrongKind } from "./messages";
import { Location, locate, pointerSegments } from "./paths";
import {
  ClassPredicates,
  SchemaDocument,
  acceptsDeferred,
  branchFor,
  expectation,
  fieldsOf,
  isUnconstrained,
  mapValueNode,
  namesClass,
  propertyNode,
  resolveRef,
} from "./schema-nodes";
import { isDeferredValue, isOpaqueObject, isPlainObject, kindOf, quote } from "./values";

/** The path a violation about the arguments object itself is reported under. */
export const ARGS_PATH = "args";

type Segments = readonly string[];

function isWithin(segments: Segments, prefix: Segments): boolean {
  return prefix.length <= segments.length && prefix.every((segment, i) => segments[i] === segment);
}

function compareViolations(a: FieldViolation, b: FieldViolation): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/** One run of the check over one component's arguments. */
interface Run {
  root: JsonSchema;
  args: Record<string, unknown>;
  /** Paths already reported as a whole (an Output or a class instance where data goes): nothing below them is reported again. */
  covered: Segments[];
  out: FieldViolation[];
}

/**
 * Checks component arguments against the generated schema. `classes` tells instances of the classes
 * the interfaces name (Fleet, ClusterMesh, Member, kubernetes.Provider): the runtime layer provides
 * them, so this module stays free of Pulumi. Each component's validator is compiled once, when first used.
 */
export class ArgsChecker {
  private ajv?: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly alternativeValidators = new WeakMap<object, ValidateFunction>();

  constructor(
    private readonly classes: ClassPredicates,
    private readonly document: SchemaDocument = ARGS_SCHEMA as unknown as SchemaDocument,
    /** Precompiled pass/fail validators (args-validators.generated.ts); none: compile from `document`. */
    private readonly precompiled: Readonly<Record<string, (value: unknown) => boolean>> | undefined = ARGS_VALIDATORS,
  ) {
    this.context = { classes };
  }

  private readonly context: ValidationContext;

  /** Every structural problem of `args` as the arguments of `argsType`, sorted by path; empty when the structure is right. */
  violations(argsType: ArgsType, args: unknown): FieldViolation[] {
    if (!isPlainObject(args)) {
      return [{ path: ARGS_PATH, message: wrongKind(quote(args), "of type object", kindOf(args)) }];
    }
    const run: Run = { root: { $ref: `#/$defs/${argsType}` }, args, covered: [], out: [] };
    this.reportMisplacedObjects(run, run.root, args, []);
    // Valid arguments (every program that runs) take the precompiled validator, with no compile at
    // program start; only a refusal compiles the validator that reports every error with its value.
    const passes = this.precompiled?.[argsType];
    if (passes && passes.call(this.context, args)) return this.sorted(run);
    const validate = this.validator(argsType);
    if (!validate.call(this.context, args)) this.report(run, validate.errors ?? [], []);
    return this.sorted(run);
  }

  private sorted(run: Run): FieldViolation[] {
    const unique = new Map(run.out.map((v) => [`${v.path}\n${v.message}`, v]));
    return [...unique.values()].sort(compareViolations);
  }

  private compiler(): Ajv2020 {
    if (this.ajv) return this.ajv;
    // The schema is checked against the meta-schema by test/architecture/args-schema.test.ts, not at
    // every program start; refs are compiled as functions of their own (inlined, the first check of a
    // component takes several times longer to compile).
    const ajv = new Ajv2020({ ...COMPILE_OPTIONS, allErrors: true, verbose: true });
    for (const keyword of ARGS_KEYWORDS) ajv.addKeyword(keyword);
    this.ajv = ajv;
    return ajv;
  }

  private validator(argsType: ArgsType): ValidateFunction {
    let validate = this.validators.get(argsType);
    if (!validate) {
      validate = this.compiler().compile({ $defs: this.document.$defs, $ref: `#/$defs/${argsType}` });
      this.validators.set(argsType, validate);
    }
    return validate;
  }

  /** A validator for one alternative of an `anyOf`, to explain a failure in the alternative the value was meant for. */
  private alternativeValidator(alternative: JsonSchema): ValidateFunction {
    let validate = this.alternativeValidators.get(alternative);
    if (!validate) {
      validate = this.compiler().compile({ ...alternative, $defs: this.document.$defs });
      this.alternativeValidators.set(alternative, validate);
    }
    return validate;
  }

  private locate(run: Run, segments: Segments): Location {
    return locate(this.document, run.root, run.args, segments, this.classes);
  }

  private isCovered(run: Run, segments: Segments): boolean {
    return run.covered.some((prefix) => isWithin(segments, prefix));
  }

  /**
   * Outputs, Promises and class instances (a Map, a Fleet) where the interface wants plain data: one
   * violation each, and nothing below them is reported. Some pass the schema alone (a Promise has no
   * own fields), so the value is walked beside the schema.
   */
  private reportMisplacedObjects(run: Run, node: JsonSchema | undefined, value: unknown, segments: Segments): void {
    if (!node) return;
    const { node: resolved } = resolveRef(this.document, node);
    if (isUnconstrained(resolved) || namesClass(this.document, resolved)) return;
    if (isDeferredValue(value) || isOpaqueObject(value)) {
      if (isDeferredValue(value) && acceptsDeferred(this.document, resolved)) return;
      const { path, secret } = this.locate(run, segments);
      const words = [quote(value, secret), expectation(this.document, resolved), kindOf(value)] as const;
      run.out.push({ path, message: isDeferredValue(value) ? notDeferrable(...words) : wrongKind(...words) });
      run.covered.push(segments);
      return;
    }
    const alternative = branchFor(this.document, resolved, value, this.classes);
    if (alternative) return this.reportMisplacedObjects(run, alternative, value, segments);
    if (Array.isArray(value)) {
      const items = resolved.items as JsonSchema | undefined;
      value.forEach((item, i) => this.reportMisplacedObjects(run, items, item, [...segments, String(i)]));
    } else if (isPlainObject(value)) {
      for (const key of Object.keys(value)) {
        this.reportMisplacedObjects(run, propertyNode(resolved, key) ?? mapValueNode(resolved), value[key], [...segments, key]);
      }
    }
  }

  /** Turns ajv's errors (found at `prefix`) into violations; each `anyOf` is explained once, in the alternative the value was meant for. */
  private report(run: Run, errors: readonly ErrorObject[], prefix: Segments): void {
    const located = errors.map((error) => ({ error, segments: [...prefix, ...pointerSegments(error.instancePath)] }));
    const alternatives = located.filter((e) => e.error.keyword === "anyOf").sort((a, b) => a.segments.length - b.segments.length);
    // The errors of every alternative are in `errors` too: below an explained anyOf, none is reported as is.
    const explained: Segments[] = [];
    const isExplained = (segments: Segments) => explained.some((prefix) => isWithin(segments, prefix));
    for (const { error, segments } of alternatives) {
      if (this.isCovered(run, segments) || isExplained(segments)) continue;
      explained.push(segments);
      this.explainAnyOf(run, error, segments);
    }
    for (const { error, segments } of located) {
      if (error.keyword === "anyOf" || this.isCovered(run, segments) || isExplained(segments)) continue;
      this.reportError(run, error, segments);
    }
  }

  private explainAnyOf(run: Run, error: ErrorObject, segments: Segments): void {
    const node = error.parentSchema as JsonSchema;
    const value = error.data;
    const alternative = branchFor(this.document, node, value, this.classes);
    if (alternative) {
      const validate = this.alternativeValidator(alternative);
      if (!validate.call(this.context, value)) this.report(run, validate.errors ?? [], segments);
      return;
    }
    const { path, secret } = this.locate(run, segments);
    run.out.push({ path, message: wrongKind(quote(value, secret), expectation(this.document, node), kindOf(value)) });
  }

  private reportError(run: Run, error: ErrorObject, segments: Segments): void {
    const params = error.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
    if (error.keyword === "required" && params.missingProperty !== undefined) {
      const field = [...segments, params.missingProperty];
      if (!this.isCovered(run, field)) run.out.push({ path: this.locate(run, field).path, message: requiredValue() });
      return;
    }
    if (error.keyword === "additionalProperties" && params.additionalProperty !== undefined) {
      const field = [...segments, params.additionalProperty];
      if (this.isCovered(run, field)) return;
      const owner = this.locate(run, segments);
      const known = owner.node ? fieldsOf(owner.node) : [];
      run.out.push({ path: this.locate(run, field).path, message: unknownField(params.additionalProperty, known, owner.defName) });
      return;
    }
    const { path, secret } = this.locate(run, segments);
    const quoted = quote(error.data, secret);
    const node = error.parentSchema as JsonSchema;
    switch (error.keyword) {
      case "type":
        run.out.push({ path, message: wrongKind(quoted, expectation(this.document, node), kindOf(error.data)) });
        return;
      case "enum":
        run.out.push({ path, message: unsupported(quoted, node.enum as unknown[]) });
        return;
      case "instanceOf":
      case "deferred":
        run.out.push({ path, message: notInstance(quoted, expectation(this.document, node)) });
        return;
      default:
        run.out.push({ path, message: `Invalid value: ${quoted}: ${error.message ?? "does not match the schema"}` });
    }
  }
}
