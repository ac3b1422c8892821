// The read-only check of a cluster fleetmesh does not create (a kubeconfig member), run at `up`
// before anything is written to it: the kubeconfig's context exists and the cluster answers, its
// Kubernetes version is one the fleet's Cilium supports (kubernetes-compatibility.ts), its declared
// service CIDR holds the `kubernetes` Service address, and, when it is first checked, that the Cilium
// it runs is the one declared: a Helm release `cilium` in `kube-system` (`meta.helm.sh/release-*`
// annotations, which Helm 3 sets on every object it creates: helm/helm pkg/action/validate.go
// `existingResourceConflict`) with the declared cluster name, id and version, the fleet's routing
// mode and `maxConnectedClusters`, and pods inside the declared pod CIDR; or, for a member new to the
// fleet that fleetmesh installs Cilium on, that no Cilium runs there yet (Helm would refuse to install
// over it, and a later run's check must not mistake fleetmesh's own install for a foreign one).
//
// Plain strings, no Pulumi: a `node` program (fleetmesh already needs node on the machine running
// `pulumi`) that runs `kubectl` with the member's kubeconfig read from stdin (`--kubeconfig
// /dev/stdin`), so the kubeconfig never touches the disk. What Cilium writes into `cilium-config` is
// cilium/cilium install/kubernetes/cilium/templates/cilium-configmap.yaml (`cluster-name`,
// `cluster-id`, `routing-mode`, `tunnel-protocol`, `max-connected-clusters`, `ipam`,
// `cluster-pool-ipv4-cidr`); the agent's image tag is its version (templates/cilium-agent/daemonset.yaml).
// Pure: no Pulumi import.

import { shellQuote } from "../shell";
import { formatKubernetesMinor, testedKubernetes } from "../cilium/kubernetes-compatibility";

/** What the first check of a member that already runs Cilium compares the cluster with. */
export interface ExistingCiliumExpectation {
  clusterName: string;
  clusterId: number;
  version: string;
  routingMode: "tunnel" | "native";
  tunnelProtocol: "vxlan" | "geneve";
  maxConnectedClusters: number;
  podCidr: string;
}

/** Everything the check of one member needs (no secret: the kubeconfig comes on stdin). */
export interface ClusterCheckSpec {
  member: string;
  /** The kubeconfig context; undefined: its current context. */
  context?: string;
  /** The fleet's Cilium chart version. */
  ciliumVersion: string;
  /** The Kubernetes minors that version lists as tested, `1.30`. */
  kubernetes: { oldest: string; newest: string };
  /** The declared service CIDR, a fact checked against the `kubernetes` Service. */
  serviceCidr?: string;
  /** The member already runs this Cilium (`existingCilium`). */
  existing?: ExistingCiliumExpectation;
  /** fleetmesh installs Cilium on this member for the first time: a Cilium already there is refused. */
  installs?: true;
}

/** The spec of one member's check. */
export function clusterCheckSpec(input: {
  member: string;
  context?: string;
  ciliumVersion: string;
  serviceCidr?: string;
  existing?: ExistingCiliumExpectation;
  /** The member is new to the fleet and fleetmesh installs its Cilium. */
  installs?: boolean;
}): ClusterCheckSpec {
  const tested = testedKubernetes(input.ciliumVersion);
  if (!tested) throw new Error(`clusterCheckSpec: Cilium ${JSON.stringify(input.ciliumVersion)} has no Kubernetes compatibility table`);
  return {
    member: input.member,
    ...(input.context !== undefined && { context: input.context }),
    ciliumVersion: input.ciliumVersion,
    kubernetes: { oldest: formatKubernetesMinor(tested.oldest), newest: formatKubernetesMinor(tested.newest) },
    ...(input.serviceCidr !== undefined && { serviceCidr: input.serviceCidr }),
    ...(input.existing && { existing: input.existing }),
    ...(input.existing === undefined && input.installs === true && { installs: true as const }),
  };
}

/**
 * The check as a shell command. `first`: the member's first check (Command create), which also
 * compares the Cilium there with the declaration; later checks (Command update, when an input such
 * as the fleet's Cilium version changes) only see that the cluster answers and its Kubernetes
 * version is supported, since by then the Cilium there is fleetmesh's own.
 */
export function clusterCheckScript(spec: ClusterCheckSpec, first: boolean): string {
  return `node -e ${shellQuote(CHECK_JS)} ${first ? "first" : "again"} ${shellQuote(JSON.stringify(spec))}`;
}

