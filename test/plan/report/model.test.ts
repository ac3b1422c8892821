// The report's decisions from component facts alone: what each run does to members, meshes, services and
// placements; how a large fleet is drawn; how a report fits a pull request comment; progress on stderr.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ComponentRecord, factsOf } from "../../../plan/report/facts";
import { COMMENT_LIMIT, escapeCell, renderReport } from "../../../plan/report/markdown";
import { pictureToMermaid } from "../../../plan/report/mermaid";
import { Element, ReportModel, reportModel } from "../../../plan/report/model";
import { Change } from "../../../plan/report/picture";
import { MEMBER_BOXES_LIMIT, topologyPicture } from "../../../plan/report/topology";
import { readPrevious } from "../../../plan/previous-state";
import { QUIET_MS, REDRAW_MS, terminalProgress } from "../../../plan/progress";
import { MemberSpec, fleetRecord, globalServiceRecord, meshRecord, placementRecord } from "./report-fixtures";
import { parseMermaid } from "../../support/mermaid";

const model = (now: ComponentRecord[], before?: ComponentRecord[]) => reportModel(factsOf(now), before && factsOf(before));
const changes = <T extends { name: string; change: Change }>(entries: readonly T[]) =>
  Object.fromEntries(entries.map((e) => [e.name, e.change]));
const counts = (m: ReportModel, element: Element) => m.counts[element];

const TWO: MemberSpec[] = [
  { name: "a", region: "east" },
  { name: "b", region: "west" },
];
const kept = (specs: readonly MemberSpec[]) => specs.map((s) => ({ ...s, change: "kept" as const }));

