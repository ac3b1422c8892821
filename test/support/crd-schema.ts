// The upstream CRDs vendored in ./upstream (see its README.md), as ajv validators of one served version's openAPIV3Schema.
import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import { parse } from "yaml";
import { UPSTREAM_DATA } from "./chart-schema";

interface CrdVersion {
  name: string;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
}

const validators = new Map<string, ValidateFunction>();

/**
 * A validator for objects of a CRD version. Kubernetes' structural-schema extensions
 * (x-kubernetes-*) are not JSON-schema keywords: ajv ignores them (strict mode off).
 */
export function crdValidator(file: string, version: string): ValidateFunction {
  const key = `${file}@${version}`;
  let validate = validators.get(key);
  if (!validate) {
    const crd = parse(fs.readFileSync(path.join(UPSTREAM_DATA, file), "utf8")) as { spec: { versions: CrdVersion[] } };
    const served = crd.spec.versions.find((v) => v.name === version);
    if (!served?.schema?.openAPIV3Schema) throw new Error(`${file} has no schema for version ${version}`);
    validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(served.schema.openAPIV3Schema);
    validators.set(key, validate);
  }
  return validate;
}
