// A model of the kubectl CLI (kubernetes/kubectl, v1.34) against fake clusters in the shared state,
// found by the server address of the kubeconfig context in use, as kubectl finds a cluster
// (k8s.io/client-go tools/clientcmd: context → cluster → `server`).
//
// Modelled: the global flags `--kubeconfig` (a file, or /dev/stdin read once), `--context`, `-n` /
// `--namespace`, `-o` / `--output`; `config get-contexts -o name`, `config current-context`,
// `version -o json`, `get <kind> [<name>] -o json`, `rollout restart <kind>/<name>`. A cluster whose
// `answering` is false (or a server no cluster has) fails every call that needs the server the way
// kubectl reports a refused connection; `version` still prints its client version first.
// Messages as kubectl prints them: `Error from server (NotFound): <resource> "<name>" not found`
// (k8s.io/apimachinery pkg/api/errors NewNotFound, printed by kubectl's cmdutil.CheckErr),
// `error: current-context is not set` (kubectl pkg/cmd/config/current_context.go), and the refused
// connection's `The connection to the server <host> was refused - did you specify the right host or
// port?` (client-go rest / kubectl cmdutil.CheckErr). Not modelled: apply, patch, watch, auth plugins.
"use strict";

const fs = require("fs");
const { parseFlags, lastValues } = require("./flags");
const { parse } = require("yaml");

const CLIENT_VERSION = { major: "1", minor: "34", gitVersion: "v1.34.1", platform: "linux/amd64" };

class KubectlError extends Error {}

/** kind → [resource as NotFound names it, apiVersion, namespaced]. */
const KINDS = {
  configmap: ["configmaps", "v1", true],
  configmaps: ["configmaps", "v1", true],
  cm: ["configmaps", "v1", true],
  daemonset: ["daemonsets.apps", "apps/v1", true],
  daemonsets: ["daemonsets.apps", "apps/v1", true],
  ds: ["daemonsets.apps", "apps/v1", true],
  deployment: ["deployments.apps", "apps/v1", true],
  deployments: ["deployments.apps", "apps/v1", true],
  deploy: ["deployments.apps", "apps/v1", true],
  service: ["services", "v1", true],
  services: ["services", "v1", true],
  svc: ["services", "v1", true],
  secret: ["secrets", "v1", true],
  secrets: ["secrets", "v1", true],
  node: ["nodes", "v1", false],
  nodes: ["nodes", "v1", false],
  no: ["nodes", "v1", false],
};

/** The object key a fake cluster stores an object under: `<resource>/<namespace>/<name>` (namespace "" for nodes). */
function objectKey(resource, namespace, name) {
  return `${resource}/${namespace}/${name}`;
}

const GLOBAL_WITH_VALUE = ["--kubeconfig", "--context", "-n", "--namespace", "-o", "--output"];

function parseArgs(args) {
  const parsed = parseFlags(args, GLOBAL_WITH_VALUE, [], (message) => new KubectlError(`error: ${message}`));
  const flags = Object.fromEntries(Object.entries(lastValues(parsed.values)).map(([name, value]) => [name.replace(/^--?/, ""), value]));
  const positional = parsed.positional;
  return {
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    namespace: flags.n ?? flags.namespace,
    output: flags.o ?? flags.output,
    positional,
  };
}

function wantsStdin(args) {
  const { kubeconfig } = parseArgs(args);
  return kubeconfig === "/dev/stdin" || kubeconfig === "-";
}

function readKubeconfig(parsed, env, stdin) {
  const file = parsed.kubeconfig ?? env.KUBECONFIG;
  if (file === undefined) throw new KubectlError("error: no kubeconfig given (the fake kubectl has no ~/.kube/config)");
  const text = file === "/dev/stdin" || file === "-" ? stdin : fs.readFileSync(file, "utf8");
  const config = parse(text ?? "") ?? {};
  return {
    contexts: (config.contexts ?? []).map((c) => ({ name: c.name, ...(c.context ?? {}) })),
    clusters: (config.clusters ?? []).map((c) => ({ name: c.name, ...(c.cluster ?? {}) })),
    current: config["current-context"],
  };
}

/** The context in use and its cluster's server, or kubectl's configuration error. */
function resolveServer(config, contextName) {
  const name = contextName ?? config.current;
  if (name === undefined || name === "") throw new KubectlError("error: current-context is not set");
  const context = config.contexts.find((c) => c.name === name);
  if (!context) throw new KubectlError(`error: context was not found for specified context: ${name}`);
  const cluster = config.clusters.find((c) => c.name === context.cluster);
  if (!cluster || !cluster.server) throw new KubectlError(`error: cluster has no server defined`);
  return cluster.server;
}

function hostOf(server) {
  return server.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
}

function refused(server) {
  return new KubectlError(`The connection to the server ${hostOf(server)} was refused - did you specify the right host or port?`);
}

