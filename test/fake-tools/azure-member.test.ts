// The FleetMember Command's scripts (components/core/azure/fleet-member-script.ts), run as pulumi-command
// runs them (create, update, delete) against the fake az, with the Fleet RP's transient answers injected:
// a cluster the Fleet RP does not see yet (DependentResourceNotFound) and one still updating after ACNS
// (ManagedClusterNotInExpectedState). Then the aks-fleet example's first `up`, played in the engine's
// step order with ARM stand-ins that refuse what Azure refuses (no resource group, a lagging Fleet RP).
import { strict as assert } from "assert";
import * as path from "path";
import { FakeTools } from "../support/fake-tools";
import { CommandInputs, CommandState, runCommandOperation } from "../support/fake-tools/run-command";
import { COMMAND_TYPE, PlanRunResult, ResourceHandler, RunState, StateResource, runPlan } from "../support/fake-tools/run-plan";
import { resetRootStack, runProgram } from "../../plan/run-program";
import {
  FleetMemberTarget,
  fleetMemberCreateScript,
  fleetMemberDeleteScript,
  fleetMemberEnvironment,
  fleetMemberUpdateScript,
  managedClusterId,
} from "../../components/core/azure/fleet-member-script";

const RG = "fleet-rg";
const FLEET = "hub";

/** The Command's inputs as azure-fleet-member.ts registers them. */
function commandInputs(target: FleetMemberTarget): CommandInputs {
  return {
    create: fleetMemberCreateScript(),
    update: fleetMemberUpdateScript(),
    delete: fleetMemberDeleteScript(),
    environment: fleetMemberEnvironment(target),
  };
}

