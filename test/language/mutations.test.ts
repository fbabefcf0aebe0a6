import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { SourceText, type Span } from "../../src/diagnostics/span.js";
import { lex } from "../../src/language/lexer.js";
import { decodeSource, MAX_DIAGNOSTICS_PER_FILE, parse } from "../../src/language/parse.js";
import { fixturesIn } from "./golden.js";

/**
 * Random mutations of the valid fixtures (tokens deleted, duplicated and swapped; bytes deleted, inserted
 * and swapped; the file cut short) go through the front end. It never throws, and every input ends in
 * either success or diagnostics whose places lie inside the file.
 *
 * The seed is fixed (FC_SEED, default below) so that CI is reproducible; FC_RUNS sets how many inputs.
 * A failure prints the seed and the path that reproduce it.
 */
const SEED = Number(process.env.FC_SEED ?? 20_240_611);
const RUNS = Number(process.env.FC_RUNS ?? 1000);

interface Fixture {
  readonly text: string;
  readonly bytes: Buffer;
  /** The [start, end) offsets of every token and comment. */
  readonly tokens: ReadonlyArray<readonly [number, number]>;
}

const fixtures: Fixture[] = fixturesIn("valid").map((path) => {
  const text = readFileSync(path, "utf8");
  const lexed = lex(new SourceText(path, text));
  const tokens = [...lexed.tokens, ...lexed.comments]
    .map((t) => [t.startOffset, t.startOffset + t.image.length] as const)
    .sort((a, b) => a[0] - b[0]);
  return { text, bytes: Buffer.from(text, "utf8"), tokens };
});

type TokenEdit =
  | { kind: "delete"; at: number }
  | { kind: "duplicate"; at: number }
  | { kind: "swap"; at: number; with: number };

type ByteEdit =
  | { kind: "delete"; at: number; length: number }
  | { kind: "insert"; at: number; bytes: number[] }
  | { kind: "swap"; at: number; with: number }
  | { kind: "truncate"; at: number };

/** Bytes that matter to the lexer, with NUL, a lone continuation byte and a UTF-8 lead byte. */
const interestingBytes = [..."{}()[]\"'`$\\:,.#*=<!-\n\r\t 0a_é"]
  .flatMap((c) => [...Buffer.from(c, "utf8")])
  .concat([0x00, 0x80, 0xc3, 0xff]);

const tokenEdit: fc.Arbitrary<TokenEdit> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
);

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.array(fc.constantFrom(...interestingBytes), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
);

/** Applies token edits to the text, keeping the blanks and line breaks between tokens where they were. */
function editTokens(f: Fixture, edits: readonly TokenEdit[]): string {
  const pieces = f.tokens.map(([s, e]) => f.text.slice(s, e));
  const gaps = f.tokens.map(([s], i) => f.text.slice(i === 0 ? 0 : f.tokens[i - 1]![1], s));
  for (const edit of edits) {
    const at = edit.at % pieces.length;
    if (edit.kind === "delete") pieces[at] = "";
    else if (edit.kind === "duplicate") pieces[at] = `${pieces[at]} ${pieces[at]}`;
    else {
      const other = edit.with % pieces.length;
      [pieces[at], pieces[other]] = [pieces[other]!, pieces[at]!];
    }
  }
  const tail = f.text.slice(f.tokens.at(-1)?.[1] ?? 0);
  // A comment moved into the middle of a line would swallow the rest of it: it keeps its line to itself.
  return pieces.map((p, i) => gaps[i] + (p.startsWith("#") ? `${p}\n` : p)).join("") + tail;
}

function editBytes(bytes: Buffer, edits: readonly ByteEdit[]): Buffer {
  let out = Buffer.from(bytes);
  for (const edit of edits) {
    const at = out.length === 0 ? 0 : edit.at % (out.length + 1);
    if (edit.kind === "delete") out = Buffer.concat([out.subarray(0, at), out.subarray(at + edit.length)]);
    else if (edit.kind === "insert") {
      out = Buffer.concat([out.subarray(0, at), Buffer.from(edit.bytes), out.subarray(at)]);
    } else if (edit.kind === "truncate") out = out.subarray(0, at);
    else if (out.length > 1) {
      const i = at % out.length;
      const j = edit.with % out.length;
      const copy = Buffer.from(out);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      out = copy;
    }
  }
  return out;
}

