import { strict as assert } from "assert";
import { HubPlacementSpec, HubUpdate, hubUpdate } from "../../../components/core/kubefleet/placement/hub-update";
import { PlacementMemberFacts } from "../../../components/core/kubefleet/placement/member-clusters";
import { planPlacement } from "../../../components/core/kubefleet/placement/plan";

const GPU = { key: "gpu", operator: "Exists" as const, effect: "NoSchedule" as const };
const TOLERANT: HubPlacementSpec = { policy: { placementType: "PickAll", tolerations: [GPU] } };
const REASON =
  'the hub refuses this change to ClusterResourcePlacement "web", which the previous run handed it, so `up` would fail; revert the change, ' +
  "or set replaceOnPolicyChange: true to delete and re-create the placement (the hub then removes the placed objects from every member before placing them again)";

describe("hubUpdate: what the hub does with this run's ClusterResourcePlacement", () => {
  const cases: Array<{ name: string; previous?: HubPlacementSpec; next: HubPlacementSpec; replace?: boolean; want: HubUpdate }> = [
    { name: "a first run is an update (there is nothing to compare with)", next: TOLERANT, want: { kind: "update" } },
    {
      name: "an added toleration is an update",
      previous: TOLERANT,
      next: { policy: { placementType: "PickAll", tolerations: [GPU, { key: "spot", operator: "Exists" }] } },
      want: { kind: "update" },
    },
    {
      name: "a removed policy is refused, with upstream's message and what to do",
      previous: TOLERANT,
      next: {},
      want: {
        kind: "refused",
        violations: [
          {
            path: "policy",
            message: `policy cannot be removed once set (got no policy, was {"placementType":"PickAll","tolerations":[{"key":"gpu","operator":"Exists","effect":"NoSchedule"}]}): ${REASON}`,
          },
        ],
      },
    },
    {
      name: "a rollout strategy leaving External is refused",
      previous: { strategy: { type: "External" } },
      next: { strategy: { type: "RollingUpdate" } },
      want: {
        kind: "refused",
        violations: [
          {
            path: "strategy.type",
            message: `cannot change rollout strategy type from 'External' to other types (got "RollingUpdate"): ${REASON}`,
          },
        ],
      },
    },
    {
      name: "a changed placement type is a replacement when the user opted in",
      previous: TOLERANT,
      next: { policy: { placementType: "PickN", numberOfClusters: 1, tolerations: [GPU] } },
      replace: true,
      want: {
        kind: "replace",
        rejected: [{ path: "policy.placementType", message: 'placement type is immutable (got "PickN"; was "PickAll")' }],
      },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepStrictEqual(hubUpdate("web", c.previous, c.next, c.replace ?? false), c.want));
});

describe("planPlacement in hub mode: the hub's view of the members and of the update", () => {
  const NOW = new Date("2026-03-02T10:00:00.000Z");
  const TAINT = { key: "gpu", value: "true", effect: "NoSchedule" as const };
  const members: PlacementMemberFacts[] = [
    { name: "e1", labels: {}, taints: [TAINT], azure: { location: "eastus2", clusterName: "e1" } },
    { name: "k1", labels: {}, taints: [TAINT] },
    { name: "e2", labels: {}, taints: [], azure: { location: "eastus2", clusterName: "e2" } },
  ];
  const base = {
    name: "web",
    resources: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "web" } }],
    resourceSelectors: [{ group: "", version: "v1", kind: "Namespace", name: "web" }],
    mode: "hub" as const,
    members,
    now: NOW,
  };

  it("writes the taints of the Azure Fleet's members to their MemberCluster before the ClusterResourcePlacement, and names the others", () => {
    const plan = planPlacement(base);
    assert.deepStrictEqual(
      plan.children.map((c) => [c.type, c.name, c.dependsOn]),
      [
        ["object", "web-hub-core-namespace-web", []],
        ["memberClusterTaints", "web-e1-taints", []],
        ["clusterResourcePlacement", "web-crp", ["web-hub-core-namespace-web", "web-e1-taints"]],
      ],
    );
    assert.deepStrictEqual(plan.children[1], {
      type: "memberClusterTaints",
      name: "web-e1-taints",
      member: "e1",
      manifest: {
        apiVersion: "cluster.kubernetes-fleet.io/v1beta1",
        kind: "MemberCluster",
        metadata: { name: "e1", annotations: { "pulumi.com/patchForce": "true" } },
        spec: { taints: [TAINT] },
      },
      dependsOn: [],
    });
    assert.deepStrictEqual(plan.unwrittenTaints, ["k1"]);
  });

  it("records the spec it hands the hub, and replaces the ClusterResourcePlacement on a refused change only when asked", () => {
    const first = planPlacement({ ...base, policy: { placementType: "PickAll", tolerations: [GPU] } });
    assert.deepStrictEqual(first.state.hubSpec, { policy: { placementType: "PickAll", tolerations: [GPU] } });
    const changed = { ...base, policy: { placementType: "PickAll" as const }, previous: first.state };
    assert.equal(planPlacement(changed).hubUpdate.kind, "refused");
    const replaced = planPlacement({ ...changed, replaceOnPolicyChange: true });
    const crp = replaced.children.find((c) => c.type === "clusterResourcePlacement");
    assert.deepStrictEqual([replaced.hubUpdate.kind, crp && "replace" in crp && crp.replace], ["replace", true]);
  });

  it("keeps no hub spec in direct mode, where there is no ClusterResourcePlacement", () =>
    assert.equal(planPlacement({ ...base, mode: "direct" }).state.hubSpec, undefined));
});
