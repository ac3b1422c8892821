// fleetmesh's two schema keywords beyond JSON Schema, as ajv code generation: `deferred` (a Pulumi
// Output or a Promise stands where the interface says `pulumi.Input<T>`) and `instanceOf` (an instance
// of a class the interfaces name, told by the predicates the caller passes as the validation's context:
// `validate.call({ classes }, args)`, with ajv's `passContext`). Written as code
// (not `validate` functions) so ajv's standalone output can precompile them: the generated validators
// call the functions below by `require`, and the runtime compiler uses the same functions.
// https://ajv.js.org/keywords.html#define-keyword-with-code-generation-function and
// https://ajv.js.org/standalone.html (values referenced by the code need a `code` to be exported).

import type { KeywordCxt, KeywordDefinition } from "ajv/dist/2020";
import { _ } from "ajv/dist/2020";
import names from "ajv/dist/compile/names";
import type { ClassPredicates } from "./schema-nodes";
import { isDeferredValue } from "./values";

/** What a validator is called with as `this`. */
export interface ValidationContext {
  classes: ClassPredicates;
}

/** Whether `value` is an instance of the class the schema names, by the context's predicates. */
export function isInstanceOf(context: ValidationContext | undefined, name: string, value: unknown): boolean {
  const isInstance = context?.classes[name];
  if (!isInstance) throw new Error(`args schema: no class predicate for ${name}`);
  return isInstance(value);
}

export { isDeferredValue };

/** `./keywords` as the generated validators (beside this file) require it. */
const SELF = "./keywords";

export const ARGS_KEYWORDS: readonly KeywordDefinition[] = [
  // Documentation only: the `@default` text of a field.
  { keyword: "defaultDescription", schemaType: "string" },
  {
    keyword: "deferred",
    schemaType: "boolean",
    code(cxt: KeywordCxt) {
      const test = cxt.gen.scopeValue("func", { ref: isDeferredValue, code: _`require(${SELF}).isDeferredValue` });
      cxt.fail(_`${test}(${cxt.data}) !== ${cxt.schema}`);
    },
  },
  {
    keyword: "instanceOf",
    schemaType: "string",
    code(cxt: KeywordCxt) {
      const test = cxt.gen.scopeValue("func", { ref: isInstanceOf, code: _`require(${SELF}).isInstanceOf` });
      cxt.fail(_`!${test}(${names.this}, ${cxt.schema}, ${cxt.data})`);
    },
  },
];

/** Compile options shared by the precompiled validators and the runtime compiler (they change the code). */
export const COMPILE_OPTIONS = {
  ownProperties: true,
  strictNumbers: true,
  validateSchema: false,
  inlineRefs: false,
  passContext: true,
} as const;
