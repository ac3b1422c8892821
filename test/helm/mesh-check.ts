// Whether the members form a Cluster Mesh, judged only from what each runs with (mesh-view.ts: the
// chart's render plus fleetmesh's peer objects), never from the plan: names and ids, one CA, every
// peer listed both ways, dialled on the port and addresses its own render exposes, covered by its
// server certificate, let in by its etcd users, through KVStoreMesh, and peers kept out of Helm.
// Each problem is `<rule>: <member>: <what>`, so a test can name the rules a broken input must break.
import { createHash } from "crypto";
import { isIP } from "net";
import { K8sObject, chartMinor } from "./helm-template";
import { CertgenCert, EtcdConfig, MemberRun, MeshView, PEER_WORKLOADS, find, meshView } from "./mesh-view";

export type MeshRule =
  | "names"
  | "ids"
  | "ca"
  | "max-connected-clusters"
  | "helm"
  | "mounts"
  | "kvstoremesh"
  | "self"
  | "symmetric"
  | "port"
  | "ips"
  | "san"
  | "users";

/** Where the clustermesh-apiserver's etcd listens (templates/clustermesh-apiserver/service.yaml). */
const APISERVER_PORT = 2379;
/** Where agents dial their own KVStoreMesh cache (templates/clustermesh-config/clustermesh-secret.yaml). */
const LOCAL_ENDPOINT = "https://clustermesh-apiserver.kube-system.svc:2379";
const SERVER_CERT = "clustermesh-apiserver-server-cert";
const LOOPBACK = ["127.0.0.1", "::1"];

interface Member {
  label: string;
  name: string;
  run: MemberRun;
  view: MeshView;
}

function caFingerprint(render: readonly K8sObject[]): string | undefined {
  const cert = find(render, "Secret", "cilium-ca")?.data?.["ca.crt"];
  return cert && createHash("sha256").update(cert).digest("hex").slice(0, 16);
}

function maxConnectedClusters(render: readonly K8sObject[]): number {
  return Number(find(render, "ConfigMap", "cilium-config")?.data["max-connected-clusters"] ?? 255);
}

/** The server certificate's hosts as every cert job issues it: a host counts only if the Job and the CronJob both carry it. */
function serverHosts(view: MeshView): string[] {
  const issued = [view.certgen, view.certgenJob].map((certs) => certs?.find((c: CertgenCert) => c.name === SERVER_CERT)?.hosts ?? []);
  return issued[0].filter((host) => issued[1].includes(host));
}

/** Whether a certificate host (exact, or `*.` one label) covers what is dialled. */
function covers(hosts: readonly string[], dialled: string): boolean {
  if (isIP(dialled)) return hosts.includes(dialled);
  return hosts.some((h) => h === dialled || (h.startsWith("*.") && dialled.slice(dialled.indexOf(".")) === h.slice(1)));
}

/** The port peers reach a member's clustermesh-apiserver on: its NodePort, or the Service port behind a LoadBalancer. */
function exposedPort(view: MeshView): number | undefined {
  const service = view.apiserverService;
  const port = service?.ports.find((p) => p.port === APISERVER_PORT);
  if (!service || !port) return undefined;
  return service.type === "NodePort" ? port.nodePort : port.port;
}

/** Where a member says it is reached: its LoadBalancer IP, else the IPs its server certificate carries for peers. */
function advertisedIps(view: MeshView): string[] {
  if (view.apiserverService?.type === "LoadBalancer" && view.apiserverService.loadBalancerIP) return [view.apiserverService.loadBalancerIP];
  return serverHosts(view).filter((h) => isIP(h) && !LOOPBACK.includes(h));
}

/**
 * The addresses a hostname resolves to inside the clustermesh-apiserver pod: the pod's hostAliases,
 * and from Cilium 1.20 the `cilium-host-aliases` of the config file (cilium/cilium pkg/dial, static dialer).
 */
