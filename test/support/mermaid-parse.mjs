// Parses Mermaid diagram texts with Mermaid's own parser and prints what its flowchart database holds.
// Runs in a child process (see ./mermaid.ts) because Mermaid needs a global DOM (`window`, `document`),
// which the test process must not get.
//
// Protocol: each line on stdin is a JSON array of diagram texts; for each, one line on stdout is the
// JSON array of results (ParsedMermaid in ./mermaid.ts), in order. Ends when stdin ends.
//
// Label text: Mermaid's database keeps entity codes encoded, as placeholders (`#lt;` is stored as
// `ﬂ°lt¶ß`, `#35;` as `ﬂ°°35¶ß`: encodeEntities in mermaid-js/mermaid packages/mermaid/src/utils.ts, run
// by Diagram.fromText before parsing). When drawing, Mermaid turns the placeholders into HTML entities
// (decodeEntities, same file) and inserts the label as HTML. `label` below is that text as a reader sees
// it: placeholders to entities, then parsed as HTML by jsdom, `<br>` read as a line break. `text` is the
// database's own string, unchanged.
import { createInterface } from "node:readline";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;

const mermaid = (await import("mermaid")).default;
mermaid.initialize({ startOnLoad: false, logLevel: "fatal" });

/** A label as Mermaid draws it for a reader (see the header). */
function shownText(text) {
  const html = text
    .replace(/\uFB02\u00B0\u00B0/g, "&#")
    .replace(/\uFB02\u00B0/g, "&")
    .replace(/\u00B6\u00DF/g, ";");
  const template = document.createElement("template");
  template.innerHTML = html;
  for (const br of template.content.querySelectorAll("br")) br.replaceWith("\n");
  return template.content.textContent ?? "";
}

/** A Map or array from the database as a plain array. */
function valuesOf(collection) {
  return collection instanceof Map ? [...collection.values()] : [...collection];
}

function vertexOf(vertex) {
  const text = vertex.text ?? "";
  return { id: vertex.id, text, label: shownText(text), type: vertex.type ?? null, classes: [...(vertex.classes ?? [])] };
}

function edgeOf(edge) {
  const text = edge.text ?? "";
  return {
    start: edge.start,
    end: edge.end,
    text,
    label: shownText(text),
    stroke: edge.stroke ?? null,
    type: edge.type ?? null,
    style: [...(edge.style ?? [])],
    classes: [...(edge.classes ?? [])],
  };
}

function subgraphOf(subgraph) {
  const title = subgraph.title ?? "";
  return { id: subgraph.id, title, label: shownText(title), nodes: [...subgraph.nodes], classes: [...(subgraph.classes ?? [])] };
}

async function parseOne(text) {
  try {
    await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db;
    return {
      ok: true,
      diagramType: diagram.type,
      vertices: valuesOf(db.getVertices()).map(vertexOf),
      edges: valuesOf(db.getEdges()).map(edgeOf),
      subgraphs: valuesOf(db.getSubGraphs()).map(subgraphOf),
      classes: valuesOf(db.getClasses()).map((c) => ({ id: c.id, styles: [...c.styles] })),
    };
  } catch (error) {
    return { ok: false, error: String(error?.message ?? error), vertices: [], edges: [], subgraphs: [], classes: [] };
  }
}

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() === "") continue;
  const results = [];
  for (const text of JSON.parse(line)) results.push(await parseOne(text));
  process.stdout.write(JSON.stringify(results) + "\n");
}
