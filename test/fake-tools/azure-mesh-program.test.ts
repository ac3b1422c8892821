// The Azure mesh program (components/core/azure/mesh-program.ts) run as its Command runs it, against
// the fake `az` on a logical clock: how it fails (loudly, with az's error, never looping for ever),
// what it does with Failed members, members another profile holds, a half-done teardown, and the
// preview's read-only check. The engine-order scenarios are in azure-mesh-plan.test.ts.
import { strict as assert } from "assert";
import { MESH_COMMAND_SCRIPTS, MESH_PROGRAM, meshEnvironment, teardownSelector } from "../../components/core/azure/azure-mesh-commands";
import { FakeTools } from "../support/fake-tools";
import { shellQuote } from "../../components/core/shell";

const RG = "fleet-rg";
const FLEET = "hub";
const MESH = "prod";
const TARGET = { resourceGroupName: RG, fleetName: FLEET, meshName: MESH };
const SCOPE = { resourceGroup: RG, fleet: FLEET };

type Mode = "reconcile" | "teardown" | "check";

interface MeshRun {
  members: string[];
  previous?: string[];
  byLabel?: string;
  mesh?: string;
  env?: Record<string, string>;
}

/** Runs one mode of the program as the Command (or the preview's `local.run`) does. */
function runMesh(tools: FakeTools, mode: Mode, run: MeshRun) {
  const mesh = run.mesh ?? MESH;
  const env = {
    ...meshEnvironment({ ...TARGET, meshName: mesh }, { byLabel: run.byLabel ?? `mesh=${mesh}`, members: run.members }),
    ...(run.previous ? { PULUMI_COMMAND_STDOUT: JSON.stringify({ fleetmeshMeshMembers: run.previous }) } : {}),
    ...run.env,
  };
  if (mode === "check") return tools.run(`node -e ${shellQuote(MESH_PROGRAM)} check`, { env });
  return tools.run(mode === "reconcile" ? MESH_COMMAND_SCRIPTS.create : MESH_COMMAND_SCRIPTS.delete, {
    stdin: MESH_COMMAND_SCRIPTS.stdin,
    env,
  });
}

function meshFleet(
  tools: FakeTools,
  members: Record<string, Record<string, string>>,
  profiles: Record<string, string> = { [MESH]: `mesh=${MESH}` },
) {
  tools.azure.fleetWithMembers({ ...SCOPE, members });
  for (const [name, memberSelector] of Object.entries(profiles)) tools.azure.putProfile({ ...SCOPE, name, memberSelector });
}

/** Applies `profiles` and lets the members settle. */
function settled(tools: FakeTools, ...profiles: string[]) {
  for (const name of profiles.length ? profiles : [MESH]) tools.azure.applyProfile({ ...SCOPE, name });
  tools.advance(1_000);
}

/** Member → `profile state` ("-" outside every mesh). */
function meshModel(tools: FakeTools): Record<string, string> {
  const profiles = Object.values(tools.state().azure.profiles);
  return Object.fromEntries(
    tools.azure.members(SCOPE).map((m) => {
      if (!m.mesh) return [m.name, "-"];
      const profile = profiles.find((p) => p.id.toLowerCase() === m.mesh!.profileId.toLowerCase())!.name;
      return [m.name, `${profile} ${tools.azure.meshState({ ...SCOPE, name: m.name })}`];
    }),
  );
}

const azCommand = (args: string[]) => args.slice(0, 3).join(" ") + (args.includes("--what-if") ? " --what-if" : "");
/** The az calls from index `from` on, as `group command verb`. */
const azCalls = (tools: FakeTools, from = 0) =>
  tools
    .calls("az")
    .slice(from)
    .map((c) => azCommand(c.args));