describe("fake tools: the FleetMember Command joins, relabels and leaves with bounded retries", function () {
  this.timeout(120_000);
  let tools: FakeTools;
  let subscription: string;
  beforeEach(() => {
    tools = FakeTools.create();
    subscription = tools.azure.subscription;
    tools.azure.resourceGroup(RG);
    tools.azure.fleet({ resourceGroup: RG, name: FLEET });
  });
  afterEach(() => tools.remove());

  /** A member `east` of a cluster the Fleet RP sees after `lagCalls` and `notReadyCalls` refused creates. */
  function target(options: { lagCalls?: number; notReadyCalls?: number; labels?: Record<string, string>; attempts?: number } = {}) {
    tools.azure.managedCluster({
      resourceGroup: RG,
      name: "east-aks",
      lagCalls: options.lagCalls ?? 0,
      notReadyCalls: options.notReadyCalls ?? 0,
    });
    return {
      subscription,
      resourceGroup: RG,
      fleet: FLEET,
      member: "east",
      clusterId: managedClusterId(subscription, RG, "east-aks"),
      labels: options.labels ?? { mesh: "prod" },
      ...(options.attempts !== undefined && { attempts: options.attempts }),
    };
  }
  const run = (operation: "create" | "update" | "delete", resource: { inputs?: CommandInputs; old?: CommandState }) =>
    runCommandOperation(operation, resource, { env: tools.env() });
  const member = () => tools.azure.member({ resourceGroup: RG, fleet: FLEET, name: "east" });
  const azCalls = (verb: string) => tools.calls("az").filter((c) => c.args.slice(0, 3).join(" ") === `fleet member ${verb}`);

  it("converges through DependentResourceNotFound and then ManagedClusterNotInExpectedState within the bound, printing the member's id", async () => {
    const inputs = commandInputs(target({ lagCalls: 3, notReadyCalls: 2 }));
    const created = await run("create", { inputs });
    assert.equal(created.exitCode, 0, created.stderr);
    assert.deepEqual(
      {
        stdout: created.outputs.stdout,
        calls: azCalls("create").map((c) => c.exit),
        sleeps: tools.calls("sleep").map((c) => c.args.join(" ")),
        retried: created.stderr.match(/answered \((\w+)\)/g),
        labels: member()?.labels,
      },
      {
        stdout: member()!.id,
        calls: [1, 1, 1, 1, 1, 0],
        sleeps: ["20", "20", "20", "20", "20"],
        retried: [
          "answered (DependentResourceNotFound)",
          "answered (DependentResourceNotFound)",
          "answered (DependentResourceNotFound)",
          "answered (ManagedClusterNotInExpectedState)",
          "answered (ManagedClusterNotInExpectedState)",
        ],
        labels: { mesh: "prod" },
      },
    );
  });

  it("gives up after its attempts with az's last error, never looping on", async () => {
    const created = await run("create", { inputs: commandInputs(target({ lagCalls: 100, attempts: 4 })) });
    assert.equal(created.exitCode, 1);
    assert.equal(azCalls("create").length, 4);
    assert.match(
      created.stderr,
      /ERROR: \(DependentResourceNotFound\) The managed cluster '.*east-aks' was not found by the fleet resource provider\.\n/,
    );
    assert.match(created.stderr, /still answered \(DependentResourceNotFound\) after 4 attempts 20s apart: giving up\n$/);
    assert.equal(member(), undefined);
  });

  it("fails at once, loudly, with az's own message on an error that is not transient", async () => {
    tools.injectFaults({
      "az fleet member create": [{ error: "AuthorizationFailed", message: "The client 'ci' does not have authorization." }],
    });
    const created = await run("create", { inputs: commandInputs(target()) });
    assert.deepEqual(
      [
        created.exitCode,
        azCalls("create").length,
        created.stderr.split("\n").slice(0, 1),
        /not a transient error, not retried/.test(created.stderr),
      ],
      [1, 1, ["ERROR: (AuthorizationFailed) The client 'ci' does not have authorization."], true],
    );
    // A missing fleet is not transient either.
    const elsewhere = commandInputs({ ...target(), fleet: "no-such-fleet" });
    const missing = await run("create", { inputs: elsewhere });
    assert.deepEqual([missing.exitCode, /^ERROR: \(ParentResourceNotFound\)/.test(missing.stderr)], [3, true]);
  });

  it("converges when run again after a run that gave up halfway, and a second create of a joined member changes nothing", async () => {
    const inputs = commandInputs(target({ lagCalls: 3, attempts: 2 }));
    const first = await run("create", { inputs });
    assert.deepEqual([first.exitCode, member()], [1, undefined]);
    const again = await run("create", { inputs });
    assert.equal(again.exitCode, 0, again.stderr);
    const replayed = await run("create", { inputs });
    assert.deepEqual(
      [replayed.exitCode, tools.azure.members({ resourceGroup: RG, fleet: FLEET }).map((m) => [m.name, m.labels])],
      [0, [["east", { mesh: "prod" }]]],
    );
  });

  it("passes several labels as the one --labels word az's parser splits, on create and on update", async () => {
    const labels = { mesh: "prod", region: "east", "team.example.com/owner": "a" };
    const inputs = commandInputs(target({ labels }));
    assert.equal((await run("create", { inputs })).exitCode, 0);
    const createArgs = azCalls("create")[0].args;
    assert.equal(createArgs[createArgs.indexOf("--labels") + 1], "mesh=prod region=east team.example.com/owner=a");
    assert.deepEqual(member()?.labels, labels);

    const relabelled = commandInputs({ ...target(), labels: { region: "east", tier: "web" } });
    const updated = await run("update", { inputs: relabelled, old: { inputs, outputs: { stdout: member()!.id, stderr: "" } } });
    assert.equal(updated.exitCode, 0, updated.stderr);
    assert.deepEqual([updated.outputs.stdout, member()?.labels], [member()!.id, { region: "east", tier: "web" }]);
  });

  it("retries a relabel the Fleet RP answers transiently, and joins a member deleted behind its back again", async () => {
    const inputs = commandInputs(target());
    assert.equal((await run("create", { inputs })).exitCode, 0);
    const old = { inputs, outputs: { stdout: member()!.id, stderr: "" } };
    tools.injectFaults({ "az fleet member update": [{ times: 2, error: "ManagedClusterNotInExpectedState" }] });
    const next = commandInputs({ ...target(), labels: { mesh: "dev" } });
    const updated = await run("update", { inputs: next, old });
    assert.deepEqual([updated.exitCode, azCalls("update").length, member()?.labels], [0, 3, { mesh: "dev" }]);

    tools.azure.deleteMember({ resourceGroup: RG, fleet: FLEET, name: "east" });
    const rejoined = await run("update", { inputs: next, old });
    assert.equal(rejoined.exitCode, 0, rejoined.stderr);
    assert.match(rejoined.stderr, /member east is gone from fleet hub: joining it again/);
    assert.deepEqual(member()?.labels, { mesh: "dev" });
  });

  it("leaves the fleet, waits out a mesh that still holds the member, and treats a member or fleet already gone as done", async () => {
    const inputs = commandInputs(target());
    assert.equal((await run("create", { inputs })).exitCode, 0);
    const old = { inputs, outputs: { stdout: member()!.id, stderr: "" } };
    tools.injectFaults({ "az fleet member delete": [{ times: 2, error: "MemberBelongsToClusterMesh" }] });
    const deleted = await run("delete", { old });
    assert.deepEqual([deleted.exitCode, azCalls("delete").length, member()], [0, 3, undefined]);
    assert.equal((await run("delete", { old })).exitCode, 0);
    const elsewhere = { inputs: commandInputs({ ...target(), fleet: "gone-fleet" }), outputs: old.outputs };
    const gone = await run("delete", { old: elsewhere });
    assert.deepEqual([gone.exitCode, /already gone/.test(gone.stderr) || /ParentResourceNotFound/.test(gone.stderr)], [0, true]);
    tools.injectFaults({ "az fleet member delete": [{ error: "AuthorizationFailed" }] });
    assert.equal((await run("delete", { old })).exitCode, 1);
  });

  it("names the fleet's subscription in every az call, whatever az's current subscription is", async () => {
    const inputs = commandInputs(target());
    tools.update((s) => {
      s.azure.account.subscriptions.push({ id: "00000000-0000-0000-0000-000000000002", name: "other", tenantId: "t" });
      s.azure.account.defaultSubscription = "00000000-0000-0000-0000-000000000002";
    });
    assert.equal((await run("create", { inputs })).exitCode, 0);
    assert.equal((await run("update", { inputs, old: { inputs, outputs: { stdout: "", stderr: "" } } })).exitCode, 0);
    assert.equal((await run("delete", { old: { inputs, outputs: { stdout: "", stderr: "" } } })).exitCode, 0);
    const calls = tools.calls("az");
    assert.deepEqual(
      calls.map((c) => c.args[c.args.indexOf("--subscription") + 1]),
      calls.map(() => subscription),
    );
  });
});

