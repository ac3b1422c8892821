// The plan report as Markdown for a pull request comment: a summary, the topology picture (Mermaid,
// which GitHub and GitLab render), what the change touches on existing members, then the details in
// collapsible sections. Kept under what one GitHub comment holds; beyond that the details go to a
// file beside it. Pure.
import type { AllocationChange } from "../../components/core/fleet/allocation-table";
import { UNKNOWN_VALUE, touchLine } from "../../components/core/cilium/mesh";
import { PLACEMENT_WHAT_IF_HEADER, placementWhatIfRows, rolloutLine } from "../../components/core/kubefleet/placement/status";
import { ELEMENTS, Element, MeshEntry, PlacementEntry, ReportModel, memberKey } from "./model";
import { CHANGES, CHANGE_MARK } from "./picture";

/**
 * The most characters one GitHub comment body holds (the API refuses longer ones: "Body is too long
 * (maximum is 65536 characters)", community discussion github/community#27190).
 */
export const COMMENT_LIMIT = 65_536;

/**
 * What Mermaid draws at most with its defaults (mermaid-js/mermaid packages/mermaid/src/schemas/config.schema.yaml:
 * `maxTextSize` 50,000 characters, `maxEdges` 500); beyond either it shows an error instead of the picture.
 */
export const MERMAID_MAX_TEXT = 50_000;
export const MERMAID_MAX_EDGES = 500;

/** Sections with more rows than this start folded. */
const OPEN_ROWS = 16;

export interface ReportInput {
  /** The program as given on the command line. */
  program: string;
  /** The previous state file, when one was given. */
  previous?: string;
  /** The previous state records the components' outputs (false: one from before they were recorded). */
  previousHasComponents?: boolean;
  model: ReportModel;
  /** The picture as Mermaid text. */
  mermaid: string;
  /** How many edges the picture has. */
  edges: number;
  /** The SVG file's name, relative to the report. */
  svgFile: string;
  /** What the preview warned about (its own words). */
  warnings: readonly string[];
}

export interface RenderedReport {
  /** The report to post. */
  report: string;
  /** The whole report, when `report` had to leave details out to fit a comment. */
  full?: string;
}

