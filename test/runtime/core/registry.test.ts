import { describe, expect, it } from "vitest";
import { dryRun } from "../../../src/runtime/dry-run.js";
import {
  builtinExecutors,
  executorFor,
  missingKinds,
  NoExecutor,
  STEP_KINDS,
} from "../../../src/runtime/registry.js";
import { selectSteps } from "../../../src/runtime/selection.js";
import { FakeExecutors, planOf } from "./fakes.js";

describe("the executor registry", () => {
  it("has a real executor for every kind of step the IR knows", () => {
    expect(STEP_KINDS.length).toBeGreaterThan(10);
    for (const kind of STEP_KINDS) expect(builtinExecutors[kind]?.kind).toBe(kind);
  });

  it("makes a missing executor obvious: an error naming the kind, and a dry run that says so", () => {
    const plan = planOf([
      { name: "a", steps: 1 },
      { name: "b", steps: 1, kind: "manual" },
    ]);
    const table = new FakeExecutors().table({ kinds: ["command"] });
    expect(missingKinds(table, plan.steps)).toEqual(["manual"]);
    expect(() => executorFor(table, plan.steps[1]!)).toThrow(new NoExecutor("manual"));
    expect(() => executorFor(table, plan.steps[1]!)).toThrow("no executor for kind manual");
    const selected = selectSteps(plan);
    if (!selected.ok) throw new Error(selected.problem);
    const dry = dryRun(plan, selected.selection, table);
    expect(dry.missing).toEqual(["manual"]);
    expect(dry.lines).toContain("    no executor for kind manual: this run would refuse to start");
    expect(dry.lines).toContain("    fake command: would do 1.1");
  });

  it("a dry run shows each step's questions and what it waits for", () => {
    const plan = planOf([{ name: "a", steps: 2 }], undefined, (_p, i) =>
      i === 2 ? { confirm: "Scale down?", retries: 2 } : {},
    );
    const selected = selectSteps(plan);
    if (!selected.ok) throw new Error(selected.problem);
    const dry = dryRun(plan, selected.selection, new FakeExecutors().table(), { stepMode: true });
    expect(dry.lines.join("\n")).toContain(
      [
        "1.2  Run a 2",
        "    after 1.1",
        "    asks: go on? (yes / skip / abort)",
        "    asks: Scale down? (yes / skip / abort)",
        "    tries again up to 2 times after a transient failure",
        "    fake command: would do 1.2",
      ].join("\n"),
    );
  });
});
