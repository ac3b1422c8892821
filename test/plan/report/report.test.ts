// `fleetmesh plan --report`: whole reports of the example programs and of a join, checked against
// committed expectations; the kind example's SVG from the real Graphviz; every Mermaid picture read by
// Mermaid's own parser; no key material anywhere in what a report writes.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs, plan } from "../../../plan/cli";
import { ProgramError, resetRootStack, runProgram } from "../../../plan/run-program";
import { FAKE_CA_KEY } from "../../../plan/fake-cloud";
import { writeReport } from "../../../plan/report/write-report";
import { parseMermaid } from "../../support/mermaid";

const ROOT = path.resolve(__dirname, "../../..");
const EXPECTED = path.join(__dirname, "expected");
/** `UPDATE_EXPECTED=1 npx mocha test/plan/report/report.test.ts` rewrites the expectations (review the diff). */
const UPDATE = process.env.UPDATE_EXPECTED === "1";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-report-"));
/** The program as a reader would give it: relative to the repository root. */
const program = (name: string) => path.relative(process.cwd(), path.join(ROOT, "programs", name)) || ".";

function expectFile(name: string, actual: string): void {
  const file = path.join(EXPECTED, name);
  if (UPDATE) fs.writeFileSync(file, actual);
  assert.equal(actual, fs.readFileSync(file, "utf8"), `${name} differs from its committed expectation (UPDATE_EXPECTED=1 rewrites it)`);
}

/** The Mermaid block of a report. */
function mermaidOf(report: string): string {
  const found = /```mermaid\n([\s\S]*?)```/.exec(report);
  assert.ok(found, "the report has a Mermaid picture");
  return found[1];
}

interface Planned {
  report: string;
  svg: string;
  out: string;
}

async function planWithReport(
  name: string,
  extra: { previous?: string; config?: Record<string, string>; out?: string } = {},
): Promise<Planned> {
  const dir = tmp();
  const out = extra.out ?? path.join(dir, "out");
  const report = path.join(dir, "PLAN.md");
  await plan(
    {
      program: program(name),
      out,
      report,
      ...(extra.previous && { previous: extra.previous }),
      ...(extra.config && { config: extra.config }),
    },
    () => undefined,
    undefined,
  );
  const text = fs.readFileSync(report, "utf8").split(dir).join("<tmp>");
  return { report: text, svg: fs.readFileSync(path.join(dir, "PLAN.svg"), "utf8"), out };
}

