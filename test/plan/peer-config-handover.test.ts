// The hand-over of a fleet deployed with the old layout (peers in the Cilium Helm values, so the chart
// owned `cilium-clustermesh`, `cilium-kvstoremesh` and, in cluster auth, `clustermesh-remote-users`)
// to the new one (peers written by Patch resources beside a release that renders none of them), in
// one `pulumi up`: the real program (programs/kind-mesh, three kind members) planned on the mock
// runtime, its steps ordered by the engine step model (plan/engine-steps.ts), each step played
// against a model of the clusters and of Helm (test/support/helm-release-model.ts) with the manifests
// the real chart renders (test/support/helm.ts), checking after every step that every member still
// has its peer config.
//
// The previous run's state is the program's own registrations without the Patch resources, each
// Release's values put back the way the old layout wrote them: `clustermesh.config.enabled: true`
// with the peers as `clustermesh.config.clusters` (`{name, port, ips}`), and without the
// `remoteUsersValues` of charts ≤ 1.18 (components/core/cilium/peer-config.ts).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { NewResource, OldResource, Step, StepHandler, planSteps, runSteps, stepModelInput } from "../../plan/engine-steps";
import { asSecret, unwrapSecrets } from "../../plan/fake-cloud";
import { PlanRun, PlannedResource, resetRootStack, runProgram } from "../../plan/run-program";
import {
  CILIUM_NAMESPACE,
  CLUSTERMESH_CONFIG_SECRET,
  KVSTOREMESH_CONFIG_SECRET,
  PeerConfig,
  peerConfig,
  peerConfigObjects,
  remoteUsersConfigMapName,
} from "../../components/core/cilium/peer-config";
import { CHART_VERSIONS, chartFile, chartMinor, helmTemplate, pool } from "../helm/helm-template";
import { ChartCa, generateTestCa, withCa } from "../helm/test-ca";
import { helmBinary } from "../support/helm";
import {
  HelmRelease,
  HelmResult,
  KubeApiError,
  KubeModel,
  KubeObject,
  applyPatchResource,
  createResource,
  deletePatchResource,
  patchFieldManager,
} from "../support/helm-release-model";

const KIND_MESH = path.resolve(__dirname, "../../programs/kind-mesh");
/** The program's Fleet name: every member resource is named `<fleet>-<member>-…`. */
const FLEET = "kind-mesh";
const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
const PATCH_TYPES = new Set(["kubernetes:core/v1:SecretPatch", "kubernetes:core/v1:ConfigMapPatch"]);
/** A member's Patch resources, by the suffix of their names (components/runtime/peer-config-objects.ts). */
const PATCH_ROLES = ["clustermesh-peers", "kvstoremesh-peers", "remote-users"] as const;
const RELEASE_ROLE = "cilium";
const ref = (kind: string, name: string) => ({ kind, name, namespace: CILIUM_NAMESPACE });

// ---------------------------------------------------------------------------------------------
// The model on its own.
// ---------------------------------------------------------------------------------------------

const object = (kind: string, name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: "v1",
  kind,
  metadata: { name, namespace: "ns" },
  ...extra,
});
const secret = (name: string, data: Record<string, string>, annotations?: Record<string, string>) =>
  object("Secret", name, { data, ...(annotations && { metadata: { name, namespace: "ns", annotations } }) });
const nsRef = (kind: string, name: string) => ({ kind, name, namespace: "ns" });

/** A release `r` in namespace `ns`, installed with `objects`. */
function installed(objects: KubeObject[], kube = new KubeModel()): { kube: KubeModel; release: HelmRelease } {
  const release = new HelmRelease(kube, "r", "ns");
  release.install(objects);
  return { kube, release };
}

function error(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    return e instanceof KubeApiError ? `${e.reason}: ${e.message}` : (e as Error).message;
  }
  return "no error";
}

