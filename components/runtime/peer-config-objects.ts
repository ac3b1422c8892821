import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { PeerConfig, peerConfigMetadata } from "../core/cilium/peer-config";

/**
 * Written with server-side apply as Patch resources, which create the object when it is missing and
 * otherwise take over its fields (pulumi-kubernetes: a plain Secret resource fails with AlreadyExists
 * on an existing object from v4.29 unless the provider upserts everything). `patchForce` takes the
 * fields Helm set while it rendered these objects, instead of failing on the conflict.
 */
const PATCH_FORCE = { "pulumi.com/patchForce": "true" };
/**
 * Helm leaves an object that drops out of a release's manifest in place when the LIVE object carries
 * this annotation (helm/helm pkg/kube/client.go, `update` reads it after `info.Get()`).
 */
const HELM_KEEP = { "helm.sh/resource-policy": "keep" };

/** What one member's peer objects are written with. */
export interface PeerConfigWrite<T> {
  /** The member component's name: every child is prefixed by it. */
  name: string;
  /** The fleet's Cilium chart version: it alone decides the objects' names. */
  version: string;
  /** What the objects are built from (the mesh's endpoints), and how. */
  source: pulumi.Output<T>;
  build(value: T): PeerConfig;
  parent: pulumi.Resource;
  provider: k8s.Provider;
}

/**
 * The member's peer objects, written directly through its own provider before its Cilium release
 * (the release depends on them, so the engine never runs the two in one step):
 * the agents' Secret, KVStoreMesh's Secret and the users ConfigMap, in that order. Their names never
 * change with the mesh, so every write after the first is an in-place update, which Cilium picks up
 * from its mounted files without a restart.
 *
 * The same order hands a fleet whose peers were Helm values over in one run, with no step at which a
 * member lacks a peer config: these writes take the chart's objects over (new content, keep
 * annotation) while the old release still owns them; the release upgrade that follows drops them
 * from its manifest, and Helm leaves them in place because they are annotated keep.
 */
export function writePeerConfig<T>(write: PeerConfigWrite<T>): pulumi.CustomResource[] {
  const { name, parent, provider, source } = write;
  const opts = { parent, provider };
  // Each object's data is one apply on the source, as the engine floor passes an input: an Output of the
  // whole config first would be another Output over every peer's resources. The three applies see the
  // same value, so the config is built once.
  const config = lastOf(write.build);
  const data = (pick: (c: PeerConfig) => Record<string, string>) => source.apply((value) => pick(config(value)));
  // Metadata from the version alone, known in every preview: only the data waits for the peers.
  const [agents, kvstoremesh, users] = peerConfigMetadata(write.version).map((metadata) => ({
    ...metadata,
    annotations: { ...HELM_KEEP, ...PATCH_FORCE },
  }));
  return [
    new k8s.core.v1.SecretPatch(`${name}-clustermesh-peers`, { metadata: agents, data: data((c) => c.clustermesh.data) }, opts),
    new k8s.core.v1.SecretPatch(`${name}-kvstoremesh-peers`, { metadata: kvstoremesh, data: data((c) => c.kvstoremesh.data) }, opts),
    new k8s.core.v1.ConfigMapPatch(`${name}-remote-users`, { metadata: users, data: data((c) => c.remoteUsers.data) }, opts),
  ];
}

/** `build`, computed again only when its argument changes (the three objects' applies see one value); a throw is kept too, so a refused config fails once. */
function lastOf<T, R>(build: (value: T) => R): (value: T) => R {
  let last: { value: T; outcome: { result: R } | { error: unknown } } | undefined;
  return (value) => {
    if (last === undefined || last.value !== value) {
      let outcome: { result: R } | { error: unknown };
      try {
        outcome = { result: build(value) };
      } catch (error) {
        outcome = { error };
      }
      last = { value, outcome };
    }
    if ("error" in last.outcome) throw last.outcome.error;
    return last.outcome.result;
  };
}
