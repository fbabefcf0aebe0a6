import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import type { Span } from "../../src/diagnostics/span.js";

/**
 * Helpers of the golden tests: a fixture beside its expected output, one loop per folder, and
 * `UPDATE_GOLDEN=1` to rewrite the expected files (review the diff like code).
 */

export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === "1";

export const FIXTURES = "test/language/fixtures";

/** The `.dpl` files of a fixture folder, sorted, as paths relative to the repository root. */
export function fixturesIn(folder: string): string[] {
  const dir = join(FIXTURES, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".dpl"))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Compares `actual` with the file at `path`; with UPDATE_GOLDEN=1 writes it instead. A missing expected
 * file fails (so a new fixture is reviewed before it passes).
 */
export function expectGolden(path: string, actual: string): void {
  if (UPDATE_GOLDEN) {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist: run the test with UPDATE_GOLDEN=1 and review it`);
  }
  expect(actual, `${path} is out of date (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(path, "utf8"));
}

function isSpan(v: unknown): v is Span {
  return (
    typeof v === "object" &&
    v !== null &&
    "file" in v &&
    "start" in v &&
    "end" in v &&
    "line" in v &&
    "column" in v &&
    "endLine" in v
  );
}

/** A span as `line:column-line:column`, which reads well in a diff and does not depend on offsets. */
export function showSpan(s: Span): string {
  return `${s.line}:${s.column}-${s.endLine}:${s.endColumn}`;
}

/** The AST with every span shortened to `line:column-line:column` and the file path left out. */
export function outlineValue(value: unknown): unknown {
  if (isSpan(value)) return showSpan(value);
  if (Array.isArray(value)) return value.map(outlineValue);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === "path" && typeof v === "string") continue;
      out[k] = outlineValue(v);
    }
    return out;
  }
  return value;
}

/**
 * JSON that puts a value on one line when it fits in `width` columns and breaks it up otherwise, so that
 * small nodes stay compact and a change shows as a small diff.
 */
export function compactJson(value: unknown, indent = "", column = indent.length, width = 110): string {
  const flat = oneLine(value);
  if (column + flat.length <= width || typeof value !== "object" || value === null) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + compactJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  const lines = entries.map(([k, v]) => {
    const key = `${JSON.stringify(k)}: `;
    return inner + key + compactJson(v, inner, inner.length + key.length);
  });
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`).join(", ")} }`;
  }
  return JSON.stringify(value) ?? "null";
}

/** One expected diagnostic: `DPL1002 4:12`. */
export type Expectation = string;

/**
 * The diagnostics a fixture states it expects, one comment line each: `# expect: DPL1002 4:12`. Read from
 * the bytes as Latin-1, so that binary and non-UTF-8 fixtures can state theirs too.
 */
export function expectationsOf(bytes: Uint8Array): Expectation[] {
  const text = Buffer.from(bytes).toString("latin1");
  const out: Expectation[] = [];
  for (const m of text.matchAll(/^#\s*expect:\s*(DPL\d{4})\s+(\d+):(\d+)\s*$/gm)) {
    out.push(`${m[1]} ${m[2]}:${m[3]}`);
  }
  return out.sort(byPosition);
}

/** Diagnostics (or their JSON) in the form of expectations, sorted by position. */
export function actualOf(
  diagnostics: ReadonlyArray<Pick<Diagnostic, "code"> & { span?: { line: number; column: number } }>,
): Expectation[] {
  return diagnostics.map((d) => `${d.code} ${d.span?.line ?? 0}:${d.span?.column ?? 0}`).sort(byPosition);
}

function byPosition(a: string, b: string): number {
  const key = (s: string) => {
    const [code, pos] = s.split(" ");
    const [line, column] = (pos ?? "0:0").split(":").map(Number);
    return [line ?? 0, column ?? 0, code ?? ""] as const;
  };
  const [la, ca, da] = key(a);
  const [lb, cb, db] = key(b);
  return la - lb || ca - cb || (da < db ? -1 : da > db ? 1 : 0);
}