const modelCases: Array<{ name: string; run: () => unknown; expected: unknown }> = [
  {
    name: "an upgrade refuses an object new to the release that exists without Helm's ownership metadata",
    run: () => {
      const kube = new KubeModel();
      kube.create(secret("s", { a: "1" }), "kubectl");
      const { release } = installed([object("ConfigMap", "c")], kube);
      return [error(() => release.upgrade([object("ConfigMap", "c"), secret("s", { a: "2" })])), kube.get(nsRef("Secret", "s"))?.data];
    },
    expected: [
      'unable to continue with update: Secret "s" in namespace "ns" exists and cannot be imported into the current release: invalid ownership metadata; ' +
        'label validation error: missing key "app.kubernetes.io/managed-by": must be set to "Helm"; ' +
        'annotation validation error: missing key "meta.helm.sh/release-name": must be set to "r"; ' +
        'annotation validation error: missing key "meta.helm.sh/release-namespace": must be set to "ns"',
      { a: "1" },
    ],
  },
  {
    name: "an install adopts an existing object that carries the release's metadata, and refuses one of another release",
    run: () => {
      const kube = new KubeModel();
      const owned = (release: string) => ({
        name: "s",
        namespace: "ns",
        labels: { "app.kubernetes.io/managed-by": "Helm" },
        annotations: { "meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": "ns" },
      });
      kube.create({ ...secret("s", { a: "1" }), metadata: owned("r") }, "helm");
      const adopted = new HelmRelease(kube, "r", "ns").install([secret("s", { a: "2" })]);
      const other = new KubeModel();
      other.create({ ...secret("s", { a: "1" }), metadata: owned("other") }, "helm");
      return [adopted, kube.get(nsRef("Secret", "s"))?.data, error(() => new HelmRelease(other, "r", "ns").install([secret("s", {})]))];
    },
    expected: [
      { created: [], updated: ["Secret ns/s"], deleted: [], kept: [] },
      { a: "2" },
      'rendered manifests contain a resource that already exists. Unable to continue with install: Secret "s" in namespace "ns" exists and ' +
        'cannot be imported into the current release: invalid ownership metadata; annotation validation error: key "meta.helm.sh/release-name" ' +
        'must equal "r": current value is "other"',
    ],
  },
  {
    name: "an upgrade deletes what it no longer renders unless the live copy says keep, even when the manifest did not",
    run: () => {
      const { kube, release } = installed([secret("a", { x: "1" }), secret("b", { x: "1" }), object("ConfigMap", "c")]);
      kube.apply(secret("b", {}, { "helm.sh/resource-policy": "keep" }), "someone", false);
      return [release.upgrade([object("ConfigMap", "c")]), kube.list().map((o) => `${o.kind}/${o.metadata.name}`)];
    },
    expected: [{ created: [], updated: ["ConfigMap ns/c"], deleted: ["Secret ns/a"], kept: ["Secret ns/b"] }, ["ConfigMap/c", "Secret/b"]],
  },
  {
    name: "an uninstall reads keep from the manifest, not from the live object",
    run: () => {
      const { kube, release } = installed([secret("a", {}, { "helm.sh/resource-policy": "keep" }), secret("b", {})]);
      kube.apply(secret("b", {}, { "helm.sh/resource-policy": "keep" }), "someone", false);
      return [release.uninstall(), kube.list().map((o) => o.metadata.name)];
    },
    expected: [{ created: [], updated: [], deleted: ["Secret ns/b"], kept: ["Secret ns/a"] }, ["a"]],
  },
  {
    name: "an upgrade's three-way patch removes what the previous revision set and the new one does not, and leaves what others set",
    run: () => {
      const { kube, release } = installed([object("ConfigMap", "c", { data: { a: "1", b: "2" } })]);
      kube.apply(object("ConfigMap", "c", { metadata: { name: "c", namespace: "ns", annotations: { x: "y" } } }), "someone", false);
      release.upgrade([object("ConfigMap", "c", { data: { a: "1" } })]);
      const live = kube.get(nsRef("ConfigMap", "c"))!;
      return [live.data, live.metadata.annotations?.x];
    },
    expected: [{ a: "1" }, "y"],
  },
  {
    name: "a server-side apply fails on a field Helm set to another value; with force it takes that field and shares the equal ones",
    run: () => {
      const { kube } = installed([secret("s", { a: "1", b: "1" })]);
      const patch = secret("s", { a: "1", b: "2" });
      const refused = error(() => kube.apply(patch, "p", false));
      kube.apply(patch, "p", true);
      const fields = kube.managedFields(nsRef("Secret", "s"));
      return [refused, kube.get(nsRef("Secret", "s"))?.data, fields.p, fields.helm.filter((f) => f.startsWith(".data"))];
    },
    expected: [
      'Conflict: Apply failed with 1 conflict: conflict with "helm": .data.b',
      { a: "1", b: "2" },
      [".data.a", ".data.b"],
      [".data.a"],
    ],
  },
  {
    name: "a Patch resource honours patchForce, and deleting it removes only the fields no other manager owns",
    run: () => {
      const { kube } = installed([secret("s", { a: "1", b: "1" })]);
      const forced = secret("s", { a: "1", b: "2", c: "3" }, { "pulumi.com/patchForce": "true" });
      applyPatchResource(kube, forced, patchFieldManager("p"));
      deletePatchResource(kube, forced, patchFieldManager("p"));
      return kube.get(nsRef("Secret", "s"));
    },
    expected: {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "s",
        namespace: "ns",
        labels: { "app.kubernetes.io/managed-by": "Helm" },
        annotations: { "meta.helm.sh/release-name": "r", "meta.helm.sh/release-namespace": "ns" },
      },
      data: { a: "1" },
    },
  },
  {
    name: "a Patch resource creates a missing object; a plain resource fails with AlreadyExists on an existing one",
    run: () => {
      const kube = new KubeModel();
      applyPatchResource(kube, secret("s", { a: "1" }), patchFieldManager("p"));
      return [kube.managedFields(nsRef("Secret", "s")), error(() => createResource(kube, secret("s", { a: "1" })))];
    },
    expected: [{ "pulumi-patch-p": [".data.a"] }, 'AlreadyExists: secrets "s" already exists'],
  },
];

describe("the Helm and Kubernetes model", () => {
  for (const { name, run, expected } of modelCases) it(name, () => assert.deepEqual(run(), expected));
});

// ---------------------------------------------------------------------------------------------
// The program's runs.
// ---------------------------------------------------------------------------------------------

type Values = Record<string, any>;

