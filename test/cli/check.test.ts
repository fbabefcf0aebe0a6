import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Code } from "../../src/diagnostics/codes.js";
import { actualOf, expectationsOf, fixturesIn } from "../language/golden.js";

/**
 * `plan check` as a user runs it: the built command (dist/ is built by the global setup) in a child
 * process, its exit code, what it prints, and never a stack trace.
 */
function plan(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/plan.js", ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A stack trace, or the CLI's report of an internal error. */
const crash = /internal error|\n\s+at .+:\d+:\d+\)?\n|TypeError|ReferenceError/;

interface JsonDiagnostic {
  code: Code;
  severity: string;
  message: string;
  span?: { file: string; line: number; column: number };
}

const clean = [
  "test/language/fixtures/valid/site.dpl",
  "test/language/fixtures/valid/groups-rules.dpl",
  "test/language/fixtures/valid/full-upgrade.dpl",
];

// NOTE: a generous timeout, as each case starts node and a loaded CI machine may be slow.
describe("plan check", { timeout: 180_000 }, () => {
  it("exits 0 on valid files and says so", () => {
    const r = plan("check", ...clean);
    expect(r.stderr, r.stderr).toContain(`checked ${clean.length} files`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
  });

  it("exits 1 on an invalid file, with the diagnostic as text and a code frame", () => {
    const r = plan("check", "test/language/fixtures/invalid/unterminated-string.dpl");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        "error[DPL1002]: this string is not closed",
        "  --> test/language/fixtures/invalid/unterminated-string.dpl:5:12",
        "   |",
        ' 5 |     notify "The system is ready',
        '   |            ^^^^^^^^^^^^^^^^^^^^ no closing `"` on this line',
        '   = help: close the string with `"`; for text over several lines use a text block `"""…"""`',
        "",
        "1 error, 0 warnings",
        "",
      ].join("\n"),
    );
  });

  it("prints JSON with the file, line, column and code of each problem", () => {
    const r = plan("check", "--format", "json", "test/language/fixtures/invalid/missing-duration.dpl");
    expect(r.code).toBe(1);
    const diagnostics = JSON.parse(r.stdout) as JsonDiagnostic[];
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: "DPL1007",
      severity: "error",
      span: { file: "test/language/fixtures/invalid/missing-duration.dpl", line: 5, column: 35 },
    });
  });

  it("reports, for every invalid fixture, what the fixture states, and never a stack trace", () => {
    const r = plan("check", "--format", "json", "test/language/fixtures/invalid");
    expect(r.stderr).not.toMatch(crash);
    expect(r.code).toBe(1);
    const diagnostics = JSON.parse(r.stdout) as JsonDiagnostic[];
    for (const path of fixturesIn("invalid")) {
      const stated = path.endsWith("/empty.dpl") ? ["DPL1015 1:1"] : expectationsOf(readFileSync(path));
      const syntax = diagnostics.filter((d) => d.span?.file === path && d.code.startsWith("DPL1"));
      expect(actualOf(syntax), path).toEqual(stated);
    }
  });

  it("never prints a stack trace on any fixture, as text", () => {
    for (const folder of ["test/language/fixtures/valid", "test/language/fixtures/invalid"]) {
      const r = plan("check", folder);
      expect(r.stderr, folder).not.toMatch(crash);
      expect([0, 1], `${folder}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr).toMatch(/\d+ errors?, \d+ warnings?\n$|no errors\n$/);
    }
  });

  it("exits 2 on an unknown option", () => {
    const r = plan("check", "--bogus", "test/language/fixtures/valid/site.dpl");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
    expect(r.stderr).not.toMatch(crash);
  });

  it("exits 2 without a path, and on a path that does not exist", () => {
    const none = plan("check");
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("missing required argument");
    const missing = plan("check", "test/language/fixtures/no-such-file.dpl");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file or folder");
  });

  it("exits 2 on an unknown format", () => {
    const r = plan("check", "--format", "yaml", "test/language/fixtures/valid/site.dpl");
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(crash);
  });
});
