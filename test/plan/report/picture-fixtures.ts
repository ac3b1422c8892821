// Pictures for the renderer tests: a few written out, and a fast-check generator for any others.
import fc from "fast-check";
import { CHANGES, Change, Picture, PictureEdge, PictureGroup, PictureNode } from "../../../plan/report/picture";

type Kind = PictureNode["kind"];
const KINDS: readonly Kind[] = ["member", "members", "service", "placement"];

export function node(id: string, kind: Kind = "member", change: Change = "unchanged", label: string = id): PictureNode {
  return { id, label, kind, change };
}

export function group(
  id: string,
  kind: PictureGroup["kind"],
  inside: { nodes?: readonly string[]; groups?: readonly PictureGroup[]; change?: Change; label?: string } = {},
): PictureGroup {
  return {
    id,
    label: inside.label ?? id,
    kind,
    change: inside.change ?? "unchanged",
    nodes: inside.nodes ?? [],
    groups: inside.groups ?? [],
  };
}

export function edge(from: string, to: string, label = "", change: Change = "unchanged"): PictureEdge {
  return { from, to, label, change };
}

/** Characters that mean something to Mermaid, Markdown, HTML, DOT or XML, or are just far from ASCII. */
export const NASTY_CHARACTERS: readonly string[] = [
  '"',
  "'",
  "<",
  ">",
  "&",
  "#",
  ";",
  ":",
  "`",
  "|",
  "[",
  "]",
  "{",
  "}",
  "(",
  ")",
  "/",
  "\\",
  "%",
  "*",
  "_",
  "~",
  "-",
  ".",
  "=",
  "@",
  "^",
  "$",
  "!",
  "?",
  "+",
  " ",
  "  ",
  "\t",
  "\n",
  "\r\n",
  "\u00a0",
  "\u0000",
  "\u0007",
  "\ud800",
  "\uffff",
  "–",
  "→",
  "é",
  "ß",
  "°",
  "¶",
  "ﬂ",
  "ﬂ°",
  "¶ß",
  "😀",
  "👩‍👩‍👧",
  "中",
  "\u202e",
  "#lt;",
  "#35;",
  "&lt;",
  "&#35;",
  "\\N",
  "\\n",
  "<br>",
  "<b>",
  "%%",
  "%%{init: {}}%%",
  "end",
  "-->",
  "-.->",
  "subgraph",
  "style x:#fff;",
  "classDef",
];

// Written-out pictures, by name.

export const TWO_MEMBER_MESH: Picture = {
  groups: [group("mesh", "mesh", { nodes: ["east", "west"] })],
  nodes: [node("east"), node("west")],
  edges: [edge("east", "west", "clustermesh")],
};

export const NESTED_GROUPS: Picture = {
  groups: [
    group("prod", "mesh", {
      label: "mesh prod",
      groups: [
        group("prod_aks_westeurope", "site", { label: "aks westeurope", nodes: ["prod_a", "prod_b"] }),
        group("prod_kind_local", "site", { label: "kind local", nodes: ["prod_c"] }),
      ],
    }),
    group("staging", "mesh", { groups: [group("staging_aks", "site", { nodes: ["staging_a"] })] }),
  ],
  nodes: [
    node("prod_a"),
    node("prod_b"),
    node("prod_c"),
    node("staging_a"),
    node("lonely"),
    node("web", "service"),
    node("spread", "placement"),
  ],
  edges: [edge("prod_a", "web", "serves"), edge("spread", "prod_b"), edge("spread", "lonely"), edge("staging_a", "prod_c")],
};

