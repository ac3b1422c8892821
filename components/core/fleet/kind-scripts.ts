// The shell scripts of a kind member (run by `local.Command` and `local.run` with `/bin/sh -c`): the
// create script, which checks the kind CLI, creates the cluster or adopts an existing one only when
// it is this member's, and checks the LoadBalancer pool against the Docker network; and the scripts
// that read the control-plane node's address. Pure: no Pulumi import. POSIX sh and awk only.
//
// What the scripts read, cited short (kubernetes-sigs/kind at v0.32.0):
// - `kind version -q` prints the bare version (pkg/cmd/kind/version/version.go).
// - Node containers are `<cluster>-control-plane`, `<cluster>-worker`, `<cluster>-worker2`, ...
//   (pkg/cluster/internal/providers/common/namer.go); `kind get nodes` lists them.
// - kind writes each node's kubeadm config to /kind/kubeadm.conf, with the networking's podSubnet and
//   serviceSubnet, the node labels as the kubelet's `node-labels` ("k=v,k=v"), and a
//   KubeProxyConfiguration with `mode:` unless the mode is `none` (pkg/cluster/internal/create/actions/
//   config/config.go, writeKubeadmConfig; pkg/cluster/internal/kubeadm/config.go, the templates).
// - `--image` overrides every node's image (pkg/cluster/internal/create/create.go, fixupOptions).

import { shellQuote } from "../shell";
import { KubeProxyMode } from "./kind-config";
import { KindNodeImageChoice, MINIMUM_KIND_RELEASE } from "./kind-node-images";

/** Everything the create script of one kind member checks and creates. */
export interface KindCreateScriptInput {
  /** The member's name in its fleet (for messages). */
  member: string;
  clusterName: string;
  workers: number;
  podSubnet: string;
  serviceSubnet: string;
  kubeProxyMode: KubeProxyMode;
  /** The label every node carries to say which stack owns the cluster. */
  owner: { key: string; value: string };
  /** The image the user named (it is in the kind config); the pinned choice applies when absent. */
  nodeImage?: string;
  images: KindNodeImageChoice;
  /** The fleet's LoadBalancer pool, and whether it is the default one. */
  loadBalancerPool: { cidr: string; isDefault: boolean };
}

/** kind's node container names for one control plane and `workers` workers (namer.go). */
export function kindNodeNames(clusterName: string, workers: number): string[] {
  const worker = (i: number) => `${clusterName}-worker${i === 0 ? "" : i + 1}`;
  return [`${clusterName}-control-plane`, ...Array.from({ length: workers }, (_, i) => worker(i))];
}

const FUNCTIONS = [
  "fail() {",
  "  printf 'fleetmesh: %s\\n' \"$1\" >&2",
  "  exit 1",
  "}",
  "# Is kind version $1 at least $2 (MAJOR.MINOR.PATCH; a pre-release suffix is ignored)?",
  "at_least() {",
  '  awk -v have="$1" -v want="$2" \'BEGIN { sub(/^v/, "", have); sub(/[-+].*/, "", have); split(have, h, "."); split(want, w, ".");',
  "    for (i = 1; i <= 3; i++) if (h[i] + 0 != w[i] + 0) exit !(h[i] + 0 > w[i] + 0); exit 0 }'",
  "}",
  "# Does IPv4 CIDR $1 lie inside IPv4 CIDR $2?",
  "cidr_within() {",
  '  awk -v inner="$1" -v outer="$2" \'function base(c, bits,   p, a) { split(c, p, "/"); split(p[1], a, ".");',
  "      return int((((a[1] * 256 + a[2]) * 256 + a[3]) * 256 + a[4]) / 2 ^ (32 - bits)) }",
  '    BEGIN { split(inner, i, "/"); split(outer, o, "/"); if (i[2] + 0 < o[2] + 0) exit 1; exit !(base(inner, o[2]) == base(outer, o[2])) }\'',
  "}",
  "# The top /24 of IPv4 CIDR $1 (empty when it is smaller than a /24).",
  "top_slash24() {",
  '  awk -v c="$1" \'BEGIN { split(c, p, "/"); if (p[2] + 0 > 24) exit 0; split(p[1], a, ".");',
  "    n = ((a[1] * 256 + a[2]) * 256 + a[3]) * 256 + a[4] + 2 ^ (32 - p[2]) - 256;",
  '    printf "%d.%d.%d.0/24\\n", int(n / 16777216) % 256, int(n / 65536) % 256, int(n / 256) % 256 }\'',
  "}",
];

