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
import { remoteUsersValues } from "./peer-config";
import { CLUSTER_NAME_MAX_LENGTH, CLUSTER_NAME_PATTERN } from "../fleet/validation/member-name";
import { hasOwn } from "../fleet/own";

export { peersOf } from "./peer-config";
export type { CiliumPeer } from "./peer-config";

/** The clustermesh-apiserver Service of this member (`clustermesh.apiserver.service.*` in values.yaml). */
export type ClusterMeshApiserverService =
  { type: "NodePort"; nodePort: number } | { type: "LoadBalancer"; loadBalancerIP?: string; annotations?: Record<string, string> };

/**
 * The member's own clustermesh-apiserver: what its Helm values say about the mesh. Peers are not here:
 * they are data written beside the release (peer-config.ts), so a join changes no member's values.
 */
export interface CiliumClusterMeshInput {
  apiserverService: ClusterMeshApiserverService;
  /**
   * The IPs peers dial this member's apiserver on (its NodePort node IPs, or its LoadBalancer IP): added to
   * the server certificate, so peers verify it without host aliases. They change only when this member's
   * own endpoint moves, never when others join.
   */
  advertisedIps?: string[];
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
  /** Present when the member runs a clustermesh-apiserver (whether or not it is in a mesh yet). */
  clustermesh?: CiliumClusterMeshInput;
  /** Pinned fleet-wide; only emitted where the key exists (chart 1.18+). @default true */
  policyDefaultLocalCluster?: boolean;
  /**
   * Answer ARP for LoadBalancer addresses (the pinned LB-IPAM ingress addresses of kind members).
   * Needs kubeProxyReplacement. @default false
   */
  l2announcements?: boolean;
  /**
   * How many nodes the member has, when fleetmesh knows (kind). The operator gets min(2, nodes) replicas:
   * the chart's default is 2 (values.yaml `operator.replicas`), and its default `operator.affinity`
   * is a required pod anti-affinity on `kubernetes.io/hostname` (values.yaml; rendered by
   * templates/cilium-operator/deployment.yaml), so a second replica never schedules on a one-node
   * member. @default the chart's 2
   */
  nodeCount?: number;
}

/** Helm values: a plain JSON object. */
export type HelmValues = Record<string, unknown>;

/** Renewal schedule of the cronJob certificate method: what the cilium CLI's `enable` sets, and the 1.20 values.yaml default. */
export const CERT_RENEWAL_SCHEDULE = "0 0 1 */4 *";
/** Leaf-cert validity in days: the 1.16–1.19 values.yaml default (1.20 lowers it to 365), pinned. */
export const CERT_VALIDITY_DAYS = 1095;
/**
 * Each cluster authenticates as `remote-<its name>`; a peer's etcd only admits the users in its own users
 * file (templates/clustermesh-apiserver/users-configmap.yaml), which fleetmesh writes from the full mesh
 * (peer-config.ts), so both sides of every pair list each other.
 */
export const CLUSTERMESH_AUTH_MODE = "cluster";
/** Pod annotation that rolls Cilium's pods when a member's mesh changes `clustermesh.defaultGlobalNamespace` (1.20+). */
export const NAMESPACE_SCOPE_ANNOTATION = "fleetmesh.io/clustermesh-default-global-namespace";
/** The annotation the cilium CLI's `enable` sets on AKS so the apiserver gets an internal LB. */
export const AKS_INTERNAL_LB_ANNOTATION = "service.beta.kubernetes.io/azure-load-balancer-internal";

const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
/** cluster-pool hands each node a /24 (`clusterPoolIPv4MaskSize` default), so the pool must be at least that big. */
export const CLUSTER_POOL_MASK_SIZE = 24;

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
    ...agentAndOperatorValues(input, features),
    hubble: hubbleValues(),
    clustermesh: clustermeshValues(input, features),
  };
}

/** The chart's default `operator.replicas` (values.yaml, 1.16 to 1.20). */
export const CHART_OPERATOR_REPLICAS = 2;

/**
 * The agent's and the operator's share of `namespaceScopeAnnotations` (top-level `podAnnotations`,
 * `operator.podAnnotations`), and the operator sized to the member's nodes when they are known.
 */
function agentAndOperatorValues(input: CiliumValuesInput, features: CiliumChartFeatures): HelmValues {
  const scope = input.clustermesh && namespaceScopeAnnotations(input.clustermesh, features);
  const replicas = operatorReplicas(input.nodeCount);
  const operator: HelmValues = { ...(replicas !== undefined && { replicas }), ...(scope && { podAnnotations: { ...scope } }) };
  return { ...(scope && { podAnnotations: scope }), ...(Object.keys(operator).length > 0 && { operator }) };
}

/** min(2, nodes): no replica left Pending by the operator's own anti-affinity; undefined (the chart's 2) when not known. */
function operatorReplicas(nodeCount: number | undefined): number | undefined {
  if (nodeCount === undefined) return undefined;
  if (!Number.isInteger(nodeCount) || nodeCount < 1) throw fail("nodeCount", `${quote(nodeCount)} must be a positive integer`);
  return Math.min(CHART_OPERATOR_REPLICAS, nodeCount);
}

