import { strict as assert } from "assert";
import { PlacementArgumentFacts, placementArgumentViolations } from "../../../components/core/kubefleet/placement/arguments";
import { FieldViolation } from "../../../components/core/k8s/field-errors";

const GOOD: PlacementArgumentFacts = { name: "web", hasHub: false, memberNames: ["east-1", "west-1"] };

describe("placementArgumentViolations: what a Placement refuses before registering anything", () => {
  const cases: Array<{ name: string; facts: PlacementArgumentFacts; want: FieldViolation[] }> = [
    { name: "accepts a direct placement with no policy", facts: GOOD, want: [] },
    { name: "accepts hub mode with a hub", facts: { ...GOOD, mode: "hub", hasHub: true }, want: [] },
    { name: "accepts properties for members of the fleet", facts: { ...GOOD, memberProperties: { "east-1": { cpu: "4" } } }, want: [] },
    {
      name: "refuses a name longer than a DNS-1035 label",
      facts: { ...GOOD, name: "w".repeat(64) },
      want: [
        {
          path: "name",
          message: `placement name "${"w".repeat(64)}" is 64 characters: ClusterResourcePlacement names are at most 63 (DNS-1035 label length)`,
        },
      ],
    },
    {
      name: "refuses hub mode without a hub",
      facts: { ...GOOD, mode: "hub" },
      want: [{ path: "hub", message: `mode "hub" needs hub: { provider }, the KubeFleet hub to hand the ClusterResourcePlacement to` }],
    },
    {
      name: "refuses properties for a cluster that is not a member",
      facts: { ...GOOD, memberProperties: { nowhere: { cpu: "4" } } },
      want: [{ path: "memberProperties.nowhere", message: `"nowhere" is not a member of the fleet` }],
    },
    {
      name: "refuses a manifest with a top-level toString field, which the Pulumi SDK cannot register",
      facts: {
        ...GOOD,
        resources: [
          { apiVersion: "v1", kind: "Namespace", metadata: { name: "app" } },
          { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "app", toString: "x" }, toString: [] },
        ],
      },
      want: [
        {
          path: "resources[1].toString",
          message:
            "Forbidden: a top-level field named toString: the Pulumi SDK reads it as the object's text conversion and cannot register the manifest (no Kubernetes kind has this field)",
        },
      ],
    },
    {
      name: "refuses a manifest that is not a Kubernetes object first, and checks the selectors against the others only",
      facts: {
        ...GOOD,
        resources: [
          { apiVersion: "v1", kind: "Namespace" },
          { apiVersion: "v1", kind: "Namespace", metadata: { name: "app" } },
        ],
        resourceSelectors: [{ group: "", version: "v1", kind: "Namespace", name: "app" }],
      },
      want: [{ path: "resources[0].metadata", message: "Required value (a manifest's metadata holds at least its name)" }],
    },
    {
      name: "refuses a previous state of a version it does not read",
      facts: { ...GOOD, previousState: { version: 2, bindings: [], objectsHash: "h" } },
      want: [
        {
          path: "state.previous.version",
          message: "Unsupported value: 2: supported values: 1 (the one format of a placement's state this version reads)",
        },
      ],
    },
    {
      name: "refuses a previous state that is not an object with bindings",
      facts: { ...GOOD, previousState: { version: 1 } },
      want: [{ path: "state.previous.bindings", message: "Required value (a placement's state holds its bindings)" }],
    },
    {
      name: "accepts a previous state of version 1",
      facts: { ...GOOD, previousState: { version: 1, bindings: [], objectsHash: "h" } },
      want: [],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepStrictEqual(placementArgumentViolations(c.facts), c.want));

  it("reports the policy's and the strategy's violations first, then its own, all at once", () => {
    const paths = placementArgumentViolations({
      ...GOOD,
      mode: "hub",
      policy: { placementType: "PickN" },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25" } },
    }).map((v) => v.path);
    assert.deepStrictEqual(paths, ["policy", "strategy.rollingUpdate.maxUnavailable", "hub"]);
  });
});

describe("placementArgumentViolations: member properties, read as a MemberCluster's", () => {
  const NODES = "kubernetes-fleet.io/node-count";
  const cases: Array<{ name: string; memberProperties: Record<string, Record<string, string>>; want: FieldViolation[] }> = [
    { name: "accepts a quantity under a property name", memberProperties: { "east-1": { [NODES]: "3", cpu: "500m" } }, want: [] },
    {
      name: "refuses a prototype key as a member name: only the map's own keys count",
      memberProperties: JSON.parse('{"constructor":{"cpu":"4"}}'),
      want: [{ path: "memberProperties.constructor", message: `"constructor" is not a member of the fleet` }],
    },
    {
      name: "refuses a value that is not a Kubernetes quantity",
      memberProperties: { "east-1": { [NODES]: "three" } },
      want: [
        {
          path: `memberProperties.east-1["${NODES}"]`,
          message: `property value "three" of "${NODES}" is not a Kubernetes quantity (e.g. "3", "100m", "8Gi"): property selectors and sorters compare quantities`,
        },
      ],
    },
    {
      name: "refuses a property name the webhook would refuse in a selector",
      memberProperties: { "east-1": { "bad name": "1" } },
      want: [
        {
          path: 'memberProperties.east-1["bad name"]',
          message:
            "property name \"bad name\" is invalid: property name bad name is not valid: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        },
      ],
    },
    {
      name: "refuses a resource property, which the scheduler reads from resource usage and would never see",
      memberProperties: { "east-1": { "resources.kubernetes-fleet.io/available-cpu": "2" } },
      want: [
        {
          path: 'memberProperties.east-1["resources.kubernetes-fleet.io/available-cpu"]',
          message:
            'property "resources.kubernetes-fleet.io/available-cpu" cannot be given: names under resources.kubernetes-fleet.io/ are read from a cluster\'s reported resource usage, not its properties, so the scheduler would never see it',
        },
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => assert.deepStrictEqual(placementArgumentViolations({ ...GOOD, memberProperties: c.memberProperties }), c.want));
});

describe("placementArgumentViolations: resource selectors and the hub-mode name", () => {
  const NS = { group: "", version: "v1", kind: "Namespace" };
  it("reports every selector problem at once, at its own path, before the policy's", () => {
    const violations = placementArgumentViolations({
      ...GOOD,
      policy: { placementType: "PickN" },
      resources: [{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "web" } }],
      resourceSelectors: [
        { ...NS, name: "web", labelSelector: {} },
        { group: "apps", version: "v1", kind: "Deployment" },
        { group: "", version: "", kind: "" },
        { ...NS, selectionScope: "Everything" },
      ],
    });
    assert.deepStrictEqual(
      violations.map((v) => v.path),
      ["resourceSelectors[3].selectionScope", "resourceSelectors[0]", "resourceSelectors[1]", "resourceSelectors[2].kind", "policy"],
    );
  });

  it("refuses a missing selector list", () => {
    assert.deepStrictEqual(placementArgumentViolations({ ...GOOD, resourceSelectors: undefined }), [
      { path: "resourceSelectors", message: "Required value (a placement selects at least one kind of object)" },
    ]);
  });

  it("refuses a name the API server would refuse for the ClusterResourcePlacement, in hub mode only", () => {
    assert.deepStrictEqual(placementArgumentViolations({ ...GOOD, name: "Web_1" }), []);
    assert.deepStrictEqual(
      placementArgumentViolations({ ...GOOD, name: "Web_1", mode: "hub", hasHub: true }).map((v) => v.path),
      ["name"],
    );
  });
});
