// The mesh view (mesh-view.ts) a member must run with, computed from what the test knows about the
// fleet (ids, how each clustermesh-apiserver is exposed and dialled, who meshes with whom) and from
// the chart templates of each version (cilium/cilium install/kubernetes/cilium/templates/, as packaged
// in cilium/charts): never from the Helm values or the peer objects under test.
import { CertgenCert, EtcdConfig, MeshView, PeerSecretMount, UsersFile, defined } from "./mesh-view";
import { RELEASE_NAMESPACE, chartMinor } from "./helm-template";

/** values.yaml `clustermesh.config.domain` default. */
const MESH_DOMAIN = "mesh.cilium.io";
/** Where the clustermesh-apiserver's etcd listens (templates/clustermesh-apiserver/service.yaml). */
const APISERVER_PORT = 2379;
const SECRETS_DIR = "/var/lib/cilium/clustermesh";
/** fleetmesh's leaf-cert validity (1095 days), as certgen reads it. */
const CERT_VALIDITY = `${1095 * 24}h`;

/** What the test knows about one member, from the plan's state and the fleet as declared. */
export interface MemberFacts {
  clusterId: number;
  /** Its clustermesh-apiserver Service, when it runs one (every member whose endpoint is known, in a mesh or not). */
  apiserver?:
    { type: "NodePort"; nodePort: number } | { type: "LoadBalancer"; loadBalancerIP: string; annotations?: Record<string, string> };
  /** Where its peers dial it, when it runs a clustermesh-apiserver. */
  dialled?: { port: number; ips: string[] };
}

export interface FleetFacts {
  members: Record<string, MemberFacts>;
  /** Members of each mesh. */
  meshes: string[][];
}

interface Peer {
  name: string;
  port: number;
  ips: string[];
}

function peersOf(facts: FleetFacts, self: string): Peer[] {
  const mesh = facts.meshes.find((members) => members.includes(self)) ?? [];
  return mesh
    .filter((name) => name !== self)
    .sort()
    .map((name) => ({ name, ...facts.members[name].dialled! }));
}

function etcdFiles(prefix: string): Pick<EtcdConfig, "trusted-ca-file" | "key-file" | "cert-file"> {
  return {
    "trusted-ca-file": `${SECRETS_DIR}/${prefix}etcd-client-ca.crt`,
    "key-file": `${SECRETS_DIR}/${prefix}etcd-client.key`,
    "cert-file": `${SECRETS_DIR}/${prefix}etcd-client.crt`,
  };
}

/** Agents dial the local KVStoreMesh for every peer; 1.17+ with the `local-` client cert, 1.16 with the common one. */
function agentSecret(peers: Peer[], minor: number): Record<string, EtcdConfig> {
  const files = etcdFiles(minor >= 17 ? "local-" : "common-");
  return Object.fromEntries(
    peers.map((p) => [p.name, { endpoints: [`https://clustermesh-apiserver.${RELEASE_NAMESPACE}.svc:${APISERVER_PORT}`], ...files }]),
  );
}

const urlHost = (ip: string) => (ip.includes(":") ? `[${ip}]` : ip);

/**
 * KVStoreMesh dials each peer. 1.20: as `<peer>.mesh.cilium.io`, resolved by the file's own
 * `cilium-host-aliases`. Up to 1.19 Cilium resolves that name only through the pod's hostAliases,
 * which would put peers in the pod template, so it dials the peer's IPs (covered by its server cert).
 */
function kvstoremeshSecret(peers: Peer[], minor: number): Record<string, EtcdConfig> {
  return Object.fromEntries(
    peers.map((p) => {
      const hostname = `${p.name}.${MESH_DOMAIN}`;
      if (minor >= 20) {
        return [
          p.name,
          { endpoints: [`https://${hostname}:${p.port}`], ...etcdFiles("common-"), "cilium-host-aliases": [{ hostname, ips: p.ips }] },
        ];
      }
      return [p.name, { endpoints: p.ips.map((ip) => `https://${urlHost(ip)}:${p.port}`), ...etcdFiles("common-") }];
    }),
  );
}

function service(apiserver: NonNullable<MemberFacts["apiserver"]>): MeshView["apiserverService"] {
  if (apiserver.type === "NodePort") return { type: "NodePort", ports: [{ port: APISERVER_PORT, nodePort: apiserver.nodePort }] };
  return defined({
    type: "LoadBalancer",
    ports: [{ port: APISERVER_PORT }],
    loadBalancerIP: apiserver.loadBalancerIP,
    annotations: apiserver.annotations,
  });
}