describe("fake tools: the Azure mesh program against the fake az", function () {
  this.timeout(300_000);
  let tools: FakeTools;
  beforeEach(() => (tools = FakeTools.create()));
  afterEach(() => tools.remove());

  describe("fails loudly, with az's error, and never loops for ever", () => {
    const refusals: Array<{ name: string; mode: Mode; prefix: string; code: string; status?: number }> = [
      {
        name: "a reconcile whose apply is refused for lack of rights",
        mode: "reconcile",
        prefix: "az fleet clustermeshprofile apply --resource-group",
        code: "AuthorizationFailed",
        status: 403,
      },
      {
        name: "a reconcile whose member list is refused",
        mode: "reconcile",
        prefix: "az fleet member list",
        code: "SubscriptionNotFound",
        status: 404,
      },
      {
        name: "a teardown whose selector write is refused",
        mode: "teardown",
        prefix: "az fleet clustermeshprofile create",
        code: "InvalidParameter",
      },
    ];
    for (const { name, mode, prefix, code, status } of refusals) {
      it(`${name} exits 1 with az's error, after one try`, async () => {
        meshFleet(tools, { east: { mesh: MESH } });
        tools.injectFaults({ [prefix]: [{ times: 5, error: code, ...(status ? { status } : {}) }] });
        const result = await runMesh(tools, mode, { members: ["east"] });
        assert.equal(result.exitCode, 1);
        assert.match(
          result.stderr,
          new RegExp(
            `^fleetmesh: az ${prefix.slice(3)} .* failed \\(exit (1|3)\\):\\nERROR: \\(${code}\\) Injected ${code}\\.\\nCode: ${code}\\n`,
            "m",
          ),
        );
        assert.equal(tools.faults()[prefix][0].times, 4);
      });
    }

    it("a refusal that never clears (AnotherOperationInProgress for ever) ends at the time budget", async () => {
      meshFleet(tools, { east: { mesh: MESH } });
      tools.injectFaults({ "az fleet clustermeshprofile apply --resource-group": [{ times: 1_000, error: "AnotherOperationInProgress" }] });
      const result = await runMesh(tools, "reconcile", {
        members: ["east"],
        env: { FLEETMESH_MESH_TIMEOUT_SECONDS: "300", FLEETMESH_MESH_POLL_SECONDS: "60" },
      });
      assert.equal(result.exitCode, 1);
      assert.match(
        result.stderr,
        /\nfleetmesh: timed out after 300 s \(FLEETMESH_MESH_TIMEOUT_SECONDS\) waiting for the members of prod to settle: east absent\n$/,
      );
      assert.ok(tools.calls("sleep").length <= 5, `${tools.calls("sleep").length} sleeps`);
    });

    it("a member that never connects ends at the time budget, naming its state", async () => {
      meshFleet(tools, { east: { mesh: MESH } });
      tools.azure.settings({ connectTicks: 100_000 });
      const result = await runMesh(tools, "reconcile", {
        members: ["east"],
        env: { FLEETMESH_MESH_TIMEOUT_SECONDS: "600", FLEETMESH_MESH_POLL_SECONDS: "120" },
      });
      assert.equal(result.exitCode, 1);
      assert.match(
        result.stderr,
        /timed out after 600 s \(FLEETMESH_MESH_TIMEOUT_SECONDS\) waiting for the members of prod to settle: east Connecting\n$/,
      );
      assert.equal(azCalls(tools).filter((c) => c === "fleet clustermeshprofile apply").length, 1);
    });

    it("a poll interval that is not a number of seconds is refused before any az call", async () => {
      meshFleet(tools, { east: { mesh: MESH } });
      const calls = tools.calls("az").length;
      const result = await runMesh(tools, "reconcile", { members: ["east"], env: { FLEETMESH_MESH_POLL_SECONDS: "1m" } });
      assert.deepEqual(
        [result.exitCode, result.stderr, tools.calls("az").length],
        [1, 'fleetmesh: FLEETMESH_MESH_POLL_SECONDS must be a whole number of seconds above 0, not "1m"\n', calls],
      );
    });
  });

  describe("refuses what no apply can fix, before applying", () => {
    const cases: Array<{
      name: string;
      members: Record<string, Record<string, string>>;
      profiles?: Record<string, string>;
      run: MeshRun;
      held?: string;
      message: RegExp;
    }> = [
      {
        name: "a declared member whose labels the selector does not match",
        members: { east: { mesh: "dev" } },
        run: { members: ["east"] },
        message: /^fleetmesh: fleet member east has labels \{"mesh":"dev"\}, which the selector mesh=prod of prod does not match$/m,
      },
      {
        name: "a declared member that is not in the fleet",
        members: { east: { mesh: MESH } },
        run: { members: ["east", "ghost"] },
        message: /^fleetmesh: fleet member ghost does not exist in fleet hub: it must join the fleet before the mesh applies$/m,
      },
      {
        name: "a member another profile selects too",
        members: { east: { mesh: MESH, team: "a" } },
        profiles: { other: "team=a", [MESH]: `mesh=${MESH}` },
        held: "other",
        run: { members: ["east"] },
        message:
          /^fleetmesh: fleet members east are selected by cluster mesh profile other \(team=a\) as well as by prod: a member is in one mesh at a time/m,
      },
      {
        name: "a lost member the selector picks by a label Azure Fleet sets",
        members: { east: { "fleet.azure.com/location": "eastus" }, west: { "fleet.azure.com/location": "eastus" } },
        profiles: { [MESH]: "fleet.azure.com/location=eastus" },
        held: MESH,
        run: { members: ["east"], previous: ["east", "west"], byLabel: "fleet.azure.com/location=eastus" },
        message:
          /^fleetmesh: fleet member west is selected by fleet\.azure\.com\/location=eastus, a label Azure Fleet sets itself: it cannot leave prod unless the selector changes$/m,
      },
    ];
    for (const { name, members, profiles, run, held, message } of cases) {
      it(name, async () => {
        meshFleet(tools, members, profiles);
        if (held) settled(tools, held);
        const calls = tools.calls("az").length;
        const result = await runMesh(tools, "reconcile", run);
        assert.equal(result.exitCode, 1);
        assert.match(result.stderr, message);
        assert.deepEqual(
          azCalls(tools, calls).filter((c) => c === "fleet clustermeshprofile apply" || c === "fleet member update"),
          [],
        );
      });
    }
  });

  it("a member whose connection ends Failed is re-applied once and connects", async () => {
    meshFleet(tools, { east: { mesh: MESH }, west: { mesh: MESH } });
    tools.update((s) => Object.values(s.azure.members).forEach((m) => (m.joinFailures = m.name === "west" ? 1 : 0)));
    const result = await runMesh(tools, "reconcile", { members: ["east", "west"] });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stderr, /^fleetmesh: fleet members west are Failed in prod: re-applying once$/m);
    assert.deepEqual(meshModel(tools), { east: "prod Connected", west: "prod Connected" });
    assert.equal(azCalls(tools).filter((c) => c === "fleet clustermeshprofile apply").length, 2);
    assert.deepEqual(JSON.parse(result.stdout), {
      fleetmeshMeshMembers: ["east", "west"],
      profile: MESH,
      states: { east: "Connected", west: "Connected" },
    });
  });

  it("a member Failed again after the re-apply fails the run, saying what to check", async () => {
    meshFleet(tools, { east: { mesh: MESH } });
    tools.update((s) => Object.values(s.azure.members).forEach((m) => (m.joinFailures = 2)));
    const result = await runMesh(tools, "reconcile", { members: ["east"] });
    assert.equal(result.exitCode, 1);
    assert.match(
      result.stderr,
      /^fleetmesh: fleet members east are Failed in prod again after a re-apply\. Fleet gives a connection 15 minutes; .*Network Contributor/m,
    );
    assert.equal(azCalls(tools).filter((c) => c === "fleet clustermeshprofile apply").length, 2);
  });

  it("a member moving in from another profile leaves it first, then joins: one apply of each profile", async () => {
    meshFleet(tools, { east: { mesh: "old" } }, { old: "mesh=old", [MESH]: `mesh=${MESH}` });
    settled(tools, "old");
    tools.azure.updateMember({ ...SCOPE, name: "east", labels: { mesh: MESH } });
    const result = await runMesh(tools, "reconcile", { members: ["east"] });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stderr, /^fleetmesh: east must leave cluster mesh profile old before joining prod$/m);
    assert.deepEqual(meshModel(tools), { east: "prod Connected" });
    const applies = tools
      .calls("az")
      .filter((c) => azCommand(c.args) === "fleet clustermeshprofile apply" && c.exit === 0)
      .map((c) => c.args[c.args.indexOf("--name") + 1]);
    assert.deepEqual(applies, ["old", MESH]);
  });

  it("a reconcile after a teardown that stopped halfway writes the selector back and converges", async () => {
    meshFleet(tools, { east: { mesh: MESH } }, { [MESH]: teardownSelector(MESH) });
    const result = await runMesh(tools, "reconcile", { members: ["east"] });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(
      [(tools.azure.profile({ ...SCOPE, name: MESH })!.properties as { memberSelector: unknown }).memberSelector, meshModel(tools)],
      [{ byLabel: `mesh=${MESH}` }, { east: "prod Connected" }],
    );
  });

  it("a teardown disconnects every member the profile holds, undeclared ones too; of a profile already gone it does nothing", async () => {
    meshFleet(tools, { east: { mesh: MESH }, legacy: { mesh: MESH } });
    settled(tools);
    const result = await runMesh(tools, "teardown", { members: ["east"] });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(meshModel(tools), { east: "-", legacy: "-" });
    tools.azure.deleteProfile({ ...SCOPE, name: MESH });
    const again = await runMesh(tools, "teardown", { members: ["east"] });
    assert.deepEqual([again.exitCode, again.stderr], [0, "fleetmesh: cluster mesh profile prod is already gone\n"]);
  });

  it("names the subscription on every az call when it is given", async () => {
    tools.update((s) => s.azure.account.subscriptions.push({ id: "sub-2", name: "second", tenantId: "t" }));
    tools.azure.fleetWithMembers({ ...SCOPE, members: { east: { mesh: MESH } }, subscription: "sub-2" });
    tools.azure.putProfile({ ...SCOPE, name: MESH, memberSelector: `mesh=${MESH}`, subscription: "sub-2" });
    const result = await runMesh(tools, "reconcile", { members: ["east"], env: { FLEETMESH_AZ_SUBSCRIPTION: "sub-2" } });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.ok(tools.calls("az").every((c) => c.args[c.args.indexOf("--subscription") + 1] === "sub-2"));
  });

  describe("the preview's read-only check", () => {
    it("reports the members the profile's what-if selects that the program does not declare, and writes nothing", async () => {
      meshFleet(tools, { east: { mesh: MESH }, legacy: { mesh: MESH }, other: { mesh: "dev" } });
      settled(tools);
      const result = await runMesh(tools, "check", { members: ["east"] });
      assert.deepEqual([result.exitCode, JSON.parse(result.stdout)], [0, { undeclared: ["legacy"], source: "what-if" }]);
      assert.deepEqual(azCalls(tools).slice(-2), ["fleet clustermeshprofile show", "fleet clustermeshprofile apply --what-if"]);
    });

    it("reads the members' labels when the profile does not exist yet (or has another selector)", async () => {
      tools.azure.fleetWithMembers({ ...SCOPE, members: { east: { mesh: MESH }, legacy: { mesh: MESH } } });
      const result = await runMesh(tools, "check", { members: ["east"] });
      assert.deepEqual(JSON.parse(result.stdout), { undeclared: ["legacy"], source: "member-list" });
    });

    it("finds nothing before the fleet exists", async () => {
      const result = await runMesh(tools, "check", { members: ["east"] });
      assert.deepEqual(JSON.parse(result.stdout), { undeclared: [], source: "member-list" });
    });

    it("says why it could not tell, and exits 0, when az is not logged in", async () => {
      tools.update((s) => (s.azure.account.loggedIn = false));
      const result = await runMesh(tools, "check", { members: ["east"] });
      assert.equal(result.exitCode, 0);
      assert.match(JSON.parse(result.stdout).skipped, /ERROR: Please run 'az login' to setup account\./);
    });
  });
});
