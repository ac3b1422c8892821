// Fleet-managed meshes of AKS members, played run after run in the engine's step order
// (plan/engine-steps.ts, run-plan.ts) against the fake Azure: the ARM resources through handlers
// that write what azure-native would (and fail where ARM refuses), every Command script run against
// the fake `az` on a logical clock. The model is strict where Azure is: a member still in a mesh
// cannot leave the fleet, and a profile with members cannot be deleted (MicrosoftDocs azure-aks-docs
// articles/kubernetes-fleet/howto-configure-use-cross-cluster-networking.md, "Delete a cross-cluster network").
import { strict as assert } from "assert";
import * as path from "path";
import { PlanRun, resetRootStack, runProgram } from "../../plan/run-program";
import { usePlanOracle } from "../../plan/fake-cloud";
import { FakeTools, Faults } from "../support/fake-tools";
import { PlanRunResult, ResourceHandler, runPlan, scriptsRan } from "../support/fake-tools/run-plan";

const PROGRAM = path.resolve(__dirname, "fixtures/azure-meshes");
/** The subscription the offline plan's getClientConfig answers (plan/fake-cloud.ts). */
const SUBSCRIPTION = "sub-1";
const RG = "fleet-rg";
const FLEET = "hub";
/** Minutes as Azure takes them (the how-to: connections time out after 15 minutes), polled every minute. */
const AZURE_TIMING = { applyTicks: 120, connectTicks: 600, disconnectTicks: 900, memberDeleteWhileMeshed: "refuse" as const };
/** Polls every ten minutes: a fake `az` call costs real time, a poll none. */
const SCRIPT_ENV = { FLEETMESH_MESH_POLL_SECONDS: "600" };

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

interface World {
  tools: FakeTools;
  /** run-plan's id of each ManagedCluster → its ARM id in the fake. */
  clusterIds: Map<string, string>;
}

function newWorld(): World {
  const tools = FakeTools.create({
    azure: AZURE_TIMING,
    seed: (state) => {
      state.azure.account.subscriptions.push({ id: SUBSCRIPTION, name: "plan", tenantId: "tenant-1" });
      state.azure.account.defaultSubscription = SUBSCRIPTION;
    },
  });
  tools.azure.resourceGroup(RG);
  return { tools, clusterIds: new Map() };
}

/** What azure-native's resources do to the fake Azure (create and update are PUTs; deletes as ARM answers them). */
function armHandlers({ tools, clusterIds }: World): Record<string, ResourceHandler> {
  const azure = tools.azure;
  return {
    "azure-native:containerservice:Fleet": (step, { new: now }) => {
      if (step.op !== "delete")
        azure.fleet({ resourceGroup: now!.inputs.resourceGroupName as string, name: now!.inputs.fleetName as string });
    },
    "azure-native:containerservice:ManagedCluster": (step, { new: now, old }) => {
      if (step.op === "delete") return azure.deleteManagedCluster(clusterIds.get(old!.id)!);
      const inputs = now!.inputs;
      clusterIds.set(
        now!.id,
        azure.managedCluster({ resourceGroup: inputs.resourceGroupName as string, name: inputs.resourceName as string, lagCalls: 0 }),
      );
    },
    "azure-native:resources:Resource": (step, { new: now, old }) => {
      const inputs = (now ?? old)!.inputs as {
        resourceType: string;
        resourceName: string;
        resourceGroupName: string;
        parentResourcePath: string;
        properties: { labels?: Record<string, string>; clusterResourceId?: string; memberSelector?: { byLabel: string } };
      };
      const scope = { resourceGroup: inputs.resourceGroupName, fleet: inputs.parentResourcePath.split("/")[1], name: inputs.resourceName };
      if (inputs.resourceType === "members") {
        if (step.op === "delete") return void azure.deleteMember(scope);
        const clusterResourceId = clusterIds.get(inputs.properties.clusterResourceId!) ?? inputs.properties.clusterResourceId!;
        azure.createMember({ ...scope, clusterResourceId, labels: inputs.properties.labels ?? {} });
      } else if (inputs.resourceType === "clusterMeshProfiles") {
        if (step.op === "delete") return void azure.deleteProfile(scope);
        azure.putProfile({ ...scope, memberSelector: inputs.properties.memberSelector!.byLabel });
      }
    },
  };
}