// ---- the example's first `up` ----

const PROGRAM = path.resolve(__dirname, "../../programs/aks-fleet");
const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/**
 * Stand-ins for the ARM resources: each refuses what Azure refuses (a write into a resource group that
 * does not exist), and writes what the scripts read to the fake Azure. A new AKS cluster is seen by the
 * Fleet RP only after two member creates, then reads as updating once (ACNS's second update).
 */
function armHandlers(tools: FakeTools): Record<string, ResourceHandler> {
  const inGroup = (resource: StateResource | undefined) => {
    const group = String(resource?.inputs.resourceGroupName);
    if (!tools.state().azure.resourceGroups[`/subscriptions/${tools.azure.subscription}/resourcegroups/${group}`.toLowerCase()]) {
      throw new Error(`(ResourceGroupNotFound) Resource group '${group}' could not be found.`);
    }
  };
  const created =
    (fn: (r: StateResource) => void): ResourceHandler =>
    (step, r) => {
      if (step.op === "create" || step.op === "replace") fn(r.new!);
    };
  return {
    "azure-native:resources:ResourceGroup": created((r) => void tools.azure.resourceGroup(String(r.inputs.resourceGroupName))),
    "azure-native:network:VirtualNetwork": created(inGroup),
    "azure-native:network:Subnet": created(inGroup),
    "azure-native:network:VirtualNetworkPeering": created(inGroup),
    "azure-native:containerservice:Fleet": created((r) => {
      inGroup(r);
      tools.azure.fleet({ resourceGroup: String(r.inputs.resourceGroupName), name: String(r.inputs.fleetName) });
    }),
    "azure-native:containerservice:ManagedCluster": created((r) => {
      inGroup(r);
      tools.azure.managedCluster({
        resourceGroup: String(r.inputs.resourceGroupName),
        name: String(r.inputs.resourceName),
        lagCalls: 2,
        notReadyCalls: 1,
      });
    }),
    // The generic ARM resource: a ClusterMeshProfile, or a FleetMember PUT once, as azure-native does (no retry).
    "azure-native:resources:Resource": created((r) => {
      const props = r.inputs.properties as { memberSelector?: { byLabel?: string }; labels?: Record<string, string> } | undefined;
      const where = {
        resourceGroup: String(r.inputs.resourceGroupName),
        fleet: String(r.inputs.parentResourcePath).split("/")[1],
        name: String(r.inputs.resourceName),
      };
      if (r.inputs.resourceType === "members") {
        const cluster = Object.values(tools.state().azure.clusters).find((c) => c.name === where.name);
        tools.azure.createMember({ ...where, clusterResourceId: cluster?.id ?? where.name, labels: props?.labels });
      } else if (r.inputs.resourceType === "clusterMeshProfiles" && props?.memberSelector?.byLabel) {
        tools.azure.putProfile({ ...where, memberSelector: props.memberSelector.byLabel });
      }
    }),
  };
}

