// The fake-tool harness against the kind scripts (components/runtime/kind-cluster.ts,
// components/core/fleet/kind-scripts.ts): a two-member kind mesh planned offline (fixtures/kind-pair),
// its steps played in the engine's order with every Command script run against the fake kind and
// docker. Each plan is made as a real preview or update makes it: the `local.run` probe of a node's
// address runs against the fake tools, and each address Command hands back what the previous run's
// state recorded (plan/fake-cloud.ts, usePlanOracle).
import { strict as assert } from "assert";
import * as path from "path";
import { parse } from "yaml";
import { unwrapSecrets, usePlanOracle } from "../../plan/fake-cloud";
import { PlanRun, resetRootStack, runProgram } from "../../plan/run-program";
import { FakeTools } from "../support/fake-tools";
import { runCommandOperation, CommandInputs } from "../support/fake-tools/run-command";
import { PlanRunResult, RunState, StateResource, runPlan, scriptsRan } from "../support/fake-tools/run-plan";

const PROGRAM = path.resolve(__dirname, "fixtures/kind-pair");
/** kind v0.29.0's default image (pkg/apis/config/defaults/image.go): the newest one Cilium 1.18 is tested on, for the fake kind 0.32.0. */
const PINNED_FOR_CILIUM_1_18 = "kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f";

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const lastOctet = (ip: string) => Number(ip.split(".").pop());
const commandNamed = (state: { resources: StateResource[] }, name: string) => state.resources.find((r) => nameOf(r.urn) === name)!;
const trimmed = (text: string) => text.replace(/\n$/, "");
const changedSteps = (run: PlanRunResult) =>
  run.waves
    .flat()
    .filter((s) => s.op !== "same")
    .map((s) => `${s.op} ${nameOf(s.urn)}`)
    .sort();

/** Plans the fixture on the fake machine, after the run that left `state` (none: a first run). */
async function planOn(tools: FakeTools, state?: RunState, options: { previous?: PlanRun; config?: Record<string, string> } = {}) {
  const restore = usePlanOracle({
    runCommand: async (command) => {
      const run = await tools.run(command);
      return { stdout: trimmed(run.stdout), stderr: trimmed(run.stderr) };
    },
    recordedCommand: (name) => (name.endsWith("-kind-address") ? state?.resources.find((r) => nameOf(r.urn) === name)?.outputs : undefined),
  });
  try {
    return await runProgram(PROGRAM, {
      raw: true,
      ...(options.previous && { previousOutputs: options.previous.outputs }),
      ...(options.config && { config: options.config }),
    });
  } finally {
    restore();
  }
}

/** The member's clustermesh-apiserver NodePort, as the fleet allocated it. */
function nodePort(run: PlanRun, member: string): number {
  return (run.outputs.pairFleetState as { members: Record<string, { nodePort: number }> }).members[member].nodePort;
}

/** The peers a member's KVStoreMesh dials, from its planned `cilium-kvstoremesh` data (`<peer>` → endpoints). */
function kvstoremeshEndpoints(run: PlanRun, member: string): Record<string, string[]> {
  const data = unwrapSecrets(run.resources.find((r) => r.name === `pair-${member}-kvstoremesh-peers`)!.rawInputs!.data) as Record<
    string,
    string
  >;
  return Object.fromEntries(
    Object.entries(data).map(([peer, text]) => [
      peer,
      (parse(Buffer.from(text, "base64").toString()) as { endpoints: string[] }).endpoints,
    ]),
  );
}