interface Up {
  plan: PlanRun;
  result: PlanRunResult;
}

/** Plans the fixture with `config` (after `previous`) and plays that `up`. */
async function up(world: World, config: Record<string, string>, previous?: Up, faults?: Faults): Promise<Up> {
  const plan = await runProgram(PROGRAM, { raw: true, config, ...(previous ? { previousOutputs: previous.plan.outputs } : {}) });
  if (faults) world.tools.injectFaults(faults);
  const result = await runPlan({
    previous: previous?.result.state,
    current: plan,
    tools: world.tools,
    handlers: armHandlers(world),
    env: SCRIPT_ENV,
  });
  return { plan, result };
}

/** `pulumi destroy`: every resource of the state deleted, in the engine's order. */
async function destroy(world: World, previous: Up): Promise<PlanRunResult> {
  return runPlan({
    previous: previous.result.state,
    current: { resources: [] },
    tools: world.tools,
    handlers: armHandlers(world),
    env: SCRIPT_ENV,
  });
}

/** Each fleet member → the profile it is applied to and its state there ("-" outside every mesh). */
function meshModel({ tools }: World): Record<string, string> {
  const profiles = Object.values(tools.state().azure.profiles);
  return Object.fromEntries(
    tools.azure.members({ resourceGroup: RG, fleet: FLEET }).map((m) => {
      if (!m.mesh) return [m.name, "-"];
      const profile = profiles.find((p) => p.id.toLowerCase() === m.mesh!.profileId.toLowerCase())?.name;
      return [m.name, `${profile} ${tools.azure.meshState({ resourceGroup: RG, fleet: FLEET, name: m.name })}`];
    }),
  );
}

function assertNoFailure(result: PlanRunResult): void {
  const failed = result.failed ? `${result.failed.step.op} ${nameOf(result.failed.step.urn)}: ${String(result.failed.error)}` : undefined;
  assert.equal(failed, undefined);
}

/** The steps of Commands named `*-<suffix>` that ran a script: `op name`, sorted. */
function commandSteps(result: PlanRunResult, suffix = "-apply"): string[] {
  return scriptsRan(result)
    .filter((s) => s.name.endsWith(suffix))
    .map((s) => `${s.step} ${s.name}`)
    .sort();
}

const order = (result: PlanRunResult) => result.ran.map((s) => `${s.op} ${nameOf(s.urn)}`);

