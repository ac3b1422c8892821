// A model of the kind CLI (kubernetes-sigs/kind, v0.32.0) over the fake Docker engine: clusters are
// their node containers, found by the `io.x-k8s.kind.cluster` label as kind's docker provider finds
// them (pkg/cluster/internal/providers/docker/provider.go, ListClusters/ListNodes; constants.go).
//
// Modelled: `version`, `get clusters`, `get nodes`, `get kubeconfig`, `create cluster` (config from a
// file or stdin, name precedence, validation, refusal of an existing name), `delete cluster`
// (idempotent), `delete clusters`. Messages and exit codes as kind prints them: errors as
// `ERROR: <error>` on stderr and exit 1 (cmd/kind/app/main.go, Main and logError).
// Each node gets the kubeadm config kind writes to /kind/kubeadm.conf (the parts scripts read).
// Not modelled: kind writing the user's kubeconfig file (recorded in the state instead), images,
// `load`, `export logs`, node readiness.
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const { parse } = require("yaml");
const docker = require("./docker");
const flags = require("./flags");
const { TemplateGap } = require("./gotemplate");

const CLUSTER_LABEL = "io.x-k8s.kind.cluster";
const ROLE_LABEL = "io.x-k8s.kind.role";
const DEFAULT_NAME = "kind";
const API_VERSION = "kind.x-k8s.io/v1alpha4";
/** pkg/internal/apis/config/validate.go, validNameRE. */
const VALID_NAME = /^[a-z0-9.-]+$/;

class KindError extends Error {}

/** cobra/pflag options of one subcommand; `boolean` names take no value. */
function parseFlags(args, withValue, boolean) {
  const { values, positional } = flags.parseFlags(args, withValue, boolean, (message) => new KindError(message));
  return { flags: flags.lastValues(values), positional };
}

/** The docker command kind runs to list nodes, as its provider formats it (for messages). */
function listCommand(cluster) {
  return cluster === undefined
    ? `docker ps -a --filter label=${CLUSTER_LABEL} --format '{{.Label "${CLUSTER_LABEL}"}}'`
    : `docker ps -a --filter label=${CLUSTER_LABEL}=${cluster} --format '{{.Names}}'`;
}

/** kind's wrapping of a failed docker call (pkg/exec RunError, logError's "Command Output"). */
function dockerDown(what, cluster) {
  return new KindError(
    `${what}: command "${listCommand(cluster)}" failed with error: exit status 1\n\nCommand Output: ${docker.DAEMON_DOWN}`,
  );
}

