// What `pulumi up` would refuse, or the clusters would, in the registrations of one program run: the
// offline plan refuses the same, so that a plan that passes is a program the engine accepts.
import { Registration, unwrapSecrets } from "./fake-cloud";

/**
 * What `pulumi up` would refuse, or the cluster would, in these requests; every problem, not only
 * the first (the engine stops at its first).
 */
export function refusals(registrations: readonly Registration[]): string[] {
  return [...duplicateUrns(registrations), ...sharedKubernetesObjects(registrations), ...defaultKubernetesProviders(registrations)];
}

/**
 * Two registrations of one URN. The engine's own message: pulumi/pulumi
 * sdk/go/common/diag/errors.go (GetDuplicateResourceURNError), raised by the step generator's
 * generateURN (pkg/resource/deploy/step_generator.go) for registrations and reads alike.
 */
function duplicateUrns(registrations: readonly Registration[]): string[] {
  const seen = new Set<string>();
  const reported = new Set<string>();
  for (const { urn } of registrations) {
    if (seen.has(urn)) reported.add(urn);
    seen.add(urn);
  }
  return [...reported].map((urn) => `Duplicate resource URN '${urn}'; try giving it a unique name`);
}

/**
 * A resource the Kubernetes provider manages or reads (custom, or a multi-language component such as
 * ConfigGroup). Not the provider itself (`pulumi:providers:kubernetes`), nor local components.
 */
const usesKubernetesProvider = (r: Registration) => r.type.startsWith("kubernetes:") && (r.custom || r.remote);

/**
 * A Kubernetes resource (or read) on the default provider: it would go to whatever cluster the
 * ambient kubeconfig selects. The plan treats that provider as disabled (as `pulumi:disable-default-providers`
 * does) and uses the engine's message for it: pulumi/pulumi sdk/go/common/diag/errors.go
 * (GetDefaultProviderDenied), raised by loadResourceProvider in pkg/resource/deploy/step_generator.go
 * with the package and the URN.
 */
function defaultKubernetesProviders(registrations: readonly Registration[]): string[] {
  return registrations
    .filter((r) => usesKubernetesProvider(r) && !r.provider)
    .map((r) => `Default provider for 'kubernetes' disabled. '${r.urn}' must use an explicit provider.`);
}

/**
 * Kinds whose objects have no namespace (`scope: Cluster`): the core and RBAC ones most programs
 * use (Kubernetes API reference), and the CRDs fleetmesh deploys: kubefleet
 * config/crd/bases/placement.kubernetes-fleet.io_clusterresourceplacements.yaml and
 * cluster.kubernetes-fleet.io_memberclusters.yaml, cilium
 * pkg/k8s/apis/cilium.io/client/crds/v2/ciliumloadbalancerippools.yaml. Any other kind is taken as namespaced.
 */
const CLUSTER_SCOPED = new Set([
  "/Namespace",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "placement.kubernetes-fleet.io/ClusterResourcePlacement",
  "cluster.kubernetes-fleet.io/MemberCluster",
  "cilium.io/CiliumLoadBalancerIPPool",
]);

const CONFIG_GROUP = "kubernetes:yaml/v2:ConfigGroup";

interface KubernetesObject {
  /** provider URN, group, kind, namespace, name: what the API server tells objects apart by. */
  key: string;
  description: string;
  owner: string;
}

/**
 * A namespaced object without metadata.namespace goes to its provider's `namespace`, else the
 * kubeconfig context's (fleetmesh's kubeconfigs set none), else "default": pulumi-kubernetes
 * provider/pkg/provider/provider.go (Configure) and provider/pkg/clients/clients.go (NamespaceOrDefault).
 */
function providerNamespaces(registrations: readonly Registration[]): Map<string, string> {
  const namespaces = new Map<string, string>();
  for (const r of registrations) {
    if (r.type === "pulumi:providers:kubernetes" && typeof r.inputs.namespace === "string" && r.inputs.namespace)
      namespaces.set(r.urn, r.inputs.namespace);
  }
  return namespaces;
}

function objectIdentity(manifest: unknown, provider: string, defaultNamespace: string, owner: string): KubernetesObject | undefined {
  const { apiVersion, kind, metadata } = (manifest ?? {}) as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
  };
  if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof metadata?.name !== "string") return undefined;
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
  const namespace = CLUSTER_SCOPED.has(`${group}/${kind}`)
    ? ""
    : typeof metadata.namespace === "string" && metadata.namespace
      ? metadata.namespace
      : defaultNamespace;
  const id = namespace ? `${namespace}/${metadata.name}` : metadata.name;
  return {
    key: [provider, group, kind, namespace, metadata.name].join("\n"),
    description: `${group ? `${group}/` : ""}${kind} '${id}' on '${provider}'`,
    owner,
  };
}

/**
 * The objects a Kubernetes resource manages: its own inputs (typed resources carry apiVersion and
 * kind), or a ConfigGroup's `objs`. Patch resources share objects by design (server-side apply
 * field managers) and Helm releases' rendered objects are not seen here.
 */
function objectsOf(r: Registration, namespaces: Map<string, string>): KubernetesObject[] {
  if (r.type.endsWith("Patch")) return [];
  const inputs = unwrapSecrets(r.inputs) as Record<string, unknown>;
  const manifests = r.type === CONFIG_GROUP ? [inputs.objs ?? []].flat() : [inputs];
  const provider = providerUrnOf(r.provider) ?? "the default provider";
  const namespace = namespaces.get(provider) ?? "default";
  return manifests.map((m) => objectIdentity(m, provider, namespace, r.urn)).filter((o): o is KubernetesObject => o !== undefined);
}

/**
 * One object on one cluster managed by two resources. The provider creates it for the first and
 * fails the second's create on the API server's AlreadyExists (pulumi-kubernetes
 * provider/pkg/await/await.go, Creation: "The resource already exists in the cluster."); where the
 * two resources share a URN, duplicateUrns already reports it.
 */
function sharedKubernetesObjects(registrations: readonly Registration[]): string[] {
  const namespaces = providerNamespaces(registrations);
  const owners = new Map<string, { description: string; owners: Set<string> }>();
  for (const object of registrations.filter((r) => usesKubernetesProvider(r) && !r.read).flatMap((r) => objectsOf(r, namespaces))) {
    const entry = owners.get(object.key) ?? { description: object.description, owners: new Set<string>() };
    entry.owners.add(object.owner);
    owners.set(object.key, entry);
  }
  return [...owners.values()]
    .filter((entry) => entry.owners.size > 1)
    .map(
      (entry) =>
        `Kubernetes object ${entry.description} is managed by ${entry.owners.size} resources (${[...entry.owners].map((o) => `'${o}'`).join(", ")}): the resource already exists in the cluster when the second is created`,
    );
}

/** The URN in a provider reference `<urn>::<id>`. */
export function providerUrnOf(reference: string | undefined): string | undefined {
  return reference ? reference.slice(0, reference.lastIndexOf("::")) : undefined;
}
