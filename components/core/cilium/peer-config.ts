// Mesh membership as data: the three objects through which one member knows its peers, written
// directly instead of through the Cilium chart, so that a member joining or leaving a mesh changes
// only these objects on the other members (no Helm upgrade, no pod template change).
// Pure: no Pulumi import (components/core/ rule).
//
// What Cilium reads, cited short: chart files are relative to cilium/cilium install/kubernetes/cilium/
// (as packaged per version in cilium/charts).
// - Secret `cilium-clustermesh`: one etcd config file per peer for the agents and the operator, which
//   with KVStoreMesh all point at the member's own clustermesh-apiserver (templates/clustermesh-config/
//   clustermesh-secret.yaml and _helpers.tpl `clustermesh-config-generate-etcd-cfg`, override branch).
//   The Secret is projected without `items` and `optional: true` (templates/cilium-agent/daemonset.yaml,
//   templates/cilium-operator/deployment.yaml), so a new key is a new file and no pod restarts.
// - Secret `cilium-kvstoremesh`: one etcd config file per peer for KVStoreMesh, pointing at the peer's
//   clustermesh-apiserver (templates/clustermesh-config/kvstoremesh-secret.yaml), projected the same
//   way into the clustermesh-apiserver pod (templates/clustermesh-apiserver/deployment.yaml).
// - The etcd users file of `tls.authMode: cluster`: one `remote-<peer>` user per peer, the only
//   clients the member's etcd lets read (templates/clustermesh-apiserver/users-configmap.yaml).
// Why no pod restarts when they change, from Cilium's own code (cilium/cilium, 1.16 to 1.20):
// - The kubelet rewrites a Secret or ConfigMap volume mounted without subPath in place, swapping a
//   `..data` symlink (kubernetes/kubernetes pkg/volume/util/atomic_writer.go).
// - The agents, the operator and KVStoreMesh watch their config directory with fsnotify
//   (pkg/clustermesh/common/config.go, `configDirectoryWatcher`; KVStoreMesh through
//   pkg/clustermesh/kvstoremesh/kvstoremesh.go): a new file (one containing `endpoints:`) adds the
//   remote cluster, a file whose SHA-256 changed reconnects it (`restartRemoteConnection` in
//   remote_cluster.go), a removed file disconnects it.
// - The clustermesh-apiserver polls its users file every 5 s (pkg/fswatcher) and creates or deletes
//   the etcd users to match (clustermesh-apiserver/clustermesh/users_mgmt.go).

import { parse, stringify } from "yaml";
import { isIP } from "node:net";
import { CiliumVersion, atLeast, ciliumChartFeatures, requireSupportedCiliumVersion } from "./cilium-version";
import { CLUSTER_NAME_MAX_LENGTH, CLUSTER_NAME_PATTERN } from "../fleet/validation/member-name";

/** Where the chart installs Cilium and where these objects live. */
export const CILIUM_NAMESPACE = "kube-system";
/** The agents' and operator's peer config (the chart's name; the daemonset mounts it by this name). */
export const CLUSTERMESH_CONFIG_SECRET = "cilium-clustermesh";
/** KVStoreMesh's peer config (the chart's name; the clustermesh-apiserver mounts it by this name). */
export const KVSTOREMESH_CONFIG_SECRET = "cilium-kvstoremesh";
/** The users ConfigMap the chart's clustermesh-apiserver mounts (templates/clustermesh-apiserver/deployment.yaml). */
export const CHART_REMOTE_USERS_CONFIGMAP = "clustermesh-remote-users";
/**
 * Charts 1.16–1.18 render `clustermesh-remote-users` whenever the apiserver runs in `cluster` auth mode,
 * from `clustermesh.config.clusters`, whatever `clustermesh.config.enabled` says; fleetmesh writes its
 * users here instead and points the apiserver at it (see `remoteUsersValues`).
 */
export const FLEETMESH_REMOTE_USERS_CONFIGMAP = "fleetmesh-remote-users";
/** Where the fleetmesh users ConfigMap is mounted in the clustermesh-apiserver pod (charts ≤ 1.18). */
export const FLEETMESH_REMOTE_USERS_DIR = "/var/lib/fleetmesh/remote-users";
/** The chart's default `clustermesh.config.domain`; the server certificate always carries `*.mesh.cilium.io`. */
export const MESH_DOMAIN = "mesh.cilium.io";
/** The file name the users are read from (the chart's `--cluster-users-config-path` file). */
const USERS_FILE = "users.yaml";
/** Where the agents' and KVStoreMesh's certificates are projected (templates/cilium-agent/daemonset.yaml). */
const CONFIG_DIR = "/var/lib/cilium/clustermesh";
/** Labels that say who writes these objects (Helm no longer does). */
export const PEER_CONFIG_LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/part-of": "cilium",
  "app.kubernetes.io/managed-by": "fleetmesh",
};

