// One measurement of the scale benchmark, in its own process (peak memory is per process), compiled
// with the package and started by fleet-scale.bench.ts `runChild` (bench-build.ts says how):
//   node -r <source-map-support/register> .bench-build/bench/scale-child.js '<ChildSpec as JSON>'
//   - fleetmesh: a meshed kind fleet of the given members with one GlobalService, planned on the mock
//     runtime (preview), against a previous run's fleet state if given. With `shape`, it then writes
//     what it registered (shape.jsonl, one resource a line), its fleet state (shape.state.json) and a
//     digest of every resource's inputs (shape.digest.json, what the join/leave comparison reads).
//   - floor: the engine floor: registers exactly the resources of a shape (types, names, parents, the
//     same inputs) through the same SDK classes, with no fleetmesh logic at all. It loads the same
//     modules as the fleetmesh run (the imports below), so code size weighs on both alike.
// The clock runs from the first registration to the last one settling, and the peak memory is read at
// that moment: reading or writing shapes is no part of either figure. Then, with the run's resources
// still held, either a full collection and the heap in use (what each side keeps, apart from its
// garbage) or, with `again`, the same workload built a second time in the process and timed.
// Prints one JSON line: ChildReport.
import { createHash } from "crypto";
import * as fs from "fs";
import { Session } from "inspector";
import * as v8 from "v8";
import * as pulumi from "@pulumi/pulumi";
import { getAllResources } from "@pulumi/pulumi/output";
import { FakeCloud, isWrappedSecret, unwrapSecrets } from "../plan/fake-cloud";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import * as tls from "@pulumi/tls";
import { Fleet, GlobalService } from "../components";

export interface ChildSpec {
  mode: "fleetmesh" | "floor";
  /** fleetmesh: the members, in declaration order (each labelled into the one mesh). */
  members?: string[];
  maxConnectedClusters?: 255 | 511;
  /** fleetmesh: the fleet's Cilium chart version (the components' default when absent). */
  ciliumVersion?: string;
  /** fleetmesh: where to write the shape (and its state and digest), if anywhere; floor: the shape to register. */
  shape?: string;
  /** fleetmesh: the fleet state of the run before (a `.state.json`). */
  previous?: string;
  /**
   * Once everything the run reports is read, build the same workload a second time in this process
   * under other names (fleetmesh: another fleet, its members renamed; floor: the shape again, its
   * resources renamed), timed the same way: what the run costs once the process has run it before.
   */
  again?: boolean;
  /** Write a CPU profile of the timed part (and of nothing else) to this `.cpuprofile` file. */
  cpuProfile?: string;
}

export interface ChildReport {
  mode: string;
  members: number;
  resources: number;
  ms: number;
  maxRssMb: number;
  /**
   * Without `again`: the heap in use after a full collection, read once the clock and the peak are
   * read, with the run's resources still held: what each side keeps (its code, its resources and data,
   * and the mock runtime's records of them), without the garbage the peak also counts.
   */
  liveMb?: number;
  /** With `again`: the second build's time. */
  againMs?: number;
  byType: Record<string, number>;
}

/** What the join/leave comparison needs of one registered resource. */
export interface DigestEntry {
  type: string;
  name: string;
  /** The fleet member the resource belongs to (its `fleetmesh:index:Member` ancestor), if any. */
  member?: string;
  /** A short sha256 of its inputs (secrets unwrapped). */
  hash: string;
  /** Releases: the Helm values and chart version as registered (secrets unwrapped). */
  values?: Record<string, unknown>;
  chartVersion?: string;
  /** Secret/ConfigMap patches: the object's kind, name, entry hashes and sizes. */
  object?: {
    kind: string;
    name: string;
    /** Entry → short sha256 of its decoded text. */
    entries: Record<string, string>;
    /** Entry → bytes of its decoded text. */
    entryBytes: Record<string, number>;
    /** Bytes of all entries, decoded (Secret data is base64). */
    bytes: number;
    /** Bytes of `data` as stored (base64 for Secrets). */
    storedBytes: number;
  };
}

