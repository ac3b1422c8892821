// The mesh view (mesh-view.ts) a member's render must show, computed from what the test knows about
// the fleet (ids, how each clustermesh-apiserver is exposed and dialled, who meshes with whom) and from
// the chart templates of each version (cilium/cilium install/kubernetes/cilium/templates/, as packaged
// in cilium/charts): never from the Helm values under test.
import { CertgenCert, EtcdConfig, HostAlias, MeshView, defined } from "./mesh-view";
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
  /** Its clustermesh-apiserver Service, when it is in a mesh. */
  apiserver?:
    { type: "NodePort"; nodePort: number } | { type: "LoadBalancer"; loadBalancerIP: string; annotations?: Record<string, string> };
  /** Where its peers dial it, when it is in a mesh. */
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

function peersOf(facts: FleetFacts, self: string): Peer[] | undefined {
  const mesh = facts.meshes.find((members) => members.includes(self));
  if (!mesh) return undefined;
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

/** KVStoreMesh dials each peer as `<peer>.mesh.cilium.io`; 1.20 also carries the peer's IPs for its static dialer. */
function kvstoremeshSecret(peers: Peer[], minor: number): Record<string, EtcdConfig> {
  return Object.fromEntries(
    peers.map((p) => {
      const hostname = `${p.name}.${MESH_DOMAIN}`;
      const aliases = minor >= 20 ? { "cilium-host-aliases": [{ hostname, ips: p.ips }] } : {};
      return [p.name, { endpoints: [`https://${hostname}:${p.port}`], ...etcdFiles("common-"), ...aliases }];
    }),
  );
}

function hostAliases(peers: Peer[]): HostAlias[] {
  return peers.flatMap((p) => p.ips.map((ip) => ({ ip, hostnames: [`${p.name}.${MESH_DOMAIN}`] })));
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

/** authMode cluster: a user per peer; 1.16 agents reach their own KVStoreMesh as `remote-<self>`, so it is listed too. */
function remoteUsers(self: string, peers: Peer[], minor: number): string[] {
  const names = [...(minor === 16 ? [self] : []), ...peers.map((p) => p.name)];
  return names.map((name) => `remote-${name}:remote`);
}

function clientCert(name: string, commonName: string): CertgenCert {
  return { name, namespace: RELEASE_NAMESPACE, commonName, usage: ["signing", "key encipherment", "client auth"], validity: CERT_VALIDITY };
}

/** The server cert: 1.16–1.19 named `clustermesh-apiserver.cilium.io`, 1.20 named after the Service; both cover `*.mesh.cilium.io`. */
function certgen(self: string, minor: number): CertgenCert[] {
  const svc = `clustermesh-apiserver.${RELEASE_NAMESPACE}.svc`;
  const [commonName, hosts] =
    minor >= 20
      ? [svc, [svc, `*.${MESH_DOMAIN}`, "127.0.0.1", "::1"]]
      : ["clustermesh-apiserver.cilium.io", ["clustermesh-apiserver.cilium.io", `*.${MESH_DOMAIN}`, svc, "127.0.0.1", "::1"]];
  const server: CertgenCert = {
    name: "clustermesh-apiserver-server-cert",
    namespace: RELEASE_NAMESPACE,
    commonName,
    hosts,
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

/** The view member `self` must render on chart `version`. */
export function expectedView(facts: FleetFacts, self: string, version: string): MeshView {
  const member = facts.members[self];
  const identity = { "cluster-name": self, "cluster-id": String(member.clusterId) };
  const peers = peersOf(facts, self);
  if (!peers) return { identity };
  const minor = chartMinor(version);
  return {
    identity,
    clustermeshSecret: agentSecret(peers, minor),
    kvstoremeshSecret: kvstoremeshSecret(peers, minor),
    apiserverHostAliases: hostAliases(peers),
    apiserverService: service(member.apiserver!),
    remoteUsers: remoteUsers(self, peers, minor),
    certgen: certgen(self, minor),
  };
}
