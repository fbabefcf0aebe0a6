import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Plan, PlanSite, Step, StepKind } from "../../../src/ir/schema.js";
import { TextDisplay } from "../../../src/runtime/display.js";
import {
  type Executor,
  type Observation,
  type Operator,
  RunAborted,
  StepFailure,
  type StepResult,
} from "../../../src/runtime/executor.js";
import type { JournalEvent } from "../../../src/runtime/journal.js";
import { FileLeaseStore } from "../../../src/runtime/lock-file-store.js";
import { Redactor } from "../../../src/runtime/redact.js";
import { type ExecutorTable, STEP_KINDS } from "../../../src/runtime/registry.js";
import { type RunEnvironment, type RunRequest, type RunResult, runPlan } from "../../../src/runtime/run.js";
import { PlanBuilder } from "../../support/plan-builder.js";
import { FakeClock, RecordingOperator, testServices, testSite } from "../context.js";

/** What a fake step does when it runs; by default it is done at once. */
export interface Behaviour {
  /** Fails with a StepFailure with this message. */
  fail?: string;
  /** The first this many attempts fail with a transient StepFailure, then it is done. */
  transientFailures?: number;
  /** Every attempt fails with a transient StepFailure. */
  alwaysTransient?: boolean;
  /** Ends skipped with this reason. */
  skip?: string;
  /** Throws a plain Error (an executor's bug). */
  crash?: string;
  /** Throws RunAborted, as a manual step does when the operator aborts. */
  abort?: string;
  /** Waits for this before ending (honoring the step's signal). */
  gate?: Promise<void>;
  /** Logs these lines. */
  log?: string[];
  /** What observe() says about it. */
  observe?: Observation;
  /** Asks the operator this question inside the step (as a manual step does). */
  askOperator?: boolean;
}

/**
 * Executors for every step kind that record what ran, in one shared log (which tests interleave with
 * the journal's writes and syncs), and how many ran at once.
 */
export class FakeExecutors {
  readonly runs: string[] = [];
  readonly observed: string[] = [];
  running = 0;
  maxRunning = 0;
  readonly behaviours = new Map<string, Behaviour>();

  constructor(readonly log: string[] = []) {}

  on(id: string, behaviour: Behaviour): this {
    this.behaviours.set(id, behaviour);
    return this;
  }

  /** The table, for all kinds or only some; `observe: false` leaves observe() out. */
  table(options: { kinds?: readonly StepKind[]; observe?: boolean } = {}): ExecutorTable {
    const table: Record<string, Executor> = {};
    for (const kind of options.kinds ?? STEP_KINDS)
      table[kind] = this.executor(kind, options.observe ?? true);
    return table as ExecutorTable;
  }

  private executor(kind: StepKind, withObserve: boolean): Executor {
    const executor: Executor = {
      kind,
      describe: (step: Step) => [`fake ${kind}: would do ${step.id}`],
      run: async (step, ctx): Promise<StepResult> => {
        this.log.push(`run ${step.id}`);
        this.runs.push(step.id);
        this.running += 1;
        this.maxRunning = Math.max(this.maxRunning, this.running);
        try {
          const b = this.behaviours.get(step.id) ?? {};
          const attempt = this.runs.filter((id) => id === step.id).length;
          for (const line of b.log ?? []) ctx.log(line);
          if (b.gate) {
            await new Promise<void>((resolve, reject) => {
              b.gate!.then(resolve, reject);
              ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
            });
          }
          if (b.askOperator) {
            const answer = await ctx.operator.ask(
              { stepId: step.id, title: step.title, details: ["do it"], choices: ["done", "skip", "abort"] },
              ctx.signal,
            );
            if (answer.answer === "skip") return { status: "skipped", reason: answer.reason };
            if (answer.answer === "abort") throw new RunAborted(answer.reason);
          }
          if (b.crash) throw new Error(b.crash);
          if (b.abort) throw new RunAborted(b.abort);
          if (b.fail) throw new StepFailure(b.fail, "fix it");
          if (b.alwaysTransient || attempt <= (b.transientFailures ?? 0)) {
            throw new StepFailure(`refused (attempt ${attempt})`, undefined, true);
          }
          if (b.skip) return { status: "skipped", reason: b.skip };
          return { status: "done", summary: `did ${step.id}` };
        } finally {
          this.running -= 1;
          this.log.push(`end ${step.id}`);
        }
      },
    };
    if (withObserve) {
      executor.observe = async (step) => {
        this.observed.push(step.id);
        return this.behaviours.get(step.id)?.observe ?? "unknown";
      };
    }
    return executor;
  }
}

