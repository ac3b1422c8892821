// The fake `az` driven directly, as scripts drive the real one: its model of Azure Fleet (members,
// labels, cluster mesh profiles, a long-running apply) and the ways it fails. The product's own
// mesh program (components/core/azure/mesh-program.ts) runs against it too (more of it in
// azure-mesh-program.test.ts).
import { strict as assert } from "assert";
import { FakeTools } from "../support/fake-tools";
import { MESH_COMMAND_SCRIPTS, meshEnvironment, teardownSelector } from "../../components/core/azure/azure-mesh-commands";

const RG = "fleet-rg";
const FLEET = "hub";
const MESH = "prod";
const TARGET = { resourceGroupName: RG, fleetName: FLEET, meshName: MESH };
const SCOPE = `--resource-group ${RG} --fleet-name ${FLEET}`;
const APPLY = `az fleet clustermeshprofile apply ${SCOPE} --name ${MESH}`;

/** The mesh Command's `reconcile` (declaring `members`, after a run that declared `previous`) or `teardown`. */
function runMesh(tools: FakeTools, mode: "reconcile" | "teardown", members: string[], previous?: string[]) {
  const env = {
    ...meshEnvironment(TARGET, { byLabel: `mesh=${MESH}`, members }),
    ...(previous ? { PULUMI_COMMAND_STDOUT: JSON.stringify({ fleetmeshMeshMembers: previous }) } : {}),
  };
  return tools.run(mode === "reconcile" ? MESH_COMMAND_SCRIPTS.create : MESH_COMMAND_SCRIPTS.delete, {
    stdin: MESH_COMMAND_SCRIPTS.stdin,
    env,
  });
}

/** A fleet with these members (name → labels), and a profile selecting mesh=prod. */
function meshFleet(tools: FakeTools, members: Record<string, Record<string, string>>): void {
  tools.azure.fleetWithMembers({ resourceGroup: RG, fleet: FLEET, members });
  tools.azure.putProfile({ resourceGroup: RG, fleet: FLEET, name: MESH, memberSelector: `mesh=${MESH}` });
}

/** Members joined and connected by an apply that finished long ago. */
function connected(tools: FakeTools): void {
  tools.azure.applyProfile({ resourceGroup: RG, fleet: FLEET, name: MESH });
  tools.advance(1_000);
}

function meshStates(tools: FakeTools, names: string[]): (string | undefined)[] {
  return names.map((name) => tools.azure.meshState({ resourceGroup: RG, fleet: FLEET, name }));
}