describe("fleetmesh plan --report", function () {
  this.timeout(300_000);
  after(resetRootStack);

  const examples = [
    { name: "kind-mesh", sentence: "the kind example: two kind members in one Cilium mesh, a global and a multi-cluster service" },
    {
      name: "aks-fleet",
      sentence: "the AKS example: three members in regions, an Azure Fleet mesh, a multi-cluster service and a hub placement",
    },
    { name: "placement", sentence: "the placement example: four members outside any mesh and three placements" },
  ];
  const reports: Record<string, string> = {};
  for (const example of examples) {
    it(`reports ${example.sentence}, as its committed expectation`, async () => {
      const planned = await planWithReport(example.name);
      reports[example.name] = planned.report;
      expectFile(`${example.name}.md`, planned.report);
      if (example.name === "kind-mesh") expectFile("kind-mesh.svg", planned.svg);
    });
  }

  it("reports a member joining the kind mesh against the previous plan's state: the new member added, the existing ones touched in place", async () => {
    const first = await planWithReport("kind-mesh");
    const joined = await planWithReport("kind-mesh", { previous: path.join(first.out, "state.json"), config: { members: "3" } });
    reports["kind-mesh-join"] = joined.report;
    expectFile("kind-mesh-join.md", joined.report.replace(/<code>[^<]*state\.json<\/code>/, "<code>previous/state.json</code>"));
  });

  it("shows in the README the join's summary, picture and touched members exactly as its report has them", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const join = fs.readFileSync(path.join(EXPECTED, "kind-mesh-join.md"), "utf8");
    const excerpt = [
      join.split("\n").find((l) => l.startsWith("**"))!,
      `\`\`\`mermaid\n${mermaidOf(join)}\`\`\``,
      join.split("\n").find((l) => l.startsWith("- mesh"))!,
    ];
    assert.deepEqual(
      excerpt.map((part) => readme.includes(part)),
      excerpt.map(() => true),
    );
  });

  it("gives Mermaid's own parser pictures it accepts, one subgraph per mesh and site, for every report above", async () => {
    const names = Object.keys(reports).sort();
    assert.deepEqual(names, ["aks-fleet", "kind-mesh", "kind-mesh-join", "placement"], "the reports above ran first");
    const parsed = await parseMermaid(names.map((n) => mermaidOf(reports[n])));
    assert.deepEqual(
      parsed.map((p, i) => ({ name: names[i], ok: p.ok, error: p.error })),
      names.map((name) => ({ name, ok: true, error: undefined })),
    );
    const kind = parsed[names.indexOf("kind-mesh")];
    assert.deepEqual(
      kind.subgraphs.map((s) => [s.label, [...s.nodes].sort()]),
      [
        ["+ kind · east", ["n_member_kind_mesh_cluster1"]],
        ["+ kind · west", ["n_member_kind_mesh_cluster2"]],
        ["+ mesh demo (cilium)", ["g_site_kind_mesh_demo_kind_east", "g_site_kind_mesh_demo_kind_west"]],
      ],
    );
  });

  it("writes no key material: none of the program's secrets, no PEM block, no redaction marker, in the report, its SVG or state-independent files", async () => {
    const run = await runProgram(path.join(ROOT, "programs", "kind-mesh"), { raw: true });
    const secrets = new Set<string>([FAKE_CA_KEY]);
    const collect = (value: unknown, secret: boolean): void => {
      if (typeof value === "string" && secret && value.length >= 24) secrets.add(value);
      else if (Array.isArray(value)) value.forEach((v) => collect(v, secret));
      else if (value !== null && typeof value === "object") {
        const wrapped = (value as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270";
        for (const v of Object.values(value)) collect(v, secret || wrapped);
      }
    };
    for (const r of run.resources) collect(r.rawInputs, false);
    assert.ok(secrets.size > 1, "the program has secrets to leak");
    const dir = tmp();
    const written = await writeReport(run, path.join(dir, "PLAN.md"), { program: "programs/kind-mesh" });
    for (const file of written) {
      const text = fs.readFileSync(file, "utf8");
      const leaked = [...secrets].filter((s) => text.includes(s) || text.includes(s.split("\n")[1] ?? s));
      assert.deepEqual(
        { file: path.basename(file), leaked, pem: /-----BEGIN/.test(text), marker: text.includes("[secret]") },
        { file: path.basename(file), leaked: [], pem: false, marker: false },
      );
    }
  });

  it("tells its progress what it is doing, and clears the progress line before anything is printed and at the end", async () => {
    const dir = tmp();
    const events: string[] = [];
    const progress = {
      update: (text: string) => void events.push(`update ${text.replace(dir, "<tmp>").replace(/\d+/g, "N")}`),
      done: () => void events.push("done"),
    };
    await plan(
      { program: program("kind-mesh"), out: path.join(dir, "out"), report: path.join(dir, "PLAN.md") },
      () => void events.push("print"),
      progress,
    );
    const printedAfterDone = events.every((e, i) => e !== "print" || events[i - 1] === "done");
    const updates = [...new Set(events.filter((e) => e.startsWith("update")))];
    assert.deepEqual(
      { printedAfterDone, last: events[events.length - 1], updates },
      {
        printedAfterDone: true,
        last: "done",
        updates: [
          "update planning: N resources registered",
          "update writing the manifests of N resources",
          "update writing the report <tmp>/PLAN.md",
        ],
      },
    );
  });

  it("takes --report <file> on the command line, and refuses --report without a file", () => {
    assert.deepEqual(parseArgs(["plan", "programs/kind-mesh", "--report", "PLAN.md"]).report, "PLAN.md");
    assert.throws(
      () => parseArgs(["plan", "programs/kind-mesh", "--report"]),
      (e: Error) => e instanceof ProgramError && e.message.startsWith("--report needs a value"),
    );
  });

  it("reports the kind example at 255 members: counted boxes per mesh and region, folded details, inside one comment", async () => {
    const planned = await planWithReport("kind-mesh", { config: { members: "255" } });
    const [parsed] = await parseMermaid([mermaidOf(planned.report)]);
    assert.deepEqual(
      {
        ok: parsed.ok,
        boxes: parsed.vertices.map((v) => v.label).sort(),
        fits: planned.report.length <= 65_536,
        folded: planned.report.match(/<details>/g)?.length,
        whole: fs.existsSync(path.join(path.dirname(planned.out), "PLAN.full.md")),
      },
      {
        ok: true,
        boxes: [
          "+ 127 members (127 added)",
          "+ 128 members (128 added)",
          "+ GlobalService rebel-base",
          "+ MultiClusterService x-wing-entry",
        ],
        fits: true,
        folded: 2,
        whole: false,
      },
    );
  });

  it("refuses to write a report that would show key material, naming the file", async () => {
    const run = await runProgram(path.join(ROOT, "programs", "kind-mesh"));
    const leaking = { ...run, logs: [...run.logs, { severity: "warn" as const, message: `a warning quoting ${FAKE_CA_KEY}` }] };
    const file = path.join(tmp(), "PLAN.md");
    await assert.rejects(
      writeReport(leaking, file, { program: "p" }),
      (e: Error) => e instanceof ProgramError && e.message === `--report ${file}: the report would show key material; refusing to write it`,
    );
    assert.equal(fs.existsSync(file), false);
  });
});