describe("plan report model", () => {
  const cases: Array<{
    name: string;
    now: ComponentRecord[];
    before?: ComponentRecord[];
    expected: Record<string, Record<string, Change>>;
  }> = [
    {
      name: "a first run adds everything it declares",
      now: [fleetRecord(TWO, { demo: ["a", "b"] }), meshRecord("demo", { a: "Add", b: "Add" }), globalServiceRecord("web", ["a", "b"])],
      expected: { members: { a: "added", b: "added" }, meshes: { demo: "added" }, services: { web: "added" }, placements: {} },
    },
    {
      name: "a member joining a mesh is added; the members already there are changed (written in place); the mesh and its service change",
      before: [fleetRecord(TWO, { demo: ["a", "b"] }), meshRecord("demo", { a: "Add", b: "Add" }), globalServiceRecord("web", ["a", "b"])],
      now: [
        fleetRecord([...kept(TWO), { name: "c", region: "east" }], { demo: ["a", "b", "c"] }),
        meshRecord("demo", { a: "Keep", b: "Keep", c: "Add" }),
        globalServiceRecord("web", ["a", "b", "c"]),
      ],
      expected: {
        members: { a: "changed", b: "changed", c: "added" },
        meshes: { demo: "changed" },
        services: { web: "changed" },
        placements: {},
      },
    },
    {
      name: "a member leaving is removed, and so are a service and a placement no longer declared",
      before: [
        fleetRecord([...TWO, { name: "c" }], { demo: ["a", "b", "c"] }),
        meshRecord("demo", { a: "Add", b: "Add", c: "Add" }),
        globalServiceRecord("web", ["a", "b", "c"]),
        placementRecord("apps", { added: ["a"] }),
      ],
      now: [
        fleetRecord([...kept(TWO), { name: "c", change: "removed" }], { demo: ["a", "b"] }),
        meshRecord("demo", { a: "Keep", b: "Keep", c: "Remove" }),
      ],
      expected: {
        members: { a: "changed", b: "changed", c: "removed" },
        meshes: { demo: "changed" },
        services: { web: "removed" },
        placements: { apps: "removed" },
      },
    },
    {
      name: "a run that changes nothing leaves everything unchanged, and a placement keeps its clusters",
      before: [fleetRecord(TWO), placementRecord("apps", { added: ["a"] })],
      now: [fleetRecord(kept(TWO)), placementRecord("apps", { kept: ["a"] })],
      expected: { members: { a: "unchanged", b: "unchanged" }, meshes: {}, services: {}, placements: { apps: "unchanged" } },
    },
    {
      name: "a renumbered member is changed; a placement moving to another member is changed; a mesh no longer declared is removed",
      before: [fleetRecord(TWO, { old: ["a", "b"] }), meshRecord("old", { a: "Add", b: "Add" }), placementRecord("apps", { added: ["a"] })],
      now: [
        fleetRecord([
          { ...TWO[0], change: "renumbered" },
          { ...TWO[1], change: "kept" },
        ]),
        placementRecord("apps", { added: ["b"], removed: ["a"] }),
      ],
      expected: { members: { a: "changed", b: "changed" }, meshes: { old: "removed" }, services: {}, placements: { apps: "changed" } },
    },
    {
      name: "a fleet no longer declared takes all its members with it",
      before: [fleetRecord(TWO, {}, "gone"), fleetRecord([{ name: "x" }], {}, "stays")],
      now: [fleetRecord([{ name: "x", change: "kept" }], {}, "stays")],
      expected: { members: { a: "removed", b: "removed", x: "unchanged" }, meshes: {}, services: {}, placements: {} },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const m = model(c.now, c.before);
      assert.deepEqual(
        { members: changes(m.members), meshes: changes(m.meshes), services: changes(m.services), placements: changes(m.placements) },
        c.expected,
      );
    });
  }

  it("places components of a previous state that published no fleet name in the fleet holding their members, with two fleets", () => {
    const fleets = (change?: "kept") => [
      fleetRecord([{ name: "e1", change }], {}, "east"),
      fleetRecord([{ name: "w1", change }], {}, "west"),
    ];
    const unnamed = (r: ComponentRecord): ComponentRecord => {
      const { fleetName: _gone, ...outputs } = r.outputs;
      return { ...r, outputs };
    };
    const before = [
      ...fleets(),
      unnamed(globalServiceRecord("web", ["w1"], "west")),
      unnamed(placementRecord("apps", { added: ["e1"] }, "east")),
    ];
    const now = [...fleets("kept"), globalServiceRecord("web", ["w1"], "west"), placementRecord("apps", { kept: ["e1"] }, "east")];
    const m = model(now, before);
    assert.deepEqual(
      { services: m.services.map((x) => [x.fleet, x.name, x.change]), placements: m.placements.map((x) => [x.fleet, x.name, x.change]) },
      { services: [["west", "web", "unchanged"]], placements: [["east", "apps", "unchanged"]] },
    );
  });

  it("gives every box its own id, even when names differ only in characters ids cannot hold", () => {
    const picture = topologyPicture(model([fleetRecord([{ name: "a-b" }, { name: "a-b-2" }, { name: "a_b" }])]));
    const ids = picture.nodes.map((n) => n.id);
    assert.deepEqual({ ids: ids.length, distinct: new Set(ids).size }, { ids: 3, distinct: 3 });
  });

  it("draws a multi-cluster service's ingress member even when it only forwards (exports nothing)", () => {
    const mcs: ComponentRecord = {
      type: "fleetmesh:index:MultiClusterService",
      name: "entry",
      outputs: { servingMembers: ["a"], ingressMember: "b", fleetName: "fleet", namespace: "demo" },
    };
    const picture = topologyPicture(model([fleetRecord(TWO), mcs]));
    assert.deepEqual(
      picture.edges.map((e) => [e.to, e.label]),
      [
        ["member_fleet_a", ""],
        ["member_fleet_b", "ingress"],
      ],
    );
  });

  it("keeps names and warnings from rendering as links, images, mentions or new lines in the report", () => {
    assert.equal(escapeCell("![x](https://e/x) @org/team a|b\rc <b>"), "!&#91;x&#93;(https://e/x) &#64;org/team a\\|b c &lt;b&gt;");
  });

  it("counts each element's changes for the summary line", () => {
    const m = model(cases[2].now, cases[2].before);
    assert.deepEqual(
      { members: counts(m, "members"), services: counts(m, "services") },
      {
        members: { added: 0, changed: 2, removed: 1, unchanged: 0 },
        services: { added: 0, changed: 0, removed: 1, unchanged: 0 },
      },
    );
  });
});

