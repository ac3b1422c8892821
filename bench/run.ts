// `npm run bench`: every benchmark of the project, printed as markdown and written to bench/REPORT.md.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runSchedulerBench } from "./scheduler.bench";
import { runFleetScaleBench } from "./fleet-scale.bench";

async function main(): Promise<void> {
  const started = Date.now();
  const load = () =>
    os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(" / ");
  const lines: string[] = [
    `# fleetmesh benchmarks`,
    "",
    `Measured on this machine (${process.platform}, Node ${process.version}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB) on ${new Date().toISOString().slice(0, 10)}; load average (1 / 5 / 15 min) at the start: ${load()}.`,
    "",
  ];
  const log = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  runSchedulerBench(log);
  log("");
  await runFleetScaleBench(log);
  log("");
  log(`\`npm run bench\` took ${((Date.now() - started) / 60_000).toFixed(1)} min in all (load average at the end: ${load()}).`);
  fs.writeFileSync(path.join(__dirname, "REPORT.md"), `${lines.join("\n")}\n`);
  console.log(`\nwritten to ${path.join("bench", "REPORT.md")}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
