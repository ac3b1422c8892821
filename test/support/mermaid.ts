// Mermaid's own parser, run in a child process (./mermaid-parse.mjs) so that the global DOM Mermaid needs
// never exists in the test process.
import { ChildProcessWithoutNullStreams, spawn } from "child_process";
import * as path from "path";
import { createInterface } from "readline";

const SCRIPT = path.join(__dirname, "mermaid-parse.mjs");

/** A node as Mermaid's flowchart database holds it. */
export interface ParsedVertex {
  readonly id: string;
  /** The database's text: entity codes still as Mermaid's placeholders (see mermaid-parse.mjs). */
  readonly text: string;
  /** The text as drawn for a reader: entity codes decoded, HTML parsed, `<br>` as a line break. */
  readonly label: string;
  /** Mermaid's vertex type: "square", "stadium", "hexagon", "lean_right", … */
  readonly type: string | null;
  readonly classes: readonly string[];
}

export interface ParsedEdge {
  readonly start: string;
  readonly end: string;
  readonly text: string;
  readonly label: string;
  /** "normal", "thick", "dotted" or "invisible". */
  readonly stroke: string | null;
  /** The arrow: "arrow_point", "arrow_open", … */
  readonly type: string | null;
  /** CSS declarations set by `linkStyle`, e.g. "stroke:#1a7f37". */
  readonly style: readonly string[];
  readonly classes: readonly string[];
}

export interface ParsedSubgraph {
  readonly id: string;
  readonly title: string;
  readonly label: string;
  /** Ids of the vertices and subgraphs directly inside (Mermaid keeps each id in its innermost subgraph only). */
  readonly nodes: readonly string[];
  readonly classes: readonly string[];
}

export interface ParsedMermaid {
  readonly ok: boolean;
  readonly error?: string;
  readonly diagramType?: string;
  readonly vertices: readonly ParsedVertex[];
  readonly edges: readonly ParsedEdge[];
  readonly subgraphs: readonly ParsedSubgraph[];
  /** The classDefs: class name and its CSS declarations. */
  readonly classes: readonly { readonly id: string; readonly styles: readonly string[] }[];
}

/** One child process parsing batch after batch (Mermaid takes about a second to load; parsing is fast). */
export class MermaidParser {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: { resolve: (results: ParsedMermaid[]) => void; reject: (error: Error) => void }[] = [];
  private stderr = "";
  private exited: Error | undefined;

  constructor() {
    this.child = spawn(process.execPath, [SCRIPT], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString("utf8")));
    createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on("line", (line) => this.answer(line));
    this.child.on("error", (error) => this.fail(error));
    this.child.on("exit", (code, signal) => this.fail(new Error(`mermaid-parse.mjs exited (${signal ?? code}): ${this.stderr}`)));
  }

  parse(texts: readonly string[]): Promise<ParsedMermaid[]> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(JSON.stringify(texts) + "\n");
    });
  }

  /** Ends the child once it has answered what it was asked. */
  close(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.stdin.end();
    });
  }

  private answer(line: string): void {
    const request = this.pending.shift();
    if (!request) return;
    try {
      request.resolve(JSON.parse(line) as ParsedMermaid[]);
    } catch (error) {
      request.reject(new Error(`mermaid-parse.mjs answered with something other than JSON: ${line.slice(0, 200)} (${String(error)})`));
    }
  }

  private fail(error: Error): void {
    this.exited = error;
    for (const request of this.pending.splice(0)) request.reject(error);
  }
}

/** Parses a batch of diagram texts in a child process of its own. */
export async function parseMermaid(texts: readonly string[]): Promise<ParsedMermaid[]> {
  const parser = new MermaidParser();
  try {
    return await parser.parse(texts);
  } finally {
    await parser.close();
  }
}
