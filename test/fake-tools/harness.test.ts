// The harness itself: how Command scripts are run (run-command.ts, as @pulumi/command 1.2.1 runs
// them), the fake docker's addresses and messages, fault injection, the shared state under
// parallel scripts, and the logical clock.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FakeTools } from "../support/fake-tools";
import { runCommandOperation } from "../support/fake-tools/run-command";

const KIND_CONFIG = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n";

describe("fake tools: the harness", function () {
  this.timeout(120_000);
  let tools: FakeTools;
  beforeEach(() => (tools = FakeTools.create()));
  afterEach(() => tools.remove());

  describe("running a Command's scripts as the local provider does", () => {
    const env = () => tools.env();

    it("create: /bin/sh -c with stdin, environment and dir; no previous output; stdout recorded with one trailing newline trimmed", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-dir-"));
      try {
        const run = await runCommandOperation(
          "create",
          {
            inputs: {
              create:
                'read line; printf "%s|%s|%s|%s\\n\\n" "$line" "$GREETING" "$(basename "$PWD")" "${PULUMI_COMMAND_STDOUT-unset}"; echo warn >&2',
              stdin: "from stdin\n",
              environment: { GREETING: "hello" },
              dir,
            },
          },
          { env: env() },
        );
        assert.deepEqual([run.exitCode, run.outputs], [0, { stdout: `from stdin|hello|${path.basename(dir)}|unset\n`, stderr: "warn" }]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("update: the update script, else the create script, with the previous stdout and stderr in PULUMI_COMMAND_STDOUT/STDERR", async () => {
      const old = { inputs: { create: "echo old" }, outputs: { stdout: "before", stderr: "was" } };
      const explicit = await runCommandOperation("update", {
        inputs: { create: "echo c", update: 'echo "u:$PULUMI_COMMAND_STDOUT:$PULUMI_COMMAND_STDERR"' },
        old,
      });
      const fallback = await runCommandOperation("update", { inputs: { create: 'echo "c:$PULUMI_COMMAND_STDOUT"' }, old });
      const optedOut = await runCommandOperation("update", {
        inputs: { create: 'echo "c:${PULUMI_COMMAND_STDOUT-unset}"', addPreviousOutputInEnv: false },
        old,
      });
      assert.deepEqual(
        [explicit.outputs.stdout, fallback.outputs.stdout, optedOut.outputs.stdout],
        ["u:before:was", "c:before", "c:unset"],
      );
    });

    it("delete: the old state's delete script with the old state's environment and outputs; nothing when it has none", async () => {
      const old = {
        inputs: { create: "true", delete: 'echo "$WHO:$PULUMI_COMMAND_STDOUT"', environment: { WHO: "old" } },
        outputs: { stdout: "kept", stderr: "" },
      };
      const run = await runCommandOperation("delete", { inputs: { create: "true", environment: { WHO: "new" } }, old });
      const none = await runCommandOperation("delete", { old: { inputs: { create: "true" }, outputs: { stdout: "", stderr: "" } } });
      assert.deepEqual([run.stdout, none.script, none.exitCode], ["old:kept\n", undefined, 0]);
    });

    it("a non-zero exit fails the operation with the provider's message, interleaved output included, and keeps the old outputs", async () => {
      const old = { inputs: { create: "true" }, outputs: { stdout: "before", stderr: "" } };
      const run = await runCommandOperation("update", { inputs: { create: "echo out; echo err >&2; exit 3" }, old });
      assert.deepEqual(
        [run.exitCode, run.outputs, run.error],
        [3, old.outputs, 'exit status 3: running "echo out; echo err >&2; exit 3":\nout\nerr\n'],
      );
    });

    it("honours the interpreter", async () => {
      const run = await runCommandOperation("create", { inputs: { create: "console.log(6 * 7)", interpreter: ["node", "-e"] } });
      assert.equal(run.outputs.stdout, "42");
    });
  });

  describe("the fake docker", () => {
    it("hands out the kind network's addresses from its subnet, configurable per test", async () => {
      const other = FakeTools.create({ kindSubnet: "172.19.0.0/16" });
      try {
        const created = await other.run(
          "kind create cluster --name one --config - && docker network inspect kind -f '{{ (index .IPAM.Config 0).Subnet }}'",
          {
            stdin: KIND_CONFIG,
          },
        );
        assert.deepEqual(
          [created.exitCode, created.stdout, other.containerAddress("one-control-plane")],
          [0, "172.19.0.0/16\n", "172.19.0.2"],
        );
      } finally {
        other.remove();
      }
    });

    it("gives restarted containers the addresses their start order gives them, and a lone restart keeps its own", async () => {
      await tools.run("kind create cluster --name one --config - && kind create cluster --name two --config -", { stdin: KIND_CONFIG });
      const [one, two] = ["one-control-plane", "two-control-plane"];
      const before = [tools.containerAddress(one), tools.containerAddress(two)];
      const inspect = `docker inspect -f '{{ (index .NetworkSettings.Networks "kind").IPAddress }}' ${one} ${two}`;
      assert.equal((await tools.run(inspect)).stdout, before.join("\n") + "\n");
      tools.restartContainers([one, two], [two, one]);
      assert.deepEqual([tools.containerAddress(one), tools.containerAddress(two)], [before[1], before[0]]);
      const lone = await tools.run(`docker restart ${one} && ${inspect}`);
      assert.equal(lone.stdout, `${one}\n${before[1]}\n${before[0]}\n`);
    });

    it("answers an unknown object the way the docker CLI does, by version", async () => {
      const plain = await tools.run("docker inspect nope");
      const formatted = await tools.run("docker inspect -f '{{.Name}}' nope");
      tools.update((s) => (s.docker.clientVersion = "29.1.0"));
      const v29 = await tools.run("docker inspect nope");
      const restart = await tools.run("docker restart nope");
      assert.deepEqual(
        [plain, formatted.stdout, v29.stderr, restart],
        [
          { stdout: "[]\n", stderr: "Error: No such object: nope\n", exitCode: 1 },
          "",
          "error: no such object: nope\n",
          { stdout: "", stderr: "Error response from daemon: No such container: nope\n", exitCode: 1 },
        ],
      );
    });

    it("fails docker and kind the way they fail without a daemon", async () => {
      tools.setDockerRunning(false);
      const kind = await tools.run("kind get clusters");
      assert.equal(kind.exitCode, 1);
      assert.match(
        kind.stderr,
        /^ERROR: failed to list clusters: command "docker ps -a --filter label=io.x-k8s.kind.cluster .*Cannot connect to the Docker daemon/s,
      );
    });
  });

  describe("faults, parallel scripts and the clock", () => {
    it("fires injected faults on the calls whose words start with the prefix, consumed as they fire", async () => {
      tools.injectFaults({
        "docker inspect": [{ times: 1, stderr: "Error response from daemon: i/o timeout\n", exit: 1 }],
        "kind get clusters": [{ stdout: "ghost\n", exit: 0 }],
      });
      const results = await tools.run('docker inspect x; echo "=$?"; docker inspect x; echo "=$?"; kind get clusters; kind get clusters');
      assert.deepEqual(
        [results.stdout, results.stderr],
        ["=1\n[]\n=1\nghost\n", "Error response from daemon: i/o timeout\nError: No such object: x\nNo kind clusters found.\n"],
      );
      assert.deepEqual(tools.faults(), {});
      assert.deepEqual(
        tools.calls().map((c) => [c.tool, c.fault ?? false]),
        [
          ["docker", true],
          ["docker", false],
          ["kind", true],
          ["kind", false],
        ],
      );
    });

    it("keeps one consistent state when scripts run at once", async () => {
      const names = ["c1", "c2", "c3", "c4"];
      const results = await Promise.all(names.map((n) => tools.run(`kind create cluster --name ${n} --config -`, { stdin: KIND_CONFIG })));
      assert.deepEqual(
        results.map((r) => r.exitCode),
        [0, 0, 0, 0],
      );
      const state = tools.state();
      const addresses = names.map((n) => state.docker.containers[`${n}-control-plane`].networks.kind.ip).sort();
      assert.deepEqual(addresses, ["172.18.0.2", "172.18.0.3", "172.18.0.4", "172.18.0.5"]);
      assert.deepEqual([state.clock, state.calls.length], [4, 4]);
    });

    it("advances the clock by one per call and by N per `sleep N`, without waiting", async () => {
      const started = Date.now();
      await tools.run("kind version >/dev/null; sleep 30; sleep 2m; kind version >/dev/null");
      const state = tools.state();
      assert.deepEqual(
        [state.clock, state.calls.map((c) => `${c.tick} ${c.tool} ${c.args.join(" ")}`)],
        [152, ["1 kind version", "31 sleep 30", "151 sleep 2m", "152 kind version"]],
      );
      assert.ok(Date.now() - started < 20_000);
    });
  });
});
