// Runs a Pulumi program in-process on the mock runtime, in preview mode, inside a root stack (so
// every resource can be recorded with its parent and provider), and collects what it logged.
import * as path from "path";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { FakeCloud, Registration, redactSecrets, unwrapSecrets } from "./fake-cloud";

export interface PlannedResource {
  type: string;
  name: string;
  /** The URN the engine gives it (see engineUrn). */
  urn: string;
  /** `type::name` of the parent (undefined for the root stack). */
  parent?: string;
  /** The parent's URN (the root stack's for a top-level resource). */
  parentUrn?: string;
  /** `name` of the explicit provider, when there is one. */
  provider?: string;
  /** The explicit provider's URN, when there is one. */
  providerUrn?: string;
  /** URNs it depends on, as the engine receives them: explicit dependsOn plus every property's dependencies. */
  dependencies: string[];
  /** Input property → the URNs its value came from. */
  propertyDependencies: Record<string, string[]>;
  /** A custom resource (managed by a provider), not a component. */
  custom: boolean;
  /** The options the engine's step generator reads, when set. */
  deleteBeforeReplace?: boolean;
  replaceOnChanges?: string[];
  /** Inputs as the engine received them, key material shown as `[secret]` (see redactSecrets). */
  inputs: Record<string, unknown>;
  /** With `raw`: the inputs as received, secrets still wrapped (for leak checks). */
  rawInputs?: Record<string, unknown>;
}

export interface PlannedLog {
  severity: "info" | "warn" | "error";
  message: string;
  resource?: string;
}

export interface PlanRun {
  resources: PlannedResource[];
  logs: PlannedLog[];
  /** The program's exports: the stack outputs a real `pulumi up` would record. */
  outputs: Record<string, unknown>;
}

export class ProgramError extends Error {}

/**
 * Planning leaves the program's root stack (with its transformations) set in this process; forget
 * it so later programs in the same process (tests) start clean. Uses the SDK's internal state module.
 */
export function resetRootStack(): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const state = require("@pulumi/pulumi/runtime/state") as { setStackResource(stack: unknown): void };
  state.setStackResource(undefined);
}

/** The program's entry module: `<dir>/index.ts` (or the `main` of its Pulumi.yaml). */
export function programEntry(programDir: string): string {
  const dir = path.resolve(programDir);
  if (!fs.existsSync(dir)) throw new ProgramError(`program "${programDir}" does not exist`);
  const pulumiYaml = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!pulumiYaml) throw new ProgramError(`program "${programDir}" has no Pulumi.yaml: it is not a Pulumi program`);
  const main = /^main:\s*(\S+)/m.exec(fs.readFileSync(pulumiYaml, "utf8"))?.[1];
  const entry = path.join(dir, main ?? "index.ts");
  const candidates = [entry, `${entry}.ts`, path.join(entry, "index.ts")];
  const found = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  if (!found) throw new ProgramError(`program "${programDir}" has no entry module (looked for ${candidates.map((c) => path.relative(process.cwd(), c)).join(", ")})`);
  return found;
}

/** Forget the program's own modules, so planning it again runs it again (libraries stay cached). */
function forgetProgramModules(programDir: string): void {
  const dir = path.resolve(programDir) + path.sep;
  for (const cached of Object.keys(require.cache)) {
    if (cached.startsWith(dir)) delete require.cache[cached];
  }
}

function label(resource: pulumi.Resource | undefined, names: WeakMap<pulumi.Resource, string>): string | undefined {
  return resource ? names.get(resource) : undefined;
}

function captureLogs(into: PlannedLog[], names: WeakMap<pulumi.Resource, string>): void {
  for (const severity of ["info", "warn", "error"] as const) {
    (pulumi.log as Record<string, unknown>)[severity] = async (message: string, resource?: pulumi.Resource) =>
      void into.push({ severity, message, resource: label(resource, names) });
  }
}

/** Each export on its own: one that stays unknown is left out instead of hiding the others. */
async function settleOutputs(exports: unknown): Promise<Record<string, unknown>> {
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries((exports ?? {}) as Record<string, unknown>)) {
    const output = pulumi.output(value) as unknown as { isKnown: Promise<boolean>; isSecret: Promise<boolean>; promise(withUnknowns?: boolean): Promise<unknown> };
    if (!(await output.isKnown)) continue;
    outputs[name] = (await output.isSecret) ? "[secret]" : redactSecrets(await output.promise(true));
  }
  return outputs;
}

interface Recorded {
  type: string;
  name: string;
  resource: pulumi.Resource;
  parent?: pulumi.Resource;
  provider?: pulumi.ProviderResource;
}

function urnOf(resource: pulumi.Resource): Promise<string> | undefined {
  return (resource as unknown as { urn: { promise?: () => Promise<string> } }).urn.promise?.();
}