/** A Kubernetes Secret or ConfigMap as plain data, `data` base64 for Secrets and text for ConfigMaps. */
export interface PeerConfigObject {
  apiVersion: "v1";
  kind: "Secret" | "ConfigMap";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  data: Record<string, string>;
}

/** The three objects of one member, and the files they hold (decoded, for the what-if and the bench). */
export interface PeerConfig {
  clustermesh: PeerConfigObject;
  kvstoremesh: PeerConfigObject;
  remoteUsers: PeerConfigObject;
}

/** One etcd client config file as Cilium reads it (cilium/cilium pkg/kvstore/etcd.go config fields). */
interface EtcdConfigFile {
  endpoints: string[];
  "trusted-ca-file": string;
  "key-file": string;
  "cert-file": string;
  /** Chart 1.20: the addresses of `<peer>.mesh.cilium.io`, resolved by Cilium itself instead of a pod's hostAliases. */
  "cilium-host-aliases"?: { hostname: string; ips: string[] }[];
}

/** How peers reach a member's clustermesh-apiserver, one peer config file per entry. */
export interface CiliumPeer {
  /** The peer's `cluster.name`. */
  name: string;
  /** The peer's NodePort, or its LoadBalancer port (2379). */
  port: number;
  /** Addresses dialled as `<name>.mesh.cilium.io`; give these or `address`. */
  ips?: string[];
  /** A DNS name covered by the peer's server-cert SANs; give this or `ips`. */
  address?: string;
}

/** The peers of `self`: every other entry of the mesh, sorted by name so the objects do not churn on order. */
export function peersOf(self: string, meshMembers: readonly CiliumPeer[]): CiliumPeer[] {
  return byName(meshMembers.filter((member) => member.name !== self));
}

/** The entries in name order (a new array). */
function byName(entries: readonly CiliumPeer[]): CiliumPeer[] {
  return [...entries].sort((a, b) => compareNames(a.name, b.name));
}

/** Name of the users ConfigMap fleetmesh writes for this chart version. */
export function remoteUsersConfigMapName(version: string): string {
  return ciliumChartFeatures(requireSupportedCiliumVersion(version, "version")).remoteUsersFollowConfig
    ? CHART_REMOTE_USERS_CONFIGMAP
    : FLEETMESH_REMOTE_USERS_CONFIGMAP;
}

/**
 * The clustermesh-apiserver values that make it read fleetmesh's users ConfigMap on charts ≤ 1.18: an
 * extra volume, its mount, and a second `--cluster-users-config-path`, which wins because the chart puts
 * `extraArgs` after its own flags and a repeated string flag keeps its last value (spf13/pflag
 * string.go, `stringValue.Set`). Charts 1.19+ render no users ConfigMap without `config.enabled`
 * (templates/clustermesh-apiserver/users-configmap.yaml), so fleetmesh writes the chart's own name.
 */
export function remoteUsersValues(version: string): Record<string, unknown> {
  if (ciliumChartFeatures(requireSupportedCiliumVersion(version, "version")).remoteUsersFollowConfig) return {};
  const volume = "fleetmesh-remote-users";
  return {
    extraArgs: [`--cluster-users-config-path=${FLEETMESH_REMOTE_USERS_DIR}/${USERS_FILE}`],
    // 0400 as the chart mounts its own users file (templates/clustermesh-apiserver/deployment.yaml).
    extraVolumes: [{ name: volume, configMap: { name: FLEETMESH_REMOTE_USERS_CONFIGMAP, defaultMode: 0o400 } }],
    extraVolumeMounts: [{ name: volume, mountPath: FLEETMESH_REMOTE_USERS_DIR, readOnly: true }],
  };
}

/** What one member's peer objects are built from: the member, and the others of its mesh. */
export interface PeerConfigInput extends PeerConfigMember {
  /** Chart version (selects the file layout). */
  version: string;
  /** Every other member of its mesh; empty when the member is in no mesh. */
  peers: readonly CiliumPeer[];
  /** At most this many members in the mesh, the member included. */
  maxConnectedClusters: 255 | 511;
}

