// The entry point of the fake tools written in node (bin/kind, bin/docker, bin/az): takes the state
// lock, advances the logical clock, fires an injected fault if one matches (instead of running the
// command: a fault is a failure before anything changed), else runs the tool's model, records the
// call, and writes the state back before printing.
"use strict";

const fs = require("fs");
const store = require("./store");
const { TemplateGap } = require("./gotemplate");

const TOOLS = {
  kind: () => require("./kind"),
  docker: () => require("./docker"),
  az: () => require("./az"),
  kubectl: () => require("./kubectl"),
};

/** What a fault prints: az's service-error form for an `error` code, else its own stderr/stdout/exit. */
function faultOutput(tool, fault) {
  const exit = fault.exit ?? (tool === "az" && fault.status === 404 ? 3 : 1);
  if (fault.error !== undefined) {
    const message = fault.message ?? `Injected ${fault.error}.`;
    if (tool === "az") return { stdout: "", stderr: require("./az").serviceError({ code: fault.error, message }), exit };
    if (tool === "kind") return { stdout: "", stderr: `ERROR: ${fault.error}: ${message}\n`, exit };
    return { stdout: "", stderr: `${fault.error}: ${message}\n`, exit };
  }
  return { stdout: fault.stdout ?? "", stderr: fault.stderr ?? "", exit };
}

function run(tool) {
  const args = process.argv.slice(2);
  const model = TOOLS[tool]();
  let dir;
  try {
    dir = store.stateDir();
  } catch (error) {
    process.stderr.write(`fake ${tool}: ${error.message}\n`);
    process.exitCode = 99;
    return;
  }
  const stdin = model.wantsStdin(args) ? fs.readFileSync(0, "utf8") : undefined;
  const out = store.withLock(dir, () => {
    const state = store.load(dir);
    state.clock += 1;
    const fault = store.takeFault(dir, [tool, ...args]);
    let result;
    if (fault) result = faultOutput(tool, fault);
    else {
      try {
        result = model.run({ args, state, env: process.env, cwd: process.cwd(), stdin });
      } catch (error) {
        // A gap in the model must not pass for an answer of the real tool.
        const message = error instanceof TemplateGap ? error.message : `fake ${tool} crashed: ${error.stack}`;
        result = { stdout: "", stderr: `${message}\n`, exit: 99 };
      }
    }
    state.calls.push({ tick: state.clock, tool, args, exit: result.exit, ...(fault ? { fault: true } : {}) });
    store.writeState(dir, state);
    return result;
  });
  process.stdout.write(out.stdout);
  process.stderr.write(out.stderr);
  process.exitCode = out.exit;
}

module.exports = { run };
