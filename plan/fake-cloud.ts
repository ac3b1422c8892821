// Deterministic stand-ins for what only a real deployment knows (cluster addresses, kubeconfigs,
// keys, ARM ids), so a program can run on Pulumi's mock runtime: for the offline plan, and for tests.
import { createHash } from "crypto";
// Types only: the SDK itself is the copy a program registers through (see pulumiSdk), loaded on demand.
import type * as pulumi from "@pulumi/pulumi";
import type { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

export const FAKE_CA_KEY = "-----BEGIN EC PRIVATE KEY-----\nFAKE-CA-KEY\n-----END EC PRIVATE KEY-----\n";
export const FAKE_CA_CERT = "-----BEGIN CERTIFICATE-----\nFAKE-CA-CERT\n-----END CERTIFICATE-----\n";

/** A kubeconfig of the shape kind and AKS hand out: one cluster, one user, one context (`context`, the current one). */
export function fakeKubeconfig(cluster: string, context: string = cluster): string {
  return (
    `apiVersion: v1\nkind: Config\nclusters:\n- name: ${cluster}\n  cluster:\n    server: https://127.0.0.1:6443\n` +
    `contexts:\n- name: ${context}\n  context:\n    cluster: ${cluster}\n    user: ${cluster}\ncurrent-context: ${context}\n` +
    `users:\n- name: ${cluster}\n  user:\n    client-key-data: FAKE-CLIENT-KEY-${cluster}\n`
  );
}

/** The mock monitor's wrapping of a secret value. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export function asSecret(value: unknown): Record<string, unknown> {
  return { [SECRET_SIGNATURE]: SECRET_SIGNATURE_VALUE, value };
}

export function isWrappedSecret(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIGNATURE] === SECRET_SIGNATURE_VALUE;
}

/** Secrets unwrapped, or replaced by `redaction` when one is given. */
export function unwrapSecrets(value: unknown, redaction?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => unwrapSecrets(v, redaction));
  if (isWrappedSecret(value)) return redaction ?? unwrapSecrets(value.value);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, unwrapSecrets(v, redaction)]));
  }
  return value;
}

const KEY_MATERIAL = /PRIVATE KEY|client-key-data/;

function isKeyMaterial(text: string): boolean {
  if (KEY_MATERIAL.test(text)) return true;
  if (!/^[A-Za-z0-9+/=\s]{24,}$/.test(text)) return false;
  return KEY_MATERIAL.test(Buffer.from(text, "base64").toString("utf8"));
}

/**
 * Secrets for people to read: a secret string becomes `[secret]`; a secret object (e.g. Helm values
 * that carry a key) is shown with only its key material (PEM private keys, raw or base64, kubeconfig
 * client keys) replaced by `[secret]`.
 */
export function redactSecrets(value: unknown): unknown {
  if (isWrappedSecret(value)) return typeof value.value === "string" ? "[secret]" : redactSecrets(value.value);
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactSecrets(v)]));
  }
  return typeof value === "string" && isKeyMaterial(value) ? "[secret]" : value;
}

/**
 * A node IP on the kind network for a cluster, derived from its name: a cluster keeps its address
 * whatever other clusters come and go (as a real one keeps the IP Docker gave it).
 */
export function fakeNodeAddress(cluster: string): string {
  const digest = createHash("sha256").update(cluster).digest();
  return `172.18.${digest[0] % 255}.${2 + (digest[1] % 250)}`;
}

/** The container id Docker would give a kind node (the offline plan's stand-in, fixed by its name). */
export function fakeContainerId(container: string): string {
  return createHash("sha256").update(`container ${container}`).digest("hex");
}

/** What `docker inspect` prints of a kind cluster's control-plane node in fleetmesh's address scripts: `<id> <address>`. */
function fakeNodeRecord(cluster: string): string {
  return `${fakeContainerId(`${cluster}-control-plane`)} ${fakeNodeAddress(cluster)}\n`;
}

