import { strict as assert } from "assert";
import fc from "fast-check";
import { Fleet, FleetState, MemberDeclaration } from "../../components";
import { RecordedResource, complete, recorder, settle, useMocks } from "./harness";

const NAMES = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"];

/** One run: which members exist, in which declaration order. */
const runArbitrary = fc.shuffledSubarray(NAMES, { minLength: 1, maxLength: NAMES.length });

async function run(members: string[], previous: FleetState | undefined, preview: boolean): Promise<FleetState> {
  await useMocks(preview, previous ? { fleetState: previous } : {});
  const declarations: Record<string, MemberDeclaration> = {};
  for (const name of members) declarations[name] = { kind: {}, labels: { run: "yes" } };
  const records: RecordedResource[] = [];
  const fleet = new Fleet("stable", { members: declarations }, { transformations: [recorder(records)] });
  await complete(records);
  const state = await settle(fleet.state);
  assert.ok(state, "the allocation is known, in preview too");
  return state!;
}

describe("Fleet allocations across simulated runs (property)", function () {
  this.timeout(240_000);

  it("never moves an existing member's id, CIDRs or NodePort while members come, go and reorder", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(runArbitrary, { minLength: 2, maxLength: 4 }), fc.boolean(), async (runs, preview) => {
        let previous: FleetState | undefined;
        for (const members of runs) {
          const state = await run(members, previous, preview);
          for (const name of members) {
            if (previous?.members[name]) assert.deepEqual(state.members[name], previous.members[name], `${name} moved`);
          }
          const ids = Object.values(state.members).map((m) => m.clusterId);
          assert.equal(new Set(ids).size, ids.length, "ids are unique");
          assert.deepEqual(Object.keys(state.members).sort(), [...members].sort());
          previous = state;
        }
      }),
      { numRuns: 12 },
    );
  });
});
