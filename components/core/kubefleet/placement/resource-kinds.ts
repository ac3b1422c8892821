// What KubeFleet knows about API kinds when it selects resources for a ClusterResourcePlacement:
// which kinds are cluster-scoped (upstream asks the hub's RESTMapper; we use a table of the
// well-known kinds plus the CustomResourceDefinitions in the inventory), which kinds it never
// propagates (the hub agent's default disabled-resource config, kubefleet pkg/utils/apiresources.go)
// and which single objects it skips (utils.ShouldPropagateObj, pkg/utils/common.go). Pure data.

/** An object's API group and version, from its apiVersion (`v1` = core group "", `apps/v1` = "apps"). */
export function groupVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

const key = (group: string, kind: string) => `${group}/${kind}`;
const table = (group: string, kinds: readonly string[]) => kinds.map((kind) => key(group, kind));

/** Built-in (and Fleet/Cilium) kinds that are cluster-scoped. */
const CLUSTER_SCOPED = new Set<string>([
  ...table("", ["Namespace", "Node", "PersistentVolume", "ComponentStatus"]),
  ...table("rbac.authorization.k8s.io", ["ClusterRole", "ClusterRoleBinding"]),
  ...table("apiextensions.k8s.io", ["CustomResourceDefinition"]),
  ...table("apiregistration.k8s.io", ["APIService"]),
  ...table("storage.k8s.io", ["StorageClass", "CSIDriver", "CSINode", "VolumeAttachment", "VolumeAttributesClass"]),
  ...table("scheduling.k8s.io", ["PriorityClass"]),
  ...table("networking.k8s.io", ["IngressClass", "IPAddress", "ServiceCIDR"]),
  ...table("node.k8s.io", ["RuntimeClass"]),
  ...table("admissionregistration.k8s.io", [
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
  ]),
  ...table("certificates.k8s.io", ["CertificateSigningRequest", "ClusterTrustBundle"]),
  ...table("flowcontrol.apiserver.k8s.io", ["FlowSchema", "PriorityLevelConfiguration"]),
  ...table("resource.k8s.io", ["DeviceClass", "ResourceSlice"]),
  ...table("placement.kubernetes-fleet.io", [
    "ClusterResourcePlacement",
    "ClusterResourceBinding",
    "ClusterResourceSnapshot",
    "ClusterSchedulingPolicySnapshot",
    "ClusterResourceEnvelope",
    "ClusterResourceOverride",
    "ClusterResourceOverrideSnapshot",
    "ClusterStagedUpdateRun",
    "ClusterStagedUpdateStrategy",
    "ClusterApprovalRequest",
    "ClusterResourcePlacementEviction",
    "ClusterResourcePlacementDisruptionBudget",
  ]),
  ...table("cluster.kubernetes-fleet.io", ["MemberCluster"]),
  ...table("cilium.io", [
    "CiliumClusterwideNetworkPolicy",
    "CiliumNode",
    "CiliumIdentity",
    "CiliumExternalWorkload",
    "CiliumLoadBalancerIPPool",
    "CiliumCIDRGroup",
    "CiliumBGPClusterConfig",
    "CiliumBGPPeerConfig",
    "CiliumBGPAdvertisement",
    "CiliumNodeConfig",
  ]),
]);

