// The two drawings of the report's topology picture agree with the picture: the Mermaid text as Mermaid's
// own parser reads it, and the SVG as real Graphviz draws it from the DOT text.
import { strict as assert } from "assert";
import fc from "fast-check";
import { JSDOM } from "jsdom";
import { pictureToDot } from "../../../plan/report/dot";
import { pictureToMermaid } from "../../../plan/report/mermaid";
import { PALETTE, drawnLabel, drawnText } from "../../../plan/report/palette";
import { CHANGES, Change, Picture, PictureGroup } from "../../../plan/report/picture";
import { renderSvg } from "../../../plan/report/svg";
import { MermaidParser, ParsedEdge, ParsedMermaid } from "../../support/mermaid";
import {
  EMPTY_GROUPS,
  EMPTY_PICTURE,
  EVERY_CHANGE,
  LARGE_FLEET,
  NASTY_LABELS,
  NESTED_GROUPS,
  TWO_MEMBER_MESH,
  edge,
  node,
  pictureArbitrary,
} from "./picture-fixtures";

/**
 * What a drawing says, in one shape for the model and both drawings. Where a drawing shows something the
 * model has no word for (an unknown shape or colour), the field holds a description of it instead, so the
 * comparison fails and says what was drawn.
 */
interface Structure {
  groups: { id: string; label: string; parent: string | null; change: string }[];
  nodes: { id: string; label: string; kind: string; group: string | null; change: string }[];
  edges: { from: string; to: string; label: string; change: string }[];
}

const FIXTURES: readonly { name: string; picture: Picture }[] = [
  { name: "a small two-member mesh", picture: TWO_MEMBER_MESH },
  { name: "meshes holding sites holding members, with members, services and placements outside any mesh", picture: NESTED_GROUPS },
  { name: "every change on every kind of node, on nested groups and on edges", picture: EVERY_CHANGE },
  { name: "labels full of quotes, markup, entity codes, Markdown, brackets, line breaks and unicode", picture: NASTY_LABELS },
  { name: "an empty picture", picture: EMPTY_PICTURE },
  { name: "groups with nothing inside and labels with nothing in them", picture: EMPTY_GROUPS },
  { name: "a large fleet drawn as counted members", picture: LARGE_FLEET },
];

