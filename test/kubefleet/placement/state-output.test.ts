import { strict as assert } from "assert";
import { placementStateOutputName } from "../../../components/core/kubefleet/placement/state-output";

describe("placementStateOutputName: the default stack output a Placement carries its bindings in", () => {
  const cases: Array<[string, string, string]> = [
    ["keeps a one-word name", "kuard", "kuardPlacementState"],
    ["camel-cases a kebab-case name", "pick-all-production", "pickAllProductionPlacementState"],
    ["capitalises a one-letter word", "pick-n", "pickNPlacementState"],
    ["treats underscores and dots as separators", "web_app.v2", "webAppV2PlacementState"],
    ["lowers only the first letter of the first word", "Kuard-East", "kuardEastPlacementState"],
  ];
  for (const [name, input, expected] of cases) it(name, () => assert.equal(placementStateOutputName(input), expected));
});
