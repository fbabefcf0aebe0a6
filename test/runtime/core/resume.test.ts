import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Plan } from "../../../src/ir/schema.js";
import type { JournalEvent } from "../../../src/runtime/journal.js";
import type { RunResult } from "../../../src/runtime/run.js";
import { replay } from "../../../src/runtime/run-state.js";
import { RecordingOperator } from "../context.js";
import { FakeExecutors, fakeEnvironment, planOf, runWith, tempDir } from "./fakes.js";

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

function events(result: RunResult): JournalEvent[] {
  if (result.status !== "ran") throw new Error(result.status === "refused" ? result.problem : "");
  return readFileSync(result.journal, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as JournalEvent);
}

/** Runs the plan until step `id` is in flight, then cuts it off (a second Ctrl-C): its end is unknown. */
async function leaveInFlight(plan: Plan, id: string): Promise<void> {
  const fakes = new FakeExecutors().on(id, { gate: new Promise(() => {}) });
  const stop = new AbortController();
  const kill = new AbortController();
  const running = runWith(
    plan,
    fakeEnvironment(t.dir, fakes, { stop: stop.signal, kill: kill.signal }),
    t.dir,
  );
  for (let i = 0; i < 1000 && fakes.running === 0; i++) await new Promise((r) => setTimeout(r, 2));
  stop.abort();
  kill.abort(new Error("cut off"));
  const result = await running;
  expect(replay(events(result)).steps.get(id)?.status).toBe("in-flight");
}