/** What a mesh's peer table is built from: every member of the mesh, as the others dial it. */
export interface MeshPeerTableInput {
  /** Chart version (selects the file layout). */
  version: string;
  /** Every member of the mesh, itself included; empty for members in no mesh. */
  members: readonly CiliumPeer[];
  /** At most this many members in the mesh. */
  maxConnectedClusters: 255 | 511;
}

/**
 * A mesh's files, checked and built once: each member's peer objects are these with its own entry left
 * out. Per member instead, a mesh of N members would check, render and encode N² peer files where N are
 * distinct. Read it through `memberPeerConfig` only.
 */
export interface MeshPeerTable {
  /** The users ConfigMap's name for the chart version. */
  readonly usersConfigMap: string;
  /** Every member's agents' file (base64; one text for all), in name order. */
  readonly agentFiles: readonly (readonly [string, string])[];
  /** Every member's KVStoreMesh file (base64), in name order. */
  readonly kvstoremeshFiles: readonly (readonly [string, string])[];
  /** Every member's entry of the users file, in name order, without the `users:` line. */
  readonly userLines: string;
  /** Where each member's entry starts and ends in `userLines`. */
  readonly userSpans: ReadonlyMap<string, readonly [number, number]>;
  /**
   * On charts with cilium/cilium#24692 (≤ 1.18), the members dialled on each port: a peer dialled on a
   * member's own NodePort reaches the member itself under kube-proxy replacement. Empty on later charts.
   */
  readonly membersByPort: ReadonlyMap<number, readonly string[]>;
  /** Which client certificate the agents present to their own KVStoreMesh: `common-` (the remote one) on 1.16. */
  readonly localCerts: "local-" | "common-";
}

/** This member, as its share of a mesh's table is built. */
export interface PeerConfigMember {
  /** This member's `cluster.name`. */
  clusterName: string;
  /** This member's own NodePort and whether kube-proxy is replaced (for the ≤ 1.18 shared-NodePort rule). */
  nodePort?: number;
  kubeProxyReplacement?: boolean;
}

const SHARED_NODE_PORT_RULE = "with kube-proxy replacement on chart ≤1.18 every member needs a distinct NodePort (cilium/cilium#24692)";

/** The table of a mesh: every member checked (well-formed, unique, within maxConnectedClusters) and its files built once. */
export function meshPeerTable(input: MeshPeerTableInput): MeshPeerTable {
  const fail = failIn("meshPeerTable", "MeshPeerTableInput");
  const version = requireSupportedCiliumVersion(input.version, "version");
  if (!Array.isArray(input.members)) throw fail("members", "must be an array");
  checkEntries(fail, "members", input.members);
  checkMeshSize(fail, "members", input.members.length, input.members.length, input.maxConnectedClusters);
  return buildTable(input.version, version, input.members);
}

/** One member's three objects from its mesh's table: every entry but its own, in the table's order. */
export function memberPeerConfig(table: MeshPeerTable, member: PeerConfigMember): PeerConfig {
  const fail = failIn("memberPeerConfig", "PeerConfigMember");
  checkName(fail, "clusterName", member.clusterName);
  if (member.kubeProxyReplacement && member.nodePort !== undefined) {
    const clash = table.membersByPort.get(member.nodePort)?.find((name) => name !== member.clusterName);
    if (clash !== undefined)
      throw fail("nodePort", `${member.nodePort} is where member ${quote(clash)} is dialled: ${SHARED_NODE_PORT_RULE}`);
  }
  return cut(table, member.clusterName);
}

/** The three objects of one member, peers sorted by name so nothing churns on declaration order. */
export function peerConfig(input: PeerConfigInput): PeerConfig {
  const fail = failIn("peerConfig", "PeerConfigInput");
  const supported = requireSupportedCiliumVersion(input.version, "version");
  checkName(fail, "clusterName", input.clusterName);
  if (!Array.isArray(input.peers)) throw fail("peers", "must be an array");
  checkEntries(fail, "peers", input.peers, input.clusterName);
  checkMeshSize(fail, "peers", input.peers.length, input.peers.length + 1, input.maxConnectedClusters);
  if (ciliumChartFeatures(supported).sharedNodePortBug && input.kubeProxyReplacement && input.nodePort !== undefined) {
    const clash = input.peers.findIndex((peer) => peer.port === input.nodePort);
    if (clash >= 0) throw fail(`peers[${clash}].port`, `${input.nodePort} equals this member's own NodePort: ${SHARED_NODE_PORT_RULE}`);
  }
  return cut(buildTable(input.version, supported, input.peers), input.clusterName);
}

