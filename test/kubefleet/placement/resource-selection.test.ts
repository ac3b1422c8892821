import { strict as assert } from "assert";
import {
  KubernetesObject,
  ResourceSelection,
  ResourceSelectorTerm,
  invalidSelectorsCondition,
  isClusterScoped,
  selectResources,
} from "../../../components/core/kubefleet/placement/resource-selection";

// ---- the hub inventory ----

const obj = (
  apiVersion: string,
  kind: string,
  name: string,
  namespace?: string,
  extra: Record<string, unknown> = {},
  labels?: Record<string, string>,
): KubernetesObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace !== undefined && { namespace }), ...(labels !== undefined && { labels }) },
  ...extra,
});

const nsApp = obj("v1", "Namespace", "app", undefined, {}, { team: "a" });
const nsWeb = obj("v1", "Namespace", "web", undefined, {}, { team: "b" });
const nsKubeSystem = obj("v1", "Namespace", "kube-system");
const nsDefault = obj("v1", "Namespace", "default");
const nsFleetSystem = obj("v1", "Namespace", "fleet-system");
const cmConfig = obj("v1", "ConfigMap", "config", "app");
const cmRootCa = obj("v1", "ConfigMap", "kube-root-ca.crt", "app");
const saDefault = obj("v1", "ServiceAccount", "default", "app");
const saRunner = obj("v1", "ServiceAccount", "runner", "app");
const secretToken = obj("v1", "Secret", "runner-token", "app", { type: "kubernetes.io/service-account-token" });
const secretCreds = obj("v1", "Secret", "creds", "app", { type: "Opaque" });
const deployApi = obj("apps/v1", "Deployment", "api", "app", {}, { tier: "backend" });
const deployWorker = obj("apps/v1", "Deployment", "worker", "app", {}, { tier: "jobs" });
const deploySite = obj("apps/v1", "Deployment", "site", "web");
const svcApi = obj("v1", "Service", "api", "app");
const endpointsApi = obj("v1", "Endpoints", "api", "app");
const endpointsManual = obj("v1", "Endpoints", "manual", "app");
const sliceApi = obj(
  "discovery.k8s.io/v1",
  "EndpointSlice",
  "api-x1",
  "app",
  {},
  { "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io" },
);
const podApp = obj("v1", "Pod", "debug", "app");
const leaseApp = obj("coordination.k8s.io/v1", "Lease", "lock", "app");
const workApp = obj("placement.kubernetes-fleet.io/v1beta1", "Work", "w", "app");
const roleReader = obj("rbac.authorization.k8s.io/v1", "ClusterRole", "reader", undefined, {}, { team: "a" });
const roleWriter = obj("rbac.authorization.k8s.io/v1", "ClusterRole", "writer", undefined, {}, { team: "b" });
const roleOld = {
  ...obj("rbac.authorization.k8s.io/v1", "ClusterRole", "old"),
  metadata: { name: "old", deletionTimestamp: "2026-01-01T00:00:00Z" },
};
const bindingReader = obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "reader");
const crd = (name: string, group: string, kind: string, scope: string) =>
  obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", name, undefined, { spec: { group, scope, names: { kind } } });
const crdWidgets = crd("widgets.example.com", "example.com", "Widget", "Namespaced");
const crdGadgets = crd("gadgets.example.com", "example.com", "Gadget", "Cluster");
const widget = obj("example.com/v1", "Widget", "w1", "app");
const gadget = obj("example.com/v1", "Gadget", "g1");
const otherCrp = obj("placement.kubernetes-fleet.io/v1beta1", "ClusterResourcePlacement", "other");
const memberCluster = obj("cluster.kubernetes-fleet.io/v1beta1", "MemberCluster", "c1");