/**
 * What only a real machine and engine know, for tests that play a program against fake tools: the
 * output of the local commands a `command:local:run` invoke runs, and the outputs a Command kept from
 * the previous run (what the engine hands back for a Command that does not change). Without them the
 * plan answers with its deterministic stand-ins.
 */
export interface PlanOracle {
  runCommand?(command: string): Promise<{ stdout: string; stderr: string }> | { stdout: string; stderr: string };
  recordedCommand?(name: string): { stdout: string; stderr: string } | undefined;
}

let oracle: PlanOracle = {};

/** Sets the oracle every FakeCloud consults; returns what restores the previous one. */
export function usePlanOracle(next: PlanOracle): () => void {
  const before = oracle;
  oracle = next;
  return () => {
    oracle = before;
  };
}

/**
 * One RegisterResource (or ReadResource) request as the engine would receive it, with the URN the
 * engine gives it. Fields as in pulumi/pulumi proto/pulumi/resource.proto (RegisterResourceRequest).
 */
export interface Registration {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** A multi-language component (constructed by its provider, e.g. kubernetes:yaml/v2:ConfigGroup). */
  remote: boolean;
  /** A ReadResource (a `get`, a StackReference): the resource is read, not managed. */
  read: boolean;
  /** The parent's URN (absent for the root stack, and for resources registered outside one). */
  parent?: string;
  /** The provider reference, `<provider urn>::<provider id>` (absent: the default provider). */
  provider?: string;
  /** Explicit dependsOn plus every property's dependencies, as the SDK sends them. */
  dependencies: string[];
  /** Input property → the URNs its value came from (properties that came from none left out). */
  propertyDependencies: Record<string, string[]>;
  deleteBeforeReplace: boolean;
  replaceOnChanges: string[];
  /** The engine's delete of it leaves the real object in place (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply). */
  retainOnDelete?: boolean;
  /** The id of an existing object the engine imports instead of creating (the `import` option). */
  importId?: string;
  /** Outputs the engine stores as secrets besides those the inputs make secret (the `additionalSecretOutputs` option). */
  additionalSecretOutputs?: string[];
  /** Input paths whose changes the engine ignores in its diff (the `ignoreChanges` option). */
  ignoreChanges?: string[];
  /** Inputs as the engine received them (secrets still wrapped). */
  inputs: Record<string, unknown>;
}

/** The type of the root stack resource; its children's URNs leave it out. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * The URN the engine gives a resource: the parent's whole qualified type, `$`, then the type (the
 * root stack's type left out). pulumi/pulumi pkg/resource/deploy/deployment.go (generateURN) and
 * sdk/go/common/resource/urn/urn.go (New). The SDK's mock monitor keeps only the parent's last type
 * and keeps the root stack's, so two resources can share its URN and not the engine's, or the reverse.
 */
export function engineUrn(stack: string, project: string, parent: string | undefined, type: string, name: string): string {
  const parentType = parent ? parent.split("::")[2] : "";
  const qualified = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** The parts of the SDK's RegisterResourceRequest / ReadResourceRequest read here (protobuf getters). */
interface ResourceRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getDependenciesList(): string[];
  getCustom?(): boolean;
  getRemote?(): boolean;
  getObject?(): unknown;
  getProperties?(): unknown;
  getPropertydependenciesMap?(): { forEach(f: (deps: { getUrnsList(): string[] }, key: string) => void): void };
  getDeletebeforereplace?(): boolean;
  getReplaceonchangesList?(): string[];
  getRetainondelete?(): boolean;
  getImportid?(): string;
  getAdditionalsecretoutputsList?(): string[];
  getIgnorechangesList?(): string[];
}

type MonitorCall = (
  this: MockMonitor,
  req: ResourceRequest,
  callback: (err: unknown, resp?: { getUrn(): string }) => void,
) => Promise<void>;

/** The parts of the SDK's RegisterResourceOutputsRequest read here. */
interface OutputsRequest {
  getUrn(): string;
  getOutputs(): unknown;
}

