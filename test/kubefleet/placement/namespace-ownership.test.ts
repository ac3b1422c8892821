import { strict as assert } from "assert";
import { NamespaceOwnershipInput, takenOverNamespaceViolations } from "../../../components/core/kubefleet/placement/namespace-ownership";
import { namespacesSelectedBy } from "../../../components/core/kubefleet/placement/resource-selection";

const INVENTORY = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "kuard-demo", labels: { team: "kuard" } } },
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "other" } },
  { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "kuard", namespace: "kuard-demo" } },
];
const BY_NAME = { group: "", version: "v1", kind: "Namespace", name: "kuard-demo" };
const BY_LABEL = { group: "", version: "v1", kind: "Namespace", labelSelector: { matchLabels: { team: "kuard" } } };
const OTHER = { group: "", version: "v1", kind: "Namespace", name: "other" };

describe("namespacesSelectedBy: the namespaces each resource selector carries", () => {
  it("by name and by label, per selector index", () =>
    assert.deepEqual(namespacesSelectedBy(INVENTORY, [OTHER, BY_LABEL]), [
      { index: 0, namespace: "other" },
      { index: 1, namespace: "kuard-demo" },
    ]));
  it("none for selectors the API server would refuse", () =>
    assert.deepEqual(namespacesSelectedBy(INVENTORY, [{ ...BY_NAME, kind: "" }]), []));
});

describe("takenOverNamespaceViolations: one owner per namespace on a member", () => {
  const MESH = 'ClusterMesh "aks-fleet-prod"';
  const base: NamespaceOwnershipInput = {
    placement: "kuard",
    mode: "hub",
    resources: INVENTORY,
    resourceSelectors: [OTHER, BY_NAME],
    members: ["e1", "e2", "w1"],
    creatorOf: (member, namespace) => (namespace === "kuard-demo" && member !== "w1" ? MESH : undefined),
  };

  it("refuses a hub placement of a namespace the mesh creates, at the selector that carries it, naming the creator and the members", () => {
    const violations = takenOverNamespaceViolations(base);
    assert.deepEqual(
      violations.map((v) => v.path),
      ["resourceSelectors[1]"],
    );
    assert.match(
      violations[0].message,
      /^selects namespace "kuard-demo", which fleetmesh also creates on members \(ClusterMesh "aks-fleet-prod" on "e1", "e2"\): the hub would take that namespace over \(whenToTakeOver Always, the default; IfNoDiff too.*delete it, with every object inside, when the placement is deleted or leaves the member/,
    );
  });

  const accepted: Array<[string, Partial<NamespaceOwnershipInput>]> = [
    ["a direct placement (fleetmesh is the hub: no takeover)", { mode: "direct" }],
    ["a hub placement of a namespace nobody else creates", { resourceSelectors: [OTHER] }],
    ["a hub placement when no component creates namespaces", { creatorOf: () => undefined }],
  ];
  for (const [sentence, change] of accepted)
    it(`accepts ${sentence}`, () => assert.deepEqual(takenOverNamespaceViolations({ ...base, ...change }), []));
});