/** The fake cluster behind `server`, or the refused connection. */
function clusterAt(state, server) {
  const cluster = (state.kubernetes ?? { clusters: {} }).clusters[server];
  if (!cluster || cluster.answering === false) throw refused(server);
  return cluster;
}

function notFound(resource, name) {
  return new KubectlError(`Error from server (NotFound): ${resource} "${name}" not found`);
}

function json(value) {
  return JSON.stringify(value, null, 4) + "\n";
}

function get(cluster, parsed, rest) {
  const [kindText, name] = rest;
  const kind = KINDS[(kindText ?? "").toLowerCase()];
  if (!kind) throw new KubectlError(`error: the server doesn't have a resource type "${kindText}"`);
  const [resource, , namespaced] = kind;
  const namespace = namespaced ? (parsed.namespace ?? "default") : "";
  if (parsed.output !== "json") throw new KubectlError("fake kubectl: only `-o json` output is modelled");
  if (name !== undefined) {
    const object = cluster.objects[objectKey(resource, namespace, name)];
    if (!object) throw notFound(resource, name);
    return json(object);
  }
  const prefix = `${resource}/${namespace}/`;
  const items = Object.keys(cluster.objects)
    .filter((key) => key.startsWith(prefix))
    .sort()
    .map((key) => cluster.objects[key]);
  return json({ apiVersion: "v1", kind: "List", items, metadata: { resourceVersion: "" } });
}

function rolloutRestart(state, cluster, parsed, rest) {
  const [verb, target] = rest;
  if (verb !== "restart" || !target || !target.includes("/"))
    throw new KubectlError("fake kubectl: only `rollout restart <kind>/<name>` is modelled");
  const [kindText, name] = target.split("/");
  const kind = KINDS[kindText.toLowerCase()];
  if (!kind || !["deployments.apps", "daemonsets.apps"].includes(kind[0])) {
    throw new KubectlError(`error: no restarter has been implemented for "${kindText}"`);
  }
  const namespace = parsed.namespace ?? "default";
  const object = cluster.objects[objectKey(kind[0], namespace, name)];
  if (!object) throw notFound(kind[0], name);
  // kubectl sets this pod-template annotation (kubectl pkg/polymorphichelpers/objectrestarter.go).
  const template = (object.spec ??= {}).template ?? (object.spec.template = {});
  const metadata = (template.metadata ??= {});
  (metadata.annotations ??= {})["kubectl.kubernetes.io/restartedAt"] = `tick-${state.clock}`;
  (cluster.restarts ??= []).push({ tick: state.clock, object: `${kind[0]}/${namespace}/${name}` });
  return `${kind[0] === "deployments.apps" ? "deployment.apps" : "daemonset.apps"}/${name} restarted\n`;
}

function run({ args, state, env, stdin }) {
  try {
    const parsed = parseArgs(args);
    const [command, ...rest] = parsed.positional;
    const config = readKubeconfig(parsed, env, stdin);
    if (command === "config" && rest[0] === "get-contexts" && parsed.output === "name") {
      return { stdout: config.contexts.map((c) => `${c.name}\n`).join(""), stderr: "", exit: 0 };
    }
    if (command === "config" && rest[0] === "current-context") {
      if (!config.current) throw new KubectlError("error: current-context is not set");
      return { stdout: `${config.current}\n`, stderr: "", exit: 0 };
    }
    const server = resolveServer(config, parsed.context);
    if (command === "version") {
      if (parsed.output !== "json") throw new KubectlError("fake kubectl: only `version -o json` is modelled");
      const client = { clientVersion: CLIENT_VERSION, kustomizeVersion: "v5.7.1" };
      try {
        const cluster = clusterAt(state, server);
        const [major, minor] = cluster.gitVersion.replace(/^v/, "").split(".");
        return {
          stdout: json({ ...client, serverVersion: { major, minor, gitVersion: cluster.gitVersion, platform: "linux/amd64" } }),
          stderr: "",
          exit: 0,
        };
      } catch (error) {
        if (!(error instanceof KubectlError)) throw error;
        return { stdout: json(client), stderr: `${error.message}\n`, exit: 1 };
      }
    }
    const cluster = clusterAt(state, server);
    if (command === "get") return { stdout: get(cluster, parsed, rest), stderr: "", exit: 0 };
    if (command === "rollout") return { stdout: rolloutRestart(state, cluster, parsed, rest), stderr: "", exit: 0 };
    throw new KubectlError(`fake kubectl: the command ${JSON.stringify(parsed.positional.join(" "))} is not modelled`);
  } catch (error) {
    if (!(error instanceof KubectlError)) throw error;
    return { stdout: "", stderr: `${error.message}\n`, exit: 1 };
  }
}

module.exports = { run, wantsStdin, objectKey, KINDS };