/** The create script's own description, as comment lines (the plan writes them above the kind config). */
function describe(input: KindCreateScriptInput): string[] {
  const name = input.clusterName;
  const lines = [`# kind cluster "${name}" of member "${input.member}", created by fleetmesh from the kind config on stdin:`];
  if (input.nodeImage !== undefined) {
    lines.push(
      `#   kind create cluster --name ${name} --config -`,
      `# node image: ${input.nodeImage} (members.${input.member}.kind.nodeImage)`,
    );
  } else {
    const tested = input.images.kubernetes.join(", ");
    lines.push(
      `#   kind create cluster --name ${name} --image <node image> --config -`,
      `# node image, by the installed kind release (Cilium ${input.images.ciliumMinor} is e2e-tested on Kubernetes ${tested}):`,
      ...input.images.images.map(
        (entry, i) => `#   kind ${i === 0 ? `${entry.release} or newer` : entry.release.replace(/\.\d+$/, ".x")}: ${entry.image}`,
      ),
    );
  }
  lines.push(
    `# an existing cluster "${name}" is adopted only when it has this config and no other stack owns it;`,
    `# the LoadBalancer pool ${input.loadBalancerPool.cidr} must lie inside the Docker network "kind".`,
  );
  return lines;
}

function versionCheck(): string[] {
  const install = "https://kind.sigs.k8s.io/docs/user/quick-start/#installation";
  return [
    `kind_version=$(kind version -q) || fail ${shellQuote(`cannot run \`kind version\`: install kind ${MINIMUM_KIND_RELEASE} or newer (${install})`)}`,
    `at_least "$kind_version" ${shellQuote(MINIMUM_KIND_RELEASE)} || fail "kind $kind_version is older than ${MINIMUM_KIND_RELEASE}, the oldest kind release fleetmesh supports: install a newer kind (${install})"`,
  ];
}

/** Picks `$image` from the pinned images by the installed kind release (nothing when the user named one). */
function imagePick(input: KindCreateScriptInput): string[] {
  if (input.nodeImage !== undefined) return [];
  const { images, ciliumMinor, kubernetes, minimumKind } = input.images;
  const why = `Cilium ${ciliumMinor} is e2e-tested on Kubernetes ${kubernetes.join(", ")}`;
  const fix = `install kind ${minimumKind} or newer, or set members.${input.member}.kind.nodeImage to a node image of one of those versions`;
  const refusal = `fail "kind $kind_version has no node image pinned for this fleet (${why}): ${fix}"`;
  if (images.length === 0) return [refusal];
  return [
    "image=",
    `for pinned in ${images.map((entry) => shellQuote(`${entry.release} ${entry.image}`)).join(" ")}; do`,
    '  if at_least "$kind_version" "${pinned%% *}"; then',
    "    image=${pinned#* }",
    "    break",
    "  fi",
    "done",
    `[ -n "$image" ] || ${refusal}`,
  ];
}

/** The checks of an existing cluster of that name: refused unless it is the cluster this member would create. */
function adoptionChecks(input: KindCreateScriptInput): string[] {
  const name = input.clusterName;
  const q = shellQuote;
  const controlPlane = kindNodeNames(name, 0)[0];
  const expectedNodes = kindNodeNames(name, input.workers).sort().join(" ");
  const member = `member "${input.member}"`;
  /** The same inside a double-quoted shell word. */
  const memberInQuotes = `member \\"${input.member}\\"`;
  const ownerKey = input.owner.key;
  const lines = [
    "  differences=",
    '  differ() { differences="$differences',
    '  - $1"; }',
    `  nodes=$(kind get nodes --name ${q(name)} | sort | tr '\\n' ' ' | sed 's/ *$//')`,
    `  [ "$nodes" = ${q(expectedNodes)} ] || differ "nodes: $nodes (this member has ${expectedNodes})"`,
    `  kubeadm=$(docker exec ${q(controlPlane)} cat /kind/kubeadm.conf) || fail ${q(
      `kind cluster "${name}" exists, but the kubeadm config of its node ${controlPlane} cannot be read, so it cannot be checked before ${member} adopts it: start the node (docker start ${controlPlane}) or delete the cluster (kind delete cluster --name ${name})`,
    )}`,
    `  owner=$(printf '%s\\n' "$kubeadm" | grep -o ${q(`${ownerKey}=[^,"]*`)} | head -n 1 | cut -d= -f2-)`,
    `  if [ -n "$owner" ] && [ "$owner" != ${q(input.owner.value)} ]; then`,
    `    fail "kind cluster \\"${name}\\" belongs to another stack: its nodes carry ${ownerKey}=$owner, and this stack is ${input.owner.value}. ${capitalised(memberInQuotes)} does not adopt it: give the member another kind.clusterName, or remove the cluster from the stack that owns it"`,
    "  fi",
    `  [ -n "$owner" ] || differ ${q(`node label ${ownerKey}: not set, so fleetmesh did not create this cluster (this member sets ${input.owner.value})`)}`,
    `  pod=$(printf '%s\\n' "$kubeadm" | sed -n 's/^ *podSubnet: *"\\{0,1\\}\\([^"]*\\)"\\{0,1\\} *$/\\1/p' | head -n 1)`,
    `  [ "$pod" = ${q(input.podSubnet)} ] || differ "pod subnet: \${pod:-not found} (this member uses ${input.podSubnet})"`,
    `  service=$(printf '%s\\n' "$kubeadm" | sed -n 's/^ *serviceSubnet: *"\\{0,1\\}\\([^"]*\\)"\\{0,1\\} *$/\\1/p' | head -n 1)`,
    `  [ "$service" = ${q(input.serviceSubnet)} ] || differ "service subnet: \${service:-not found} (this member uses ${input.serviceSubnet})"`,
    `  proxy=$(printf '%s\\n' "$kubeadm" | sed -n 's/^mode: *"\\{0,1\\}\\([^"]*\\)"\\{0,1\\} *$/\\1/p' | head -n 1)`,
    `  [ "\${proxy:-none}" = ${q(input.kubeProxyMode)} ] || differ "kube-proxy mode: \${proxy:-none} (this member uses ${input.kubeProxyMode})"`,
  ];
  if (input.nodeImage !== undefined) {
    lines.push(
      `  running=$(docker inspect -f '{{.Config.Image}}' ${q(controlPlane)})`,
      `  [ "$running" = ${q(input.nodeImage)} ] || differ "node image: $running (this member uses ${input.nodeImage})"`,
    );
  }
  lines.push(
    '  if [ -n "$differences" ]; then',
    `    fail "kind cluster \\"${name}\\" already exists and is not the cluster ${memberInQuotes} would create, so it is not adopted:$differences`,
    `Delete it (kind delete cluster --name ${name}) if nothing on it is needed, or give the member another kind.clusterName."`,
    "  fi",
    `  echo ${q(`kind cluster "${name}" already exists with the config of ${member}: adopted`)} >&2`,
  );
  return lines;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `check_pool SUBNETS`: refuses a LoadBalancer pool outside every IPv4 subnet of the kind network. */