/** A temporary state directory, removed by `cleanup`. */
export function tempDir(prefix = "plan-run-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A display that keeps its text. */
export function memoryDisplay(
  clock: FakeClock,
  redactor = new Redactor(),
): { display: TextDisplay; text: () => string } {
  const chunks: string[] = [];
  const display = new TextDisplay({ write: (t) => chunks.push(t), isTTY: false }, clock, redactor);
  return { display, text: () => chunks.join("") };
}

/**
 * A plan of independent groups of steps: `shape` lists, per phase, the number of steps; steps of a phase
 * marked parallel all hang off the previous phase. No checkpoints.
 */
export function planOf(
  phases: { name: string; steps: number; parallel?: boolean; kind?: "command" | "manual" }[],
  site: PlanSite = testSite(),
  extra: (phase: string, index: number) => Partial<Step> = () => ({}),
): Plan {
  const b = new PlanBuilder({ procedure: { name: "test", title: "Test" }, site });
  for (const ph of phases) {
    b.phase({ name: ph.name, title: `Phase ${ph.name}`, checkpoint: false }, (p) => {
      for (let i = 1; i <= ph.steps; i++) {
        const fields = extra(ph.name, i) as Record<string, unknown>;
        if (ph.kind === "manual") {
          p.step("manual", {
            title: `Do ${ph.name} ${i}`,
            text: "by hand",
            parallel: ph.parallel,
            ...fields,
          });
        } else {
          p.step("command", {
            title: `Run ${ph.name} ${i}`,
            argv: ["true"],
            parallel: ph.parallel,
            ...fields,
          });
        }
      }
    });
  }
  return b.build();
}

/** A run environment of fakes around a state directory. */
export function fakeEnvironment(
  stateDir: string,
  executors: FakeExecutors,
  overrides: Partial<RunEnvironment> & { operator?: Operator } = {},
): RunEnvironment & { clock: FakeClock; displayText: () => string } {
  const clock = (overrides.clock as FakeClock | undefined) ?? new FakeClock();
  const redactor = overrides.redactor ?? new Redactor();
  const shown = memoryDisplay(clock, redactor);
  return {
    registry: executors.table(),
    operator: new RecordingOperator(),
    services: testServices(),
    secrets: { get: () => undefined },
    redactor,
    display: shown.display,
    lockStore: new FileLeaseStore(stateDir, "summit"),
    who: "tester",
    host: "test-host",
    pid: 4242,
    ...overrides,
    clock,
    displayText: shown.text,
  };
}

/** Runs a plan with fakes; the request's defaults: the state dir, concurrency 1. */
export function runWith(
  plan: Plan,
  env: RunEnvironment,
  stateDir: string,
  request: Partial<RunRequest> = {},
): ReturnType<typeof runPlan> {
  return runPlan({ plan, stateDir, concurrency: 1, ...request }, env);
}

/** The journal of a run that ran (throws on a refusal). */
export function journalOf(result: RunResult): JournalEvent[] {
  if (result.status !== "ran")
    throw new Error(`refused: ${result.status === "refused" ? result.problem : ""}`);
  return readFileSync(result.journal, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as JournalEvent);
}

/** The summary of a run that ran (throws on a refusal). */
export function summaryOf(result: RunResult) {
  if (result.status !== "ran")
    throw new Error(`refused: ${result.status === "refused" ? result.problem : ""}`);
  return result.summary;
}

/** A deferred promise, to hold a fake step until the test lets it end. */
export function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Waits (in real time, a few seconds at most) until the condition holds. */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!condition()) throw new Error("condition never held");
}
