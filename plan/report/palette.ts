// How a change looks, shared by both drawings of the picture (Mermaid text and Graphviz SVG), so the
// two cannot drift apart: one colour set per change, and the one-line text a label is drawn as.
import { Change, shownLabel } from "./picture";

/** The colours (6-digit lowercase hex, valid in Mermaid `classDef` and Graphviz alike) and line style of one change. */
export interface ChangeLook {
  /** Box and group background. */
  readonly fill: string;
  /** Box, group and edge line. */
  readonly stroke: string;
  /** Label text; also the edge label colour. */
  readonly text: string;
  /** Lines drawn dashed: what the run removes. */
  readonly dashed: boolean;
}

/**
 * The palette, by change. Colours follow GitHub's Primer light scheme (success, attention, neutral), and
 * every fill is light with dark text, so a report stays readable when GitHub renders Mermaid in dark mode.
 * `unchanged` is an explicit look too (not the renderer's default), so both drawings agree on it.
 */
export const PALETTE: Readonly<Record<Change, ChangeLook>> = {
  added: { fill: "#dafbe1", stroke: "#1a7f37", text: "#1f2328", dashed: false },
  changed: { fill: "#fff8c5", stroke: "#9a6700", text: "#1f2328", dashed: false },
  removed: { fill: "#f6f8fa", stroke: "#8c959f", text: "#656d76", dashed: true },
  unchanged: { fill: "#ffffff", stroke: "#57606a", text: "#1f2328", dashed: false },
};

/**
 * Plain text as both drawings show it, on one line. Labels come from user resource names, so this makes
 * them drawable the same way in both: control characters and whitespace runs (line breaks included)
 * become one space and the ends are trimmed, because Mermaid trims labels and HTML collapses spaces, while
 * Graphviz would keep them (breaking lines, drawing runs of spaces as no-break spaces); lone surrogates
 * and the non-characters U+FFFE/U+FFFF (not allowed in XML, so not in the SVG) become U+FFFD.
 */
export function drawnText(text: string): string {
  return text
    .replace(/\p{Cs}|[\uFFFE\uFFFF]/gu, "\uFFFD")
    .replace(/\p{Cc}/gu, " ")
    .replace(/\s+/gu, " ")
    .trim();
}

/** A box or group label as both drawings show it: its change mark, then its text (see drawnText). */
export function drawnLabel(label: string, change: Change): string {
  return drawnText(shownLabel(label, change));
}