type OutputsCall = (this: MockMonitor, req: OutputsRequest, callback: (err: unknown, resp?: unknown) => void) => void;

interface MonitorInternals {
  newUrn(this: MockMonitor, parent: string, type: string, name: string): string;
  registerResource: MonitorCall;
  readResource: MonitorCall;
  registerResourceOutputs: OutputsCall;
}

/**
 * One copy of the Pulumi SDK, with the internal modules of that same copy. A program's resources
 * reach only the runtime of the copy it imports, so mocks, log capture and the monitor wrapping
 * below must all be set on that copy (a user's project may hold another than this package's own).
 */
export interface PulumiSdk {
  pulumi: typeof import("@pulumi/pulumi");
  MockMonitor: typeof MockMonitor;
  /** runtime/state: the root stack a run leaves set (see resetRootStack in run-program). */
  state: { setStackResource(stack: unknown): void };
}

/** The copy of @pulumi/pulumi that `require` finds from `fromDir` (without it: this package's own). */
export function pulumiSdk(fromDir?: string): PulumiSdk {
  const options = fromDir === undefined ? undefined : { paths: [fromDir] };
  // A module found at run time, not this package's own: no static import can name it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (request: string) => require(require.resolve(request, options));
  return {
    pulumi: load("@pulumi/pulumi"),
    MockMonitor: load("@pulumi/pulumi/runtime/mocks").MockMonitor,
    state: load("@pulumi/pulumi/runtime/state"),
  };
}

/** The FakeCloud each mock monitor's mocks belong to. */
const clouds = new WeakMap<pulumi.runtime.Mocks, FakeCloud>();

function registration(sdk: PulumiSdk, req: ResourceRequest, urn: string, read: boolean): Registration {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap?.().forEach((deps, key) => {
    if (deps.getUrnsList().length > 0) propertyDependencies[key] = deps.getUrnsList();
  });
  const object = read ? req.getProperties?.() : req.getObject?.();
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    custom: read || (req.getCustom?.() ?? false),
    remote: req.getRemote?.() ?? false,
    read,
    ...(req.getParent() ? { parent: req.getParent() } : {}),
    ...(req.getProvider() ? { provider: req.getProvider() } : {}),
    dependencies: req.getDependenciesList(),
    propertyDependencies,
    deleteBeforeReplace: req.getDeletebeforereplace?.() ?? false,
    replaceOnChanges: req.getReplaceonchangesList?.() ?? [],
    ...(req.getRetainondelete?.() ? { retainOnDelete: true } : {}),
    ...(req.getImportid?.() ? { importId: req.getImportid!() } : {}),
    ...(req.getAdditionalsecretoutputsList?.().length ? { additionalSecretOutputs: req.getAdditionalsecretoutputsList!() } : {}),
    ...(req.getIgnorechangesList?.().length ? { ignoreChanges: req.getIgnorechangesList!() } : {}),
    inputs: object ? sdk.pulumi.runtime.deserializeProperties(object as never) : {},
  };
}

/** Reports each request a FakeCloud's monitor answers to that cloud, once answered (so with its URN). */
function reporting(sdk: PulumiSdk, original: MonitorCall, read: boolean): MonitorCall {
  return function (req, callback) {
    const cloud = clouds.get(this.mocks);
    if (!cloud) return original.call(this, req, callback);
    return original.call(this, req, (err, resp) => {
      if (!err && resp) cloud.record(registration(sdk, req, resp.getUrn(), read));
      callback(err, resp);
    });
  };
}

/**
 * Reports the outputs a component registers (`registerOutputs`) to the FakeCloud: what the engine
 * records as the component's outputs in the stack's state (`pulumi stack export` shows them).
 */