/** Each change on nodes of each kind, on groups (nested) and on edges. */
export const EVERY_CHANGE: Picture = {
  groups: CHANGES.map((change) =>
    group(`mesh_${change}`, "mesh", {
      change,
      label: `mesh ${change}`,
      nodes: KINDS.map((kind) => `${kind}_${change}`),
      groups: [group(`site_${change}`, "site", { change, label: `site ${change}`, nodes: [`inner_${change}`] })],
    }),
  ),
  nodes: CHANGES.flatMap((change) => [
    ...KINDS.map((kind) => node(`${kind}_${change}`, kind, change)),
    node(`inner_${change}`, "member", change),
  ]),
  edges: CHANGES.flatMap((change) => [
    edge(`member_${change}`, `service_${change}`, change, change),
    edge(`placement_${change}`, `inner_${change}`, "", change),
  ]),
};

/** Labels a user could give resources, written to break quoting, markup and entity handling. */
export const NASTY_LABELS: Picture = {
  groups: [
    group("g1", "mesh", {
      label: 'mesh "prod" <b>bold</b> & #1; `code`',
      change: "added",
      nodes: ["n1", "n2"],
      groups: [group("g2", "site", { label: "site | [eu] {x} – → é", change: "removed", nodes: ["n3"] })],
    }),
  ],
  nodes: [
    node("n1", "member", "added", '"quoted" & <i>tag</i>'),
    node("n2", "members", "changed", "#35; #lt; &amp; &#35; ;;"),
    node("n3", "service", "removed", "back`tick` *star* _under_ ~strike~ [link](x)"),
    node("n4", "placement", "unchanged", "pipe | bracket ] brace { paren ) \\N \\n"),
    node("end", "member", "unchanged", "%%{init: {'theme':'dark'}}%% style x:#f00; ﬂ°lt¶ß"),
    node("n5", "member", "unchanged", "  line\nbreak\r\n\ttab  \u0007 \ud800 😀 👩‍👩‍👧 中 "),
  ],
  edges: [
    edge("n1", "n3", 'edge "q" <b> & # ; ` | ] }', "added"),
    edge("n4", "end", "-->|x| -.->", "removed"),
    edge("end", "n5", "", "changed"),
  ],
};

export const EMPTY_PICTURE: Picture = { groups: [], nodes: [], edges: [] };

/** Groups with nothing inside (which Graphviz would not draw on its own), and empty labels (which Mermaid cannot quote). */
export const EMPTY_GROUPS: Picture = {
  groups: [
    group("hollow", "mesh", { label: "", groups: [group("hollow_site", "site", { change: "removed" })] }),
    group("bare", "mesh", { change: "added", label: " " }),
  ],
  nodes: [node("alone", "member", "unchanged", ""), node("other", "service", "unchanged", "\n")],
  edges: [edge("alone", "other", " \n ")],
};

/**
 * A large fleet as the report draws it: each mesh and site's members counted into one `members` box, with
 * services and placements pointing at the counts.
 */
export const LARGE_FLEET: Picture = (() => {
  const meshes = ["prod", "staging", "edge"];
  const sites = ["aks_westeurope", "aks_northeurope", "kind_lab"];
  const counts = (mesh: string, site: string) => `${mesh}_${site}_members`;
  return {
    groups: meshes.map((mesh, m) =>
      group(mesh, "mesh", {
        change: m === 2 ? "added" : "unchanged",
        groups: sites.map((site, s) =>
          group(`${mesh}_${site}`, "site", {
            label: site.replace(/_/g, " "),
            nodes: [counts(mesh, site)],
            change: (m + s) % 3 === 0 ? "changed" : "unchanged",
          }),
        ),
      }),
    ),
    nodes: [
      ...meshes.flatMap((mesh, m) =>
        sites.map((site, s) => node(counts(mesh, site), "members", CHANGES[(m + s) % 4], `${40 + m * 10 + s} members (${m + s} added)`)),
      ),
      ...["api", "web", "queue"].map((svc) => node(svc, "service")),
      node("spread_all", "placement", "changed", "placement spread-all (PickAll)"),
    ],
    edges: [
      ...meshes.flatMap((mesh) => sites.map((site) => edge("spread_all", counts(mesh, site), "", "unchanged"))),
      ...["api", "web", "queue"].map((svc, i) => edge(counts(meshes[i], sites[i]), svc, "serves", CHANGES[i])),
    ],
  };
})();