/** Every entry of the table but `self`'s. */
function cut(table: MeshPeerTable, self: string): PeerConfig {
  const span = table.userSpans.get(self);
  const peerUsers = span ? table.userLines.slice(0, span[0]) + table.userLines.slice(span[1]) : table.userLines;
  // On 1.16 the agents reach their own KVStoreMesh with the remote certificate (`common-`, CN
  // `remote-<self>`), so the member's etcd must admit itself too, as the 1.16 chart's users file does
  // (templates/clustermesh-apiserver/users-configmap.yaml); from 1.17 they use the `local-` certificate.
  const selfUser = table.localCerts === "common-" ? userLines(self) : "";
  return {
    clustermesh: secret(CLUSTERMESH_CONFIG_SECRET, without(table.agentFiles, self)),
    kvstoremesh: secret(KVSTOREMESH_CONFIG_SECRET, without(table.kvstoremeshFiles, self)),
    remoteUsers: configMap(table.usersConfigMap, { [USERS_FILE]: usersFile(selfUser + peerUsers) }),
  };
}

/**
 * The pairs but the one of `key`, as an object. Filled key by key, a large object becomes a hash table
 * of its own (V8 src/objects/map.cc `Map::TooManyFastProperties`: more than a few properties added by
 * keyed stores). Each member of a mesh leaves out another key, so objects with fast properties (as
 * `Object.fromEntries` builds them) would need a hidden class per member and position, O(N²) of them
 * with their descriptors, made again by every copy the SDK makes to serialize them. At 511 members that
 * made the objects about 13 times slower to build (1.1 s against 0.08 s) and added 3 GB of allocation
 * to a run.
 */
function without(pairs: readonly (readonly [string, string])[], key: string): Record<string, string> {
  const object: Record<string, string> = {};
  for (const [name, value] of pairs) if (name !== key) object[name] = value;
  return object;
}

/** The files of already checked members. */
function buildTable(version: string, supported: CiliumVersion, members: readonly CiliumPeer[]): MeshPeerTable {
  const localCerts = atLeast(supported, 1, 17) ? "local-" : "common-";
  const hostAliases = ciliumChartFeatures(supported).hostAliasesInConfig;
  const sorted = byName(members);
  const agentFile = base64(etcdFile(agentConfig(localCerts)));
  const userSpans = new Map<string, readonly [number, number]>();
  let users = "";
  for (const { name } of sorted) {
    const lines = userLines(name);
    userSpans.set(name, [users.length, users.length + lines.length]);
    users += lines;
  }
  const membersByPort = new Map<number, string[]>();
  if (ciliumChartFeatures(supported).sharedNodePortBug) {
    for (const { name, port } of members) {
      const dialled = membersByPort.get(port) ?? [];
      dialled.push(name);
      membersByPort.set(port, dialled);
    }
  }
  return {
    usersConfigMap: remoteUsersConfigMapName(version),
    agentFiles: sorted.map(({ name }) => [name, agentFile] as const),
    kvstoremeshFiles: sorted.map((peer) => [peer.name, base64(etcdFile(remoteConfig(peer, hostAliases)))] as const),
    userLines: users,
    userSpans,
    membersByPort,
    localCerts,
  };
}

/**
 * The metadata of the three objects, in `peerConfigObjects` order: it depends on the chart version only,
 * so it is known before any peer is (a server-side-apply patch needs its name known even in a preview).
 */
export function peerConfigMetadata(version: string): PeerConfigObject["metadata"][] {
  const names = [CLUSTERMESH_CONFIG_SECRET, KVSTOREMESH_CONFIG_SECRET, remoteUsersConfigMapName(version)];
  return names.map((name) => ({ name, namespace: CILIUM_NAMESPACE, labels: { ...PEER_CONFIG_LABELS } }));
}

/** The objects in a fixed order: the agents' Secret, KVStoreMesh's Secret, the users ConfigMap. */
export function peerConfigObjects(config: PeerConfig): PeerConfigObject[] {
  return [config.clustermesh, config.kvstoremesh, config.remoteUsers];
}