function reportingOutputs(sdk: PulumiSdk, original: OutputsCall): OutputsCall {
  return function (req, callback) {
    const cloud = clouds.get(this.mocks);
    if (!cloud) return original.call(this, req, callback);
    return original.call(this, req, (err, resp) => {
      const outputs = req.getOutputs();
      if (!err)
        cloud.recordOutputs(req.getUrn(), outputs ? knownOutputs(sdk, sdk.pulumi.runtime.deserializeProperties(outputs as never)) : {});
      callback(err, resp);
    });
  };
}

/**
 * The outputs whose values are known: in a preview the SDK deserializes an unknown as its `unknown`
 * marker (@pulumi/pulumi runtime/rpc.ts deserializeProperty), which is no value to record.
 */
function knownOutputs(sdk: PulumiSdk, outputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined && !sdk.pulumi.isUnknown(value)));
}

/** The MockMonitor classes already wrapped: one per copy of the SDK. */
const observed = new WeakSet<typeof MockMonitor>();

/**
 * Makes the SDK's mock monitor, when its mocks are a FakeCloud's, give the engine's URNs and report
 * every request to that cloud. The mocks interface carries neither the parent nor the URN
 * (@pulumi/pulumi runtime/mocks.js, MockMonitor), so this wraps the monitor's own methods, once per copy.
 */
function observeMockMonitors(sdk: PulumiSdk): void {
  if (observed.has(sdk.MockMonitor)) return;
  observed.add(sdk.MockMonitor);
  const monitor = sdk.MockMonitor.prototype as unknown as MonitorInternals;
  const newUrn = monitor.newUrn;
  monitor.newUrn = function (parent, type, name) {
    if (!clouds.has(this.mocks)) return newUrn.call(this, parent, type, name);
    return engineUrn(sdk.pulumi.getStack(), sdk.pulumi.getProject(), parent, type, name);
  };
  monitor.registerResource = reporting(sdk, monitor.registerResource, false);
  monitor.readResource = reporting(sdk, monitor.readResource, true);
  monitor.registerResourceOutputs = reportingOutputs(sdk, monitor.registerResourceOutputs);
}

/** A mock cloud: what each provider would answer, in preview (commands not run) or in an update. */
export class FakeCloud {
  /** Inputs of every registered resource, by URN (the first registration's, when a URN is registered twice). */
  readonly inputs = new Map<string, Record<string, unknown>>();
  /** Every request, in the order answered: a URN registered twice appears twice. */
  readonly registrations: Registration[] = [];
  /** The outputs each component registered last, by URN (secrets still wrapped, those not known yet left out). */
  readonly componentOutputs = new Map<string, Record<string, unknown>>();

  /**
   * `placeholders`: answer for commands even in preview (the offline plan wants concrete values);
   * without it, command outputs are unknown in preview, as in a real `pulumi preview`.
   */
  constructor(
    private readonly preview: boolean,
    private readonly stackOutputs: Record<string, unknown> = {},
    private readonly placeholders = false,
  ) {}

  /** Mocks for `sdk.pulumi.runtime.setMocks`: that copy's monitor reports to this cloud. */
  mocks(sdk: PulumiSdk = pulumiSdk()): pulumi.runtime.Mocks {
    observeMockMonitors(sdk);
    const mocks: pulumi.runtime.Mocks = {
      newResource: (args) => {
        // New resources come with id "" (not undefined): only a read or import carries a real id.
        return { id: args.id || (this.preview && args.custom ? undefined : `${args.name}-id`), state: this.state(args) };
      },
      call: (args) => this.call(args),
    };
    clouds.set(mocks, this);
    return mocks;
  }

  record(registration: Registration): void {
    this.registrations.push(registration);
    if (!this.inputs.has(registration.urn)) this.inputs.set(registration.urn, registration.inputs);
  }

  recordOutputs(urn: string, outputs: Record<string, unknown>): void {
    this.componentOutputs.set(urn, outputs);
  }

