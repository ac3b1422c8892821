// The Helm values of one member's Cilium release (`helm.v3.Release`, chart `cilium`), as plain data.
// Pure: no Pulumi import (components/core/ rule).
//
// Sources, cited short below: chart files are relative to cilium/cilium install/kubernetes/cilium/
// (values.yaml, templates/...), as packaged per version in cilium/charts; "the cilium CLI" is
// cilium/cilium cilium-cli/clustermesh/clustermesh.go; "the setup guide" is cilium/cilium
// Documentation/network/clustermesh/setup.rst.
//
// Every value whose chart default differs between 1.16 and 1.20 is pinned (compare values.yaml across
// those charts: policyDefaultLocalCluster, tls.authMode, certValidityDuration, ...), and a key is only
// emitted for chart versions that have it. Throws an Error naming the field for inputs that can only
// be wrong through a programming mistake; user-facing validation (with FieldViolations) lives elsewhere.

import { isIP } from "node:net";
import { CiliumChartFeatures, ciliumChartFeatures, requireSupportedCiliumVersion } from "./cilium-version";
import { Provisioner } from "../fleet/types";

/** How peers reach a member's clustermesh-apiserver, one entry of `clustermesh.config.clusters` (values.yaml). */
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

/** The clustermesh-apiserver Service of this member (`clustermesh.apiserver.service.*` in values.yaml). */
export type ClusterMeshApiserverService =
  { type: "NodePort"; nodePort: number } | { type: "LoadBalancer"; loadBalancerIP?: string; annotations?: Record<string, string> };

/** Mesh membership of one member. */
export interface CiliumClusterMeshInput {
  apiserverService: ClusterMeshApiserverService;
  /** Every OTHER member of the mesh (see `peersOf`); never the member itself. */
  peers: CiliumPeer[];
  /** Chart 1.20+: `clustermesh.defaultGlobalNamespace` (pinned to true when omitted); no-op before 1.20. */
  defaultGlobalNamespace?: boolean;
}

/** Everything the values of one member depend on. */
export interface CiliumValuesInput {
  /** Chart version (`1.18.12`; a leading `v` is accepted). */
  version: string;
  clusterName: string;
  clusterId: number;
  maxConnectedClusters: 255 | 511;
  /** `aks` means AKS BYOCNI: AKS-managed Cilium belongs to AKS and never gets Helm values (Azure/AKS#5194). */
  provisioner: Provisioner;
  /** kind: only checked (kind's podSubnet feeds `ipam.mode: kubernetes`); others: the cluster-pool CIDR. */
  podCidr: string;
  /** The fleet's shared root CA, base64 of the PEM text (`tls.ca.cert` / `tls.ca.key` in values.yaml). */
  ca: { certPemBase64: string; keyPemBase64: string };
  kubeProxyReplacement: boolean;
  /** Required with kubeProxyReplacement (kind: `<name>-control-plane`). */
  k8sServiceHost?: string;
  /** Required with kubeProxyReplacement (kind: 6443). */
  k8sServicePort?: number;
  /** @default "tunnel" */
  routingMode?: "tunnel" | "native";
  /** @default "vxlan" */
  tunnelProtocol?: "vxlan" | "geneve";
  /** Native routing only, and then required: must cover the pod CIDRs of all members (the setup guide). */
  ipv4NativeRoutingCIDR?: string;
  /** Present when the member belongs to a mesh. */
  clustermesh?: CiliumClusterMeshInput;
  /** Pinned fleet-wide; only emitted where the key exists (chart 1.18+). @default true */
  policyDefaultLocalCluster?: boolean;
  /**
   * Answer ARP for LoadBalancer addresses (the pinned LB-IPAM ingress addresses of kind members).
   * Needs kubeProxyReplacement. @default false
   */
  l2announcements?: boolean;
}

/** Helm values: a plain JSON object. */
export type HelmValues = Record<string, unknown>;

/** Renewal schedule of the cronJob certificate method: what the cilium CLI's `enable` sets, and the 1.20 values.yaml default. */
export const CERT_RENEWAL_SCHEDULE = "0 0 1 */4 *";
/** Leaf-cert validity in days: the 1.16–1.19 values.yaml default (1.20 lowers it to 365), pinned. */
export const CERT_VALIDITY_DAYS = 1095;
/**
 * Each cluster authenticates as `remote-<its name>`; a peer's etcd only creates users for the clusters in
 * its own peer list (templates/clustermesh-apiserver/users-configmap.yaml), which the full mesh guarantees.
 */
