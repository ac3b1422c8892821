import { strict as assert } from "assert";
import {
  KubernetesObject,
  ResourceSelection,
  ResourceSelectorTerm,
  invalidSelectorsCondition,
  isClusterScoped,
  resourceSelectorViolations,
  selectResources,
  selectorsSelectingNothing,
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
const SCOPE_RULE =
  " (a ClusterResourcePlacement selects cluster-scoped kinds, and namespaced ones only next to a Namespace selector with selectionScope NamespaceWithResourceSelectors)";
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
        `resourceSelectors[1]: the resource is not found in schema (please retry) or it is not a cluster scoped resource: apps/v1, Kind=Deployment${SCOPE_RULE}`,
      ),
    },
    {
      name: "refuses a namespaced custom kind, its scope read from the CRD in the inventory",
      selectors: [{ group: "example.com", version: "v1", kind: "Widget" }],
      want: refused(
        `resourceSelectors[0]: the resource is not found in schema (please retry) or it is not a cluster scoped resource: example.com/v1, Kind=Widget${SCOPE_RULE}`,
      ),
    },
    {
      name: "refuses name and labelSelector together (CEL)",
      selectors: [{ ...ROLE, name: "reader", labelSelector: { matchLabels: { team: "a" } } }],
      want: refused(
        `resourceSelectors[0]: name and labelSelector are mutually exclusive in a resource selector (got name "reader" and labelSelector {"matchLabels":{"team":"a"}})`,
      ),
    },
    {
      name: "refuses an empty selector list (minItems 1)",
      selectors: [],
      want: refused("resourceSelectors: Invalid value: 0: should have at least 1 items (a placement selects at least one kind of object)"),
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
        `resourceSelectors[0].labelSelector.matchExpressions[0].values: the labelSelector in resource selector {"matchExpressions":[{"key":"team","operator":"In","values":[]}]} is invalid: values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty`,
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
        `resourceSelectors[0]: a Namespace selector with selectionScope NamespaceWithResourceSelectors must be the only Namespace selector (got {"group":"","version":"v1","kind":"Namespace","name":"web","selectionScope":"NamespaceOnly"} next to resourceSelectors[1], which has that scope)`,
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
      want: refused(
        `resourceSelectors[0].kind: Required value (a resource selector names the group, version and kind it selects; got {"group":"","version":"v1"})`,
      ),
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

describe("resourceSelectorViolations: what the API server refuses, every problem at its path", () => {
  const cases: Array<{ name: string; selectors: unknown; want: Array<[string, string]> }> = [
    { name: "accepts valid selectors", selectors: [{ ...NS, name: "app" }, ROLE], want: [] },
    {
      name: "refuses a list that is not one",
      selectors: "Namespace",
      want: [["resourceSelectors", 'Invalid value: "Namespace": must be of type array: "string"']],
    },
    {
      name: "refuses an empty kind, as the webhook's RESTMapper finds no resource for it",
      selectors: [{ group: "", version: "v1", kind: "" }],
      want: [["resourceSelectors[0].kind", 'failed to get GVR of the selector: no matches for kind "" in version "v1"']],
    },
    {
      name: "refuses an empty kind of a named group and version",
      selectors: [{ group: "apps", version: "v1", kind: "" }],
      want: [["resourceSelectors[0].kind", 'failed to get GVR of the selector: no matches for kind "" in version "apps/v1"']],
    },
    {
      name: "refuses an empty version outside NamespaceWithResourceSelectors, as the webhook's informer knows no such resource",
      selectors: [{ group: "", version: "", kind: "Namespace" }],
      want: [
        [
          "resourceSelectors[0].version",
          `the resource is not found in schema (please retry) or it is not a cluster scoped resource: /, Kind=Namespace${SCOPE_RULE}`,
        ],
      ],
    },
    {
      name: "leaves a kind the inventory does not describe to the hub",
      selectors: [{ group: "example.org", version: "v1", kind: "Unknown" }],
      want: [],
    },
    {
      name: "reports the schema, then the CEL rules, then the webhook's, all at once",
      selectors: [
        { ...ROLE, name: "reader", labelSelector: { matchLabels: { "bad key!": "a" } } },
        { group: "apps", version: "v1", kind: "Deployment" },
        { ...ROLE, name: 7 },
      ],
      want: [
        ["resourceSelectors[2].name", 'Invalid value: 7: must be of type string: "number"'],
        [
          "resourceSelectors[0]",
          'name and labelSelector are mutually exclusive in a resource selector (got name "reader" and labelSelector {"matchLabels":{"bad key!":"a"}})',
        ],
        [
          "resourceSelectors[0].labelSelector.matchLabels[bad key!]",
          `the labelSelector in resource selector {"matchLabels":{"bad key!":"a"}} is invalid: key: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
        ],
        [
          "resourceSelectors[1]",
          `the resource is not found in schema (please retry) or it is not a cluster scoped resource: apps/v1, Kind=Deployment${SCOPE_RULE}`,
        ],
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () =>
      assert.deepStrictEqual(
        resourceSelectorViolations(INVENTORY, c.selectors).map((v) => [v.path, v.message]),
        c.want,
      ),
    );
  }
});

describe("selectorsSelectingNothing: the selectors that carry no object", () => {
  const cases: Array<{ name: string; selectors: ResourceSelectorTerm[]; want: number[] }> = [
    { name: "is empty when every selector carries something", selectors: [{ ...NS, name: "app" }, ROLE], want: [] },
    { name: "names a namespace the inventory does not declare", selectors: [ROLE, { ...NS, name: "gone" }], want: [1] },
    {
      name: "names a selector whose only match is an object the hub made",
      selectors: [
        { group: "", version: "v1", kind: "ConfigMap", name: "kube-root-ca.crt" },
        { ...NS, name: "app", selectionScope: "NamespaceWithResourceSelectors" },
      ],
      want: [0],
    },
    {
      name: "names a label selector no object matches",
      selectors: [{ ...ROLE, labelSelector: { matchLabels: { team: "c" } } }],
      want: [0],
    },
    { name: "leaves a reserved namespace to the Scheduled condition", selectors: [{ ...NS, name: "kube-system" }], want: [] },
    { name: "says nothing of selectors the API server refuses", selectors: [], want: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepStrictEqual(selectorsSelectingNothing(INVENTORY, c.selectors), c.want));
});