describe("fake tools: Fleet-managed meshes played in the engine's step order", function () {
  this.timeout(600_000);
  after(() => resetRootStack());

  describe("one mesh, run after run", () => {
    let world: World;
    let last: Up;
    before(async () => {
      world = newWorld();
      // Azure answers the mesh Command's calls with transient refusals now and then.
      last = await up(world, { members: "m1=a,m2=a,m3=a,m4=a", meshes: "a" }, undefined, {
        "az fleet clustermeshprofile apply --resource-group": [{ times: 2, error: "AnotherOperationInProgress" }],
        "az fleet clustermeshprofile list-members": [{ error: "TooManyRequests", status: 429 }],
      });
    });
    after(() => world.tools.remove());

    it("a first up converges through the transient refusals: every member Connected, the mesh Command created once", () => {
      assertNoFailure(last.result);
      assert.deepEqual(meshModel(world), { m1: "a Connected", m2: "a Connected", m3: "a Connected", m4: "a Connected" });
      assert.deepEqual(commandSteps(last.result), ["create az-a-apply"]);
      assert.deepEqual(world.tools.faults(), {});
      const applies = world.tools
        .calls("az")
        .filter((c) => c.args.slice(0, 3).join(" ") === "fleet clustermeshprofile apply" && !c.args.includes("--what-if"));
      assert.deepEqual(
        applies.map((c) => [c.exit, c.fault ?? false]),
        [
          [1, true],
          [1, true],
          [0, false],
        ],
      );
    });

    it("per-member detach Commands an earlier version left in the stack are updated in the hand-over run, and dropped in the next, so their recorded scripts never run", async () => {
      // The state as earlier versions left it: each member's detach Command (beside the mesh's Command) holds a delete script,
      // and the fleet state does not record the az fleet member Commands.
      const apply = last.result.state.resources.find((r) => nameOf(r.urn) === "az-a-apply")!;
      const legacy = [1, 2, 3, 4].map((n) => ({
        ...apply,
        urn: apply.urn.replace(/::az-a-apply$/, `::az-a-m${n}-detach`),
        name: `az-a-m${n}-detach`,
        id: `az-a-m${n}-detach-legacy`,
        inputs: { create: "true", delete: "echo the recorded detach ran >&2; exit 7" },
        dependencies: [],
        propertyDependencies: {},
      }));
      const { azureFleetMembership: _, ...olderState } = last.plan.outputs.azFleetState as Record<string, unknown>;
      const earlier: Up = {
        plan: { ...last.plan, outputs: { ...last.plan.outputs, azFleetState: olderState } },
        result: { ...last.result, state: { ...last.result.state, resources: [...last.result.state.resources, ...legacy] } },
      };
      const handing = await up(world, { members: "m1=a,m2=a,m3=a,m4=a", meshes: "a", retire: "true" }, earlier);
      assertNoFailure(handing.result);
      last = await up(world, { members: "m1=a,m2=a,m3=a,m4=a", meshes: "a" }, handing);
      assertNoFailure(last.result);
      const detachScripts = (result: PlanRunResult) =>
        result.scripts
          .filter((s) => s.name.endsWith("-detach"))
          .map((s) => `${s.step} ${s.name}: ${s.run.script ?? "(none)"}`)
          .sort();
      assert.deepEqual(
        [detachScripts(handing.result), detachScripts(last.result), meshModel(world)],
        [
          [1, 2, 3, 4].map((n) => `update az-a-m${n}-detach: true`),
          [1, 2, 3, 4].map((n) => `delete az-a-m${n}-detach: (none)`),
          { m1: "a Connected", m2: "a Connected", m3: "a Connected", m4: "a Connected" },
        ],
      );
    });

    it("a run that fails halfway (m4 leaves the fleet, its relabel refused) stops at the mesh Command with az's error, the mesh untouched", async () => {
      last = await up(world, { members: "m1=a,m2=a,m3=a", meshes: "a" }, last, {
        "az fleet member update": [{ error: "AuthorizationFailed", status: 403 }],
      });
      assert.equal(`${last.result.failed?.step.op} ${nameOf(last.result.failed!.step.urn)}`, "update az-a-apply");
      assert.match(String(last.result.failed!.error), /^Error: exit status 1: running "node - reconcile":\n/);
      assert.match(
        String(last.result.failed!.error),
        /\nERROR: \(AuthorizationFailed\) Injected AuthorizationFailed\.\nCode: AuthorizationFailed\n/,
      );
      assert.deepEqual(meshModel(world), { m1: "a Connected", m2: "a Connected", m3: "a Connected", m4: "a Connected" });
    });

    it("re-running up converges: m4 is relabelled and leaves the mesh before its FleetMember is deleted", async () => {
      last = await up(world, { members: "m1=a,m2=a,m3=a", meshes: "a" }, last);
      assertNoFailure(last.result);
      assert.deepEqual(meshModel(world), { m1: "a Connected", m2: "a Connected", m3: "a Connected" });
      assert.deepEqual(commandSteps(last.result), ["update az-a-apply"]);
      const steps = order(last.result);
      assert.ok(steps.indexOf("update az-a-apply") < steps.indexOf("delete az-m4-fleet-member"), steps.join(", "));
    });

    it("relabelling m3 out of the mesh: its FleetMember is updated first, then one apply, and it leaves; relabelled back, it rejoins", async () => {
      last = await up(world, { members: "m1=a,m2=a,m3=", meshes: "a" }, last);
      assertNoFailure(last.result);
      assert.deepEqual(meshModel(world), { m1: "a Connected", m2: "a Connected", m3: "-" });
      assert.deepEqual(world.tools.azure.member({ resourceGroup: RG, fleet: FLEET, name: "m3" })?.labels, { team: "platform" });
      const steps = order(last.result);
      assert.ok(steps.indexOf("update az-m3-fleet-member") < steps.indexOf("update az-a-apply"), steps.join(", "));
      last = await up(world, { members: "m1=a,m2=a,m3=a", meshes: "a" }, last);
      assertNoFailure(last.result);
      assert.deepEqual(meshModel(world), { m1: "a Connected", m2: "a Connected", m3: "a Connected" });
    });

    it("a full destroy of the three members tears the mesh down once, then deletes the profile and the members, no step failing", async () => {
      const destroyed = await destroy(world, last);
      assertNoFailure(destroyed);
      assert.deepEqual([meshModel(world), world.tools.state().azure.profiles], [{}, {}]);
      assert.deepEqual(commandSteps(destroyed), ["delete az-a-apply"]);
      const steps = order(destroyed);
      for (const later of ["delete az-a-profile", "delete az-m1-fleet-member", "delete az-m2-fleet-member", "delete az-m3-fleet-member"]) {
        assert.ok(steps.indexOf("delete az-a-apply") < steps.indexOf(later), steps.join(", "));
      }
    });
  });

  it("a preview warns when the mesh's selector also picks fleet members the program does not declare", async () => {
    const world = newWorld();
    try {
      const first = await up(world, { members: "m1=a,m2=a", meshes: "a" });
      assertNoFailure(first.result);
      // A cluster joined to the fleet outside this program, with the mesh's label.
      const cluster = world.tools.azure.managedCluster({ resourceGroup: RG, name: "legacy-aks", lagCalls: 0 });
      world.tools.azure.createMember({
        resourceGroup: RG,
        fleet: FLEET,
        name: "legacy",
        clusterResourceId: cluster,
        labels: { mesh: "a" },
      });
      // The preview's local.run invokes run against the fake az.
      const restore = usePlanOracle({ runCommand: (command) => world.tools.run(command) });
      let warnings: string[] = [];
      try {
        const config = { members: "m1=a,m2=a", meshes: "a" };
        const preview = await runProgram(PROGRAM, { raw: true, config, previousOutputs: first.plan.outputs });
        // The check runs beside the registrations (the engine waits for it; so does this test).
        for (let i = 0; i < 600 && warnings.length === 0; i++) {
          warnings = preview.logs.filter((l) => l.severity === "warn").map((l) => l.message);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        restore();
      }
      assert.deepEqual(warnings, [
        'mesh "a": its selector mesh=a also picks fleet members this program does not declare (legacy). ' +
          "`pulumi up` applies the cluster mesh profile to them as well, and removing the mesh (or `pulumi destroy`) disconnects them. " +
          "Change their labels, or the mesh's selector, to keep them out.",
      ]);
      // Read-only: the what-if, no apply.
      assert.deepEqual(
        world.tools
          .calls("az")
          .slice(-2)
          .map((c) => c.args.slice(0, 4).join(" ")),
        ["fleet clustermeshprofile show --resource-group", "fleet clustermeshprofile apply --what-if"],
      );
    } finally {
      world.tools.remove();
    }
  });

  it("moving a member from one mesh to another: it leaves the old mesh before it joins the new one", async () => {
    const world = newWorld();
    try {
      const first = await up(world, { members: "m1=a,m2=a,m3=b", meshes: "a,b" });
      assertNoFailure(first.result);
      assert.deepEqual(meshModel(world), { m1: "a Connected", m2: "a Connected", m3: "b Connected" });
      const callsBefore = world.tools.calls("az").length;
      const second = await up(world, { members: "m1=a,m2=b,m3=b", meshes: "a,b" }, first);
      assertNoFailure(second.result);
      assert.deepEqual(meshModel(world), { m1: "a Connected", m2: "b Connected", m3: "b Connected" });
      assert.deepEqual(commandSteps(second.result), ["update az-a-apply", "update az-b-apply"]);
      // b's Command made sure m2 had left a, then applied b once: an apply while a held m2 would not
      // have taken m2 in (the what-if's Error row) and would have needed a second one.
      const appliesOfB = world.tools
        .calls("az")
        .slice(callsBefore)
        .filter(
          (c) => c.exit === 0 && c.args[2] === "apply" && !c.args.includes("--what-if") && c.args[c.args.indexOf("--name") + 1] === "b",
        );
      assert.equal(appliesOfB.length, 1);
    } finally {
      world.tools.remove();
    }
  });
});
