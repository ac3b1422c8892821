// Objects the service components register on a member: its namespace and a Service, each with the
// member's own provider.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ServiceManifest, namespaceManifest } from "../core/services/global-service";
import { ClusterMesh } from "../cluster-mesh";
import { Member } from "../member";
import { isDeferredValue } from "../core/args/values";

/**
 * `namespace` on `member`, owned once per member across the fleet (its claims table): the mesh's
 * global namespace, or the namespace an earlier component created, or a new one created by `owner`
 * (as `childName`) unless asked not to. Undefined when nobody creates it.
 */
export function memberNamespace(
  parent: pulumi.Resource,
  owner: string,
  childName: string,
  member: Member,
  mesh: ClusterMesh | undefined,
  namespace: string,
  create: boolean,
): pulumi.Resource | undefined {
  const annotateGlobal = mesh !== undefined && !mesh.defaultGlobalNamespace;
  const createIt = create
    ? () =>
        new k8s.core.v1.Namespace(
          childName,
          { metadata: namespaceManifest(namespace, annotateGlobal).metadata },
          { parent, provider: member.provider },
        )
    : undefined;
  return member.claims.namespace(member.memberName, namespace, owner, createIt);
}

/** Registers a planned Service on its member, after its namespace. */
export function memberService(
  parent: pulumi.Resource,
  childName: string,
  member: Member,
  manifest: pulumi.Input<ServiceManifest>,
  dependsOn: pulumi.Resource[],
): k8s.core.v1.Service {
  // A manifest known now is passed as is: wrapping it in an Output would only make the SDK await it.
  const service = isKnownNow(manifest) ? manifest : pulumi.output(manifest);
  return new k8s.core.v1.Service(
    childName,
    { metadata: service.metadata, spec: service.spec },
    { parent, provider: member.provider, dependsOn },
  );
}

/** Not an Output or a Promise: the same test the structural argument check uses for `pulumi.Input` fields. */
function isKnownNow<T>(value: pulumi.Input<T>): value is T {
  return !isDeferredValue(value);
}
