// What Cilium will run with on one member, read out of the two things that put it there: the chart
// as Helm renders it from the member's values, and the peer objects fleetmesh writes beside the
// release (components/core/cilium/peer-config.ts: Secrets `cilium-clustermesh` and `cilium-kvstoremesh`
// and the users ConfigMap). Object names and layouts are those of cilium/cilium
// install/kubernetes/cilium/templates/ (per chart version, as packaged in cilium/charts):
// clustermesh-config/, clustermesh-apiserver/, cilium-agent/daemonset.yaml, cilium-operator/deployment.yaml
// and cilium-configmap.yaml.
import { isDeepStrictEqual } from "util";
import { parse } from "yaml";
import { K8sObject } from "./helm-template";

/** One remote cluster's etcd client configuration (a key of `cilium-clustermesh` / `cilium-kvstoremesh`). */
export interface EtcdConfig {
  endpoints: string[];
  "trusted-ca-file": string;
  "key-file": string;
  "cert-file": string;
  /** Chart 1.20: the peer's IPs, for the static dialer that replaces Kubernetes host aliases. */
  "cilium-host-aliases"?: Array<{ hostname: string; ips: string[] }>;
}

export interface HostAlias {
  ip: string;
  hostnames: string[];
}

/** One certificate the clustermesh-apiserver cert job issues (its `CILIUM_CERTGEN_CONFIG`). */
export interface CertgenCert {
  name: string;
  namespace: string;
  commonName: string;
  hosts?: string[];
  usage: string[];
  validity: string;
}

export interface ApiserverService {
  type: string;
  ports: Array<{ port: number; nodePort?: number }>;
  loadBalancerIP?: string;
  annotations?: Record<string, string>;
}

/**
 * How a pod gets one of the peer Secrets. Projected without `items` and `optional`, a key added to the
 * Secret becomes a file in the running pod (the kubelet refreshes projected volumes in place), which
 * Cilium's config directory watcher picks up (cilium/cilium pkg/clustermesh/common/config.go): no restart.
 */
export interface PeerSecretMount {
  projected: boolean;
  optional?: boolean;
  items?: unknown[];
}

/** The etcd users file the clustermesh-apiserver reads (its last `--cluster-users-config-path`), and the ConfigMap behind it. */
export interface UsersFile {
  path: string;
  configMap?: string;
}

/** The mesh-relevant parts of what one member runs with; a part nothing provides is left out. */
export interface MeshView {
  /** `cluster-name` and `cluster-id` of ConfigMap `cilium-config`. */
  identity: { "cluster-name": string; "cluster-id": string };
  /** Which of the objects that carry peers the chart itself renders (`<kind> <name>`, sorted). */
  chartRendered: string[];
  /** Secret `cilium-clustermesh` (what the agents dial), decoded. */
  clustermeshSecret?: Record<string, EtcdConfig>;
  /** Secret `cilium-kvstoremesh` (what KVStoreMesh dials), decoded. */
  kvstoremeshSecret?: Record<string, EtcdConfig>;
  /** hostAliases of the clustermesh-apiserver Deployment. */
  apiserverHostAliases?: HostAlias[];
  /** hostAliases of the agent DaemonSet `cilium`. */
  agentHostAliases?: HostAlias[];
  /** Per workload (`<kind> <name>`), how it mounts the peer Secrets. */
  peerSecretMounts: Record<string, Record<string, PeerSecretMount>>;
  /** Containers of the clustermesh-apiserver Deployment (`kvstoremesh` is KVStoreMesh). */
  apiserverContainers?: string[];
  /** Service `clustermesh-apiserver`. */
  apiserverService?: ApiserverService;
  /** Where the clustermesh-apiserver reads its etcd users (absent: `tls.authMode` legacy, no users file). */
  usersFile?: UsersFile;
  /** The etcd users of that file (`<name>:<role>`). */
  remoteUsers?: string[];
  /** The certificates of CronJob `clustermesh-apiserver-generate-certs` (renewals). */
  certgen?: CertgenCert[];
  /** The certificates of the Job that issues them at install (`clustermesh-apiserver-generate-certs[-<hash>]`). */
  certgenJob?: CertgenCert[];
}

