import { strict as assert } from "assert";
import { PlacementWarningInput, placementWarnings } from "../../../components/core/kubefleet/placement/warnings";

const FULFILLED = {
  type: "Scheduled",
  status: "True" as const,
  reason: "SchedulingPolicyFulfilled",
  message: "found all cluster needed as specified by the scheduling policy, found 2 cluster(s)",
};
const NONE = { ...FULFILLED, message: "found all cluster needed as specified by the scheduling policy, found 0 cluster(s)" };
const BASE: PlacementWarningInput = {
  placement: "web",
  resources: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "web" } }],
  resourceSelectors: [{ group: "", version: "v1", kind: "Namespace", name: "web" }],
  targets: ["east-1", "west-1"],
  condition: FULFILLED,
};

describe("placementWarnings: what a placement would do silently", () => {
  const cases: Array<{ name: string; input: PlacementWarningInput; want: string[] }> = [
    { name: "says nothing of a placement that places its objects", input: BASE, want: [] },
    {
      name: "names each selector that selects nothing",
      input: { ...BASE, resourceSelectors: [...BASE.resourceSelectors, { group: "", version: "v1", kind: "Namespace", name: "api" }] },
      want: [
        'Placement "web": resourceSelectors[1] {"group":"","version":"v1","kind":"Namespace","name":"api"} selects no object of resources, so it places nothing',
      ],
    },
    {
      name: "says when the objects go to no member, with the Scheduled condition",
      input: { ...BASE, targets: [], condition: NONE },
      want: [
        'Placement "web" places its objects on no member (Scheduled=True SchedulingPolicyFulfilled: found all cluster needed as specified by the scheduling policy, found 0 cluster(s))',
      ],
    },
    {
      name: "calls the hub-mode targets a prediction",
      input: { ...BASE, mode: "hub", targets: [], condition: NONE },
      want: [
        'Placement "web" is predicted to place its objects on no member (Scheduled=True SchedulingPolicyFulfilled: found all cluster needed as specified by the scheduling policy, found 0 cluster(s))',
      ],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepStrictEqual(placementWarnings(c.input), c.want));
});
