import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diskReader } from "../../src/cli/files.js";
import { version } from "../../src/cli/main.js";
import { compileFile } from "../../src/compiler/compile.js";
import { load } from "../../src/compiler/load.js";

/**
 * 001/1.2's literal set_summary_state.py configuration (with its `ignore:` key) is what the real script rejects:
 * `plan check` must say so, with DPL5004 at the key, and nothing else must be wrong with the fixture.
 */
describe("the document's literal configuration", () => {
  it("is rejected by plan check with DPL5004 at its `ignore` key, and only for that", () => {
    const run = spawnSync("node", ["bin/plan.js", "check", "test/plans/fixtures/doc-literal-config.dpl"], {
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("error[DPL5004]");
    expect(run.stderr).toContain("doc-literal-config.dpl:23:7");
    expect(run.stderr).toMatch(/1 error, 0 warnings/);
  });

  it("is rejected in the JSON report too, as one error", () => {
    const run = spawnSync(
      "node",
      ["bin/plan.js", "check", "--format", "json", "test/plans/fixtures/doc-literal-config.dpl"],
      { encoding: "utf8" },
    );
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as unknown;
    const codes = JSON.stringify(report).match(/DPL\d{4}/g) ?? [];
    expect(new Set(codes)).toEqual(new Set(["DPL5004"]));
  });

  it("is accepted once `ignore` is taken out, so DPL5004 is about that key alone", () => {
    const fixture = "test/plans/fixtures/doc-literal-config.dpl";
    const text = readFileSync(fixture, "utf8");
    const fixed = text.replace("      ignore: [MTM1M3, MTM1M3TS]\n", "");
    expect(fixed).not.toEqual(text);
    const reader = {
      read: (path: string) => (path === fixture ? new TextEncoder().encode(fixed) : diskReader.read(path)),
    };
    const program = load([fixture], reader, ".");
    const result = compileFile(program, fixture, { version: version() });
    expect([...program.diagnostics, ...result.diagnostics].map((d) => d.code)).toEqual([]);
    const step = result.plans[0]!.plan!.steps.find((s) => s.kind === "csc-transition");
    expect(step?.kind === "csc-transition" && step.config).toEqual({
      data: [
        ["ScriptQueue:3", "OFFLINE"],
        ["ScriptQueue:2", "OFFLINE"],
        ["ScriptQueue:1", "OFFLINE"],
      ],
      mute_alarms: false,
    });
  });
});
