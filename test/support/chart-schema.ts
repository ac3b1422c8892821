// The real Cilium chart `values.schema.json` files (vendored in ./upstream, see its README.md), as ajv validators.
import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";

/** The vendored upstream schemas and CRDs (provenance in upstream/README.md). */
export const UPSTREAM_DATA = path.join(__dirname, "upstream");

/** The schemas we have: 1.18.12 stands for the 1.16–1.18 range, 1.20.0 for 1.19–1.20. */
export const CHART_SCHEMA_FILES = { "1.18.12": "cilium-values.schema.json", "1.20.0": "cilium-1.20.0-values.schema.json" } as const;
export type SchemaVersion = keyof typeof CHART_SCHEMA_FILES;

/** A node of the chart's JSON schema, as far as key-path walks need it. */
export interface SchemaNode {
  properties?: Record<string, SchemaNode>;
}

const validators = new Map<SchemaVersion, ValidateFunction>();

export function loadChartSchema(version: SchemaVersion): SchemaNode {
  return JSON.parse(fs.readFileSync(path.join(UPSTREAM_DATA, CHART_SCHEMA_FILES[version]), "utf8")) as SchemaNode;
}

/**
 * A validator for the chart's values. The schemas are draft-07 and loose: strictTypes is off because
 * the upstream schema uses `properties` without `type: object` inside anyOf.
 */
export function chartValuesValidator(version: SchemaVersion): ValidateFunction {
  let validate = validators.get(version);
  if (!validate) {
    validate = new Ajv({ strict: true, strictTypes: false, allErrors: true }).compile(loadChartSchema(version));
    validators.set(version, validate);
  }
  return validate;
}

/** The schema a chart version is checked against. */
export function schemaVersionFor(chartVersion: string): SchemaVersion {
  const minor = Number(chartVersion.replace(/^v/, "").split(".")[1]);
  return minor >= 19 ? "1.20.0" : "1.18.12";
}
