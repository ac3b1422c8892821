// Objects the service components register on a member: its namespace and a Service, each with the
// member's own provider.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ServiceManifest, namespaceManifest } from "../core/services/global-service";
import { ClusterMesh } from "../cluster-mesh";
import { Fleet } from "../fleet";
import { Member } from "../member";

/** The members of a fleet, or a member map as given. */
export function fleetMembers(fleet: Fleet | Record<string, Member>): Record<string, Member> {
  return fleet instanceof Fleet ? fleet.members : fleet;
}

/**
 * Creates `namespace` on `member` unless the mesh already does (then returns the mesh's), or
 * returns undefined when asked not to create it.
 */
export function memberNamespace(
  parent: pulumi.Resource,
  childName: string,
  member: Member,
  mesh: ClusterMesh,
  namespace: string,
  create: boolean,
): pulumi.Resource | undefined {
  if (mesh.globalNamespaces.includes(namespace)) return mesh.globalNamespaceOn(member.memberName, namespace) ?? mesh;
  if (!create) return undefined;
  const manifest = namespaceManifest(namespace, !mesh.defaultGlobalNamespace);
  return new k8s.core.v1.Namespace(childName, { metadata: manifest.metadata }, { parent, provider: member.provider });
}

/** Registers a planned Service on its member, after its namespace. */
export function memberService(parent: pulumi.Resource, childName: string, member: Member, manifest: pulumi.Input<ServiceManifest>, dependsOn: pulumi.Resource[]): k8s.core.v1.Service {
  const service = pulumi.output(manifest);
  return new k8s.core.v1.Service(childName, { metadata: service.metadata, spec: service.spec }, { parent, provider: member.provider, dependsOn });
}
