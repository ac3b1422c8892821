#!/usr/bin/env node
// The `fleetmesh` command. Built (dist/plan/, what the package's bin runs) it runs the compiled CLI;
// from this repository's sources (plan/, `npm run plan`) it compiles them with ts-node first, scoped to
// the repository so that a program elsewhere is compiled with its own tsconfig (see run-program).
const fs = require("fs");
const path = require("path");

if (!fs.existsSync(path.join(__dirname, "cli.js"))) {
  const root = path.join(__dirname, "..");
  require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json"), scope: true, scopeDir: root });
}
require("./cli")
  .main(process.argv.slice(2))
  .then((code) => {
    // The plan has collected everything it prints; outputs nobody awaited are not leaks here, so
    // skip the Pulumi runtime's exit-time leak report.
    process.removeAllListeners("exit");
    process.exit(code);
  });