/** Text safe inside HTML and Markdown table cells. */
export function escapeCell(text: string): string {
  return (
    text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/\\/g, "\\\\")
      .replace(/\|/g, "\\|")
      .replace(/`/g, "&#96;")
      // Links, images and @-mentions from names or warnings must not render or notify anyone.
      .replace(/\[/g, "&#91;")
      .replace(/\]/g, "&#93;")
      .replace(/@/g, "&#64;")
      .replace(/\r\n|\r|\n/g, " ")
  );
}

const code = (text: string) => `<code>${escapeCell(text)}</code>`;

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(" | ")} |`;
  return [line(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

function details(summary: string, rows: number, body: string): string {
  return `<details${rows <= OPEN_ROWS ? " open" : ""}><summary>${escapeCell(summary)}</summary>\n\n${body}\n\n</details>`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const SINGULAR: Record<Element, string> = { members: "member", meshes: "mesh", services: "service", placements: "placement" };

function countsOf(model: ReportModel, element: Element): string {
  const counts = model.counts[element];
  const total = CHANGES.reduce((sum, c) => sum + counts[c], 0);
  const parts = CHANGES.filter((c) => counts[c] > 0).map((c) => `${counts[c]} ${c}`);
  return `**${plural(total, SINGULAR[element], element)}**${parts.length ? ` (${parts.join(", ")})` : ""}`;
}

function summary(input: ReportInput): string {
  const unrecorded =
    input.previous && input.previousHasComponents === false
      ? " (which records no component outputs: changes are what each component's own what-if says, and nothing removed since then shows)"
      : "";
  const against = input.previous ? `against ${code(input.previous)}${unrecorded}` : "as a first run (no previous state given)";
  const counts = ELEMENTS.map((e) => [e, ...CHANGES.map((c) => String(input.model.counts[e][c]))]);
  return [
    `## fleetmesh plan: ${code(input.program)}`,
    "",
    `Planned offline ${against}: what \`pulumi preview\` shows, with deterministic placeholders for what only a real deployment knows (node addresses, kubeconfigs). No key material is shown.`,
    "",
    ELEMENTS.map((e) => countsOf(input.model, e)).join(" · "),
    "",
    table(["", ...CHANGES], counts),
  ].join("\n");
}

function picture(input: ReportInput): string {
  if (input.mermaid.length > MERMAID_MAX_TEXT || input.edges > MERMAID_MAX_EDGES) return pictureTooLarge(input);
  const marks = CHANGES.filter((c) => c !== "unchanged")
    .map((c) => `${CHANGE_MARK[c].trim()} ${c}`)
    .join(", ");
  return [
    "### Topology",
    "",
    "```mermaid",
    input.mermaid.trimEnd(),
    "```",
    "",
    `Marks: ${marks} (removed dashed). The same picture as SVG: [${escapeCell(input.svgFile)}](${encodeURI(input.svgFile)}).`,
  ].join("\n");
}

/** What a placement does to members that exist already (new members are not "touched"). */
function pictureTooLarge(input: ReportInput): string {
  const why = `more than Mermaid draws (${MERMAID_MAX_TEXT} characters or ${MERMAID_MAX_EDGES} edges)`;
  return `### Topology\n\nThe picture is ${why}: see [${escapeCell(input.svgFile)}](${encodeURI(input.svgFile)}).`;
}

function placementTouch(p: PlacementEntry, existing: ReadonlySet<string>): string | undefined {
  const w = p.whatIf;
  const old = (members: readonly string[]) => members.filter((m) => existing.has(memberKey(p.fleet, m)));
  const [added, removed] = [old(w?.added ?? []), old(w?.removed ?? [])];
  if (!w || (added.length === 0 && removed.length === 0)) return undefined;
  const parts = [
    added.length ? `places its objects on ${added.join(", ")}` : "",
    removed.length ? `removes them from ${removed.join(", ")}` : "",
  ];
  return `Placement ${code(p.name)}: ${escapeCell(parts.filter(Boolean).join("; "))} (${escapeCell(rolloutLine(w.batches))})`;
}

const RENUMBERED: AllocationChange = "renumbered";

function touches(model: ReportModel): string {
  const existing = new Set(model.members.filter((m) => m.change !== "added").map((m) => memberKey(m.fleet, m.name)));
  const lines = [
    ...model.meshes
      .filter((m) => m.existingMembers && m.existingMembers.via !== "none")
      .map((m) => `mesh ${code(m.name)}: ${escapeCell(touchLine(m.existingMembers!))}`),
    ...model.members
      .filter((m) => m.allocationChange === RENUMBERED)
      .map((m) => `member ${code(m.name)}: renumbered: its cluster id, CIDRs or NodePort change (allowRenumber)`),
    ...model.placements.map((p) => placementTouch(p, existing)).filter((line): line is string => line !== undefined),
  ];
  const none = "Nothing: no member that exists already is written to.";
  return ["### What this change touches on existing members", "", ...(lines.length ? lines.map((l) => `- ${l}`) : [none])].join("\n");
}

const orDash = (value: string | number | undefined) => (value === undefined ? "-" : String(value));

function allocation(model: ReportModel): string {
  const fleets = [...new Set(model.members.map((m) => m.fleet))];
  const sections = fleets.map((fleet) => {
    const members = model.members.filter((m) => m.fleet === fleet);
    const rows = members.map((m) => [
      m.name,
      m.provisioner,
      orDash(m.region),
      orDash(m.mesh),
      orDash(m.allocation?.clusterId),
      orDash(m.allocation?.podCidr),
      orDash(m.allocation?.serviceCidr),
      orDash(m.allocation?.nodePort),
      m.allocationChange,
      m.change,
    ]);
    const header = [
      "member",
      "provisioner",
      "region",
      "mesh",
      "cluster id",
      "pod CIDR",
      "service CIDR",
      "NodePort",
      "allocation",
      "change",
    ];
    return details(`fleet ${fleet}: ${plural(members.length, "member")}`, rows.length, table(header, rows));
  });
  return ["### Members", "", ...sections].join("\n");
}

function mesh(m: MeshEntry): string {
  const rows = m.rows.map((r) => [r.action, r.name, orDash(r.clusterId ?? UNKNOWN_VALUE), r.address ?? UNKNOWN_VALUE, r.state]);
  const body = table(["action", "member", "cluster id", "address", "mesh membership state"], rows);
  return details(`mesh ${m.name} (${m.backend}, fleet ${m.fleet}): ${plural(m.members.length, "member")}, ${m.change}`, rows.length, body);
}

function meshes(model: ReportModel): string {
  return ["### Meshes", ...(model.meshes.length ? model.meshes.map(mesh) : ["None."])].join("\n\n");
}

function services(model: ReportModel): string {
  const rows = model.services.map((s) => [
    s.name,
    s.kind,
    orDash(s.namespace),
    s.members.join(", ") || "-",
    orDash(s.ingressMember),
    s.change,
  ]);
  const body = model.services.length ? table(["service", "kind", "namespace", "served by", "ingress", "change"], rows) : "None.";
  return ["### Services", "", rows.length > OPEN_ROWS ? details(plural(rows.length, "service"), rows.length, body) : body].join("\n");
}

function placement(p: PlacementEntry): string {
  const w = p.whatIf;
  if (!w) return `#### Placement ${escapeCell(p.name)}: ${p.change}\n\nIt targeted ${escapeCell(p.targets.join(", ") || "no member")}.`;
  const rows = placementWhatIfRows(w);
  const header = PLACEMENT_WHAT_IF_HEADER.map((h) => h.toLowerCase());
  return [
    `#### Placement ${escapeCell(p.name)} (${w.placementType}, ${w.mode}): ${p.change}`,
    "",
    escapeCell(`${w.condition.type}=${w.condition.status} ${w.condition.reason}: ${w.condition.message}`),
    "",
    details(plural(rows.length, "decision"), rows.length, table(header, rows)),
    "",
    escapeCell(rolloutLine(w.batches)),
  ].join("\n");
}

function placements(model: ReportModel): string {
  return ["### Placements", ...(model.placements.length ? model.placements.map(placement) : ["None."])].join("\n\n");
}

function warnings(input: ReportInput): string | undefined {
  if (input.warnings.length === 0) return undefined;
  const body = input.warnings.map((w) => `- ${escapeCell(w)}`).join("\n");
  return ["### Warnings", "", details(plural(input.warnings.length, "warning"), input.warnings.length, body)].join("\n");
}

const join = (sections: ReadonlyArray<string | undefined>) => `${sections.filter((s) => s !== undefined).join("\n\n")}\n`;

/**
 * The report; when it is longer than a comment holds, a shorter one (summary, picture, what is
 * touched) that points at the whole one, written to `fullFile`.
 */
export function renderReport(input: ReportInput, fullFile: string): RenderedReport {
  const head = [summary(input), picture(input), touches(input.model)];
  const full = join([
    ...head,
    allocation(input.model),
    meshes(input.model),
    services(input.model),
    placements(input.model),
    warnings(input),
  ]);
  if (full.length <= COMMENT_LIMIT) return { report: full };
  const pointer = `### Details\n\nThe whole report (${full.length} characters, more than one pull request comment holds) is ${code(fullFile)}, beside this one.`;
  const short = join([...head, pointer]);
  if (short.length <= COMMENT_LIMIT) return { report: short, full };
  return { report: join([summary(input), pictureTooLarge({ ...input, edges: Infinity }), pointer]), full };
}
