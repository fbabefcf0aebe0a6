/**
 * The part of InfluxQL (InfluxDB 1.x) that the EFD double answers: raw `SELECT` statements with a field
 * list or `*`, one measurement, a `WHERE` of comparisons joined by AND/OR (with `now() - 60s`), `ORDER BY
 * time` and `LIMIT`. Quoting and escapes follow InfluxQL's scanner, so the double reads a statement the
 * way InfluxDB would, and a badly quoted name is a parse error here as it would be there.
 */

export class InfluxQLError extends Error {}

/** A side of a comparison: a field or tag, a literal, or `now()` give or take a duration. */
export type Operand =
  | { readonly kind: "ref"; readonly name: string }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "now"; readonly offsetMs: number };

/** A `WHERE` condition. */
export type Expr =
  | { readonly kind: "and" | "or"; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "cmp"; readonly op: string; readonly left: Operand; readonly right: Operand };

/** One parsed `SELECT`. */
export interface SelectStatement {
  readonly fields: "*" | readonly string[];
  /** The measurement; `database` and `retention` when the source was `"db"."rp"."m"`. */
  readonly source: { readonly database?: string; readonly retention?: string; readonly measurement: string };
  readonly where?: Expr;
  readonly order: "asc" | "desc";
  readonly limit?: number;
}

interface Token {
  readonly kind: "ident" | "keyword" | "string" | "number" | "duration" | "symbol" | "eof";
  readonly text: string;
  readonly value?: string | number;
  readonly pos: number;
}

