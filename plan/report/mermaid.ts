// The picture as Mermaid flowchart text, embedded in the Markdown report (GitHub renders it).
// Syntax: https://mermaid.js.org/syntax/flowchart.html (Mermaid 11).
import { CHANGES, Change, Picture, PictureEdge, PictureGroup, PictureNode, knownNode, nodeIdsWithin, nodesById } from "./picture";
import { PALETTE, drawnLabel, drawnText } from "./palette";

/** Mermaid's bracket pair for each kind of box (the vertex types its parser records are in the comments). */
const SHAPES: Readonly<Record<PictureNode["kind"], readonly [string, string]>> = {
  member: ["[", "]"], // "square": a rectangle
  members: ["([", "])"], // "stadium": a counted group of members, drawn rounded like Graphviz's rounded box
  service: ["{{", "}}"], // "hexagon"
  placement: ["[/", "/]"], // "lean_right": a parallelogram
};

/**
 * Characters written as Mermaid entity codes inside quoted labels. Mermaid turns `#name;` / `#123;` into
 * placeholders before parsing and back into HTML entities when drawing (encodeEntities/decodeEntities in
 * mermaid-js/mermaid packages/mermaid/src/utils.ts; documented at
 * https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters), so none of these reach
 * the parser or the HTML as themselves:
 * - `"` ends the quoted string; `<` `>` `&` would be HTML (labels are drawn as HTML);
 * - `#` and `;` could form an entity code of their own (either one encoded would do; both are, for safety);
 * - `:` matters because Mermaid strips the last `;` of any line matching `style.*:\S*#.*;` (meant for
 *   colours, same encodeEntities), which would cut an entity code short;
 * - `%` could start a `%%{init: …}%%` directive, which Mermaid finds and applies anywhere in the text
 *   (directiveRegex in packages/mermaid/src/utils.ts, used by preprocess.ts);
 * - a backtick inside quotes starts a Markdown string;
 * - `ﬂ` and `¶` are how Mermaid's placeholders start and end: left alone, a label could forge one.
 * Whitespace, control characters and line breaks are dealt with before (see drawnText).
 */
const ENTITY_CODES: Readonly<Record<string, string>> = {
  '"': "#quot;",
  "<": "#lt;",
  ">": "#gt;",
  "&": "#amp;",
  "#": "#35;",
  ";": "#59;",
  ":": "#58;",
  "%": "#37;",
  "`": "#96;",
  "\uFB02": "#64258;",
  "\u00B6": "#182;",
};

const INDENT = "  ";

export function pictureToMermaid(picture: Picture): string {
  const nodes = nodesById(picture);
  const grouped = new Set(picture.groups.flatMap(nodeIdsWithin));
  const lines = ["flowchart LR"];
  for (const group of picture.groups) lines.push(...groupLines(group, nodes, 1));
  for (const node of picture.nodes) if (!grouped.has(node.id)) lines.push(INDENT + nodeLine(node));
  for (const edge of picture.edges) lines.push(INDENT + edgeLine(edge, nodes));
  lines.push(...changeStyleLines(picture));
  return lines.join("\n") + "\n";
}

/**
 * The Mermaid id of a node. Picture ids are prefixed because some plain words cannot be Mermaid ids
 * (`end`, `graph`, `style`, `class`, `default`, `subgraph` fail to parse), and so a node and a group
 * sharing an id cannot collide (Mermaid vertices and subgraphs share one id space).
 */
export function mermaidNodeId(id: string): string {
  return `n_${id}`;
}

/** The Mermaid id of a group's subgraph (see mermaidNodeId). */
export function mermaidGroupId(id: string): string {
  return `g_${id}`;
}

/** Text for inside a quoted Mermaid label: drawn as one line, with the unsafe characters as entity codes. */
export function mermaidText(text: string): string {
  return Array.from(drawnText(text), (char) => ENTITY_CODES[char] ?? char).join("");
}

/**
 * A quoted Mermaid label. Mermaid's grammar has no empty string (`[""]` fails to parse), so an empty
 * label is written as one space, which Mermaid trims away (FlowDB.addVertex and addSubGraph trim labels).
 */
function quotedLabel(text: string): string {
  return `"${mermaidText(text) || " "}"`;
}

function groupsWithin(group: PictureGroup): PictureGroup[] {
  return [group, ...group.groups.flatMap(groupsWithin)];
}

function groupLines(group: PictureGroup, nodes: ReadonlyMap<string, PictureNode>, depth: number): string[] {
  const indent = INDENT.repeat(depth);
  return [
    `${indent}subgraph ${mermaidGroupId(group.id)}[${quotedLabel(drawnLabel(group.label, group.change))}]`,
    ...group.nodes.map((id) => indent + INDENT + nodeLine(knownNode(nodes, id))),
    ...group.groups.flatMap((inner) => groupLines(inner, nodes, depth + 1)),
    `${indent}end`,
  ];
}

function nodeLine(node: PictureNode): string {
  const [open, close] = SHAPES[node.kind];
  return `${mermaidNodeId(node.id)}${open}${quotedLabel(drawnLabel(node.label, node.change))}${close}`;
}

function edgeLine(edge: PictureEdge, nodes: ReadonlyMap<string, PictureNode>): string {
  const arrow = PALETTE[edge.change].dashed ? "-.->" : "-->";
  const text = drawnText(edge.label);
  const label = text === "" ? "" : `|${quotedLabel(text)}|`;
  return `${mermaidNodeId(knownNode(nodes, edge.from).id)} ${arrow}${label} ${mermaidNodeId(knownNode(nodes, edge.to).id)}`;
}

/**
 * classDef and class lines for the changes boxes and groups have (one class per change, named after it),
 * then linkStyle lines colouring edges by change (edges are addressed by their index in drawing order).
 * Only changes in use get a classDef. classDef lines end without `;`: see ENTITY_CODES on `style…#…;`.
 */
function changeStyleLines(picture: Picture): string[] {
  const groups = picture.groups.flatMap(groupsWithin);
  const lines: string[] = [];
  for (const change of CHANGES) {
    const ids = [
      ...groups.filter((group) => group.change === change).map((group) => mermaidGroupId(group.id)),
      ...picture.nodes.filter((node) => node.change === change).map((node) => mermaidNodeId(node.id)),
    ];
    if (ids.length > 0) lines.push(`${INDENT}classDef ${change} ${classStyle(change)}`, `${INDENT}class ${ids.join(",")} ${change}`);
  }
  for (const change of CHANGES) {
    const indexes = picture.edges.flatMap((edge, index) => (edge.change === change ? [index] : []));
    if (indexes.length > 0) lines.push(`${INDENT}linkStyle ${indexes.join(",")} ${linkStyle(change)}`);
  }
  return lines;
}

function classStyle(change: Change): string {
  const look = PALETTE[change];
  const dash = look.dashed ? ",stroke-dasharray:5 5" : "";
  return `fill:${look.fill},stroke:${look.stroke},color:${look.text}${dash}`;
}

function linkStyle(change: Change): string {
  const look = PALETTE[change];
  return `stroke:${look.stroke},color:${look.text}`;
}
