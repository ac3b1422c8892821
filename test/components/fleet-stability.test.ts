import { strict as assert } from "assert";
import fc from "fast-check";
import { Fleet, FleetState, FleetValidationError, MemberDeclaration } from "../../components";
import { RecordedResource, complete, deploy, recorder, settle, useMocks } from "./harness";

const NAMES = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"];
const MESH_LABELS = ["a", "b", "none"] as const;

/** One run: which members exist, in which declaration order, and which mesh label each carries. */
const runArbitrary = fc
  .shuffledSubarray(NAMES, { minLength: 1, maxLength: NAMES.length })
  .chain((members) =>
    fc.tuple(fc.constant(members), fc.array(fc.constantFrom(...MESH_LABELS), { minLength: members.length, maxLength: members.length })),
  );

interface RunResult {
  state: FleetState;
  /** member → the peer names in its KVStoreMesh peer config (update runs only: preview leaves them unknown). */
  peers?: Record<string, string[]>;
}

async function run(members: string[], meshLabels: string[], previous: FleetState | undefined, preview: boolean): Promise<RunResult> {
  await useMocks(preview, previous ? { stableFleetState: previous } : {});
  const declarations: Record<string, MemberDeclaration> = {};
  members.forEach((name, i) => (declarations[name] = { kind: {}, labels: { mesh: meshLabels[i] } }));
  const records: RecordedResource[] = [];
  const fleet = new Fleet(
    "stable",
    {
      members: declarations,
      meshes: { a: { memberSelector: { matchLabels: { mesh: "a" } } }, b: { memberSelector: { matchLabels: { mesh: "b" } } } },
    },
    { transformations: [recorder(records)] },
  );
  await complete(records);
  const state = await settle(fleet.state);
  assert.ok(state, "the allocation is known, in preview too");
  if (preview) return { state: state! };
  const peers = Object.fromEntries(
    records
      .filter((r) => r.type === "kubernetes:core/v1:SecretPatch" && r.name.endsWith("-kvstoremesh-peers"))
      .map((r) => [r.name.replace(/^stable-/, "").replace(/-kvstoremesh-peers$/, ""), Object.keys(r.inputs.data ?? {}).sort()]),
  );
  return { state: state!, peers };
}

describe("Fleet across simulated runs (property)", function () {
  this.timeout(300_000);

  it("never moves an existing member, never puts one in two meshes, and keeps every mesh's peer lists symmetric", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(runArbitrary, { minLength: 2, maxLength: 4 }), fc.boolean(), async (runs, preview) => {
        let previous: FleetState | undefined;
        for (const [members, meshLabels] of runs) {
          const { state, peers } = await run(members, meshLabels, previous, preview);
          for (const name of members) {
            if (previous?.members[name]) assert.deepEqual(state.members[name], previous.members[name], `${name} moved`);
          }
          const ids = Object.values(state.members).map((m) => m.clusterId);
          assert.equal(new Set(ids).size, ids.length, "ids are unique");
          assert.deepEqual(Object.keys(state.members).sort(), [...members].sort());
          const meshOf = new Map<string, string>();
          for (const [mesh, { members: inMesh }] of Object.entries(state.meshes ?? {})) {
            for (const m of inMesh) {
              assert.ok(!meshOf.has(m), `${m} is in ${meshOf.get(m)} and ${mesh}`);
              meshOf.set(m, mesh);
            }
            assert.deepEqual(inMesh, members.filter((_, i) => meshLabels[i] === mesh).sort(), `mesh ${mesh} follows the labels`);
          }
          for (const [member, list] of Object.entries(peers ?? {})) {
            const mesh = meshOf.get(member);
            const expected = mesh ? state.meshes![mesh].members.filter((m) => m !== member) : [];
            assert.deepEqual(list, expected, `${member}'s peers`);
            for (const peer of list) assert.ok(peers![peer].includes(member), `${peer} lists ${member} back`);
          }
          previous = state;
        }
      }),
      { numRuns: 12 },
    );
  });

  it("refuses, rather than allocating anew, any later run whose stack kept other outputs but lost the fleet's state", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(runArbitrary, { minLength: 1, maxLength: 3 }), async (runs) => {
        let previous: FleetState | undefined;
        for (const [members, meshLabels] of runs) previous = (await run(members, meshLabels, previous, false)).state;
        const [members] = runs[runs.length - 1];
        const declarations = Object.fromEntries(members.map((name): [string, MemberDeclaration] => [name, { kind: {} }]));
        const { refusal } = await deploy("stable", { members: declarations }, { preview: true, previous: { meshMembers: members } });
        assert.ok(refusal instanceof FleetValidationError, String(refusal));
        assert.deepEqual(
          refusal.violations.map((v) => v.path),
          ["state.stackOutput"],
        );
      }),
      { numRuns: 4 },
    );
  });
});