interface Shape {
  type: string;
  name: string;
  parent?: number;
  custom: boolean;
  inputs: Record<string, unknown>;
  /**
   * Top-level inputs that the program could only pass as Outputs of other resources (the kubeconfig a
   * Command prints, values holding the generated CA): input → the resources (shape indexes) it came from.
   * The floor passes them as Outputs of those same resources, so it registers the same graph.
   */
  deferred?: Record<string, number[]>;
  /** Top-level inputs registered as secrets. */
  secret?: string[];
  /** `dependsOn` (shape indexes). */
  dependsOn?: number[];
  /** The provider it was registered with (a shape index; absent: the default provider). */
  provider?: number;
  /** The other resource options it was registered with that its request carries (REQUEST_OPTIONS). */
  options?: Partial<Pick<pulumi.CustomResourceOptions, RequestOption>>;
}

/**
 * Resource options, besides parent, provider and dependsOn, that a program passes and the SDK sends in
 * the registration request (pulumi/pulumi proto/pulumi/resource.proto RegisterResourceRequest): the
 * floor passes the ones fleetmesh passed. Options a class adds itself (aliases, version) are left to
 * the class, which adds them on both sides.
 */
const REQUEST_OPTIONS = [
  "deleteBeforeReplace",
  "additionalSecretOutputs",
  "replaceOnChanges",
  "retainOnDelete",
  "ignoreChanges",
  "protect",
  "customTimeouts",
  "import",
] as const;
type RequestOption = (typeof REQUEST_OPTIONS)[number];

/**
 * List options an SDK class appends to whatever the program passed (its constructor's
 * `pulumi.mergeOptions(opts, {...})`, which concatenates lists): a resource's recorded options hold
 * them after the program's own, so the floor leaves them out and the class appends them once, as it
 * did for fleetmesh. Should a class add other ones, the request check after the floor's run fails.
 */
const CLASS_LIST_OPTIONS: Record<string, Partial<Record<RequestOption, readonly string[]>>> = {
  // @pulumi/command local/command.js
  "command:local:Command": { replaceOnChanges: ["triggers[*]"] },
  // @pulumi/kubernetes core/v1/secretPatch.js
  "kubernetes:core/v1:SecretPatch": { additionalSecretOutputs: ["data", "stringData"] },
  // @pulumi/tls privateKey.js, selfSignedCert.js
  "tls:index/privateKey:PrivateKey": { additionalSecretOutputs: ["privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"] },
  "tls:index/selfSignedCert:SelfSignedCert": { additionalSecretOutputs: ["privateKeyPem", "privateKeyPemWo"] },
};

const MEMBER_TYPE = "fleetmesh:index:Member";
const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
const PATCH_TYPES = new Set(["kubernetes:core/v1:SecretPatch", "kubernetes:core/v1:ConfigMapPatch"]);
/** The fleet's name: member components are named `<fleet>-<member>`. */
export const FLEET_NAME = "scale";

