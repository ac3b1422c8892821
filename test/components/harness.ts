// A mock Pulumi runtime for component tests: records every resource a component registers (type,
// name, inputs, parent, provider, secret inputs), fakes what real providers would return, and lets a
// test play a sequence of runs by handing the previous run's stack outputs to StackReferences.
import * as pulumi from "@pulumi/pulumi";
import { Fleet, FleetArgs } from "../../components";

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

export const FAKE_CA_KEY = "-----BEGIN EC PRIVATE KEY-----\nFAKE-CA-KEY\n-----END EC PRIVATE KEY-----\n";
export const FAKE_CA_CERT = "-----BEGIN CERTIFICATE-----\nFAKE-CA-CERT\n-----END CERTIFICATE-----\n";
export const fakeKubeconfig = (cluster: string) => `apiVersion: v1\nkind: Config\nclusters:\n- name: ${cluster}\n  cluster:\n    server: https://127.0.0.1:6443\nusers:\n- name: ${cluster}\n  user:\n    client-key-data: FAKE-CLIENT-KEY-${cluster}\n`;

let stackOutputs: Record<string, unknown> = {};
let mockInputs = new Map<string, Record<string, any>>();
let previewMode = false;
let nextAddress = 2;

/** Node IPs on the kind network, as Docker hands them out (172.18.0.2, 172.18.0.3, ...). */
function fakeNodeAddress(n: number): string {
  return `172.18.${Math.floor(n / 256)}.${n % 256}`;
}

/** What a real provider would return, for the resource types fleetmesh registers. */
function fakeState(args: pulumi.runtime.MockResourceArgs): Record<string, any> {
  const { type, name, inputs } = args;
  switch (type) {
    case "pulumi:pulumi:StackReference":
      return { name: inputs.name, outputs: stackOutputs, secretOutputNames: [] };
    case "tls:index/privateKey:PrivateKey":
      // The tls SDK declares privateKeyPem an additional secret output; the engine (not the mock) applies that.
      return { ...inputs, privateKeyPem: asSecret(FAKE_CA_KEY), publicKeyPem: "PUBLIC" };
    case "tls:index/selfSignedCert:SelfSignedCert":
      return { ...inputs, certPem: FAKE_CA_CERT };
    case "command:local:Command":
      // Commands do not run during preview: their output is unknown then.
      if (previewMode) return { ...inputs };
      if (name.endsWith("-kind-kubeconfig")) return { ...inputs, stdout: fakeKubeconfig(name.replace(/-kind-kubeconfig$/, "")) };
      if (name.endsWith("-kind-address")) return { ...inputs, stdout: `${fakeNodeAddress(nextAddress++)}\n` };
      return { ...inputs, stdout: "" };
    case "azure-native:containerservice:ManagedCluster":
      return { ...inputs, name: inputs.resourceName, identity: { type: "SystemAssigned", principalId: `${inputs.resourceName}-principal` } };
    case "azure-native:containerservice:Fleet":
      return { ...inputs, name: inputs.fleetName };
    default:
      return { ...inputs };
  }
}

/** What components printed with pulumi.log.info / log.error since the last useMocks. */
export const infoLog: string[] = [];
export const errorLog: string[] = [];
(pulumi.log as { info: typeof pulumi.log.info }).info = async (message: string) => void infoLog.push(message);
(pulumi.log as { error: typeof pulumi.log.error }).error = async (message: string) => void errorLog.push(message);

export async function useMocks(preview: boolean, previousOutputs: Record<string, unknown> = {}): Promise<void> {
  infoLog.length = 0;
  errorLog.length = 0;
  previewMode = preview;
  stackOutputs = previousOutputs;
  mockInputs = new Map();
  nextAddress = 2;
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        mockInputs.set(`${args.type}::${args.name}`, args.inputs);
        // New resources come with id "" (not undefined): only a read or import carries a real id.
        return { id: args.id || (preview && args.custom ? undefined : `${args.name}-id`), state: fakeState(args) };
      },
      call(args) {
        if (args.token === "azure-native:containerservice:listManagedClusterUserCredentials") {
          return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(fakeKubeconfig(args.inputs.resourceName)).toString("base64") }] };
        }
        if (args.token === "azure-native:authorization:getClientConfig") {
          return { subscriptionId: "sub-1", tenantId: "tenant-1", clientId: "client-1", objectId: "object-1" };
        }
        throw new Error(`unexpected invoke ${args.token}`);
      },
    },
    "fleetmesh-test",
    "dev",
    preview,
    "organization",
  );
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

/** The mock monitor hands secrets over wrapped in Pulumi's secret signature object. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE_VALUE = "1b47061264138c4ac30d75fd1eb44270";

function asSecret(value: unknown): Record<string, unknown> {
  return { [SECRET_SIGNATURE]: SECRET_SIGNATURE_VALUE, value };
}

export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SECRET_SIGNATURE] === SECRET_SIGNATURE_VALUE) return unwrapSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
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
    record.inputs = unwrapSecrets(mockInputs.get(`${record.type}::${record.name}`) ?? {}) as Record<string, any>;
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
export async function deploy(name: string, args: FleetArgs, opts: { preview?: boolean; previous?: Record<string, unknown> } = {}) {
  await useMocks(opts.preview ?? false, opts.previous ?? {});
  const records: RecordedResource[] = [];
  const fleet = new Fleet(name, args, { transformations: [recorder(records)] });
  await complete(records);
  return { fleet, records };
}