function nodesOf(state, cluster) {
  return Object.values(state.docker.containers)
    .filter((c) => c.labels[CLUSTER_LABEL] === cluster)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function clusterNames(state) {
  return [
    ...new Set(
      Object.values(state.docker.containers)
        .map((c) => c.labels[CLUSTER_LABEL])
        .filter((n) => n !== undefined),
    ),
  ].sort();
}

/** `--name` > KIND_CLUSTER_NAME > the config's name > "kind" (pkg/cluster/internal/create fixupOptions; pkg/internal/cli OverrideDefaultName). */
function clusterName(flags, env, configName) {
  return flags["--name"] ?? flags["-n"] ?? env.KIND_CLUSTER_NAME ?? configName ?? DEFAULT_NAME;
}

function isCidr(text) {
  if (typeof text !== "string") return false;
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(text);
  if (m) return m.slice(1, 5).every((p) => Number(p) <= 255) && Number(m[5]) <= 32;
  return /^[0-9a-f:]+\/\d+$/i.test(text);
}

/** Loads and validates a kind config (pkg/internal/apis/config/encoding/load.go; validate.go). */
function loadConfig(text) {
  if (text === undefined || text.trim() === "") return { kind: "Cluster", apiVersion: API_VERSION, nodes: [{ role: "control-plane" }] };
  let doc;
  try {
    doc = parse(text) ?? {};
  } catch (error) {
    throw new KindError(`could not determine kind / apiVersion for config: ${error.message.split("\n")[0]}`);
  }
  if (doc.apiVersion !== API_VERSION) throw new KindError(`unknown apiVersion: ${doc.apiVersion ?? ""}`);
  if (doc.kind !== "Cluster") throw new KindError(`unknown kind ${doc.kind ?? ""} for apiVersion: ${doc.apiVersion}`);
  return doc;
}

function validate(name, config) {
  const errors = [];
  if (!VALID_NAME.test(name)) errors.push(`'${name}' is not a valid cluster name, cluster names must match \`${VALID_NAME.source}\``);
  const networking = config.networking ?? {};
  if (networking.podSubnet !== undefined && !isCidr(networking.podSubnet))
    errors.push(`invalid pod subnet invalid CIDR address: ${networking.podSubnet}`);
  if (networking.serviceSubnet !== undefined && !isCidr(networking.serviceSubnet)) {
    errors.push(`invalid service subnet invalid CIDR address: ${networking.serviceSubnet}`);
  }
  if (networking.kubeProxyMode !== undefined && !["iptables", "ipvs", "nftables", "none"].includes(networking.kubeProxyMode)) {
    errors.push(`invalid kubeProxyMode: ${networking.kubeProxyMode}`);
  }
  const nodes = config.nodes ?? [{ role: "control-plane" }];
  nodes.forEach((node, i) => {
    if (!["control-plane", "worker"].includes(node.role))
      errors.push(`invalid configuration for node ${i}: "${node.role}" is not a valid node role`);
  });
  if (!nodes.some((n) => n.role === "control-plane")) errors.push("must have at least one control-plane node");
  // pkg/errors NewAggregate: one error alone, several as a bracketed list.
  if (errors.length === 1) throw new KindError(errors[0]);
  if (errors.length > 1) throw new KindError(`[${errors.join(", ")}]`);
}

/** Node container names: `<cluster>-<role>`, then `<role>2`, `<role>3`... (pkg/cluster/internal/providers/common/namer.go). */
function nodeNamer(cluster) {
  const counts = {};
  return (role) => {
    counts[role] = (counts[role] ?? 0) + 1;
    return `${cluster}-${role}${counts[role] > 1 ? counts[role] : ""}`;
  };
}

function createCluster(state, { flags, env, cwd, stdin }) {
  const configFlag = flags["--config"];
  let text;
  if (configFlag === "-") text = stdin ?? "";
  else if (configFlag !== undefined) {
    try {
      text = fs.readFileSync(path.resolve(cwd, configFlag), "utf8");
    } catch (error) {
      throw new KindError(
        `failed to create cluster: error reading file: open ${configFlag}: ${error.code === "ENOENT" ? "no such file or directory" : error.message}`,
      );
    }
  }
  let config;
  try {
    config = loadConfig(text);
  } catch (error) {
    throw new KindError(`failed to create cluster: ${error.message}`);
  }
  const name = clusterName(flags, env, config.name);
  if (!state.docker.daemonRunning) throw new KindError(`failed to create cluster: ${dockerDown("failed to list nodes", name).message}`);
  // create.go Cluster: the existing-name check comes before validation and before any output.
  if (nodesOf(state, name).length > 0)
    throw new KindError(`failed to create cluster: node(s) already exist for a cluster with the name "${name}"`);
  try {
    validate(name, config);
  } catch (error) {
    throw new KindError(`failed to create cluster: ${error.message}`);
  }
  const network = docker.ensureKindNetwork(state);
  const nodes = config.nodes ?? [{ role: "control-plane" }];
  const image = flags["--image"];
  const names = nodeNamer(name);
  const controlPlanes = nodes.filter((n) => n.role === "control-plane").length;
  const networking = config.networking ?? {};
  const nextPort = () => {
    state.counters.hostPort += 1;
    return String(40000 + state.counters.hostPort);
  };
  // The API server's host port: the configured one, else a free one (provision.go; random in kind).
  const apiPort = networking.apiServerPort ? String(networking.apiServerPort) : nextPort();
  const apiAddress = networking.apiServerAddress ?? "127.0.0.1";
  const created = [];
  for (const node of nodes) {
    const nodeName = names(node.role);
    // `--image` overrides every node's image (pkg/cluster/internal/create/create.go, fixupOptions).
    const nodeImage = image ?? node.image ?? state.kind.defaultImage;
    const ports = controlPlanes === 1 && node.role === "control-plane" ? { "6443/tcp": [{ HostIp: apiAddress, HostPort: apiPort }] } : {};
    docker.createContainer(state, {
      name: nodeName,
      image: nodeImage,
      labels: { [CLUSTER_LABEL]: name, [ROLE_LABEL]: node.role },
      network: network.Name,
      ports,
      files: { "/kind/kubeadm.conf": kubeadmConfig(name, node, networking, nodeImage) },
    });
    created.push(nodeName);
  }
  if (controlPlanes > 1) {
    const lbName = `${name}-external-load-balancer`;
    docker.createContainer(state, {
      name: lbName,
      // pkg/cluster/internal/loadbalancer/const.go at v0.32.0.
      image: "docker.io/envoyproxy/envoy:v1.36.2",
      labels: { [CLUSTER_LABEL]: name, [ROLE_LABEL]: "external-load-balancer" },
      network: network.Name,
      ports: { "6443/tcp": [{ HostIp: apiAddress, HostPort: apiPort }] },
    });
    created.push(lbName);
  }
  state.kind.clusters[name] = {
    name,
    config: text ?? "",
    parsed: {
      name: config.name,
      nodes: nodes.map((n) => ({ role: n.role, ...(n.image ? { image: n.image } : {}), ...(n.labels ? { labels: n.labels } : {}) })),
      networking,
    },
    nodes: created,
    createdTick: state.clock,
    kubeconfigExportedTo: flags["--kubeconfig"] ?? env.KUBECONFIG ?? "~/.kube/config",
  };
  const context = `kind-${name}`;
  const shownImage = image ?? nodes[0].image ?? state.kind.defaultImage;
  // create.go: the status lines kind prints to stderr while it creates the cluster.
  const stderr = [
    `Creating cluster "${name}" ...`,
    ` ✓ Ensuring node image (${shownImage.split("@")[0]}) 🖼`,
    ` ✓ Preparing nodes ${"📦 ".repeat(nodes.length).trim()}`,
    " ✓ Writing configuration 📜",
    " ✓ Starting control-plane 🕹️",
    " ✓ Installing StorageClass 💾",
    ...(nodes.length > controlPlanes ? [" ✓ Joining worker nodes 🚜"] : []),
    `Set kubectl context to "${context}"`,
    "You can now use your cluster with:",
    "",
    `kubectl cluster-info --context ${context}`,
    "",
  ].join("\n");
  return { stdout: "", stderr: stderr + "\n", exit: 0 };
}

/**
 * The kubeadm config kind writes to a node's /kind/kubeadm.conf: the parts of its v1beta4 template
 * that fleetmesh's scripts read (pkg/cluster/internal/kubeadm/config.go, ConfigTemplateBetaV4: the
 * networking subnets with kind's defaults from pkg/apis/config/v1alpha4/default.go, the node labels as
 * the kubelet's `node-labels`, and a KubeProxyConfiguration unless the mode is `none`). kind joins the
 * labels in Go map order (actions/config/config.go, hashMapLabelsToCommaSeparatedLabels); the model
 * sorts them.
 */
function kubeadmConfig(cluster, node, networking, image) {
  const labels = Object.entries(node.labels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const version = /:(v\d+\.\d+\.\d+)/.exec(image)?.[1] ?? "v0.0.0";
  const proxyMode = networking.kubeProxyMode ?? "iptables";
  const kubelet = ["  kubeletExtraArgs:", '    - name: "node-labels"', `      value: "${labels}"`];
  return [
    "# config generated by kind",
    "apiVersion: kubeadm.k8s.io/v1beta4",
    "kind: ClusterConfiguration",
    `kubernetesVersion: ${version}`,
    `clusterName: "${cluster}"`,
    `controlPlaneEndpoint: "${cluster}-control-plane:6443"`,
    "networking:",
    `  podSubnet: "${networking.podSubnet ?? "10.244.0.0/16"}"`,
    `  serviceSubnet: "${networking.serviceSubnet ?? "10.96.0.0/16"}"`,
    "---",
    "apiVersion: kubeadm.k8s.io/v1beta4",
    node.role === "control-plane" ? "kind: InitConfiguration" : "kind: JoinConfiguration",
    "nodeRegistration:",
    '  criSocket: "unix:///run/containerd/containerd.sock"',
    ...kubelet,
    "---",
    "apiVersion: kubelet.config.k8s.io/v1beta1",
    "kind: KubeletConfiguration",
    "cgroupRoot: /kubelet",
    ...(proxyMode === "none"
      ? []
      : ["---", "apiVersion: kubeproxy.config.k8s.io/v1alpha1", "kind: KubeProxyConfiguration", `mode: "${proxyMode}"`]),
    "",
  ].join("\n");
}

/** The kubeconfig kind hands out: one cluster, user and context named `kind-<name>` (kubeconfig/internal/kubeconfig helpers.go, KINDClusterKey). */
function kubeconfig(state, name, internal) {
  const nodes = nodesOf(state, name).filter((c) => c.labels[ROLE_LABEL] === "control-plane");
  if (nodes.length === 0) {
    throw new KindError(
      `could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster`,
    );
  }
  const node = nodes[0];
  if (!node.running) {
    throw new KindError(
      `failed to get cluster internal kubeconfig: command "docker exec --privileged ${node.name} cat /etc/kubernetes/admin.conf" failed with error: exit status 1\n\nCommand Output: Error response from daemon: container ${node.id} is not running`,
    );
  }
  const lb = nodesOf(state, name).find((c) => c.labels[ROLE_LABEL] === "external-load-balancer") ?? node;
  const bind = lb.ports["6443/tcp"]?.[0];
  const server = internal ? `https://${lb.name}:6443` : `https://${bind?.HostIp ?? "127.0.0.1"}:${bind?.HostPort ?? "6443"}`;
  const key = `kind-${name}`;
  const b64 = (s) => Buffer.from(s).toString("base64");
  const digest = crypto.createHash("sha256").update(`${name}-${node.id}`).digest("hex").slice(0, 16);
  return [
    "apiVersion: v1",
    "clusters:",
    "- cluster:",
    `    certificate-authority-data: ${b64(`FAKE-KIND-CA-${digest}`)}`,
    `    server: ${server}`,
    `  name: ${key}`,
    "contexts:",
    "- context:",
    `    cluster: ${key}`,
    `    user: ${key}`,
    `  name: ${key}`,
    `current-context: ${key}`,
    "kind: Config",
    "preferences: {}",
    "users:",
    `- name: ${key}`,
    "  user:",
    `    client-certificate-data: ${b64(`FAKE-KIND-CLIENT-CERT-${digest}`)}`,
    `    client-key-data: ${b64(`FAKE-KIND-CLIENT-KEY-${digest}`)}`,
    "",
  ].join("\n");
}

/** delete.go Cluster: deletes whatever nodes exist, succeeds when none do ("like rm -f"). */
function deleteCluster(state, name) {
  const nodes = nodesOf(state, name);
  for (const c of nodes) docker.removeContainer(state, c.name);
  delete state.kind.clusters[name];
  let stderr = `Deleting cluster "${name}" ...\n`;
  if (nodes.length > 0) stderr += `Deleted nodes: [${nodes.map((c) => JSON.stringify(c.name)).join(" ")}]\n`;
  return stderr;
}

function run({ args, state, env, cwd, stdin }) {
  const quiet = args.includes("-q") || args.includes("--quiet");
  const words = args.filter((a) => a !== "-q" && a !== "--quiet");
  const [group, sub, ...rest] = words;
  const ok = (stdout = "", stderr = "") => ({ stdout, stderr: quiet ? "" : stderr, exit: 0 });
  try {
    if (group === "version") return ok(quiet ? `${state.kind.version}\n` : `kind v${state.kind.version} go1.25.5 linux/amd64\n`);
    if (group === "get" && sub === "clusters") {
      if (!state.docker.daemonRunning) throw dockerDown("failed to list clusters");
      const names = clusterNames(state);
      return names.length === 0 ? ok("", "No kind clusters found.\n") : ok(names.map((n) => n + "\n").join(""));
    }
    if (group === "get" && sub === "nodes") {
      const { flags } = parseFlags(rest, ["--name", "-n"], ["--all-clusters", "-A"]);
      const name = clusterName(flags, env);
      if (!state.docker.daemonRunning) throw dockerDown("failed to list nodes", name);
      const nodes = nodesOf(state, name);
      return nodes.length === 0 ? ok("", `No kind nodes found for cluster "${name}".\n`) : ok(nodes.map((c) => c.name + "\n").join(""));
    }
    if (group === "get" && sub === "kubeconfig") {
      const { flags } = parseFlags(rest, ["--name", "-n"], ["--internal"]);
      const name = clusterName(flags, env);
      if (!state.docker.daemonRunning) throw dockerDown("failed to list nodes", name);
      return ok(kubeconfig(state, name, flags["--internal"] === true));
    }
    if (group === "create" && sub === "cluster") {
      const { flags, positional } = parseFlags(rest, ["--name", "-n", "--config", "--image", "--wait", "--kubeconfig"], ["--retain"]);
      if (positional.length > 0) throw new KindError(`unknown command "${positional[0]}" for "kind create cluster"`);
      const result = createCluster(state, { flags, env, cwd, stdin });
      return quiet ? { ...result, stderr: "" } : result;
    }
    if (group === "delete" && sub === "cluster") {
      const { flags } = parseFlags(rest, ["--name", "-n", "--kubeconfig"], []);
      const name = clusterName(flags, env);
      if (!state.docker.daemonRunning)
        throw new KindError(`failed to delete cluster "${name}": error listing nodes: ${dockerDown("failed to list nodes", name).message}`);
      return ok("", deleteCluster(state, name));
    }
    if (group === "delete" && sub === "clusters") {
      const { flags, positional } = parseFlags(rest, ["--kubeconfig"], ["--all", "-A"]);
      const names = flags["--all"] || flags["-A"] ? clusterNames(state) : positional;
      for (const name of names) deleteCluster(state, name);
      return ok("", `Deleted clusters: [${names.map((n) => JSON.stringify(n)).join(" ")}]\n`);
    }
    throw new TemplateGap(`fake kind: "${args.join(" ")}" is not modelled`);
  } catch (error) {
    if (error instanceof KindError || error instanceof docker.DockerError)
      return { stdout: "", stderr: `ERROR: ${error.message}\n`, exit: 1 };
    throw error;
  }
}

/** `create cluster --config -` reads its config from stdin (pkg/cmd/kind/create/cluster/createcluster.go, configOption). */
function wantsStdin(args) {
  if (!(args.includes("create") && args.includes("cluster"))) return false;
  const i = args.indexOf("--config");
  return (i >= 0 && args[i + 1] === "-") || args.includes("--config=-");
}

module.exports = { run, wantsStdin, CLUSTER_LABEL, ROLE_LABEL };
