// The topology picture of a plan report, as one model that both the Mermaid text (rendered where the
// report is read) and the Graphviz SVG (written beside it) are drawn from, with the lookups both renderers make. Pure.

/** What this run does to an element, against the previous run. */
export type Change = "added" | "changed" | "removed" | "unchanged";

/** Every change, in the order legends and counts list them. */
export const CHANGES: readonly Change[] = ["added", "changed", "removed", "unchanged"];

/** A box: one member, or (in a large fleet) the members of one mesh and site counted together. */
export interface PictureNode {
  /** Unique among nodes; letters, digits and `_` only (the renderers prefix it: some words are Mermaid keywords). */
  readonly id: string;
  /** What the box shows (plain text: renderers quote it). */
  readonly label: string;
  readonly kind: "member" | "members" | "service" | "placement";
  readonly change: Change;
}

/** A group of boxes: a mesh, or the site (provisioner and region) members run in. Groups nest. */
export interface PictureGroup {
  readonly id: string;
  readonly label: string;
  readonly kind: "mesh" | "site";
  readonly change: Change;
  /** Ids of the nodes directly inside. */
  readonly nodes: readonly string[];
  readonly groups: readonly PictureGroup[];
}

/** A service served by a member, or a placement targeting one. */
export interface PictureEdge {
  readonly from: string;
  readonly to: string;
  /** Shown on the edge; empty for none. */
  readonly label: string;
  readonly change: Change;
}

export interface Picture {
  /** Top-level groups, in drawing order. */
  readonly groups: readonly PictureGroup[];
  /** Every node, in drawing order; a node is in at most one group (none: drawn at the top level). */
  readonly nodes: readonly PictureNode[];
  readonly edges: readonly PictureEdge[];
}

/** The mark a box or group label starts with, so a change reads without colour too (and in plain text). */
export const CHANGE_MARK: Readonly<Record<Change, string>> = { added: "+ ", changed: "~ ", removed: "- ", unchanged: "" };

/** A label as both renderers show it: its change mark, then the label. */
export function shownLabel(label: string, change: Change): string {
  return `${CHANGE_MARK[change]}${label}`;
}

/** The picture's nodes by id, for the renderers' lookups. */
export function nodesById(picture: Picture): ReadonlyMap<string, PictureNode> {
  return new Map(picture.nodes.map((node) => [node.id, node]));
}

/** The ids of the nodes inside a group, its nested groups' included. */
export function nodeIdsWithin(group: PictureGroup): string[] {
  return [...group.nodes, ...group.groups.flatMap(nodeIdsWithin)];
}

/** The node an edge or group names; a picture naming a node it does not have is refused. */
export function knownNode(nodes: ReadonlyMap<string, PictureNode>, id: string): PictureNode {
  const node = nodes.get(id);
  if (!node) throw new Error(`The picture refers to node "${id}", which is not among its nodes`);
  return node;
}