describe("the report picture drawn as Mermaid text and as Graphviz SVG", () => {
  let mermaid: MermaidParser;
  before(() => (mermaid = new MermaidParser()));
  after(() => mermaid.close());

  describe("Mermaid's own parser reads back the picture", () => {
    for (const { name, picture } of FIXTURES) {
      it(`for ${name}`, async () => {
        const [parsed] = await mermaid.parse([pictureToMermaid(picture)]);
        assertParsed(parsed);
        assert.deepEqual(fromMermaid(parsed), fromModel(picture));
      });
    }
  });

  describe("Graphviz draws the picture", () => {
    for (const { name, picture } of FIXTURES) {
      it(`for ${name}`, async () => {
        assert.deepEqual(fromSvg(await renderSvg(pictureToDot(picture))), fromModel(picture));
      });
    }
  });

  it("gives Mermaid's classes the palette's colours, for the changes in use only", async () => {
    const cases = [EVERY_CHANGE, TWO_MEMBER_MESH, EMPTY_PICTURE, EMPTY_GROUPS];
    const parsed = await mermaid.parse(cases.map(pictureToMermaid));
    assert.deepEqual(
      parsed.map((diagram) => diagram.classes.map(({ id, styles }) => ({ id, ...declarations(styles) }))),
      cases.map((picture) => changesOfBoxesAndGroups(picture).map((change) => ({ id: change, ...expectedClassLook(change) }))),
    );
  });

  it("writes a small mesh as this Mermaid text", () => {
    assert.equal(
      pictureToMermaid(TWO_MEMBER_MESH),
      [
        "flowchart LR",
        '  subgraph g_mesh["mesh"]',
        '    n_east["east"]',
        '    n_west["west"]',
        "  end",
        '  n_east -->|"clustermesh"| n_west',
        "  classDef unchanged fill:#ffffff,stroke:#57606a,color:#1f2328",
        "  class g_mesh,n_east,n_west unchanged",
        "  linkStyle 0 stroke:#57606a,color:#1f2328",
        "",
      ].join("\n"),
    );
  });

  it("writes a small mesh as this DOT text", () => {
    const look = 'style="filled", fillcolor="#ffffff", color="#57606a", fontcolor="#1f2328"';
    assert.equal(
      pictureToDot(TWO_MEMBER_MESH),
      [
        "digraph fleet {",
        "  rankdir=LR;",
        '  graph [fontname="Helvetica,Arial,sans-serif", fontsize=12];',
        '  node [fontname="Helvetica,Arial,sans-serif", fontsize=12];',
        '  edge [fontname="Helvetica,Arial,sans-serif", fontsize=10];',
        '  subgraph "cluster_mesh" {',
        '    label="mesh";',
        '    style="filled";',
        '    fillcolor="#ffffff";',
        '    color="#57606a";',
        '    fontcolor="#1f2328";',
        `    "east" [label="east", shape=box, ${look}];`,
        `    "west" [label="west", shape=box, ${look}];`,
        "  }",
        '  "east" -> "west" [label="clustermesh", color="#57606a", fontcolor="#1f2328"];',
        "}",
        "",
      ].join("\n"),
    );
  });

  it("draws the same picture to the same text and the same SVG every time, without trailing spaces", async () => {
    for (const picture of [NASTY_LABELS, LARGE_FLEET]) {
      const again = structuredClone(picture);
      assert.equal(pictureToMermaid(again), pictureToMermaid(picture));
      assert.equal(pictureToDot(again), pictureToDot(picture));
      assert.equal(await renderSvg(pictureToDot(again)), await renderSvg(pictureToDot(picture)));
      assert.deepEqual(linesEndingInSpace(pictureToMermaid(picture) + pictureToDot(picture)), []);
    }
  });

  it("leaves the Graphviz version out of the SVG", async () => {
    assert.equal((await renderSvg(pictureToDot(TWO_MEMBER_MESH))).includes("Generated by graphviz"), false);
  });

  describe("shows a label as one line of text", () => {
    const cases: { name: string; label: string; change: Change; shown: string }[] = [
      { name: "with the change mark first", label: "east", change: "added", shown: "+ east" },
      { name: "without a mark when unchanged", label: "east", change: "unchanged", shown: "east" },
      { name: "with line breaks, tabs and runs of spaces as one space", label: " a \n\tb  c\r\n", change: "changed", shown: "~ a b c" },
      { name: "with control characters as spaces", label: "a\u0000b\u0007", change: "unchanged", shown: "a b" },
      { name: "with a lone surrogate and U+FFFF replaced", label: "a\ud800b\uffff", change: "unchanged", shown: "a\ufffdb\ufffd" },
      { name: "keeping emoji, unicode and markup as they are", label: "😀 é–→ <b>&", change: "removed", shown: "- 😀 é–→ <b>&" },
      { name: "as the bare mark when the label is empty", label: "", change: "removed", shown: "-" },
    ];
    for (const { name, label, change, shown } of cases) {
      it(name, () => assert.equal(drawnLabel(label, change), shown));
    }
  });

  it("refuses a picture whose edges or groups name nodes it does not have", () => {
    const strays: Picture[] = [
      { groups: [], nodes: [node("a")], edges: [edge("a", "ghost")] },
      { groups: [{ id: "g", label: "g", kind: "mesh", change: "unchanged", nodes: ["ghost"], groups: [] }], nodes: [], edges: [] },
    ];
    for (const picture of strays) {
      assert.throws(() => pictureToMermaid(picture), /node "ghost"/);
      assert.throws(() => pictureToDot(picture), /node "ghost"/);
    }
  });

  it("agrees with any generated picture in both drawings", async () => {
    await fc.assert(
      fc.asyncProperty(pictureArbitrary, async (picture) => {
        const expected = fromModel(picture);
        const [parsed] = await mermaid.parse([pictureToMermaid(picture)]);
        assertParsed(parsed);
        assert.deepEqual(fromMermaid(parsed), expected);
        assert.deepEqual(fromSvg(await renderSvg(pictureToDot(picture))), expected);
      }),
      // PICTURE_RUNS=3000 searches harder (about a minute); 40 keeps the file within a few seconds.
      { numRuns: Number(process.env.PICTURE_RUNS ?? 40), timeout: 10_000 },
    );
  });
});

// The model's side.

function fromModel(picture: Picture): Structure {
  const groups: Structure["groups"] = [];
  const homes = new Map<string, string>();
  const visit = (group: PictureGroup, parent: string | null): void => {
    groups.push({ id: group.id, label: drawnLabel(group.label, group.change), parent, change: group.change });
    for (const id of group.nodes) homes.set(id, group.id);
    for (const inner of group.groups) visit(inner, group.id);
  };
  for (const group of picture.groups) visit(group, null);
  return sortedStructure({
    groups,
    nodes: picture.nodes.map((n) => ({
      id: n.id,
      label: drawnLabel(n.label, n.change),
      kind: n.kind,
      group: homes.get(n.id) ?? null,
      change: n.change,
    })),
    edges: picture.edges.map((e) => ({ from: e.from, to: e.to, label: drawnText(e.label), change: e.change })),
  });
}

// Mermaid's side.