/** A member as its own Release values describe it: how peers reach its clustermesh-apiserver. */
interface MemberInfo {
  name: string;
  nodePort: number;
  ips: string[];
  values: Values;
}

interface ProgramRun {
  plan: PlanRun;
  byUrn: Map<string, PlannedResource>;
  /** The registrations in an order the SDK can send them in. */
  news: NewResource[];
  members: MemberInfo[];
}

/**
 * The order the SDK can send the registrations in: a registration waits for the URNs of everything
 * it depends on (parent, provider, dependencies), so it reaches the engine after them. runProgram
 * lists resources as they are constructed, which can put a resource before an input it awaits.
 */
function registrationOrder<T extends OldResource>(resources: readonly T[]): T[] {
  const known = new Set(resources.map((r) => r.urn));
  const dependencies = (r: T) =>
    [...r.dependencies, ...Object.values(r.propertyDependencies ?? {}).flat(), r.parent, r.provider].filter(
      (u): u is string => u !== undefined && u !== r.urn && known.has(u),
    );
  const done = new Set<string>();
  const ordered: T[] = [];
  while (ordered.length < resources.length) {
    const next = resources.find((r) => !done.has(r.urn) && dependencies(r).every((d) => done.has(d)));
    if (!next) throw new Error("the registrations depend on one another in a cycle");
    done.add(next.urn);
    ordered.push(next);
  }
  return ordered;
}

function memberInfo(values: Values): MemberInfo {
  const apiserver = values.clustermesh.apiserver;
  const ips = (apiserver.tls.server?.extraIpAddresses ?? apiserver.tls.auto?.server?.extraIpAddresses) as string[];
  return { name: values.cluster.name, nodePort: apiserver.service.nodePort, ips, values };
}

function releaseValues(resource: PlannedResource): Values {
  return (unwrapSecrets(resource.rawInputs) as { values: Values }).values;
}

async function planRun(version: string, members: number, previousOutputs: Record<string, unknown> = {}): Promise<ProgramRun> {
  const plan = await runProgram(KIND_MESH, { config: { members: String(members), ciliumVersion: version }, previousOutputs, raw: true });
  const releases = plan.resources.filter((r) => r.type === RELEASE_TYPE);
  return {
    plan,
    byUrn: new Map(plan.resources.map((r) => [r.urn, r])),
    news: registrationOrder(stepModelInput(plan, plan).news),
    members: releases.map((r) => memberInfo(releaseValues(r))),
  };
}

/** The values the old layout gave the same member: its peers in the chart's own config, no remote-users override. */
function oldLayoutValues(values: Values, peers: readonly MemberInfo[]): Values {
  const copy = structuredClone(values);
  for (const key of ["extraArgs", "extraVolumes", "extraVolumeMounts"]) delete copy.clustermesh.apiserver[key];
  copy.clustermesh = {
    ...copy.clustermesh,
    config: { enabled: true, clusters: peers.map((p) => ({ name: p.name, port: p.nodePort, ips: p.ips })) },
  };
  return copy;
}

function memberOf(resource: PlannedResource): string {
  const provider = resource.providerUrn?.split("::").pop() ?? resource.name.replace(/-kind-[a-z]+$/, "");
  return provider.slice(FLEET.length + 1);
}

/** `cilium`, `clustermesh-peers`, …: a member resource's name without `<fleet>-<member>-`. */
function roleOf(resource: PlannedResource): string {
  return resource.name.slice(FLEET.length + 1 + memberOf(resource).length + 1);
}

function isPeerWrite(resource: PlannedResource): boolean {
  return PATCH_TYPES.has(resource.type) || resource.type === RELEASE_TYPE;
}

/** What Helm installs: the rendered objects but the hooks (helm/helm pkg/releaseutil/manifest_sorter.go keeps them apart). */
async function renderManifest(version: string, values: Values, ca: ChartCa, workDir: string): Promise<KubeObject[]> {
  const rendered = await helmTemplate((await helmBinary()).path, chartFile(version), withCa(values, ca), workDir);
  return rendered.objects.filter((o) => o.metadata.annotations?.["helm.sh/hook"] === undefined) as KubeObject[];
}

interface Fixture {
  version: string;
  /** The previous run's state: the old layout. */
  olds: OldResource[];
  migration: ProgramRun;
  /** The run after, with a fourth member. */
  join: ProgramRun;
  oldManifests: Record<string, KubeObject[]>;
  /** The new layout's manifests, the joining member's included. */
  newManifests: Record<string, KubeObject[]>;
}

async function fixture(version: string, ca: ChartCa, workDir: string): Promise<Fixture> {
  const first = await planRun(version, 3);
  const migration = await planRun(version, 3, first.plan.outputs);
  const join = await planRun(version, 4, migration.plan.outputs);
  const members = migration.members;
  const oldValues = Object.fromEntries(
    members.map((m) => [
      m.name,
      oldLayoutValues(
        m.values,
        members.filter((p) => p.name !== m.name),
      ),
    ]),
  );
  const previous = migration.plan.resources
    .filter((r) => !PATCH_TYPES.has(r.type))
    .map((r) => (r.type === RELEASE_TYPE ? { ...r, rawInputs: { ...r.rawInputs, values: asSecret(oldValues[memberOf(r)]) } } : r));
  const render = pool(4);
  const renders = async (entries: Array<[string, Values]>) =>
    Object.fromEntries(
      await Promise.all(entries.map(async ([name, values]) => [name, await render(() => renderManifest(version, values, ca, workDir))])),
    );
  return {
    version,
    olds: stepModelInput({ resources: previous }, migration.plan).olds,
    migration,
    join,
    oldManifests: await renders(Object.entries(oldValues)),
    newManifests: await renders(join.members.map((m) => [m.name, m.values])),
  };
}

