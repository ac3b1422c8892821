// What Cilium will run with, read out of a rendered chart: the parts that make or break Cluster Mesh.
// Object names and layouts are those of cilium/cilium install/kubernetes/cilium/templates/ (per chart
// version, as packaged in cilium/charts): clustermesh-config/, clustermesh-apiserver/ and cilium-configmap.yaml.
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

/** The mesh-relevant parts of one render; a part the chart does not render is left out. */
export interface MeshView {
  /** `cluster-name` and `cluster-id` of ConfigMap `cilium-config`. */
  identity: { "cluster-name": string; "cluster-id": string };
  /** Secret `cilium-clustermesh` (what the agents dial), decoded. */
  clustermeshSecret?: Record<string, EtcdConfig>;
  /** Secret `cilium-kvstoremesh` (what KVStoreMesh dials), decoded. */
  kvstoremeshSecret?: Record<string, EtcdConfig>;
  /** hostAliases of the clustermesh-apiserver Deployment. */
  apiserverHostAliases?: HostAlias[];
  /** hostAliases of the agent DaemonSet `cilium`. */
  agentHostAliases?: HostAlias[];
  /** Service `clustermesh-apiserver`. */
  apiserverService?: ApiserverService;
  /** The etcd users of ConfigMap `clustermesh-remote-users`. */
  remoteUsers?: string[];
  /** The certificates of CronJob `clustermesh-apiserver-generate-certs`. */
  certgen?: CertgenCert[];
}

/** The parts of a view, in the order problems are reported. */
const VIEW_PARTS: Array<keyof MeshView> = [
  "identity",
  "clustermeshSecret",
  "kvstoremeshSecret",
  "apiserverHostAliases",
  "agentHostAliases",
  "apiserverService",
  "remoteUsers",
  "certgen",
];

function find(objects: readonly K8sObject[], kind: string, name: string): any {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

/** Drops the keys whose value is undefined, so views compare with deepStrictEqual. */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function decodedSecret(objects: readonly K8sObject[], name: string): Record<string, EtcdConfig> | undefined {
  const secret = find(objects, "Secret", name);
  if (!secret) return undefined;
  const data = (secret.data ?? {}) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, parse(Buffer.from(value, "base64").toString("utf8")) as EtcdConfig]),
  );
}

function podHostAliases(objects: readonly K8sObject[], kind: string, name: string): HostAlias[] | undefined {
  return find(objects, kind, name)?.spec.template.spec.hostAliases;
}

function apiserverService(objects: readonly K8sObject[]): ApiserverService | undefined {
  const service = find(objects, "Service", "clustermesh-apiserver");
  if (!service) return undefined;
  const { type, ports, loadBalancerIP } = service.spec;
  return defined({ type, ports, loadBalancerIP, annotations: service.metadata.annotations });
}

function remoteUsers(objects: readonly K8sObject[]): string[] | undefined {
  const users = find(objects, "ConfigMap", "clustermesh-remote-users");
  if (!users) return undefined;
  return (
    (parse(users.data["users.yaml"]) as { users: Array<{ name: string; role: string }> | null }).users?.map((u) => `${u.name}:${u.role}`) ??
    []
  );
}

function certgen(objects: readonly K8sObject[]): CertgenCert[] | undefined {
  const cronJob = find(objects, "CronJob", "clustermesh-apiserver-generate-certs");
  if (!cronJob) return undefined;
  const [container] = cronJob.spec.jobTemplate.spec.template.spec.containers as Array<{ env: Array<{ name: string; value: string }> }>;
  const config = container.env.find((e) => e.name === "CILIUM_CERTGEN_CONFIG");
  return (parse(config!.value) as { certs: CertgenCert[] }).certs;
}

/** The mesh view of one rendered chart. */
export function meshView(objects: readonly K8sObject[]): MeshView {
  const config = find(objects, "ConfigMap", "cilium-config");
  if (!config) throw new Error("the render has no ConfigMap cilium-config");
  return defined({
    identity: { "cluster-name": config.data["cluster-name"], "cluster-id": config.data["cluster-id"] },
    clustermeshSecret: decodedSecret(objects, "cilium-clustermesh"),
    kvstoremeshSecret: decodedSecret(objects, "cilium-kvstoremesh"),
    apiserverHostAliases: podHostAliases(objects, "Deployment", "clustermesh-apiserver"),
    agentHostAliases: podHostAliases(objects, "DaemonSet", "cilium"),
    apiserverService: apiserverService(objects),
    remoteUsers: remoteUsers(objects),
    certgen: certgen(objects),
  });
}

/** Each part of the view that differs from what was expected, as a sentence; [] when the render is right. */
export function meshProblems(rendered: MeshView, expected: MeshView): string[] {
  return VIEW_PARTS.filter((part) => !isDeepStrictEqual(rendered[part], expected[part])).map(
    (part) => `${part}: rendered ${JSON.stringify(rendered[part]) ?? "nothing"}, expected ${JSON.stringify(expected[part]) ?? "nothing"}`,
  );
}