  /** The inputs of the one resource of that type and name; refuses when there is none, or more than one. */
  inputsNamed(type: string, name: string): Record<string, unknown> {
    const found = this.registrations.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1)
      throw new Error(
        `${found.length} resources of type ${type} are named ${name}${
          found.length
            ? `: ${found
                .map((r) => r.urn)
                .sort()
                .join(", ")}`
            : ""
        }`,
      );
    return found[0].inputs;
  }

  private state(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    const { type, name, inputs } = args;
    switch (type) {
      case "pulumi:pulumi:StackReference":
        return { name: inputs.name, outputs: this.stackOutputs, secretOutputNames: [] };
      case "tls:index/privateKey:PrivateKey":
        // The tls SDK declares privateKeyPem an additional secret output; the engine (not the mock) applies that.
        return { ...inputs, privateKeyPem: asSecret(FAKE_CA_KEY), publicKeyPem: "PUBLIC" };
      case "tls:index/selfSignedCert:SelfSignedCert":
        return { ...inputs, certPem: FAKE_CA_CERT };
      case "command:local:Command":
        return this.commandState(name, inputs);
      case "azure-native:containerservice:ManagedCluster":
        return {
          ...inputs,
          name: inputs.resourceName,
          identity: { type: "SystemAssigned", principalId: `${inputs.resourceName}-principal` },
        };
      case "azure-native:containerservice:Fleet":
        return { ...inputs, name: inputs.fleetName };
      default:
        return { ...inputs };
    }
  }

  private commandState(name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    // Commands do not run during preview: their output is unknown then (unless placeholders are asked for).
    if (this.preview && !this.placeholders) return { ...inputs };
    const recorded = oracle.recordedCommand?.(name);
    if (recorded) return { ...inputs, ...recorded };
    // The kind cluster a command is about is in its own command line (names are `<fleet>-<member>` or chosen).
    const create = typeof inputs.create === "string" ? inputs.create : "";
    const kubeconfigOf = /^kind get kubeconfig --name '([^']+)'$/.exec(create)?.[1];
    if (name.endsWith("-kind-kubeconfig") && kubeconfigOf) return { ...inputs, stdout: fakeKubeconfig(kubeconfigOf) };
    const controlPlane = /^docker inspect .* '([^']+)-control-plane'$/.exec(create)?.[1];
    if (name.endsWith("-kind-address") && controlPlane) return { ...inputs, stdout: fakeNodeRecord(controlPlane) };
    return { ...inputs, stdout: "" };
  }

  private call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> | Promise<Record<string, unknown>> {
    switch (args.token) {
      case "command:local:run":
        return this.localRun(args.inputs);
      case "azure-native:containerservice:listManagedClusterUserCredentials":
        return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(fakeKubeconfig(args.inputs.resourceName)).toString("base64") }] };
      case "azure-native:containerservice:listFleetCredentials":
        return { kubeconfigs: [{ name: "hub", value: Buffer.from(fakeKubeconfig(`${args.inputs.fleetName}-hub`)).toString("base64") }] };
      case "azure-native:authorization:getClientConfig":
        return { subscriptionId: "sub-1", tenantId: "tenant-1", clientId: "client-1", objectId: "object-1" };
      default:
        throw new Error(`the offline plan has no stand-in for the invoke ${args.token}`);
    }
  }

  /**
   * `command:local:run` (@pulumi/command's local.run, which runs in previews too): the oracle's answer,
   * else a stand-in for the one command fleetmesh runs that way, the probe of a kind node's address
   * (as if the cluster existed; a plan never reads a machine's Docker).
   */
  private async localRun(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const command = typeof inputs.command === "string" ? inputs.command : "";
    if (oracle.runCommand) return { ...inputs, ...(await oracle.runCommand(command)) };
    const controlPlane = /^docker inspect .* '([^']+)-control-plane' 2>\/dev\/null \|\| true$/.exec(command)?.[1];
    if (controlPlane) return { ...inputs, stdout: fakeNodeRecord(controlPlane).replace(/\n$/, ""), stderr: "" };
    throw new Error(`the offline plan has no stand-in for the local command ${JSON.stringify(command)}`);
  }
}
