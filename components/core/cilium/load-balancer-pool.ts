// The fleet's LoadBalancer address pool for members without a cloud load balancer (kind, kubeconfig):
// Cilium LB-IPAM hands out one pinned address per ingress member, and Cilium L2 announcements answer
// ARP for it, so kind members need no MetalLB or cloud-provider-kind. Pure: no Pulumi import
// (components/core/ rule).

import { addressRange, CidrLike, formatAddress, formatCidr, overlaps, parseCidr } from "../fleet/cidr";
import { FieldViolation } from "../fleet/types";
import { show } from "../fleet/validation/findings";

/**
 * The top /24 of the Docker network kind puts every cluster on (usually 172.18.0.0/16): Docker hands
 * node addresses out from the bottom, so the top stays free. Member with cluster id N gets .N.
 */
export const DEFAULT_LOAD_BALANCER_POOL = "172.18.255.0/24";
/** LB-IPAM: the addresses a Service asks for (the older key `io.cilium/lb-ipam-ips` is not used). */
export const LB_IPAM_IPS_ANNOTATION = "lbipam.cilium.io/ips";
/** LB-IPAM: Services with the same sharing key may share an address when their ports differ. */
export const LB_IPAM_SHARING_KEY_ANNOTATION = "lbipam.cilium.io/sharing-key";
/** The sharing key of every fleetmesh ingress Service on a member: they all use the member's one address. */
export const INGRESS_SHARING_KEY = "fleetmesh-ingress";
/** The label that lets a Service take the member's pinned address, and have it announced. */
export const INGRESS_LABEL = "fleetmesh.io/ingress";
/** The name of the member's pool and announcement policy (cluster-scoped objects). */
export const INGRESS_POOL_NAME = "fleetmesh-ingress";
/** kind nodes reach the Docker network on eth0 (announcement policy interfaces are regular expressions). */
export const KIND_NODE_INTERFACE = "^eth0$";

/** The smallest pool: a /30 still leaves two addresses between the network and the last address. */
const LONGEST_POOL_PREFIX = 30;

/** The pool as a Fleet argument: an IPv4 CIDR disjoint from the pod and service pools. */
export function loadBalancerPoolViolations(pool: unknown, otherPools: Record<string, string>): FieldViolation[] {
  const path = "loadBalancerPool";
  const parsed = parseCidr(pool);
  if (!parsed.ok) return [{ path, message: `loadBalancerPool ${show(pool)} is not a valid IPv4 CIDR: ${parsed.reason}` }];
  if (parsed.cidr.prefixLength > LONGEST_POOL_PREFIX) {
    return [
      {
        path,
        message: `loadBalancerPool ${show(pool)} is too small: give a /${LONGEST_POOL_PREFIX} or larger (member N gets the pool's N-th address)`,
      },
    ];
  }
  return Object.entries(otherPools).flatMap(([name, other]) => {
    const otherParsed = parseCidr(other);
    if (!otherParsed.ok || !overlaps(parsed.cidr, otherParsed.cidr)) return [];
    return [
      {
        path,
        message: `loadBalancerPool ${show(pool)} overlaps ${name} ${show(other)}: LoadBalancer addresses must not collide with pod or service addresses`,
      },
    ];
  });
}

/**
 * The member's pinned LoadBalancer address: the pool's `clusterId`-th address (172.18.255.0/24, id 7
 * → 172.18.255.7). Cluster ids never change, so neither does the address. The pool's last address
 * is never handed out: at the top of the kind network it is the network's broadcast address.
 */
export function pinnedLoadBalancerAddress(pool: CidrLike, clusterId: number): { address?: string; problem?: string } {
  if (!Number.isInteger(clusterId) || clusterId < 1) return { problem: `cluster id ${show(clusterId)} must be a positive integer` };
  const { first, last } = addressRange(pool);
  const address = first + clusterId;
  if (address >= last) {
    const at =
      address === last
        ? `${formatAddress(last)}, the last address of the pool (the broadcast address when the pool ends a network)`
        : "an address outside the pool";
    return {
      problem: `cluster id ${clusterId} maps to ${at}: loadBalancerPool ${show(formatCidr(pool))} holds the addresses of cluster ids 1..${last - first - 1}; give the fleet a larger loadBalancerPool`,
    };
  }
  return { address: formatAddress(address) };
}

/** LB-IPAM pools and L2 announcement policies (served as v2alpha1 on every supported chart). */
export const CILIUM_V2ALPHA1 = "cilium.io/v2alpha1";

/** A cilium.io/v2alpha1 object as plain data (cluster-scoped). */
export interface CiliumClusterObject {
  apiVersion: typeof CILIUM_V2ALPHA1;
  kind: "CiliumLoadBalancerIPPool" | "CiliumL2AnnouncementPolicy";
  metadata: { name: string };
  spec: Record<string, unknown>;
}

const INGRESS_SELECTOR = { matchLabels: { [INGRESS_LABEL]: "true" } };

/**
 * The member's pool holds its one pinned address, and only fleetmesh ingress Services may
 * take it (no other LoadBalancer Service can be handed it first). Range notation, so LB-IPAM does
 * not reserve the first and last address of a CIDR block.
 */
export function ingressPoolManifest(address: string): CiliumClusterObject {
  return {
    apiVersion: CILIUM_V2ALPHA1,
    kind: "CiliumLoadBalancerIPPool",
    metadata: { name: INGRESS_POOL_NAME },
    spec: { blocks: [{ start: address, stop: address }], serviceSelector: INGRESS_SELECTOR },
  };
}

/** L2 announcements: answer ARP for the ingress Services' LoadBalancer addresses on the nodes' kind interface. */
export function ingressAnnouncementManifest(): CiliumClusterObject {
  return {
    apiVersion: CILIUM_V2ALPHA1,
    kind: "CiliumL2AnnouncementPolicy",
    metadata: { name: INGRESS_POOL_NAME },
    spec: { serviceSelector: INGRESS_SELECTOR, loadBalancerIPs: true, interfaces: [KIND_NODE_INTERFACE] },
  };
}

/** The annotations and label that put an ingress Service on the member's pinned address. */
export function pinnedIngressMetadata(address: string): { annotations: Record<string, string>; labels: Record<string, string> } {
  return {
    annotations: { [LB_IPAM_IPS_ANNOTATION]: address, [LB_IPAM_SHARING_KEY_ANNOTATION]: INGRESS_SHARING_KEY },
    labels: { [INGRESS_LABEL]: "true" },
  };
}
