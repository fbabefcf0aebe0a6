import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JournalEvent } from "../../../src/runtime/journal.js";
import { type JournalFs, nodeJournalFs } from "../../../src/runtime/journal-file.js";
import { Redactor } from "../../../src/runtime/redact.js";
import { FakeClock } from "../context.js";
import {
  deferred,
  FakeExecutors,
  fakeEnvironment,
  journalOf,
  planOf,
  runWith,
  summaryOf,
  tempDir,
  until,
} from "./fakes.js";

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

describe("the scheduler", () => {
  it("runs every step in dependency order and journals each start and end", async () => {
    const plan = planOf([
      { name: "a", steps: 2 },
      { name: "b", steps: 3, parallel: true },
      { name: "c", steps: 1 },
    ]);
    const fakes = new FakeExecutors();
    const env = fakeEnvironment(t.dir, fakes);
    const result = await runWith(plan, env, t.dir, { concurrency: 1 });
    expect(summaryOf(result)).toMatchObject({ outcome: "finished", remaining: [] });
    expect(fakes.runs).toEqual(["1.1", "1.2", "2.1", "2.2", "2.3", "3.1"]);
    const events = journalOf(result);
    expect(events[0]).toMatchObject({
      type: "run-started",
      planId: plan.id,
      hash: plan.hash,
      site: "summit",
      by: "tester",
      host: "test-host",
    });
    expect(events.at(-1)).toMatchObject({ type: "run-finished" });
    for (const id of plan.order) {
      const start = events.findIndex((e) => e.type === "step-started" && e.step === id);
      const end = events.findIndex((e) => e.type === "step-finished" && e.step === id);
      expect(start).toBeGreaterThan(0);
      expect(end).toBeGreaterThan(start);
      for (const before of plan.steps.find((s) => s.id === id)!.after) {
        expect(events.findIndex((e) => e.type === "step-finished" && e.step === before)).toBeLessThan(start);
      }
    }
    expect(env.displayText()).toMatch(/▶ 1\.1 {2}Run a 1\n✓ 1\.1 {2}Run a 1 \(0ms\): did 1\.1/);
    expect(env.displayText()).toContain("Run of test@summit finished");
  });

  it("runs independent steps in parallel, never more than --concurrency at once", async () => {
    const plan = planOf([{ name: "wide", steps: 7, parallel: true }]);
    const fakes = new FakeExecutors();
    const gates = plan.order.map(() => deferred());
    for (const [i, id] of plan.order.entries()) fakes.on(id, { gate: gates[i]!.promise });
    const env = fakeEnvironment(t.dir, fakes);
    const running = runWith(plan, env, t.dir, { concurrency: 3 });
    await until(() => fakes.running === 3);
    expect(fakes.runs).toEqual(["1.1", "1.2", "1.3"]);
    gates[1]!.resolve();
    await until(() => fakes.runs.length === 4);
    expect(fakes.runs[3]).toBe("1.4");
    for (const g of gates) g.resolve();
    expect(summaryOf(await running).outcome).toBe("finished");
    expect(fakes.maxRunning).toBe(3);
    expect(fakes.runs).toHaveLength(7);
  });

  it("writes and syncs step-started before the executor runs", async () => {
    const log: string[] = [];
    const fs: JournalFs = {
      ...nodeJournalFs,
      async openAppend(path) {
        const handle = await nodeJournalFs.openAppend(path);
        return {
          write: async (text) => {
            for (const line of text.split("\n").filter(Boolean)) {
              const e = JSON.parse(line) as JournalEvent;
              log.push(`write ${e.type}${"step" in e ? ` ${e.step}` : ""}`);
            }
            await handle.write(text);
          },
          sync: async () => {
            await handle.sync();
            log.push("sync");
          },
          close: () => handle.close(),
        };
      },
    };
    const plan = planOf([{ name: "a", steps: 3, parallel: true }]);
    const fakes = new FakeExecutors(log);
    await runWith(plan, fakeEnvironment(t.dir, fakes, { journalFs: fs }), t.dir, { concurrency: 3 });
    for (const id of plan.order) {
      const written = log.indexOf(`write step-started ${id}`);
      const ran = log.indexOf(`run ${id}`);
      expect(written).toBeGreaterThanOrEqual(0);
      expect(log.slice(written, ran)).toContain("sync");
      // And the end is written only after the executor ended.
      expect(log.indexOf(`write step-finished ${id}`)).toBeGreaterThan(log.indexOf(`end ${id}`));
    }
  });

  it("--from and --only run only the selected steps and say which dependencies they leave out", async () => {
    const plan = planOf([
      { name: "a", steps: 3 },
      { name: "b", steps: 2 },
    ]);
    const fakes = new FakeExecutors();
    const env = fakeEnvironment(t.dir, fakes);
    const result = await runWith(plan, env, t.dir, { selection: { from: "1.3", only: ["1.3", "b"] } });
    expect(fakes.runs).toEqual(["1.3", "2.1", "2.2"]);
    expect(env.displayText()).toContain("note: 1.3 comes after 1.2, which this run leaves out");
    const events = journalOf(result);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "notice", text: "1.3 comes after 1.2, which this run leaves out" }),
    );
    // The selection is done, the plan is not: the journal does not call the run finished.
    expect(summaryOf(result).outcome).toBe("finished");
    expect(events.at(-1)).toMatchObject({ type: "run-stopped", outcome: "stopped" });
  });

  it("tries a transient failure again up to the step's retries, waiting on the clock", async () => {
    const plan = planOf([{ name: "a", steps: 2 }], undefined, (_p, i) => (i === 1 ? { retries: 2 } : {}));
    const fakes = new FakeExecutors().on("1.1", { transientFailures: 2 });
    const env = fakeEnvironment(t.dir, fakes);
    const result = await runWith(plan, env, t.dir);
    expect(summaryOf(result).outcome).toBe("finished");
    expect(fakes.runs).toEqual(["1.1", "1.1", "1.1", "1.2"]);
    expect(env.clock.sleeps).toEqual([5000, 10000]);
    const failures = journalOf(result).filter((e) => e.type === "step-failed");
    expect(failures).toEqual([
      expect.objectContaining({ step: "1.1", attempt: 1, retrying: true }),
      expect.objectContaining({ step: "1.1", attempt: 2, retrying: true }),
    ]);
  });

  it("stops at a failure: nothing new starts, and the summary says what remains and how to resume", async () => {
    const plan = planOf([{ name: "a", steps: 4 }], undefined, (_p, i) => (i === 2 ? { retries: 3 } : {}));
    const fakes = new FakeExecutors().on("1.2", { fail: "exit code 3" });
    const env = fakeEnvironment(t.dir, fakes);
    const result = await runWith(plan, env, t.dir, { resumeCommand: "plan run p.json --resume" });
    expect(fakes.runs).toEqual(["1.1", "1.2"]);
    expect(summaryOf(result)).toMatchObject({
      outcome: "failed",
      failed: [{ id: "1.2", message: "exit code 3" }],
      remaining: ["1.2", "1.3", "1.4"],
      resumeCommand: "plan run p.json --resume",
    });
    const events = journalOf(result);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "step-failed",
        step: "1.2",
        message: "exit code 3",
        help: "fix it",
        retrying: false,
      }),
    );
    expect(events.at(-1)).toMatchObject({
      type: "run-stopped",
      outcome: "failed",
      reason: "step 1.2 failed: exit code 3",
    });
    expect(env.displayText()).toContain("to resume: plan run p.json --resume");
  });

  it("reports an executor's bug as an internal error of its kind", async () => {
    const plan = planOf([{ name: "a", steps: 1 }]);
    const fakes = new FakeExecutors().on("1.1", { crash: "undefined is not a function" });
    const result = await runWith(plan, fakeEnvironment(t.dir, fakes), t.dir);
    expect(summaryOf(result).failed).toEqual([
      { id: "1.1", message: "internal error in the command executor: undefined is not a function" },
    ]);
  });

  it("on Ctrl-C starts nothing more, lets the running steps end, records it and stops", async () => {
    const plan = planOf([
      { name: "a", steps: 2, parallel: true },
      { name: "b", steps: 2 },
    ]);
    const gate = deferred();
    const fakes = new FakeExecutors().on("1.1", { gate: gate.promise }).on("1.2", { gate: gate.promise });
    const stop = new AbortController();
    const env = fakeEnvironment(t.dir, fakes, {
      stop: stop.signal,
      stopReason: () => "interrupted (Ctrl-C)",
    });
    const running = runWith(plan, env, t.dir, { concurrency: 4 });
    await until(() => fakes.running === 2);
    stop.abort();
    await new Promise((r) => setTimeout(r, 20));
    gate.resolve();
    const result = await running;
    expect(fakes.runs).toEqual(["1.1", "1.2"]);
    expect(summaryOf(result)).toMatchObject({
      outcome: "stopped",
      reason: "interrupted (Ctrl-C)",
      done: ["1.1", "1.2"],
      remaining: ["2.1", "2.2"],
    });
    const events = journalOf(result);
    expect(events.filter((e) => e.type === "step-finished").map((e) => (e as { step: string }).step)).toEqual(
      ["1.1", "1.2"],
    );
    expect(events.at(-1)).toMatchObject({
      type: "run-stopped",
      outcome: "stopped",
      reason: "interrupted (Ctrl-C)",
    });
  });

  it("on a second Ctrl-C cuts running steps off and leaves their end unknown", async () => {
    const plan = planOf([{ name: "a", steps: 2 }]);
    const fakes = new FakeExecutors().on("1.1", { gate: new Promise(() => {}) });
    const stop = new AbortController();
    const kill = new AbortController();
    const env = fakeEnvironment(t.dir, fakes, { stop: stop.signal, kill: kill.signal });
    const running = runWith(plan, env, t.dir);
    await until(() => fakes.running === 1);
    stop.abort();
    kill.abort(new Error("cut off"));
    const result = await running;
    const events = journalOf(result);
    expect(events.filter((e) => "step" in e && e.step === "1.1").map((e) => e.type)).toEqual([
      "step-started",
    ]);
    expect(summaryOf(result).outcome).toBe("stopped");
  });

  it("refuses to start when a selected step's kind has no executor, and touches nothing", async () => {
    const plan = planOf([
      { name: "a", steps: 1 },
      { name: "b", steps: 1, kind: "manual" },
    ]);
    const fakes = new FakeExecutors();
    const env = fakeEnvironment(t.dir, fakes, { registry: fakes.table({ kinds: ["command"] }) });
    const result = await runWith(plan, env, t.dir);
    expect(result).toMatchObject({
      status: "refused",
      problem: expect.stringContaining("no executor for kind manual"),
    });
    expect(fakes.runs).toEqual([]);
    expect(existsSync(join(t.dir, "locks"))).toBe(false);
    expect(existsSync(join(t.dir, "runs"))).toBe(false);
    // Leaving the manual steps out, it runs.
    expect(summaryOf(await runWith(plan, env, t.dir, { selection: { only: ["a"] } })).outcome).toBe(
      "finished",
    );
  });

  it("masks secrets in the journal and on the display, inside longer strings too", async () => {
    const redactor = new Redactor();
    redactor.add("s3cr3t-token");
    const plan = planOf([{ name: "a", steps: 2 }]);
    const fakes = new FakeExecutors()
      .on("1.1", { log: ["Authorization: Bearer s3cr3t-token!"] })
      .on("1.2", { fail: "login with s3cr3t-token refused" });
    const env = fakeEnvironment(t.dir, fakes, { redactor });
    const result = await runWith(plan, env, t.dir);
    const text = readFileSync(result.status === "ran" ? result.journal : "", "utf8");
    expect(text).not.toContain("s3cr3t-token");
    expect(text).toContain("Bearer ***!");
    expect(text).toContain("login with *** refused");
    expect(env.displayText()).not.toContain("s3cr3t-token");
    expect(env.displayText()).toContain("1.1 │ Authorization: Bearer ***!");
  });

  it("refuses a plan whose content does not match its hash", async () => {
    const plan = { ...planOf([{ name: "a", steps: 1 }]), id: "tampered@summit" };
    const result = await runWith(plan, fakeEnvironment(t.dir, new FakeExecutors()), t.dir);
    expect(result).toMatchObject({
      status: "refused",
      problem: "the plan's content does not match its hash",
    });
  });

  it("uses the given clock for durations", async () => {
    const clock = new FakeClock();
    const plan = planOf([{ name: "a", steps: 1 }]);
    const fakes = new FakeExecutors();
    const result = await runWith(plan, fakeEnvironment(t.dir, fakes, { clock }), t.dir);
    expect(journalOf(result)).toContainEqual(
      expect.objectContaining({ type: "step-finished", durationMs: 0 }),
    );
  });
});
