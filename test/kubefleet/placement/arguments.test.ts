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
