import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/ir/schema.js";
import { compilePlans, failureOf, outputOf, runSimulated, stepStatus, tempDir } from "./harness.js";

/**
 * Each fault of the simulated site, on a small plan that has every kind of step the shipped plans run:
 * the run behaves as the procedure says (the wait reports and escalates per its `else`, a failing step
 * stops the run with the system's own words), and after the fault clears (`--resume` without it) the run
 * finishes. Site time runs 400 times faster than the wall clock; nothing here measures time.
 */

const dirs: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of dirs) cleanup();
});

let plan: Plan;
beforeAll(() => {
  [plan] = compilePlans("test/simulator/fixtures/mini.dpl") as [Plan];
});

function stateDir(): string {
  const t = tempDir("plan-faults-");
  dirs.push(t.cleanup);
  return t.dir;
}

function outcome(run: Awaited<ReturnType<typeof runSimulated>>): string {
  if (run.result.status !== "ran") throw new Error(`refused: ${run.result.problem}\n${run.output}`);
  return run.result.summary.outcome;
}

describe("faults of the simulated site", () => {
  it("runs the small plan to its end with no fault", async () => {
    const run = await runSimulated(plan, { stateDir: stateDir() });
    expect(outcome(run), run.output).toBe("finished");
    expect(stepStatus(run.journal, "4.3")).toBe("done");
    expect(outputOf(run.journal, "4.3").join("\n")).toContain("all 6 as expected");
  });

  it("csc-fault: the CSC ends in FAULT, the wait reports it and asks; a no stops the run; cleared, the resume finishes", async () => {
    const dir = stateDir();
    const answers = 'questions:\n  "1.2": "no"\n';
    const first = await runSimulated(plan, { stateDir: dir, faults: ["csc-fault=ATDome"], answers });
    expect(outcome(first), first.output).toBe("failed");
    expect(stepStatus(first.journal, "1.2")).toBe("failed");
    expect(failureOf(first.journal, "1.2")).toMatch(/ATDome FAULT \(expected OFFLINE\)/);
    // The operator was asked the procedure's question, and said no.
    expect(first.journal.some((e) => e.type === "answer" && e.step === "1.2" && e.answer === "no")).toBe(
      true,
    );

    const resumed = await runSimulated(plan, { stateDir: dir, resume: true, answers });
    expect(outcome(resumed), resumed.output).toBe("finished");
    expect(stepStatus(resumed.journal, "1.2")).toBe("done");
    expect(stepStatus(resumed.journal, "4.3")).toBe("done");
  });

  it("csc-fault with the scripted operator: it answers yes to the procedure's question and the run goes on", async () => {
    const run = await runSimulated(plan, { stateDir: stateDir(), faults: ["csc-fault=ATMCS"] });
    expect(outcome(run), run.output).toBe("finished");
    const answers = run.journal.filter((e) => e.type === "answer" && e.question !== "manual");
    // The shutdown wait and the final wait both time out on ATMCS and ask; the operator goes on.
    expect(answers.map((e) => e.type === "answer" && e.step)).toEqual(["1.2", "4.3"]);
    expect(outputOf(run.journal, "4.3").join("\n")).toMatch(/ATMCS FAULT \(expected STANDBY\)/);
  });

  it("app-degraded: the sync is applied but the app stays Degraded until the timeout; cleared, the resume syncs it again", async () => {
    const dir = stateDir();
    const first = await runSimulated(plan, { stateDir: dir, faults: ["app-degraded=auxtel"] });
    expect(outcome(first), first.output).toBe("failed");
    expect(failureOf(first.journal, "3.1.1")).toMatch(/Degraded/);
    expect(failureOf(first.journal, "3.1.1")).toMatch(/progress deadline/);

    const resumed = await runSimulated(plan, { stateDir: dir, resume: true });
    expect(outcome(resumed), resumed.output).toBe("finished");
    expect(stepStatus(resumed.journal, "3.1.1")).toBe("done");
  });

  it("app-sync-failed: the step fails at once with Argo CD's message; cleared, the resume finishes", async () => {
    const dir = stateDir();
    const first = await runSimulated(plan, { stateDir: dir, faults: ["app-sync-failed=obssys"] });
    expect(outcome(first), first.output).toBe("failed");
    expect(failureOf(first.journal, "3.1.3")).toMatch(/the sync of Argo CD application obssys failed/);
    const resumed = await runSimulated(plan, { stateDir: dir, resume: true });
    expect(outcome(resumed), resumed.output).toBe("finished");
  });

  it("broker-down for a while: the lag wait reports the broker unreachable, waits, and goes on when it answers", async () => {
    const run = await runSimulated(plan, { stateDir: stateDir(), faults: ["broker-down=2m"] });
    expect(outcome(run), run.output).toBe("finished");
    const lines = outputOf(run.journal, "2.1").join("\n");
    expect(lines).toMatch(/unreachable .*trying again/);
    expect(lines).toMatch(/lag of telegraf\*: 0/);
  });

  it("broker-down past the wait's timeout: the step fails; cleared, the resume finishes", async () => {
    const dir = stateDir();
    const first = await runSimulated(plan, { stateDir: dir, faults: ["broker-down=1h"] });
    expect(outcome(first), first.output).toBe("failed");
    expect(failureOf(first.journal, "2.1")).toMatch(/unreachable/);
    const resumed = await runSimulated(plan, { stateDir: dir, resume: true });
    expect(outcome(resumed), resumed.output).toBe("finished");
    expect(stepStatus(resumed.journal, "2.1")).toBe("done");
  });

  it("lag-stuck: the lag never drains, the wait fails at its timeout saying where it stands; cleared, it drains", async () => {
    const dir = stateDir();
    const first = await runSimulated(plan, { stateDir: dir, faults: ["lag-stuck=telegraf"] });
    expect(outcome(first), first.output).toBe("failed");
    expect(failureOf(first.journal, "2.1")).toMatch(/lag of telegraf\* is [1-9][0-9,]* .*not 0, after 10m/);
    const resumed = await runSimulated(plan, { stateDir: dir, resume: true });
    expect(outcome(resumed), resumed.output).toBe("finished");
    expect(outputOf(resumed.journal, "2.1").join("\n")).toMatch(/lag of telegraf\*: 0/);
  });

  it("ssh-refuse: the command on that host fails naming it, and nothing ran there; cleared, the resume finishes", async () => {
    const dir = stateDir();
    const first = await runSimulated(plan, { stateDir: dir, faults: ["ssh-refuse=cam"] });
    expect(outcome(first), first.output).toBe("failed");
    expect(failureOf(first.journal, "1.4")).toMatch(
      /cam \(.*cam\.mini\.example\.org.*\) refused the ssh connection/,
    );
    expect(first.simulation.site.parts.hosts?.double("cam")?.execs).toEqual([]);
    const resumed = await runSimulated(plan, { stateDir: dir, resume: true });
    expect(outcome(resumed), resumed.output).toBe("finished");
    expect(resumed.simulation.site.parts.hosts?.double("cam")?.execs.map((e) => e.command)).toEqual([
      "sudo systemctl stop ats-ocs-bridge.service",
      "sudo systemctl start ats-ocs-bridge.service",
    ]);
  });

  it("refuses a fault that names nothing the site has", async () => {
    await expect(runSimulated(plan, { stateDir: stateDir(), faults: ["csc-fault=ATDom"] })).rejects.toThrow(
      /site mini has no CSC `ATDom`.*did you mean `ATDome`/,
    );
    await expect(runSimulated(plan, { stateDir: stateDir(), faults: ["power-cut=1m"] })).rejects.toThrow(
      /unknown fault `power-cut`/,
    );
  });
});
