#!/usr/bin/env node
// The `fleetmesh` command: runs the TypeScript sources through ts-node (no build step needed).
require("ts-node").register({ transpileOnly: true, project: require("path").join(__dirname, "..", "tsconfig.json") });
require("./cli")
  .main(process.argv.slice(2))
  .then((code) => {
    // The plan has collected everything it prints; outputs nobody awaited are not leaks here, so
    // skip the Pulumi runtime's exit-time leak report.
    process.removeAllListeners("exit");
    process.exit(code);
  });
