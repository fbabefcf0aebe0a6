import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readPlanJson, writePlanJson } from "../../src/ir/plan.js";
import { FIXTURE_PLANS } from "../support/plans/index.js";
import { htmlOf, markdownOf } from "./support.js";

/**
 * The checked-in checklists of the fixture plans (`test/emit/golden/<plan>.golden.md|html`). A change to
 * a template or an emitter shows up here as a diff to review like code. `UPDATE_GOLDEN=1` rewrites them.
 */
const update = process.env.UPDATE_GOLDEN === "1";
const golden = (name: string) => new URL(`golden/${name}`, import.meta.url);

function check(name: string, actual: string): void {
  const file = golden(name);
  if (update || !existsSync(file)) {
    if (!update) throw new Error(`no golden file ${name}: run the tests with UPDATE_GOLDEN=1 and review it`);
    writeFileSync(file, actual);
    return;
  }
  expect(
    actual,
    `${name} differs from its golden file; if the change is right, run with UPDATE_GOLDEN=1`,
  ).toBe(readFileSync(file, "utf8"));
}

describe("golden checklists of the fixture plans", () => {
  for (const [name, make] of Object.entries(FIXTURE_PLANS)) {
    it(`${name}: Markdown`, () => check(`${name}.golden.md`, markdownOf(make())));
    it(`${name}: HTML`, async () => check(`${name}.golden.html`, await htmlOf(make())));
  }
});

describe("determinism", () => {
  for (const [name, make] of Object.entries(FIXTURE_PLANS)) {
    it(`${name}: renders byte-identically, from the plan built twice and from its plan file`, async () => {
      const plan = make();
      const reread = readPlanJson(writePlanJson(plan));
      if (!reread.ok) throw new Error(reread.problem);
      const mdOnce = markdownOf(plan);
      expect(markdownOf(make())).toBe(mdOnce);
      expect(markdownOf(reread.plan)).toBe(mdOnce);
      const htmlOnce = await htmlOf(plan);
      expect(await htmlOf(make())).toBe(htmlOnce);
      expect(await htmlOf(reread.plan)).toBe(htmlOnce);
    });
  }
});
