// `fleetmesh plan --report <file>`: the report, its picture as SVG beside it, and (for a report too
// long for a comment) the whole report beside that.
import * as fs from "fs";
import * as path from "path";
import { PlanRun, ProgramError } from "../run-program";
import { ComponentRecord, factsOf } from "./facts";
import { renderReport } from "./markdown";
import { pictureToMermaid } from "./mermaid";
import { pictureToDot } from "./dot";
import { reportModel } from "./model";
import { renderSvg } from "./svg";
import { topologyPicture } from "./topology";

/** The components of a run with the outputs they registered. */
export function componentRecords(run: PlanRun): ComponentRecord[] {
  return run.resources
    .filter((r) => !r.custom && r.outputs !== undefined)
    .map((r) => ({ type: r.type, name: r.name, outputs: r.outputs! }));
}

/** Files a report writes: the report, its SVG, and the whole report when the first had to be shortened. */
export interface ReportFiles {
  report: string;
  svg: string;
  full?: string;
}

export function reportFiles(report: string): ReportFiles {
  const base = report.replace(/\.(md|markdown)$/i, "");
  return { report, svg: `${base}.svg`, full: `${base}.full.md` };
}

/**
 * Key material never reaches a report: its facts are allocations, names and placeholders, but a
 * report is posted where anyone with read access sees it, so it is checked before it is written.
 * (A secret that is not key material, a secret namespace say, shows as `[secret]`, as in the plan.)
 */
const KEY_MATERIAL = /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/;

export interface ReportOptions {
  program: string;
  previous?: string;
  /** The previous run's components, when a previous state recorded them. */
  previousComponents?: readonly ComponentRecord[];
}

/** Renders the report of `run` and writes its files; returns those written. */
export async function writeReport(run: PlanRun, file: string, options: ReportOptions): Promise<string[]> {
  const files = reportFiles(file);
  const previous = options.previousComponents?.length ? factsOf(options.previousComponents) : undefined;
  const model = reportModel(factsOf(componentRecords(run)), previous);
  const picture = topologyPicture(model);
  const svg = await renderSvg(pictureToDot(picture));
  const warnings = run.logs.filter((l) => l.severity !== "info").map((l) => l.message);
  const rendered = renderReport(
    {
      program: options.program,
      ...(options.previous !== undefined && { previous: options.previous, previousHasComponents: previous !== undefined }),
      model,
      mermaid: pictureToMermaid(picture),
      edges: picture.edges.length,
      svgFile: path.basename(files.svg),
      warnings,
    },
    path.basename(files.full!),
  );
  for (const text of [rendered.report, rendered.full ?? "", svg]) {
    if (KEY_MATERIAL.test(text)) throw new ProgramError(`--report ${file}: the report would show key material; refusing to write it`);
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(files.report, rendered.report);
  fs.writeFileSync(files.svg, svg);
  if (rendered.full !== undefined) fs.writeFileSync(files.full!, rendered.full);
  else fs.rmSync(files.full!, { force: true });
  return rendered.full !== undefined ? [files.report, files.svg, files.full!] : [files.report, files.svg];
}