async function registered(resources: pulumi.Resource[]): Promise<void> {
  let count = -1;
  while (count !== resources.length) {
    count = resources.length;
    await Promise.all(resources.map((r) => (r as unknown as { urn: { promise(): Promise<string> } }).urn.promise()));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

interface Registered {
  made: pulumi.Resource[];
  meta: Array<{
    type: string;
    name: string;
    parent?: pulumi.Resource;
    custom: boolean;
    props: Record<string, unknown>;
    /** The options as the transformation saw them (the SDK copies them before it fills any in), read once the clock stops. */
    opts: pulumi.CustomResourceOptions;
  }>;
  fleet: Fleet;
}

/**
 * The transformation the measured resources carry (fleetmesh's components, the floor's top-level
 * resources; children inherit it): it records what was registered, at the same cost on both sides.
 */
function recorder(): Pick<Registered, "made" | "meta"> & { record: pulumi.ResourceTransformation } {
  const made: pulumi.Resource[] = [];
  const meta: Registered["meta"] = [];
  const record: pulumi.ResourceTransformation = (args) => {
    made.push(args.resource);
    meta.push({
      type: args.type,
      name: args.name,
      parent: args.opts.parent,
      custom: args.resource instanceof pulumi.CustomResource,
      props: args.props as Record<string, unknown>,
      opts: args.opts,
    });
    return undefined;
  };
  return { made, meta, record };
}

/** The REQUEST_OPTIONS among a resource's options, as its program passed them (the class's own lists left out). */
function requestOptions(type: string, opts: pulumi.CustomResourceOptions): NonNullable<Shape["options"]> {
  const options: Record<string, unknown> = {};
  for (const key of REQUEST_OPTIONS) {
    const value = opts[key];
    const added = CLASS_LIST_OPTIONS[type]?.[key];
    const own = added && Array.isArray(value) ? value.slice(0, value.length - added.length) : value;
    if (own !== undefined && !(Array.isArray(own) && own.length === 0)) options[key] = own;
  }
  return options;
}

async function fleetmesh(spec: ChildSpec, fleetName = FLEET_NAME, serviceName = "echo"): Promise<Registered> {
  const { made, meta, record } = recorder();
  const members = spec.members ?? [];
  const declarations = Object.fromEntries(members.map((m) => [m, { kind: {}, labels: { mesh: "scale" } }]));
  const fleet = new Fleet(
    fleetName,
    {
      maxConnectedClusters: spec.maxConnectedClusters ?? 255,
      ...(spec.ciliumVersion ? { cilium: { version: spec.ciliumVersion } } : {}),
      members: declarations,
      meshes: { scale: { memberSelector: { matchLabels: { mesh: "scale" } } } },
    },
    { transformations: [record] },
  );
  new GlobalService(
    serviceName,
    { mesh: fleet.meshes.scale, fleet, namespace: "echo", selector: { app: "echo" }, ports: [{ name: "http", port: 80 }] },
    { transformations: [record] },
  );
  await registered(made);
  return { made, meta, fleet };
}

/** A short sha256 (64 bits: enough to tell two texts apart here, and a 511-member digest stays small). */
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

function objectDigest(inputs: Record<string, unknown>, type: string): DigestEntry["object"] {
  const kind = type.endsWith("SecretPatch") ? "Secret" : "ConfigMap";
  const data = (inputs.data ?? {}) as Record<string, string>;
  const entries: Record<string, string> = {};
  const entryBytes: Record<string, number> = {};
  let storedBytes = 0;
  for (const [key, stored] of Object.entries(data)) {
    const text = kind === "Secret" ? Buffer.from(stored, "base64").toString("utf8") : stored;
    entries[key] = sha256(text);
    entryBytes[key] = Buffer.byteLength(text, "utf8");
    storedBytes += Buffer.byteLength(stored, "utf8");
  }
  const bytes = Object.values(entryBytes).reduce((a, b) => a + b, 0);
  const name = String((inputs.metadata as { name?: unknown } | undefined)?.name);
  return { kind, name, entries, entryBytes, bytes, storedBytes };
}

/** Writes the shape (JSON lines, never one big string), the fleet state and the digest. */
async function writeShape(file: string, run: Registered, cloud: FakeCloud): Promise<void> {
  const state = await (run.fleet.state as unknown as { promise(): Promise<unknown> }).promise();
  fs.writeFileSync(`${file}.state.json`, JSON.stringify(state));
  const inputs = new Map<string, Record<string, unknown>>();
  const twice = new Set<string>();
  for (const r of cloud.registrations) {
    const key = `${r.type}::${r.name}`;
    if (inputs.has(key)) twice.add(key);
    inputs.set(key, r.inputs);
  }
  const index = new Map(run.made.map((r, i) => [r, i]));
  const members = new Set(run.meta.filter((m) => m.type === MEMBER_TYPE).map((m) => m.name.slice(FLEET_NAME.length + 1)));
  /** Its Member ancestor; else the member its name ends with (the GlobalService's per-member Namespace and Service, `echo-<member>`). */
  const memberOf = (i: number): string | undefined => {
    for (let at: number | undefined = i; at !== undefined;) {
      const m: Registered["meta"][number] = run.meta[at];
      if (m.type === MEMBER_TYPE) return m.name.slice(FLEET_NAME.length + 1);
      at = m.parent ? index.get(m.parent) : undefined;
    }
    const suffix = /-([^-]+)$/.exec(run.meta[i].name)?.[1];
    return suffix !== undefined && members.has(suffix) ? suffix : undefined;
  };
  const graph = await Promise.all(run.meta.map((m, i) => graphOf(m, i, index)));
  const out = fs.openSync(file, "w");
  const digest: DigestEntry[] = [];
  try {
    run.meta.forEach((m, i) => {
      const key = `${m.type}::${m.name}`;
      if (twice.has(key)) throw new Error(`${key} is registered twice`);
      const raw = inputs.get(key);
      if (!raw) throw new Error(`${key} was never registered with the mock runtime`);
      const unwrapped = unwrapSecrets(raw) as Record<string, unknown>;
      const options = requestOptions(m.type, m.opts);
      const shape: Shape = {
        type: m.type,
        name: m.name,
        parent: m.parent ? index.get(m.parent) : undefined,
        custom: m.custom,
        inputs: unwrapped,
        ...graph[i],
        secret: secretKeys(raw),
        ...(m.opts.provider ? { provider: shapeIndex(m.opts.provider, index, key) } : {}),
        ...(Object.keys(options).length > 0 ? { options } : {}),
      };
      const line = JSON.stringify(shape);
      fs.writeSync(out, `${line}\n`);
      const entry: DigestEntry = { type: m.type, name: m.name, member: memberOf(i), hash: sha256(JSON.stringify(unwrapped)) };
      if (m.type === RELEASE_TYPE) {
        entry.values = unwrapped.values as Record<string, unknown>;
        entry.chartVersion = String(unwrapped.version);
      }
      if (PATCH_TYPES.has(m.type)) entry.object = objectDigest(unwrapped, m.type);
      digest.push(entry);
    });
  } finally {
    fs.closeSync(out);
  }
  fs.writeFileSync(`${file}.digest.json`, JSON.stringify(digest));
  fs.writeFileSync(`${file}.requests.json`, JSON.stringify(requestDigests(cloud)));
}

/** A resource's place in the shape: every resource fleetmesh's run refers to is one it registered. */
function shapeIndex(resource: pulumi.Resource, index: Map<pulumi.Resource, number>, of: string): number {
  const i = index.get(resource);
  if (i === undefined) throw new Error(`${of} refers to a resource the run did not record`);
  return i;
}

/** Values that are (or hold) Outputs, found down to a modest depth (the Helm values nest a few levels). */
function outputsIn(value: unknown, depth = 0): pulumi.Output<unknown>[] {
  if (pulumi.Output.isInstance(value)) return [value];
  if (depth > 6 || value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap((v) => outputsIn(v, depth + 1));
}

/** Which of a resource's inputs came from other resources, and its `dependsOn`, as shape indexes. */
async function graphOf(
  m: Registered["meta"][number],
  self: number,
  index: Map<pulumi.Resource, number>,
): Promise<Pick<Shape, "deferred" | "dependsOn">> {
  const indexes = (resources: Iterable<pulumi.Resource>) => {
    const found = [...resources].map((r) => index.get(r)).filter((i): i is number => i !== undefined && i !== self);
    return [...new Set(found)].sort((a, b) => a - b);
  };
  const deferred: Record<string, number[]> = {};
  for (const [key, value] of Object.entries(m.props ?? {})) {
    const sources = new Set<pulumi.Resource>();
    for (const output of outputsIn(value)) for (const r of await getAllResources(output)) sources.add(r);
    const from = indexes(sources);
    if (from.length > 0) deferred[key] = from;
  }
  const declared =
    m.opts.dependsOn === undefined ? [] : await (pulumi.output(m.opts.dependsOn) as unknown as { promise(): Promise<unknown> }).promise();
  const dependsOn = indexes((Array.isArray(declared) ? declared : [declared]) as pulumi.Resource[]);
  return { ...(Object.keys(deferred).length > 0 ? { deferred } : {}), ...(dependsOn.length > 0 ? { dependsOn } : {}) };
}

/** Top-level input names whose registered value carries the SDK's secret signature. */
function secretKeys(raw: Record<string, unknown>): string[] | undefined {
  const keys = Object.keys(raw).filter((k) => isWrappedSecret(raw[k]));
  return keys.length > 0 ? keys : undefined;
}

/**
 * A shape's resources, one line at a time (a 511-member shape is a few hundred MB as one string). Each
 * distinct string is kept once, as a program keeps one copy of a text it built once and handed to
 * several resources (fleetmesh builds each peer file once for all the members that list the peer):
 * `JSON.parse` alone would give every occurrence a copy of its own, which only the floor would hold.
 */
function readShape(file: string): Shape[] {
  const strings = new Map<string, string>();
  const once = (_key: string, value: unknown): unknown => {
    if (typeof value !== "string") return value;
    const known = strings.get(value);
    if (known !== undefined) return known;
    strings.set(value, value);
    return value;
  };
  const shape: Shape[] = [];
  const fd = fs.openSync(file, "r");
  const chunk = Buffer.alloc(1 << 20);
  let pending: Buffer[] = [];
  try {
    for (let read = fs.readSync(fd, chunk); read > 0; read = fs.readSync(fd, chunk)) {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl !== -1 && nl < read; nl = chunk.indexOf(10, start)) {
        pending.push(chunk.subarray(start, nl));
        shape.push(JSON.parse(Buffer.concat(pending).toString("utf8"), once) as Shape);
        pending = [];
        start = nl + 1;
      }
      if (start < read) pending.push(Buffer.from(chunk.subarray(start, read)));
    }
  } finally {
    fs.closeSync(fd);
  }
  if (pending.length > 0) shape.push(JSON.parse(Buffer.concat(pending).toString("utf8"), once) as Shape);
  return shape;
}

/** Components with no logic of their own (the SDK's base class is abstract). */
class BareComponent extends pulumi.ComponentResource {}

type Construct = (name: string, inputs: any, opts: pulumi.CustomResourceOptions) => pulumi.Resource;

/** The SDK class of each type the scale program registers: the floor pays the same per-class costs. */
const SDK_CLASSES: Record<string, Construct> = {
  "command:local:Command": (n, i, o) => new command.local.Command(n, i, o),
  "kubernetes:helm.sh/v3:Release": (n, i, o) => new k8s.helm.v3.Release(n, i, o),
  "pulumi:providers:kubernetes": (n, i, o) => new k8s.Provider(n, i, o),
  "kubernetes:core/v1:Namespace": (n, i, o) => new k8s.core.v1.Namespace(n, i, o),
  "kubernetes:core/v1:Service": (n, i, o) => new k8s.core.v1.Service(n, i, o),
  "kubernetes:core/v1:SecretPatch": (n, i, o) => new k8s.core.v1.SecretPatch(n, i, o),
  "kubernetes:core/v1:ConfigMapPatch": (n, i, o) => new k8s.core.v1.ConfigMapPatch(n, i, o),
  "tls:index/privateKey:PrivateKey": (n, i, o) => new tls.PrivateKey(n, i, o),
  "tls:index/selfSignedCert:SelfSignedCert": (n, i, o) => new tls.SelfSignedCert(n, i, o),
  "pulumi:pulumi:StackReference": (n, i, o) => new pulumi.StackReference(n, { name: i.name }, o),
};

/**
 * The inputs as a program must pass them: those that come from other resources as Outputs of those
 * resources (known once they are), secrets as secrets; everything else plain. A set of sources several
 * resources share (every member's peers wait for the same mesh's members) is gathered once, as a
 * program would gather it once and hand it to each: gathered per resource, N members of one mesh
 * would build N Outputs over the same N sources, work no program does.
 */
function graphInputs(r: Shape, made: pulumi.Resource[], later: Later): Record<string, unknown> {
  const inputs: Record<string, unknown> = { ...r.inputs };
  for (const [key, from] of Object.entries(r.deferred ?? {})) {
    const value = r.inputs[key];
    inputs[key] = later.all(from, made).apply(() => value);
  }
  for (const key of r.secret ?? []) inputs[key] = pulumi.secret(inputs[key]);
  return inputs;
}

/**
 * Sources as Outputs: a resource's URN, including one registered further down the shape (a member's
 * provider is declared before the Command whose output is its kubeconfig), and each distinct set of
 * sources gathered once.
 */
class Later {
  private readonly waiting = new Map<number, (r: pulumi.Resource) => void>();
  private readonly promised = new Map<number, pulumi.Output<string>>();
  private readonly gathered = new Map<string, pulumi.Output<unknown>>();
  all(from: readonly number[], made: pulumi.Resource[]): pulumi.Output<unknown> {
    const key = from.join(",");
    let sources = this.gathered.get(key);
    if (!sources) {
      sources = pulumi.all(from.map((i) => (i < made.length ? made[i].urn : this.urn(i))));
      this.gathered.set(key, sources);
    }
    return sources;
  }
  private urn(i: number): pulumi.Output<string> {
    let urn = this.promised.get(i);
    if (!urn) {
      const resource = new Promise<pulumi.Resource>((resolve) => this.waiting.set(i, resolve));
      // Resolved to the URN Output itself, not its value: the SDK lifts an Output a promise yields, its
      // resources included (output.ts `liftInnerOutput`), so the dependency on a resource registered
      // further down is registered, as fleetmesh's own Outputs of later resources register it.
      urn = pulumi.output(resource.then((r) => r.urn));
      this.promised.set(i, urn);
    }
    return urn;
  }
  made(i: number, r: pulumi.Resource): void {
    this.waiting.get(i)?.(r);
  }
}

/**
 * What the SDK sent for each resource besides its inputs, as a short hash per `type::name`: its
 * dependencies and property dependencies (sorted; URNs are the same in both runs), its provider
 * reference and the options the request carries. The floor's run is compared with fleetmesh's after
 * the clock: a floor that sent fewer dependencies, or registered on the default provider, would do
 * less work than the same resources cost (an explicit provider is awaited and serialized per request).
 */
function requestDigests(cloud: FakeCloud): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const r of cloud.registrations) {
    const properties = Object.entries(r.propertyDependencies)
      .map(([key, urns]) => [key, [...urns].sort()] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const options = [
      r.provider ?? "",
      r.deleteBeforeReplace,
      r.replaceOnChanges,
      r.additionalSecretOutputs ?? [],
      r.ignoreChanges ?? [],
      r.retainOnDelete ?? false,
      r.importId ?? "",
    ];
    digests[`${r.type}::${r.name}`] = sha256(JSON.stringify([[...r.dependencies].sort(), properties, options]));
  }
  return digests;
}

function checkFloorRequests(expected: Record<string, string>, cloud: FakeCloud): void {
  const got = requestDigests(cloud);
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(got)])];
  const differing = keys.filter((key) => expected[key] !== got[key]);
  if (differing.length > 0) {
    throw new Error(
      `floor: ${differing.length} resources sent other dependencies, provider or options than fleetmesh's run, e.g. ${differing.slice(0, 5).join(", ")}`,
    );
  }
}