describe("resume", () => {
  it("never runs a finished step again, and runs a failed one again", async () => {
    const plan = planOf([{ name: "a", steps: 4 }]);
    const first = new FakeExecutors().on("1.3", { fail: "exit code 1" });
    await runWith(plan, fakeEnvironment(t.dir, first), t.dir);
    expect(first.runs).toEqual(["1.1", "1.2", "1.3"]);
    const second = new FakeExecutors();
    const result = await runWith(plan, fakeEnvironment(t.dir, second), t.dir, { resume: true });
    expect(second.runs).toEqual(["1.3", "1.4"]);
    expect(result.status === "ran" && result.summary.outcome).toBe("finished");
    const all = events(result);
    expect(
      all
        .filter((e) => e.type === "run-started")
        .map((e) => (e as { options: { resume: boolean } }).options.resume),
    ).toEqual([false, true]);
    expect(all.at(-1)).toMatchObject({ type: "run-finished" });
  });

  it("settles a step left in flight by looking at the site: found done, it is not run again", async () => {
    const plan = planOf([{ name: "a", steps: 3 }]);
    await leaveInFlight(plan, "1.2");
    const fakes = new FakeExecutors().on("1.2", { observe: "done" });
    const operator = new RecordingOperator();
    const result = await runWith(plan, fakeEnvironment(t.dir, fakes, { operator }), t.dir, { resume: true });
    expect(fakes.observed).toEqual(["1.2"]);
    expect(fakes.runs).toEqual(["1.3"]);
    expect(operator.questions).toEqual([]);
    expect(events(result)).toContainEqual(
      expect.objectContaining({ type: "step-finished", step: "1.2", observed: true }),
    );
  });

  it("runs an in-flight step again when the site shows it did not take effect", async () => {
    const plan = planOf([{ name: "a", steps: 3 }]);
    await leaveInFlight(plan, "1.2");
    const fakes = new FakeExecutors().on("1.2", { observe: "not-done" });
    await runWith(plan, fakeEnvironment(t.dir, fakes), t.dir, { resume: true });
    expect(fakes.runs).toEqual(["1.2", "1.3"]);
  });

  it("asks the operator when the executor cannot tell, and does what they say", async () => {
    const plan = planOf([{ name: "a", steps: 3 }]);
    await leaveInFlight(plan, "1.2");
    const fakes = new FakeExecutors();
    const operator = new RecordingOperator([{ answer: "no", by: "ana" }]);
    const result = await runWith(
      plan,
      fakeEnvironment(t.dir, fakes, { operator, registry: fakes.table({ observe: false }) }),
      t.dir,
      {
        resume: true,
      },
    );
    expect(operator.questions).toHaveLength(1);
    expect(operator.questions[0]).toMatchObject({
      kind: "resume",
      stepId: "1.2",
      choices: ["yes", "no", "abort"],
    });
    expect(operator.questions[0]!.details.join("\n")).toContain("fake command: would do 1.2");
    expect(fakes.runs).toEqual(["1.2", "1.3"]);
    expect(events(result)).toContainEqual(
      expect.objectContaining({ type: "answer", step: "1.2", question: "resume", answer: "no", by: "ana" }),
    );
  });

  it("marks an in-flight step done when the operator says it took effect", async () => {
    const plan = planOf([{ name: "a", steps: 3 }]);
    await leaveInFlight(plan, "1.2");
    const fakes = new FakeExecutors();
    const operator = new RecordingOperator([{ answer: "yes", by: "ana" }]);
    await runWith(plan, fakeEnvironment(t.dir, fakes, { operator }), t.dir, { resume: true });
    expect(fakes.observed).toEqual(["1.2"]);
    expect(fakes.runs).toEqual(["1.3"]);
  });

  it("stops when the operator aborts, leaving the step in flight for the next resume", async () => {
    const plan = planOf([{ name: "a", steps: 3 }]);
    await leaveInFlight(plan, "1.2");
    const fakes = new FakeExecutors();
    const operator = new RecordingOperator([{ answer: "abort", reason: "not sure", by: "ana" }]);
    const result = await runWith(plan, fakeEnvironment(t.dir, fakes, { operator }), t.dir, { resume: true });
    expect(fakes.runs).toEqual([]);
    expect(result.status === "ran" && result.summary).toMatchObject({
      outcome: "aborted",
      reason: "aborted at step 1.2 by ana: not sure",
    });
    expect(replay(events(result)).steps.get("1.2")?.status).toBe("in-flight");
  });

  it("refuses to start over on an unfinished run without --resume; --fresh sets it aside", async () => {
    const plan = planOf([{ name: "a", steps: 2 }]);
    await runWith(plan, fakeEnvironment(t.dir, new FakeExecutors().on("1.2", { fail: "no" })), t.dir);
    const refused = await runWith(plan, fakeEnvironment(t.dir, new FakeExecutors()), t.dir, {
      resumeCommand: "plan run p --resume",
    });
    expect(refused).toMatchObject({
      status: "refused",
      usage: true,
      problem: expect.stringContaining("was started by tester on test-host"),
      help: expect.stringContaining("plan run p --resume"),
    });
    const fakes = new FakeExecutors();
    const fresh = await runWith(plan, fakeEnvironment(t.dir, fakes), t.dir, { fresh: true });
    expect(fakes.runs).toEqual(["1.1", "1.2"]);
    expect(fresh.status === "ran" && fresh.summary.outcome).toBe("finished");
    expect(readdirSync(join(t.dir, "runs"))).toHaveLength(2);
  });

  it("starts a new run after a finished one, and refuses to resume a finished run or a missing one", async () => {
    const plan = planOf([{ name: "a", steps: 1 }]);
    expect(
      await runWith(plan, fakeEnvironment(t.dir, new FakeExecutors()), t.dir, { resume: true }),
    ).toMatchObject({
      status: "refused",
      problem: expect.stringContaining("there is no run of test@summit to resume"),
    });
    await runWith(plan, fakeEnvironment(t.dir, new FakeExecutors()), t.dir);
    expect(
      await runWith(plan, fakeEnvironment(t.dir, new FakeExecutors()), t.dir, { resume: true }),
    ).toMatchObject({
      status: "refused",
      problem: expect.stringContaining("finished already"),
    });
    const again = new FakeExecutors();
    await runWith(plan, fakeEnvironment(t.dir, again), t.dir);
    expect(again.runs).toEqual(["1.1"]);
  });
});
