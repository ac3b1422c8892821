// The preview warning for the NodePort capture of Cilium ≤ 1.18 with kube-proxy replacement. Pure: no
// Pulumi import.
//
// With kube-proxy replacement, Cilium up to 1.18 resolves a connection to any node's address on a port
// of the NodePort range against the local cluster's NodePort Services, remote nodes included: a local
// Service that holds the port a mesh peer's clustermesh-apiserver listens on takes that peer's mesh
// connection (cilium/cilium#24692 and the warning on clustermesh.apiserver.service.nodePort in
// install/kubernetes/cilium/values.yaml up to 1.18; fixed for 1.19 by cilium/cilium#41337, "bpf: Don't
// resolve remote cluster NodePort services at the source"). Kubernetes cannot reserve a NodePort, so
// fleetmesh only makes a collision unlikely: its own LB-IPAM LoadBalancer Services take no NodePort,
// and mesh NodePorts come from the bottom of the range, which the API server hands out last (KEP-3668).

import { ciliumChartFeatures, formatCiliumVersion, tryParseCiliumVersion } from "./cilium-version";
import { show } from "../fleet/validation/findings";

/** What the warning needs to know about a member. */
export interface NodePortRiskMember {
  name: string;
  /** Cilium replaces kube-proxy on the member. */
  kubeProxyReplacement: boolean;
  /** Peers dial the member's clustermesh-apiserver on a NodePort of its nodes. */
  reachedOnNodePort: boolean;
}

/** A Cilium mesh: its name and members (meshes of another backend are left out by the caller). */
export interface NodePortRiskMesh {
  name: string;
  members: readonly string[];
}

/**
 * One warning line when the chart has the NodePort capture and some Cilium mesh has a member with
 * kube-proxy replacement and a peer reached on a NodePort; none otherwise.
 */
export function sharedNodePortWarnings(
  chartVersion: string,
  meshes: readonly NodePortRiskMesh[],
  members: readonly NodePortRiskMember[],
): string[] {
  const version = tryParseCiliumVersion(chartVersion);
  if (version === undefined || !ciliumChartFeatures(version).sharedNodePortBug) return [];
  const byName = new Map(members.map((member) => [member.name, member]));
  const atRisk = meshes.filter((mesh) => meshIsAtRisk(mesh, byName)).map((mesh) => show(mesh.name));
  if (atRisk.length === 0) return [];
  const where = atRisk.length === 1 ? `mesh ${atRisk[0]}` : `meshes ${atRisk.join(", ")}`;
  return [
    `Cilium ${formatCiliumVersion(version)} with kube-proxy replacement, in ${where}: a NodePort or LoadBalancer Service that Kubernetes ` +
      "gives the NodePort of a peer's clustermesh-apiserver takes over the member's mesh connection to that peer (cilium/cilium#24692). " +
      "fleetmesh's own LoadBalancer Services take no NodePort and mesh NodePorts come from the bottom of the range, which Kubernetes " +
      "hands out last, but other Services can still collide: Cilium 1.19 or later (cilium.version) fixes it",
  ];
}

/** A member with kube-proxy replacement dials a peer on a NodePort. */
function meshIsAtRisk(mesh: NodePortRiskMesh, byName: ReadonlyMap<string, NodePortRiskMember>): boolean {
  const inMesh = mesh.members.flatMap((name) => byName.get(name) ?? []);
  return inMesh.some((member) => member.kubeProxyReplacement && inMesh.some((peer) => peer !== member && peer.reachedOnNodePort));
}
