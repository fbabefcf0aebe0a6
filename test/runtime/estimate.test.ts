import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/ir/schema.js";
import { estimate, learnDurations, remainingSeconds } from "../../src/runtime/estimate.js";

/** A plan reduced to what the estimate reads: ids, predecessors, expected durations and an order. */
function dag(steps: Array<[id: string, seconds: number, after: string[]]>): Pick<Plan, "steps" | "order"> {
  return {
    steps: steps.map(
      ([id, expectedSeconds, after]) => ({ id, expectedSeconds, after }) as unknown as Plan["steps"][number],
    ),
    order: steps.map(([id]) => id),
  };
}

describe("plan estimate", () => {
  //        ┌─ b (30) ─┐
  //  a (10)┤          ├─ e (5)
  //        └─ c (20) ─ d (15) ┘
  const plan = dag([
    ["a", 10, []],
    ["b", 30, ["a"]],
    ["c", 20, ["a"]],
    ["d", 15, ["c"]],
    ["e", 5, ["b", "d"]],
  ]);

  it("finds the critical path a hand calculation gives", () => {
    // a→c→d→e = 10+20+15+5 = 50; a→b→e = 10+30+5 = 45.
    const e = estimate(plan);
    expect(e.totalSeconds).toBe(80);
    expect(e.criticalSeconds).toBe(50);
    expect(e.criticalPath).toEqual(["a", "c", "d", "e"]);
  });

  it("gives each step its earliest start and its slack", () => {
    const t = new Map(estimate(plan).timings.map((x) => [x.id, x]));
    expect(t.get("b")).toMatchObject({ earliestStart: 10, earliestFinish: 40, slack: 5 });
    expect(t.get("d")).toMatchObject({ earliestStart: 30, earliestFinish: 45, slack: 0 });
    expect(t.get("e")).toMatchObject({ earliestStart: 45, slack: 0 });
  });

  it("uses learned durations where it has them, and the path moves with them", () => {
    const e = estimate(plan, new Map([["b", 60]]));
    expect(e.criticalPath).toEqual(["a", "b", "e"]);
    expect(e.criticalSeconds).toBe(75);
    expect([...e.learned]).toEqual(["b"]);
  });

  it("counts only what remains during a run", () => {
    expect(remainingSeconds(plan, new Set())).toBe(50);
    expect(remainingSeconds(plan, new Set(["a", "c"]))).toBe(35); // b 30 + e 5 beats d 15 + e 5
    expect(remainingSeconds(plan, new Set(["a", "b", "c", "d", "e"]))).toBe(0);
  });

  it("learns the median of past runs of the same plan, ignoring steps found done on resume", () => {
    const event = (seq: number, e: object) =>
      JSON.stringify({ v: 1, seq, at: "2026-11-21T00:00:00.000Z", ...e });
    const run = (planId: string, b: number, observed = false) =>
      [
        event(1, {
          type: "run-started",
          planId,
          hash: "sha256:x",
          site: "summit",
          by: "me",
          host: "h",
          pid: 1,
          options: { concurrency: 1, step: false, resume: false },
        }),
        event(2, {
          type: "step-finished",
          step: "b",
          durationMs: b * 1000,
          ...(observed ? { observed: true } : {}),
        }),
      ].join("\n");
    const learned = learnDurations("p@summit", [
      run("p@summit", 40),
      run("p@summit", 100),
      run("p@summit", 50),
      run("p@summit", 999, true),
      run("other@tts", 7),
    ]);
    expect(learned.get("b")).toBe(50);
  });
});
