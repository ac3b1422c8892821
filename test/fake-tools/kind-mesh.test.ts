// The fake-tool harness against today's kind scripts (components/runtime/kind-cluster.ts): a
// two-member kind mesh planned offline (fixtures/kind-pair), its steps played in the engine's order
// with every Command script run against the fake kind and docker. Tests named "today: ..." pin
// behaviour the kind issue changes; they are expected to flip with it.
import { strict as assert } from "assert";
import * as path from "path";
import { parse } from "yaml";
import { PlanRun, resetRootStack, runProgram } from "../../plan/run-program";
import { FakeTools } from "../support/fake-tools";
import { runCommandOperation, CommandInputs } from "../support/fake-tools/run-command";
import { PlanRunResult, StateResource, runPlan, scriptsRan } from "../support/fake-tools/run-plan";

const PROGRAM = path.resolve(__dirname, "fixtures/kind-pair");

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const lastOctet = (ip: string) => Number(ip.split(".").pop());
const commandNamed = (state: { resources: StateResource[] }, name: string) => state.resources.find((r) => nameOf(r.urn) === name)!;

describe("fake tools: today's kind scripts, played in the engine's step order", function () {
  this.timeout(180_000);
  let tools: FakeTools;
  let first: PlanRun;
  let second: PlanRun;
  let up1: PlanRunResult;

  before(async () => {
    tools = FakeTools.create();
    first = await runProgram(PROGRAM, { raw: true });
    second = await runProgram(PROGRAM, { raw: true, previousOutputs: first.outputs });
    up1 = await runPlan({ current: first, tools });
  });
  after(() => {
    resetRootStack();
    tools.remove();
  });

  it("a first up creates both clusters with their planned config, and the address command prints the control plane's IP from docker", () => {
    assert.equal(up1.failed, undefined, String(up1.failed?.error));
    const fake = up1.fake;
    assert.deepEqual(Object.keys(fake.kind.clusters).sort(), ["pair-a", "pair-b"]);
    for (const member of ["a", "b"]) {
      const cluster = fake.kind.clusters[`pair-${member}`];
      const planned = (first.outputs.pairFleetState as { members: Record<string, { podCidr: string; serviceCidr: string }> }).members[
        member
      ];
      assert.deepEqual(
        [cluster.parsed.networking.podSubnet, cluster.parsed.networking.serviceSubnet, cluster.parsed.nodes.map((n) => n.role)],
        [planned.podCidr, planned.serviceCidr, ["control-plane"]],
      );
      assert.deepEqual(cluster.parsed.nodes[0].labels, { "fleetmesh.io/owner-stack": "organization.kind-pair.plan" });
      const container = fake.docker.containers[`pair-${member}-control-plane`];
      assert.equal(container.running, true);
      assert.match(container.networks.kind.ip, /^172\.18\.0\.\d+$/);
      assert.equal(commandNamed(up1.state, `pair-${member}-kind-address`).outputs?.stdout, container.networks.kind.ip);
      const kubeconfig = parse(commandNamed(up1.state, `pair-${member}-kind-kubeconfig`).outputs!.stdout);
      assert.equal(kubeconfig["current-context"], `kind-pair-${member}`);
      assert.equal(kubeconfig.clusters[0].cluster.server, `https://127.0.0.1:${container.ports["6443/tcp"][0].HostPort}`);
    }
    // Each cluster is created before the commands that read it.
    const order = scriptsRan(up1).map((s) => s.name);
    for (const member of ["a", "b"]) {
      for (const reader of ["address", "kubeconfig"]) {
        assert.ok(order.indexOf(`pair-${member}-kind-cluster`) < order.indexOf(`pair-${member}-kind-${reader}`), order.join(", "));
      }
    }
  });

  it("a second up with nothing changed runs no command", async () => {
    const calls = tools.calls().length;
    const up2 = await runPlan({ previous: up1.state, current: second, tools });
    assert.equal(up2.failed, undefined);
    assert.deepEqual(scriptsRan(up2), []);
    assert.deepEqual(
      up2.waves.flat().filter((s) => s.op !== "same"),
      [],
    );
    assert.equal(tools.calls().length, calls);
  });

  it("today: when Docker restarts the nodes and they come back with other addresses, a second up runs nothing and keeps the stale address", async () => {
    const [a, b] = ["pair-a-control-plane", "pair-b-control-plane"];
    const before = { a: tools.containerAddress(a)!, b: tools.containerAddress(b)! };
    // The daemon starts them the other way round (higher address first): each takes the other's old address.
    const lowerFirst = [a, b].sort((x, y) => lastOctet(tools.containerAddress(x)!) - lastOctet(tools.containerAddress(y)!));
    const moved = tools.restartContainers([a, b], [...lowerFirst].reverse());
    assert.deepEqual([moved[a].after.kind, moved[b].after.kind], [before.b, before.a]);
    const up2 = await runPlan({ previous: up1.state, current: second, tools });
    assert.deepEqual(scriptsRan(up2), []);
    const recorded = commandNamed(up2.state, "pair-a-kind-address").outputs?.stdout;
    assert.equal(recorded, before.a);
    assert.notEqual(recorded, tools.containerAddress(a));
    // Put the addresses back for the tests after this one.
    tools.restartContainers([a, b], lowerFirst);
    assert.deepEqual([tools.containerAddress(a), tools.containerAddress(b)], [before.a, before.b]);
  });

  it("removing a member deletes its kind cluster last, after everything that depends on it", async () => {
    const up2 = await runPlan({ previous: up1.state, current: second, tools });
    const third = await runProgram(PROGRAM, { raw: true, previousOutputs: second.outputs, config: { members: "a" } });
    const up3 = await runPlan({ previous: up2.state, current: third, tools });
    assert.equal(up3.failed, undefined, String(up3.failed?.error));
    assert.deepEqual(
      scriptsRan(up3).map((s) => [s.step, s.name, s.run.exitCode]),
      [["delete", "pair-b-kind-cluster", 0]],
    );
    const deletes = up3.ran.filter((s) => s.op === "delete").map((s) => nameOf(s.urn));
    const last = deletes.lastIndexOf("pair-b-kind-cluster");
    for (const name of ["pair-b-cilium", "pair-b-kind-kubeconfig", "pair-b-kind-address", "pair-b-clustermesh-peers"]) {
      assert.ok(deletes.indexOf(name) >= 0 && deletes.indexOf(name) < last, deletes.join(", "));
    }
    assert.deepEqual(Object.keys(up3.fake.kind.clusters), ["pair-a"]);
    assert.deepEqual(Object.keys(up3.fake.docker.containers), ["pair-a-control-plane"]);
    assert.deepEqual(tools.calls("kind").at(-1)?.args, ["delete", "cluster", "--name", "pair-b"]);
    assert.equal((await tools.run("kind get clusters")).stdout, "pair-a\n");
  });

  it("kind refuses to create a cluster whose name is taken, as kind does", async () => {
    const result = await tools.run("kind create cluster --name pair-a");
    assert.deepEqual(result, {
      stdout: "",
      stderr: 'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "pair-a"\n',
      exitCode: 1,
    });
  });

  it("today: the create script adopts an existing cluster of the same name without comparing its config", async () => {
    const fresh = FakeTools.create();
    try {
      const planned = first.resources.find((r) => r.name === "pair-a-kind-cluster")!;
      const inputs = planned.rawInputs as CommandInputs;
      const foreign = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  podSubnet: 10.244.0.0/16\n";
      assert.equal((await fresh.run("kind create cluster --name pair-a --config -", { stdin: foreign })).exitCode, 0);
      const run = await runCommandOperation("create", { inputs }, { env: fresh.env() });
      assert.equal(run.exitCode, 0, run.error);
      assert.equal(fresh.state().kind.clusters["pair-a"].parsed.networking.podSubnet, "10.244.0.0/16");
      assert.deepEqual(
        fresh.calls("kind").map((c) => c.args.slice(0, 2).join(" ")),
        ["create cluster", "get clusters"],
      );
    } finally {
      fresh.remove();
    }
  });
});