// ---------------------------------------------------------------------------------------------
// Playing the steps against the model.
// ---------------------------------------------------------------------------------------------

interface MemberCluster {
  kube: KubeModel;
  release: HelmRelease;
}
type Fleet = Map<string, MemberCluster>;

function newCluster(): MemberCluster {
  const kube = new KubeModel();
  return { kube, release: new HelmRelease(kube, "cilium", CILIUM_NAMESPACE) };
}

/** The fleet as the old layout left it: each member's release installed from its old values. */
function oldFleet(fx: Fixture): Fleet {
  return new Map(
    Object.entries(fx.oldManifests).map(([member, manifest]) => {
      const cluster = newCluster();
      cluster.release.install(manifest);
      return [member, cluster];
    }),
  );
}

/**
 * The users file the clustermesh-apiserver's current pod template reads: the last
 * `--cluster-users-config-path` of its `apiserver` container (pflag keeps the last of a repeated
 * string flag), through the mount and volume it sits in, to a ConfigMap.
 */
function usersFile(
  kube: KubeModel,
  deployment: KubeObject | undefined = kube.get(ref("Deployment", "clustermesh-apiserver")),
): { configMap: string; users?: string[] } | string {
  if (!deployment) return "Deployment clustermesh-apiserver is missing";
  const pod = (deployment as any).spec.template.spec;
  const container = pod.containers.find((c: any) => c.name === "apiserver");
  const flag = (container.args as string[]).filter((a) => a.startsWith("--cluster-users-config-path=")).pop()!;
  const file = flag.split("=")[1];
  const mount = container.volumeMounts.find((m: any) => m.mountPath === path.posix.dirname(file));
  const configMap = pod.volumes.find((v: any) => v.name === mount.name).configMap.name as string;
  const live = kube.get(ref("ConfigMap", configMap)) as any;
  if (!live) return { configMap };
  const users = (parse(live.data?.[path.posix.basename(file)] ?? "") as { users?: Array<{ name: string }> } | null)?.users ?? [];
  return { configMap, users: users.map((u) => u.name) };
}

/** What a member lacks of its peer config: both Secrets listing every peer, and the users file the apiserver reads. */
function problemsOf(kube: KubeModel, peers: readonly string[]): string[] {
  const problems: string[] = [];
  for (const name of [CLUSTERMESH_CONFIG_SECRET, KVSTOREMESH_CONFIG_SECRET]) {
    const live = kube.get(ref("Secret", name));
    const missing = peers.filter((peer) => live?.data === undefined || !(peer in (live.data as object)));
    if (!live) problems.push(`Secret ${name} is missing`);
    else if (missing.length > 0) problems.push(`Secret ${name} lacks ${missing.join(", ")}`);
  }
  const users = usersFile(kube);
  if (typeof users === "string") problems.push(users);
  else if (users.users === undefined) problems.push(`ConfigMap ${users.configMap} (the apiserver's users file) is missing`);
  else {
    const missing = peers.map((peer) => `remote-${peer}`).filter((user) => !users.users!.includes(user));
    if (missing.length > 0) problems.push(`ConfigMap ${users.configMap} (the apiserver's users file) lacks ${missing.join(", ")}`);
  }
  return problems;
}

interface Checked {
  after: string;
  problems: string[];
}

interface Play {
  run: Awaited<ReturnType<typeof runSteps>>;
  /** One entry per step that completed: what the watched members lacked right after it. */
  log: Checked[];
  /** Each release upgrade or install, by member. */
  helm: Record<string, HelmResult>;
  /** The steps that failed, by resource name. */
  errors: Record<string, string>;
}

/**
 * Runs the waves against the fleet: a Patch resource applies its object (or, `plain`, creates it as a
 * plain resource would), a Release upgrades (or installs) with its member's manifest, a kind cluster's
 * create brings up an empty cluster; every step, `same` included, is followed by a check of the
 * watched members (member → the peers it must list).
 */
