import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { proveRules } from "../../src/compiler/rules/index.js";
import { PLAN_SCHEMA_PATH } from "../../src/ir/json-schema.js";
import { readPlanJson, writePlanJson } from "../../src/ir/plan.js";
import { EdgeSchema, type Plan, StepSchema } from "../../src/ir/schema.js";
import { expectGolden } from "../language/golden.js";
import { casesIn, check, directivesOf, filesOf } from "./support.js";

/**
 * The golden plans: each folder of `fixtures/valid` is a small set of .dpl files (sites, groups, rules,
 * a procedure, entries) compiled the way `plan check` does, with the plan of every entry for every site
 * checked in beside it as `<case>.<site>.plan.json`. Recompiling gives the same bytes and hash, and every
 * plan validates against the generated JSON Schema. `UPDATE_GOLDEN=1` rewrites the plans: review the
 * diff like code.
 */
const cases = casesIn("valid");
const schema = JSON.parse(readFileSync(PLAN_SCHEMA_PATH, "utf8")) as Record<string, unknown>;
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

describe("valid fixtures", () => {
  it("exist", () => {
    expect(cases.length).toBeGreaterThanOrEqual(6);
  });

  for (const dir of cases) {
    const name = basename(dir);
    it(`${name} compiles to its golden plans, the same bytes every time`, () => {
      const files = filesOf(dir);
      const options = directivesOf(files);
      const first = check([dir], options);
      expect(first.text).toBe("");
      expect(first.plans.length, "the case has no entry").toBeGreaterThan(0);

      const written = new Set<string>();
      for (const compiled of first.plans) {
        const plan = compiled.plan!;
        const golden = join(dir, `${name}.${compiled.site}.plan.json`);
        expect(written.has(golden), `two entries of ${name} compile for site ${compiled.site}`).toBe(false);
        written.add(golden);
        const text = writePlanJson(plan);
        expectGolden(golden, text);

        const json = JSON.parse(text) as unknown;
        expect(validate(json), JSON.stringify(validate.errors, null, 2)).toBe(true);
        const read = readPlanJson(text);
        expect(read.ok, read.ok ? "" : read.problem).toBe(true);
        expect(proveRules(plan, compiled.rules)).toEqual([]);
      }
      const stale = readdirSync(dir).filter((f) => f.endsWith(".plan.json") && !written.has(join(dir, f)));
      expect(stale, "golden plans that no entry compiles to any more").toEqual([]);

      const again = check([dir], options);
      expect(again.plans.map((p) => p.plan && writePlanJson(p.plan))).toEqual(
        first.plans.map((p) => writePlanJson(p.plan!)),
      );
      expect(again.plans.map((p) => p.plan?.hash)).toEqual(first.plans.map((p) => p.plan?.hash));
    });
  }

  it("cover every kind of step and of edge", () => {
    const seen = cases.flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith(".plan.json"))
        .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Plan),
    );
    const stepKinds = new Set(seen.flatMap((p) => p.steps.map((s) => s.kind)));
    const all = StepSchema.options.map((o) => o.shape.kind.value);
    expect(all.filter((k) => !stepKinds.has(k))).toEqual([]);
    const edgeKinds = new Set(seen.flatMap((p) => p.edges.map((e) => e.reason.kind)));
    expect(EdgeSchema.shape.reason.shape.kind.options.filter((k) => !edgeKinds.has(k))).toEqual([]);
  });
});
