// `npm run provider-schema`: writes provider/schema.json, the package schema other Pulumi languages
// generate their SDKs from, by running the component analyzer of @pulumi/pulumi over the TypeScript
// sources (slow: it type-checks them) and finishing its result (provider/schema-spec.ts). The plugin
// serves the committed file; test/provider/schema.test.ts fails when it no longer matches the sources.
import * as fs from "fs";
import { FleetmeshProvider, SCHEMA_FILE } from "../provider/provider";

async function main(): Promise<void> {
  const schema = await new FleetmeshProvider().analyzedSchema();
  fs.writeFileSync(SCHEMA_FILE, `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`provider-schema: wrote ${SCHEMA_FILE}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`provider-schema: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