/** What one member runs with: its chart version, the chart's render, and the peer objects fleetmesh writes. */
export interface MemberRun {
  version: string;
  render: readonly K8sObject[];
  peerObjects: readonly K8sObject[];
}

/** The parts of a view, in the order problems are reported. */
export const VIEW_PARTS: Array<keyof MeshView> = [
  "identity",
  "chartRendered",
  "clustermeshSecret",
  "kvstoremeshSecret",
  "apiserverHostAliases",
  "agentHostAliases",
  "peerSecretMounts",
  "apiserverContainers",
  "apiserverService",
  "usersFile",
  "remoteUsers",
  "certgen",
  "certgenJob",
];

export const CLUSTERMESH_SECRET = "cilium-clustermesh";
export const KVSTOREMESH_SECRET = "cilium-kvstoremesh";
const PEER_SECRETS = [CLUSTERMESH_SECRET, KVSTOREMESH_SECRET];
/** The users ConfigMap names: the chart's, and fleetmesh's own on charts ≤ 1.18. */
const USERS_CONFIGMAPS = ["clustermesh-remote-users", "fleetmesh-remote-users"];
/** The workloads that may mount the peer Secrets. */
export const PEER_WORKLOADS = ["DaemonSet cilium", "Deployment cilium-operator", "Deployment clustermesh-apiserver"];
const CERTGEN = "clustermesh-apiserver-generate-certs";

export function find(objects: readonly K8sObject[], kind: string, name: string): any {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

/** Drops the keys whose value is undefined, so views compare with deepStrictEqual. */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A Secret's files, decoded and parsed as etcd configs. */
export function decodedSecret(secret: any): Record<string, EtcdConfig> | undefined {
  if (!secret) return undefined;
  const data = (secret.data ?? {}) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, parse(Buffer.from(value, "base64").toString("utf8")) as EtcdConfig]),
  );
}

/** The users of a users ConfigMap, `<name>:<role>`, sorted (etcd users are a set). */
export function usersOf(configMap: any): string[] | undefined {
  if (!configMap) return undefined;
  const users = (parse(configMap.data?.["users.yaml"] ?? "") as { users?: Array<{ name: string; role: string }> | null } | null)?.users;
  return (users ?? []).map((u) => `${u.name}:${u.role}`).sort();
}

/** fleetmesh's object of that kind and name when it writes one, else the chart's. */
function live(run: Pick<MemberRun, "render" | "peerObjects">, kind: string, name: string): any {
  return find(run.peerObjects, kind, name) ?? find(run.render, kind, name);
}

function podSpec(objects: readonly K8sObject[], workload: string): any {
  const [kind, name] = workload.split(" ");
  return find(objects, kind, name)?.spec.template.spec;
}

function podHostAliases(objects: readonly K8sObject[], workload: string): HostAlias[] | undefined {
  return podSpec(objects, workload)?.hostAliases;
}

/** Every volume of the workload that brings one of the peer Secrets, per Secret. */
function peerSecretMounts(objects: readonly K8sObject[]): MeshView["peerSecretMounts"] {
  const mounts: MeshView["peerSecretMounts"] = {};
  for (const workload of PEER_WORKLOADS) {
    const found: Record<string, PeerSecretMount> = {};
    for (const volume of (podSpec(objects, workload)?.volumes ?? []) as any[]) {
      if (PEER_SECRETS.includes(volume.secret?.secretName)) {
        const { optional, items } = volume.secret;
        found[volume.secret.secretName] = defined({ projected: false, optional, items });
      }
      for (const source of (volume.projected?.sources ?? []) as any[]) {
        if (!PEER_SECRETS.includes(source.secret?.name)) continue;
        const { optional, items } = source.secret;
        found[source.secret.name] = defined({ projected: true, optional, items });
      }
    }
    if (Object.keys(found).length > 0) mounts[workload] = found;
  }
  return mounts;
}

function apiserverService(objects: readonly K8sObject[]): ApiserverService | undefined {
  const service = find(objects, "Service", "clustermesh-apiserver");
  if (!service) return undefined;
  const { type, ports, loadBalancerIP } = service.spec;
  return defined({ type, ports, loadBalancerIP, annotations: service.metadata.annotations });
}

/**
 * The users file: the apiserver container's LAST `--cluster-users-config-path` (a repeated string flag
 * keeps its last value: spf13/pflag), and the ConfigMap of the volume mounted over its folder.
 */