/** A `dependsOn` or provider must name a resource the floor has already registered (checked before the clock). */
function checkShapeOrder(shape: Shape[]): void {
  for (const [i, r] of shape.entries()) {
    const ahead = (r.dependsOn ?? []).filter((d) => d >= i);
    if (ahead.length > 0) throw new Error(`floor: ${r.type} ${r.name} dependsOn resources registered after it: [${ahead}]`);
    if (r.provider !== undefined && r.provider >= i)
      throw new Error(`floor: ${r.type} ${r.name} has a provider registered after it (${r.provider})`);
  }
}

/**
 * The same resources through the same SDK classes with the same inputs, dependencies, providers and
 * request options, and no fleetmesh logic. Top-level resources carry the same recording
 * transformation as fleetmesh's components (children inherit it), and each resource's inputs leave
 * the shape once handed to the SDK, so the floor keeps no more of them than a program would.
 */
async function floor(shape: Shape[], prefix = ""): Promise<pulumi.Resource[]> {
  const made: pulumi.Resource[] = [];
  const { record } = recorder();
  const later = new Later();
  for (const r of shape) {
    const parent = r.parent === undefined ? undefined : made[r.parent];
    const dependsOn = r.dependsOn?.map((i) => made[i]);
    const provider = r.provider === undefined ? undefined : (made[r.provider] as pulumi.ProviderResource);
    const opts: pulumi.CustomResourceOptions = {
      parent,
      ...(dependsOn ? { dependsOn } : {}),
      ...(provider ? { provider } : {}),
      ...r.options,
      ...(parent ? {} : { transformations: [record] }),
    };
    const construct = SDK_CLASSES[r.type] as Construct | undefined;
    if (construct) made.push(construct(`${prefix}${r.name}`, graphInputs(r, made, later), opts));
    else if (r.custom) {
      // A custom type the table above lacks would be measured through a cheaper base class.
      throw new Error(`the floor has no SDK class for ${r.type}: add it to SDK_CLASSES`);
    } else made.push(new BareComponent(r.type, `${prefix}${r.name}`, {}, opts));
    r.inputs = {};
    later.made(made.length - 1, made[made.length - 1]);
  }
  // What is left of the shape (names, indexes) is the floor's own bookkeeping, which no program keeps.
  shape.length = 0;
  await registered(made);
  return made;
}

