// `npm run bench`: every benchmark of the project, printed as markdown and written to bench/REPORT.md.
import * as fs from "fs";
import * as path from "path";
import { runSchedulerBench } from "./scheduler.bench";
import { runFleetScaleBench } from "./fleet-scale.bench";

const lines: string[] = [
  `# fleetmesh benchmarks`,
  "",
  `Measured on this machine (${process.platform}, Node ${process.version}) on ${new Date().toISOString().slice(0, 10)}.`,
  "",
];
const log = (line: string) => {
  lines.push(line);
  console.log(line);
};
runSchedulerBench(log);
log("");
runFleetScaleBench((line) => log(line));
fs.writeFileSync(path.join(__dirname, "REPORT.md"), `${lines.join("\n")}\n`);
console.log(`\nwritten to ${path.join("bench", "REPORT.md")}`);
