// Command-line options as the CLIs the fakes stand for parse them: kind, docker and kubectl are cobra
// programs, whose flags spf13/pflag parses (`--flag value`, `--flag=value`, `-f value`; a repeated
// flag keeps every value, a scalar one the last).
"use strict";

/**
 * Splits `args` into the values of each flag (in order) and the positional arguments. `withValue`
 * flags take a value, `boolean` ones none; anything else starting with `-` (but `-` itself, stdin) is
 * an unknown flag. `fail(message)` makes the CLI's own error: pflag's words, the CLI's wrapping.
 */
function parseFlags(args, withValue, boolean, fail) {
  const values = {};
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const isFlag = arg.startsWith("-") && arg !== "-";
    const eq = arg.indexOf("=");
    const name = isFlag && eq > 0 ? arg.slice(0, eq) : arg;
    if (withValue.includes(name)) {
      const value = isFlag && eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw fail(`flag needs an argument: ${name}`);
      (values[name] ??= []).push(value);
    } else if (boolean.includes(name)) (values[name] ??= []).push(true);
    else if (isFlag) throw fail(`unknown flag: ${name}`);
    else positional.push(arg);
  }
  return { values, positional };
}

/** The last value of each flag: what a scalar pflag flag holds. */
function lastValues(values) {
  return Object.fromEntries(Object.entries(values).map(([name, all]) => [name, all[all.length - 1]]));
}

module.exports = { parseFlags, lastValues };
