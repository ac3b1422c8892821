// A stack that was deployed before but lost a fleet's state output: the run is refused before anything
// that consumes an allocation is registered, instead of allocating every member anew (which moves
// existing members and re-creates kind clusters). Runs are chained as the stack would see them: each
// run's previous outputs are what the run before exported.
import { strict as assert } from "assert";
import { Fleet, FleetArgs, FleetState, FleetValidationError, MemberDeclaration } from "../../components";
import { RecordedResource, complete, deploy, isKnown, recorder, settle, useMocks, warnLog } from "./harness";
import { asSecret } from "../../plan/fake-cloud";

const kindMembers = (...names: string[]): Record<string, MemberDeclaration> =>
  Object.fromEntries(names.map((name) => [name, { kind: {}, labels: { mesh: "demo" } }]));
const withMesh = (members: Record<string, MemberDeclaration>, extra: Partial<FleetArgs> = {}): FleetArgs => ({
  members,
  meshes: { demo: { memberSelector: { matchLabels: { mesh: "demo" } } } },
  ...extra,
});

/** What a user would see of a refusal: the paths, and the first violation's message. */
function refusalOf(error: unknown): { paths: string[]; message: string } {
  assert.ok(error instanceof FleetValidationError, `refused with a FleetValidationError: ${String(error)}`);
  return { paths: error.violations.map((v) => v.path), message: error.violations[0].message };
}

const commands = (records: RecordedResource[]) => records.filter((r) => r.type === "command:local:Command");

