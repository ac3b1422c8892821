import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { getAllResources } from "@pulumi/pulumi/output";
import type { ConstructResult } from "@pulumi/pulumi/provider";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { ownValue } from "../components/core/fleet/own";
import { CrossClusterPolicy, Fleet, FleetValidationError, GlobalService, MultiClusterService, Placement } from "../components";
import { PackageSchema, PropertySpec, ResourceSpec, fieldsOf, finishSchema, secretBearing } from "./schema-spec";

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
    const component: Hosted | undefined = ownValue(HOSTED_COMPONENTS, className);
    this.committed ??= JSON.parse(await this.getSchema()) as PackageSchema;
    const spec = this.committed.resources[type];
    if (component === undefined || spec === undefined) throw new Error(`fleetmesh has no component ${type}`);
    const owner = `${className} "${name}"`;
    const { args, dependsOn } = await plainArgs(owner, spec, this.committed, inputs);
    if (args.fleet !== undefined) args.fleet = await this.fleetOf(owner, args.fleet);
    // The resources an unwrapped field came from stay dependencies, beside those the caller gave (the
    // provider server hands `dependsOn` over as an array).
    const opts = dependsOn.length > 0 ? { ...options, dependsOn: withDependencies(options.dependsOn, dependsOn) } : options;
    const instance = new (
      component as new (name: string, args: unknown, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource
    )(name, args, opts);
    if (instance instanceof Fleet) this.fleets.push(instance);
    // A refusal that needs the previous run's state settles `ready` after the constructor returned:
    // awaited here, it fails this construct with its fields instead of going unhandled in the plugin.
    if (instance instanceof Fleet || instance instanceof Placement) await instance.ready;
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

/** The caller's `dependsOn` (an array from the provider server, any Input form from elsewhere) and `more`. */
function withDependencies(
  given: pulumi.ComponentResourceOptions["dependsOn"],
  more: pulumi.Resource[],
): pulumi.Input<pulumi.Input<pulumi.Resource>[]> {
  if (given === undefined) return more;
  if (Array.isArray(given)) return [...given, ...more];
  const resolved = pulumi.output(given as pulumi.Input<pulumi.Resource | pulumi.Resource[]>);
  return resolved.apply((r): pulumi.Resource[] => [...(Array.isArray(r) ? r : [r]), ...more]);
}

/** What an Output holds once known (an unknown never settles: callers check `isKnown` first where it matters). */
async function valueOf(value: unknown): Promise<unknown> {
  return pulumi.Output.isInstance(value) ? outputView(value).promise() : value;
}

/** What the provider reads of an Output: its value, and whether it is known and secret. */
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
 * The component's arguments from what crossed the language boundary. A field the component plans with
 * (not a `pulumi.Input` in its Args) may arrive as an Output, whole or somewhere inside, when it was a
 * secret or came from another resource (`deserializeInputs` in @pulumi/pulumi provider/server.ts, which
 * also passes output values through as they are): each such Output is unwrapped here, its text input
 * leaves (a kubeconfig, a CA key) made secrets again when it was secret, and the resources it came from
 * become dependencies of the component. One still unknown during a preview is refused, naming where it
 * is: the plan needs it. Outputs where the Args take `pulumi.Input` stay as they are.
 */
async function plainArgs(
  owner: string,
  spec: ResourceSpec,
  schema: PackageSchema,
  inputs: pulumi.Inputs,
): Promise<{ args: Record<string, unknown>; dependsOn: pulumi.Resource[] }> {
  const found: Unwrapping = { resources: [], unknown: [] };
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs)) {
    const property = spec.inputProperties?.[key];
    args[key] = property === undefined ? value : await plainValue(value, property, schema, key, found);
  }
  if (found.unknown.length > 0) {
    throw new FleetValidationError(
      owner,
      found.unknown.map((path) => ({
        path,
        message: "is not known yet: it must be a plain value when the program runs, not the output of a resource still to be created",
      })),
    );
  }
  return { args, dependsOn: found.resources };
}

/** What unwrapping found: the resources the values came from, and where a value is still unknown. */
interface Unwrapping {
  resources: pulumi.Resource[];
  unknown: string[];
}

/** `value` at a place of type `spec`, with the Outputs at plain places unwrapped (see plainArgs). */
async function plainValue(value: unknown, spec: PropertySpec, schema: PackageSchema, path: string, found: Unwrapping): Promise<unknown> {
  if (spec.plain !== true) return value;
  if (pulumi.Output.isInstance(value)) {
    const view = outputView(value);
    if (!(await view.isKnown)) {
      found.unknown.push(path);
      return value;
    }
    found.resources.push(...(await getAllResources(value)));
    const inner = await plainValue(await view.promise(), spec, schema, path, found);
    return (await view.isSecret) ? secretBearing(inner, spec, schema) : inner;
  }
  if (Array.isArray(value)) {
    const items = spec.items;
    return items ? Promise.all(value.map((item, i) => plainValue(item, items, schema, `${path}[${i}]`, found))) : value;
  }
  if (value === null || typeof value !== "object") return value;
  const fieldSpec = fieldsOf(spec, schema);
  if (fieldSpec === undefined) return value;
  const entries = await Promise.all(
    Object.entries(value as Record<string, unknown>).map(async ([key, item]) => {
      const itemSpec = fieldSpec(key);
      return [key, itemSpec ? await plainValue(item, itemSpec, schema, `${path}.${key}`, found) : item] as const;
    }),
  );
  return Object.fromEntries(entries);
}