function countByType(types: string[]): Record<string, number> {
  const byType: Record<string, number> = {};
  for (const t of types) byType[t] = (byType[t] ?? 0) + 1;
  return byType;
}

/**
 * The same workload once more in this process (ChildSpec `again`), under names of its own: fleetmesh's
 * member names differ too, so the texts it builds once per peer are built again (what depends on no
 * name, such as the agents' peer file every member shares, is reused, as in any later build).
 */
async function timeAgain(spec: ChildSpec): Promise<number> {
  const shape = spec.mode === "floor" ? readShape(spec.shape!) : undefined;
  const started = process.hrtime.bigint();
  if (shape) await floor(shape, "again-");
  else await fleetmesh({ ...spec, members: (spec.members ?? []).map((m) => `${m}-again`) }, "again", "echo-again");
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** An inspector call as a promise of its result. */
function post(session: Session, method: string, params?: object): Promise<any> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
}

/** MB of heap in use once a full collection (the inspector's, so no flag differs between the sides) has run. */
async function liveHeapMb(): Promise<number> {
  const session = new Session();
  session.connect();
  await post(session, "HeapProfiler.collectGarbage");
  session.disconnect();
  return Math.round((v8.getHeapStatistics().used_heap_size / (1024 * 1024)) * 10) / 10;
}

