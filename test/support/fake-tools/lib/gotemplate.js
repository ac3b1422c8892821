// The part of Go's text/template that `docker inspect -f` / `docker ps --format` templates use in
// fleetmesh's scripts and kind's provider: fields (`.A.B`), `index` (maps and lists), `json`, a
// parenthesised pipeline followed by fields, `range`/`if`/`else`/`end`, string and number literals,
// and the `.Label "k"` method of `docker ps` rows. Anything else is refused loudly, so a script that
// starts using more shows up as a gap in the model, not as a silent wrong answer.
"use strict";

/** A template the fake does not model (a gap to fill, not an answer). */
class TemplateGap extends Error {}

/** A template Go would run and fail on (docker prints it and exits 1). */
class TemplateExecError extends Error {}

/** Splits a template into text and actions (`{{- x -}}` trims the whitespace around it). */
function lex(template) {
  const parts = [];
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf("{{");
    if (open < 0) {
      parts.push({ text: rest });
      break;
    }
    let text = rest.slice(0, open);
    let inner = rest.slice(open + 2);
    const close = inner.indexOf("}}");
    if (close < 0) throw new TemplateGap(`template: unclosed action in ${JSON.stringify(template)}`);
    let action = inner.slice(0, close);
    rest = inner.slice(close + 2);
    if (action.startsWith("-")) {
      text = text.replace(/\s+$/, "");
      action = action.slice(1);
    }
    if (action.endsWith("-")) {
      action = action.slice(0, -1);
      rest = rest.replace(/^\s+/, "");
    }
    if (text) parts.push({ text });
    parts.push({ action: action.trim() });
  }
  return parts;
}

/** Words of an action: strings, numbers, parentheses, field chains, identifiers. */
function tokens(action) {
  const out = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|[^\s()]+)/y;
  let m;
  while (re.lastIndex < action.length && (m = re.exec(action))) out.push(m[1]);
  return out;
}

/** Parses a pipeline (one command, no `|`) from tokens, from position `i`; returns [node, next]. */
function parseCommand(toks, i, stop) {
  const args = [];
  while (i < toks.length && toks[i] !== stop) {
    const [node, next] = parseTerm(toks, i);
    args.push(node);
    i = next;
  }
  if (args.length === 0) throw new TemplateGap("template: empty command");
  return [args.length === 1 ? args[0] : { call: args[0], args: args.slice(1) }, i];
}

function parseTerm(toks, i) {
  const tok = toks[i];
  if (tok === "(") {
    const [inner, next] = parseCommand(toks, i + 1, ")");
    if (toks[next] !== ")") throw new TemplateGap("template: unclosed parenthesis");
    // A field chain glued to the closing parenthesis arrives as its own token starting with ".".
    if (toks[next + 1] && toks[next + 1].startsWith(".") && toks[next + 1] !== ".") {
      return [{ fields: toks[next + 1].split(".").slice(1), of: inner }, next + 2];
    }
    return [inner, next + 1];
  }
  if (tok.startsWith('"')) return [{ literal: JSON.parse(tok) }, i + 1];
  if (tok.startsWith("`")) return [{ literal: tok.slice(1, -1) }, i + 1];
  if (/^-?\d+$/.test(tok)) return [{ literal: Number(tok) }, i + 1];
  if (tok === ".") return [{ fields: [] }, i + 1];
  if (tok.startsWith(".")) return [{ fields: tok.split(".").slice(1) }, i + 1];
  if (/^[a-z]+$/.test(tok)) return [{ func: tok }, i + 1];
  throw new TemplateGap(`template: the fake does not understand ${JSON.stringify(tok)}`);
}

function field(value, name, where) {
  if (value === null || value === undefined) {
    throw new TemplateExecError(`template: :1: executing "" at <${where}>: nil pointer evaluating interface {}.${name}`);
  }
  if (typeof value === "object" && typeof value.__method === "function" && !(name in value)) return value.__method(name);
  return value[name];
}

