import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { writePlanJson } from "../../src/ir/plan.js";
import { entryPlans } from "./support.js";

/**
 * The golden plan JSON of every entry of plans/: test/plans/golden/<entry>[.<site>].plan.json (the site is added
 * when an entry names several). A changed plan is reviewed like code: `UPDATE_GOLDEN=1` rewrites the files.
 */
const GOLDEN = "test/plans/golden";
const update = process.env.UPDATE_GOLDEN === "1";

describe("golden plans", () => {
  const { plans, diagnostics } = entryPlans();
  const nameOf = (p: (typeof plans)[number]) => `${p.entry}${p.sites > 1 ? `.${p.site}` : ""}.plan.json`;

  it("compiles every entry of plans/ without a problem", () => {
    expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    expect(plans.length).toBeGreaterThanOrEqual(13);
  });

  for (const p of plans) {
    it(`${nameOf(p)} is current`, () => {
      const path = `${GOLDEN}/${nameOf(p)}`;
      const text = writePlanJson(p.plan);
      if (update) writeFileSync(path, text);
      expect(existsSync(path), `${path} is missing: run UPDATE_GOLDEN=1 vitest run test/plans`).toBe(true);
      expect(text, `${path} is stale: review the change, then UPDATE_GOLDEN=1`).toBe(
        readFileSync(path, "utf8"),
      );
    });
  }

  it("has no golden file without an entry", () => {
    const wanted = new Set(plans.map(nameOf));
    const stale = readdirSync(GOLDEN).filter((f) => f.endsWith(".plan.json") && !wanted.has(f));
    expect(stale).toEqual([]);
  });
});
