import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { traceFilesWith } from "../../src/cli/trace.js";
import { parse } from "../../src/language/parse.js";

/**
 * plans/TRACEABILITY.md is what `plan trace plans/ -o plans/TRACEABILITY.md` writes, and every item of both
 * documents that applies at a site is implemented by some plan of that site (for that document's procedures).
 * `UPDATE_GOLDEN=1` rewrites the file.
 */
const FILE = "plans/TRACEABILITY.md";
const COMMAND = `plan trace plans/ -o ${FILE}`;

describe("plans/TRACEABILITY.md", () => {
  const result = traceFilesWith(parse, ["plans/"], ".", COMMAND);

  it("is generated from plans/ without a problem", () => {
    expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    expect(result.table?.unknownCites).toEqual([]);
  });

  it("is current", () => {
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(FILE, result.markdown!);
    expect(result.markdown, `${FILE} is stale: run node bin/plan.js ${COMMAND.slice(5)}`).toBe(
      readFileSync(FILE, "utf8"),
    );
  });

  it("has no item that applies at a site and that no plan of that site implements", () => {
    const missing = result.table!.missing.map((m) => `${m.cite} at ${m.site}: ${m.title}`);
    expect(missing).toEqual([]);
  });

  it("traces both documents at every site they name", () => {
    const coverage = result.table!.coverage;
    expect(coverage.get("001")?.sites).toEqual(["bts", "summit", "tts"]);
    expect(coverage.get("000")?.sites).toEqual(["summit", "tts"]);
    expect(coverage.get("000")?.entries).toEqual(["summit-ospl-upgrade", "tts-ospl-upgrade"]);
  });

  it("is what the trace verb writes, and the verb exits 0", () => {
    const run = spawnSync("node", ["bin/plan.js", "trace", "plans/", "-o", "-"], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    // The header names the command that wrote the file; everything after it is the same.
    const body = (text: string) => text.slice(text.indexOf("\n\nEach section"));
    expect(body(run.stdout)).toBe(body(readFileSync(FILE, "utf8")));
  });
});
