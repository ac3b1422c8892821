// Fleet-wide rules: the Cilium version and choices (`routingMode` is the chart's "tunnel" or "native":
// cilium/cilium install/kubernetes/cilium/values.yaml), maxConnectedClusters (255 or 511, and at least the number of
// members: cilium/cilium install/kubernetes/cilium/templates/validate.yaml, pkg/clustermesh/types/types.go)
// and the allocation pools (pod and service CIDRs kept apart at pool level, as cilium/cilium
// Documentation/network/clustermesh/clustermesh.rst requires for pod CIDRs, plus kubeadm's subnet-size
// limits, which kind inherits).
//
// Also resolves the settings member rules depend on (the valid maxConnectedClusters, the member
// pod prefix length, the NodePort range); a setting that is itself invalid resolves to undefined
// and the member rules that need it fall back or skip, so each problem is reported once.

import { Cidr, formatCidr, overlaps, parseCidr } from "../cidr";
import { checkCiliumVersion, CILIUM_VERSION_PATH } from "../../cilium/cilium-version";
import { AllocationPools, FieldViolation, FleetSpec } from "../types";
import { show } from "./findings";

export const MAX_CONNECTED_CLUSTERS_VALUES: readonly number[] = [255, 511];
/** kube-controller-manager's default `--node-cidr-mask-size-ipv4` (kubeadm and kind keep it): one /24 per node. */
export const NODE_CIDR_MASK_SIZE = 24;
/** kubeadm `PodSubnetNodeMaskMaxDiff`. */
export const POD_SUBNET_NODE_MASK_MAX_DIFF = 16;
/** kubeadm / kube-apiserver: a service subnet has at most 20 host bits (mask ≥ 12 for IPv4). */
export const MIN_SERVICE_PREFIX_LENGTH = 12;
/** kubeadm `MinimumAddressesInServiceSubnet` (10 addresses): the longest service prefix is /28. */
export const MIN_SERVICE_ADDRESSES = 10;
/** The default Kubernetes `--service-node-port-range`, which kind clusters use. */
export const DEFAULT_NODE_PORT_RANGE = { first: 30000, last: 32767 } as const;

/**
 * The lower band of a NodePort range, which the API server hands to Services that ask for any NodePort
 * only once the rest of the range is full (KEP-3668, on by default since Kubernetes 1.28:
 * kubernetes/enhancements keps/sig-network/3668-reserved-service-nodeport-range, and
 * kubernetes/kubernetes pkg/registry/core/service/portallocator/allocator.go `calculateRangeOffset`):
 * `min(max(16, size / 32), 128)` ports from the start of the range; none for a range of 16 ports or
 * fewer. For 30000-32767 it is 30000-30085. The allocator hands NodePorts out lowest first, so mesh
 * NodePorts land here, where another Service is least likely to be given the same port.
 */
export function staticNodePortBand(range: { first: number; last: number }): { first: number; last: number } | undefined {
  const size = range.last - range.first + 1;
  if (size <= 16) return undefined;
  const offset = Math.min(Math.max(16, Math.floor(size / 32)), 128);
  return { first: range.first, last: range.first + offset - 1 };
}

/** Fleet settings that member rules rely on; undefined when the setting itself is invalid. */
export interface FleetSettings {
  maxConnectedClusters?: number;
  podCidrPrefixLength?: number;
  nodePortRange?: { first: number; last: number };
}

export interface FleetSettingsResult {
  violations: FieldViolation[];
  settings: FleetSettings;
}

export function validateFleetSettings(spec: FleetSpec): FleetSettingsResult {
  const violations: FieldViolation[] = [
    ...checkCiliumVersion(spec.ciliumVersion, CILIUM_VERSION_PATH).map((v) => ({ ...v, message: `cilium version ${v.message}` })),
    ...ciliumChoiceViolations(spec.cilium),
  ];
  const max = maxConnectedClusters(spec.maxConnectedClusters, violations);
  const pools = validatePools(spec.pools, violations);
  if (max !== undefined && spec.members.length > max) {
    violations.push({
      path: "members",
      message: `the fleet has ${spec.members.length} members, more than maxConnectedClusters ${max}: the number of clusters must not exceed maxConnectedClusters`,
    });
  }
  return { violations, settings: { maxConnectedClusters: max, ...pools } };
}

/** `routingMode` (the chart's "tunnel" or "native") and the two switches, which become Helm values as they are. */
function ciliumChoiceViolations(cilium: FleetSpec["cilium"]): FieldViolation[] {
  const out: FieldViolation[] = [];
  const routingMode: unknown = cilium?.routingMode;
  if (routingMode !== undefined && routingMode !== "tunnel" && routingMode !== "native") {
    out.push({ path: "cilium.routingMode", message: `routingMode ${show(routingMode)} is not supported: must be "tunnel" or "native"` });
  }
  for (const name of ["kubeProxyReplacement", "policyDefaultLocalCluster"] as const) {
    const value: unknown = cilium?.[name];
    if (value !== undefined && typeof value !== "boolean")
      out.push({ path: `cilium.${name}`, message: `${name} ${show(value)} is invalid: must be true or false` });
  }
  return out;
}