/** Restarts the member's clustermesh-apiserver, whose etcd reads its trusted CA only when it starts. */
export function restartApiserverScript(member: string, context: string | undefined): string {
  const spec = JSON.stringify({ member, ...(context !== undefined && { context }) });
  return `node -e ${shellQuote(CHECK_JS)} restart ${shellQuote(spec)}`;
}

// The node program. Errors are one line on stderr, `fleetmesh: member "<name>": ...`, and exit 1;
// success prints what it found as JSON on stdout.
const CHECK_JS = String.raw`
"use strict";
const { spawnSync } = require("child_process");
const [mode, specText] = process.argv.slice(1);
const spec = JSON.parse(specText);
const kubeconfig = require("fs").readFileSync(0, "utf8");
const who = "fleetmesh: member " + JSON.stringify(spec.member) + ": ";
function fail(message) {
  process.stderr.write(who + message + "\n");
  process.exit(1);
}
function kubectl(args, withContext = true) {
  const context = withContext && spec.context !== undefined ? ["--context", spec.context] : [];
  // Node lists of large clusters run to megabytes (every node lists its images): no 1 MiB default cap.
  const run = spawnSync("kubectl", ["--kubeconfig", "/dev/stdin", ...context, ...args], { input: kubeconfig, encoding: "utf8", maxBuffer: 1 << 30 });
  if (run.error && run.error.code === "ENOBUFS") fail("kubectl " + args.join(" ") + " printed more than 1 GiB: the check cannot read it");
  if (run.error) fail("kubectl could not be run (" + run.error.code + "): install kubectl on the machine running pulumi");
  const lines = (run.stderr || "").trim().split("\n").filter((l) => l !== "");
  return { ok: run.status === 0, stdout: run.stdout, error: lines.length > 0 ? lines[lines.length - 1] : "exit status " + run.status };
}
function getJson(args) {
  const got = kubectl(["get", ...args, "-o", "json"]);
  if (got.ok) return JSON.parse(got.stdout);
  if (/NotFound|not found/.test(got.error)) return undefined;
  fail("kubectl get " + args.join(" ") + " failed (" + got.error + ")");
}
function ipNumber(ip) {
  return ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}
function inCidr(inner, outer) {
  const [ip, bits] = inner.includes("/") ? inner.split("/") : [inner, "32"];
  const [net, prefix] = outer.split("/");
  if (ip.includes(":") || Number(bits) < Number(prefix)) return false;
  const size = 2 ** (32 - Number(prefix));
  return Math.floor(ipNumber(ip) / size) === Math.floor(ipNumber(net) / size);
}
function minorOf(text) {
  const [major, minor] = text.split(".").map((part) => parseInt(part, 10));
  return major * 1000 + minor;
}

function checkContext() {
  if (spec.context === undefined) {
    const current = kubectl(["config", "current-context"], false);
    if (!current.ok) fail("its kubeconfig has no current-context (" + current.error + "): set the member's context");
    return current.stdout.trim();
  }
  const listed = kubectl(["config", "get-contexts", "-o", "name"], false);
  if (!listed.ok) fail("its kubeconfig cannot be read by kubectl (" + listed.error + ")");
  const names = listed.stdout.split("\n").filter((n) => n !== "");
  if (!names.includes(spec.context)) {
    fail("context " + JSON.stringify(spec.context) + " does not exist in its kubeconfig (it has " +
      (names.length ? names.map((n) => JSON.stringify(n)).join(", ") : "none") + "): set the member's context to one of them");
  }
  return spec.context;
}

function checkKubernetes(context) {
  const got = kubectl(["version", "-o", "json"]);
  const version = got.ok ? JSON.parse(got.stdout).serverVersion : undefined;
  if (!version) {
    fail("its cluster does not answer through context " + JSON.stringify(context) + " (" + got.error +
      "): check the kubeconfig's server address and credentials, and that the cluster is running");
  }
  const found = version.major + "." + parseInt(version.minor, 10);
  const table = "Cilium " + spec.ciliumVersion + " lists Kubernetes " + spec.kubernetes.oldest + " to " + spec.kubernetes.newest +
    " as tested (cilium/cilium Documentation/network/kubernetes/compatibility.rst)";
  if (minorOf(found) < minorOf(spec.kubernetes.oldest)) {
    fail("its cluster runs Kubernetes " + version.gitVersion + ", older than " + table +
      ": upgrade the cluster, or choose a cilium.version that supports Kubernetes " + found);
  }
  if (minorOf(found) > minorOf(spec.kubernetes.newest)) {
    process.stderr.write(who + "Kubernetes " + version.gitVersion + " is newer than " + table + "; it relies on Kubernetes' backward compatibility\n");
  }
  return found;
}

function checkServiceCidr() {
  if (spec.serviceCidr === undefined) return;
  const service = getJson(["service", "kubernetes", "-n", "default"]);
  const ip = service && service.spec && service.spec.clusterIP;
  if (ip && !inCidr(ip, spec.serviceCidr)) {
    fail("serviceCidr " + JSON.stringify(spec.serviceCidr) + " does not hold the cluster's kubernetes Service address " + ip +
      ": declare the cluster's real service CIDR (kube-apiserver --service-cluster-ip-range)");
  }
}

function ciliumImageVersion() {
  const ds = getJson(["daemonset", "cilium", "-n", "kube-system"]);
  const containers = (ds && ds.spec && ds.spec.template && ds.spec.template.spec && ds.spec.template.spec.containers) || [];
  const agent = containers.find((c) => c.name === "cilium-agent") || containers[0];
  const match = agent && /:v?(\d+\.\d+\.\d+)/.exec(agent.image);
  return match ? match[1] : undefined;
}

function checkExisting(expected) {
  const config = getJson(["configmap", "cilium-config", "-n", "kube-system"]);
  if (!config) {
    fail("its cluster runs no Cilium (no ConfigMap kube-system/cilium-config), but existingCilium says it does: " +
      "leave existingCilium out so fleetmesh installs Cilium, or point the kubeconfig at the cluster that runs it");
  }
  const notes = (config.metadata && config.metadata.annotations) || {};
  const data = config.data || {};
  if (notes["meta.helm.sh/release-name"] !== "cilium" || notes["meta.helm.sh/release-namespace"] !== "kube-system") {
    const found = notes["meta.helm.sh/release-name"] === undefined ? "it carries no Helm release annotations"
      : "it belongs to Helm release " + JSON.stringify(notes["meta.helm.sh/release-name"]) + " in " + JSON.stringify(notes["meta.helm.sh/release-namespace"]);
    fail("its Cilium was not installed by Helm as release \"cilium\" in namespace \"kube-system\" (" + found + "): fleetmesh takes over " +
      "only that (the cilium CLI installs it so); reinstall Cilium that way, then run again");
  }
  const mismatch = [];
  const compare = (what, actual, declared, fix) => {
    if (actual !== declared) mismatch.push(what + " " + JSON.stringify(actual) + ", declared " + JSON.stringify(declared) + " (" + fix + ")");
  };
  compare("cluster-name", data["cluster-name"], expected.clusterName, "name the member after the cluster's cluster-name");
  compare("cluster-id", data["cluster-id"], String(expected.clusterId), "set existingCilium.clusterId to the cluster's cluster-id");
  compare("version", ciliumImageVersion(), expected.version, "set existingCilium.version to the version it runs");
  compare("routing-mode", data["routing-mode"] || "tunnel", expected.routingMode, "every member of a mesh needs the same routing mode: set cilium.routingMode");
  if (expected.routingMode === "tunnel") {
    compare("tunnel-protocol", data["tunnel-protocol"] || "vxlan", expected.tunnelProtocol, "every member of a mesh needs the same tunnel protocol");
  }
  compare("max-connected-clusters", data["max-connected-clusters"] || "255", String(expected.maxConnectedClusters),
    "Cilium cannot change it on a running cluster: set maxConnectedClusters to the cluster's value");
  mismatch.push(...podCidrMismatch(data, expected.podCidr));
  if (mismatch.length > 0) fail("its Cilium differs from the declaration: " + mismatch.join("; "));
  return data["ipam"] || "cluster-pool";
}

function podCidrMismatch(data, podCidr) {
  const ipam = data["ipam"] || "cluster-pool";
  const fix = "declare the cluster's real pod CIDR as podCidr";
  if (ipam === "cluster-pool") {
    const pools = (data["cluster-pool-ipv4-cidr"] || "").split(/[\s,]+/).filter((c) => c !== "");
    const outside = pools.filter((c) => !inCidr(c, podCidr));
    return outside.length ? ["cluster-pool-ipv4-cidr " + JSON.stringify(outside.join(" ")) + " lies outside podCidr " + JSON.stringify(podCidr) + " (" + fix + ")"] : [];
  }
  if (ipam === "kubernetes") {
    const nodes = (getJson(["nodes"]) || { items: [] }).items;
    const outside = nodes.flatMap((n) => (n.spec && (n.spec.podCIDRs || (n.spec.podCIDR ? [n.spec.podCIDR] : []))) || [])
      .filter((c) => !c.includes(":") && !inCidr(c, podCidr));
    return outside.length ? ["node pod CIDRs " + JSON.stringify(outside.join(" ")) + " lie outside podCidr " + JSON.stringify(podCidr) + " (" + fix + ")"] : [];
  }
  return ["ipam " + JSON.stringify(ipam) + " (fleetmesh takes over Cilium with cluster-pool or kubernetes IPAM only)"];
}

function checkNoOtherCilium() {
  const config = getJson(["configmap", "cilium-config", "-n", "kube-system"]);
  if (!config) return;
  const data = config.data || {};
  const release = ((config.metadata && config.metadata.annotations) || {})["meta.helm.sh/release-name"];
  fail("its cluster already runs Cilium (cluster-name " + JSON.stringify(data["cluster-name"]) + ", cluster-id " +
    JSON.stringify(data["cluster-id"]) + (release ? ", Helm release " + JSON.stringify(release) : ", not installed by Helm") +
    ") that fleetmesh did not install: declare it as existingCilium { clusterName, clusterId, version } to take it over");
}

if (mode === "restart") {
  const restarted = kubectl(["rollout", "restart", "deployment/clustermesh-apiserver", "-n", "kube-system"]);
  if (!restarted.ok) fail("restarting its clustermesh-apiserver failed (" + restarted.error + ")");
  process.stdout.write(JSON.stringify({ restarted: "deployment/clustermesh-apiserver" }) + "\n");
} else {
  const context = checkContext();
  const kubernetes = checkKubernetes(context);
  checkServiceCidr();
  const found = { context, kubernetes };
  if (mode === "first" && spec.existing) found.ipam = checkExisting(spec.existing);
  if (mode === "first" && spec.installs) checkNoOtherCilium();
  process.stdout.write(JSON.stringify(found) + "\n");
}
`;