async function play(
  waves: readonly Step[][],
  program: ProgramRun,
  fleet: Fleet,
  manifests: Record<string, KubeObject[]>,
  watched: () => Array<[string, readonly string[]]>,
  options: { plain?: boolean } = {},
): Promise<Play> {
  const log: Checked[] = [];
  const helm: Record<string, HelmResult> = {};
  const errors: Record<string, string> = {};
  const handler: StepHandler = (step) => {
    const resource = program.byUrn.get(step.urn)!;
    const member = memberOf(resource);
    try {
      if (resource.type === "command:local:Command" && resource.name.endsWith("-kind-cluster") && step.op === "create") {
        fleet.set(member, newCluster());
      } else if (PATCH_TYPES.has(resource.type) && step.op !== "same") {
        const written = unwrapSecrets(resource.rawInputs) as KubeObject;
        const kube = fleet.get(member)!.kube;
        if (options.plain) createResource(kube, written);
        else applyPatchResource(kube, written, patchFieldManager(resource.name));
      } else if (resource.type === RELEASE_TYPE && step.op !== "same") {
        const release = fleet.get(member)!.release;
        helm[member] = step.op === "create" ? release.install(manifests[member]) : release.upgrade(manifests[member]);
      }
    } catch (e) {
      errors[resource.name] = e instanceof KubeApiError ? `${e.reason}: ${e.message}` : (e as Error).message;
      throw e;
    }
    const problems = watched().flatMap(([name, peers]) => problemsOf(fleet.get(name)!.kube, peers).map((p) => `${name}: ${p}`));
    log.push({ after: `${step.op} ${resource.name}`, problems });
  };
  const run = await runSteps(waves, { create: handler, update: handler, same: handler, replace: handler, delete: handler });
  return { run, log, helm, errors };
}

/** Each member must list every other member of `members`. */
function everyPeer(members: readonly MemberInfo[]): () => Array<[string, string[]]> {
  return () => members.map((m) => [m.name, members.filter((p) => p.name !== m.name).map((p) => p.name)]);
}

/** Within each wave, a member's Patch steps before its Release step (`patches`) or after it (`releases`); the rest keep their places. */
function ordered(waves: readonly Step[][], first: "patches" | "releases"): Step[][] {
  const rank = (step: Step) => {
    const patch = PATCH_TYPES.has(step.type) ? 0 : step.type === RELEASE_TYPE ? 1 : 2;
    return first === "releases" && patch < 2 ? 1 - patch : patch;
  };
  return waves.map((wave) => [...wave].sort((a, b) => rank(a) - rank(b)));
}

