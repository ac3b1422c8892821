// A mock Pulumi runtime for component tests: records every resource a component registers (type,
// name, inputs, parent, provider, secret inputs), fakes what real providers would return, and lets a
// test play a sequence of runs by handing the previous run's stack outputs to StackReferences.
import * as pulumi from "@pulumi/pulumi";
import { AksClusterArgs, Fleet, FleetArgs, MemberDeclaration } from "../../components";
import { FakeCloud, unwrapSecrets } from "../../plan/fake-cloud";

export interface RecordedResource {
  type: string;
  name: string;
  /** Inputs as the engine received them (secrets unwrapped: see secretInputs). */
  inputs: Record<string, any>;
  /** Inputs as the component passed them (Outputs, with their secret flags). */
  props: Record<string, unknown>;
  parent?: pulumi.Resource;
  provider?: pulumi.ProviderResource;
  opts: pulumi.CustomResourceOptions;
  resource?: pulumi.Resource;
  /** Top-level input names whose value is a Pulumi secret. */
  secretInputs: string[];
}

export { FAKE_CA_KEY, FAKE_CA_CERT, fakeKubeconfig, unwrapSecrets } from "../../plan/fake-cloud";

let cloud = new FakeCloud(false);

/** What components printed with pulumi.log.info / log.error since the last useMocks. */
export const infoLog: string[] = [];
export const errorLog: string[] = [];
export const warnLog: string[] = [];

/** Captures pulumi.log again (the offline plan installs its own capture, and may have run first). */
function captureLogs(): void {
  (pulumi.log as { warn: typeof pulumi.log.warn }).warn = async (message: string) => void warnLog.push(message);
  (pulumi.log as { info: typeof pulumi.log.info }).info = async (message: string) => void infoLog.push(message);
  (pulumi.log as { error: typeof pulumi.log.error }).error = async (message: string) => void errorLog.push(message);
}
captureLogs();

export async function useMocks(preview: boolean, previousOutputs: Record<string, unknown> = {}): Promise<void> {
  infoLog.length = 0;
  errorLog.length = 0;
  warnLog.length = 0;
  captureLogs();
  cloud = new FakeCloud(preview, previousOutputs);
  await pulumi.runtime.setMocks(cloud.mocks(), "fleetmesh-test", "dev", preview, "organization");
}

/** A transformation that records every child of the component it is given to. */
export function recorder(into: RecordedResource[]): pulumi.ResourceTransformation {
  return (args) => {
    into.push({
      type: args.type,
      name: args.name,
      inputs: {},
      props: args.props as Record<string, unknown>,
      parent: args.opts.parent,
      provider: (args.opts as pulumi.CustomResourceOptions).provider,
      opts: args.opts as pulumi.CustomResourceOptions,
      resource: args.resource,
      secretInputs: [],
    });
    return undefined;
  };
}

function isOutput(value: unknown): value is pulumi.Output<unknown> {
  return pulumi.Output.isInstance(value);
}

/** Resolves an output, unknowns included (`undefined` when unknown), without hanging in preview. */
export async function settle<T>(value: pulumi.Input<T> | undefined): Promise<T | undefined> {
  if (!isOutput(value)) return value as T;
  const output = value as any;
  if (!(await output.isKnown)) return undefined;
  return (await output.promise(true)) as T;
}

export async function isSecretInput(value: unknown): Promise<boolean> {
  return isOutput(value) ? pulumi.isSecret(value) : false;
}

/**
 * Waits until every recorded resource is registered (resources created inside applies included),
 * then fills in the engine-side inputs and the secret flags of every record.
 */
