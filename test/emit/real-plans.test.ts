import { readdirSync, readFileSync } from "node:fs";
import { marked, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import { planFromInput } from "../../src/cli/inputs.js";
import { emitDot } from "../../src/emit/dot.js";
import { emitMermaid } from "../../src/emit/mermaid.js";
import { renderSvg } from "../../src/emit/svg.js";
import type { Plan } from "../../src/ir/schema.js";
import { parse } from "../../src/language/parse.js";
import { htmlOf, markdownOf } from "./support.js";

/**
 * Every entry in `plans/` (a top-level `.dpl` file that declares `plan … for <sites>`), compiled for each
 * of its sites, gets a checklist in both formats and a graph in every format. Their golden checklists are
 * kept with the plans (issue 4); this only says that the emitters take whatever the compiler writes.
 */
function entries(): { path: string; site: string }[] {
  let names: string[];
  try {
    names = readdirSync("plans").filter((n) => n.endsWith(".dpl"));
  } catch {
    return [];
  }
  return names.sort().flatMap((name) => {
    const path = `plans/${name}`;
    const { file } = parse(path, readFileSync(path, "utf8"));
    return file.declarations.flatMap((d) =>
      d.kind === "plan" ? d.sites.map((s) => ({ path, site: s.value })) : [],
    );
  });
}

async function compiled(path: string, site: string): Promise<Plan> {
  const got = await planFromInput(path, { site });
  if (!got.ok) {
    throw new Error(
      `${path} for ${site}: ${got.message ?? got.diagnostics.map((d) => d.message).join("; ")}`,
    );
  }
  return got.plan;
}

/** Runs `render`, naming the plan in the error if it throws. */
function withPlace<T>(where: string, render: () => T): T {
  try {
    return render();
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

describe("the plans in plans/", () => {
  it("render as checklists and graphs", async () => {
    const all = entries();
    expect(all.length).toBeGreaterThan(0);
    for (const { path, site } of all) {
      const plan = await compiled(path, site);
      const where = `${path} for ${site}`;
      const md = withPlace(where, () => markdownOf(plan));
      const tasks = (marked.lexer(md) as Tokens.Generic[])
        .filter((t): t is Tokens.List => t.type === "list")
        .flatMap((l) => l.items.filter((i) => i.task));
      expect(tasks.length, where).toBeGreaterThanOrEqual(plan.steps.length);
      const html = await withPlace(where, () => htmlOf(plan));
      expect(html.match(/<input type="checkbox" class="tick"/g)?.length, where).toBeGreaterThanOrEqual(
        plan.steps.length,
      );
      const svg = await renderSvg(emitDot(plan));
      expect(svg.match(/<g id="node\d+" class="node">/g), where).toHaveLength(plan.steps.length);
      expect(emitMermaid(plan), where).toMatch(/^flowchart TB\n/);
    }
  });
});