/**
 * Where the apiserver reads its users: 1.19+ the chart's own file, from ConfigMap `clustermesh-remote-users`
 * (which the chart no longer renders without `config.enabled`, so fleetmesh writes it); ≤ 1.18 a second
 * `--cluster-users-config-path` to fleetmesh's ConfigMap, because the chart renders its own, empty.
 */
function usersFile(minor: number): UsersFile {
  return minor >= 19
    ? { path: "/var/lib/cilium/etcd-config/users.yaml", configMap: "clustermesh-remote-users" }
    : { path: "/var/lib/fleetmesh/remote-users/users.yaml", configMap: "fleetmesh-remote-users" };
}

/**
 * authMode cluster: a user per peer. On 1.16 the agents reach their own KVStoreMesh with the remote
 * certificate (`common-etcd-client.*`, CN `remote-<self>`), so the chart lists `remote-<self>` too
 * (templates/clustermesh-apiserver/users-configmap.yaml, 1.16 only; 1.17+ agents use the `local-` cert).
 */
function remoteUsers(self: string, peers: Peer[], minor: number): string[] {
  const names = [...(minor === 16 ? [self] : []), ...peers.map((p) => p.name)];
  return names.map((name) => `remote-${name}:remote`).sort();
}

function clientCert(name: string, commonName: string): CertgenCert {
  return { name, namespace: RELEASE_NAMESPACE, commonName, usage: ["signing", "key encipherment", "client auth"], validity: CERT_VALIDITY };
}

/**
 * The server cert: 1.16–1.19 named `clustermesh-apiserver.cilium.io`, 1.20 named after the Service; both
 * cover `*.mesh.cilium.io`, and the IPs peers dial (`extraIpAddresses`, after the chart's own hosts).
 */
function certgen(self: string, minor: number, dialled: string[]): CertgenCert[] {
  const svc = `clustermesh-apiserver.${RELEASE_NAMESPACE}.svc`;
  const [commonName, hosts] =
    minor >= 20
      ? [svc, [svc, `*.${MESH_DOMAIN}`, "127.0.0.1", "::1"]]
      : ["clustermesh-apiserver.cilium.io", ["clustermesh-apiserver.cilium.io", `*.${MESH_DOMAIN}`, svc, "127.0.0.1", "::1"]];
  const server: CertgenCert = {
    name: "clustermesh-apiserver-server-cert",
    namespace: RELEASE_NAMESPACE,
    commonName,
    hosts: [...hosts, ...dialled],
    usage: ["signing", "key encipherment", "server auth"],
    validity: CERT_VALIDITY,
  };
  return [
    server,
    clientCert("clustermesh-apiserver-admin-cert", `admin-${self}`),
    clientCert("clustermesh-apiserver-remote-cert", `remote-${self}`),
    clientCert("clustermesh-apiserver-local-cert", `local-${self}`),
  ];
}

/** Projected, optional, every key: a new peer is a new file in the running pod. */
const LIVE_MOUNT: PeerSecretMount = { projected: true, optional: true };

/** The view member `self` must run with on chart `version`. */
export function expectedView(facts: FleetFacts, self: string, version: string): MeshView {
  const member = facts.members[self];
  const identity = { "cluster-name": self, "cluster-id": String(member.clusterId) };
  const agentMount = { "DaemonSet cilium": { "cilium-clustermesh": LIVE_MOUNT } };
  if (!member.apiserver) return { identity, chartRendered: [], peerSecretMounts: agentMount };
  const minor = chartMinor(version);
  const peers = peersOf(facts, self);
  return {
    identity,
    // Charts ≤ 1.18 render their users ConfigMap whenever authMode is not legacy; nothing reads it.
    chartRendered: minor >= 19 ? [] : ["ConfigMap clustermesh-remote-users"],
    clustermeshSecret: agentSecret(peers, minor),
    kvstoremeshSecret: kvstoremeshSecret(peers, minor),
    peerSecretMounts: { ...agentMount, "Deployment clustermesh-apiserver": { "cilium-kvstoremesh": LIVE_MOUNT } },
    apiserverContainers: ["etcd", "apiserver", "kvstoremesh"],
    apiserverService: service(member.apiserver),
    usersFile: usersFile(minor),
    remoteUsers: remoteUsers(self, peers, minor),
    certgen: certgen(self, minor, member.dialled!.ips),
    certgenJob: certgen(self, minor, member.dialled!.ips),
  };
}