function usersFile(objects: readonly K8sObject[]): UsersFile | undefined {
  const pod = podSpec(objects, "Deployment clustermesh-apiserver");
  const container = (pod?.containers ?? []).find((c: any) => c.name === "apiserver");
  const args = (container?.args ?? []) as string[];
  if (!args.includes("--cluster-users-enabled")) return undefined;
  const flag = "--cluster-users-config-path=";
  const path = args
    .filter((a) => a.startsWith(flag))
    .pop()
    ?.slice(flag.length);
  if (path === undefined) return undefined;
  const mount = ((container.volumeMounts ?? []) as Array<{ name: string; mountPath: string }>)
    .filter((m) => path.startsWith(`${m.mountPath.replace(/\/$/, "")}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  const volume = mount && (pod.volumes ?? []).find((v: any) => v.name === mount.name);
  return defined({ path, configMap: volume?.configMap?.name });
}

function certsOf(podTemplate: any): CertgenCert[] | undefined {
  const containers = (podTemplate?.spec.containers ?? []) as Array<{ env?: Array<{ name: string; value: string }> }>;
  const config = containers.flatMap((c) => c.env ?? []).find((e) => e.name === "CILIUM_CERTGEN_CONFIG");
  return config && (parse(config.value) as { certs: CertgenCert[] }).certs;
}

function certgen(objects: readonly K8sObject[]): CertgenCert[] | undefined {
  return certsOf(find(objects, "CronJob", CERTGEN)?.spec.jobTemplate.spec.template);
}

/** Charts ≤ 1.18 name the Job like the CronJob; 1.19+ add a hash of its config. */
function certgenJob(objects: readonly K8sObject[]): CertgenCert[] | undefined {
  const job: any = objects.find((o) => o.kind === "Job" && (o.metadata.name === CERTGEN || o.metadata.name.startsWith(`${CERTGEN}-`)));
  return certsOf(job?.spec.template);
}

/** The objects that carry peers which the chart renders itself. */
function chartRendered(objects: readonly K8sObject[]): string[] {
  const names = [...PEER_SECRETS.map((n) => ["Secret", n]), ...USERS_CONFIGMAPS.map((n) => ["ConfigMap", n])];
  return names
    .filter(([kind, name]) => find(objects, kind, name))
    .map(([kind, name]) => `${kind} ${name}`)
    .sort();
}

/** The mesh view of one member: its chart's render plus the peer objects fleetmesh writes. */
export function meshView(run: Pick<MemberRun, "render" | "peerObjects">): MeshView {
  const objects = run.render;
  const config = find(objects, "ConfigMap", "cilium-config");
  if (!config) throw new Error("the render has no ConfigMap cilium-config");
  const users = usersFile(objects);
  return defined({
    identity: { "cluster-name": config.data["cluster-name"], "cluster-id": config.data["cluster-id"] },
    chartRendered: chartRendered(objects),
    clustermeshSecret: decodedSecret(live(run, "Secret", CLUSTERMESH_SECRET)),
    kvstoremeshSecret: decodedSecret(live(run, "Secret", KVSTOREMESH_SECRET)),
    apiserverHostAliases: podHostAliases(objects, "Deployment clustermesh-apiserver"),
    agentHostAliases: podHostAliases(objects, "DaemonSet cilium"),
    peerSecretMounts: peerSecretMounts(objects),
    apiserverContainers: podSpec(objects, "Deployment clustermesh-apiserver")?.containers.map((c: { name: string }) => c.name),
    apiserverService: apiserverService(objects),
    usersFile: users,
    remoteUsers: users?.configMap !== undefined ? usersOf(live(run, "ConfigMap", users.configMap)) : undefined,
    certgen: certgen(objects),
    certgenJob: certgenJob(objects),
  });
}

/** Each part of the view that differs from what was expected, as a sentence; [] when it is right. */
export function meshProblems(rendered: MeshView, expected: MeshView): string[] {
  return VIEW_PARTS.filter((part) => !isDeepStrictEqual(rendered[part], expected[part])).map(
    (part) => `${part}: rendered ${JSON.stringify(rendered[part]) ?? "nothing"}, expected ${JSON.stringify(expected[part]) ?? "nothing"}`,
  );
}