/** Waits until every recorded resource is registered, those registered inside applies included. */
async function settleRegistrations(recorded: readonly Recorded[]): Promise<string[]> {
  let settled = -1;
  let urns: string[] = [];
  while (settled !== recorded.length) {
    settled = recorded.length;
    urns = await Promise.all(recorded.map((r) => urnOf(r.resource) ?? ""));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return urns;
}

/** The URN in a provider reference `<urn>::<id>`. */
function providerUrnOf(reference: string | undefined): string | undefined {
  return reference ? reference.slice(0, reference.lastIndexOf("::")) : undefined;
}

/** Each recorded resource with the request the engine received for it (URNs registered twice: in turn). */
function pairRegistrations(recorded: readonly Recorded[], urns: readonly string[], registrations: readonly Registration[]): Array<Registration | undefined> {
  const queues = new Map<string, Registration[]>();
  for (const registration of registrations) queues.set(registration.urn, [...(queues.get(registration.urn) ?? []), registration]);
  return recorded.map((_, i) => queues.get(urns[i])?.shift());
}

function plannedResource(r: Recorded, urn: string, request: Registration | undefined, names: WeakMap<pulumi.Resource, string>, raw: boolean): PlannedResource {
  const inputs = request?.inputs ?? {};
  return {
    type: r.type,
    name: r.name,
    urn,
    parent: label(r.parent, names),
    ...(request?.parent ? { parentUrn: request.parent } : {}),
    provider: r.provider ? label(r.provider, names)?.split("::")[1] : undefined,
    ...(request?.provider ? { providerUrn: providerUrnOf(request.provider) } : {}),
    dependencies: request?.dependencies ?? [],
    propertyDependencies: request?.propertyDependencies ?? {},
    custom: request?.custom ?? false,
    ...(request?.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
    ...(request?.replaceOnChanges.length ? { replaceOnChanges: request.replaceOnChanges } : {}),
    inputs: redactSecrets(inputs) as Record<string, unknown>,
    ...(raw ? { rawInputs: inputs } : {}),
  };
}

/**
 * Plans `programDir`: its resources (type, name, URN, parent, provider, dependencies, inputs), its
 * logs (the what-if tables) and its outputs. `previousOutputs` are what StackReferences to this
 * stack read: the previous run's outputs, so allocations and placements are planned against it.
 * Refuses (ProgramError) a program that `pulumi up` would not deploy: see refusals.
 */
export async function runProgram(
  programDir: string,
  options: { stack?: string; config?: Record<string, string>; previousOutputs?: Record<string, unknown>; raw?: boolean } = {},
): Promise<PlanRun> {
  const entry = programEntry(programDir);
  forgetProgramModules(programDir);
  const project = path.basename(path.resolve(programDir));
  const cloud = new FakeCloud(true, options.previousOutputs ?? {}, true);
  await pulumi.runtime.setMocks(cloud.mocks(), project, options.stack ?? "plan", true, "organization");
  for (const [key, value] of Object.entries(options.config ?? {})) pulumi.runtime.setConfig(key.includes(":") ? key : `${project}:${key}`, value);
  const recorded: Recorded[] = [];
  const names = new WeakMap<pulumi.Resource, string>();
  const logs: PlannedLog[] = [];
  captureLogs(logs, names);
  let exports: unknown;
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      names.set(args.resource, `${args.type}::${args.name}`);
      recorded.push({ type: args.type, name: args.name, resource: args.resource, parent: args.opts.parent, provider: (args.opts as pulumi.CustomResourceOptions).provider });
      return undefined;
    });
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      exports = require(entry);
      return {};
    } catch (error) {
      throw new ProgramError(`program "${programDir}" failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  const urns = await settleRegistrations(recorded);
  const problems = refusals(cloud.registrations);
  if (problems.length > 0) throw new ProgramError(`program "${programDir}" cannot be deployed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  const requests = pairRegistrations(recorded, urns, cloud.registrations);
  return {
    resources: recorded.map((r, i) => plannedResource(r, urns[i], requests[i], names, options.raw ?? false)),
    logs,
    outputs: await settleOutputs(exports),
  };
}

/**
 * What `pulumi up` would refuse, or the cluster would, in these requests; every problem, not only
 * the first (the engine stops at its first).
 */
export function refusals(registrations: readonly Registration[]): string[] {
  return [...duplicateUrns(registrations), ...sharedKubernetesObjects(registrations), ...defaultKubernetesProviders(registrations)];
}

/**
 * Two registrations of one URN. The engine's own message: pulumi/pulumi
 * sdk/go/common/diag/errors.go (GetDuplicateResourceURNError), raised by the step generator's
 * generateURN (pkg/resource/deploy/step_generator.go) for registrations and reads alike.
 */
function duplicateUrns(registrations: readonly Registration[]): string[] {
  const seen = new Set<string>();
  const reported = new Set<string>();
  for (const { urn } of registrations) {
    if (seen.has(urn)) reported.add(urn);
    seen.add(urn);
  }
  return [...reported].map((urn) => `Duplicate resource URN '${urn}'; try giving it a unique name`);
}

/**
 * A resource the Kubernetes provider manages or reads (custom, or a multi-language component such as
 * ConfigGroup). Not the provider itself (`pulumi:providers:kubernetes`), nor local components.
 */
const usesKubernetesProvider = (r: Registration) => r.type.startsWith("kubernetes:") && (r.custom || r.remote);

/**
 * A Kubernetes resource (or read) on the default provider: it would go to whatever cluster the
 * ambient kubeconfig selects. The plan treats that provider as disabled (as `pulumi:disable-default-providers`
 * does) and uses the engine's message for it: pulumi/pulumi sdk/go/common/diag/errors.go
 * (GetDefaultProviderDenied), raised by loadResourceProvider in pkg/resource/deploy/step_generator.go
 * with the package and the URN.
 */
function defaultKubernetesProviders(registrations: readonly Registration[]): string[] {
  return registrations
    .filter((r) => usesKubernetesProvider(r) && !r.provider)
    .map((r) => `Default provider for 'kubernetes' disabled. '${r.urn}' must use an explicit provider.`);
}

/**
 * Kinds whose objects have no namespace (`scope: Cluster`): the core and RBAC ones most programs
 * use (Kubernetes API reference), and the CRDs fleetmesh deploys: kubefleet
 * config/crd/bases/placement.kubernetes-fleet.io_clusterresourceplacements.yaml and
 * cluster.kubernetes-fleet.io_memberclusters.yaml, cilium
 * pkg/k8s/apis/cilium.io/client/crds/v2/ciliumloadbalancerippools.yaml. Any other kind is taken as namespaced.
 */
const CLUSTER_SCOPED = new Set([
  "/Namespace",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "placement.kubernetes-fleet.io/ClusterResourcePlacement",
  "cluster.kubernetes-fleet.io/MemberCluster",
  "cilium.io/CiliumLoadBalancerIPPool",
]);

const CONFIG_GROUP = "kubernetes:yaml/v2:ConfigGroup";

interface KubernetesObject {
  /** provider URN, group, kind, namespace, name: what the API server tells objects apart by. */
  key: string;
  description: string;
  owner: string;
}

/**
 * A namespaced object without metadata.namespace goes to its provider's `namespace`, else the
 * kubeconfig context's (fleetmesh's kubeconfigs set none), else "default": pulumi-kubernetes
 * provider/pkg/provider/provider.go (Configure) and provider/pkg/clients/clients.go (NamespaceOrDefault).
 */
function providerNamespaces(registrations: readonly Registration[]): Map<string, string> {
  const namespaces = new Map<string, string>();
  for (const r of registrations) {
    if (r.type === "pulumi:providers:kubernetes" && typeof r.inputs.namespace === "string" && r.inputs.namespace) namespaces.set(r.urn, r.inputs.namespace);
  }
  return namespaces;
}

function objectIdentity(manifest: unknown, provider: string, defaultNamespace: string, owner: string): KubernetesObject | undefined {
  const { apiVersion, kind, metadata } = (manifest ?? {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof metadata?.name !== "string") return undefined;
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
  const namespace = CLUSTER_SCOPED.has(`${group}/${kind}`) ? "" : typeof metadata.namespace === "string" && metadata.namespace ? metadata.namespace : defaultNamespace;
  const id = namespace ? `${namespace}/${metadata.name}` : metadata.name;
  return { key: [provider, group, kind, namespace, metadata.name].join("\n"), description: `${group ? `${group}/` : ""}${kind} '${id}' on '${provider}'`, owner };
}

/**
 * The objects a Kubernetes resource manages: its own inputs (typed resources carry apiVersion and
 * kind), or a ConfigGroup's `objs`. Patch resources share objects by design (server-side apply
 * field managers) and Helm releases' rendered objects are not seen here.
 */
function objectsOf(r: Registration, namespaces: Map<string, string>): KubernetesObject[] {
  if (r.type.endsWith("Patch")) return [];
  const inputs = unwrapSecrets(r.inputs) as Record<string, unknown>;
  const manifests = r.type === CONFIG_GROUP ? [inputs.objs ?? []].flat() : [inputs];
  const provider = providerUrnOf(r.provider) ?? "the default provider";
  const namespace = namespaces.get(provider) ?? "default";
  return manifests.map((m) => objectIdentity(m, provider, namespace, r.urn)).filter((o): o is KubernetesObject => o !== undefined);
}

/**
 * One object on one cluster managed by two resources. The provider creates it for the first and
 * fails the second's create on the API server's AlreadyExists (pulumi-kubernetes
 * provider/pkg/await/await.go, Creation: "The resource already exists in the cluster."); where the
 * two resources share a URN, duplicateUrns already reports it.
 */
function sharedKubernetesObjects(registrations: readonly Registration[]): string[] {
  const namespaces = providerNamespaces(registrations);
  const owners = new Map<string, { description: string; owners: Set<string> }>();
  for (const object of registrations.filter((r) => usesKubernetesProvider(r) && !r.read).flatMap((r) => objectsOf(r, namespaces))) {
    const entry = owners.get(object.key) ?? { description: object.description, owners: new Set<string>() };
    entry.owners.add(object.owner);
    owners.set(object.key, entry);
  }
  return [...owners.values()]
    .filter((entry) => entry.owners.size > 1)
    .map((entry) => `Kubernetes object ${entry.description} is managed by ${entry.owners.size} resources (${[...entry.owners].map((o) => `'${o}'`).join(", ")}): the resource already exists in the cluster when the second is created`);
}
