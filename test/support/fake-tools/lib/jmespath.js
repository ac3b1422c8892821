// The part of JMESPath (https://jmespath.org/specification.html) that `az --query` expressions in
// fleetmesh's scripts and in Azure's own fleet scripts use: `@`, fields and sub-expressions,
// `[]` flatten, `[*]`, `[N]`, multiselect lists `[a, b]`, filters `[?a.b=='x']` with ==, !=, &&, ||, !, literals ('raw',
// `json`, numbers), `length()`, and pipes. Projections apply the rest of the expression to each
// element and drop nulls, as the specification says. Anything else is refused loudly.
"use strict";

class QueryGap extends Error {}

function tokenize(text) {
  const toks = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (["==", "!=", "&&", "||", "<=", ">="].includes(two)) {
      toks.push({ op: two });
      i += 2;
      continue;
    }
    if ("[]().,?@|!*<>".includes(c)) {
      toks.push({ op: c });
      i++;
      continue;
    }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new QueryGap(`unterminated raw string in ${text}`);
      toks.push({ literal: text.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    if (c === "`") {
      const end = text.indexOf("`", i + 1);
      if (end < 0) throw new QueryGap(`unterminated literal in ${text}`);
      toks.push({ literal: JSON.parse(text.slice(i + 1, end)) });
      i = end + 1;
      continue;
    }
    if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i));
      if (!m) throw new QueryGap(`unterminated identifier in ${text}`);
      toks.push({ ident: JSON.parse(m[0]) });
      i += m[0].length;
      continue;
    }
    const num = /^-?\d+/.exec(text.slice(i));
    if (num) {
      toks.push({ number: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (ident) {
      toks.push({ ident: ident[0] });
      i += ident[0].length;
      continue;
    }
    throw new QueryGap(`the fake az does not understand ${JSON.stringify(text.slice(i))} in --query ${text}`);
  }
  return toks;
}

/** A recursive-descent parser producing nodes {type, ...}. */
function parser(text) {
  const toks = tokenize(text);
  let pos = 0;
  const peek = () => toks[pos];
  const isOp = (op) => toks[pos] && toks[pos].op === op;
  const expect = (op) => {
    if (!isOp(op)) throw new QueryGap(`expected ${op} in --query ${text}`);
    pos++;
  };

  function pipe() {
    let left = or();
    while (isOp("|")) {
      pos++;
      left = { type: "pipe", left, right: or() };
    }
    return left;
  }
  function or() {
    let left = and();
    while (isOp("||")) {
      pos++;
      left = { type: "or", left, right: and() };
    }
    return left;
  }
  function and() {
    let left = comparison();
    while (isOp("&&")) {
      pos++;
      left = { type: "and", left, right: comparison() };
    }
    return left;
  }
  function comparison() {
    const left = unary();
    const tok = peek();
    if (tok && ["==", "!=", "<", ">", "<=", ">="].includes(tok.op)) {
      pos++;
      return { type: "compare", op: tok.op, left, right: unary() };
    }
    return left;
  }
  function unary() {
    if (isOp("!")) {
      pos++;
      return { type: "not", expr: unary() };
    }
    return chain();
  }
  /** A primary expression followed by `.field`, `[N]`, `[]`, `[*]`, `[?...]` segments. */
  function chain() {
    const segments = [];
    const first = primary();
    if (first) segments.push(first);
    for (;;) {
      if (isOp(".")) {
        pos++;
        const tok = peek();
        if (tok && tok.ident !== undefined) {
          pos++;
          segments.push({ type: "field", name: tok.ident });
        } else if (isOp("*")) {
          pos++;
          segments.push({ type: "values" });
        } else if (isOp("[")) {
          pos++;
          segments.push(multiselect());
        } else throw new QueryGap(`expected a field after . in --query ${text}`);
      } else if (isOp("[")) segments.push(bracket());
      else break;
    }
    if (segments.length === 0) throw new QueryGap(`empty expression in --query ${text}`);
    return { type: "chain", segments };
  }
  function bracket() {
    expect("[");
    if (isOp("]")) {
      pos++;
      return { type: "flatten" };
    }
    if (isOp("*")) {
      pos++;
      expect("]");
      return { type: "star" };
    }
    if (isOp("?")) {
      pos++;
      const condition = pipe();
      expect("]");
      return { type: "filter", condition };
    }
    const tok = peek();
    if (tok && tok.number !== undefined) {
      pos++;
      expect("]");
      return { type: "index", index: tok.number };
    }
    return multiselect();
  }
  /** `[a, b.c]` (after its "["): a list of expressions evaluated on the current value. */
  function multiselect() {
    const items = [pipe()];
    while (isOp(",")) {
      pos++;
      items.push(pipe());
    }
    expect("]");
    return { type: "multiselect", items };
  }
  function primary() {
    const tok = peek();
    if (!tok) throw new QueryGap(`unexpected end of --query ${text}`);
    if (tok.op === "@") {
      pos++;
      return { type: "current" };
    }
    if (tok.literal !== undefined) {
      pos++;
      return { type: "literal", value: tok.literal };
    }
    if (tok.number !== undefined) {
      pos++;
      return { type: "literal", value: tok.number };
    }
    if (tok.op === "(") {
      pos++;
      const inner = pipe();
      expect(")");
      return { type: "group", expr: inner };
    }
    if (tok.ident !== undefined) {
      pos++;
      if (isOp("(")) {
        pos++;
        const args = [];
        while (!isOp(")")) {
          args.push(pipe());
          if (isOp(",")) pos++;
        }
        expect(")");
        return { type: "call", name: tok.ident, args };
      }
      return { type: "field", name: tok.ident };
    }
    if (tok.op === "[") return undefined; // a chain that starts with a bracket applies to the current value
    throw new QueryGap(`unexpected ${JSON.stringify(tok)} in --query ${text}`);
  }

  const tree = pipe();
  if (pos !== toks.length) throw new QueryGap(`unexpected trailing ${JSON.stringify(toks[pos])} in --query ${text}`);
  return tree;
}

function truthy(v) {
  return !(
    v === null ||
    v === undefined ||
    v === false ||
    v === "" ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === "object" && Object.keys(v).length === 0)
  );
}

