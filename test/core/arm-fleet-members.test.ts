import { strict as assert } from "assert";
import { AZ_FLEET_MEMBERSHIP, ArmFleetMemberInput, armFleetMemberHandover } from "../../components/core/azure/arm-fleet-members";
import { FleetState } from "../../components/core/fleet/types";

const allocation = (clusterId: number) => ({ clusterId, podCidr: `10.${clusterId}.0.0/16`, serviceCidr: `10.200.${clusterId}.0/24` });
/** State an earlier version wrote: members, no record of how they joined. */
const earlier: FleetState = { version: 1, members: { east: allocation(1), west: allocation(2) } };
const recorded: FleetState = { ...earlier, azureFleetMembership: AZ_FLEET_MEMBERSHIP };
const input = (over: Partial<ArmFleetMemberInput>): ArmFleetMemberInput => ({
  azureFleet: true,
  aksMembers: ["east", "west"],
  previous: earlier,
  retiring: false,
  ...over,
});
const outcome = (over: Partial<ArmFleetMemberInput>) => {
  const { violations, warnings } = armFleetMemberHandover(input(over));
  return { refused: violations.map((v) => v.path), warned: warnings.length };
};

describe("handing Azure Fleet membership over from ARM FleetMember resources", () => {
  const cases: [string, Partial<ArmFleetMemberInput>, { refused: string[]; warned: number }][] = [
    [
      "refuses a run whose previous state predates the commands and holds AKS members",
      {},
      { refused: ["azureFleet.retireArmFleetMembers"], warned: 0 },
    ],
    ["accepts that run when retireArmFleetMembers hands them over", { retiring: true }, { refused: [], warned: 0 }],
    ["accepts a first run (no previous state)", { previous: undefined }, { refused: [], warned: 0 }],
    ["accepts state that records the commands", { previous: recorded }, { refused: [], warned: 0 }],
    ["warns when the setting outlives the hand-over", { previous: recorded, retiring: true }, { refused: [], warned: 1 }],
    ["ignores a fleet that is not an Azure Fleet", { azureFleet: false }, { refused: [], warned: 0 }],
    ["ignores AKS members that are all new in this run", { aksMembers: ["north"] }, { refused: [], warned: 0 }],
    ["ignores kind and kubeconfig members of old state", { aksMembers: [] }, { refused: [], warned: 0 }],
  ];
  for (const [sentence, over, expected] of cases) it(sentence, () => assert.deepEqual(outcome(over), expected));

  it("names only the members that were in the previous run, and says what to do", () => {
    const [violation] = armFleetMemberHandover(input({ aksMembers: ["east", "north"] })).violations;
    assert.match(violation.message, /^AKS member "east" joined the Azure Fleet in an earlier run through ARM FleetMember resources/);
    assert.match(violation.message, /Set azureFleet\.retireArmFleetMembers: true for one run .* then remove it/);
  });
});