function resolved(member: Member, host: string, config: EtcdConfig): string[] {
  const fromPod = (member.view.apiserverHostAliases ?? []).filter((a) => a.hostnames.includes(host)).map((a) => a.ip);
  const fromFile =
    chartMinor(member.run.version) >= 20
      ? (config["cilium-host-aliases"] ?? []).filter((a) => a.hostname === host).flatMap((a) => a.ips)
      : [];
  return [...new Set([...fromPod, ...fromFile])];
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/**
 * The etcd user the agents of a member reach their own KVStoreMesh as: the common name of the client
 * certificate their config file names, found through the agent's projected volume (which Secret is
 * mounted at that path) and the cert job (which common name that Secret gets).
 */
function agentUser(member: Member): string | undefined {
  const certFile = Object.values(member.view.clustermeshSecret ?? {})[0]?.["cert-file"];
  if (!certFile) return undefined;
  const file = certFile.split("/").pop();
  const agent = find(member.run.render, "DaemonSet", "cilium")?.spec.template.spec;
  const sources = ((agent?.volumes ?? []) as any[]).flatMap((v) => v.projected?.sources ?? []);
  const secret = sources.find((s) => (s.secret?.items ?? []).some((i: { path: string }) => i.path === file))?.secret.name;
  return member.view.certgen?.find((c) => c.name === secret)?.commonName;
}

/** Every way the members fail to form their meshes; [] when they do. */
export function meshFormProblems(runs: Record<string, MemberRun>): string[] {
  const problems: string[] = [];
  const report = (rule: MeshRule, member: string, what: string) => problems.push(`${rule}: ${member}: ${what}`);
  const members: Member[] = Object.entries(runs).map(([label, run]) => {
    const view = meshView(run);
    return { label, name: view.identity["cluster-name"], run, view };
  });
  const byName = new Map(members.map((m) => [m.name, m]));
  const peersOf = (m: Member) => Object.keys(m.view.kvstoremeshSecret ?? {});

  for (const [rule, key] of [
    ["names", (m: Member) => m.name],
    ["ids", (m: Member) => m.view.identity["cluster-id"]],
  ] as const) {
    const seen = new Map<string, string>();
    for (const m of members) {
      const value = key(m);
      if (seen.has(value))
        report(rule, m.label, `${rule === "names" ? "cluster name" : "cluster id"} ${value} is also ${seen.get(value)}'s`);
      else seen.set(value, m.label);
    }
  }

  const meshed = members.filter((m) => peersOf(m).length > 0);
  const cas = new Set(meshed.map((m) => caFingerprint(m.run.render)));
  if (cas.size > 1) for (const m of meshed) report("ca", m.label, `CA ${caFingerprint(m.run.render)} (the mesh has ${cas.size} CAs)`);

  for (const a of meshed) {
    const { view } = a;
    const max = maxConnectedClusters(a.run.render);
    const id = Number(view.identity["cluster-id"]);
    if (!(id >= 1 && id <= max)) report("ids", a.label, `cluster id ${id} is not in 1..${max}`);
    if (peersOf(a).length + 1 > max) report("max-connected-clusters", a.label, `${peersOf(a).length} peers exceed ${max}`);
    for (const p of peersOf(a)) {
      const other = byName.get(p);
      if (other && maxConnectedClusters(other.run.render) !== max)
        report("max-connected-clusters", a.label, `${max}, but ${p} runs with ${maxConnectedClusters(other.run.render)}`);
    }

    // Peers out of Helm: the chart must not render what fleetmesh writes, or a join would be an upgrade.
    const owned = [
      `Secret cilium-clustermesh`,
      `Secret cilium-kvstoremesh`,
      ...(view.usersFile?.configMap ? [`ConfigMap ${view.usersFile.configMap}`] : []),
    ];
    for (const object of view.chartRendered.filter((o) => owned.includes(o))) report("helm", a.label, `the chart renders ${object}`);
    for (const hosts of [view.apiserverHostAliases, view.agentHostAliases]) {
      if (hosts?.length) report("helm", a.label, `the chart renders hostAliases ${JSON.stringify(hosts)}`);
    }

    // A new peer must become a new file in running pods.
    const agentMount = view.peerSecretMounts["DaemonSet cilium"]?.["cilium-clustermesh"];
    if (!agentMount) report("mounts", a.label, "the agents do not mount cilium-clustermesh");
    for (const workload of PEER_WORKLOADS) {
      for (const [secret, mount] of Object.entries(view.peerSecretMounts[workload] ?? {})) {
        if (!mount.projected || mount.optional !== true || mount.items !== undefined)
          report("mounts", a.label, `${workload} mounts ${secret} as ${JSON.stringify(mount)}, not projected, optional, all keys`);
      }
    }

    // KVStoreMesh: the agents read every peer from the local cache, which KVStoreMesh fills from the peers.
    if (!view.apiserverContainers?.includes("kvstoremesh"))
      report("kvstoremesh", a.label, "the clustermesh-apiserver runs no kvstoremesh container");
    if (!view.peerSecretMounts["Deployment clustermesh-apiserver"]?.["cilium-kvstoremesh"])
      report("kvstoremesh", a.label, "KVStoreMesh does not mount cilium-kvstoremesh");
    const agentPeers = Object.keys(view.clustermeshSecret ?? {}).sort();
    if (agentPeers.join() !== [...peersOf(a)].sort().join())
      report("kvstoremesh", a.label, `the agents list ${JSON.stringify(agentPeers)}, KVStoreMesh ${JSON.stringify(peersOf(a))}`);
    for (const [p, config] of Object.entries(view.clustermeshSecret ?? {})) {
      if (config.endpoints.join() !== LOCAL_ENDPOINT)
        report("kvstoremesh", a.label, `the agents dial ${config.endpoints} for ${p}, not the local cache`);
    }

    // Users: exactly the peers (and the agents' own user when it is a remote- one), or the etcd lets strangers in or peers out.
    const own = agentUser(a);
    const allowed = [...peersOf(a).map((p) => `remote-${p}:remote`), ...(own?.startsWith("remote-") ? [`${own}:remote`] : [])];
    if (!view.remoteUsers) report("users", a.label, "its clustermesh-apiserver reads no users file (no cluster auth)");
    else {
      for (const user of allowed.filter((u) => !view.remoteUsers!.includes(u))) report("users", a.label, `its users file lacks ${user}`);
      for (const user of view.remoteUsers.filter((u) => !allowed.includes(u)))
        report("users", a.label, `its users file lets in ${user}, no peer`);
    }

    for (const p of peersOf(a)) {
      if (p === a.name) {
        report("self", a.label, "lists itself as a peer");
        continue;
      }
      const b = byName.get(p);
      if (!b) {
        report("symmetric", a.label, `lists ${p}, which is no member`);
        continue;
      }
      if (!peersOf(b).includes(a.name)) report("symmetric", a.label, `lists ${p}, which does not list it`);
      const config = view.kvstoremeshSecret![p];
      const port = exposedPort(b.view);
      const dialled = new Set<string>();
      for (const endpoint of config.endpoints) {
        const url = new URL(endpoint);
        const host = hostOf(url);
        if (port === undefined) report("port", a.label, `dials ${p}, which exposes no clustermesh-apiserver`);
        else if (Number(url.port) !== port) report("port", a.label, `dials ${p} on port ${url.port}, which it exposes on ${port}`);
        const ips = isIP(host) ? [host] : resolved(a, host, config);
        if (ips.length === 0) report("ips", a.label, `dials ${host} for ${p}, which nothing resolves`);
        ips.forEach((ip) => dialled.add(ip));
        if (!covers(serverHosts(b.view), host))
          report("san", a.label, `dials ${p} as ${host}, which its server certificate does not cover`);
      }
      const advertised = advertisedIps(b.view);
      if ([...dialled].sort().join() !== [...advertised].sort().join())
        report("ips", a.label, `dials ${p} on ${JSON.stringify([...dialled])}, which is reached on ${JSON.stringify(advertised)}`);
      if (!(b.view.remoteUsers ?? []).includes(`remote-${a.name}:remote`))
        report("users", a.label, `${p}'s etcd has no user remote-${a.name}`);
    }
  }
  return problems;
}

/** The rules the problems break, in first-seen order. */
export function rulesOf(problems: readonly string[]): MeshRule[] {
  return [...new Set(problems.map((p) => p.split(":")[0] as MeshRule))];
}