/** The offline plan's azure-native client is in subscription "sub-1" (plan/fake-cloud.ts getClientConfig): so is az. */
function planSubscriptionTools(): FakeTools {
  return FakeTools.create({
    azure: { applyTicks: 1, connectTicks: 2, disconnectTicks: 2 },
    seed: (state) => {
      state.azure.account.subscriptions = [{ id: "sub-1", name: "fleetmesh-plan", tenantId: "tenant-1" }];
      state.azure.account.defaultSubscription = "sub-1";
    },
  });
}

/** The example's first `up` (the hub check, which runs kubectl against a real hub, left out: its script is tested on its own). */
async function firstUp(tools: FakeTools): Promise<PlanRunResult> {
  const planned = await runProgram(PROGRAM, { raw: true, config: { grantHubAccess: "false" } });
  return runPlan({ current: planned, tools, handlers: armHandlers(tools) });
}

const failure = (up: PlanRunResult) => (up.failed === undefined ? undefined : `${nameOf(up.failed.step.urn)}: ${String(up.failed.error)}`);

describe("fake tools: the aks-fleet example's first up, in the engine's step order", function () {
  this.timeout(300_000);
  let tools: FakeTools;
  let up: PlanRunResult;

  before(async () => {
    tools = planSubscriptionTools();
    up = await firstUp(tools);
  });
  after(() => {
    resetRootStack();
    tools.remove();
  });

  it("creates its resource group before anything that lives in it, so no write meets ResourceGroupNotFound", () => {
    assert.equal(failure(up), undefined);
    const order = up.ran.filter((s) => s.op === "create").map((s) => nameOf(s.urn));
    for (const inside of ["aks-fleet-east", "aks-fleet-west", "aks-fleet-azure-fleet"])
      assert.ok(order.indexOf("aks-fleet") < order.indexOf(inside), inside);
  });

  it("joins every member to the fleet through the lagging Fleet RP, with its labels, in the fleet's subscription", () => {
    const members = tools.azure.members({ resourceGroup: "fleetmesh-demo", fleet: "aks-fleet" });
    assert.deepEqual(
      members.map((m) => [m.name, m.labels, m.clusterResourceId]),
      ["east-1", "east-2", "west-1"].map((m) => [
        m,
        { mesh: "prod", region: m.startsWith("east") ? "east" : "west" },
        managedClusterId(tools.azure.subscription, "fleetmesh-demo", m),
      ]),
    );
    const joins = up.scripts.filter((s) => s.name.endsWith("-fleet-member"));
    assert.deepEqual(
      joins.map((s) => [s.name, s.run.exitCode, (s.run.stderr.match(/answered \(\w+\)/g) ?? []).length]).sort(),
      ["east-1", "east-2", "west-1"].map((m) => [`aks-fleet-${m}-fleet-member`, 0, 3]),
    );
  });

  it("writes the subnets of one VNet one after another", () => {
    const subnetSteps = up.waves.map((wave) => wave.filter((s) => s.type === "azure-native:network:Subnet").map((s) => nameOf(s.urn)));
    const east = ["aks-fleet-east-1-nodes", "aks-fleet-east-1-pods", "aks-fleet-east-2-nodes", "aks-fleet-east-2-pods"];
    const waveOf = (name: string) => subnetSteps.findIndex((wave) => wave.includes(name));
    const waves = east.map(waveOf);
    assert.deepEqual(
      waves.map((w, i) => i === 0 || w > waves[i - 1]),
      [true, true, true, true],
      JSON.stringify(subnetSteps.filter((w) => w.length > 0)),
    );
  });
});