/** The files of an object, decoded (Secret data is base64). */
export function objectFiles(object: PeerConfigObject): Record<string, string> {
  if (object.kind === "ConfigMap") return { ...object.data };
  return Object.fromEntries(Object.entries(object.data).map(([key, value]) => [key, Buffer.from(value, "base64").toString("utf8")]));
}

/** Agents and the operator read the remote clusters from the member's own KVStoreMesh cache. */
function agentConfig(certPrefix: "local-" | "common-"): EtcdConfigFile {
  return {
    endpoints: [`https://clustermesh-apiserver.${CILIUM_NAMESPACE}.svc:2379`],
    "trusted-ca-file": `${CONFIG_DIR}/${certPrefix}etcd-client-ca.crt`,
    "key-file": `${CONFIG_DIR}/${certPrefix}etcd-client.key`,
    "cert-file": `${CONFIG_DIR}/${certPrefix}etcd-client.crt`,
  };
}

/**
 * KVStoreMesh dials the peer's clustermesh-apiserver with this member's remote certificate, verifying
 * the peer's server certificate against the endpoint's host (the etcd client sets no other server
 * name: go.etcd.io/etcd client/v3/yaml/config.go). Up to 1.19 Cilium resolves `<peer>.mesh.cilium.io`
 * only through DNS or the pod's hostAliases, which would put the peer list back into the pod template;
 * so the endpoints are the peer's IPs, which its server certificate carries (`extraIpAddresses`, set
 * from its own endpoint). From 1.20 the file itself carries the addresses (`cilium-host-aliases`, read
 * by `ParseCiliumConfig` in pkg/clustermesh/common/config.go and dialled by pkg/dial/dialer.go's static
 * dialer, cilium/cilium#44425), as the 1.20 chart writes it, and the name stays the one every server
 * certificate covers (`*.mesh.cilium.io`).
 */
function remoteConfig(peer: CiliumPeer, hostAliases: boolean): EtcdConfigFile {
  const files = {
    "trusted-ca-file": `${CONFIG_DIR}/common-etcd-client-ca.crt`,
    "key-file": `${CONFIG_DIR}/common-etcd-client.key`,
    "cert-file": `${CONFIG_DIR}/common-etcd-client.crt`,
  };
  if (peer.ips === undefined) return { endpoints: [`https://${peer.address}:${peer.port}`], ...files };
  const hostname = `${peer.name}.${MESH_DOMAIN}`;
  if (hostAliases) {
    return { endpoints: [`https://${hostname}:${peer.port}`], ...files, "cilium-host-aliases": [{ hostname, ips: [...peer.ips] }] };
  }
  return { endpoints: peer.ips.map((ip) => `https://${urlHost(ip)}:${peer.port}`), ...files };
}

function urlHost(ip: string): string {
  return ip.includes(":") ? `[${ip}]` : ip;
}

function etcdFile(config: EtcdConfigFile): string {
  return stringify(config);
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

const USERS_HEADER = "users:\n";

/** A peer's entry of the users file: the yaml of a list is the yaml of its entries, one after the other. */
function userLines(name: string): string {
  return stringify({ users: [{ name: `remote-${name}`, role: "remote" }] }).slice(USERS_HEADER.length);
}

/** `users:` and the entries, one `remote-<name>` each. */
function usersFile(lines: string): string {
  return lines.length === 0 ? stringify({ users: [] }) : USERS_HEADER + lines;
}

/** A Secret of already base64-encoded files. */
function secret(name: string, data: Record<string, string>): PeerConfigObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: CILIUM_NAMESPACE, labels: { ...PEER_CONFIG_LABELS } },
    data,
  };
}

function configMap(name: string, files: Record<string, string>): PeerConfigObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: CILIUM_NAMESPACE, labels: { ...PEER_CONFIG_LABELS } },
    data: files,
  };
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Checks: only a programming mistake reaches these (planFleet refuses bad declarations first).
// ---------------------------------------------------------------------------------------------

type Fail = (field: string, rule: string) => Error;

/** Errors that name the function and the field of its input. */
function failIn(fn: string, type: string): Fail {
  return (field, rule) => new Error(`${fn}: ${type}.${field} ${rule}`);
}