function maxConnectedClusters(value: number, out: FieldViolation[]): number | undefined {
  if (MAX_CONNECTED_CLUSTERS_VALUES.includes(value)) return value;
  out.push({
    path: "maxConnectedClusters",
    message: `maxConnectedClusters ${show(value)} is invalid: max-connected-clusters must be set to 255 or 511`,
  });
  return undefined;
}

// ---- pools ----

type PoolName = "podCidrPool" | "serviceCidrPool";

function validatePools(pools: AllocationPools, out: FieldViolation[]): Omit<FleetSettings, "maxConnectedClusters"> {
  const podPool = poolCidr(pools, "podCidrPool", out);
  const podPrefix = prefixLength(pools.podCidrPrefixLength, "podCidrPrefixLength", "podCidrPool", podPool, out, podPrefixProblem);
  const servicePool = poolCidr(pools, "serviceCidrPool", out);
  if (podPool && servicePool && overlaps(podPool, servicePool)) {
    out.push({
      path: "pools.serviceCidrPool",
      message: `serviceCidrPool ${show(pools.serviceCidrPool)} overlaps podCidrPool ${show(pools.podCidrPool)}: the pod and service pools must be disjoint`,
    });
  }
  prefixLength(pools.serviceCidrPrefixLength, "serviceCidrPrefixLength", "serviceCidrPool", servicePool, out, servicePrefixProblem);
  return { podCidrPrefixLength: podPrefix, nodePortRange: nodePortRange(pools.nodePortRange, out) };
}

function poolCidr(pools: AllocationPools, name: PoolName, out: FieldViolation[]): Cidr | undefined {
  const parsed = parseCidr(pools[name]);
  if (parsed.ok) return parsed.cidr;
  out.push({ path: `pools.${name}`, message: `${name} ${show(pools[name])} is not a valid IPv4 CIDR: ${parsed.reason}` });
  return undefined;
}

/** kubeadm `ValidatePodSubnetNodeMask` with the default node mask; undefined when the size is fine. */
export function podPrefixProblem(length: number): string | undefined {
  if (length > NODE_CIDR_MASK_SIZE) {
    return `the size of pod subnet with mask ${length} is smaller than the size of node subnet with mask ${NODE_CIDR_MASK_SIZE}`;
  }
  if (NODE_CIDR_MASK_SIZE - length > POD_SUBNET_NODE_MASK_MAX_DIFF) {
    return `pod subnet mask (${length}) and node-mask (${NODE_CIDR_MASK_SIZE}) difference is greater than ${POD_SUBNET_NODE_MASK_MAX_DIFF}`;
  }
  return undefined;
}

/** kubeadm `ValidateServiceSubnetSize` and `ValidateIPNetFromString`'s minimum; undefined when the size is fine. */
export function servicePrefixProblem(length: number): string | undefined {
  if (length < MIN_SERVICE_PREFIX_LENGTH) {
    return `specified service subnet is too large; for 32-bit addresses, the mask must be >= ${MIN_SERVICE_PREFIX_LENGTH}`;
  }
  const addresses = 2 ** (32 - length);
  if (addresses < MIN_SERVICE_ADDRESSES)
    return `subnet with ${addresses} address(es) is too small, the minimum is ${MIN_SERVICE_ADDRESSES}`;
  return undefined;
}

function prefixLength(
  value: number,
  name: "podCidrPrefixLength" | "serviceCidrPrefixLength",
  poolName: PoolName,
  pool: Cidr | undefined,
  out: FieldViolation[],
  sizeProblem: (length: number) => string | undefined,
): number | undefined {
  const problems: string[] = [];
  if (!Number.isInteger(value) || value < 0 || value > 32) {
    problems.push("must be an integer from 0 to 32");
  } else {
    if (pool && value < pool.prefixLength) {
      problems.push(`must not be shorter than the prefix length of ${poolName} ${show(formatCidr(pool))} (pool prefix ≤ member prefix)`);
    }
    const size = sizeProblem(value);
    if (size) problems.push(size);
  }
  for (const problem of problems) out.push({ path: `pools.${name}`, message: `${name} ${show(value)} is invalid: ${problem}` });
  return problems.length === 0 ? value : undefined;
}

function nodePortRange(range: { first: number; last: number }, out: FieldViolation[]): { first: number; last: number } | undefined {
  const shown = `${show(range.first)}-${show(range.last)}`;
  const problem = nodePortRangeProblem(range);
  if (problem === undefined) return range;
  out.push({ path: "pools.nodePortRange", message: `nodePortRange ${shown} is invalid: ${problem}` });
  return undefined;
}

function nodePortRangeProblem({ first, last }: { first: number; last: number }): string | undefined {
  if (!Number.isInteger(first) || !Number.isInteger(last)) return "first and last must be integers";
  if (first > last) return "first must not be greater than last";
  const { first: low, last: high } = DEFAULT_NODE_PORT_RANGE;
  if (first < low || last > high) {
    return `must lie within the default Kubernetes NodePort range ${low}-${high} (--service-node-port-range), which kind clusters use`;
  }
  return undefined;
}