export const CLUSTERMESH_AUTH_MODE = "cluster";
/** The annotation the cilium CLI's `enable` sets on AKS so the apiserver gets an internal LB. */
export const AKS_INTERNAL_LB_ANNOTATION = "service.beta.kubernetes.io/azure-load-balancer-internal";

const CLUSTER_NAME_PATTERN = /^([a-z0-9][-a-z0-9]*)?[a-z0-9]$/;
const CLUSTER_NAME_MAX = 32;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
/** cluster-pool hands each node a /24 (`clusterPoolIPv4MaskSize` default), so the pool must be at least that big. */
const CLUSTER_POOL_MASK_SIZE = 24;

/** The peers of `self`: every other entry of the mesh, sorted by name so values do not churn on order. */
export function peersOf(self: string, meshMembers: readonly CiliumPeer[]): CiliumPeer[] {
  return meshMembers.filter((member) => member.name !== self).sort((a, b) => compareNames(a.name, b.name));
}

/** The Helm values of one member's Cilium release. */
export function buildCiliumValues(input: CiliumValuesInput): HelmValues {
  const features = ciliumChartFeatures(requireSupportedCiliumVersion(input.version, "CiliumValuesInput.version"));
  checkIdentity(input);
  checkCa(input.ca);
  return {
    cluster: { name: input.clusterName, id: input.clusterId },
    // The same CA on every member, so no per-peer tls is needed (values.yaml, `clustermesh.config.clusters`);
    // a fixed CA also keeps Secret `cilium-ca` stable (cilium/cilium#36012).
    tls: { ca: { cert: input.ca.certPemBase64, key: input.ca.keyPemBase64 } },
    ...ipamValues(input),
    ...datapathValues(input),
    ...kubeProxyValues(input),
    ...l2AnnouncementValues(input, features),
    hubble: hubbleValues(),
    clustermesh: clustermeshValues(input, features),
  };
}

// ---------------------------------------------------------------------------------------------
// Identity, CA
// ---------------------------------------------------------------------------------------------

function fail(field: string, rule: string): Error {
  return new Error(`buildCiliumValues: CiliumValuesInput.${field} ${rule}`);
}

function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The chart's and the agent's cluster-name rule (templates/validate.yaml; cilium/cilium pkg/clustermesh/types/option.go). */
function checkClusterName(field: string, name: string): void {
  if (typeof name !== "string" || name.length === 0) throw fail(field, `${quote(name)} must be a non-empty string`);
  if (name.length > CLUSTER_NAME_MAX) throw fail(field, `${quote(name)} must not be more than ${CLUSTER_NAME_MAX} characters`);
  if (!CLUSTER_NAME_PATTERN.test(name)) {
    throw fail(
      field,
      `${quote(name)} must consist of lower case alphanumeric characters and '-', and start and end with an alphanumeric character`,
    );
  }
}

/** Name, id and maxConnectedClusters (templates/validate.yaml; cilium/cilium pkg/clustermesh/types/option.go). */
function checkIdentity(input: CiliumValuesInput): void {
  checkClusterName("clusterName", input.clusterName);
  if (input.maxConnectedClusters !== 255 && input.maxConnectedClusters !== 511) {
    throw fail("maxConnectedClusters", `${quote(input.maxConnectedClusters)} must be 255 or 511`);
  }
  const lowest = input.clustermesh ? 1 : 0; // id 0 means "no Cluster Mesh" (the agent: "ClusterID 0 is reserved")
  const { clusterId } = input;
  if (!Number.isInteger(clusterId) || clusterId < lowest || clusterId > input.maxConnectedClusters) {
    throw fail("clusterId", `${quote(clusterId)} must be an integer in ${lowest}..${input.maxConnectedClusters}`);
  }
  if (input.clusterName === "default" && clusterId !== 0) {
    // The chart (templates/validate.yaml) and the agent (pkg/clustermesh/types/option.go) both refuse it.
    throw fail(
      "clusterName",
      `"default" cannot be used with clusterId ${clusterId}: Cilium accepts the default cluster name only with cluster id 0`,
    );
  }
}

/** True when `value` is base64 whose decoded text contains a PEM block of `label`. */
function isBase64Pem(value: unknown, label: RegExp): boolean {
  if (typeof value !== "string" || value.length % 4 !== 0 || !BASE64_PATTERN.test(value)) return false;
  return label.test(Buffer.from(value, "base64").toString("utf8"));
}

