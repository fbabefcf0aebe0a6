import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { emitDot } from "../../src/emit/dot.js";
import { emitMermaid } from "../../src/emit/mermaid.js";
import { writePlanJson } from "../../src/ir/plan.js";
import { htmlOf, markdownOf } from "../emit/support.js";
import { summitFullUpgrade } from "../support/plans/summit-full-upgrade.js";

const dir = mkdtempSync(join(tmpdir(), "plan-render-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const plan = summitFullUpgrade();
const planFile = join(dir, "summit.plan.json");
writeFileSync(planFile, writePlanJson(plan));

/** Runs the `plan` command in this process and returns its exit code and what it printed. */
async function plan_(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(["node", "plan", ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe("plan render", () => {
  it("prints the Markdown checklist of a plan file on standard output", async () => {
    const r = await plan_("render", planFile, "--format", "md");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(markdownOf(plan));
  });

  it("writes the HTML checklist, with its SVG graph, to the file given with -o", async () => {
    const out = join(dir, "out", "summit.html");
    const r = await plan_("render", planFile, "--format", "html", "-o", out);
    expect(r).toMatchObject({ code: 0, stdout: "", stderr: "" });
    expect(readFileSync(out, "utf8")).toBe(await htmlOf(plan));
  });

  it("says why when it gets no plan, and refuses an unknown format", async () => {
    const missing = await plan_("render", join(dir, "nope.plan.json"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("plan render: cannot read");
    writeFileSync(join(dir, "edited.plan.json"), writePlanJson(plan).replace("Sync LOVE", "Sync LOVE now"));
    const edited = await plan_("render", join(dir, "edited.plan.json"));
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain("does not match its hash");
    expect((await plan_("render", planFile, "--format", "pdf")).code).toBe(2);
  });
});

describe("plan graph", () => {
  it("prints Mermaid by default, and DOT when asked", async () => {
    expect((await plan_("graph", planFile)).stdout).toBe(emitMermaid(plan));
    expect((await plan_("graph", planFile, "--format", "dot")).stdout).toBe(emitDot(plan));
  });

  it("writes SVG drawn offline to a file", async () => {
    const out = join(dir, "summit.svg");
    const r = await plan_("graph", planFile, "--format", "svg", "-o", out);
    expect(r).toMatchObject({ code: 0, stdout: "" });
    const svg = readFileSync(out, "utf8");
    expect(svg).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\n$/);
    expect(svg.match(/class="cluster"/g)).toHaveLength(plan.phases.length);
  });
});