/** Mermaid vertex types (flowDb) for the shapes ../../../plan/report/mermaid.ts draws. */
const KIND_OF_VERTEX_TYPE: Readonly<Record<string, string>> = {
  square: "member",
  stadium: "members",
  hexagon: "service",
  lean_right: "placement",
};

function assertParsed(parsed: ParsedMermaid): void {
  assert.equal(parsed.error, undefined);
  assert.equal(parsed.diagramType, "flowchart-v2");
}

function fromMermaid(parsed: ParsedMermaid): Structure {
  const parents = new Map(parsed.subgraphs.flatMap((subgraph) => subgraph.nodes.map((id) => [id, subgraph.id] as const)));
  const groupOf = (id: string): string | null => {
    const parent = parents.get(id);
    return parent === undefined ? null : unprefixed(parent, "g_");
  };
  return sortedStructure({
    groups: parsed.subgraphs.map((s) => ({
      id: unprefixed(s.id, "g_"),
      label: s.label,
      parent: groupOf(s.id),
      change: changeOfClasses(s.classes),
    })),
    nodes: parsed.vertices.map((v) => ({
      id: unprefixed(v.id, "n_"),
      label: v.label,
      kind: KIND_OF_VERTEX_TYPE[v.type ?? ""] ?? `vertex type ${v.type}`,
      group: groupOf(v.id),
      change: changeOfClasses(v.classes),
    })),
    edges: parsed.edges.map((e) => ({
      from: unprefixed(e.start, "n_"),
      to: unprefixed(e.end, "n_"),
      label: e.label,
      change: changeOfLink(e),
    })),
  });
}

function unprefixed(id: string, prefix: string): string {
  return id.startsWith(prefix) ? id.slice(prefix.length) : `${id} (without the ${prefix} prefix)`;
}

function changeOfClasses(classes: readonly string[]): string {
  const [only, ...more] = classes;
  return more.length === 0 && isChange(only) ? only : `classes [${classes.join(", ")}]`;
}

/** An edge's change: its linkStyle stroke colour, and its line dotted exactly when the change is drawn dashed. */
function changeOfLink(parsed: ParsedEdge): string {
  const { stroke } = declarations(parsed.style);
  const dashed = parsed.stroke === "dotted";
  const change = CHANGES.find((c) => PALETTE[c].stroke === stroke && PALETTE[c].dashed === dashed);
  return change && parsed.type === "arrow_point" ? change : `edge ${parsed.type} ${parsed.stroke} [${parsed.style.join(", ")}]`;
}

/** CSS declarations ("name:value") as a record. */
function declarations(styles: readonly string[]): Record<string, string> {
  return Object.fromEntries(styles.map((style) => [style.slice(0, style.indexOf(":")).trim(), style.slice(style.indexOf(":") + 1).trim()]));
}

function expectedClassLook(change: Change): Record<string, string> {
  const look = PALETTE[change];
  return { fill: look.fill, stroke: look.stroke, color: look.text, ...(look.dashed ? { "stroke-dasharray": "5 5" } : {}) };
}

function changesOfBoxesAndGroups(picture: Picture): Change[] {
  const groups = (group: PictureGroup): PictureGroup[] => [group, ...group.groups.flatMap(groups)];
  const used = new Set<Change>([...picture.groups.flatMap(groups), ...picture.nodes].map((element) => element.change));
  return CHANGES.filter((change) => used.has(change));
}

// Graphviz's side.

