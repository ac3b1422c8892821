// A model of the Docker engine as kind and fleetmesh's scripts see it: containers with labels, a
// `kind` bridge network with an IPv4 subnet, addresses handed out at start and given back at stop,
// and the `docker` CLI commands the scripts and kind run (exec of `cat`, inspect, network inspect, ps,
// restart, start, stop, version).
//
// Addresses: a container takes the lowest free address of the network's subnet when it starts and
// releases it when it stops; nothing reserves it for the container while stopped. So after a Docker
// restart the nodes come back with addresses that depend on the order they start in, and a
// container that started meanwhile can take one (moby/moby#37634: dynamically assigned addresses
// are not kept for stopped containers; kubernetes-sigs/kind#2045 and #148: kind nodes get new IPs
// when Docker restarts; educates/educates-training-platform#850: the start order decides who gets
// which address on the kind network).
"use strict";

const crypto = require("crypto");
const { parseFlags } = require("./flags");
const { execute, TemplateGap, TemplateExecError } = require("./gotemplate");

class DockerError extends Error {
  constructor(message, exit = 1) {
    super(message);
    this.exit = exit;
  }
}

/** The daemon's refusal when it is not running (docker/cli: the client cannot reach the socket). */
const DAEMON_DOWN = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";

// ---- IPv4 ----

function parseCidr(cidr) {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const bits = Number(m[5]);
  const ip = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (ip & mask) >>> 0, bits, size: 2 ** (32 - bits) };
}

