import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { getAllResources } from "@pulumi/pulumi/output";
import type { ConstructResult } from "@pulumi/pulumi/provider";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { CrossClusterPolicy, Fleet, FleetValidationError, GlobalService, MultiClusterService, Placement } from "../components";
import { FieldViolation } from "../components/core/k8s/field-errors";
import { PackageSchema, ResourceSpec, finishSchema, secretBearing } from "./schema-spec";

/** The package name other languages import fleetmesh's components under (`fleetmesh:index:Fleet`). */
export const PACKAGE_NAME = "fleetmesh";

/** The components a program in another language can declare, by the class name its type token ends in. */
export const HOSTED_COMPONENTS = { Fleet, GlobalService, MultiClusterService, CrossClusterPolicy, Placement };

/** The schema as committed (`npm run provider-schema` writes it; a test fails when it drifts from the sources). */
export const SCHEMA_FILE = path.join(__dirname, "schema.json");

type Hosted = (typeof HOSTED_COMPONENTS)[keyof typeof HOSTED_COMPONENTS];

/**
 * Serves fleetmesh's components to every Pulumi language. The schema is the component analyzer's
 * reading of the TypeScript Args interfaces (ComponentProvider, which reads this folder's package.json
 * and tsconfig.json), finished with what the analyzer leaves out, and committed: the plugin answers
 * from that file instead of type-checking the sources each time it starts. `construct` runs the very
 * same component classes a TypeScript program does, after turning what crossed the language boundary
 * back into what they take: a fleet named by URN into the Fleet, plain fields that arrived as outputs
 * into their values.
 */
export class FleetmeshProvider extends ComponentProvider {
  private readonly fleets: Fleet[] = [];
  private committed?: PackageSchema;

  constructor() {
    super({ name: PACKAGE_NAME, dirname: __dirname, components: Object.values(HOSTED_COMPONENTS) });
  }

  /** The committed schema. */
  override async getSchema(): Promise<string> {
    return fs.readFileSync(SCHEMA_FILE, "utf8");
  }

  /** The schema read from the sources now (slow: it type-checks them), as `npm run provider-schema` commits it. */
  async analyzedSchema(): Promise<PackageSchema> {
    return finishSchema(JSON.parse(await super.getSchema()) as PackageSchema);
  }

  override async construct(
    name: string,
    type: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
  ): Promise<ConstructResult> {
    ComponentProvider.validateResourceType(PACKAGE_NAME, type);
    const className = type.split(":")[2];
    const component: Hosted | undefined = Object.prototype.hasOwnProperty.call(HOSTED_COMPONENTS, className)
      ? HOSTED_COMPONENTS[className as keyof typeof HOSTED_COMPONENTS]
      : undefined;
    this.committed ??= JSON.parse(await this.getSchema()) as PackageSchema;
    const spec = this.committed.resources[type];
    if (component === undefined || spec === undefined) throw new Error(`fleetmesh has no component ${type}`);
    const owner = `${className} "${name}"`;
    const { args, dependsOn } = await plainArgs(owner, spec, this.committed, inputs);
    if (args.fleet !== undefined) args.fleet = await this.fleetOf(owner, args.fleet);
    // The resources an unwrapped field came from stay dependencies, beside those the caller gave.
    const opts =
      dependsOn.length > 0
        ? { ...options, dependsOn: pulumi.output(options.dependsOn ?? []).apply((given) => [...asArray(given), ...dependsOn]) }
        : options;
    const instance = new (
      component as new (name: string, args: unknown, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource
    )(name, args, opts);
    if (instance instanceof Fleet) this.fleets.push(instance);
    const outputs = instance as unknown as Record<string, unknown>;
    return { urn: instance.urn, state: Object.fromEntries(Object.keys(spec.properties ?? {}).map((key) => [key, outputs[key]])) };
  }

  /**
   * The Fleet a `{ urn }` reference names: one this provider constructed in this deployment. The
   * caller's SDK sends a component only once its inputs' URNs are known, after the Fleet's construct
   * returned, so the Fleet is here by then.
   */
  private async fleetOf(owner: string, ref: unknown): Promise<Fleet> {
    if (ref instanceof Fleet) return ref;
    const urn = typeof ref === "object" && ref !== null ? await valueOf((ref as { urn?: unknown }).urn) : undefined;
    if (typeof urn === "string") {
      for (const fleet of this.fleets) if ((await valueOf(fleet.urn)) === urn) return fleet;
    }
    throw new FleetValidationError(owner, [
      {
        path: "fleet.urn",
        message: `${JSON.stringify(urn ?? null)} is not the URN of a Fleet declared in this program: declare the Fleet in the same program and pass { urn: fleet.urn } (with the default fleetmesh provider, not an explicit one)`,
      },
    ]);
  }
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** What an Output holds once known (an unknown never settles: callers check `isKnown` first where it matters). */
async function valueOf(value: unknown): Promise<unknown> {
  return pulumi.Output.isInstance(value) ? outputView(value).promise() : value;
}

interface OutputView {
  promise(): Promise<unknown>;
  isKnown: Promise<boolean>;
  isSecret: Promise<boolean>;
}

/** The SDK's own view of an Output (these members are internal to @pulumi/pulumi but stable across 3.x). */
function outputView(value: pulumi.Output<unknown>): OutputView {
  return value as unknown as OutputView;
}

/**
 * The component's arguments from what crossed the language boundary. A field the component takes as
 * a plain value (not `pulumi.Input`) arrives as one Output when it was secret or came from another
 * resource (`deserializeInputs` in @pulumi/pulumi provider/server.ts): it is unwrapped here, its
 * secret-bearing leaves (those the schema types as inputs, a kubeconfig, a CA key) made secrets again,
 * and the resources it came from become dependencies of the component. One still unknown during a
 * preview is refused: the plan needs it.
 */
async function plainArgs(
  owner: string,
  spec: ResourceSpec,
  schema: PackageSchema,
  inputs: pulumi.Inputs,
): Promise<{ args: Record<string, unknown>; dependsOn: pulumi.Resource[] }> {
  const args: Record<string, unknown> = { ...inputs };
  const dependsOn: pulumi.Resource[] = [];
  const unknown: FieldViolation[] = [];
  for (const [key, value] of Object.entries(inputs)) {
    const property = spec.inputProperties?.[key];
    if (property?.plain !== true || !pulumi.Output.isInstance(value)) continue;
    const view = outputView(value);
    if (!(await view.isKnown)) {
      unknown.push({
        path: key,
        message: "is not known yet: it must be a plain value when the program runs, not the output of a resource still to be created",
      });
      continue;
    }
    const plain = await view.promise();
    args[key] = (await view.isSecret) ? secretBearing(plain, property, schema) : plain;
    dependsOn.push(...(await getAllResources(value)));
  }
  if (unknown.length > 0) throw new FleetValidationError(owner, unknown);
  return { args, dependsOn };
}