describe("Fleet whose state output is missing from a stack that was deployed before", () => {
  /** Two updates that leave b and c where a fresh allocation would not put them: a left, so b holds id 2 and c id 3. */
  async function deployedTwice(): Promise<FleetState> {
    const first = await deploy("moves", withMesh(kindMembers("a", "b")));
    const firstState = (await settle(first.fleet.state))!;
    const second = await deploy("moves", withMesh(kindMembers("b", "c")), {
      previous: { movesFleetState: firstState, entryAddress: "172.18.255.1" },
    });
    return (await settle(second.fleet.state))!;
  }

  it("would move existing members if it allocated anew: the harm the refusal prevents", async () => {
    const held = await deployedTwice();
    const anew = await deploy("moves", withMesh(kindMembers("b", "c"), { state: { fresh: true } }), {
      previous: { entryAddress: "172.18.255.1" },
    });
    const moved = (await settle(anew.fleet.state))!;
    assert.deepEqual(
      [held.members.b.clusterId, held.members.c.clusterId, moved.members.b.clusterId, moved.members.c.clusterId],
      [2, 3, 1, 2],
    );
    assert.notEqual(moved.members.b.podCidr, held.members.b.podCidr, "b's pod CIDR moves: its kind cluster would be re-created");
  });

  const DROPPED = { entryAddress: "172.18.255.1", kubeconfigs: { b: "x", c: "y" } };

  it("refuses the preview when the program stopped exporting the state, naming the export, before registering any cluster", async () => {
    await deployedTwice();
    const { fleet, records, refusal } = await deploy("moves", withMesh(kindMembers("b", "c")), { preview: true, previous: DROPPED });
    const { paths, message } = refusalOf(refusal);
    assert.deepEqual(paths, ["state.stackOutput"]);
    assert.ok(
      message.startsWith('the stack was deployed before (its outputs: "entryAddress", "kubeconfigs") but has no output "movesFleetState"'),
      message,
    );
    assert.ok(message.includes("`export const movesFleetState = fleet.state`"), message);
    assert.ok(message.includes("set state.fresh: true"), message);
    assert.deepEqual(commands(records), [], "no kind cluster, kubeconfig or address command is registered");
    assert.equal(await isKnown(fleet.state), false);
  });

  it("refuses the update the same way (`pulumi up --skip-preview`)", async () => {
    await useMocks(false, DROPPED);
    const records: RecordedResource[] = [];
    const fleet = new Fleet("moves", withMesh(kindMembers("b", "c")), { transformations: [recorder(records)] });
    const refusal = await fleet.ready.then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.deepEqual(refusalOf(refusal).paths, ["state.stackOutput"]);
    assert.deepEqual(commands(records), []);
  });

  it("plans a stack with no outputs at all (new, or destroyed) from scratch", async () => {
    const { fleet, refusal } = await deploy("fresh", withMesh(kindMembers("a", "b")));
    assert.deepEqual([refusal, Object.keys((await settle(fleet.state))!.members)], [undefined, ["a", "b"]]);
  });

  it("refuses a fleet new to a stack that has outputs until state.fresh says so, then allocates it without warning", async () => {
    const stack = { appUrl: "https://example.test" };
    const refused = await deploy("added", withMesh(kindMembers("a")), { preview: true, previous: stack });
    assert.deepEqual(refusalOf(refused.refusal).paths, ["state.stackOutput"]);
    const accepted = await deploy("added", withMesh(kindMembers("a"), { state: { fresh: true } }), { preview: true, previous: stack });
    assert.deepEqual(
      [accepted.refusal, (await settle(accepted.fleet.state))!.members.a.clusterId, warnLog.filter((w) => w.includes("state.fresh"))],
      [undefined, 1, []],
    );
  });

  it("keeps the state it finds when state.fresh is still set, and warns to remove it", async () => {
    const first = await deploy("kept", withMesh(kindMembers("a", "b")));
    const state = (await settle(first.fleet.state))!;
    const second = await deploy("kept", withMesh(kindMembers("b"), { state: { fresh: true } }), {
      preview: true,
      previous: { keptFleetState: state },
    });
    assert.deepEqual((await settle(second.fleet.state))!.members.b, state.members.b);
    assert.deepEqual(
      warnLog.filter((w) => w.includes("state.fresh")),
      [
        'Fleet "kept": state.fresh is set, but the stack holds this fleet\'s state in "keptFleetState": remove state.fresh, ' +
          "or a later run that loses the state would allocate every member anew instead of being refused",
      ],
    );
  });

  it("never refuses a state given as state.previous, or a fleet told not to read the stack", async () => {
    const stack = { other: 1 };
    const given = await deploy("given", withMesh(kindMembers("a"), { state: { previous: undefined, readFromStack: false } }), {
      previous: stack,
    });
    const explicit = await deploy(
      "given",
      withMesh(kindMembers("a"), {
        state: {
          previous: { version: 1, members: { a: { clusterId: 5, podCidr: "10.0.0.0/17", serviceCidr: "10.128.0.0/20", nodePort: 30007 } } },
        },
      }),
      { previous: stack },
    );
    assert.deepEqual(
      [given.refusal, explicit.refusal, (await settle(explicit.fleet.state))!.members.a.clusterId],
      [undefined, undefined, 5],
    );
  });

  it("in a program of two fleets, refuses only the fleet whose state is missing, and points at a state exported under another name", async () => {
    const first = await deploy("east", withMesh(kindMembers("e1")));
    const eastState = (await settle(first.fleet.state))!;
    const second = await deploy("west", withMesh(kindMembers("w1")));
    const westState = (await settle(second.fleet.state))!;
    // The program now exports west's state as "fleetState" instead of "westFleetState".
    await useMocks(true, { eastFleetState: eastState, fleetState: westState });
    const records: RecordedResource[] = [];
    const east = new Fleet("east", withMesh(kindMembers("e1")), { transformations: [recorder(records)] });
    const west = new Fleet("west", withMesh(kindMembers("w1")), { transformations: [recorder(records)] });
    const [eastOutcome, westOutcome] = await Promise.all([
      east.ready.then(
        () => undefined,
        (e: unknown) => e,
      ),
      west.ready.then(
        () => undefined,
        (e: unknown) => e,
      ),
    ]);
    await complete(records);
    const { message } = refusalOf(westOutcome);
    assert.deepEqual(
      [eastOutcome, (await settle(east.state))!.members.e1, message.includes('fleet states found: "eastFleetState", "fleetState"')],
      [undefined, eastState.members.e1, true],
    );
    assert.ok(message.includes("set state.stackOutput to that name"), message);
    assert.deepEqual(
      commands(records).filter((r) => r.name.startsWith("west-")),
      [],
    );
  });

  it("reads a state output that is a secret, beside other secret outputs, like a plain one", async () => {
    const first = await deploy("secret", withMesh(kindMembers("a")));
    const state = (await settle(first.fleet.state))!;
    const second = await deploy("secret", withMesh(kindMembers("a")), {
      preview: true,
      previous: { secretFleetState: asSecret(state), kubeconfigs: asSecret({ a: "kubeconfig" }) },
    });
    assert.deepEqual([second.refusal, (await settle(second.fleet.state))!.members.a], [undefined, state.members.a]);
  });
});
