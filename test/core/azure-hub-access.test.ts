// The wait for a new Fleet hub role to take effect (components/core/azure/hub-access.ts), run as the
// Command runs it, against a stand-in kubectl that answers `auth can-i` "no" while the grant has not
// reached the hub and "yes" after, and the fake `sleep` on the logical clock (no real waiting).
import { strict as assert } from "assert";
import { execSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FakeTools } from "../support/fake-tools";
import { runCommandOperation } from "../support/fake-tools/run-command";
import { HUB_KUBECONFIG_ENV, HUB_WAIT_ATTEMPTS_ENV, hubAccessWaitScript, hubWaitAttempts } from "../../components/core/azure/hub-access";

const KUBECONFIG = "apiVersion: v1\nkind: Config\n# the converted hub kubeconfig\n";

/**
 * A kubectl that says "no" to `auth can-i` for its first `denials` calls, then "yes"; it records its
 * arguments, and the mode and text of the --kubeconfig file it was handed.
 */
function standInKubectl(dir: string, denials: number): void {
  fs.writeFileSync(
    path.join(dir, "kubectl"),
    `#!/bin/sh
n=$(cat "${dir}/count" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "${dir}/count"
config=""; prev=""
for arg in "$@"; do [ "$prev" = "--kubeconfig" ] && config=$arg; prev=$arg; done
echo "$*" >> "${dir}/calls"
ls -l "$config" | cut -c1-10 >> "${dir}/modes"
cat "$config" > "${dir}/seen"
echo "$config" > "${dir}/path"
if [ "$n" -le ${denials} ]; then echo no; exit 1; fi
echo yes
`,
    { mode: 0o755 },
  );
}

describe("hubAccessWaitScript: asking the hub until the new role takes effect", function () {
  this.timeout(60_000);
  let tools: FakeTools;
  let dir: string;
  beforeEach(() => {
    tools = FakeTools.create();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-kubectl-"));
  });
  afterEach(() => {
    tools.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const wait = (attempts: number, pathPrefix = dir) =>
    runCommandOperation(
      "create",
      {
        inputs: {
          // The Command's own script, with the stand-in kubectl first on PATH.
          create: `PATH=${pathPrefix}:$PATH\n${hubAccessWaitScript()}`,
          environment: { [HUB_KUBECONFIG_ENV]: KUBECONFIG, [HUB_WAIT_ATTEMPTS_ENV]: String(attempts) },
        },
      },
      { env: tools.env() },
    );
  const lines = (file: string) => fs.readFileSync(path.join(dir, file), "utf8").trim().split("\n");

  it("succeeds once the hub says yes, asking through a private copy of the kubeconfig that is removed afterwards", async () => {
    standInKubectl(dir, 2);
    const run = await wait(hubWaitAttempts(600));
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(
      {
        calls: lines("calls").map((c) => c.replace(/--kubeconfig \S+/, "--kubeconfig FILE")),
        modes: lines("modes"),
        seen: fs.readFileSync(path.join(dir, "seen"), "utf8"),
        removed: !fs.existsSync(lines("path")[0]),
        sleeps: tools.calls("sleep").map((c) => c.args.join(" ")),
      },
      {
        calls: Array(3).fill("auth can-i create clusterresourceplacements.placement.kubernetes-fleet.io --kubeconfig FILE"),
        modes: ["-rw-------", "-rw-------", "-rw-------"],
        seen: KUBECONFIG,
        removed: true,
        sleeps: ["10", "10"],
      },
    );
  });

  it("gives up after its attempts with the hub's last answer, never waiting on", async () => {
    standInKubectl(dir, 1000);
    const run = await wait(4);
    assert.deepEqual([run.exitCode, lines("calls").length, tools.calls("sleep").length], [1, 4, 3]);
    assert.match(
      run.stderr,
      /^no\nfleetmesh: the Fleet hub still refuses to let this identity create ClusterResourcePlacements after 4 checks 10s apart/,
    );
  });

  it("fails at once when kubectl is not installed", async () => {
    // A PATH with what the script needs besides kubectl.
    for (const tool of ["mktemp", "chmod", "rm"]) {
      fs.symlinkSync(execSync(`command -v ${tool}`, { shell: "/bin/sh" }).toString().trim(), path.join(dir, tool));
    }
    fs.symlinkSync(path.join(tools.binDir, "sleep"), path.join(dir, "sleep"));
    const run = await runCommandOperation(
      "create",
      { inputs: { create: `PATH=${dir}\n${hubAccessWaitScript()}`, environment: { [HUB_KUBECONFIG_ENV]: KUBECONFIG } } },
      { env: tools.env() },
    );
    assert.deepEqual(
      [run.exitCode, /kubectl is needed to check access to the Fleet hub/.test(run.stderr), tools.calls("sleep").length],
      [127, true, 0],
    );
  });

  it("asks as many times as fit in the wait, ten seconds apart", () => {
    assert.deepEqual([600, 120, 15, 1].map(hubWaitAttempts), [60, 12, 2, 1]);
  });
});