function poolCheck(input: KindCreateScriptInput): string[] {
  const { cidr, isDefault } = input.loadBalancerPool;
  const pool = `loadBalancerPool ${cidr}${isDefault ? " (the default)" : ""}`;
  return [
    "check_pool() {",
    "  ipv4=",
    "  for subnet in $1; do",
    "    case $subnet in *:*) continue ;; esac",
    '    ipv4="${ipv4:+$ipv4, }$subnet"',
    `    if cidr_within ${shellQuote(cidr)} "$subnet"; then return 0; fi`,
    "  done",
    "  first=${ipv4%%,*}",
    '  suggestion=$(top_slash24 "$first")',
    `  fail "the fleet's ${pool} is not inside the Docker network kind (IPv4 \${ipv4:-none}): Docker gave that network another range on this machine, and LoadBalancer addresses outside it do not reach the nodes. Set the Fleet's loadBalancerPool to a free range inside it\${suggestion:+, e.g. \\"$suggestion\\"} (member N takes its N-th address)"`,
    "}",
  ];
}

const NETWORK_SUBNETS = "docker network inspect kind -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}'";

/**
 * The create (and update) script of a kind member's cluster: the config comes on stdin. Refuses a
 * kind CLI too old, or without a node image pinned for the fleet's Cilium; adopts an existing cluster
 * of that name only when its nodes, subnets, kube-proxy mode, owner label (and image, when the user
 * named one) are this member's; refuses a LoadBalancer pool outside the `kind` network's subnet,
 * before creating when that network exists, else right after (kind creates it).
 */
