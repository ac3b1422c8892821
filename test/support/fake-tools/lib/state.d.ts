// Types of the fake tools' shared state (store.js initialState, kind.js, docker.js, azure.js).

export interface CallRecord {
  tick: number;
  tool: "kind" | "docker" | "az" | "sleep" | "kubectl";
  args: string[];
  exit: number;
  /** The call was answered by an injected fault. */
  fault?: boolean;
}

export interface KindClusterRecord {
  name: string;
  /** The config text kind was given (stdin or file), as is. */
  config: string;
  parsed: {
    name?: string;
    nodes: { role: "control-plane" | "worker"; image?: string; labels?: Record<string, string> }[];
    networking: { podSubnet?: string; serviceSubnet?: string; kubeProxyMode?: string; disableDefaultCNI?: boolean; [key: string]: unknown };
  };
  /** Node container names. */
  nodes: string[];
  createdTick: number;
  /** Where kind would have written the kubeconfig (the fake writes nothing). */
  kubeconfigExportedTo: string;
}

export interface ContainerRecord {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  ports: Record<string, { HostIp: string; HostPort: string }[]>;
  /** Network name → the container's IPv4 address there ("" while stopped). */
  networks: Record<string, { ip: string }>;
  running: boolean;
  createdTick: number;
  startedTick?: number;
  finishedTick?: number;
  /** Files `docker exec <name> cat <path>` reads, by path (kind's /kind/kubeadm.conf). */
  files?: Record<string, string>;
}

export interface NetworkRecord {
  Name: string;
  Id: string;
  Driver: string;
  EnableIPv6: boolean;
  Subnet: string;
  Gateway: string;
  IPv6Subnet: string;
  IPv6Gateway: string;
  CreatedTick: number;
}

export interface AzureSettings {
  applyTicks: number;
  connectTicks: number;
  disconnectTicks: number;
  memberCreateLagCalls: number;
  memberUpdateLabels: "replace" | "merge";
  memberDeleteWhileMeshed: "allow" | "refuse";
}

export interface Subscription {
  id: string;
  name: string;
  tenantId: string;
}

export interface ResourceGroupRecord {
  id: string;
  name: string;
  location: string;
  subscription: string;
}

export interface ManagedClusterRecord {
  id: string;
  name: string;
  resourceGroup: string;
  subscription: string;
  location: string;
  provisioningState: string;
  /** Member-create calls still to be answered DependentResourceNotFound. */
  lagCalls: number;
  /** Then member-create calls still to be answered ManagedClusterNotInExpectedState. */
  notReadyCalls: number;
  createdTick: number;
}

export interface FleetRecord {
  id: string;
  name: string;
  resourceGroup: string;
  subscription: string;
  location: string;
  provisioningState: string;
}

export type MeshPhase = "joining" | "connected" | "failed" | "leaving";

export interface MemberRecord {
  id: string;
  name: string;
  fleetId: string;
  resourceGroup: string;
  subscription: string;
  clusterResourceId: string;
  labels: Record<string, string>;
  group?: string;
  provisioningState: string;
  /** Joins still to end Failed. */
  joinFailures: number;
  mesh?: { profileId: string; phase: MeshPhase; since: number; readyAt?: number; outcome?: "Connected" | "Failed" };
}

export interface ProfileRecord {
  id: string;
  name: string;
  fleetId: string;
  resourceGroup: string;
  subscription: string;
  memberSelector: { byLabel: string };
  provisioningState: string;
  operation?: { kind: "apply"; startedAt: number; doneAt: number };
}

export interface AzureStateRecord {
  settings: AzureSettings;
  account: {
    loggedIn: boolean;
    user: { name: string; type: string };
    defaultSubscription: string;
    subscriptions: Subscription[];
  };
  /** All keyed by lower-cased ARM id. */
  resourceGroups: Record<string, ResourceGroupRecord>;
  clusters: Record<string, ManagedClusterRecord>;
  fleets: Record<string, FleetRecord>;
  members: Record<string, MemberRecord>;
  profiles: Record<string, ProfileRecord>;
}

/** A Kubernetes cluster kubectl reaches (kubectl.js), keyed in the state by its server address. */
export interface KubernetesClusterRecord {
  /** The API server's address, as kubeconfigs name it (`https://10.0.0.1:6443`). */
  server: string;
  /** False: every call that needs the server fails as a refused connection. */
  answering: boolean;
  /** What `kubectl version` reports for the server (`v1.31.4`). */
  gitVersion: string;
  /** `<resource>/<namespace>/<name>` (namespace "" for nodes) → the object as `get -o json` prints it. */
  objects: Record<string, Record<string, any>>;
  /** `rollout restart` calls, in order. */
  restarts?: { tick: number; object: string }[];
}

export interface FakeState {
  version: 1;
  /** The logical clock: +1 per tool invocation, +N per `sleep N`. */
  clock: number;
  calls: CallRecord[];
  /** How much of the `sleeps` file the clock has taken in. */
  sleepsOffset: number;
  counters: { container: number; hostPort: number; network: number };
  kind: { version: string; defaultImage: string; clusters: Record<string, KindClusterRecord> };
  docker: {
    clientVersion: string;
    daemonRunning: boolean;
    /** The IPv4 subnet Docker gives the `kind` network when kind creates it. */
    kindSubnet: string;
    networks: Record<string, NetworkRecord>;
    containers: Record<string, ContainerRecord>;
  };
  azure: AzureStateRecord;
  /** Clusters kubectl reaches, by server address. */
  kubernetes: { clusters: Record<string, KubernetesClusterRecord> };
}

/** One injected failure: az's service-error form for `error` (a code), else stderr/stdout/exit as given. */
export interface Fault {
  /** How many matching calls it answers (default 1). */
  times?: number;
  /** az: an error code printed as `(Code) message`; kind/docker: a prefix of the message. */
  error?: string;
  message?: string;
  /** az: 404 makes the exit code 3. */
  status?: number;
  exit?: number;
  stderr?: string;
  stdout?: string;
}

/** Command prefix (`az fleet member create`) → the faults it fires, in order. */
export type Faults = Record<string, Fault[]>;