describe("fake tools: the aks-fleet example's first up into a resource group that already exists", function () {
  this.timeout(300_000);
  after(() => resetRootStack());

  it("does not fail on the Fleet RP's lag behind a new cluster (DependentResourceNotFound, then ManagedClusterNotInExpectedState)", async () => {
    const tools = planSubscriptionTools();
    try {
      tools.azure.resourceGroup("fleetmesh-demo");
      const up = await firstUp(tools);
      assert.deepEqual(
        [failure(up), tools.azure.members({ resourceGroup: "fleetmesh-demo", fleet: "aks-fleet" }).map((m) => m.name)],
        [undefined, ["east-1", "east-2", "west-1"]],
      );
    } finally {
      tools.remove();
    }
  });
});

describe("fake tools: a stack whose AKS members an earlier fleetmesh joined through ARM FleetMember resources", function () {
  this.timeout(300_000);
  const MEMBERS = ["east-1", "east-2", "west-1"];
  const ARM = "azure-native:resources:Resource";
  const isArmMember = (r: StateResource) => r.type === ARM && r.inputs.resourceType === "members";
  const isMemberCommand = (r: StateResource) => r.type === COMMAND_TYPE && nameOf(r.urn).endsWith("-fleet-member");
  const fleetState = (outputs: Record<string, unknown>) => outputs.aksFleetFleetState as Record<string, unknown>;
  let tools: FakeTools;
  /** The state and outputs an earlier version left: ARM FleetMembers (not retained), no Commands, no record of them. */
  let earlier: { state: RunState; outputs: Record<string, unknown> };

  before(async () => {
    tools = planSubscriptionTools();
    // Registers the ARM FleetMembers exactly as the earlier version did (besides retainOnDelete); its state, stripped of what that version did not have, is that version's.
    const planned = await runProgram(PROGRAM, { raw: true, config: { grantHubAccess: "false", retireArmFleetMembers: "true" } });
    const up = await runPlan({ current: planned, tools, handlers: armHandlers(tools) });
    assert.equal(failure(up), undefined);
    const { azureFleetMembership, ...stateBefore } = fleetState(planned.outputs);
    assert.equal(azureFleetMembership, "az-fleet-member");
    earlier = {
      state: {
        ...up.state,
        resources: up.state.resources
          .filter((r) => !isMemberCommand(r))
          .map((r) => (isArmMember(r) ? (({ retainOnDelete: _, ...rest }) => rest)(r as StateResource & { retainOnDelete?: boolean }) : r)),
      },
      outputs: { ...planned.outputs, aksFleetFleetState: stateBefore },
    };
  });
  after(() => {
    resetRootStack();
    tools.remove();
  });

  const members = () => tools.azure.members({ resourceGroup: "fleetmesh-demo", fleet: "aks-fleet" }).map((m) => m.name);
  const config = (retire: boolean) => ({ grantHubAccess: "false", retireArmFleetMembers: String(retire) });

  it("refuses a plain run, which would delete the old FleetMember resources after the commands joined, naming the setting that hands them over", async () => {
    await assert.rejects(runProgram(PROGRAM, { raw: true, config: config(false), previousOutputs: earlier.outputs }), (error: Error) => {
      assert.match(error.message, /azureFleet\.retireArmFleetMembers: AKS members "east-1", "east-2", "west-1" joined the Azure Fleet/);
      assert.match(error.message, /Set azureFleet\.retireArmFleetMembers: true for one run/);
      return true;
    });
  });

  it("hands membership over in two runs that never take a member out of the fleet, the second dropping the old resources from the state", async () => {
    const handlers = {
      ...armHandlers(tools),
      // The ARM delete azure-native would send: it takes the member out of the fleet.
      [ARM]: ((step, r) => {
        if (step.op === "delete" && r.old && isArmMember(r.old)) {
          tools.azure.deleteMember({ resourceGroup: "fleetmesh-demo", fleet: "aks-fleet", name: String(r.old.inputs.resourceName) });
        } else armHandlers(tools)[ARM](step, r);
      }) as ResourceHandler,
    };
    const handing = await runProgram(PROGRAM, { raw: true, config: config(true), previousOutputs: earlier.outputs });
    const up1 = await runPlan({ previous: earlier.state, current: handing, tools, handlers });
    const armSteps1 = up1.ran.filter((s) => s.type === ARM && nameOf(s.urn).endsWith("-fleet-member")).map((s) => s.op);
    const afterFirst = members();

    const after = await runProgram(PROGRAM, { raw: true, config: config(false), previousOutputs: handing.outputs });
    const up2 = await runPlan({ previous: up1.state, current: after, tools, handlers });
    assert.deepEqual(
      {
        failed: [failure(up1), failure(up2)],
        armSteps1,
        retained: up1.state.resources.filter(isArmMember).map((r) => (r as { retainOnDelete?: boolean }).retainOnDelete),
        afterFirst,
        armSteps2: up2.ran.filter((s) => s.type === ARM && nameOf(s.urn).endsWith("-fleet-member")).map((s) => s.op),
        armLeft: up2.state.resources.filter(isArmMember).length,
        commands: up2.state.resources.filter(isMemberCommand).length,
        afterSecond: members(),
      },
      {
        failed: [undefined, undefined],
        armSteps1: ["same", "same", "same"],
        retained: [true, true, true],
        afterFirst: MEMBERS,
        armSteps2: ["delete", "delete", "delete"],
        armLeft: 0,
        commands: 3,
        afterSecond: MEMBERS,
      },
    );
  });

  it("shows why: a run that skipped the hand-over would join with the commands and then delete every membership with the old resources", async () => {
    const fresh = planSubscriptionTools();
    try {
      const before = await runPlan({
        current: await runProgram(PROGRAM, { raw: true, config: config(true) }),
        tools: fresh,
        handlers: armHandlers(fresh),
      });
      const old = {
        ...before.state,
        resources: before.state.resources.filter((r) => !isMemberCommand(r)).map((r) => ({ ...r, retainOnDelete: false })),
      };
      const handlers = {
        ...armHandlers(fresh),
        [ARM]: ((step, r) => {
          if (step.op === "delete" && r.old && isArmMember(r.old))
            fresh.azure.deleteMember({ resourceGroup: "fleetmesh-demo", fleet: "aks-fleet", name: String(r.old.inputs.resourceName) });
        }) as ResourceHandler,
      };
      // The state claims the commands already (as if the refusal were not there).
      const plain = await runProgram(PROGRAM, { raw: true, config: config(false), previousOutputs: earlierWithRecord() });
      const up = await runPlan({ previous: old, current: plain, tools: fresh, handlers });
      const joinedThenLeft = up.ran
        .filter((s) => nameOf(s.urn).endsWith("-fleet-member"))
        .map((s) => `${s.type === ARM ? "arm" : "command"} ${s.op}`);
      assert.deepEqual(
        [failure(up), [...new Set(joinedThenLeft)], fresh.azure.members({ resourceGroup: "fleetmesh-demo", fleet: "aks-fleet" })],
        [undefined, ["command create", "arm delete"], []],
      );
    } finally {
      fresh.remove();
    }
  });

  const earlierWithRecord = () => ({
    ...earlier.outputs,
    aksFleetFleetState: { ...fleetState(earlier.outputs), azureFleetMembership: "az-fleet-member" },
  });
});
