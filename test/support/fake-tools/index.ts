// The fake-tool harness for tests: fake `kind`, `docker`, `az` (and `sleep`) executables that keep
// one state on a logical clock (lib/*.js; the models and their upstream sources are described at
// the top of each), and this API to make a fresh state, seed it, inject faults, read it, restart
// containers, and get the environment that puts the fakes first on PATH.
//
//   const tools = FakeTools.create({ kindSubnet: "172.19.0.0/16" });
//   const { stdout } = await tools.run("kind get clusters");
//   tools.injectFaults({ "az fleet member create": [{ times: 2, error: "DependentResourceNotFound" }] });
//   tools.restartContainers(["a-control-plane", "b-control-plane"], ["b-control-plane", "a-control-plane"]);
//   tools.remove();
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as azure from "./lib/azure";
import * as docker from "./lib/docker";
import * as store from "./lib/store";
import type { AzureSettings, CallRecord, FakeState, Faults, KubernetesClusterRecord, MemberRecord, ProfileRecord } from "./lib/state";

export type {
  AzureSettings,
  CallRecord,
  ContainerRecord,
  FakeState,
  Fault,
  Faults,
  KindClusterRecord,
  KubernetesClusterRecord,
  MemberRecord,
  ProfileRecord,
} from "./lib/state";
export { AzureError } from "./lib/azure";

/** The directory of the fake executables. */
export const FAKE_BIN = path.join(__dirname, "bin");

export interface FakeToolsOptions {
  /** Where the state directory is made. @default os.tmpdir() */
  parent?: string;
  /** The IPv4 subnet Docker gives the `kind` network when kind first creates it. @default "172.18.0.0/16" */
  kindSubnet?: string;
  /** Azure model settings (ticks of slow operations, lag of new clusters, label semantics). */
  azure?: Partial<AzureSettings>;
  /** Any other change to the initial state, before a tool runs. */
  seed?: (state: FakeState) => void;
}