/** The same run with each Release's dependencies on its member's Patches removed (the order the hand-over must not have). */
function withoutPatchDependencies(program: ProgramRun): ProgramRun {
  const patches = new Set(program.plan.resources.filter((r) => PATCH_TYPES.has(r.type)).map((r) => r.urn));
  const news = program.news.map((r) =>
    r.type === RELEASE_TYPE ? { ...r, dependencies: r.dependencies.filter((urn) => !patches.has(urn)) } : r,
  );
  return { ...program, news: registrationOrder(news) };
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** Within each wave, every member's Release and Patch steps in the order of `roles`. */
function inRoleOrder(waves: readonly Step[][], program: ProgramRun, roles: readonly string[]): Step[][] {
  return waves.map((wave) => {
    const resourceOf = (step: Step) => program.byUrn.get(step.urn)!;
    const writes = wave.filter((step) => isPeerWrite(resourceOf(step)));
    const members = [...new Set(writes.map((step) => memberOf(resourceOf(step))))];
    const reordered = members.flatMap((member) =>
      roles.flatMap((role) => writes.filter((step) => memberOf(resourceOf(step)) === member && roleOf(resourceOf(step)) === role)),
    );
    return [...wave.filter((step) => !writes.includes(step)), ...reordered];
  });
}

/** The wave each step of a member's Release and Patch resources is in, with its op. */
function memberWrites(waves: readonly Step[][], program: ProgramRun, member: string): Record<string, string> {
  return Object.fromEntries(
    waves.flatMap((wave, i) =>
      wave
        .map((step) => [step, program.byUrn.get(step.urn)!] as const)
        .filter(([, resource]) => isPeerWrite(resource) && memberOf(resource) === member)
        .map(([step, resource]) => [roleOf(resource), `${step.op}${step.changed ? ` ${step.changed.join(",")}` : ""} in wave ${i}`]),
    ),
  );
}

/** The users ConfigMap fleetmesh writes, and whether the old chart rendered it (then Helm's metadata stays on it). */
function adoptedConfigMap(version: string): boolean {
  return chartMinor(version) >= 19;
}

/**
 * The three objects as peerConfig describes them, as they end up live: with the Patch's annotations,
 * and on the objects the old release owned, what Helm alone set and nobody took over (its two
 * ownership annotations, and on 1.20 the users ConfigMap's `helm.sh/chart` label).
 */
function expectedObjects(version: string, config: PeerConfig): KubeObject[] {
  const patchAnnotations = { "helm.sh/resource-policy": "keep", "pulumi.com/patchForce": "true" };
  const helmAnnotations = { "meta.helm.sh/release-name": "cilium", "meta.helm.sh/release-namespace": CILIUM_NAMESPACE };
  return peerConfigObjects(config).map((o) => {
    const adopted = o.kind === "Secret" || adoptedConfigMap(version);
    const chartLabel: Record<string, string> = o.kind === "ConfigMap" && version === "1.20.0" ? { "helm.sh/chart": "cilium-1.20.0" } : {};
    return {
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: {
        name: o.metadata.name,
        namespace: o.metadata.namespace,
        labels: { ...o.metadata.labels, ...chartLabel },
        annotations: { ...patchAnnotations, ...(adopted ? helmAnnotations : undefined) },
      },
      data: o.data,
    };
  });
}

function configOf(version: string, member: MemberInfo, mesh: readonly MemberInfo[]): PeerConfig {
  return peerConfig({
    version,
    clusterName: member.name,
    peers: mesh.filter((p) => p.name !== member.name).map((p) => ({ name: p.name, port: p.nodePort, ips: p.ips })),
    maxConnectedClusters: member.values.clustermesh.maxConnectedClusters,
    nodePort: member.nodePort,
    kubeProxyReplacement: member.values.kubeProxyReplacement === true,
  });
}

function liveObjects(kube: KubeModel, config: PeerConfig): Array<KubeObject | undefined> {
  return peerConfigObjects(config).map((o) => kube.get(ref(o.kind, o.metadata.name)));
}

// ---------------------------------------------------------------------------------------------
// The hand-over, per chart version.
// ---------------------------------------------------------------------------------------------

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-handover-"));
after(() => fs.rmSync(workDir, { recursive: true, force: true }));

for (const version of CHART_VERSIONS) {
  describe(`handing peers over from the Helm values to Patch resources (Cilium ${version}, three kind members)`, function () {
    this.timeout(300_000);
    let fx: Fixture;
    let waves: Step[][];
    const members = () => fx.migration.members;
    const names = () => members().map((m) => m.name);
    const usersConfigMap = remoteUsersConfigMapName(version);

    before(async () => {
      fx = await fixture(version, generateTestCa(fs.mkdtempSync(path.join(workDir, "ca-"))), workDir);
      waves = planSteps(fx.olds, fx.migration.news);
    });
    after(resetRootStack);

    it("starts from the old layout: each member's release owns both Secrets, and they and its users file list every peer", () => {
      const fleet = oldFleet(fx);
      assert.deepEqual(
        names().map((member) => {
          const { kube, release } = fleet.get(member)!;
          const owned = [CLUSTERMESH_CONFIG_SECRET, KVSTOREMESH_CONFIG_SECRET].map((name) => release.owns(ref("Secret", name)));
          return [member, owned, problemsOf(kube, everyPeer(members())().find(([m]) => m === member)![1])];
        }),
        names().map((member) => [member, [true, true], []]),
      );
    });

    it("runs each member's three Patch creates one wave before its Release update, which depends on them", () => {
      const wave = waves.findIndex((w) => w.some((s) => PATCH_TYPES.has(s.type)));
      const dependencies = (member: string, role: string) => {
        const resource = fx.migration.plan.resources.find((r) => r.name === `${FLEET}-${member}-${role}`)!;
        return resource.dependencies.map((urn) => fx.migration.byUrn.get(urn)!.name).sort();
      };
      const addresses = names().map((m) => `${FLEET}-${m}-kind-address`);
      assert.deepEqual(
        names().map((member) => ({
          steps: memberWrites(waves, fx.migration, member),
          dependencies: Object.fromEntries([RELEASE_ROLE, ...PATCH_ROLES].map((role) => [role, dependencies(member, role)])),
        })),
        names().map((member) => ({
          steps: {
            [RELEASE_ROLE]: `update values in wave ${wave + 1}`,
            ...Object.fromEntries(PATCH_ROLES.map((role) => [role, `create in wave ${wave}`])),
          },
          // The values need the CA and the member's own address, and wait for its peer objects; the peer lists need every member's address.
          dependencies: {
            [RELEASE_ROLE]: [
              `${FLEET}-ca`,
              `${FLEET}-ca-key`,
              ...PATCH_ROLES.map((role) => `${FLEET}-${member}-${role}`),
              `${FLEET}-${member}-kind-address`,
            ].sort(),
            ...Object.fromEntries(PATCH_ROLES.map((role) => [role, addresses])),
          },
        })),
      );
    });

    it("with each member's Patches written before its Release upgrade, no step leaves a member without its peers", async () => {
      const fleet = oldFleet(fx);
      const { run, log, helm } = await play(ordered(waves, "patches"), fx.migration, fleet, fx.newManifests, everyPeer(members()));
      const dropped = [
        `Secret ${CILIUM_NAMESPACE}/${CLUSTERMESH_CONFIG_SECRET}`,
        `Secret ${CILIUM_NAMESPACE}/${KVSTOREMESH_CONFIG_SECRET}`,
        ...(adoptedConfigMap(version) ? [`ConfigMap ${CILIUM_NAMESPACE}/${usersConfigMap}`] : []),
      ].sort();
      assert.deepEqual(
        {
          failed: run.failed,
          checkedEveryStep: log.length === run.ran.length && run.ran.length === waves.flat().length,
          problems: log.filter((entry) => entry.problems.length > 0),
          helm: Object.fromEntries(
            Object.entries(helm).map(([m, r]) => [m, { created: r.created, deleted: r.deleted, kept: [...r.kept].sort() }]),
          ),
        },
        {
          failed: undefined,
          checkedEveryStep: true,
          problems: [],
          helm: Object.fromEntries(names().map((m) => [m, { created: [], deleted: [], kept: dropped }])),
        },
      );
    });

    it("ends with the objects peerConfig describes, out of the release, kept by an uninstall, and not taken back by the chart", async () => {
      const fleet = oldFleet(fx);
      await play(ordered(waves, "patches"), fx.migration, fleet, fx.newManifests, everyPeer(members()));
      const actual = members().map((member) => {
        const { kube, release } = fleet.get(member.name)!;
        const config = configOf(version, member, members());
        const objects = peerConfigObjects(config).map((o) => ref(o.kind, o.metadata.name));
        const helmFields = objects.map((o) => kube.managedFields(o).helm ?? []);
        const retaken = (() => {
          try {
            release.upgrade(fx.oldManifests[member.name]);
            return "upgraded";
          } catch (e) {
            return (e as Error).message;
          }
        })();
        const inRelease = objects.map((o) => release.owns(o));
        release.uninstall();
        return { objects: liveObjects(kube, config), helmFields, inRelease, afterUninstall: liveObjects(kube, config), retaken };
      });
      const helmOwnership = [".metadata.annotations.meta.helm.sh/release-name", ".metadata.annotations.meta.helm.sh/release-namespace"];
      const configMapFields = adoptedConfigMap(version)
        ? [
            ...helmOwnership,
            ".metadata.labels.app.kubernetes.io/part-of",
            ...(version === "1.20.0" ? [".metadata.labels.helm.sh/chart"] : []),
          ].sort()
        : [];
      assert.deepEqual(
        actual,
        members().map((member) => {
          const expected = expectedObjects(version, configOf(version, member, members()));
          return {
            objects: expected,
            helmFields: [helmOwnership, helmOwnership, configMapFields],
            inRelease: [false, false, false],
            afterUninstall: expected,
            retaken:
              `unable to continue with update: Secret "${CLUSTERMESH_CONFIG_SECRET}" in namespace "${CILIUM_NAMESPACE}" exists and cannot be ` +
              `imported into the current release: invalid ownership metadata; label validation error: key "app.kubernetes.io/managed-by" ` +
              `must equal "Helm": current value is "fleetmesh"`,
          };
        }),
      );
    });

    it("leaves the apiserver pods of the previous template reading the chart's users ConfigMap, which on charts ≤ 1.18 the upgrade empties of peers", async () => {
      const fleet = oldFleet(fx);
      const previous = names().map((m) => fleet.get(m)!.kube.get(ref("Deployment", "clustermesh-apiserver")));
      await play(ordered(waves, "patches"), fx.migration, fleet, fx.newManifests, everyPeer(members()));
      const remotes = (m: string) =>
        names()
          .filter((n) => n !== m)
          .map((n) => `remote-${n}`);
      // Charts ≤ 1.18 render `clustermesh-remote-users` from `clustermesh.config.clusters` whatever
      // `config.enabled` says (1.16 lists the member itself too): with no peers in the values, none are left.
      const chartUsers = (m: string) => (chartMinor(version) >= 19 ? remotes(m) : chartMinor(version) === 16 ? [`remote-${m}`] : []);
      assert.deepEqual(
        names().map((m, i) => ({ previousPods: usersFile(fleet.get(m)!.kube, previous[i]), newPods: usersFile(fleet.get(m)!.kube) })),
        names().map((m) => ({
          previousPods: { configMap: "clustermesh-remote-users", users: chartUsers(m) },
          // On 1.16 fleetmesh's users list the member itself first, as the chart's do (its agents log in with the remote certificate).
          newPods: { configMap: usersConfigMap, users: chartMinor(version) === 16 ? [`remote-${m}`, ...remotes(m)] : remotes(m) },
        })),
      );
    });

    it("without the Release's dependency on its Patches, a Release upgrade run first makes Helm delete the Secrets, and the member has no peers until they land", async () => {
      const fleet = oldFleet(fx);
      const loose = withoutPatchDependencies(fx.migration);
      const { run, log } = await play(
        ordered(planSteps(fx.olds, loose.news), "releases"),
        loose,
        fleet,
        fx.newManifests,
        everyPeer(members()),
      );
      const [first] = names();
      const bad = log.filter((entry) => entry.problems.length > 0);
      assert.deepEqual(
        [run.failed, bad[0], log[log.length - 1].problems],
        [
          undefined,
          {
            after: `update ${FLEET}-${first}-${RELEASE_ROLE}`,
            problems: [
              `${first}: Secret ${CLUSTERMESH_CONFIG_SECRET} is missing`,
              `${first}: Secret ${KVSTOREMESH_CONFIG_SECRET} is missing`,
              `${first}: ConfigMap ${usersConfigMap} (the apiserver's users file) is missing`,
            ],
          },
          [],
        ],
      );
    });

    it("as plain Secret and ConfigMap resources, the writes of objects the chart owned fail with AlreadyExists", async () => {
      const { run, errors } = await play(ordered(waves, "patches"), fx.migration, oldFleet(fx), fx.newManifests, () => [], {
        plain: true,
      });
      const writeWave = waves.findIndex((w) => w.some((s) => s.type === RELEASE_TYPE));
      assert.deepEqual(
        {
          errors,
          reason: (run.failed?.error as KubeApiError | undefined)?.reason,
          laterWavesRan: run.ran.some((step) => waves.findIndex((w) => w.includes(step)) > writeWave),
        },
        {
          errors: Object.fromEntries(
            names().flatMap((m) => [
              [`${FLEET}-${m}-clustermesh-peers`, `AlreadyExists: secrets "${CLUSTERMESH_CONFIG_SECRET}" already exists`],
              [`${FLEET}-${m}-kvstoremesh-peers`, `AlreadyExists: secrets "${KVSTOREMESH_CONFIG_SECRET}" already exists`],
              ...(adoptedConfigMap(version)
                ? [[`${FLEET}-${m}-remote-users`, `AlreadyExists: configmaps "${usersConfigMap}" already exists`]]
                : []),
            ]),
          ),
          reason: "AlreadyExists",
          laterWavesRan: false,
        },
      );
    });

    // The guarantee the hand-over needs. Steps of one wave run at once (plan/engine-steps.ts), so any
    // order of the steps within a wave may happen; the Release's dependency on its member's Patches
    // (components/member.ts) puts it in a later wave, so every order keeps the member's peers.
    it("keeps every member's peers in every order the engine may run a member's shared-wave steps in", async () => {
      const failing: string[] = [];
      for (const roles of permutations([RELEASE_ROLE, ...PATCH_ROLES])) {
        const { run, log } = await play(
          inRoleOrder(waves, fx.migration, roles),
          fx.migration,
          oldFleet(fx),
          fx.newManifests,
          everyPeer(members()),
        );
        const bad = log.find((entry) => entry.problems.length > 0);
        if (run.failed || bad) failing.push(`${roles.join(" → ")}: after ${bad?.after}: ${bad?.problems.join("; ")}`);
      }
      assert.deepEqual(failing, [], `these orders break the hand-over`);
    });

    it("without that dependency, the engine would run a member's Release with its Patches, and 18 of the 24 orders would break the hand-over", async () => {
      const program = withoutPatchDependencies(fx.migration);
      const loose = planSteps(fx.olds, program.news);
      const patchWave = loose.findIndex((w) => w.some((s) => PATCH_TYPES.has(s.type)));
      const failing: string[] = [];
      for (const roles of permutations([RELEASE_ROLE, ...PATCH_ROLES])) {
        const { run, log } = await play(inRoleOrder(loose, program, roles), program, oldFleet(fx), fx.newManifests, everyPeer(members()));
        const bad = log.find((entry) => entry.problems.length > 0);
        if (run.failed || bad) failing.push(roles.join(" → "));
      }
      assert.deepEqual(
        [
          names().map((member) => memberWrites(loose, program, member)),
          failing.length,
          failing.every((order) => !order.endsWith(RELEASE_ROLE)),
        ],
        [
          names().map(() => ({
            [RELEASE_ROLE]: `update values in wave ${patchWave}`,
            ...Object.fromEntries(PATCH_ROLES.map((role) => [role, `create in wave ${patchWave}`])),
          })),
          18,
          true,
        ],
      );
    });

    it("then lets a fourth member join with in-place updates of the existing members' Patches only, in either order on the new member", async () => {
      const joinWaves = planSteps(fx.migration.news, fx.join.news);
      const existing = new Set(names());
      const touched = joinWaves
        .flat()
        .filter((step) => step.op !== "same")
        .map((step) => [step, fx.join.byUrn.get(step.urn)!] as const)
        .filter(([, resource]) => !resource.urn.includes("cluster4"))
        .map(([step, resource]) => `${step.op} ${resource.type} ${resource.name} ${step.changed?.join(",")}`)
        .sort();
      const results: unknown[] = [];
      for (const order of ["patches", "releases"] as const) {
        const fleet = oldFleet(fx);
        await play(ordered(waves, "patches"), fx.migration, fleet, fx.newManifests, everyPeer(members()));
        const formerPeers = () => members().map((m): [string, string[]] => [m.name, names().filter((n) => n !== m.name)]);
        const { run, log } = await play(ordered(joinWaves, order), fx.join, fleet, fx.newManifests, formerPeers);
        const everyone = fx.join.members;
        results.push({
          failed: run.failed,
          problems: log.filter((entry) => entry.problems.length > 0),
          atTheEnd: everyPeer(everyone)().map(([m, peers]) => [m, problemsOf(fleet.get(m)!.kube, peers)]),
          objects: everyone.map((m) => liveObjects(fleet.get(m.name)!.kube, configOf(version, m, everyone))),
        });
      }
      const everyone = fx.join.members;
      const expected = {
        failed: undefined,
        problems: [],
        atTheEnd: everyone.map((m) => [m.name, []]),
        objects: everyone.map((m) => {
          const objects = expectedObjects(version, configOf(version, m, everyone));
          if (existing.has(m.name)) return objects;
          // The new member's objects were never the chart's: no Helm metadata on them.
          return objects.map((o) => ({
            ...o,
            metadata: {
              ...o.metadata,
              labels: peerConfigObjects(configOf(version, m, everyone)).find(
                (p) => p.kind === o.kind && p.metadata.name === o.metadata.name,
              )!.metadata.labels,
              annotations: { "helm.sh/resource-policy": "keep", "pulumi.com/patchForce": "true" },
            },
          }));
        }),
      };
      assert.deepEqual(
        [touched, results],
        [
          names()
            .flatMap((m) =>
              PATCH_ROLES.map(
                (role) =>
                  `update ${role === "remote-users" ? "kubernetes:core/v1:ConfigMapPatch" : "kubernetes:core/v1:SecretPatch"} ${FLEET}-${m}-${role} data`,
              ),
            )
            .sort(),
          [expected, expected],
        ],
      );
    });
  });
}