function equal(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function callFunction(name, args) {
  if (name === "length") {
    const [v] = args;
    if (typeof v === "string" || Array.isArray(v)) return v.length;
    if (v && typeof v === "object") return Object.keys(v).length;
    throw new QueryGap("length() of a value that has no length");
  }
  if (name === "contains") {
    const [subject, search] = args;
    return Array.isArray(subject) ? subject.some((x) => equal(x, search)) : typeof subject === "string" && subject.includes(search);
  }
  if (name === "starts_with") return typeof args[0] === "string" && args[0].startsWith(args[1]);
  if (name === "keys") return Object.keys(args[0] ?? {});
  throw new QueryGap(`the fake az does not support the function ${name}()`);
}

function evaluateSegments(segments, value) {
  let current = value;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const rest = segments.slice(i + 1);
    const project = (items) => items.map((item) => evaluateSegments(rest, item)).filter((v) => v !== null && v !== undefined);
    switch (seg.type) {
      case "current":
        break;
      case "literal":
        current = seg.value;
        break;
      case "group":
        current = evaluate(seg.expr, current);
        break;
      case "call":
        current = callFunction(
          seg.name,
          seg.args.map((a) => evaluate(a, current)),
        );
        break;
      case "field":
        current = current && typeof current === "object" && !Array.isArray(current) ? (current[seg.name] ?? null) : null;
        break;
      case "index":
        current = Array.isArray(current) ? (current.at(seg.index) ?? null) : null;
        break;
      case "flatten":
        if (!Array.isArray(current)) return null;
        return project(current.flatMap((x) => (Array.isArray(x) ? x : [x])));
      case "star":
        if (!Array.isArray(current)) return null;
        return project(current);
      case "values":
        if (!current || typeof current !== "object" || Array.isArray(current)) return null;
        return project(Object.values(current));
      case "multiselect":
        if (current === null || current === undefined) return null;
        current = seg.items.map((item) => evaluate(item, current) ?? null);
        break;
      case "filter":
        if (!Array.isArray(current)) return null;
        return project(current.filter((item) => truthy(evaluate(seg.condition, item))));
      default:
        throw new QueryGap(`cannot evaluate ${seg.type}`);
    }
  }
  return current;
}

function evaluate(node, value) {
  switch (node.type) {
    case "chain":
      return evaluateSegments(node.segments, value);
    case "pipe":
      return evaluate(node.right, evaluate(node.left, value));
    case "or": {
      const left = evaluate(node.left, value);
      return truthy(left) ? left : evaluate(node.right, value);
    }
    case "and": {
      const left = evaluate(node.left, value);
      return truthy(left) ? evaluate(node.right, value) : left;
    }
    case "not":
      return !truthy(evaluate(node.expr, value));
    case "compare": {
      const [a, b] = [evaluate(node.left, value), evaluate(node.right, value)];
      if (node.op === "==") return equal(a, b);
      if (node.op === "!=") return !equal(a, b);
      if (typeof a !== "number" || typeof b !== "number") return null;
      return { "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b }[node.op];
    }
    default:
      return evaluateSegments([node], value);
  }
}

/** Evaluates a JMESPath `expression` on `value`; throws QueryGap for what the fake does not model. */
function search(value, expression) {
  return evaluate(parser(expression), value);
}

module.exports = { search, QueryGap };
