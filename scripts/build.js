// `npm run build`: the package as published. A fresh dist/ (no output of a source since removed),
// tsc over tsconfig.build.json, then the command, which is plain JavaScript, copied beside the CLI.
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const dist = path.join(root, "dist");
fs.rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json")], {
  stdio: "inherit",
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
fs.copyFileSync(path.join(root, "plan", "fleetmesh.js"), path.join(dist, "plan", "fleetmesh.js"));
fs.chmodSync(path.join(dist, "plan", "fleetmesh.js"), 0o755);