// Generated pictures.

const idArbitrary = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/),
  // Words that are keywords in Mermaid or DOT, and names that look like what the renderers add.
  fc.constantFrom(
    "end",
    "graph",
    "subgraph",
    "style",
    "class",
    "default",
    "node",
    "edge",
    "digraph",
    "o",
    "x",
    "1",
    "cluster_a",
    "n_a",
    "g_a",
  ),
);

const textArbitrary = fc.string({
  maxLength: 10,
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...NASTY_CHARACTERS) },
    { weight: 4, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  ),
});

const changeArbitrary = fc.constantFrom(...CHANGES);

/** Groups as a flat list with each one's parent (an earlier index, or -1), built into a tree afterwards. */
interface FlatGroup {
  readonly id: string;
  readonly label: string;
  readonly kind: PictureGroup["kind"];
  readonly change: Change;
  readonly parent: number;
}

/** The deepest nesting generated pictures have (a group inside a group inside a group). */
export const MAX_DEPTH = 3;

/** Any picture: up to 6 groups nested up to MAX_DEPTH deep, up to 8 nodes, up to 10 edges between them. */
export const pictureArbitrary: fc.Arbitrary<Picture> = fc
  .record({
    nodeIds: fc.uniqueArray(idArbitrary, { maxLength: 8 }),
    groupIds: fc.uniqueArray(idArbitrary, { maxLength: 6 }),
  })
  .chain(({ nodeIds, groupIds }) =>
    fc.record({
      nodes: fc.tuple(
        ...nodeIds.map((id) =>
          fc.record({ id: fc.constant(id), label: textArbitrary, kind: fc.constantFrom(...KINDS), change: changeArbitrary }),
        ),
      ),
      groups: fc.tuple(
        ...groupIds.map((id, index) =>
          fc.record({
            id: fc.constant(id),
            label: textArbitrary,
            kind: fc.constantFrom<PictureGroup["kind"]>("mesh", "site"),
            change: changeArbitrary,
            parent: fc.integer({ min: -1, max: index - 1 }),
          }),
        ),
      ),
      homes: fc.tuple(...nodeIds.map(() => fc.integer({ min: -1, max: groupIds.length - 1 }))),
      edges:
        nodeIds.length === 0
          ? fc.constant([])
          : fc.array(
              fc.record({
                from: fc.constantFrom(...nodeIds),
                to: fc.constantFrom(...nodeIds),
                label: textArbitrary,
                change: changeArbitrary,
              }),
              { maxLength: 10 },
            ),
    }),
  )
  .map(({ nodes, groups, homes, edges }) => ({ groups: treeOf(limitDepth(groups), homes, nodes), nodes, edges }));

/** Moves a group too deep to the top level. */
function limitDepth(groups: readonly FlatGroup[]): FlatGroup[] {
  const depths: number[] = [];
  return groups.map((flat, index) => {
    const parent = flat.parent >= 0 && depths[flat.parent] < MAX_DEPTH ? flat.parent : -1;
    depths[index] = parent < 0 ? 1 : depths[parent] + 1;
    return { ...flat, parent };
  });
}

function treeOf(groups: readonly FlatGroup[], homes: readonly number[], nodes: readonly PictureNode[]): PictureGroup[] {
  const build = (index: number): PictureGroup => ({
    id: groups[index].id,
    label: groups[index].label,
    kind: groups[index].kind,
    change: groups[index].change,
    nodes: nodes.filter((_, n) => homes[n] === index).map((n) => n.id),
    groups: groups.flatMap((child, c) => (child.parent === index ? [build(c)] : [])),
  });
  return groups.flatMap((flat, index) => (flat.parent === -1 ? [build(index)] : []));
}