const KEYWORDS = new Set(["SELECT", "FROM", "WHERE", "AND", "OR", "ORDER", "BY", "ASC", "DESC", "LIMIT"]);
const UNITS: Record<string, number> = {
  ns: 1e-6,
  u: 1e-3,
  µ: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const ESCAPES: Record<string, string> = { "\\": "\\", n: "\n", '"': '"', "'": "'" };

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const pos = i;
    if (ch === '"' || ch === "'") {
      let value = "";
      i++;
      for (;;) {
        const c = text[i];
        if (c === undefined || c === "\n") throw new InfluxQLError(`bad string at char ${pos + 1}`);
        if (c === ch) break;
        if (c === "\\") {
          const e = ESCAPES[text[i + 1] ?? ""];
          if (e === undefined) throw new InfluxQLError(`bad escape at char ${i + 1}`);
          value += e;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      tokens.push({ kind: ch === '"' ? "ident" : "string", text: text.slice(pos, i), value, pos });
      continue;
    }
    const num = /^(\d+(?:\.\d+)?)(ns|ms|u|µ|s|m|h|d|w)?(?![A-Za-z0-9_])/.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      const n = Number(num[1]);
      const unit = num[2];
      tokens.push(
        unit
          ? { kind: "duration", text: num[0], value: n * UNITS[unit]!, pos }
          : { kind: "number", text: num[0], value: n, pos },
      );
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (word) {
      i += word[0].length;
      const upper = word[0].toUpperCase();
      tokens.push(
        KEYWORDS.has(upper)
          ? { kind: "keyword", text: upper, pos }
          : { kind: "ident", text: word[0], value: word[0], pos },
      );
      continue;
    }
    const sym = /^(!=|<>|<=|>=|=|<|>|-|\+|\*|,|;|\(|\)|\.)/.exec(text.slice(i));
    if (!sym) throw new InfluxQLError(`found ${ch}, expected a statement at char ${pos + 1}`);
    i += sym[0].length;
    tokens.push({ kind: "symbol", text: sym[0], pos });
  }
  tokens.push({ kind: "eof", text: "EOF", pos: text.length });
  return tokens;
}

/** Parses statements separated by `;`; throws an InfluxQLError that reads like InfluxDB's. */
export function parseQuery(text: string): SelectStatement[] {
  const tokens = lex(text);
  let k = 0;
  const peek = () => tokens[k]!;
  const next = () => tokens[k++]!;
  const fail = (expected: string): never => {
    const t = peek();
    throw new InfluxQLError(`found ${t.text}, expected ${expected} at char ${t.pos + 1}`);
  };
  const accept = (kind: Token["kind"], text: string): boolean => {
    if (peek().kind !== kind || peek().text !== text) return false;
    next();
    return true;
  };
  const keyword = (word: string) => accept("keyword", word);
  const symbol = (s: string) => accept("symbol", s);
  const ident = (): string => (peek().kind === "ident" ? String(next().value) : fail("identifier"));

  const operand = (): Operand => {
    const t = peek();
    if (t.kind === "string" || t.kind === "number") {
      next();
      return t.kind === "string"
        ? { kind: "string", value: String(t.value) }
        : { kind: "number", value: Number(t.value) };
    }
    if (symbol("-")) {
      if (peek().kind !== "number") fail("number");
      return { kind: "number", value: -Number(next().value) };
    }
    if (t.kind === "ident" && t.text.toLowerCase() === "now" && tokens[k + 1]?.text === "(") {
      next();
      next();
      if (!symbol(")")) fail(")");
      let offsetMs = 0;
      if (peek().text === "-" || peek().text === "+") {
        const sign = next().text === "-" ? -1 : 1;
        if (peek().kind !== "duration") fail("duration");
        offsetMs = sign * Number(next().value);
      }
      return { kind: "now", offsetMs };
    }
    if (t.kind === "ident") return { kind: "ref", name: ident() };
    return fail("identifier, string, number or now()");
  };
  const comparison = (): Expr => {
    if (symbol("(")) {
      const inner = or();
      if (!symbol(")")) fail(")");
      return inner;
    }
    const left = operand();
    const op = peek();
    if (op.kind !== "symbol" || !["=", "!=", "<>", "<", "<=", ">", ">="].includes(op.text))
      fail("comparison operator");
    next();
    return { kind: "cmp", op: op.text === "<>" ? "!=" : op.text, left, right: operand() };
  };
  const and = (): Expr => {
    let left = comparison();
    while (keyword("AND")) left = { kind: "and", left, right: comparison() };
    return left;
  };
  const or = (): Expr => {
    let left = and();
    while (keyword("OR")) left = { kind: "or", left, right: and() };
    return left;
  };
  const statement = (): SelectStatement => {
    if (!keyword("SELECT")) fail("SELECT");
    let fields: "*" | string[] = "*";
    if (!symbol("*")) {
      fields = [ident()];
      while (symbol(",")) fields.push(ident());
      if (peek().text === "(") fail("FROM (functions are not supported by this double)");
    }
    if (!keyword("FROM")) fail("FROM");
    const parts = [ident()];
    while (symbol(".")) parts.push(ident());
    if (parts.length > 3) fail("; (too many dots in the measurement: quote it)");
    const measurement = parts[parts.length - 1]!;
    const source =
      parts.length === 3 ? { database: parts[0], retention: parts[1], measurement } : { measurement };
    const where = keyword("WHERE") ? or() : undefined;
    let order: "asc" | "desc" = "asc";
    if (keyword("ORDER")) {
      if (!keyword("BY")) fail("BY");
      if (peek().kind !== "ident" || peek().text.toLowerCase() !== "time") fail("time");
      next();
      if (keyword("DESC")) order = "desc";
      else keyword("ASC");
    }
    let limit: number | undefined;
    if (keyword("LIMIT")) limit = peek().kind === "number" ? Number(next().value) : fail("number");
    return { fields, source, where, order, limit };
  };

  const statements: SelectStatement[] = [];
  while (peek().kind !== "eof") {
    statements.push(statement());
    if (!symbol(";") && peek().kind !== "eof") fail(";");
  }
  if (statements.length === 0) fail("SELECT");
  return statements;
}

/** A point of a measurement: its time (ms), tags (strings) and fields. */
export interface Point {
  readonly time: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, number | string | boolean>>;
}

/** The series a statement returns, or undefined when no point matches (InfluxDB then omits it). */
export function execute(
  statement: SelectStatement,
  points: readonly Point[],
  now: number,
): { columns: string[]; rows: { time: number; values: unknown[] }[] } | undefined {
  let selected = points.filter((p) => !statement.where || holds(statement.where, p, now));
  const names =
    statement.fields === "*"
      ? [...new Set(selected.flatMap((p) => [...Object.keys(p.tags), ...Object.keys(p.fields)]))].sort()
      : [...statement.fields];
  const value = (p: Point, name: string) => p.fields[name] ?? p.tags[name] ?? null;
  selected = selected.filter((p) => names.some((n) => p.fields[n] !== undefined));
  selected.sort((a, b) => (statement.order === "desc" ? b.time - a.time : a.time - b.time));
  if (statement.limit !== undefined) selected = selected.slice(0, statement.limit);
  if (selected.length === 0) return undefined;
  return {
    columns: ["time", ...names],
    rows: selected.map((p) => ({ time: p.time, values: names.map((n) => value(p, n)) })),
  };
}

type Value = { type: "time" | "number" | "string" | "boolean"; v: number | string | boolean } | null;

function resolve(o: Operand, p: Point, now: number): Value {
  switch (o.kind) {
    case "string":
      return { type: "string", v: o.value };
    case "number":
      return { type: "number", v: o.value };
    case "now":
      return { type: "time", v: now + o.offsetMs };
    case "ref": {
      if (o.name === "time") return { type: "time", v: p.time };
      if (o.name in p.tags) return { type: "string", v: p.tags[o.name]! };
      const f = p.fields[o.name];
      if (f === undefined) return null;
      return { type: typeof f as "number" | "string" | "boolean", v: f };
    }
  }
}

function holds(e: Expr, p: Point, now: number): boolean {
  if (e.kind !== "cmp") {
    return e.kind === "and"
      ? holds(e.left, p, now) && holds(e.right, p, now)
      : holds(e.left, p, now) || holds(e.right, p, now);
  }
  return compare(e.op, e.left, e.right, p, now);
}

function compare(op: string, left: Operand, right: Operand, p: Point, now: number): boolean {
  let a = resolve(left, p, now);
  let b = resolve(right, p, now);
  if (!a || !b) return false;
  // A time compared with a string literal reads the string as an RFC 3339 time.
  if (a.type === "time" && b.type === "string") b = { type: "time", v: Date.parse(String(b.v)) };
  if (b.type === "time" && a.type === "string") a = { type: "time", v: Date.parse(String(a.v)) };
  const numeric = (t: string) => t === "time" || t === "number";
  if (!(a.type === b.type || (numeric(a.type) && numeric(b.type)))) return false;
  const x = a.v;
  const y = b.v;
  switch (op) {
    case "=":
      return x === y;
    case "!=":
      return x !== y;
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    default:
      return x >= y;
  }
}