/** A fleet of `n` members in one mesh over two regions, with one service on all of them. */
function bigFleet(n: number, services = 1): ComponentRecord[] {
  const members = Array.from({ length: n }, (_, i) => ({ name: `member-${i + 1}`, region: i % 2 ? "west" : "east" }));
  const names = members.map((m) => m.name);
  return [
    fleetRecord(members, { all: names }),
    meshRecord("all", Object.fromEntries(names.map((m) => [m, "Add" as const]))),
    ...Array.from({ length: services }, (_, i) => globalServiceRecord(`service-${i + 1}`, names)),
  ];
}

describe("plan report at fleet scale", function () {
  this.timeout(120_000);

  it(`draws each member up to ${MEMBER_BOXES_LIMIT} members, and above that one counted box per mesh and site`, () => {
    const kinds = (n: number) => [...new Set(topologyPicture(model(bigFleet(n))).nodes.map((node) => node.kind))].sort();
    assert.deepEqual(
      [kinds(MEMBER_BOXES_LIMIT), kinds(MEMBER_BOXES_LIMIT + 1)],
      [
        ["member", "service"],
        ["members", "service"],
      ],
    );
    const picture = topologyPicture(model(bigFleet(255)));
    assert.deepEqual(
      { counted: picture.nodes.filter((n) => n.kind === "members").map((n) => n.label), edges: picture.edges.map((e) => e.label) },
      { counted: ["128 members (128 added)", "127 members (127 added)"], edges: ["128 members", "127 members"] },
    );
  });

  it("folds details of a 255-member fleet and stays inside one pull request comment, with a picture Mermaid parses", async () => {
    const m = model(bigFleet(255));
    const mermaid = pictureToMermaid(topologyPicture(m));
    const { report, full } = renderReport({ program: "p", model: m, mermaid, edges: 0, svgFile: "PLAN.svg", warnings: [] }, "PLAN.full.md");
    assert.deepEqual(
      { fits: report.length <= COMMENT_LIMIT, full, folded: report.match(/<details>/g)?.length, open: report.includes("<details open>") },
      { fits: true, full: undefined, folded: 2, open: false },
    );
    const [parsed] = await parseMermaid([mermaid]);
    assert.deepEqual({ ok: parsed.ok, error: parsed.error }, { ok: true, error: undefined });
  });

  it("points at the SVG instead of a picture Mermaid would refuse to draw (too many edges)", () => {
    const m = model(bigFleet(2, 260));
    const picture = topologyPicture(m);
    const { report } = renderReport(
      { program: "p", model: m, mermaid: pictureToMermaid(picture), edges: picture.edges.length, svgFile: "PLAN.svg", warnings: [] },
      "PLAN.full.md",
    );
    assert.deepEqual(
      { edges: picture.edges.length, mermaid: report.includes("```mermaid"), pointer: report.includes("see [PLAN.svg](PLAN.svg)") },
      { edges: 520, mermaid: false, pointer: true },
    );
  });

  it("moves the details of a report longer than a comment to the whole report beside it, and says where", () => {
    const m = model(bigFleet(511, 60));
    const mermaid = pictureToMermaid(topologyPicture(m));
    const { report, full } = renderReport({ program: "p", model: m, mermaid, edges: 0, svgFile: "PLAN.svg", warnings: [] }, "PLAN.full.md");
    assert.ok(full !== undefined && full.length > COMMENT_LIMIT, "the whole report is longer than a comment");
    assert.deepEqual(
      {
        fits: report.length <= COMMENT_LIMIT,
        pointer: report.includes(`The whole report (${full.length} characters`),
        picture: report.includes("```mermaid"),
      },
      { fits: true, pointer: true, picture: true },
    );
    assert.ok(full.startsWith(report.slice(0, report.indexOf("### Details"))), "the short report is the whole report's beginning");
  });
});