export async function complete(records: RecordedResource[]): Promise<RecordedResource[]> {
  let settledCount = -1;
  while (settledCount !== records.length) {
    settledCount = records.length;
    await Promise.all(records.map((r) => (r.resource as any)?.urn?.promise?.()));
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const record of records) {
    record.inputs = unwrapSecrets(cloud.inputs.get(await (record.resource as any)?.urn?.promise?.()) ?? {}) as Record<string, any>;
    record.secretInputs = [];
    for (const [key, value] of Object.entries(record.props ?? {})) {
      if (await isSecretInput(value)) record.secretInputs.push(key);
    }
  }
  return records;
}

export function ofType(records: readonly RecordedResource[], type: string): RecordedResource[] {
  return records.filter((r) => r.type === type);
}

/** The resource of that name (of that type, when given: names are unique per type only). */
export function named(records: readonly RecordedResource[], name: string, type?: string): RecordedResource {
  const found = records.find((r) => r.name === name && (type === undefined || r.type === type));
  if (!found) throw new Error(`no resource named ${name}; have: ${records.map((r) => r.name).join(", ")}`);
  return found;
}

/** Runs one program (a Fleet) under the mocks, as a preview or an update, after a previous run's outputs. */
export async function deploy(
  name: string,
  args: FleetArgs,
  opts: {
    preview?: boolean;
    previous?: Record<string, unknown>;
    alongside?: (fleet: Fleet, transformations: pulumi.ResourceTransformation[]) => void;
  } = {},
) {
  await useMocks(opts.preview ?? false, opts.previous ?? {});
  const records: RecordedResource[] = [];
  const transformations = [recorder(records)];
  const fleet = new Fleet(name, args, { transformations });
  // Components the program declares beside the fleet (a ClusterMesh over it), in the same synchronous part.
  opts.alongside?.(fleet, transformations);
  // A refusal that needs the previous run's state rejects `ready`; the tests that expect one read it here.
  const refusal = await fleet.ready.then(
    () => undefined,
    (error: unknown) => error,
  );
  await complete(records);
  return { fleet, records, refusal };
}

/** The resources a record's `dependsOn` names, whether given as an array or as an Output of one. */
export async function dependsOnOf(record: RecordedResource): Promise<unknown[]> {
  const given = record.opts.dependsOn;
  if (given === undefined) return [];
  const resolved = isOutput(given) ? await settle(given as pulumi.Output<unknown>) : await given;
  return Array.isArray(resolved) ? resolved : [resolved];
}

/** What a user would otherwise apply by hand: member, kind and object of every Kubernetes object, by the provider it is deployed with. */
export function appliedByHand(fleet: Fleet, records: readonly RecordedResource[]): Array<[string, string, Record<string, unknown>]> {
  return records
    .filter((r) => r.type.startsWith("kubernetes:"))
    .map((r): [string, string, Record<string, unknown>] => {
      const member = Object.values(fleet.members).find((m) => m.provider === r.provider);
      if (!member) throw new Error(`${r.name} is not deployed with a member's own provider`);
      return [member.memberName, r.inputs.kind as string, r.inputs];
    })
    .sort((a, b) => (a[0] + a[1] > b[0] + b[1] ? 1 : -1));
}

/** Whether an Output's value is known (false for what a preview cannot know, or a refused plan's values). */
export async function isKnown(value: unknown): Promise<boolean> {
  return isOutput(value) ? ((value as any).isKnown as Promise<boolean>) : true;
}

/**
 * An AKS member on the tests' shared VNet ("v" in resource group "rg", eastus2) with node subnet
 * 10.200.<subnet>.0/24; `member` adds its labels, taints and so on, `aks` adds to or overrides its cluster.
 */
export function aksMember(
  subnet: number,
  member: Omit<MemberDeclaration, "aks"> = {},
  aks: Partial<AksClusterArgs> = {},
): MemberDeclaration {
  return {
    aks: {
      resourceGroupName: "rg",
      location: "eastus2",
      virtualNetwork: { name: "v", resourceGroupName: "rg" },
      nodeSubnetCidr: `10.200.${subnet}.0/24`,
      ...aks,
    },
    ...member,
  };
}
