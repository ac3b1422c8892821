// The picture as Graphviz DOT text, laid out and drawn to SVG by ./svg.ts.
// Language: https://graphviz.org/doc/info/lang.html; shapes: https://graphviz.org/doc/info/shapes.html.
import { Change, Picture, PictureEdge, PictureGroup, PictureNode, knownNode, nodeIdsWithin, nodesById } from "./picture";
import { PALETTE, drawnLabel, drawnText } from "./palette";

/** Graphviz shape and extra style for each kind of box (mirroring the Mermaid shapes in ./mermaid.ts). */
const SHAPES: Readonly<Record<PictureNode["kind"], { readonly shape: string; readonly style: readonly string[] }>> = {
  member: { shape: "box", style: [] },
  members: { shape: "box", style: ["rounded"] }, // Mermaid draws these as a stadium
  service: { shape: "hexagon", style: [] },
  placement: { shape: "parallelogram", style: [] },
};

const FONT = "Helvetica,Arial,sans-serif";
const INDENT = "  ";

export function pictureToDot(picture: Picture): string {
  const nodes = nodesById(picture);
  const grouped = new Set(picture.groups.flatMap(nodeIdsWithin));
  const lines = [
    "digraph fleet {",
    `${INDENT}rankdir=LR;`,
    `${INDENT}graph [fontname=${quoted(FONT)}, fontsize=12];`,
    `${INDENT}node [fontname=${quoted(FONT)}, fontsize=12];`,
    `${INDENT}edge [fontname=${quoted(FONT)}, fontsize=10];`,
  ];
  for (const group of picture.groups) lines.push(...clusterLines(group, nodes, 1));
  for (const node of picture.nodes) if (!grouped.has(node.id)) lines.push(INDENT + nodeStatement(node));
  for (const edge of picture.edges) lines.push(INDENT + edgeStatement(edge, nodes));
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** The DOT name of a group's subgraph: the `cluster` prefix is what makes Graphviz draw it as a box. */
export function clusterName(groupId: string): string {
  return `cluster_${groupId}`;
}

/**
 * The name of the invisible node put in a group with nothing inside, since Graphviz does not draw empty
 * clusters. It has a space, so it cannot be a picture node id (letters, digits and `_`).
 */
export function placeholderName(groupId: string): string {
  return `${groupId} (empty group)`;
}

/**
 * A DOT quoted string. Inside quotes only `"` needs escaping in DOT, but Graphviz also reads backslash
 * sequences in labels (`\n`, `\l`, `\N` for the node name…) and HTML entities such as `&lt;`
 * (https://graphviz.org/docs/attr-types/escString/, https://graphviz.org/doc/info/lang.html), so `\` and
 * `&` are escaped too: the label is drawn as written.
 */
export function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (char) => `\\${char}`).replace(/&/g, "&amp;")}"`;
}

function clusterLines(group: PictureGroup, nodes: ReadonlyMap<string, PictureNode>, depth: number): string[] {
  const indent = INDENT.repeat(depth);
  const inner = indent + INDENT;
  const empty = group.nodes.length === 0 && group.groups.length === 0;
  return [
    `${indent}subgraph ${quoted(clusterName(group.id))} {`,
    `${inner}label=${quoted(drawnLabel(group.label, group.change))};`,
    ...lookAttributes(group.change, []).map(([name, value]) => `${inner}${name}=${value};`),
    ...(empty ? [`${inner}${quoted(placeholderName(group.id))} [style=invis, shape=point, width=0, height=0, label=""];`] : []),
    ...group.nodes.map((id) => inner + nodeStatement(knownNode(nodes, id))),
    ...group.groups.flatMap((child) => clusterLines(child, nodes, depth + 1)),
    `${indent}}`,
  ];
}

function nodeStatement(node: PictureNode): string {
  const { shape, style } = SHAPES[node.kind];
  const attributes: (readonly [string, string])[] = [
    ["label", quoted(drawnLabel(node.label, node.change))],
    ["shape", shape],
    ...lookAttributes(node.change, style),
  ];
  return `${quoted(node.id)} ${attributeList(attributes)};`;
}

function edgeStatement(edge: PictureEdge, nodes: ReadonlyMap<string, PictureNode>): string {
  const look = PALETTE[edge.change];
  const text = drawnText(edge.label);
  const attributes: (readonly [string, string])[] = [
    ...(text === "" ? [] : [["label", quoted(text)] as const]),
    ["color", quoted(look.stroke)],
    ["fontcolor", quoted(look.text)],
    ...(look.dashed ? [["style", "dashed"] as const] : []),
  ];
  const from = quoted(knownNode(nodes, edge.from).id);
  const to = quoted(knownNode(nodes, edge.to).id);
  return `${from} -> ${to} ${attributeList(attributes)};`;
}

/** Fill, line colour, text colour and style of a box or cluster with this change. */
function lookAttributes(change: Change, extraStyle: readonly string[]): (readonly [string, string])[] {
  const look = PALETTE[change];
  const style = [...extraStyle, "filled", ...(look.dashed ? ["dashed"] : [])];
  return [
    ["style", quoted(style.join(","))],
    ["fillcolor", quoted(look.fill)],
    ["color", quoted(look.stroke)],
    ["fontcolor", quoted(look.text)],
  ];
}

function attributeList(attributes: readonly (readonly [string, string])[]): string {
  return `[${attributes.map(([name, value]) => `${name}=${value}`).join(", ")}]`;
}
