// The fleet's state-dependent refusals as a catalogue: each case is a first run (an update) followed by
// a preview whose stack outputs are what the first run left, changed as the case says. The preview
// must fail with a FleetValidationError at the user's field path, quoting the value, before anything
// that would consume an allocation (a kind cluster command, a Cilium release) is registered.
import { strict as assert } from "assert";
import { FleetArgs, FleetState, FleetValidationError } from "../../components";
import { deploy, settle } from "../components/harness";
import { kind } from "./catalogue";

interface AsyncCase {
  name: string;
  first: FleetArgs;
  next: FleetArgs;
  /** The outputs the preview reads, from the first run's state exported as "demoFleetState". */
  outputs: (state: FleetState) => Record<string, unknown>;
  path: string;
  quotes: string;
}

const exported = (state: FleetState) => ({ demoFleetState: state, entryAddress: "172.18.255.1" });

const CASES: AsyncCase[] = [
  {
    name: "a stack that kept its other outputs but lost the fleet's state",
    first: { members: { a: kind(), b: kind() } },
    next: { members: { a: kind(), b: kind() } },
    outputs: () => ({ entryAddress: "172.18.255.1" }),
    path: "state.stackOutput",
    quotes: '"demoFleetState"',
  },
  {
    name: "a state read from an output the program no longer writes (state.stackOutput renamed)",
    first: { members: { a: kind() } },
    next: { members: { a: kind() }, state: { stackOutput: "fleetState" } },
    outputs: exported,
    path: "state.stackOutput",
    quotes: '"fleetState"',
  },
  {
    name: "a state output that holds something else",
    first: { members: { a: kind() } },
    next: { members: { a: kind() } },
    outputs: () => ({ demoFleetState: "not a state" }),
    path: "state.stackOutput",
    quotes: '"demoFleetState"',
  },
  {
    name: "a pin that would renumber an existing member",
    first: { members: { a: kind() } },
    next: { members: { a: { ...kind(), clusterId: 9 } } },
    outputs: exported,
    path: "members.a.clusterId",
    quotes: "from 1 to 9",
  },
  {
    name: "a NodePort range that no longer holds an existing member's NodePort",
    first: { members: { a: kind() } },
    next: { members: { a: kind() }, pools: { nodePortRange: { first: 32000, last: 32100 } } },
    outputs: exported,
    path: "members.a.nodePort",
    quotes: "from 30000 to 32000",
  },
  {
    name: "maxConnectedClusters changed after install",
    first: { members: { a: kind() } },
    next: { members: { a: kind() }, maxConnectedClusters: 511 },
    outputs: exported,
    path: "maxConnectedClusters",
    quotes: "511",
  },
];

describe("bad Fleet arguments that need the stack's previous outputs fail the preview before anything consumes an allocation", () => {
  it(`has distinct cases (${CASES.length})`, () => assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length));

  for (const c of CASES) {
    it(`refuses ${c.name}`, async () => {
      const first = await deploy("demo", c.first);
      assert.equal(first.refusal, undefined);
      const state = (await settle(first.fleet.state))!;
      const { records, refusal } = await deploy("demo", c.next, { preview: true, previous: c.outputs(state) });
      assert.ok(refusal instanceof FleetValidationError, String(refusal));
      const violation = refusal.violations.find((v) => v.path === c.path);
      assert.ok(violation, `a violation at ${c.path}; got ${refusal.violations.map((v) => v.path).join(", ")}`);
      assert.ok(violation.message.includes(c.quotes), `the message quotes ${c.quotes}: ${violation.message}`);
      const consumers = records.filter((r) => r.type === "command:local:Command" || r.type === "kubernetes:helm.sh/v3:Release");
      assert.deepEqual(consumers, [], "no cluster and no Cilium release registered");
    });
  }
});
