// `sleep` on the logical clock. The fake `sleep` (bin/sleep, a shell script) appends its arguments
// as one line to the `sleeps` file; `fold` adds each new line to the clock: `sleep N` (seconds, with
// GNU's s/m/h/d suffixes, several arguments summed) is N ticks, so a script's poll loop costs no
// real time and an operation that "takes 20 seconds" is over after `sleep 10` twice.
"use strict";

const fs = require("fs");
const path = require("path");

const SLEEPS_FILE = "sleeps";
const UNITS = { s: 1, m: 60, h: 3600, d: 86400 };

function ticks(args) {
  let total = 0;
  for (const arg of args) {
    const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg);
    if (m) total += Number(m[1]) * UNITS[m[2] || "s"];
  }
  return Math.ceil(total);
}

/** Adds the sleeps written since the last fold to the clock and the call log (call under the lock). */
function fold(dir, state) {
  let text;
  try {
    text = fs.readFileSync(path.join(dir, SLEEPS_FILE), "utf8");
  } catch (error) {
    if (error.code === "ENOENT") return;
    throw error;
  }
  const offset = state.sleepsOffset ?? 0;
  const fresh = text.slice(offset);
  const complete = fresh.slice(0, fresh.lastIndexOf("\n") + 1);
  if (complete === "") return;
  for (const line of complete.split("\n").filter((l) => l !== "")) {
    const args = line.split(" ");
    state.clock += ticks(args);
    state.calls.push({ tick: state.clock, tool: "sleep", args, exit: 0 });
  }
  // The lines are ASCII: characters and bytes count alike.
  state.sleepsOffset = offset + complete.length;
}

module.exports = { fold, ticks, SLEEPS_FILE };
