// Scale of a meshed kind fleet with one GlobalService under the mock runtime, against the engine
// floor (the same resources registered with no fleetmesh logic), and what one joining member changes.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const SIZES = [2, 16, 64, 255, 511];

interface Measurement {
  mode: string;
  members: number;
  resources: number;
  ms: number;
  maxRssMb: number;
  byType: Record<string, number>;
}

interface ShapeEntry {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const CHILD = path.join(__dirname, "scale-child.ts");

function measure(mode: "fleetmesh" | "floor", members: number, shapeFile: string, previousState?: string): Measurement {
  const out = execFileSync(
    process.execPath,
    [
      "-r",
      "ts-node/register/transpile-only",
      "--max-old-space-size=8192",
      CHILD,
      mode,
      String(members),
      shapeFile,
      ...(previousState ? [previousState] : []),
    ],
    {
      cwd: path.join(__dirname, ".."),
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(out.trim().split("\n").pop()!) as Measurement;
}

/** Resources present in both runs whose inputs differ, counted by type. */
function changedByJoin(before: ShapeEntry[], after: ShapeEntry[]): Record<string, number> {
  const old = new Map(before.map((r) => [`${r.type}::${r.name}`, JSON.stringify(r.inputs)]));
  const changed: Record<string, number> = {};
  for (const r of after) {
    const previous = old.get(`${r.type}::${r.name}`);
    if (previous !== undefined && previous !== JSON.stringify(r.inputs)) changed[r.type] = (changed[r.type] ?? 0) + 1;
  }
  return changed;
}

export function runFleetScaleBench(say: (line: string) => void = console.log): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-scale-"));
  say("## Fleet scale (meshed kind members + one GlobalService, mock-runtime preview, one process per run)");
  say("");
  say("| members | resources | per member | fleetmesh ms | floor ms | overhead | fleetmesh peak MB | floor peak MB |");
  say("|---|---|---|---|---|---|---|---|");
  const results: Array<{ fm: Measurement; fl: Measurement }> = [];
  for (const members of SIZES) {
    const shape = path.join(dir, `shape-${members}.json`);
    const fm = measure("fleetmesh", members, shape);
    const fl = measure("floor", members, shape);
    results.push({ fm, fl });
    const perMember = ((fm.resources - 5) / members).toFixed(2);
    const overhead = `${(((fm.ms - fl.ms) / fl.ms) * 100).toFixed(0)}%`;
    say(
      `| ${members} | ${fm.resources} | ${perMember} | ${fm.ms.toFixed(0)} | ${fl.ms.toFixed(0)} | ${overhead} | ${fm.maxRssMb} | ${fl.maxRssMb} |`,
    );
  }
  const [at64, at255] = [results.find((r) => r.fm.members === 64)!, results.find((r) => r.fm.members === 255)!];
  say("");
  say(
    `Growth 64 → 255 members (×${(255 / 64).toFixed(2)}): fleetmesh ×${(at255.fm.ms / at64.fm.ms).toFixed(2)}, floor ×${(at255.fl.ms / at64.fl.ms).toFixed(2)}.`,
  );
  say(
    `Resources per member are fixed (no resource per pair of members): ${JSON.stringify(Object.fromEntries(Object.entries(at255.fm.byType).filter(([, n]) => n >= 255)))} at 255.`,
  );
  // The join is a second run: the 256-member fleet is planned against the 255-member run's state.
  const joined = path.join(dir, "shape-256.json");
  measure("fleetmesh", 256, joined, path.join(dir, "shape-255.json.state.json"));
  const changed = changedByJoin(
    JSON.parse(fs.readFileSync(path.join(dir, "shape-255.json"), "utf8")),
    JSON.parse(fs.readFileSync(joined, "utf8")),
  );
  say("");
  say(
    `One member joining the 255-member mesh changes these existing resources: ${JSON.stringify(changed)} (every Cilium release gets the new peer; with KVStoreMesh only the clustermesh-apiserver restarts).`,
  );
}
