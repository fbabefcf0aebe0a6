import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { sortDiagnostics } from "../../src/diagnostics/diagnostic.js";
import { renderText } from "../../src/diagnostics/render.js";
import { SourceText } from "../../src/diagnostics/span.js";
import { decodeSource, parse } from "../../src/language/parse.js";
import { actualOf, expectationsOf, expectGolden, fixturesIn } from "./golden.js";

/**
 * Every invalid fixture states the diagnostics it expects, one `# expect: DPL1002 4:12` line each, and
 * gets exactly those: no more, no fewer. The diagnostics as a person sees them (with code frames) are kept
 * beside it in `.expected.txt`, to review messages like code (`UPDATE_GOLDEN=1` rewrites them).
 */
const fixtures = fixturesIn("invalid");

/** Fixtures that cannot hold a comment, and what they expect. */
const unstated: Record<string, string[]> = {
  "empty.dpl": ["DPL1015 1:1"],
};

/** The front end as the loader runs it: bytes to text, then text to a tree. */
function check(path: string, bytes: Uint8Array): { diagnostics: Diagnostic[]; source: SourceText } {
  const decoded = decodeSource(path, bytes);
  if ("diagnostic" in decoded) return { diagnostics: [decoded.diagnostic], source: new SourceText(path, "") };
  const result = parse(path, decoded.text);
  return { diagnostics: result.diagnostics, source: result.source };
}

describe("invalid fixtures", () => {
  it("are at least 30", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
  });

  for (const path of fixtures) {
    it(`${path} reports exactly what it states`, () => {
      const bytes = readFileSync(path);
      const name = path.split("/").pop()!;
      const expected = unstated[name] ?? expectationsOf(bytes);
      expect(expected.length, "the fixture states no `# expect:` line").toBeGreaterThan(0);
      const { diagnostics, source } = check(path, bytes);
      const text = renderText(sortDiagnostics(diagnostics), () => source);
      expect(actualOf(diagnostics), text).toEqual(expected);
      for (const d of diagnostics) {
        expect(d.message.length, d.message).toBeGreaterThan(0);
        if (d.span) {
          expect(d.span.line).toBeGreaterThanOrEqual(1);
          expect(d.span.line).toBeLessThanOrEqual(source.lineStarts.length);
        }
      }
      expectGolden(path.replace(/\.dpl$/, ".expected.txt"), text);
    });
  }
});
