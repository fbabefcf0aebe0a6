import { describe, expect, it } from "vitest";
import { generate } from "../../bench/generate.js";
import { compileFile } from "../../src/compiler/compile.js";
import { load } from "../../src/compiler/load.js";
import { MemoryReader } from "../../src/compiler/reader.js";
import { planHash } from "../../src/ir/plan.js";

/** `plan check` compiles without sealing: the same plans, proven the same way, only without their hash. */
describe("compiling without sealing", () => {
  const g = generate(300, 3);
  const compile = (seal?: boolean) =>
    compileFile(load([g.entry], new MemoryReader(g.dpl)), g.entry, {
      version: "test",
      ...(seal === undefined ? {} : { seal }),
    });

  it("gives the same plans and diagnostics as a sealed compile, each with an empty hash", () => {
    const sealed = compile();
    const unsealed = compile(false);
    expect(unsealed.diagnostics).toEqual(sealed.diagnostics);
    expect(unsealed.plans).toHaveLength(3);
    for (const [i, p] of unsealed.plans.entries()) {
      const s = sealed.plans[i]!.plan!;
      expect(p.plan!.hash).toBe("");
      expect({ ...p.plan!, hash: s.hash }).toEqual(s);
      expect(planHash(p.plan!)).toBe(s.hash);
    }
  });

  it("seals by default, with the hash of the plan's content", () => {
    for (const p of compile().plans) expect(p.plan!.hash).toBe(planHash(p.plan!));
  });
});