/** A CPU profile of what runs between start and stop (the inspector's, as `node --cpu-prof` writes it). */
async function profiler(file: string | undefined): Promise<{ stop(): Promise<void> }> {
  if (!file) return { stop: async () => undefined };
  const session = new Session();
  session.connect();
  await post(session, "Profiler.enable");
  await post(session, "Profiler.start");
  return {
    stop: async () => {
      const { profile } = await post(session, "Profiler.stop");
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as ChildSpec;
  const previous = spec.previous ? { scaleFleetState: JSON.parse(fs.readFileSync(spec.previous, "utf8")) } : {};
  const cloud = new FakeCloud(true, previous, true);
  await pulumi.runtime.setMocks(cloud.mocks(), "scale", "bench", true, "organization");
  (pulumi.log as { info: unknown }).info = async () => undefined;
  let types: string[];
  let ms: number;
  let maxRssMb: number;
  let members: number;
  // The second build or the live heap, never both: a full collection before the second build would
  // undo much of the warm-up that build is there to measure, and after it the heap holds two builds.
  // Each comes after everything else the run reports (the floor's request check reads every
  // registration so far, and a shape is written from them), and while the run's resources are held.
  const lastly = async (): Promise<Pick<ChildReport, "liveMb" | "againMs">> =>
    spec.again ? { againMs: await timeAgain(spec) } : { liveMb: await liveHeapMb() };
  let last: Pick<ChildReport, "liveMb" | "againMs">;
  // The run's resources, held until the report counts them (after `lastly`).
  let held: pulumi.Resource[];
  if (spec.mode === "fleetmesh") {
    const profile = await profiler(spec.cpuProfile);
    const started = process.hrtime.bigint();
    const run = await fleetmesh(spec);
    ms = Number(process.hrtime.bigint() - started) / 1e6;
    maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    await profile.stop();
    types = run.meta.map((m) => m.type);
    members = spec.members?.length ?? 0;
    if (spec.shape) await writeShape(spec.shape, run, cloud);
    held = run.made;
    last = await lastly();
  } else {
    if (!spec.shape) throw new Error("floor: no shape");
    const shape = readShape(spec.shape);
    checkShapeOrder(shape);
    types = shape.map((r) => r.type);
    members = types.filter((t) => t === MEMBER_TYPE).length;
    const profile = await profiler(spec.cpuProfile);
    const started = process.hrtime.bigint();
    held = await floor(shape);
    ms = Number(process.hrtime.bigint() - started) / 1e6;
    maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    await profile.stop();
    checkFloorRequests(JSON.parse(fs.readFileSync(`${spec.shape}.requests.json`, "utf8")) as Record<string, string>, cloud);
    last = await lastly();
  }
  const report: ChildReport = {
    mode: spec.mode,
    members,
    resources: held.length,
    ms,
    maxRssMb,
    ...last,
    byType: countByType(types),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.removeAllListeners("exit");
  process.exit(0);
}

if (require.main === module) void main();