function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function isPort(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** A peer name is a cluster name (cilium/cilium pkg/clustermesh/types/option.go): it names files and etcd users. */
function checkName(fail: Fail, field: string, name: unknown): void {
  if (typeof name !== "string" || name.length === 0 || name.length > CLUSTER_NAME_MAX_LENGTH || !CLUSTER_NAME_PATTERN.test(name)) {
    throw fail(
      field,
      `${quote(name)} must be a Cilium cluster name: 1 to ${CLUSTER_NAME_MAX_LENGTH} lower case alphanumerics or '-', alphanumeric at both ends`,
    );
  }
}

/** Well-formed entries with unique names, none of them `self` when given (a member's peers are the others). */
function checkEntries(fail: Fail, list: string, peers: readonly CiliumPeer[], self?: string): void {
  const seen = new Set<string>();
  peers.forEach((peer, index) => {
    const field = `${list}[${index}]`;
    checkPeer(fail, field, peer);
    if (peer.name === self) throw fail(`${field}.name`, `${quote(peer.name)} is the member itself: peers are the other members only`);
    if (seen.has(peer.name)) throw fail(`${field}.name`, `${quote(peer.name)} is listed twice`);
    seen.add(peer.name);
  });
}

/** A list of `entries` that makes a mesh of `members`, within maxConnectedClusters. */
function checkMeshSize(fail: Fail, list: string, entries: number, members: number, maxConnectedClusters: number): void {
  if (members > maxConnectedClusters)
    throw fail(list, `has ${entries} entries: a mesh holds at most maxConnectedClusters (${maxConnectedClusters}) members`);
}

function checkPeer(fail: Fail, field: string, peer: CiliumPeer): void {
  if (typeof peer !== "object" || peer === null) throw fail(field, "must be an object");
  checkName(fail, `${field}.name`, peer.name);
  if (!isPort(peer.port)) throw fail(`${field}.port`, `${quote(peer.port)} must be an integer in 1..65535`);
  if ((peer.ips === undefined) === (peer.address === undefined)) throw fail(field, "must have exactly one of ips and address");
  if (peer.ips !== undefined) {
    if (!Array.isArray(peer.ips) || peer.ips.length === 0) throw fail(`${field}.ips`, "must be a non-empty array");
    peer.ips.forEach((ip, i) => {
      if (typeof ip !== "string" || isIP(ip) === 0) throw fail(`${field}.ips[${i}]`, `${quote(ip)} must be an IP address`);
    });
  } else if (typeof peer.address !== "string" || peer.address.length === 0) {
    throw fail(`${field}.address`, `${quote(peer.address)} must be a non-empty DNS name`);
  }
}

// ---------------------------------------------------------------------------------------------
// What a change of peers writes: per object, the entries added, removed or changed, and its size.
// ---------------------------------------------------------------------------------------------

/** One object's change between two peer configs of the same member. */
export interface PeerObjectChange {
  kind: PeerConfigObject["kind"];
  name: string;
  /** Peer file names (Secrets) or `remote-<peer>` users (the users ConfigMap). */
  added: string[];
  removed: string[];
  changed: string[];
  /** Bytes of the object's files before and after. */
  bytesBefore: number;
  bytesAfter: number;
}

/** The entries of an object: a Secret's files, or the users of the users ConfigMap. */
function entries(object: PeerConfigObject): Map<string, string> {
  const files = objectFiles(object);
  if (object.kind === "Secret") return new Map(Object.entries(files));
  const users = (parse(files[USERS_FILE] ?? "") as { users?: { name: string; role: string }[] } | null)?.users ?? [];
  return new Map(users.map((user) => [user.name, user.role]));
}

function size(object: PeerConfigObject): number {
  return Object.values(objectFiles(object)).reduce((sum, text) => sum + Buffer.byteLength(text, "utf8"), 0);
}

/** The objects that differ between two configs of one member (an object with no entry changed is left out). */
export function peerConfigChanges(before: PeerConfig, after: PeerConfig): PeerObjectChange[] {
  const pairs = peerConfigObjects(before).map((object, i) => [object, peerConfigObjects(after)[i]] as const);
  return pairs.flatMap(([old, now]) => {
    const was = entries(old);
    const is = entries(now);
    const added = [...is.keys()].filter((key) => !was.has(key)).sort(compareNames);
    const removed = [...was.keys()].filter((key) => !is.has(key)).sort(compareNames);
    const changed = [...is.keys()].filter((key) => was.has(key) && was.get(key) !== is.get(key)).sort(compareNames);
    if (added.length + removed.length + changed.length === 0 && old.metadata.name === now.metadata.name) return [];
    return [{ kind: now.kind, name: now.metadata.name, added, removed, changed, bytesBefore: size(old), bytesAfter: size(now) }];
  });
}
