import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileEntryWith } from "../../src/cli/compile-entry.js";
import { type Simulation, startSimulation } from "../../src/cli/run-simulated.js";
import type { Plan } from "../../src/ir/schema.js";
import { parse } from "../../src/language/parse.js";
import { type AnswersFile, parseAnswers } from "../../src/runtime/answers.js";
import { TextDisplay } from "../../src/runtime/display.js";
import { journalPath, parseJournal } from "../../src/runtime/journal.js";
import type { JournalEvent } from "../../src/runtime/journal-events.js";
import { processAlive } from "../../src/runtime/lock.js";
import { siteLockStore } from "../../src/runtime/lock-store.js";
import { environmentSecrets, Redactor } from "../../src/runtime/redact.js";
import { builtinExecutors } from "../../src/runtime/registry.js";
import { type RunResult, runPlan } from "../../src/runtime/run.js";
import { replay } from "../../src/runtime/run-state.js";

/**
 * Runs plans on simulated sites in this process, as `plan run --simulate` does: the real runtime, its
 * executors and their clients against the site started by the CLI's own `startSimulation`, with the
 * output captured.
 */

export interface SimulatedRun {
  readonly result: RunResult;
  /** Everything the run printed (notices, steps, the summary, the site's epilogue). */
  readonly output: string;
  readonly journal: JournalEvent[];
  /** The simulation, stopped, with its doubles' request logs. */
  readonly simulation: Simulation;
}

export interface RunOptions {
  readonly stateDir: string;
  readonly speed?: number;
  readonly faults?: readonly string[];
  readonly resume?: boolean;
  readonly fresh?: boolean;
  /** The answers file's text (YAML). */
  readonly answers?: string;
  readonly concurrency?: number;
  /** Called with the simulation once it runs, before the plan starts. */
  readonly onStart?: (simulation: Simulation) => void;
}

export async function runSimulated(plan: Plan, options: RunOptions): Promise<SimulatedRun> {
  let output = "";
  const redactor = new Redactor();
  const display = new TextDisplay(
    {
      write: (t) => {
        output += t;
      },
    },
    { now: () => Date.now(), sleep: async () => {} },
    redactor,
  );
  const secrets = environmentSecrets({}, redactor);
  let answers: AnswersFile | undefined;
  if (options.answers !== undefined) {
    const parsed = parseAnswers(options.answers);
    if (!parsed.ok) throw new Error(parsed.problem);
    answers = parsed.answers;
  }
  const started = await startSimulation(
    plan,
    {
      stateDir: options.stateDir,
      speed: options.speed ?? 400,
      faults: options.faults ?? [],
      resume: options.resume ?? false,
      fresh: options.fresh ?? false,
      answers,
    },
    display,
    secrets,
  );
  if (!started.ok) throw new Error(started.problem);
  const simulation = started.simulation;
  options.onStart?.(simulation);
  const lockStore = siteLockStore(simulation.lockSite, {
    stateDir: options.stateDir,
    kube: () => simulation.services.kubernetes(),
  });
  if (!lockStore.ok) throw new Error(lockStore.problem);
  try {
    const result = await runPlan(
      {
        plan,
        stateDir: options.stateDir,
        concurrency: options.concurrency ?? 4,
        resume: options.resume,
        fresh: options.fresh,
      },
      {
        registry: builtinExecutors,
        operator: simulation.operator,
        services: simulation.services,
        secrets,
        redactor,
        clock: simulation.clock,
        display,
        lockStore: lockStore.store,
        who: "tester",
        host: "test-host",
        pid: process.pid,
        isAlive: processAlive,
      },
    );
    if (result.status === "ran") for (const line of simulation.epilogue()) output += `${line}\n`;
    return { result, output, journal: journalOf(options.stateDir, plan), simulation };
  } finally {
    await simulation.services.close();
    await simulation.close();
  }
}

/** The events of a plan's journal in a state directory (none when there is no journal). */
export function journalOf(stateDir: string, plan: Plan): JournalEvent[] {
  let text: string;
  try {
    text = readFileSync(journalPath(stateDir, plan.id, plan.hash), "utf8");
  } catch {
    return [];
  }
  const read = parseJournal(text);
  if (!read.ok) throw new Error(read.problem);
  return read.events;
}

/** How a step stands in a journal: done, failed, … */
export function stepStatus(events: readonly JournalEvent[], id: string): string | undefined {
  return replay(events).steps.get(id)?.status;
}

/** The message of a step's last failure, as journaled. */
export function failureOf(events: readonly JournalEvent[], id: string): string {
  const failed = events.filter((e) => e.type === "step-failed" && e.step === id);
  const last = failed.at(-1);
  return last && last.type === "step-failed" ? last.message : "";
}

/** The output lines a step journaled. */
export function outputOf(events: readonly JournalEvent[], id: string): string[] {
  return events.flatMap((e) => (e.type === "output" && e.step === id ? [e.line] : []));
}

/** Compiles every site's plan of a `.dpl` entry; throws with the diagnostics when it does not compile. */
export function compilePlans(entry: string, params: readonly string[] = []): Plan[] {
  const compiled = compileEntryWith(parse, entry, { param: [...params] });
  const errors = compiled.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0)
    throw new Error(`${entry} does not compile: ${errors.map((d) => d.message).join("; ")}`);
  return compiled.plans.map((p) => {
    if (!p.plan) throw new Error(`${entry} has no plan for ${p.site}`);
    return p.plan;
  });
}

/** A temporary directory, removed by `cleanup`. */
export function tempDir(prefix = "plan-sim-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
