import { describe, expect, it } from "vitest";
import { type LiveStatus, nextToStart, remainingSteps } from "../../../src/runtime/ready.js";
import { selectSteps } from "../../../src/runtime/selection.js";
import { PlanBuilder } from "../../support/plan-builder.js";
import { testSite } from "../context.js";

const status = (entries: Record<string, LiveStatus>) => new Map(Object.entries(entries));

describe("nextToStart", () => {
  const order = ["a", "b", "c", "d"];
  const after = new Map<string, string[]>([
    ["a", []],
    ["b", []],
    ["c", ["a"]],
    ["d", ["b", "c"]],
  ]);

  it("starts the ready steps in the plan's order, up to the free slots", () => {
    expect(nextToStart({ order, after, status: status({}), concurrency: 1, halted: false })).toEqual(["a"]);
    expect(nextToStart({ order, after, status: status({}), concurrency: 8, halted: false })).toEqual([
      "a",
      "b",
    ]);
    expect(
      nextToStart({ order, after, status: status({ a: "running" }), concurrency: 2, halted: false }),
    ).toEqual(["b"]);
    expect(
      nextToStart({
        order,
        after,
        status: status({ a: "running", b: "running" }),
        concurrency: 2,
        halted: false,
      }),
    ).toEqual([]);
  });

  it("waits for every predecessor to be done or skipped", () => {
    expect(
      nextToStart({
        order,
        after,
        status: status({ a: "done", b: "running" }),
        concurrency: 4,
        halted: false,
      }),
    ).toEqual(["c"]);
    expect(
      nextToStart({
        order,
        after,
        status: status({ a: "done", b: "skipped", c: "done" }),
        concurrency: 4,
        halted: false,
      }),
    ).toEqual(["d"]);
    expect(
      nextToStart({
        order,
        after,
        status: status({ a: "done", b: "failed", c: "done" }),
        concurrency: 4,
        halted: false,
      }),
    ).toEqual([]);
    expect(
      nextToStart({
        order,
        after,
        status: status({ a: "stopped", b: "done" }),
        concurrency: 4,
        halted: false,
      }),
    ).toEqual([]);
  });

  it("starts nothing once halted", () => {
    expect(nextToStart({ order, after, status: status({}), concurrency: 4, halted: true })).toEqual([]);
  });

  it("treats a concurrency below 1 as 1", () => {
    expect(nextToStart({ order, after, status: status({}), concurrency: 0, halted: false })).toEqual(["a"]);
  });

  it("lists what remains in the plan's order", () => {
    expect(remainingSteps(order, status({ a: "done", b: "skipped", c: "failed" }))).toEqual(["c", "d"]);
  });
});

describe("selectSteps", () => {
  // Phase 1: 1.1 -> 1.2 -> 1.3; phase 2: 2.1 -> 2.2; 2.2 also after 1.1 (a rule)
  const b = new PlanBuilder({ procedure: { name: "sel", title: "Selection" }, site: testSite() });
  b.phase({ name: "first", title: "First", checkpoint: false }, (p) => {
    p.step("command", { title: "one", argv: ["true"] });
    p.step("command", { title: "two", argv: ["true"] });
    p.step("command", { title: "three", argv: ["true"] });
  });
  b.phase({ name: "second", title: "Second", checkpoint: false }, (p) => {
    p.step("command", { title: "four", argv: ["true"] });
    p.step("command", { title: "five", argv: ["true"] });
  });
  const plan = b.build();

  it("selects everything by default, with the DAG's predecessors", () => {
    const r = selectSteps(plan);
    if (!r.ok) throw new Error(r.problem);
    expect(r.selection.order).toEqual(["1.1", "1.2", "1.3", "2.1", "2.2"]);
    expect(r.selection.after.get("2.1")).toEqual(["1.3"]);
    expect(r.selection.skipped).toEqual([]);
  });

  it("--from a step takes it and everything after it, and names the dependencies left out", () => {
    const r = selectSteps(plan, { from: "1.3" });
    if (!r.ok) throw new Error(r.problem);
    expect(r.selection.order).toEqual(["1.3", "2.1", "2.2"]);
    expect(r.selection.after.get("1.3")).toEqual([]);
    expect(r.selection.skipped).toEqual([{ step: "1.3", dependency: "1.2" }]);
  });

  it("--from a phase (by name or number) starts at its first step", () => {
    for (const from of ["second", "2"]) {
      const r = selectSteps(plan, { from });
      if (!r.ok) throw new Error(r.problem);
      expect(r.selection.order).toEqual(["2.1", "2.2"]);
    }
  });

  it("--only keeps the order among the selected steps through the steps left out", () => {
    const r = selectSteps(plan, { only: ["1.1", "2.2"] });
    if (!r.ok) throw new Error(r.problem);
    expect(r.selection.order).toEqual(["1.1", "2.2"]);
    expect(r.selection.after.get("2.2")).toEqual(["1.1"]);
    expect(r.selection.skipped).toEqual([{ step: "2.2", dependency: "2.1" }]);
  });

  it("--only a phase, and --from with --only intersect", () => {
    const r = selectSteps(plan, { only: ["first"], from: "1.2" });
    if (!r.ok) throw new Error(r.problem);
    expect(r.selection.order).toEqual(["1.2", "1.3"]);
  });

  it("refuses an unknown name, suggesting the nearest", () => {
    const r = selectSteps(plan, { only: ["secnd"] });
    expect(r).toMatchObject({
      ok: false,
      problem: expect.stringContaining("`secnd` is neither a step nor a phase"),
    });
    expect(r.ok ? "" : r.help).toContain("did you mean `second`?");
    expect(selectSteps(plan, { from: "9.9" }).ok).toBe(false);
  });
});