export function kindCreateScript(input: KindCreateScriptInput): string {
  const name = shellQuote(input.clusterName);
  const image = input.nodeImage === undefined ? ' --image "$image"' : "";
  return [
    ...describe(input),
    "set -eu",
    ...FUNCTIONS,
    ...poolCheck(input),
    ...versionCheck(),
    ...imagePick(input),
    "pool_checked=",
    `if subnets=$(${NETWORK_SUBNETS} 2>/dev/null); then`,
    '  check_pool "$subnets"',
    "  pool_checked=yes",
    "fi",
    'clusters=$(kind get clusters) || fail "cannot list the kind clusters (is Docker running?)"',
    `if printf '%s\\n' "$clusters" | grep -qx ${name}; then`,
    ...adoptionChecks(input),
    "else",
    `  kind create cluster --name ${name}${image} --config -`,
    "fi",
    `[ -n "$pool_checked" ] || check_pool "$(${NETWORK_SUBNETS})"`,
    "",
  ].join("\n");
}

/** The create script's own comment lines: how the cluster is made, for a reader of the plan. */
export function kindCreateScriptDescription(script: string): string[] {
  const lines = script.split("\n");
  const end = lines.findIndex((line) => !line.startsWith("#"));
  return lines.slice(0, end < 0 ? lines.length : end);
}

const NODE_RECORD_FORMAT = `'{{.Id}} {{(index .NetworkSettings.Networks "kind").IPAddress}}'`;

/** Prints `<container id> <address on the kind network>` of the control-plane node (fails when it does not exist). */
export function kindNodeRecordScript(controlPlane: string): string {
  return `docker inspect -f ${NODE_RECORD_FORMAT} ${shellQuote(controlPlane)}`;
}

/** The same, printing nothing instead of failing (no such container, no Docker): run on every preview and update. */
export function kindNodeProbeScript(controlPlane: string): string {
  return `${kindNodeRecordScript(controlPlane)} 2>/dev/null || true`;
}

/** A control-plane node as a record script printed it; undefined when the text holds none. */
export interface KindNodeRecord {
  containerId?: string;
  /** "" while the container is stopped. */
  address: string;
}

/** Parses `<id> <address>`; a lone address is a record from before container ids were kept. */
export function parseKindNodeRecord(text: string | undefined): KindNodeRecord | undefined {
  const words = (text ?? "")
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  if (words.length === 0) return undefined;
  if (words.length === 1) return /^[0-9a-f]{12,64}$/.test(words[0]) ? { containerId: words[0], address: "" } : { address: words[0] };
  return { containerId: words[0], address: words[1] };
}

/** Where peers reach the node now, and where it was when the cluster was created, when they differ. */
export interface KindNodeAddress {
  address: string;
  movedFrom?: string;
}

/**
 * The control-plane node's address: what Docker says now (`observed`, read on every run) when it is
 * the same container the cluster was created with, else what the create step recorded (`recorded`:
 * a cluster created or replaced in this run, a node that is stopped or gone, Docker not answering).
 */
export function currentKindNodeAddress(recorded: string, observed: string): KindNodeAddress {
  const atCreate = parseKindNodeRecord(recorded);
  const now = parseKindNodeRecord(observed);
  const fallback = atCreate?.address ?? "";
  const sameNode =
    now !== undefined && now.address !== "" && (atCreate?.containerId === undefined || now.containerId === atCreate.containerId);
  if (!sameNode || now.address === fallback || fallback === "") return { address: sameNode ? now.address : fallback };
  return { address: now.address, movedFrom: fallback };
}
