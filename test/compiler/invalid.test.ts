import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { allCodes } from "../../src/diagnostics/codes.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { actualOf, expectationsOf, expectGolden } from "../language/golden.js";
import { casesIn, check, directivesOf, filesOf } from "./support.js";

/**
 * The invalid fixtures of the compiler (stages 2 to 5): each states, in its own comments, every diagnostic
 * it expects (`# expect: DPL2004 12:13`, line and column in the file that holds the comment; `0:0` for a
 * problem of the command line), and `plan check` on it reports exactly those, no more and no fewer. The
 * messages as a person sees them are kept beside it in `.expected.txt` (UPDATE_GOLDEN=1 rewrites them).
 * A fixture is a `.dpl` file or a folder of them (imports, duplicates across files); `lib/` holds the
 * sites they share.
 */
const cases = casesIn("invalid");

/** Codes in the registry that no stage reports yet, and why: each must gain a fixture when it is reported. */
const UNREPORTED: Record<string, string> = {};

/** What a fixture expects, file by file: `<file> DPL2004 12:13`. */
function expected(files: readonly string[]): string[] {
  return files.flatMap((f) => expectationsOf(readFileSync(f)).map((e) => `${f} ${e}`)).sort();
}

function actual(diagnostics: readonly Diagnostic[], entry: string): string[] {
  return diagnostics.map((d) => `${d.span?.file ?? entry} ${actualOf([d])[0]}`).sort();
}

function goldenPath(fixture: string): string {
  return fixture.endsWith(".dpl")
    ? fixture.replace(/\.dpl$/, ".expected.txt")
    : join(fixture, `${basename(fixture)}.expected.txt`);
}

describe("invalid fixtures", () => {
  for (const fixture of cases) {
    it(`${basename(fixture)} reports exactly what it states`, () => {
      const files = filesOf(fixture);
      const want = expected(files);
      expect(want.length, "the fixture states no `# expect:` line").toBeGreaterThan(0);
      const run = check([fixture], directivesOf(files));
      const entry = files.find((f) => /^plan\s/m.test(readFileSync(f, "utf8"))) ?? files[0]!;
      expect(actual(run.diagnostics, entry), run.text).toEqual(want);
      for (const d of run.diagnostics) {
        expect(d.message.length).toBeGreaterThan(0);
        expect(d.message, "a message is one sentence without a final period").not.toMatch(/\.$/);
      }
      expectGolden(goldenPath(fixture), run.text);
    });
  }

  it("cover every code of stages 2 to 5 (names, expansion, ordering, script configurations)", () => {
    const stated = new Set(cases.flatMap((c) => expected(filesOf(c)).map((e) => e.split(" ")[1]!)));
    const codes = allCodes().filter((c) => /^DPL[2-5]/.test(c));
    const missing = codes.filter((c) => !stated.has(c) && !(c in UNREPORTED));
    expect(missing, "codes without an invalid fixture").toEqual([]);
    const code = readdirSync("src", { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !f.endsWith("codes.ts"))
      .map((f) => readFileSync(join("src", f), "utf8"))
      .join("\n");
    for (const unreported of Object.keys(UNREPORTED)) {
      expect(code.includes(`"${unreported}"`), `${unreported} is reported now: give it a fixture`).toBe(
        false,
      );
    }
  });

  it("name the code they are about first", () => {
    for (const fixture of cases) {
      const code = /^(DPL\d{4})/.exec(basename(fixture))?.[1];
      expect(code, `${fixture} is named after the code it shows`).toBeDefined();
      expect(
        expected(filesOf(fixture)).some((e) => e.includes(` ${code} `)),
        fixture,
      ).toBe(true);
    }
  });
});
