// The structural layer of argument validation: the schema generated from the Args interfaces, and the
// check that reports a value's structural problems as FieldViolations.
export { ARGS_SCHEMA } from "./args-schema.generated";
export { ARGS_TYPES } from "./args-types";
export type { ArgsType } from "./args-types";
export { ARGS_PATH, ArgsChecker } from "./structure";
export type { ClassPredicates } from "./schema-nodes";
export type { JsonSchema } from "./json-schema";