/** `tls.ca.cert` / `tls.ca.key` are base64 of the PEM, not the PEM itself (templates/_helpers.tpl decodes them). */
function checkCa(ca: CiliumValuesInput["ca"]): void {
  if (!isBase64Pem(ca?.certPemBase64, /-----BEGIN CERTIFICATE-----/)) {
    throw fail("ca.certPemBase64", "must be the base64 encoding of a PEM certificate");
  }
  if (!isBase64Pem(ca.keyPemBase64, /-----BEGIN [A-Z ]*PRIVATE KEY-----/)) {
    throw fail("ca.keyPemBase64", "must be the base64 encoding of a PEM private key");
  }
}

// ---------------------------------------------------------------------------------------------
// IPAM, datapath, kube-proxy replacement
// ---------------------------------------------------------------------------------------------

interface Ipv4Cidr {
  base: number;
  prefix: number;
}

function parseIpv4Cidr(text: unknown): Ipv4Cidr | undefined {
  if (typeof text !== "string") return undefined;
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  return base % size === 0 ? { base, prefix } : undefined; // host bits must be zero
}

function requireCidr(field: string, text: unknown): Ipv4Cidr {
  const cidr = parseIpv4Cidr(text);
  if (!cidr) throw fail(field, `${quote(text)} must be an IPv4 CIDR with no host bits set, e.g. "10.1.0.0/16"`);
  return cidr;
}

function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  if (inner.prefix < outer.prefix) return false;
  const size = 2 ** (32 - outer.prefix);
  return Math.floor(inner.base / size) === Math.floor(outer.base / size);
}

/** kind takes pod CIDRs from its podSubnet (`ipam.mode: kubernetes`); elsewhere a unique cluster-pool per member. */
function ipamValues(input: CiliumValuesInput): HelmValues {
  const podCidr = requireCidr("podCidr", input.podCidr);
  if (input.provisioner === "kind") return { ipam: { mode: "kubernetes" } };
  if (podCidr.prefix > CLUSTER_POOL_MASK_SIZE) {
    throw fail(
      "podCidr",
      `${quote(input.podCidr)} must be a /${CLUSTER_POOL_MASK_SIZE} or larger: cluster-pool gives every node a /${CLUSTER_POOL_MASK_SIZE}`,
    );
  }
  // The values.yaml default ["10.0.0.0/8"] would overlap on every member; pod CIDRs must be disjoint (the setup guide).
  const ipam = { mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: [input.podCidr] } };
  // Self-installed Cilium on AKS needs BYOCNI mode (cilium/cilium Documentation/network/clustermesh/aks-clustermesh-prep.rst).
  return input.provisioner === "aks" ? { ipam, aksbyocni: { enabled: true } } : { ipam };
}

/** Routing mode and tunnel protocol pinned (values.yaml defaults are ""), equal fleet-wide (the setup guide). */
function datapathValues(input: CiliumValuesInput): HelmValues {
  const routingMode = input.routingMode ?? "tunnel";
  const tunnelProtocol = input.tunnelProtocol ?? "vxlan";
  if (routingMode !== "tunnel" && routingMode !== "native") throw fail("routingMode", `${quote(routingMode)} must be "tunnel" or "native"`);
  if (tunnelProtocol !== "vxlan" && tunnelProtocol !== "geneve")
    throw fail("tunnelProtocol", `${quote(tunnelProtocol)} must be "vxlan" or "geneve"`);
  if (routingMode === "tunnel") {
    if (input.ipv4NativeRoutingCIDR !== undefined) throw fail("ipv4NativeRoutingCIDR", `is only used with routingMode "native"`);
    return { routingMode, tunnelProtocol };
  }
  if (input.ipv4NativeRoutingCIDR === undefined) throw fail("ipv4NativeRoutingCIDR", `is required with routingMode "native"`);
  const native = requireCidr("ipv4NativeRoutingCIDR", input.ipv4NativeRoutingCIDR);
  // Native routing needs a CIDR that covers the pod CIDRs of every meshed cluster (cilium/cilium
  // Documentation/network/clustermesh/clustermesh.rst, "Additional Requirements for Native-routed Datapath Modes").
  if (!cidrContains(native, requireCidr("podCidr", input.podCidr))) {
    const reason = "with native routing it must include the pod CIDR of every meshed cluster";
    throw fail("ipv4NativeRoutingCIDR", `${quote(input.ipv4NativeRoutingCIDR)} must cover podCidr ${quote(input.podCidr)}: ${reason}`);
  }
  const values: HelmValues = { routingMode, tunnelProtocol, ipv4NativeRoutingCIDR: input.ipv4NativeRoutingCIDR };
  // kind nodes share the Docker network `kind`, so direct node routes work across members.
  if (input.provisioner === "kind") values.autoDirectNodeRoutes = true;
  return values;
}

