import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NonInteractiveOperator } from "../../../src/runtime/operator.js";
import { RecordingOperator } from "../context.js";
import { FakeExecutors, fakeEnvironment, journalOf, planOf, runWith, summaryOf, tempDir } from "./fakes.js";

/** The operator's part in a run: confirm and --step questions, answers from executors, no operator at all. */

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

describe("the scheduler and the operator", () => {
  it("asks a step's confirm question: yes runs it, skip skips it (its dependents go on), abort stops", async () => {
    const plan = planOf([{ name: "a", steps: 3 }], undefined, (_p, i) =>
      i < 3 ? { confirm: "Really?" } : {},
    );
    const fakes = new FakeExecutors();
    const operator = new RecordingOperator([
      { answer: "yes", by: "ana" },
      { answer: "skip", reason: "done by hand", by: "ana" },
    ]);
    const result = await runWith(plan, fakeEnvironment(t.dir, fakes, { operator }), t.dir);
    expect(fakes.runs).toEqual(["1.1", "1.3"]);
    expect(operator.questions.map((q) => [q.stepId, q.details[0]])).toEqual([
      ["1.1", "Really?"],
      ["1.2", "Really?"],
    ]);
    const events = journalOf(result);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "answer", step: "1.1", question: "confirm", answer: "yes", by: "ana" }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ type: "step-skipped", step: "1.2", reason: "done by hand (ana)" }),
    );
    expect(events.find((e) => e.type === "answer")?.at).toMatch(/^2026-01-01T/);

    const t2 = tempDir();
    const fakes2 = new FakeExecutors();
    const aborting = new RecordingOperator([{ answer: "abort", reason: "wind", by: "ana" }]);
    const stopped = await runWith(plan, fakeEnvironment(t2.dir, fakes2, { operator: aborting }), t2.dir);
    expect(fakes2.runs).toEqual([]);
    expect(summaryOf(stopped)).toMatchObject({
      outcome: "aborted",
      reason: "aborted before step 1.1 by ana: wind",
    });
    t2.cleanup();
  });

  it("--step asks before every step", async () => {
    const plan = planOf([{ name: "a", steps: 3 }]);
    const fakes = new FakeExecutors();
    const operator = new RecordingOperator((q) =>
      q.stepId === "1.2"
        ? { answer: "skip", reason: "not tonight", by: "ana" }
        : { answer: "yes", by: "ana" },
    );
    const result = await runWith(plan, fakeEnvironment(t.dir, fakes, { operator }), t.dir, {
      stepMode: true,
    });
    expect(operator.questions.map((q) => q.stepId)).toEqual(["1.1", "1.2", "1.3"]);
    expect(operator.questions[0]!.details).toEqual(["fake command: would do 1.1"]);
    expect(fakes.runs).toEqual(["1.1", "1.3"]);
    expect(summaryOf(result).skipped).toEqual([{ id: "1.2", reason: "not tonight (ana)" }]);
  });

  it("journals the answers an executor gets, with who and when, before the step goes on", async () => {
    const plan = planOf([{ name: "a", steps: 1, kind: "manual" }]);
    const fakes = new FakeExecutors().on("1.1", { askOperator: true });
    const operator = new RecordingOperator([{ answer: "skip", reason: "camera off", by: "ana" }]);
    const result = await runWith(plan, fakeEnvironment(t.dir, fakes, { operator }), t.dir);
    const events = journalOf(result);
    const answer = events.findIndex((e) => e.type === "answer");
    expect(events[answer]).toMatchObject({
      step: "1.1",
      question: "manual",
      answer: "skip",
      reason: "camera off",
      by: "ana",
    });
    expect(events.findIndex((e) => e.type === "step-skipped")).toBeGreaterThan(answer);
  });

  it("without an operator, stops at the first question and says so; the step runs again on resume", async () => {
    const plan = planOf([{ name: "a", steps: 3, kind: "manual" }]);
    const fakes = new FakeExecutors().on("1.2", { askOperator: true });
    const env = fakeEnvironment(t.dir, fakes, { operator: new NonInteractiveOperator() });
    const result = await runWith(plan, env, t.dir);
    expect(summaryOf(result)).toMatchObject({ outcome: "stopped", remaining: ["1.2", "1.3"] });
    expect(summaryOf(result).reason).toContain(
      "step 1.2 needs an operator's answer, and there is no terminal",
    );
    expect(journalOf(result)).toContainEqual(expect.objectContaining({ type: "step-stopped", step: "1.2" }));

    const again = await runWith(plan, fakeEnvironment(t.dir, fakes), t.dir, { resume: true });
    expect(summaryOf(again).outcome).toBe("finished");
    expect(fakes.runs).toEqual(["1.1", "1.2", "1.2", "1.3"]);
  });
});