interface Bounds {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * What the SVG shows. Graphviz writes clusters, nodes and edges as sibling `<g>` elements (class cluster,
 * node, edge) whose `<title>` is the DOT name, so a node's group and a group's parent are read from the
 * geometry: the smallest cluster box that holds it (dot keeps other nodes and clusters out of a cluster's box).
 */
function fromSvg(svg: string): Structure {
  const document = new JSDOM(svg, { contentType: "image/svg+xml" }).window.document;
  const clusters = [...document.querySelectorAll("g.cluster")].map((element) => {
    const shape = element.querySelector("polygon, path");
    return { element, name: titleOf(element), shape, bounds: shape ? boundsOf(shape) : undefined };
  });
  const groupOf = (bounds: Bounds | undefined, self?: Element): string | null => {
    if (!bounds) return "(nothing drawn to place)";
    const holders = clusters.flatMap((c) =>
      c.element !== self && c.bounds && holds(c.bounds, bounds) ? [{ name: c.name, area: area(c.bounds) }] : [],
    );
    const [innermost] = holders.sort((a, b) => a.area - b.area);
    return innermost ? unprefixed(innermost.name, "cluster_") : null;
  };
  return sortedStructure({
    groups: clusters.map(({ element, name, shape, bounds }) => ({
      id: unprefixed(name, "cluster_"),
      label: textOf(element),
      parent: groupOf(bounds, element),
      change: changeOfLook(shape, element),
    })),
    nodes: [...document.querySelectorAll("g.node")].map((element) => {
      const shape = element.querySelector("polygon, path, ellipse");
      const bounds = shape ? boundsOf(shape) : undefined;
      return {
        id: titleOf(element),
        label: textOf(element),
        kind: kindOfShape(shape),
        group: groupOf(bounds),
        change: changeOfLook(shape, element),
      };
    }),
    edges: [...document.querySelectorAll("g.edge")].map((element) => {
      const [from, to] = titleOf(element).split("->");
      return { from, to, label: textOf(element), change: changeOfLook(element.querySelector("path"), element, false) };
    }),
  });
}

function titleOf(element: Element): string {
  return element.querySelector("title")?.textContent ?? "";
}

/** The label: one `<text>` per line. */
function textOf(element: Element): string {
  return [...element.querySelectorAll("text")].map((text) => text.textContent ?? "").join("\n");
}

/**
 * The change whose look this shape has: fill (unless an edge line), line colour, dashed or not, and the
 * text colour of its label. Graphviz writes `stroke-dasharray` for dashed lines.
 */
function changeOfLook(shape: Element | null, element: Element, filled = true): string {
  const fill = shape?.getAttribute("fill");
  const stroke = shape?.getAttribute("stroke");
  const dashed = shape?.hasAttribute("stroke-dasharray") ?? false;
  const textFills = [...element.querySelectorAll("text")].map((text) => text.getAttribute("fill"));
  const change = CHANGES.find((c) => {
    const look = PALETTE[c];
    return (!filled || fill === look.fill) && stroke === look.stroke && dashed === look.dashed && textFills.every((f) => f === look.text);
  });
  return change ?? `look fill=${fill} stroke=${stroke} dashed=${dashed} text=[${textFills.join(", ")}]`;
}

/** A node's kind from its outline: rounded box (a path), hexagon, rectangle or parallelogram. */
function kindOfShape(shape: Element | null): string {
  if (shape?.tagName === "path") return "members";
  if (shape?.tagName !== "polygon") return `shape ${shape?.tagName}`;
  const points = corners(shape);
  if (points.length === 6) return "service";
  if (points.length === 4) {
    const xs = new Set(points.map(([x]) => x));
    const ys = new Set(points.map(([, y]) => y));
    return xs.size === 2 && ys.size === 2 ? "member" : "placement";
  }
  return `polygon with ${points.length} corners`;
}

/** A polygon's corners (Graphviz repeats the first point at the end to close it). */
function corners(polygon: Element): [number, number][] {
  const points = pairs(polygon.getAttribute("points") ?? "");
  const [first] = points;
  const last = points[points.length - 1];
  return points.length > 1 && first[0] === last[0] && first[1] === last[1] ? points.slice(0, -1) : points;
}

/** Number pairs `x,y` in a `points` or path `d` attribute. */
function pairs(text: string): [number, number][] {
  return [...text.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((match) => [Number(match[1]), Number(match[2])]);
}

function boundsOf(shape: Element): Bounds {
  const points =
    shape.tagName === "ellipse"
      ? [-1, 1].map((sign) => [
          Number(shape.getAttribute("cx")) + sign * Number(shape.getAttribute("rx")),
          Number(shape.getAttribute("cy")) + sign * Number(shape.getAttribute("ry")),
        ])
      : pairs(shape.getAttribute(shape.tagName === "path" ? "d" : "points") ?? "");
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  return { left: Math.min(...xs), top: Math.min(...ys), right: Math.max(...xs), bottom: Math.max(...ys) };
}

/** Whether `outer` holds `inner` (to a hundredth of a point: Graphviz writes two decimals). */
function holds(outer: Bounds, inner: Bounds): boolean {
  const slack = 0.01;
  return (
    inner.left >= outer.left - slack &&
    inner.right <= outer.right + slack &&
    inner.top >= outer.top - slack &&
    inner.bottom <= outer.bottom + slack
  );
}

function area(bounds: Bounds): number {
  return (bounds.right - bounds.left) * (bounds.bottom - bounds.top);
}

// Shared.

function isChange(value: string | undefined): value is Change {
  return (CHANGES as readonly (string | undefined)[]).includes(value);
}

function sortedStructure(structure: Structure): Structure {
  return { groups: sortedByContent(structure.groups), nodes: sortedByContent(structure.nodes), edges: sortedByContent(structure.edges) };
}

function sortedByContent<T>(items: readonly T[]): T[] {
  return items
    .map((item) => ({ item, key: JSON.stringify(item) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ item }) => item);
}

function linesEndingInSpace(text: string): string[] {
  return text.split("\n").filter((line) => /\s$/.test(line));
}