function isPort(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** Without kube-proxy the agents need the API server address (`k8sServiceHost` / `k8sServicePort` in values.yaml). */
function kubeProxyValues(input: CiliumValuesInput): HelmValues {
  const { k8sServiceHost: host, k8sServicePort: port } = input;
  if (typeof input.kubeProxyReplacement !== "boolean")
    throw fail("kubeProxyReplacement", `${quote(input.kubeProxyReplacement)} must be a boolean`);
  if (input.kubeProxyReplacement && host === undefined) throw fail("k8sServiceHost", "is required when kubeProxyReplacement is true");
  if (input.kubeProxyReplacement && port === undefined) throw fail("k8sServicePort", "is required when kubeProxyReplacement is true");
  if (host !== undefined && (typeof host !== "string" || host.length === 0))
    throw fail("k8sServiceHost", `${quote(host)} must be a non-empty string`);
  if (port !== undefined && host === undefined) throw fail("k8sServicePort", "is given without k8sServiceHost");
  if (port !== undefined && !isPort(port)) throw fail("k8sServicePort", `${quote(port)} must be an integer in 1..65535`);
  // Booleans, not the legacy "strict"/"partial"/"disabled" strings.
  const values: HelmValues = { kubeProxyReplacement: input.kubeProxyReplacement };
  if (host !== undefined) Object.assign(values, { k8sServiceHost: host, k8sServicePort: port });
  return values;
}

/** L2 announcements run in the kube-proxy replacement datapath; emitted only when on, where the key exists. */
function l2AnnouncementValues(input: CiliumValuesInput, features: CiliumChartFeatures): HelmValues {
  if (input.l2announcements === undefined || input.l2announcements === false) return {};
  if (input.l2announcements !== true) throw fail("l2announcements", `${quote(input.l2announcements)} must be a boolean`);
  if (!input.kubeProxyReplacement)
    throw fail("l2announcements", "needs kubeProxyReplacement: L2 announcements run in the kube-proxy replacement datapath");
  return features.l2announcements ? { l2announcements: { enabled: true } } : {};
}

// ---------------------------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------------------------

/**
 * The `helm` method re-signs leaf certs on every render (templates/clustermesh-apiserver/tls-helm/ and
 * templates/hubble/tls-helm/; cilium/cilium#36012, #37065) (1.16–1.17 Hubble, all versions
 * for clustermesh), so each upgrade of the Release would change them. `cronJob` signs them once in a
 * post-install hook Job with the shared `cilium-ca` (helm.v3.Release runs hooks) and renews them on a
 * schedule; the Job uses the host network, so it runs before the CNI is ready.
 */
function autoCertValues(): HelmValues {
  return { enabled: true, method: "cronJob", certValidityDuration: CERT_VALIDITY_DAYS, schedule: CERT_RENEWAL_SCHEDULE };
}

function hubbleValues(): HelmValues {
  return { tls: { auto: autoCertValues() } };
}

// ---------------------------------------------------------------------------------------------
// Cluster Mesh
// ---------------------------------------------------------------------------------------------

function clustermeshValues(input: CiliumValuesInput, features: CiliumChartFeatures): HelmValues {
  // Must be equal on all members and set at install (the setup guide), so it is emitted even outside a mesh.
  const values: HelmValues = { maxConnectedClusters: input.maxConnectedClusters };
  if (features.policyDefaultLocalCluster) {
    // values.yaml: false in 1.18, true from 1.19; the key does not exist before 1.18.
    values.policyDefaultLocalCluster = input.policyDefaultLocalCluster ?? true;
  }
  const mesh = input.clustermesh;
  if (!mesh) return values;
  checkPeers(input, mesh, features);
  if (features.defaultGlobalNamespace) {
    // values.yaml: new in 1.20; true keeps the ≤1.19 behaviour (every namespace is global).
    values.defaultGlobalNamespace = mesh.defaultGlobalNamespace ?? true;
  }
  return {
    ...values,
    useAPIServer: true,
    apiserver: {
      // With KVStoreMesh the peers' hostAliases go on the clustermesh-apiserver instead of the agent
      // DaemonSet (templates/clustermesh-apiserver/deployment.yaml), so peer changes restart only it.
      kvstoremesh: { enabled: true },
      service: serviceValues(input.provisioner, mesh.apiserverService),
      tls: { authMode: CLUSTERMESH_AUTH_MODE, auto: autoCertValues() }, // values.yaml default: legacy ≤1.18, migration 1.19+
    },
    // The list form works on 1.16–1.20 (map form only from 1.19; templates/clustermesh-config/_helpers.tpl);
    // no per-peer tls with a shared CA (values.yaml: it "can (and should) be omitted in case the CA is shared").
    config: { enabled: true, clusters: peersOf(input.clusterName, mesh.peers).map(peerEntry) },
  };
}

function serviceValues(provisioner: Provisioner, service: ClusterMeshApiserverService): HelmValues {
  if (service?.type === "NodePort") {
    if (!isPort(service.nodePort))
      throw fail("clustermesh.apiserverService.nodePort", `${quote(service.nodePort)} must be an integer in 1..65535`);
    return { type: "NodePort", nodePort: service.nodePort };
  }
  if (service?.type !== "LoadBalancer") {
    const type: unknown = (service as { type?: unknown } | undefined)?.type;
    throw fail("clustermesh.apiserverService.type", `${quote(type)} must be "NodePort" or "LoadBalancer"`);
  }
  const values: HelmValues = { type: "LoadBalancer" };
  if (service.loadBalancerIP !== undefined) {
    if (isIP(service.loadBalancerIP) === 0)
      throw fail("clustermesh.apiserverService.loadBalancerIP", `${quote(service.loadBalancerIP)} must be an IP address`);
    values.loadBalancerIP = service.loadBalancerIP; // a pinned address lets every member's values be computed in one pass
  }
  // An internal LB on AKS unless the caller says otherwise (as the cilium CLI's `enable` does).
  const defaults: Record<string, string> = provisioner === "aks" ? { [AKS_INTERNAL_LB_ANNOTATION]: "true" } : {};
  const annotations = { ...defaults, ...service.annotations };
  if (Object.keys(annotations).length > 0) values.annotations = annotations;
  return values;
}

function peerEntry(peer: CiliumPeer): HelmValues {
  return peer.ips !== undefined
    ? { name: peer.name, port: peer.port, ips: [...peer.ips] }
    : { name: peer.name, port: peer.port, address: peer.address };
}

/**
 * Well-formed, unique peers other than the member itself: each entry needs name, port and ips or address
 * (templates/clustermesh-config/_helpers.tpl), and at most maxConnectedClusters members in all.
 */
function checkPeers(input: CiliumValuesInput, mesh: CiliumClusterMeshInput, features: CiliumChartFeatures): void {
  if (!Array.isArray(mesh.peers)) throw fail("clustermesh.peers", "must be an array");
  const seen = new Set<string>();
  mesh.peers.forEach((peer, index) => {
    const field = `clustermesh.peers[${index}]`;
    checkPeer(field, peer);
    if (peer.name === input.clusterName)
      throw fail(`${field}.name`, `${quote(peer.name)} is the member itself: peers are the other members only`);
    if (seen.has(peer.name)) throw fail(`${field}.name`, `${quote(peer.name)} is listed twice`);
    seen.add(peer.name);
  });
  if (mesh.peers.length + 1 > input.maxConnectedClusters) {
    throw fail(
      "clustermesh.peers",
      `has ${mesh.peers.length} entries: a mesh holds at most maxConnectedClusters (${input.maxConnectedClusters}) members`,
    );
  }
  const service = mesh.apiserverService;
  if (features.sharedNodePortBug && input.kubeProxyReplacement && service?.type === "NodePort") {
    const clash = mesh.peers.findIndex((peer) => peer.port === service.nodePort);
    if (clash >= 0) {
      const rule = "with kube-proxy replacement on chart ≤1.18 every member needs a distinct NodePort (#24692)";
      throw fail(`clustermesh.peers[${clash}].port`, `${service.nodePort} equals this member's own NodePort: ${rule}`);
    }
  }
}

function checkPeer(field: string, peer: CiliumPeer): void {
  if (typeof peer !== "object" || peer === null) throw fail(field, "must be an object");
  checkClusterName(`${field}.name`, peer.name);
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
