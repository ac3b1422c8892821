import { strict as assert } from "assert";
import fc from "fast-check";
import { FleetArgs, MemberDeclaration } from "../../components";
import { deploy, fakeKubeconfig, settle } from "../components/harness";

// Shuffling the order of members (and of meshes) in the arguments changes nothing but ordering-free
// output: the same allocation, the same mesh membership, the same values on every member.

const MEMBERS: Array<[string, MemberDeclaration]> = [
  ["alpha", { kind: {}, labels: { mesh: "a", region: "east" } }],
  ["bravo", { kind: { workers: 1 }, labels: { mesh: "a", region: "west" } }],
  ["charlie", { kind: {}, labels: { mesh: "b" }, clusterId: 9 }],
  ["delta", { kind: {}, labels: { mesh: "b" } }],
  ["echo", { kubeconfig: fakeKubeconfig("echo"), labels: { region: "dc" } }],
];

async function planned(order: number[]) {
  const args: FleetArgs = {
    members: Object.fromEntries(order.map((i) => MEMBERS[i])),
    meshes: Object.fromEntries(
      (order[0] % 2 === 0 ? ["a", "b"] : ["b", "a"]).map((m) => [m, { memberSelector: { matchLabels: { mesh: m } } }]),
    ),
  };
  const { fleet, records } = await deploy("shuffle", args);
  const values = Object.fromEntries(
    records.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => [r.name, r.inputs.values]),
  );
  return { state: await settle(fleet.state), values };
}

describe("determinism under shuffled arguments (property)", function () {
  this.timeout(240_000);
  it("gives the same state and the same Cilium values whatever the declaration order", async () => {
    const reference = await planned([0, 1, 2, 3, 4]);
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 5, maxLength: 5 }), async (order) => {
        assert.deepEqual(await planned(order), reference);
      }),
      { numRuns: 8 },
    );
  });
});