/** What the preview says about a member whose Cilium fleetmesh takes over: the upgrade, the re-key and its restart, and what removal leaves. */
export function existingCiliumNotice(input: {
  member: string;
  installedVersion: string;
  fleetVersion: string;
  runsApiserver: boolean;
}): string {
  const upgrade =
    input.installedVersion === input.fleetVersion
      ? `upgraded in place (chart ${input.fleetVersion})`
      : `upgraded from chart ${input.installedVersion} to ${input.fleetVersion}`;
  const restart = input.runsApiserver ? ", then its clustermesh-apiserver restarts once (its etcd reads its trusted CA at start)" : "";
  return (
    `member ${input.member} already runs Cilium: Helm release cilium in kube-system is imported and ${upgrade} with the mesh ` +
    "settings only (its own IPAM, routing and kube-proxy settings are kept); it is re-keyed to the fleet CA: the chart's " +
    `certificate job re-issues its Hubble and Cluster Mesh certificates from it${restart}. Removing the member or destroying ` +
    "the stack leaves this Cilium installed (the release is kept on delete)."
  );
}

/** The check spec of one kubeconfig member, from its plan, its declaration's facts and its allocation. */
export function memberCheckSpec(input: {
  member: string;
  context?: string;
  declaredServiceCidr?: string;
  ciliumVersion: string;
  routingMode: "tunnel" | "native";
  maxConnectedClusters: number;
  existing?: { clusterName: string; clusterId: number; version: string };
  allocation: { clusterId: number; podCidr: string };
  /** The member has no allocation in the previous run's state: new to the fleet. */
  newMember: boolean;
}): ClusterCheckSpec {
  const existing = input.existing && {
    ...input.existing,
    routingMode: input.routingMode,
    // cilium-values.ts pins vxlan on every member fleetmesh installs.
    tunnelProtocol: "vxlan" as const,
    maxConnectedClusters: input.maxConnectedClusters,
    podCidr: input.allocation.podCidr,
  };
  return clusterCheckSpec({
    member: input.member,
    context: input.context,
    ciliumVersion: input.ciliumVersion,
    serviceCidr: input.declaredServiceCidr,
    existing,
    installs: input.newMember,
  });
}
