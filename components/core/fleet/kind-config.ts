// The kind cluster config (kind.x-k8s.io/v1alpha4 `Cluster`) of one kind member, its YAML text and
// the hash fleetmesh uses as a replacement trigger (a kind cluster cannot be changed in place).
//
// Shape and field order follow kind's `pkg/apis/config/v1alpha4` types: `Cluster{kind, apiVersion,
// name, nodes, networking}`, `Node{role, image}`, `Networking{podSubnet, serviceSubnet,
// disableDefaultCNI, kubeProxyMode}`. kindnet is always disabled (Cilium is the CNI), and
// `kubeProxyMode: none` (accepted by kind as `NoneProxyMode`, skips the kube-proxy addon) is what
// Cilium with `kubeProxyReplacement: true` needs (kubernetes-sigs/kind pkg/internal/apis/config/types.go;
// cilium/cilium Documentation/installation/kind.rst).
//
// Pure: no Pulumi import.

import { createHash } from "crypto";
import { stringify } from "yaml";

export const KIND_API_VERSION = "kind.x-k8s.io/v1alpha4";

/** kube-proxy modes kind accepts: the public v1alpha4 consts plus the internal `none`. */
export const KUBE_PROXY_MODES = ["iptables", "ipvs", "nftables", "none"] as const;
export type KubeProxyMode = (typeof KUBE_PROXY_MODES)[number];

export interface KindClusterConfigInput {
  /** kind cluster name (= member name); nodes become docker containers `<name>-control-plane`, `<name>-worker`, … */
  name: string;
  /** `networking.podSubnet`, unique per cluster (kind's default 10.244.0.0/16 is the same everywhere). */
  podSubnet: string;
  /** `networking.serviceSubnet`, unique per cluster (kind's default 10.96.0.0/16 is the same everywhere). */
  serviceSubnet: string;
  /** Number of worker nodes besides the single control-plane node; a non-negative integer. */
  workers: number;
  /** `kindest/node` image for every node, e.g. "kindest/node:v1.32.2@sha256:…"; kind's default when absent. */
  nodeImage?: string;
  /** "none" when Cilium replaces kube-proxy. */
  kubeProxyMode: KubeProxyMode;
  /**
   * Kubernetes labels kind puts on every node (v1alpha4 `Node.labels`): fleetmesh marks the stack
   * that owns the cluster this way.
   * @default none
   */
  nodeLabels?: Record<string, string>;
}

export type KindNodeRole = "control-plane" | "worker";

export interface KindNode {
  role: KindNodeRole;
  image?: string;
  labels?: Record<string, string>;
}

export interface KindNetworking {
  podSubnet: string;
  serviceSubnet: string;
  disableDefaultCNI: true;
  kubeProxyMode: KubeProxyMode;
}

export interface KindClusterConfig {
  kind: "Cluster";
  apiVersion: typeof KIND_API_VERSION;
  name: string;
  nodes: KindNode[];
  networking: KindNetworking;
}

/**
 * Builds the kind `Cluster` object: one control-plane node plus `workers` worker nodes, each with
 * `image` when `nodeImage` is given. Throws a RangeError on a bad worker count or kube-proxy mode
 * (validateFleet reports those for user input; this guards programming errors).
 */
export function kindClusterConfig(input: KindClusterConfigInput): KindClusterConfig {
  if (!Number.isInteger(input.workers) || input.workers < 0) {
    const shown = typeof input.workers === "number" ? String(input.workers) : JSON.stringify(input.workers);
    throw new RangeError(`kind workers ${shown} is invalid: must be a non-negative integer`);
  }
  if (!(KUBE_PROXY_MODES as readonly string[]).includes(input.kubeProxyMode)) {
    throw new RangeError(`invalid kubeProxyMode: ${JSON.stringify(input.kubeProxyMode)} (kind accepts ${KUBE_PROXY_MODES.join(", ")})`);
  }
  const roles: KindNodeRole[] = ["control-plane", ...Array.from({ length: input.workers }, (): KindNodeRole => "worker")];
  return {
    kind: "Cluster",
    apiVersion: KIND_API_VERSION,
    name: input.name,
    nodes: roles.map((role) => kindNode(role, input.nodeImage, input.nodeLabels)),
    networking: {
      podSubnet: input.podSubnet,
      serviceSubnet: input.serviceSubnet,
      disableDefaultCNI: true,
      kubeProxyMode: input.kubeProxyMode,
    },
  };
}

/** The nodes of a kind member: its one control-plane node and its workers. */
export function kindNodeCount(workers: number): number {
  return 1 + workers;
}

function kindNode(role: KindNodeRole, image: string | undefined, labels: Record<string, string> | undefined): KindNode {
  return {
    role,
    ...(image !== undefined && { image }),
    ...(labels !== undefined && Object.keys(labels).length > 0 && { labels: { ...labels } }),
  };
}

// ---- rendering ----

/** Key order per object level, from kind's Go structs; keys not listed follow, sorted by code unit. */
const KEY_ORDER: readonly string[] = [
  "kind",
  "apiVersion",
  "name",
  "role",
  "image",
  "labels",
  "nodes",
  "networking",
  "ipFamily",
  "apiServerPort",
  "apiServerAddress",
  "podSubnet",
  "serviceSubnet",
  "disableDefaultCNI",
  "kubeProxyMode",
];

function keyRank(key: string): number {
  const rank = KEY_ORDER.indexOf(key);
  return rank < 0 ? KEY_ORDER.length : rank;
}

function compareKeys(a: string, b: string): number {
  const byRank = keyRank(a) - keyRank(b);
  if (byRank !== 0) return byRank;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A copy with every mapping's keys in canonical order and undefined members dropped. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => compareKeys(a, b));
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
}

/**
 * The YAML text of a kind config, byte-for-byte the same for equal objects whatever their key
 * insertion order. Strings are emitted with the YAML 1.1 schema, so values that a YAML 1.1 reader
 * (kind's sigs.k8s.io/yaml) would turn into booleans or numbers (`on`, `no`, `0777`, …) are quoted.
 */
export function renderKindConfig(config: KindClusterConfig): string {
  return stringify(canonical(config), { version: "1.1", indentSeq: false, lineWidth: 0 });
}

/** sha256 (hex) of the rendered config text: a replacement trigger for the kind cluster. */
export function kindConfigHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