/** Built-in kinds that are namespaced, so a selector for them is known to be namespaced even with no such object declared. */
const NAMESPACED = new Set<string>([
  ...table("", [
    "ConfigMap",
    "Secret",
    "Service",
    "ServiceAccount",
    "Pod",
    "PersistentVolumeClaim",
    "Endpoints",
    "Event",
    "LimitRange",
    "ResourceQuota",
    "ReplicationController",
    "PodTemplate",
  ]),
  ...table("apps", ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"]),
  ...table("batch", ["Job", "CronJob"]),
  ...table("autoscaling", ["HorizontalPodAutoscaler"]),
  ...table("policy", ["PodDisruptionBudget"]),
  ...table("networking.k8s.io", ["Ingress", "NetworkPolicy"]),
  ...table("rbac.authorization.k8s.io", ["Role", "RoleBinding"]),
  ...table("discovery.k8s.io", ["EndpointSlice"]),
  ...table("coordination.k8s.io", ["Lease"]),
  ...table("events.k8s.io", ["Event"]),
  ...table("storage.k8s.io", ["CSIStorageCapacity"]),
  ...table("placement.kubernetes-fleet.io", [
    "ResourcePlacement",
    "ResourceBinding",
    "ResourceSnapshot",
    "SchedulingPolicySnapshot",
    "ResourceEnvelope",
    "ResourceOverride",
    "ResourceOverrideSnapshot",
    "Work",
    "StagedUpdateRun",
    "StagedUpdateStrategy",
    "ApprovalRequest",
  ]),
  ...table("cilium.io", ["CiliumNetworkPolicy", "CiliumEndpoint", "CiliumEnvoyConfig", "CiliumLocalRedirectPolicy"]),
]);

/** The scope a CustomResourceDefinition declares for `group/kind`, read from the inventory. */
export type CrdScopes = ReadonlyMap<string, boolean>;

interface CrdLike {
  apiVersion: string;
  kind: string;
  spec?: unknown;
}

/** `group/kind` → cluster-scoped, for every apiextensions.k8s.io CustomResourceDefinition in `objects`. */
export function crdScopes(objects: readonly CrdLike[]): CrdScopes {
  const scopes = new Map<string, boolean>();
  for (const obj of objects) {
    if (obj.kind !== "CustomResourceDefinition" || groupVersion(obj.apiVersion).group !== "apiextensions.k8s.io") continue;
    const spec = (obj.spec ?? {}) as { group?: unknown; scope?: unknown; names?: { kind?: unknown } };
    if (
      typeof spec.group === "string" &&
      typeof spec.names?.kind === "string" &&
      (spec.scope === "Cluster" || spec.scope === "Namespaced")
    ) {
      scopes.set(key(spec.group, spec.names.kind), spec.scope === "Cluster");
    }
  }
  return scopes;
}

/** true / false when the kind's scope is known (table, then inventory CRDs); undefined otherwise. */
export function knownClusterScope(group: string, kind: string, crds: CrdScopes): boolean | undefined {
  const k = key(group, kind);
  if (CLUSTER_SCOPED.has(k)) return true;
  if (NAMESPACED.has(k)) return false;
  return crds.get(k);
}

// ---- the hub agent's default disabled-resource config (never propagated, silently skipped) ----

const DISABLED_GROUPS = new Set(["cluster.kubernetes-fleet.io", "events.k8s.io", "coordination.k8s.io", "metrics.k8s.io"]);
const DISABLED_GROUP_KINDS = new Set<string>([
  ...table("networking.fleet.azure.com", ["ServiceImport", "TrafficManagerProfile", "TrafficManagerBackend"]),
  // Every placement.kubernetes-fleet.io kind except the two envelope types.
  ...table("placement.kubernetes-fleet.io", [
    "ClusterResourcePlacement",
    "ResourcePlacement",
    "ClusterResourceBinding",
    "ResourceBinding",
    "ClusterResourceSnapshot",
    "ResourceSnapshot",
    "ClusterSchedulingPolicySnapshot",
    "SchedulingPolicySnapshot",
    "Work",
    "ClusterStagedUpdateRun",
    "ClusterStagedUpdateStrategy",
    "ClusterApprovalRequest",
    "StagedUpdateRun",
    "StagedUpdateStrategy",
    "ApprovalRequest",
    "ClusterResourcePlacementEviction",
    "ClusterResourcePlacementDisruptionBudget",
    "ClusterResourceOverride",
    "ClusterResourceOverrideSnapshot",
    "ResourceOverride",
    "ResourceOverrideSnapshot",
    "ClusterResourcePlacementStatus",
  ]),
]);
const DISABLED_GVKS = new Set(["/v1/Pod", "/v1/Node"]);

/** Fleet's own types and the hub-local built-ins (events, leases, metrics, Pods, Nodes): upstream skips them without an error. */
export function isDisabledResource(group: string, version: string, kind: string): boolean {
  return DISABLED_GROUPS.has(group) || DISABLED_GROUP_KINDS.has(key(group, kind)) || DISABLED_GVKS.has(`${group}/${version}/${kind}`);
}

// ---- reserved namespaces ----

/** `kube-*`, `fleet-*` (utils.IsReservedNamespace) and `default` (the hub agent's skipped namespace). */
export function isReservedNamespace(namespace: string): boolean {
  return namespace === "default" || namespace.startsWith("kube-") || namespace.startsWith("fleet-");
}

// ---- single objects upstream never propagates (utils.ShouldPropagateObj, plus deleting objects) ----

export interface PropagationFacts {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: unknown };
  type?: unknown;
}

/**
 * Objects the API server or a controller made on the hub, which upstream leaves out even when a
 * selector matches them: the namespace's `kube-root-ca.crt` ConfigMap and `default` ServiceAccount,
 * service-account token Secrets, Endpoints named after a Service, controller-managed EndpointSlices,
 * and anything being deleted.
 */
export function isSkippedObject(obj: PropagationFacts, serviceExists: (namespace: string, name: string) => boolean): boolean {
  const { name, namespace, labels, deletionTimestamp } = obj.metadata;
  if (deletionTimestamp !== undefined && deletionTimestamp !== null) return true;
  switch (`${obj.apiVersion}/${obj.kind}`) {
    case "v1/ConfigMap":
      return name === "kube-root-ca.crt";
    case "v1/ServiceAccount":
      return name === "default";
    case "v1/Secret":
      return obj.type === "kubernetes.io/service-account-token";
    case "v1/Endpoints":
      return serviceExists(namespace ?? "", name);
    case "discovery.k8s.io/v1/EndpointSlice":
      return labels !== undefined && Object.prototype.hasOwnProperty.call(labels, "endpointslice.kubernetes.io/managed-by");
    default:
      return false;
  }
}