/** The length of a line with its `\r` but without its `\n`. */
function lineLength(source: SourceText, line: number): number {
  const from = source.lineStarts[line - 1]!;
  const next = source.lineStarts[line];
  return (next === undefined ? source.text.length : next - 1) - from;
}

/** What is wrong with a span, if anything: it must lie inside the file. */
function outside(span: Span, source: SourceText): string | undefined {
  const lines = source.lineStarts.length;
  const at = `${span.line}:${span.column}-${span.endLine}:${span.endColumn}`;
  if (span.line < 1 || span.line > lines || span.endLine < span.line || span.endLine > lines) {
    return `${at}: line outside 1..${lines}`;
  }
  if (span.column < 1 || span.column > lineLength(source, span.line) + 1)
    return `${at}: column outside its line`;
  if (span.endColumn < 1 || span.endColumn > lineLength(source, span.endLine) + 1) {
    return `${at}: end column outside its line`;
  }
  if (span.start > span.end || span.end > source.text.length) return `${at}: offsets outside the file`;
  return undefined;
}

/** The problems of a result: too many diagnostics, or a diagnostic or tree node placed outside the file. */
function problems(diagnostics: readonly Diagnostic[], tree: unknown, source: SourceText): string[] {
  const out: string[] = [];
  if (diagnostics.length > MAX_DIAGNOSTICS_PER_FILE + 1) out.push(`${diagnostics.length} diagnostics`);
  for (const d of diagnostics) {
    const spans = [d.span, ...(d.related ?? []).map((r) => r.span)];
    if (!d.span) out.push(`${d.code} has no place`);
    for (const s of spans) {
      const why = s && outside(s, source);
      if (why) out.push(`${d.code} ${d.message}: ${why}`);
    }
  }
  const walk = (node: unknown, key: string) => {
    if (Array.isArray(node)) for (const n of node) walk(n, key);
    else if (typeof node === "object" && node !== null) {
      if ("file" in node && "endColumn" in node) {
        const why = outside(node as Span, source);
        if (why) out.push(`the span of ${key}: ${why}`);
        return;
      }
      for (const [k, v] of Object.entries(node)) walk(v, k);
    }
  };
  walk(tree, "file");
  return out;
}

/** Parses the text; any exception fails the property, and so does any problem. */
function check(text: string): void {
  const result = parse("mutant.dpl", text);
  const found = problems(result.diagnostics, result.file.declarations, result.source);
  if (found.length > 0) throw new Error(`${found.join("\n")}\n--- input:\n${text}`);
}

// NOTE: a generous timeout, as a loaded CI machine may be several times slower than a quiet one.
describe("random mutations of the valid fixtures", { timeout: 300_000 }, () => {
  const params = { seed: SEED, numRuns: RUNS, endOnFailure: true };

  it("token edits never throw and give well-placed diagnostics", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: fixtures.length - 1 }),
        fc.array(tokenEdit, { minLength: 1, maxLength: 3 }),
        (which, edits) => check(editTokens(fixtures[which]!, edits)),
      ),
      params,
    );
  });

  it("byte edits never throw and give well-placed diagnostics", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: fixtures.length - 1 }),
        fc.array(byteEdit, { minLength: 1, maxLength: 3 }),
        (which, edits) => {
          const bytes = editBytes(fixtures[which]!.bytes, edits);
          const decoded = decodeSource("mutant.dpl", bytes);
          if ("diagnostic" in decoded) {
            expect(decoded.diagnostic.code).toBe("DPL1010");
            return;
          }
          check(decoded.text);
        },
      ),
      params,
    );
  });

  it("every fixture cut short at 40 places never throws", () => {
    for (const f of fixtures) {
      for (let k = 0; k <= 40; k++) check(f.text.slice(0, Math.round((f.text.length * k) / 40)));
    }
  });
});