describe("plan report: previous runs", () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-previous-"));

  it("reads the components' recorded outputs from `pulumi stack export`, named by their URNs", () => {
    const file = path.join(tmp(), "export.json");
    const urn = (type: string, name: string) => `urn:pulumi:dev::proj::${type}::${name}`;
    const exported = {
      version: 3,
      deployment: {
        resources: [
          { urn: urn("pulumi:pulumi:Stack", "proj-dev"), type: "pulumi:pulumi:Stack", outputs: { x: 1 } },
          { urn: urn("fleetmesh:index:Fleet", "f"), type: "fleetmesh:index:Fleet", outputs: { meshMembers: {} } },
          {
            urn: urn("fleetmesh:index:Fleet$fleetmesh:index:ClusterMesh", "f-demo"),
            type: "fleetmesh:index:ClusterMesh",
            outputs: { meshName: "demo" },
          },
          {
            urn: urn("fleetmesh:index:Fleet$tls:index/privateKey:PrivateKey", "f-ca"),
            type: "tls:index/privateKey:PrivateKey",
            outputs: {},
          },
        ],
      },
    };
    fs.writeFileSync(file, JSON.stringify(exported));
    assert.deepEqual(readPrevious(file), {
      outputs: { x: 1 },
      components: [
        { type: "fleetmesh:index:Fleet", name: "f", outputs: { meshMembers: {} } },
        { type: "fleetmesh:index:ClusterMesh", name: "f-demo", outputs: { meshName: "demo" } },
      ],
    });
  });

  it("reads a plan's state.json with its components, and one written before plans recorded them", () => {
    const dir = tmp();
    const components = [{ type: "fleetmesh:index:Fleet", name: "f", outputs: {} }];
    fs.writeFileSync(path.join(dir, "new.json"), JSON.stringify({ outputs: { a: 1 }, components }));
    fs.writeFileSync(path.join(dir, "old.json"), JSON.stringify({ outputs: { a: 1 } }));
    assert.deepEqual(
      [readPrevious(path.join(dir, "new.json")), readPrevious(path.join(dir, "old.json"))],
      [
        { outputs: { a: 1 }, components },
        { outputs: { a: 1 }, components: [] },
      ],
    );
  });
});

describe("plan progress on stderr", () => {
  function stream(isTTY: boolean) {
    const written: string[] = [];
    return { isTTY, written, write: (text: string) => void written.push(text) };
  }

  it("shows nothing off a terminal", () => {
    assert.equal(terminalProgress(stream(false)), undefined);
  });

  it("on a terminal, stays quiet for a short plan, then redraws one line at most every few hundred milliseconds, and clears it when done", () => {
    let now = 0;
    const tty = stream(true);
    const progress = terminalProgress(tty, () => now)!;
    const at = (ms: number, text: string) => {
      now = ms;
      progress.update(text);
    };
    at(QUIET_MS - 1, "early");
    at(QUIET_MS, "first");
    at(QUIET_MS + REDRAW_MS - 1, "too soon");
    at(QUIET_MS + REDRAW_MS, "second");
    progress.done();
    assert.deepEqual(tty.written, ["\r\x1b[Kfirst", "\r\x1b[Ksecond", "\r\x1b[K"]);
  });

  it("on a terminal, a plan that ends before anything was shown clears nothing", () => {
    const tty = stream(true);
    const progress = terminalProgress(tty, () => 0)!;
    progress.update("early");
    progress.done();
    assert.deepEqual(tty.written, []);
  });
});