describe("fake tools: az fleet and its cluster mesh profiles", function () {
  this.timeout(120_000);
  let tools: FakeTools;
  beforeEach(() => (tools = FakeTools.create()));
  afterEach(() => tools.remove());

  it("refuses an apply while another runs on the profile, with AnotherOperationInProgress, and accepts one after it", async () => {
    meshFleet(tools, { east: { mesh: MESH }, west: { mesh: MESH } });
    const [one, two] = await Promise.all([tools.run(APPLY), tools.run(APPLY)]);
    const refused = [one, two].filter((r) => r.exitCode !== 0);
    assert.deepEqual([[one, two].filter((r) => r.exitCode === 0).length, refused.map((r) => r.exitCode)], [1, [1]]);
    assert.match(refused[0].stderr, /^ERROR: \(AnotherOperationInProgress\) .*\nCode: AnotherOperationInProgress\nMessage: /);
    const provisioning = `az fleet clustermeshprofile show ${SCOPE} --name ${MESH} --query properties.provisioningState -o tsv`;
    assert.equal((await tools.run(provisioning)).stdout, "Applying\n");
    await tools.run("sleep 5");
    assert.equal((await tools.run(provisioning)).stdout, "Succeeded\n");
    assert.equal((await tools.run(APPLY)).exitCode, 0);
  });

  it("answers member create with DependentResourceNotFound while the Fleet RP lags a new cluster; a bounded retry converges, a single try fails loudly", async () => {
    tools.azure.resourceGroup(RG);
    tools.azure.fleet({ resourceGroup: RG, name: FLEET });
    const lagging = tools.azure.managedCluster({ resourceGroup: RG, name: "east-aks", lagCalls: 2 });
    const create = (name: string, cluster: string) =>
      `az fleet member create ${SCOPE} --name ${name} --member-cluster-id ${cluster} --labels mesh=${MESH} -o none`;
    const retry = `for i in 1 2 3 4 5; do ${create("east", lagging)} && exit 0; sleep 20; done; exit 1`;
    const converged = await tools.run(retry);
    assert.equal(converged.exitCode, 0, converged.stderr);
    assert.equal(converged.stderr.match(/\(DependentResourceNotFound\)/g)?.length, 2);
    assert.deepEqual(tools.azure.member({ resourceGroup: RG, fleet: FLEET, name: "east" })?.labels, { mesh: MESH });

    // The default lag (one call) fails a script that tries once, with az's error and exit code.
    const fresh = tools.azure.managedCluster({ resourceGroup: RG, name: "west-aks" });
    const once = await tools.run(create("west", fresh));
    assert.equal(once.exitCode, 1);
    assert.match(once.stderr, /^ERROR: \(DependentResourceNotFound\) .*\nCode: DependentResourceNotFound\n/);

    // The same failure injected from the faults file, consumed as it fires.
    tools.injectFaults({ "az fleet member create": [{ times: 2, error: "DependentResourceNotFound" }] });
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await tools.run(create("west", fresh))).exitCode);
    assert.deepEqual([results, tools.faults()], [[1, 1, 0], {}]);
  });

  it("brings selected members to Connected some polls after an apply, and a member whose join fails to Failed", async () => {
    meshFleet(tools, { east: { mesh: MESH }, north: { mesh: MESH }, west: { mesh: MESH } });
    tools.update((s) => {
      for (const m of Object.values(s.azure.members)) if (m.name === "west") m.joinFailures = 1;
    });
    assert.equal((await tools.run(APPLY)).exitCode, 0);
    assert.deepEqual(meshStates(tools, ["east", "north", "west"]), ["Connecting", "Connecting", "Connecting"]);
    const connectedCount = `az fleet clustermeshprofile list-members ${SCOPE} --name ${MESH} --query "length([?meshProperties.status.state=='Connected'])" -o tsv`;
    const polled = await tools.run(
      `n=1; until [ "$(${connectedCount})" = 2 ]; do n=$((n+1)); [ $n -gt 20 ] && exit 1; sleep 10; done; echo $n`,
    );
    assert.equal(polled.exitCode, 0, polled.stderr);
    assert.ok(Number(polled.stdout) >= 2, `connected after ${polled.stdout.trim()} polls`);
    assert.deepEqual(meshStates(tools, ["east", "north", "west"]), ["Connected", "Connected", "Failed"]);
    const members = await tools.run(
      `az fleet clustermeshprofile list-members ${SCOPE} --name ${MESH} --query "[].[name, meshProperties.status.state]" -o tsv`,
    );
    assert.equal(members.stdout, "east\tConnected\nnorth\tConnected\nwest\tFailed\n");
    // A re-apply retries the failed member only.
    const whatIf = await tools.run(
      `az fleet clustermeshprofile apply ${SCOPE} --name ${MESH} --what-if --query "[].[Name, Action]" -o tsv`,
    );
    assert.equal(whatIf.stdout, "east\t-\nnorth\t-\nwest\tAdd\n");
  });

  it("deletes idempotently, and refuses to delete a profile that still has members", async () => {
    meshFleet(tools, { east: { mesh: MESH }, west: { team: "b" } });
    const deleteMember = `az fleet member delete ${SCOPE} --name west --yes`;
    assert.deepEqual([(await tools.run(deleteMember)).exitCode, (await tools.run(deleteMember)).exitCode], [0, 0]);
    const gone = await tools.run(`az fleet member show ${SCOPE} --name west`);
    assert.equal(gone.exitCode, 3);
    assert.match(
      gone.stderr,
      /^ERROR: \(ResourceNotFound\) The Resource 'Microsoft.ContainerService\/fleets\/hub\/members\/west' under resource group 'fleet-rg' was not found/,
    );

    connected(tools);
    const deleteProfile = `az fleet clustermeshprofile delete ${SCOPE} --name ${MESH} --yes`;
    const refused = await tools.run(deleteProfile);
    assert.equal(refused.exitCode, 1);
    assert.match(refused.stderr, /\(CannotDeleteClusterMeshProfileWithMembers\)/);
    tools.azure.putProfile({ resourceGroup: RG, fleet: FLEET, name: MESH, memberSelector: teardownSelector(MESH) });
    connected(tools);
    assert.deepEqual([(await tools.run(deleteProfile)).exitCode, (await tools.run(deleteProfile)).exitCode], [0, 0]);
  });

  it("the mesh teardown selects nobody, applies, and waits until every member has left", async () => {
    meshFleet(tools, { east: { mesh: MESH }, west: { mesh: MESH } });
    connected(tools);
    assert.deepEqual(meshStates(tools, ["east", "west"]), ["Connected", "Connected"]);
    const teardown = await runMesh(tools, "teardown", ["east", "west"]);
    assert.equal(teardown.exitCode, 0, teardown.stderr);
    assert.deepEqual(meshStates(tools, ["east", "west"]), [undefined, undefined]);
    assert.deepEqual(
      (tools.azure.profile({ resourceGroup: RG, fleet: FLEET, name: MESH })?.properties as { memberSelector: unknown }).memberSelector,
      {
        byLabel: teardownSelector(MESH),
      },
    );
    // It polled: list-members more than once, with (fake) sleeps between.
    assert.ok(tools.calls("az").filter((c) => c.args.includes("list-members")).length >= 2);
    assert.ok(tools.calls("sleep").length >= 1);
  });

  it("two members leaving the mesh at once are detached by one script: relabelled one by one, one apply, both gone", async () => {
    meshFleet(tools, { east: { mesh: MESH }, north: { mesh: MESH }, west: { mesh: MESH } });
    connected(tools);
    const calls = tools.calls("az").length;
    const detach = await runMesh(tools, "reconcile", ["north"], ["east", "north", "west"]);
    assert.equal(detach.exitCode, 0, detach.stderr);
    assert.deepEqual(meshStates(tools, ["east", "north", "west"]), [undefined, "Connected", undefined]);
    const ran = tools
      .calls("az")
      .slice(calls)
      .map((c) => c.args.slice(0, 4).join(" "))
      .filter((c) => c.startsWith("fleet member update") || c === "fleet clustermeshprofile apply --resource-group");
    assert.deepEqual(ran, [
      "fleet member update --resource-group",
      "fleet member update --resource-group",
      "fleet clustermeshprofile apply --resource-group",
    ]);
  });

  it("two scripts applying one profile at once both finish: a refused apply is polled, not fatal", async () => {
    meshFleet(tools, { east: { mesh: MESH }, west: { mesh: MESH } });
    connected(tools);
    // An apply outlasts the other script's first attempt, which then finds it running.
    tools.azure.settings({ applyTicks: 100 });
    tools.update((s) => Object.values(s.azure.members).forEach((m) => m.name === "west" && (m.labels = { mesh: "elsewhere" })));
    const [first, second] = await Promise.all([
      runMesh(tools, "reconcile", ["east"], ["east", "west"]),
      runMesh(tools, "reconcile", ["east"], ["east", "west"]),
    ]);
    assert.deepEqual([first.exitCode, second.exitCode], [0, 0], first.stderr + second.stderr);
    assert.deepEqual(meshStates(tools, ["east", "west"]), ["Connected", undefined]);
  });

  it("a member that leaves keeps its other labels: they go to --labels as one word, which az accepts", async () => {
    meshFleet(tools, { east: { mesh: MESH, team: "a", tier: "web" }, west: { mesh: MESH } });
    connected(tools);
    const detach = await runMesh(tools, "reconcile", ["west"], ["east", "west"]);
    assert.equal(detach.exitCode, 0, detach.stderr);
    assert.deepEqual(tools.azure.member({ resourceGroup: RG, fleet: FLEET, name: "east" })?.labels, {
      mesh: "fleetmesh-detached",
      team: "a",
      tier: "web",
    });
    const update = tools.calls("az").find((c) => c.args.slice(0, 3).join(" ") === "fleet member update")!;
    assert.equal(update.args[update.args.indexOf("--labels") + 1], "mesh=fleetmesh-detached team=a tier=web");
    assert.deepEqual(meshStates(tools, ["east", "west"]), [undefined, "Connected"]);
  });

  it("looks resources up in the subscription named by --subscription or set by az account set", async () => {
    tools.update((s) => s.azure.account.subscriptions.push({ id: "00000000-0000-0000-0000-000000000002", name: "other", tenantId: "t" }));
    tools.azure.fleetWithMembers({ resourceGroup: RG, fleet: FLEET, members: { east: { mesh: MESH } } });
    const show = (extra = "") => tools.run(`az fleet member show ${SCOPE} --name east ${extra} --query name -o tsv`);
    assert.deepEqual([(await show()).stdout, (await show("--subscription other")).exitCode], ["east\n", 3]);
    assert.equal((await tools.run("az account set --subscription other")).exitCode, 0);
    assert.equal((await tools.run("az account show --query name -o tsv")).stdout, "other\n");
    assert.equal((await show()).exitCode, 3);
    const unknown = await show("--subscription nowhere");
    assert.deepEqual(
      [unknown.exitCode, unknown.stderr],
      [1, "ERROR: The subscription of 'nowhere' doesn't exist in cloud 'AzureCloud'.\n"],
    );
  });
});
