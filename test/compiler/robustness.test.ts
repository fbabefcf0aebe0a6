import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../src/compiler/compile.js";
import { load } from "../../src/compiler/load.js";
import { MemoryReader } from "../../src/compiler/reader.js";
import { FIXTURES } from "./support.js";

/**
 * A user's mistake is a diagnostic, never an exception: the valid fixtures, edited the way people edit
 * (a line deleted, copied, moved, a word replaced by another name of the language), compile to diagnostics
 * or plans, and never throw (as a group that contains itself, used by a rule, once did). The seed is fixed,
 * so a failure is reproduced by running the test again.
 */
const root = `${FIXTURES}/valid`;
const cases = readdirSync(root)
  .filter((d) => statSync(join(root, d)).isDirectory() && d !== "real-sites")
  .sort()
  .map((d) => {
    const dir = join(root, d);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".dpl"))
      .sort()
      .map((f) => [join(dir, f), readFileSync(join(dir, f), "utf8")] as const);
    return { name: d, files };
  });

const WORDS = [
  "Watcher",
  "ScriptQueue:1",
  "ScriptQueue:9",
  "MTM1M3:1",
  "everything",
  "runner",
  "alpha",
  "beta",
  "after",
  "until",
  "undo",
  "only",
  "except",
  "parallel",
  "{",
  "}",
  "telegraf-down",
  "at",
  "obs",
  "love",
  "project",
  "ESS:*",
  "when",
  "not",
  "temporarily",
  "restore",
  "0",
  '"x"',
];

type Edit =
  | { kind: "delete"; line: number }
  | { kind: "copy"; line: number; to: number }
  | { kind: "swap"; line: number; to: number }
  | { kind: "word"; line: number; word: number; by: string };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), line: fc.nat() }),
  fc.record({ kind: fc.constant("copy" as const), line: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant("swap" as const), line: fc.nat(), to: fc.nat() }),
  fc.record({
    kind: fc.constant("word" as const),
    line: fc.nat(),
    word: fc.nat(),
    by: fc.constantFrom(...WORDS),
  }),
);

function apply(text: string, edits: readonly Edit[]): string {
  const lines = text.split("\n");
  for (const e of edits) {
    const i = e.line % lines.length;
    if (e.kind === "delete") lines.splice(i, 1);
    else if (e.kind === "copy") lines.splice(e.to % lines.length, 0, lines[i]!);
    else if (e.kind === "swap") {
      const j = e.to % lines.length;
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    } else {
      const words = lines[i]!.split(" ");
      words[e.word % words.length] = e.by;
      lines[i] = words.join(" ");
    }
    if (lines.length === 0) lines.push("");
  }
  return lines.join("\n");
}

describe("edited fixtures", () => {
  it("compile to diagnostics or plans, never to an exception", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: cases.length - 1 }),
        fc.nat(),
        fc.array(edit, { minLength: 1, maxLength: 3 }),
        (which, fileIndex, edits) => {
          const c = cases[which]!;
          const files = Object.fromEntries(c.files);
          const [path, text] = c.files[fileIndex % c.files.length]!;
          files[path] = apply(text, edits);
          const program = load(Object.keys(files), new MemoryReader(files), ".");
          for (const file of Object.keys(files)) {
            if (!program.files.has(file)) continue;
            const result = compileFile(program, file, { version: "test" });
            for (const d of result.diagnostics) expect(d.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { seed: 20261122, numRuns: 400 },
    );
  });
});