const INVENTORY: KubernetesObject[] = [
  deploySite,
  cmConfig,
  nsWeb,
  nsApp,
  nsKubeSystem,
  nsDefault,
  nsFleetSystem,
  cmRootCa,
  saDefault,
  saRunner,
  secretToken,
  secretCreds,
  deployApi,
  deployWorker,
  svcApi,
  endpointsApi,
  endpointsManual,
  sliceApi,
  podApp,
  leaseApp,
  workApp,
  roleWriter,
  roleReader,
  roleOld,
  bindingReader,
  crdWidgets,
  crdGadgets,
  widget,
  gadget,
  otherCrp,
  memberCluster,
];

const NS: Omit<ResourceSelectorTerm, "name"> = { group: "", version: "v1", kind: "Namespace" };
const ROLE: ResourceSelectorTerm = { group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole" };
const selected = (...objects: KubernetesObject[]): ResourceSelection => ({ selected: objects });
const refused = (error: string): ResourceSelection => ({ selected: [], error });
const appContents = [cmConfig, endpointsManual, secretCreds, svcApi, saRunner, deployApi, deployWorker, widget];

describe("placement resource selection", () => {
  const cases: Array<{
    name: string;
    selectors: ResourceSelectorTerm[];
    placementName?: string;
    inventory?: KubernetesObject[];
    want: ResourceSelection;
  }> = [
    {
      name: "selects every object of a GVK when only group, version and kind are given, skipping objects being deleted",
      selectors: [ROLE],
      want: selected(roleReader, roleWriter),
    },
    { name: "selects one object by name", selectors: [{ ...ROLE, name: "reader" }], want: selected(roleReader) },
    { name: "selects by matchLabels", selectors: [{ ...ROLE, labelSelector: { matchLabels: { team: "b" } } }], want: selected(roleWriter) },
    {
      name: "selects by matchExpressions with apimachinery semantics (NotIn matches an absent key)",
      selectors: [{ ...ROLE, labelSelector: { matchExpressions: [{ key: "team", operator: "NotIn", values: ["b"] }] } }],
      want: selected(roleReader),
    },
    {
      name: "selects nothing, without an error, when the named object does not exist",
      selectors: [{ ...ROLE, name: "missing" }],
      want: selected(),
    },
    {
      name: "matches group and version against apiVersion: rbac v1beta1 selects none of the v1 objects",
      selectors: [{ ...ROLE, version: "v1beta1" }],
      want: selected(),
    },
    {
      name: "ORs the selectors and sorts the result by group, kind and name",
      selectors: [
        { group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding" },
        { ...ROLE, name: "writer" },
      ],
      want: selected(roleWriter, bindingReader),
    },
    {
      name: "carries every object inside a namespace selected with the default NamespaceWithResources scope, minus hub-made and Fleet-internal objects",
      selectors: [{ ...NS, name: "app" }],
      want: selected(nsApp, ...appContents),
    },
    {
      name: "carries only the namespace with NamespaceOnly",
      selectors: [{ ...NS, name: "app", selectionScope: "NamespaceOnly" }],
      want: selected(nsApp),
    },
    {
      name: "selects namespaces by label and carries their contents, namespaces first",
      selectors: [
        { ...NS, labelSelector: { matchLabels: { team: "b" } } },
        { ...ROLE, name: "reader" },
      ],
      want: selected(nsWeb, deploySite, roleReader),
    },
    {
      name: "with NamespaceWithResourceSelectors picks namespaced objects inside that namespace only, and cluster-scoped ones too",
      selectors: [
        { ...NS, name: "app", selectionScope: "NamespaceWithResourceSelectors" },
        { group: "apps", version: "v1", kind: "Deployment", labelSelector: { matchLabels: { tier: "backend" } } },
        { group: "", version: "v1", kind: "ConfigMap" },
        { ...ROLE, name: "reader" },
      ],
      want: selected(nsApp, cmConfig, deployApi, roleReader),
    },
    {
      name: "selects a cluster-scoped custom resource whose CRD is in the inventory",
      selectors: [{ group: "example.com", version: "v1", kind: "Gadget" }],
      want: selected(gadget),
    },
    {
      name: "skips Fleet's own types without an error, as upstream's disabled-resource config does",
      selectors: [
        { group: "placement.kubernetes-fleet.io", version: "v1beta1", kind: "ClusterResourcePlacement" },
        { group: "cluster.kubernetes-fleet.io", version: "v1beta1", kind: "MemberCluster" },
      ],
      want: selected(),
    },
    {
      name: "refuses a namespaced kind in a ClusterResourcePlacement without NamespaceWithResourceSelectors (webhook)",
      selectors: [
        { ...ROLE, name: "reader" },
        { group: "apps", version: "v1", kind: "Deployment" },
      ],
      want: refused(
        "resourceSelectors[1]: the resource is not found in schema (please retry) or it is not a cluster scoped resource: apps/v1, Kind=Deployment",
      ),
    },
    {
      name: "refuses a namespaced custom kind, its scope read from the CRD in the inventory",
      selectors: [{ group: "example.com", version: "v1", kind: "Widget" }],
      want: refused(
        "resourceSelectors[0]: the resource is not found in schema (please retry) or it is not a cluster scoped resource: example.com/v1, Kind=Widget",
      ),
    },
    {
      name: "refuses name and labelSelector together (CEL)",
      selectors: [{ ...ROLE, name: "reader", labelSelector: { matchLabels: { team: "a" } } }],
      want: refused(
        `resourceSelectors: name and labelSelector are mutually exclusive in a resource selector (got resourceSelectors[0] with name "reader" and labelSelector {"matchLabels":{"team":"a"}})`,
      ),
    },
    {
      name: "refuses an empty selector list (minItems 1)",
      selectors: [],
      want: refused("resourceSelectors: Invalid value: 0: should have at least 1 items"),
    },
    {
      name: "refuses 101 selectors (maxItems 100)",
      selectors: Array.from({ length: 101 }, () => ROLE),
      want: refused("resourceSelectors: Too many: 101: must have at most 100 items"),
    },
    {
      name: "refuses an unknown selectionScope (schema enum)",
      selectors: [{ ...NS, name: "app", selectionScope: "Everything" as never }],
      want: refused(
        `resourceSelectors[0].selectionScope: Unsupported value: "Everything": supported values: "NamespaceOnly", "NamespaceWithResources", "NamespaceWithResourceSelectors"`,
      ),
    },
    {
      name: "refuses a label selector that apimachinery cannot convert (webhook)",
      selectors: [{ ...ROLE, labelSelector: { matchExpressions: [{ key: "team", operator: "In", values: [] }] } }],
      want: refused(
        `resourceSelectors[0].labelSelector: the labelSelector in resource selector {"matchExpressions":[{"key":"team","operator":"In","values":[]}]} is invalid: values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty (key "team")`,
      ),
    },
    {
      name: "refuses a reserved kube-* namespace with the controller's message (typo kept)",
      selectors: [{ ...NS, name: "kube-system" }],
      placementName: "demo",
      want: refused("invalid clusterRresourcePlacement demo: namespace kube-system is not allowed to propagate"),
    },
    {
      name: "refuses the default namespace, even with NamespaceOnly",
      selectors: [{ ...NS, name: "default", selectionScope: "NamespaceOnly" }],
      want: refused("namespace default is not allowed to propagate"),
    },
    {
      name: "refuses selecting every namespace, since the reserved ones are among them",
      selectors: [{ ...NS, selectionScope: "NamespaceOnly", labelSelector: {} }],
      want: refused("namespace kube-system is not allowed to propagate"),
    },
    {
      name: "refuses a fleet-* namespace",
      selectors: [{ ...NS, name: "fleet-system" }],
      want: refused("namespace fleet-system is not allowed to propagate"),
    },
    {
      name: "refuses two selectors that select the same object, as the controller does",
      selectors: [ROLE, { ...ROLE, name: "reader" }],
      want: refused(
        "found duplicate resource {Group:rbac.authorization.k8s.io Version:v1 Kind:ClusterRole Name:reader Namespace: Envelope:<nil>}",
      ),
    },
    {
      name: "refuses NamespaceWithResourceSelectors by label",
      selectors: [{ ...NS, labelSelector: { matchLabels: { team: "a" } }, selectionScope: "NamespaceWithResourceSelectors" }],
      want: refused(
        `resourceSelectors[0]: a Namespace selector with selectionScope NamespaceWithResourceSelectors must select the namespace by name (got labelSelector {"matchLabels":{"team":"a"}})`,
      ),
    },
    {
      name: "refuses two NamespaceWithResourceSelectors selectors",
      selectors: [
        { ...NS, name: "app", selectionScope: "NamespaceWithResourceSelectors" },
        { ...NS, name: "web", selectionScope: "NamespaceWithResourceSelectors" },
      ],
      want: refused(
        "resourceSelectors: at most one Namespace selector can use selectionScope NamespaceWithResourceSelectors (got resourceSelectors[0], resourceSelectors[1])",
      ),
    },
    {
      name: "refuses another Namespace selector next to NamespaceWithResourceSelectors",
      selectors: [
        { ...NS, name: "web", selectionScope: "NamespaceOnly" },
        { ...NS, name: "app", selectionScope: "NamespaceWithResourceSelectors" },
      ],
      want: refused(
        "resourceSelectors[0]: a Namespace selector with selectionScope NamespaceWithResourceSelectors must be the only Namespace selector (got resourceSelectors[1] with that scope)",
      ),
    },
    {
      name: "refuses NamespaceWithResourceSelectors on a namespace the inventory does not declare",
      selectors: [{ ...NS, name: "gone", selectionScope: "NamespaceWithResourceSelectors" }],
      want: refused("namespace gone selected with selectionScope NamespaceWithResourceSelectors is not found"),
    },
    {
      name: "refuses a selector without kind (schema required)",
      selectors: [{ group: "", version: "v1" } as ResourceSelectorTerm],
      want: refused("resourceSelectors[0].kind: Required value"),
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const options = c.placementName === undefined ? {} : { placementName: c.placementName };
      assert.deepStrictEqual(selectResources(c.inventory ?? INVENTORY, c.selectors, options), c.want);
    });
  }

  it("does not depend on the inventory order", () => {
    const selectors: ResourceSelectorTerm[] = [{ ...NS, name: "app" }, ROLE];
    assert.deepStrictEqual(selectResources([...INVENTORY].reverse(), selectors), selectResources(INVENTORY, selectors));
  });

  describe("isClusterScoped", () => {
    const scopeCases: Array<{ name: string; obj: KubernetesObject; inventory?: KubernetesObject[]; want: boolean }> = [
      { name: "a Namespace is cluster-scoped", obj: nsApp, want: true },
      { name: "a ClusterRole is cluster-scoped", obj: roleReader, want: true },
      {
        name: "a ValidatingWebhookConfiguration is cluster-scoped",
        obj: obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "v"),
        want: true,
      },
      { name: "a CustomResourceDefinition is cluster-scoped", obj: crdWidgets, want: true },
      { name: "a ConfigMap is namespaced even without metadata.namespace", obj: obj("v1", "ConfigMap", "c"), want: false },
      { name: "an unknown kind with a namespace is namespaced", obj: obj("x.io/v1", "Thing", "t", "app"), want: false },
      { name: "an unknown kind without a namespace is cluster-scoped", obj: obj("x.io/v1", "Thing", "t"), want: true },
      {
        name: "a custom kind follows its CRD's scope when the inventory is given",
        obj: obj("example.com/v1", "Gadget", "g", "app"),
        inventory: [crdGadgets],
        want: true,
      },
    ];
    for (const c of scopeCases) it(c.name, () => assert.equal(isClusterScoped(c.obj, c.inventory), c.want));
  });

  it("turns a selector error into the Scheduled=False InvalidResourceSelectors condition", () => {
    assert.deepStrictEqual(invalidSelectorsCondition("found duplicate resource {…}"), {
      type: "Scheduled",
      status: "False",
      reason: "InvalidResourceSelectors",
      message: "The resource selectors are invalid: found duplicate resource {…}",
    });
  });
});