function ipString(n) {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

function ipNumber(ip) {
  return ip.split(".").reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

function hexId(seed) {
  return crypto.createHash("sha256").update(seed).digest("hex");
}

// ---- the model ----

/**
 * The `kind` network, created as kind creates it on first use: a bridge with an IPv6 ULA subnet of
 * kind's choosing and the IPv4 subnet Docker's default address pools give it (commonly
 * 172.18.0.0/16, the first free /16 after docker0's 172.17.0.0/16), the gateway at its first
 * address (kubernetes-sigs/kind pkg/cluster/internal/providers/docker/network.go, ensureNetwork).
 */
function ensureKindNetwork(state) {
  const networks = state.docker.networks;
  if (!networks.kind) {
    const { base } = parseCidr(state.docker.kindSubnet);
    state.counters.network += 1;
    networks.kind = {
      Name: "kind",
      Id: hexId(`network-kind-${state.counters.network}`),
      Driver: "bridge",
      EnableIPv6: true,
      Subnet: state.docker.kindSubnet,
      Gateway: ipString(base + 1),
      IPv6Subnet: "fc00:f853:ccd:e793::/64",
      IPv6Gateway: "fc00:f853:ccd:e793::1",
      CreatedTick: state.clock,
    };
  }
  return networks.kind;
}

/** The lowest address of the subnet that no running container holds (network and gateway excluded). */
function allocateAddress(state, networkName) {
  const network = state.docker.networks[networkName];
  const { base, size } = parseCidr(network.Subnet);
  const used = new Set(
    Object.values(state.docker.containers)
      .map((c) => c.networks[networkName]?.ip)
      .filter((ip) => ip),
  );
  used.add(network.Gateway);
  for (let offset = 1; offset < size - 1; offset++) {
    const candidate = ipString(base + offset);
    if (!used.has(candidate)) return candidate;
  }
  throw new DockerError(`Error response from daemon: no available IPv4 addresses on this network's address pools: ${networkName}`);
}

function start(state, container) {
  if (container.running) return;
  container.running = true;
  container.startedTick = state.clock;
  for (const name of Object.keys(container.networks)) container.networks[name].ip = allocateAddress(state, name);
}

function stop(state, container) {
  if (!container.running) return;
  container.running = false;
  container.finishedTick = state.clock;
  for (const endpoint of Object.values(container.networks)) endpoint.ip = "";
}

/** Creates and starts a container on `network` (kind's `docker run --net kind ...`). */
function createContainer(state, { name, image, labels, network, ports, files }) {
  if (state.docker.containers[name]) {
    throw new DockerError(
      `docker: Error response from daemon: Conflict. The container name "/${name}" is already in use by container "${state.docker.containers[name].id}". You have to remove (or rename) that container to be able to reuse that name.`,
      125,
    );
  }
  state.counters.container += 1;
  const container = {
    id: hexId(`container-${name}-${state.counters.container}`),
    name,
    image,
    labels: { ...labels },
    ports: ports ?? {},
    networks: { [network]: { ip: "" } },
    running: false,
    createdTick: state.clock,
    // Files in the container that `docker exec <name> cat <path>` reads (e.g. kind's /kind/kubeadm.conf).
    files: { ...(files ?? {}) },
  };
  state.docker.containers[name] = container;
  start(state, container);
  return container;
}

function removeContainer(state, name) {
  delete state.docker.containers[name];
}

/**
 * Stops every named container, then starts them in `startOrder` (default: as named): what a Docker
 * restart does to kind's nodes, whose addresses then follow the start order. Returns each
 * container's addresses (by network) before and after.
 */
function restartContainers(state, names, startOrder = names) {
  const lookup = (n) => {
    const c = state.docker.containers[n];
    if (!c) throw new DockerError(`Error response from daemon: No such container: ${n}`);
    return c;
  };
  const containers = names.map(lookup);
  if (startOrder.length !== names.length || !startOrder.every((n) => names.includes(n))) {
    throw new Error(`restartContainers: the start order ${startOrder.join(", ")} must list the restarted containers ${names.join(", ")}`);
  }
  const before = Object.fromEntries(
    containers.map((c) => [c.name, { ...Object.fromEntries(Object.entries(c.networks).map(([k, v]) => [k, v.ip])) }]),
  );
  for (const c of containers) stop(state, c);
  for (const c of startOrder.map(lookup)) start(state, c);
  return Object.fromEntries(
    containers.map((c) => [
      c.name,
      { before: before[c.name], after: Object.fromEntries(Object.entries(c.networks).map(([k, v]) => [k, v.ip])) },
    ]),
  );
}

function find(state, ref) {
  return Object.values(state.docker.containers).find(
    (c) => c.name === ref || c.name === ref.replace(/^\//, "") || (ref.length >= 12 && c.id.startsWith(ref)),
  );
}

// ---- views (the JSON Docker returns; fields kind and the scripts read) ----

function macOf(ip) {
  return ip ? ["02", "42", ...ip.split(".").map((p) => Number(p).toString(16).padStart(2, "0"))].join(":") : "";
}

function ipv6Of(state, ip) {
  if (!ip) return "";
  const network = state.docker.networks.kind;
  const host = ipNumber(ip) - parseCidr(network.Subnet).base;
  return `${network.IPv6Subnet.split("::")[0]}::${host.toString(16)}`;
}

function containerView(state, c) {
  const networks = {};
  for (const [name, endpoint] of Object.entries(c.networks)) {
    const network = state.docker.networks[name];
    networks[name] = {
      IPAMConfig: null,
      Links: null,
      Aliases: null,
      MacAddress: macOf(endpoint.ip),
      NetworkID: network.Id,
      EndpointID: endpoint.ip ? hexId(`endpoint-${c.id}-${endpoint.ip}`) : "",
      Gateway: endpoint.ip ? network.Gateway : "",
      IPAddress: endpoint.ip,
      IPPrefixLen: endpoint.ip ? parseCidr(network.Subnet).bits : 0,
      IPv6Gateway: endpoint.ip ? network.IPv6Gateway : "",
      GlobalIPv6Address: ipv6Of(state, endpoint.ip),
      GlobalIPv6PrefixLen: endpoint.ip ? 64 : 0,
      DNSNames: endpoint.ip ? [c.name, c.id.slice(0, 12)] : null,
    };
  }
  return {
    Id: c.id,
    Created: new Date(Date.UTC(2025, 0, 1) + c.createdTick * 1000).toISOString(),
    Path: "/usr/local/bin/entrypoint",
    Args: ["/sbin/init"],
    State: {
      Status: c.running ? "running" : "exited",
      Running: c.running,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      ExitCode: c.running ? 0 : 130,
    },
    Image: `sha256:${hexId(`image-${c.image}`)}`,
    Name: `/${c.name}`,
    RestartCount: 0,
    // kind runs its nodes with --restart=on-failure:1 (kind pkg/cluster/internal/providers/docker/provision.go).
    HostConfig: { RestartPolicy: { Name: "on-failure", MaximumRetryCount: 1 }, PortBindings: c.ports },
    Config: { Hostname: c.name, Labels: { ...c.labels }, Image: c.image },
    NetworkSettings: { Ports: c.running ? c.ports : {}, Networks: networks },
  };
}

function networkView(state, network) {
  const containers = {};
  for (const c of Object.values(state.docker.containers)) {
    const endpoint = c.networks[network.Name];
    if (!endpoint || !endpoint.ip) continue;
    containers[c.id] = {
      Name: c.name,
      EndpointID: hexId(`endpoint-${c.id}-${endpoint.ip}`),
      MacAddress: macOf(endpoint.ip),
      IPv4Address: `${endpoint.ip}/${parseCidr(network.Subnet).bits}`,
      IPv6Address: `${ipv6Of(state, endpoint.ip)}/64`,
    };
  }
  return {
    Name: network.Name,
    Id: network.Id,
    Scope: "local",
    Driver: network.Driver,
    EnableIPv6: network.EnableIPv6,
    IPAM: {
      Driver: "default",
      Options: {},
      Config: [
        { Subnet: network.Subnet, Gateway: network.Gateway },
        { Subnet: network.IPv6Subnet, Gateway: network.IPv6Gateway },
      ],
    },
    Internal: false,
    Attachable: false,
    Containers: containers,
    // kind sets the MTU and masquerading options on its network (network.go, createNetwork).
    Options: { "com.docker.network.bridge.enable_ip_masquerade": "true", "com.docker.network.driver.mtu": "1500" },
    Labels: {},
  };
}

/** A `docker ps` row: the fields of the format templates and the `.Label` method. */
function psRow(c) {
  const labels = Object.entries(c.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return {
    ID: c.id.slice(0, 12),
    Names: c.name,
    Image: c.image,
    Command: '"/usr/local/bin/entrypoint /sbin/init"',
    Status: c.running ? "Up 5 minutes" : "Exited (130) 1 minute ago",
    State: c.running ? "running" : "exited",
    Labels: labels,
    Ports: Object.entries(c.running ? c.ports : {})
      .map(([port, binds]) => binds.map((b) => `${b.HostIp}:${b.HostPort}->${port}`).join(", "))
      .join(", "),
    __call: (method, args) => {
      if (method === "Label") return c.labels[args[0]] ?? "";
      throw new TemplateGap(`template: the fake docker ps row has no method ${method}`);
    },
  };
}

// ---- the CLI ----

/** pflag-style options (lib/flags.js): every value of each flag; `boolean` names take none. */
function parseOptions(args, withValue, boolean) {
  const { values, positional } = parseFlags(args, withValue, boolean, (message) =>
    message.startsWith("unknown flag") ? new DockerError(`${message}\nSee 'docker --help'.`, 125) : new DockerError(message, 125),
  );
  return { options: values, positional };
}

function noSuchObject(state, ref) {
  return Number(state.docker.clientVersion.split(".")[0]) >= 29 ? `error: no such object: ${ref}` : `Error: No such object: ${ref}`;
}

function render(template, view) {
  try {
    return execute(template, view);
  } catch (error) {
    if (error instanceof TemplateExecError) throw new DockerError(error.message);
    throw error;
  }
}

function inspect(state, args) {
  const { options, positional } = parseOptions(args, ["-f", "--format", "--type"], ["-s", "--size"]);
  const format = (options["-f"] ?? options["--format"])?.at(-1);
  if (positional.length === 0) throw new DockerError('"docker inspect" requires at least 1 argument.', 1);
  const views = [];
  const errors = [];
  for (const ref of positional) {
    const c = find(state, ref);
    const network = !c ? Object.values(state.docker.networks).find((n) => n.Name === ref || n.Id.startsWith(ref)) : undefined;
    if (c) views.push(containerView(state, c));
    else if (network) views.push(networkView(state, network));
    else errors.push(noSuchObject(state, ref));
  }
  const stdout = format === undefined ? JSON.stringify(views, null, 4) + "\n" : views.map((v) => render(format, v) + "\n").join("");
  return { stdout, stderr: errors.map((e) => e + "\n").join(""), exit: errors.length > 0 ? 1 : 0 };
}

function network(state, args) {
  const [sub, ...rest] = args;
  if (sub === "inspect") {
    const { options, positional } = parseOptions(rest, ["-f", "--format"], ["-v", "--verbose"]);
    const format = (options["-f"] ?? options["--format"])?.at(-1);
    const views = [];
    const errors = [];
    for (const ref of positional) {
      const n = Object.values(state.docker.networks).find((x) => x.Name === ref || x.Id.startsWith(ref));
      if (n) views.push(networkView(state, n));
      else errors.push(`Error response from daemon: network ${ref} not found`);
    }
    const stdout = format === undefined ? JSON.stringify(views, null, 4) + "\n" : views.map((v) => render(format, v) + "\n").join("");
    return { stdout, stderr: errors.map((e) => e + "\n").join(""), exit: errors.length > 0 ? 1 : 0 };
  }
  if (sub === "ls") {
    const rows = Object.values(state.docker.networks).map((n) => `${n.Id.slice(0, 12)}   ${n.Name}   ${n.Driver}   local`);
    return { stdout: ["NETWORK ID     NAME      DRIVER    SCOPE", ...rows].join("\n") + "\n", stderr: "", exit: 0 };
  }
  throw new TemplateGap(`fake docker: "network ${sub}" is not modelled`);
}

function matchesFilter(c, filter) {
  const [key, ...valueParts] = filter.split("=");
  const value = valueParts.join("=");
  if (key === "label") {
    const [lk, ...lv] = value.split("=");
    return lv.length === 0 ? lk in c.labels : c.labels[lk] === lv.join("=");
  }
  if (key === "name") return c.name.includes(value);
  if (key === "status") return (c.running ? "running" : "exited") === value;
  if (key === "id") return c.id.startsWith(value);
  throw new TemplateGap(`fake docker: ps filter ${key} is not modelled`);
}

function ps(state, args) {
  const { options } = parseOptions(args, ["--filter", "-f", "--format"], ["-a", "--all", "-q", "--quiet", "--no-trunc"]);
  const all = options["-a"] || options["--all"];
  const filters = [...(options["--filter"] ?? []), ...(options["-f"] ?? [])];
  const rows = Object.values(state.docker.containers)
    .filter((c) => all || c.running)
    .filter((c) => filters.every((f) => matchesFilter(c, f)))
    .sort((a, b) => b.createdTick - a.createdTick || (a.name < b.name ? -1 : 1));
  const format = options["--format"]?.at(-1);
  if (options["-q"] || options["--quiet"]) return { stdout: rows.map((c) => c.id.slice(0, 12) + "\n").join(""), stderr: "", exit: 0 };
  if (format !== undefined) return { stdout: rows.map((c) => render(format, psRow(c)) + "\n").join(""), stderr: "", exit: 0 };
  const header = "CONTAINER ID   IMAGE   COMMAND   CREATED   STATUS   PORTS   NAMES";
  const lines = rows.map((c) => {
    const r = psRow(c);
    return [r.ID, r.Image, r.Command, "5 minutes ago", r.Status, r.Ports, r.Names].join("   ");
  });
  return { stdout: [header, ...lines].join("\n") + "\n", stderr: "", exit: 0 };
}

/** `docker restart|start|stop NAME...`: each name that worked on stdout, the others as daemon errors. */
function lifecycle(state, verb, args) {
  const { positional } = parseOptions(args, ["-t", "--time", "-s", "--signal"], []);
  let stdout = "";
  const errors = [];
  for (const ref of positional) {
    const c = find(state, ref);
    if (!c) {
      errors.push(`Error response from daemon: No such container: ${ref}`);
      continue;
    }
    if (verb === "restart") restartContainers(state, [c.name]);
    else if (verb === "start") start(state, c);
    else stop(state, c);
    stdout += ref + "\n";
  }
  return { stdout, stderr: errors.map((e) => e + "\n").join(""), exit: errors.length > 0 ? 1 : 0 };
}

/**
 * `docker exec [options] CONTAINER cat PATH`: only `cat` of a file the model keeps is modelled. A
 * stopped container refuses (docker/cli: the daemon's "container ... is not running"), a missing file
 * is cat's own error with exit 1.
 */
function exec(state, args) {
  const { positional } = parseOptions(
    args,
    ["-e", "--env", "-u", "--user", "-w", "--workdir"],
    ["-i", "--interactive", "-t", "--tty", "--privileged", "-d", "--detach"],
  );
  const [ref, program, ...rest] = positional;
  if (ref === undefined || program === undefined) throw new DockerError('"docker exec" requires at least 2 arguments.', 1);
  const c = find(state, ref);
  if (!c) throw new DockerError(`Error response from daemon: No such container: ${ref}`);
  if (!c.running) throw new DockerError(`Error response from daemon: container ${c.id} is not running`);
  if (program !== "cat" || rest.length !== 1)
    throw new TemplateGap(`fake docker: "exec ${positional.slice(1).join(" ")}" is not modelled (only cat of one file)`);
  const files = c.files ?? {};
  if (!Object.prototype.hasOwnProperty.call(files, rest[0]))
    return { stdout: "", stderr: `cat: ${rest[0]}: No such file or directory\n`, exit: 1 };
  return { stdout: files[rest[0]], stderr: "", exit: 0 };
}

function version(state, args) {
  const { options } = parseOptions(args, ["-f", "--format"], []);
  const format = (options["-f"] ?? options["--format"])?.at(-1);
  const view = {
    Client: { Version: state.docker.clientVersion, APIVersion: "1.51", Os: "linux", Arch: "amd64" },
    Server: state.docker.daemonRunning ? { Version: state.docker.clientVersion, APIVersion: "1.51", Os: "linux", Arch: "amd64" } : null,
  };
  if (!state.docker.daemonRunning) {
    const stdout = format === undefined ? `Client:\n Version:           ${state.docker.clientVersion}\n` : render(format, view) + "\n";
    return { stdout, stderr: DAEMON_DOWN + "\n", exit: 1 };
  }
  if (format !== undefined) return { stdout: render(format, view) + "\n", stderr: "", exit: 0 };
  return {
    stdout: `Client:\n Version:           ${state.docker.clientVersion}\n\nServer:\n Engine:\n  Version:          ${state.docker.clientVersion}\n`,
    stderr: "",
    exit: 0,
  };
}

function run({ args, state }) {
  // Global options before the command (`docker --context x ps`) are accepted and ignored.
  let i = 0;
  while (i < args.length && args[i].startsWith("-")) i += args[i].includes("=") || ["--debug", "-D"].includes(args[i]) ? 1 : 2;
  const [command, ...rest] = args.slice(i);
  try {
    if (command === "version") return version(state, rest);
    if (!state.docker.daemonRunning) return { stdout: "", stderr: DAEMON_DOWN + "\n", exit: 1 };
    switch (command) {
      case "inspect":
        return inspect(state, rest);
      case "exec":
        return exec(state, rest);
      case "container":
        if (rest[0] === "inspect") return inspect(state, rest.slice(1));
        if (["restart", "start", "stop"].includes(rest[0])) return lifecycle(state, rest[0], rest.slice(1));
        if (rest[0] === "ls") return ps(state, rest.slice(1));
        break;
      case "network":
        return network(state, rest);
      case "ps":
        return ps(state, rest);
      case "restart":
      case "start":
      case "stop":
        return lifecycle(state, command, rest);
    }
    throw new TemplateGap(`fake docker: "${args.join(" ")}" is not modelled`);
  } catch (error) {
    if (error instanceof DockerError) return { stdout: "", stderr: error.message + "\n", exit: error.exit };
    throw error;
  }
}

module.exports = {
  DAEMON_DOWN,
  DockerError,
  parseCidr,
  ipString,
  ensureKindNetwork,
  createContainer,
  removeContainer,
  restartContainers,
  start,
  stop,
  containerView,
  run,
  wantsStdin: () => false,
};