describe("fake tools: the kind scripts, played in the engine's step order", function () {
  this.timeout(180_000);
  let tools: FakeTools;
  let first: PlanRun;
  let up1: PlanRunResult;
  let settled: PlanRun;
  let base: PlanRunResult;

  before(async () => {
    tools = FakeTools.create();
    first = await planOn(tools);
    up1 = await runPlan({ current: first, tools });
    // The offline plan of a first run stands in for the node addresses (no cluster exists yet to read
    // them from), where a real first `up` reads them after creating the clusters; planning again once
    // the clusters exist gives the state a real first `up` leaves.
    settled = await planOn(tools, up1.state, { previous: first });
    base = await runPlan({ previous: up1.state, current: settled, tools });
  });
  after(() => {
    resetRootStack();
    tools.remove();
  });

  it("a first up creates both clusters with their planned config and pinned image, and records each control plane's container and address", () => {
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
      assert.deepEqual([container.running, container.image], [true, PINNED_FOR_CILIUM_1_18]);
      assert.match(container.networks.kind.ip, /^172\.18\.0\.\d+$/);
      assert.equal(commandNamed(up1.state, `pair-${member}-kind-address`).outputs?.stdout, `${container.id} ${container.networks.kind.ip}`);
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

  it("once the clusters exist, each member's peers dial the other's node address as Docker has it", () => {
    const ip = (member: string) => tools.containerAddress(`pair-${member}-control-plane`)!;
    assert.deepEqual(
      [kvstoremeshEndpoints(settled, "a"), kvstoremeshEndpoints(settled, "b")],
      [{ b: [`https://${ip("b")}:${nodePort(settled, "b")}`] }, { a: [`https://${ip("a")}:${nodePort(settled, "a")}`] }],
    );
    assert.equal(base.failed, undefined, String(base.failed?.error));
  });

  it("a next run with nothing moved plans no step, runs no Command and says nothing about addresses", async () => {
    const again = await planOn(tools, base.state, { previous: settled });
    const calls = tools.calls().length;
    const up = await runPlan({ previous: base.state, current: again, tools });
    assert.equal(up.failed, undefined);
    assert.deepEqual([changedSteps(up), scriptsRan(up)], [[], []]);
    assert.equal(tools.calls().length, calls);
    assert.deepEqual(
      again.logs.filter((l) => /kind network|Docker network kind/.test(l.message)),
      [],
    );
  });

  it("when Docker restarts the nodes and they come back with other addresses, the next up rewrites the peers' config and the members' own certificate addresses, and nothing else", async () => {
    const [a, b] = ["pair-a-control-plane", "pair-b-control-plane"];
    const before = { a: tools.containerAddress(a)!, b: tools.containerAddress(b)! };
    // The daemon starts them the other way round (higher address first): each takes the other's old address.
    const lowerFirst = [a, b].sort((x, y) => lastOctet(tools.containerAddress(x)!) - lastOctet(tools.containerAddress(y)!));
    const moved = tools.restartContainers([a, b], [...lowerFirst].reverse());
    assert.deepEqual([moved[a].after.kind, moved[b].after.kind], [before.b, before.a]);
    try {
      const plan = await planOn(tools, base.state, { previous: settled });
      const up = await runPlan({ previous: base.state, current: plan, tools });
      assert.equal(up.failed, undefined, String(up.failed?.error));
      assert.deepEqual(changedSteps(up), [
        "update pair-a-cilium",
        "update pair-a-kvstoremesh-peers",
        "update pair-b-cilium",
        "update pair-b-kvstoremesh-peers",
      ]);
      assert.deepEqual(scriptsRan(up), []);
      assert.deepEqual(
        [kvstoremeshEndpoints(plan, "a"), kvstoremeshEndpoints(plan, "b")],
        [{ b: [`https://${before.a}:${nodePort(plan, "b")}`] }, { a: [`https://${before.b}:${nodePort(plan, "a")}`] }],
      );
      const values = (member: string) => plan.resources.find((r) => r.name === `pair-${member}-cilium`)!.inputs.values as any;
      assert.deepEqual(
        [values("a").clustermesh.apiserver.tls.server.extraIpAddresses, values("b").clustermesh.apiserver.tls.server.extraIpAddresses],
        [[before.b], [before.a]],
      );
      // The preview says so, member by member.
      assert.deepEqual(
        plan.logs
          .filter((l) => l.message.startsWith("kind member"))
          .map((l) => l.message.split(" (")[0])
          .sort(),
        [
          `kind member "a": node ${a} is at ${before.b} on the Docker network kind, not at ${before.a} where it was when its cluster was created`,
          `kind member "b": node ${b} is at ${before.a} on the Docker network kind, not at ${before.b} where it was when its cluster was created`,
        ],
      );
    } finally {
      // Put the addresses back for the tests after this one.
      tools.restartContainers([a, b], lowerFirst);
    }
    assert.deepEqual([tools.containerAddress(a), tools.containerAddress(b)], [before.a, before.b]);
  });

  it("a node that is stopped when the run plans keeps the address recorded at create: no step", async () => {
    tools.update((s) => {
      s.docker.containers["pair-b-control-plane"].running = false;
    });
    try {
      const plan = await planOn(tools, base.state, { previous: settled });
      const up = await runPlan({ previous: base.state, current: plan, tools });
      assert.deepEqual(changedSteps(up), []);
    } finally {
      tools.update((s) => {
        s.docker.containers["pair-b-control-plane"].running = true;
      });
    }
  });

  it("removing a member deletes its kind cluster last, after everything that depends on it", async () => {
    const third = await planOn(tools, base.state, { previous: settled, config: { members: "a" } });
    const up3 = await runPlan({ previous: base.state, current: third, tools });
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

  describe("an existing kind cluster of the member's name", () => {
    const planned = () => first.resources.find((r) => r.name === "pair-a-kind-cluster")!.rawInputs as CommandInputs;
    const create = async (seed: (fresh: FakeTools) => Promise<unknown>) => {
      const fresh = FakeTools.create();
      try {
        await seed(fresh);
        const calls = fresh.calls().length;
        const run = await runCommandOperation("create", { inputs: planned() }, { env: fresh.env() });
        const after = fresh.calls().slice(calls);
        return { run, creates: after.filter((c) => c.tool === "kind" && c.args[0] === "create").length, state: fresh.state() };
      } finally {
        fresh.remove();
      }
    };
    const withConfig = (text: string) => (fresh: FakeTools) => fresh.run("kind create cluster --name pair-a --config -", { stdin: text });

    it("is refused when its config differs, naming each difference, and nothing is created", async () => {
      const foreign = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  podSubnet: 10.244.0.0/16\n";
      const { run, creates } = await create(withConfig(foreign));
      assert.equal(run.exitCode, 1);
      assert.equal(creates, 0);
      assert.equal(
        run.stderr,
        [
          'fleetmesh: kind cluster "pair-a" already exists and is not the cluster member "a" would create, so it is not adopted:',
          "  - node label fleetmesh.io/owner-stack: not set, so fleetmesh did not create this cluster (this member sets organization.kind-pair.plan)",
          "  - pod subnet: 10.244.0.0/16 (this member uses 10.0.0.0/17)",
          "  - service subnet: 10.96.0.0/16 (this member uses 10.128.0.0/20)",
          "  - kube-proxy mode: iptables (this member uses none)",
          "Delete it (kind delete cluster --name pair-a) if nothing on it is needed, or give the member another kind.clusterName.",
          "",
        ].join("\n"),
      );
    });

    it("is refused when another stack owns it, naming that stack", async () => {
      const theirs = planned().stdin!.split("organization.kind-pair.plan").join("organization.kind-pair.other");
      const { run, creates } = await create(withConfig(theirs));
      assert.deepEqual([run.exitCode, creates], [1, 0]);
      assert.match(
        run.stderr,
        /^fleetmesh: kind cluster "pair-a" belongs to another stack: its nodes carry fleetmesh\.io\/owner-stack=organization\.kind-pair\.other, and this stack is organization\.kind-pair\.plan\. Member "a" does not adopt it/,
      );
    });

    it("is refused when it has other nodes", async () => {
      const bigger = `${planned().stdin!.replace("networking:", "- role: worker\nnetworking:")}`;
      const { run } = await create(withConfig(bigger));
      assert.match(run.stderr, /\n {2}- nodes: pair-a-control-plane pair-a-worker \(this member has pair-a-control-plane\)\n/);
    });

    it("is adopted when it is this member's own (a run that lost its state): nothing is created", async () => {
      const { run, creates, state } = await create(withConfig(planned().stdin!));
      assert.deepEqual(
        [run.exitCode, creates, run.stderr],
        [0, 0, 'kind cluster "pair-a" already exists with the config of member "a": adopted\n'],
      );
      assert.deepEqual(Object.keys(state.kind.clusters), ["pair-a"]);
    });

    it("whose node is stopped cannot be checked, and is refused with what to do", async () => {
      const { run } = await create(async (fresh) => {
        await withConfig(planned().stdin!)(fresh);
        fresh.update((s) => (s.docker.containers["pair-a-control-plane"].running = false));
      });
      assert.equal(run.exitCode, 1);
      assert.match(
        run.stderr,
        /cannot be read, so it cannot be checked before member "a" adopts it: start the node \(docker start pair-a-control-plane\)/,
      );
    });
  });
});
