import { Document, isScalar, isSeq, visit } from "yaml";
import type { Json } from "../ir/schema.js";

/**
 * Format-neutral text helpers of the emitters: inline code in prose, paragraphs, shell quoting, YAML and
 * durations. Every function is pure and total: any string is accepted and nothing is lost.
 */

/** A piece of prose: plain text, or inline code (commands, names) to set in a monospace face. */
export type Run = { text: string } | { code: string };

/**
 * Splits prose into runs, reading backtick code spans the way CommonMark does: a run of N backticks opens
 * a span that the next run of exactly N backticks closes; a backtick run that is never closed is plain text.
 * Joining the runs back (text as is, code between its backticks) gives the input again.
 */
export function inlineRuns(text: string): Run[] {
  const runs: Run[] = [];
  let plain = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] !== "`") {
      plain += text[i];
      i++;
      continue;
    }
    let n = 0;
    while (text[i + n] === "`") n++;
    const fence = "`".repeat(n);
    let close = -1;
    for (let j = i + n; j < text.length; ) {
      const at = text.indexOf(fence, j);
      if (at < 0) break;
      let m = 0;
      while (text[at + m] === "`") m++;
      if (m === n) {
        close = at;
        break;
      }
      j = at + m;
    }
    if (close < 0 || close === i + n) {
      plain += fence;
      i += n;
      continue;
    }
    if (plain) runs.push({ text: plain });
    plain = "";
    runs.push({ code: text.slice(i + n, close) });
    i = close + n;
  }
  if (plain) runs.push({ text: plain });
  return runs;
}

/** Paragraphs of prose: split at blank lines, each trimmed; no empty paragraphs. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\r?\n[ \t]*\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Prose on one line: runs of whitespace (newlines included) become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument as a POSIX shell word: bare when it is safe, otherwise single-quoted. */
export function shellQuote(arg: string): string {
  if (SHELL_SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * An argument vector as the command line a person would paste into a POSIX shell: the same words reach
 * the program as the runtime passes in its argument array.
 */
export function commandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}

/**
 * A JSON value as YAML, deterministically: keys sorted, lists of plain values on one line (as the source
 * procedures write script configurations: `- [ScriptQueue:3, OFFLINE]`), no line folding, final newline.
 * Strings are quoted by YAML 1.1 rules (`"yes"`, `"on"`, `"1:30"`), as the ScriptQueue reads
 * configurations with PyYAML, which would take a bare `yes` for `true` and `1:30` for 90.
 */
export function toYaml(value: Json): string {
  const doc = new Document(value, { sortMapEntries: true, version: "1.1" });
  visit(doc, {
    Seq(_key, node) {
      if (node.items.length > 0 && node.items.every((item) => isScalar(item) && !isSeq(item)))
        node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false, indentSeq: true });
}

/** A duration for people: `45 s`, `2 min`, `1 min 30 s`, `1 h 5 min`. Negative or NaN input gives `0 s`. */
export function formatDuration(seconds: number): string {
  const total = Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts: string[] = [];
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s && !h) parts.push(`${s} s`);
  return parts.join(" ") || "0 s";
}

/**
 * Orders step ids the way people read them: segment by segment, numbers as numbers (`2.10` after `2.9`),
 * other segments after numbers and by code unit (`1.end` after `1.12`).
 */
export function compareIds(a: string, b: string): number {
  const as = a.split(".");
  const bs = b.split(".");
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const x = as[i];
    const y = bs[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : Number.POSITIVE_INFINITY;
    const ny = /^\d+$/.test(y) ? Number(y) : Number.POSITIVE_INFINITY;
    if (nx !== ny) return nx - ny;
    return x < y ? -1 : 1;
  }
  return 0;
}