export interface ScriptResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `args[0]` with `args.slice(1)`, feeding `stdin`; collects what it prints. */
export function runProcess(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; stdin?: string },
): Promise<ScriptResult & { combined: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(args[0], args.slice(1), {
      env: options.env,
      cwd: options.cwd,
      stdio: [options.stdin !== undefined && options.stdin.length > 0 ? "pipe" : "ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let combined = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      combined += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      combined += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ stdout, stderr, combined, exitCode: code ?? (signal ? 128 : 1) }));
    if (child.stdin) child.stdin.end(options.stdin);
  });
}

/** One fake environment: a state directory the fake tools share, and the API over it. */
export class FakeTools {
  readonly binDir = FAKE_BIN;
  readonly azure: FakeAzureState;

  private constructor(readonly dir: string) {
    this.azure = new FakeAzureState(dir);
  }

  /** A fresh state directory with the initial state, changed by `options`. */
  static create(options: FakeToolsOptions = {}): FakeTools {
    const dir = fs.mkdtempSync(path.join(options.parent ?? os.tmpdir(), "fleetmesh-fake-tools-"));
    const state = store.initialState();
    if (options.kindSubnet !== undefined) {
      docker.parseCidr(options.kindSubnet);
      state.docker.kindSubnet = options.kindSubnet;
    }
    Object.assign(state.azure.settings, options.azure ?? {});
    options.seed?.(state);
    store.writeState(dir, state);
    store.writeFaults(dir, {});
    return new FakeTools(dir);
  }

  /** The environment to run scripts with: the fakes first on PATH, the state directory set. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { ...process.env, ...extra, PATH: `${FAKE_BIN}${path.delimiter}${process.env.PATH ?? ""}`, FLEETMESH_FAKE_STATE: this.dir };
  }

  /** Runs a shell script (`/bin/sh -c`, as pulumi-command does by default) against the fakes. */
  async run(script: string, options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<ScriptResult> {
    const { stdout, stderr, exitCode } = await runProcess(["/bin/sh", "-c", script], {
      env: this.env(options.env),
      cwd: options.cwd,
      stdin: options.stdin,
    });
    return { stdout, stderr, exitCode };
  }

  /** A snapshot of the state (sleeps so far counted on the clock). */
  state(): FakeState {
    return store.update(this.dir, (s) => s);
  }

  /** Changes the state under the lock the tools take. */
  update<T>(fn: (state: FakeState) => T): T {
    return store.update(this.dir, fn);
  }

  /** Moves the logical clock on by `ticks` (as `sleep` does in a script). */
  advance(ticks: number): number {
    return this.update((s) => (s.clock += ticks));
  }

  /** Adds faults behind those already waiting (same prefix: fired after them). */
  injectFaults(faults: Faults): void {
    store.withLock(this.dir, () => {
      const current = store.readFaults(this.dir);
      for (const [prefix, list] of Object.entries(faults)) current[prefix] = [...(current[prefix] ?? []), ...list.map((f) => ({ ...f }))];
      store.writeFaults(this.dir, current);
    });
  }

  /** The faults not fired yet. */
  faults(): Faults {
    return store.readFaults(this.dir);
  }

  /** The calls made so far, of one tool or all. */
  calls(tool?: CallRecord["tool"]): CallRecord[] {
    const calls = this.state().calls;
    return tool ? calls.filter((c) => c.tool === tool) : calls;
  }

  /**
   * What a Docker restart does to these containers: all stop, then they start in `startOrder`
   * (default: as named), each taking the lowest free address, so their addresses can move.
   */
  restartContainers(
    names: string[],
    startOrder: string[] = names,
  ): Record<string, { before: Record<string, string>; after: Record<string, string> }> {
    return this.update((s) => docker.restartContainers(s, names, startOrder));
  }

  /** A container's IPv4 address on `network` ("" while stopped; undefined when there is no such container). */
  containerAddress(name: string, network = "kind"): string | undefined {
    return this.state().docker.containers[name]?.networks[network]?.ip;
  }

  /** Stops or starts the Docker daemon: while stopped, docker and kind fail as they do without one. */
  setDockerRunning(running: boolean): void {
    this.update((s) => (s.docker.daemonRunning = running));
  }

  /**
   * A Kubernetes cluster kubectl reaches at `server` (kubectl.js): answering, at `gitVersion`, with
   * `objects` keyed `<resource>/<namespace>/<name>` (`configmaps/kube-system/cilium-config`).
   */
  kubernetesCluster(server: string, seed: Partial<Omit<KubernetesClusterRecord, "server">> = {}): KubernetesClusterRecord {
    const cluster: KubernetesClusterRecord = { server, answering: true, gitVersion: "v1.31.4", objects: {}, ...seed };
    return this.update((s) => ((s.kubernetes ??= { clusters: {} }).clusters[server] = cluster));
  }

  /** The cluster kubectl reaches at `server`, as it is now. */
  kubernetes(server: string): KubernetesClusterRecord | undefined {
    return this.state().kubernetes?.clusters[server];
  }

  /** Deletes the state directory. */
  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

interface InFleet {
  resourceGroup: string;
  fleet: string;
  name: string;
  subscription?: string;
}

/**
 * The fake Azure, as ARM-resource mocks and tests reach it: the same state and the same rules as
 * the fake `az` (lib/azure.js), so a FleetMember written by a mock is what `az fleet member show`
 * prints. Methods throw AzureError (code and HTTP status) where ARM would refuse. They do not move
 * the clock; `FakeTools.advance` does.
 */
export class FakeAzureState {
  constructor(private readonly dir: string) {}

  private apply<T>(fn: (state: FakeState, subscription: string) => T, subscription?: string): T {
    return store.update(this.dir, (state) => {
      azure.settle(state);
      return fn(state, subscription ?? state.azure.account.defaultSubscription);
    });
  }

  /** The default subscription's id. */
  get subscription(): string {
    return store.readState(this.dir).azure.account.defaultSubscription;
  }

  settings(patch: Partial<AzureSettings>): AzureSettings {
    return this.apply((s) => Object.assign(s.azure.settings, patch));
  }

  resourceGroup(name: string, options: { location?: string; subscription?: string } = {}): string {
    return this.apply((s, sub) => azure.putResourceGroup(s, { subscription: sub, name, location: options.location }), options.subscription);
  }

  /** An AKS cluster; `lagCalls` member-create calls see DependentResourceNotFound (default: the setting). */
  managedCluster(args: {
    resourceGroup: string;
    name: string;
    location?: string;
    lagCalls?: number;
    notReadyCalls?: number;
    subscription?: string;
  }): string {
    return this.apply((s, sub) => azure.putManagedCluster(s, { ...args, subscription: sub }), args.subscription);
  }

  deleteManagedCluster(id: string): void {
    this.apply((s) => azure.deleteManagedCluster(s, id));
  }

  fleet(args: { resourceGroup: string; name: string; location?: string; subscription?: string }): string {
    return this.apply((s, sub) => azure.putFleet(s, { ...args, subscription: sub }), args.subscription);
  }

  /** `PUT` a FleetMember, with the Fleet RP's checks of its cluster (DependentResourceNotFound...). */
  createMember(
    args: InFleet & { clusterResourceId: string; labels?: Record<string, string>; group?: string; joinFailures?: number },
  ): MemberRecord {
    return this.apply((s, sub) => azure.createMember(s, { ...args, subscription: sub }), args.subscription);
  }

  updateMember(args: InFleet & { labels?: Record<string, string>; group?: string }): MemberRecord {
    return this.apply((s, sub) => azure.updateMember(s, { ...args, subscription: sub }), args.subscription);
  }

  /** True when it existed (a delete of an absent member succeeds too). */
  deleteMember(args: InFleet): boolean {
    return this.apply((s, sub) => azure.deleteMember(s, { ...args, subscription: sub }), args.subscription);
  }

  member(args: InFleet): MemberRecord | undefined {
    return this.apply(
      (s, sub) => s.azure.members[azure.key(azure.ids.member(sub, args.resourceGroup, args.fleet, args.name))],
      args.subscription,
    );
  }

  /** Every member of the fleet, by name. */
  members(args: Omit<InFleet, "name">): MemberRecord[] {
    return this.apply((s, sub) => azure.fleetMembers(s, azure.ids.fleet(sub, args.resourceGroup, args.fleet)), args.subscription);
  }

  /** A member's meshProperties.status.state (Connecting, Connected, Failed, Disconnecting), undefined outside a mesh. */
  meshState(args: InFleet): string | undefined {
    const member = this.member(args);
    return member ? azure.memberMeshState(member) : undefined;
  }

  putProfile(args: InFleet & { memberSelector: string }): ProfileRecord {
    return this.apply((s, sub) => azure.putProfile(s, { ...args, subscription: sub }), args.subscription);
  }

  applyProfile(args: InFleet): ProfileRecord {
    return this.apply((s, sub) => azure.applyProfile(s, { ...args, subscription: sub }), args.subscription);
  }

  deleteProfile(args: InFleet): boolean {
    return this.apply((s, sub) => azure.deleteProfile(s, { ...args, subscription: sub }), args.subscription);
  }

  /** The profile as `az fleet clustermeshprofile show` prints it; undefined when absent. */
  profile(args: InFleet): Record<string, unknown> | undefined {
    return this.apply((s, sub) => {
      const found = s.azure.profiles[azure.key(azure.ids.profile(sub, args.resourceGroup, args.fleet, args.name))];
      return found ? azure.profileView(s, found) : undefined;
    }, args.subscription);
  }

  /** Any modelled resource as `az resource show --ids` prints it (throws ResourceNotFound when absent). */
  show(id: string): Record<string, unknown> {
    return this.apply((s) => azure.armView(s, id));
  }

  /**
   * A resource group, a fleet, and per member an AKS cluster (seen by the Fleet RP at once) and a
   * FleetMember with the labels given: the starting point of mesh tests.
   */
  fleetWithMembers(args: {
    resourceGroup: string;
    fleet: string;
    members: Record<string, Record<string, string>>;
    subscription?: string;
  }): {
    fleetId: string;
    members: Record<string, MemberRecord>;
  } {
    return this.apply((s, sub) => {
      azure.putResourceGroup(s, { subscription: sub, name: args.resourceGroup });
      const fleetId = azure.putFleet(s, { subscription: sub, resourceGroup: args.resourceGroup, name: args.fleet });
      const members: Record<string, MemberRecord> = {};
      for (const [name, labels] of Object.entries(args.members)) {
        const clusterResourceId = azure.putManagedCluster(s, {
          subscription: sub,
          resourceGroup: args.resourceGroup,
          name: `${name}-aks`,
          lagCalls: 0,
        });
        members[name] = azure.createMember(s, {
          subscription: sub,
          resourceGroup: args.resourceGroup,
          fleet: args.fleet,
          name,
          clusterResourceId,
          labels,
        });
      }
      return { fleetId, members };
    }, args.subscription);
  }
}
