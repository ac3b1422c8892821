// Where peers reach a member's clustermesh-apiserver, as the user declares it for the members
// fleetmesh cannot discover: kubeconfig members and AKS BYOCNI members (a kind member is reached on
// its NodePort at its node's address, which fleetmesh reads itself; AKS-managed Cilium belongs to AKS
// and only an Azure Fleet meshes it). Checked here, under the user's field names, because these
// values end up in the member's Cilium values (`clustermesh.apiserver.service.*` and the server
// certificate's extra IPs: cilium/cilium install/kubernetes/cilium/values.yaml) and its peers'
// config files.
//
// A LoadBalancer endpoint pins its address (`loadBalancerIP`); a NodePort endpoint lists the node IPs
// peers dial (`ips`), on the member's NodePort. Annotations go on the LoadBalancer Service and follow
// apimachinery's `ValidateAnnotations` (k8s.io/apimachinery pkg/api/validation/objectmeta.go: keys
// are qualified names once lower-cased, at most 256 KiB in all).

import { isIP } from "node:net";
import { isQualifiedName } from "../../k8s/names";
import { FleetSpec, MemberSpec, MeshEndpointDeclaration } from "../types";
import { finding, keySuffix, MemberFinding, show } from "./findings";

export const MESH_ENDPOINT_SERVICE_TYPES: readonly string[] = ["LoadBalancer", "NodePort"];
/** apimachinery `TotalAnnotationSizeLimitB`. */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** [path suffix under `meshEndpoint`, message]. */
type Problem = [string, string];

/** A member whose clustermesh-apiserver is exposed on a NodePort of its own: kind members, and NodePort mesh endpoints. */
export function needsNodePort(member: Pick<MemberSpec, "provisioners" | "meshEndpoint">): boolean {
  return member.provisioners.includes("kind") || member.meshEndpoint?.serviceType === "NodePort";
}

export function meshEndpointFindings(spec: FleetSpec): MemberFinding[] {
  const names = spec.members.map((m) => m.name);
  return spec.members.flatMap((member, i) =>
    endpointProblems(member).map(([suffix, message]) => finding(names, i, "meshEndpoint", message, suffix)),
  );
}

function endpointProblems(member: MemberSpec): Problem[] {
  const endpoint = member.meshEndpoint;
  if (endpoint === undefined || endpoint === null) return [];
  const owner = undiscoverableOwnerProblem(member);
  if (owner) return [["", owner]];
  const type: unknown = endpoint.serviceType ?? "LoadBalancer";
  if (typeof type !== "string" || !MESH_ENDPOINT_SERVICE_TYPES.includes(type)) {
    return [[".serviceType", `serviceType ${show(type)} is not supported: must be "LoadBalancer" or "NodePort"`]];
  }
  const byType = type === "NodePort" ? nodePortProblems(endpoint) : loadBalancerProblems(endpoint);
  return [...byType, ...annotationProblems(endpoint.annotations)];
}

/** Why this member takes no meshEndpoint; undefined when it does. */
function undiscoverableOwnerProblem(member: MemberSpec): string | undefined {
  const rule = 'meshEndpoint is only for kubeconfig and AKS BYOCNI (networkPlugin "none") members';
  if (member.provisioners.includes("kind")) {
    return `a kind member is reached on its NodePort at its node's address, which fleetmesh finds itself: ${rule}`;
  }
  if (member.provisioners.includes("aks") && member.aksNetworkPlugin !== "none") {
    return `AKS-managed Cilium belongs to AKS, and only an Azure Fleet ClusterMeshProfile meshes it: ${rule}`;
  }
  return undefined;
}

function loadBalancerProblems(endpoint: MeshEndpointDeclaration): Problem[] {
  const out: Problem[] = [];
  const ip: unknown = endpoint.loadBalancerIP;
  if (ip === undefined) {
    out.push([".loadBalancerIP", "Required value: a LoadBalancer mesh endpoint pins the IP peers dial (on port 2379)"]);
  } else if (!isIpAddress(ip)) {
    out.push([".loadBalancerIP", `loadBalancerIP ${show(ip)} is not an IP address: peers dial it, and the server certificate carries it`]);
  }
  if (endpoint.ips !== undefined) {
    out.push([
      ".ips",
      `ips ${show(endpoint.ips)} are the node IPs of a NodePort endpoint: a LoadBalancer endpoint is dialled on loadBalancerIP`,
    ]);
  }
  return out;
}

function nodePortProblems(endpoint: MeshEndpointDeclaration): Problem[] {
  const out: Problem[] = [];
  const ips: unknown = endpoint.ips;
  if (ips === undefined || (Array.isArray(ips) && ips.length === 0)) {
    out.push([".ips", "Required value: a NodePort mesh endpoint lists the node IPs peers dial on the member's NodePort"]);
  } else if (!Array.isArray(ips)) {
    out.push([".ips", `ips ${show(ips)} is invalid: must be a list of IP addresses`]);
  } else {
    out.push(...ipListProblems(ips));
  }
  if (endpoint.loadBalancerIP !== undefined) {
    out.push([
      ".loadBalancerIP",
      `loadBalancerIP ${show(endpoint.loadBalancerIP)} is set on a NodePort endpoint: peers dial its ips on the NodePort`,
    ]);
  }
  if (endpoint.annotations !== undefined) {
    out.push([".annotations", "annotations go on the Service of a LoadBalancer endpoint: a NodePort endpoint takes none"]);
  }
  return out;
}

function ipListProblems(ips: readonly unknown[]): Problem[] {
  const firstAt = new Map<unknown, number>();
  return ips.flatMap((ip, i): Problem[] => {
    if (!isIpAddress(ip))
      return [[`.ips[${i}]`, `ips[${i}] ${show(ip)} is not an IP address: peers dial it, and the server certificate carries it`]];
    const first = firstAt.get(ip);
    if (first === undefined) {
      firstAt.set(ip, i);
      return [];
    }
    return [[`.ips[${i}]`, `ips[${i}] ${show(ip)} is also ips[${first}]: each node IP is listed once`]];
  });
}

function annotationProblems(annotations: unknown): Problem[] {
  if (annotations === undefined || annotations === null) return [];
  if (typeof annotations !== "object" || Array.isArray(annotations)) {
    return [[".annotations", `annotations ${show(annotations)} is invalid: must be a map of strings`]];
  }
  const entries = Object.entries(annotations as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out = entries.flatMap(([key, value]): Problem[] => [
    ...isQualifiedName(key.toLowerCase()).map((msg): Problem => [
      `.annotations${keySuffix(key)}`,
      `annotation key ${show(key)} is invalid: ${msg}`,
    ]),
    ...(typeof value === "string"
      ? []
      : [[`.annotations${keySuffix(key)}`, `annotation value ${show(value)} of key ${show(key)} is invalid: must be a string`] as Problem]),
  ]);
  const bytes = entries.reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(String(value)), 0);
  if (bytes > ANNOTATIONS_MAX_BYTES) {
    out.push([".annotations", `annotations are ${bytes} bytes: may not be more than ${ANNOTATIONS_MAX_BYTES} bytes in all`]);
  }
  return out;
}

function isIpAddress(value: unknown): value is string {
  return typeof value === "string" && isIP(value) !== 0;
}
