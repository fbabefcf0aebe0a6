import { readFileSync, writeFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../src/compiler/compile.js";
import { load } from "../../src/compiler/load.js";
import { MemoryReader } from "../../src/compiler/reader.js";
import { PLAN_SCHEMA_PATH, planJsonSchemaText } from "../../src/ir/json-schema.js";
import { sealPlan, writePlanJson } from "../../src/ir/plan.js";
import type { Plan } from "../../src/ir/schema.js";

/**
 * The checked-in JSON Schema of the plan is the one generated from the zod schema: a change to the IR
 * that is not followed by `UPDATE_GOLDEN=1 vitest run test/ir/json-schema.test.ts` fails here.
 */
describe("schema/plan.schema.json", () => {
  it("is the schema generated from src/ir/schema.ts", () => {
    const generated = planJsonSchemaText();
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(PLAN_SCHEMA_PATH, generated);
    const committed = readFileSync(PLAN_SCHEMA_PATH, "utf8");
    expect(committed, `${PLAN_SCHEMA_PATH} is stale: run UPDATE_GOLDEN=1 and review the diff`).toBe(
      generated,
    );
  });

  it("is a draft 2020-12 schema that accepts a plan and rejects what the IR rejects", () => {
    const schema = JSON.parse(readFileSync(PLAN_SCHEMA_PATH, "utf8")) as Record<string, unknown>;
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    const plan = tinyPlan();
    const json = JSON.parse(writePlanJson(plan)) as Plan;
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);

    const extraKey = { ...json, extra: 1 };
    expect(validate(extraKey)).toBe(false);
    const badHash = { ...json, hash: "md5:0" };
    expect(validate(badHash)).toBe(false);
    const badStep = { ...json, steps: [{ ...json.steps[0]!, kind: "teleport" }] };
    expect(validate(badStep)).toBe(false);
    const { order: _order, ...noOrder } = json;
    expect(validate(sealPlan(noOrder as unknown as Omit<Plan, "hash">))).toBe(false);
  });
});

/** A plan compiled in memory from a few lines, with a transition, a sync and a paired change. */
function tinyPlan(): Plan {
  const text = `
    site alpha { argocd "https://argo" kubernetes_context "k"
      app love project telescope
      inventory { Watcher in love  ScriptQueue:1 in love } }
    procedure p "P" (fast: bool = true) {
      phase a "A" {
        offline Watcher via set_summary_state.py on ScriptQueue:1
        temporarily scale deployments in "x" to 0 restore 1
        sync love
      }
    }
    plan p for alpha`;
  const program = load(["e.dpl"], new MemoryReader({ "e.dpl": text }));
  const result = compileFile(program, "e.dpl", { version: "test" });
  expect([...program.diagnostics, ...result.diagnostics]).toEqual([]);
  return result.plans[0]!.plan!;
}
