// The JSON Schema document the structural check validates component arguments against
// (args-schema.generated.ts), as plain data.

/** A JSON Schema (2020-12) node, with fleetmesh's two validating keywords: `deferred` and `instanceOf`. */
export type JsonSchema = { readonly [keyword: string]: unknown };