function evaluate(node, dot, where) {
  if ("literal" in node) return node.literal;
  if ("fields" in node) {
    let value = node.of ? evaluate(node.of, dot, where) : dot;
    for (const name of node.fields) value = field(value, name, where);
    return value;
  }
  if ("call" in node) {
    const args = node.args.map((a) => evaluate(a, dot, where));
    if (node.call.func === "index") {
      let value = args[0];
      for (const key of args.slice(1)) {
        if (value === null || value === undefined) {
          throw new TemplateExecError(`template: :1: executing "" at <${where}>: error calling index: index of untyped nil`);
        }
        value = value[key];
      }
      return value;
    }
    if (node.call.func === "json") return JSON.stringify(args[0] ?? null);
    if (node.call.func === "len") return (args[0] ?? []).length ?? Object.keys(args[0]).length;
    // A method call on the dot, e.g. `.Label "io.x-k8s.kind.cluster"` on a `docker ps` row.
    if ("fields" in node.call && node.call.fields.length === 1) {
      const method = dot && dot.__call;
      if (typeof method === "function") return method(node.call.fields[0], args);
    }
    throw new TemplateGap(`template: ${where}: the fake does not support this call`);
  }
  if ("func" in node) throw new TemplateGap(`template: ${where}: function ${node.func} needs arguments`);
  throw new TemplateGap(`template: ${where}: cannot evaluate`);
}

/** Go's fmt %v of a value, as templates print it. */
function show(value) {
  if (value === undefined || value === null) return "<no value>";
  if (Array.isArray(value)) return `[${value.map(show).join(" ")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value)
      .filter((k) => !k.startsWith("__"))
      .sort();
    return `map[${keys.map((k) => `${k}:${show(value[k])}`).join(" ")}]`;
  }
  return String(value);
}

function truthy(value) {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/** Builds the tree of text, pipelines, range and if blocks. */
function parse(template) {
  const root = { children: [] };
  const stack = [root];
  for (const part of lex(template)) {
    const top = stack[stack.length - 1];
    if ("text" in part) {
      (top.inElse ? top.elseChildren : top.children).push({ text: part.text });
      continue;
    }
    const toks = tokens(part.action);
    if (toks[0] === "end") {
      if (stack.length === 1) throw new TemplateGap("template: unexpected {{end}}");
      stack.pop();
      continue;
    }
    if (toks[0] === "else") {
      top.inElse = true;
      continue;
    }
    const block = toks[0] === "range" || toks[0] === "if" ? toks[0] : undefined;
    const [node, next] = parseCommand(toks, block ? 1 : 0);
    if (next !== toks.length) throw new TemplateGap(`template: the fake does not support ${JSON.stringify(part.action)}`);
    const item = block ? { block, node, children: [], elseChildren: [], source: part.action } : { node, source: part.action };
    (top.inElse ? top.elseChildren : top.children).push(item);
    if (block) stack.push(item);
  }
  if (stack.length !== 1) throw new TemplateGap("template: unexpected EOF");
  return root;
}

function run(children, dot) {
  let out = "";
  for (const child of children) {
    if ("text" in child) out += child.text;
    else if (child.block === "range") {
      const value = evaluate(child.node, dot, child.source);
      const items = Array.isArray(value)
        ? value
        : value && typeof value === "object"
          ? Object.keys(value)
              .sort()
              .map((k) => value[k])
          : [];
      out += items.length > 0 ? items.map((item) => run(child.children, item)).join("") : run(child.elseChildren, dot);
    } else if (child.block === "if") {
      out += truthy(evaluate(child.node, dot, child.source)) ? run(child.children, dot) : run(child.elseChildren, dot);
    } else out += show(evaluate(child.node, dot, child.source));
  }
  return out;
}

/** Executes `template` on `data`; throws TemplateGap for what the fake does not model. */
function execute(template, data) {
  return run(parse(template).children, data);
}

module.exports = { execute, TemplateGap, TemplateExecError };