/**
 * What a Cilium that fleetmesh takes over (`existingCilium`) is upgraded with: Helm's `--reuse-values`
 * merges these over the values the release was installed with (helm/helm pkg/action/upgrade.go,
 * `reuseValues`), so its cluster name and id (unchanged), the fleet CA, the certificate method, the
 * Cluster Mesh settings and their pod annotations become the fleet's, and its IPAM, datapath,
 * kube-proxy replacement and operator sizing stay the cluster's own.
 */
export function meshSettingsValues(values: HelmValues): HelmValues {
  const kept = MESH_SETTINGS_KEYS.filter((key) => hasOwn(values, key));
  const picked = Object.fromEntries(kept.map((key) => [key, values[key]]));
  const operator = values.operator as { podAnnotations?: unknown } | undefined;
  return operator?.podAnnotations ? { ...picked, operator: { podAnnotations: operator.podAnnotations } } : picked;
}

/** The top-level values `meshSettingsValues` keeps. */
export const MESH_SETTINGS_KEYS = ["cluster", "tls", "hubble", "clustermesh", "podAnnotations"] as const;

// ---------------------------------------------------------------------------------------------
// Identity, CA
// ---------------------------------------------------------------------------------------------

function fail(field: string, rule: string): Error {
  return new Error(`buildCiliumValues: CiliumValuesInput.${field} ${rule}`);
}

function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** The chart's and the agent's cluster-name rule (templates/validate.yaml; cilium/cilium pkg/clustermesh/types/option.go). */
function checkClusterName(field: string, name: string): void {
  if (typeof name !== "string" || name.length === 0) throw fail(field, `${quote(name)} must be a non-empty string`);
  if (name.length > CLUSTER_NAME_MAX_LENGTH)
    throw fail(field, `${quote(name)} must not be more than ${CLUSTER_NAME_MAX_LENGTH} characters`);
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
  if (features.defaultGlobalNamespace) {
    // values.yaml: new in 1.20; true keeps the ≤1.19 behaviour (every namespace is global).
    values.defaultGlobalNamespace = mesh.defaultGlobalNamespace ?? true;
  }
  const scope = namespaceScopeAnnotations(mesh, features);
  return {
    ...values,
    useAPIServer: true,
    apiserver: {
      // KVStoreMesh: one connection per peer per member, agents read the local cache (values.yaml).
      kvstoremesh: { enabled: true },
      service: serviceValues(input.provisioner, mesh.apiserverService),
      tls: tlsValues(mesh, features),
      ...remoteUsersValues(input.version),
      ...(scope && { podAnnotations: scope }),
    },
    // No peers in the chart's hands: the peer config Secrets and the users ConfigMap are written beside
    // the release (peer-config.ts). With `config.enabled` false the chart renders neither Secret, no
    // hostAliases (templates/clustermesh-apiserver/deployment.yaml), and from 1.19 no users ConfigMap.
    config: { enabled: false },
  };
}

/**
 * The one per-mesh setting in a member's values: on 1.20 a mesh that shares only annotated namespaces
 * renders `clustermesh-default-global-namespace: "false"` into cilium-config, which Cilium reads at
 * start (the chart's `rollOutCiliumPods` is off by default). So the setting is also a pod annotation
 * of the agent, the operator and the clustermesh-apiserver: they roll, on the joining member only,
 * exactly when it flips. Members in no mesh or in a default mesh carry nothing, so a join into a
 * default mesh changes no values.
 */
function namespaceScopeAnnotations(mesh: CiliumClusterMeshInput, features: CiliumChartFeatures): Record<string, string> | undefined {
  if (!features.defaultGlobalNamespace || mesh.defaultGlobalNamespace !== false) return undefined;
  return { [NAMESPACE_SCOPE_ANNOTATION]: "false" };
}

/**
 * `cluster` auth: each member's etcd admits only the `remote-<peer>` users listed in its users file, so a
 * cluster that holds a certificate from the fleet CA but is not a peer (another mesh of the same fleet,
 * a member that left) cannot read it (templates/clustermesh-apiserver/users-configmap.yaml). The values.yaml
 * default is legacy up to 1.18 and migration from 1.19, so it is pinned.
 */
function tlsValues(mesh: CiliumClusterMeshInput, features: CiliumChartFeatures): HelmValues {
  const ips = mesh.advertisedIps ?? [];
  ips.forEach((ip, i) => {
    if (typeof ip !== "string" || isIP(ip) === 0) throw fail(`clustermesh.advertisedIps[${i}]`, `${quote(ip)} must be an IP address`);
  });
  const sans = ips.length > 0 ? { server: { extraIpAddresses: [...ips] } } : {};
  // 1.20 reads the extra SANs under tls.auto.server (the old tls.server keys only as a fallback).
  if (features.autoServerSans) return { authMode: CLUSTERMESH_AUTH_MODE, auto: { ...autoCertValues(), ...sans } };
  return { authMode: CLUSTERMESH_AUTH_MODE, auto: autoCertValues(), ...sans };
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
