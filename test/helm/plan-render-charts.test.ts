import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PlanOptions, parseArgs, plan } from "../../plan/cli";
import { ProgramError, resetRootStack } from "../../plan/run-program";
import { helmBinary } from "../support/helm";
import { expectedView } from "./expected-view";
import { CHARTS_DIR, K8sObject, chartFile, parseRender } from "./helm-template";
import { meshFormProblems } from "./mesh-check";
import { MemberRun, meshProblems, meshView } from "./mesh-view";
import { PROGRAMS_DIR, fleetFacts, kindExposure } from "./planned-values";
import { workDir } from "./scenarios";

// `fleetmesh plan --render-charts`: the rendered chart beside each member's values, from a local Helm
// (the cached one of test/support/helm.ts) and the vendored charts. With the peer objects the plan
// writes beside them, that is what each member's Cilium runs with.

const KIND_MESH = path.join(PROGRAMS_DIR, "kind-mesh");
const VERSION = "1.20.0";
const MEMBERS = ["cluster1", "cluster2"];
const quiet = () => undefined;

describe("fleetmesh plan --render-charts", function () {
  this.timeout(300_000);
  const dirs: string[] = [];
  const tmp = () => {
    dirs.push(workDir());
    return dirs[dirs.length - 1];
  };
  let helm: string;
  const planWith = (out: string, chart: string, helmPath = helm) =>
    plan(
      { program: KIND_MESH, out, config: { ciliumVersion: VERSION }, renderCharts: { helm: helmPath, chart } } satisfies PlanOptions,
      quiet,
    );
  const rendered = (out: string, member: string) => fs.readFileSync(path.join(out, `kind-mesh-${member}`, "cilium-rendered.yaml"), "utf8");
  /** The objects the plan writes for a member that fleetmesh marks as its own (the peer objects, here). */
  const fleetmeshObjects = (out: string, member: string) => {
    const dir = path.join(out, `kind-mesh-${member}`);
    return fs
      .readdirSync(dir)
      .filter((file) => file.startsWith("secret-") || file.startsWith("configmap-"))
      .map((file) => parse(fs.readFileSync(path.join(dir, file), "utf8")) as K8sObject & { metadata: { labels?: Record<string, string> } })
      .filter((obj) => obj.metadata.labels?.["app.kubernetes.io/managed-by"] === "fleetmesh");
  };

  before(async () => {
    helm = (await helmBinary()).path;
  });
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    resetRootStack();
  });

  it("writes each member's rendered chart beside its values and peer objects: the planned mesh, the CA key redacted, byte-identical when planned twice", async () => {
    const [out, again] = [tmp(), tmp()];
    await planWith(out, CHARTS_DIR);
    await planWith(again, chartFile(VERSION));
    const state = JSON.parse(fs.readFileSync(path.join(out, "state.json"), "utf8")).outputs.kindMeshFleetState;
    const facts = fleetFacts(state, kindExposure("kind-mesh", MEMBERS));
    const runs: Record<string, MemberRun> = {};
    for (const member of MEMBERS) {
      const text = rendered(out, member);
      const { objects, duplicateKeys } = parseRender(text);
      const values = parse(fs.readFileSync(path.join(out, `kind-mesh-${member}`, "helm-cilium-values.yaml"), "utf8"));
      const ca = objects.find((o) => o.kind === "Secret" && o.metadata.name === "cilium-ca") as { data?: unknown } | undefined;
      runs[member] = { version: VERSION, render: objects, peerObjects: fleetmeshObjects(out, member) };
      assert.deepEqual(
        [text.split("\n")[0], duplicateKeys, ca?.data, runs[member].peerObjects.map((o) => `${o.kind} ${o.metadata.name}`).sort()],
        [
          `# helm template cilium cilium-${VERSION}.tgz --namespace kube-system -f helm-cilium-values.yaml`,
          [],
          { "ca.crt": values.tls.ca.cert, "ca.key": "[secret]" },
          ["ConfigMap clustermesh-remote-users", "Secret cilium-clustermesh", "Secret cilium-kvstoremesh"],
        ],
      );
      assert.deepEqual(meshProblems(meshView(runs[member]), expectedView(facts, member, VERSION)), [], member);
      assert.equal(rendered(again, member), text);
    }
    assert.deepEqual(meshFormProblems(runs), []);
  });

  const refusals: Array<[string, () => string, () => string, RegExp]> = [
    [
      "a Helm that is not there",
      () => CHARTS_DIR,
      () => path.join(tmp(), "helm"),
      /--helm .*: cannot run Helm \(not found\); install Helm or pass --helm/,
    ],
    ["a chart path that is not there", () => path.join(tmp(), "cilium.tgz"), () => helm, /--chart .*cilium\.tgz: no such file or folder/],
    [
      "a folder without the pinned chart version",
      () => tmp(),
      () => helm,
      /no cilium-1\.20\.0\.tgz in that folder \(the plan pins chart cilium 1\.20\.0\)/,
    ],
    [
      "a chart of another version than the plan pins",
      () => chartFile("1.18.12"),
      () => helm,
      /cilium-1\.18\.12\.tgz: is chart cilium 1\.18\.12, but the plan pins cilium 1\.20\.0/,
    ],
  ];
  for (const [sentence, chart, helmPath, message] of refusals) {
    it(`refuses ${sentence}, with a clear error and nothing written`, async () => {
      const out = tmp();
      await assert.rejects(planWith(out, chart(), helmPath()), (e: unknown) => e instanceof ProgramError && message.test(e.message));
      assert.deepEqual(fs.readdirSync(out), []);
    });
  }

  const commandLines: Array<[string, string[], PlanOptions["renderCharts"] | RegExp]> = [
    [
      "takes --render-charts with --chart, Helm from PATH by default",
      ["--render-charts", "--chart", "c.tgz"],
      { helm: "helm", chart: "c.tgz" },
    ],
    ["takes --helm", ["--render-charts", "--chart", "charts", "--helm", "/opt/helm"], { helm: "/opt/helm", chart: "charts" }],
    [
      "refuses --render-charts without --chart",
      ["--render-charts"],
      /--render-charts needs --chart: the plan renders a local chart and never downloads one/,
    ],
    ["refuses --chart without --render-charts", ["--chart", "c.tgz"], /--helm and --chart only apply with --render-charts/],
  ];
  for (const [sentence, args, expected] of commandLines) {
    it(`${sentence}`, () => {
      const argv = ["plan", "programs/kind-mesh", ...args];
      if (expected instanceof RegExp) assert.throws(() => parseArgs(argv), expected);
      else assert.deepEqual(parseArgs(argv).renderCharts, expected);
    });
  }
});
