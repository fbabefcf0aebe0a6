import type { Step } from "../ir/schema.js";
import { type Operator, type OperatorChoice, RunAborted, StepFailure, type StepResult } from "./executor.js";
import { NeedsOperator, type RuntimeQuestion } from "./operator.js";
import type { LiveStatus } from "./ready.js";
import { executorFor } from "./registry.js";
import { type Session, stepContext } from "./session.js";

/** Why a session stops starting steps. */
export interface Halt {
  readonly outcome: "failed" | "stopped" | "aborted";
  readonly reason: string;
}

export interface StepRunResult {
  readonly status: LiveStatus;
  readonly halt?: Halt;
}

/** How long to wait before trying a step again after a transient failure: 5 s, 10 s, … at most 60 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(60_000, 5_000 * attempt);
}

const GATE_CHOICES: readonly OperatorChoice[] = ["yes", "skip", "abort"];

/**
 * Runs one step in full: the `--step` question and the step's `confirm` question first (yes runs it,
 * skip skips it with the operator's reason, abort stops the run), then `step-started` on disk, then the
 * executor, then the end on disk. A transient StepFailure is tried again up to `step.retries` times.
 * Each outcome is journaled before this resolves:
 * - done / skipped: `step-finished` / `step-skipped`;
 * - StepFailure, or any other error (an internal error of the executor): `step-failed`, and the run halts;
 * - RunAborted (the operator aborted) or NeedsOperator (nobody to answer): `step-stopped`, and the run
 *   halts; the step runs again on resume;
 * - cut off by the hard stop: nothing, so that resume asks whether it took effect.
 * A journal that cannot be written halts the run; the executor is never started without its record.
 */
export async function runStep(
  session: Session,
  step: Step,
  operator: Operator,
  stepMode: boolean,
): Promise<StepRunResult> {
  const executor = executorFor(session.registry, step);
  const describe = () => {
    try {
      return executor.describe(step, session.plan.site);
    } catch (e) {
      return [`(cannot describe it: ${(e as Error).message})`];
    }
  };
  try {
    const gates: RuntimeQuestion[] = [];
    if (stepMode) {
      gates.push({
        kind: "step",
        stepId: step.id,
        title: step.title,
        details: describe(),
        choices: GATE_CHOICES,
      });
    }
    if (step.confirm) {
      const details = [step.confirm, ...describe()];
      gates.push({ kind: "confirm", stepId: step.id, title: step.title, details, choices: GATE_CHOICES });
    }
    for (const gate of gates) {
      // A stop cancels a question before the step starts: nothing has happened yet.
      const answer = await operator.ask(gate, AbortSignal.any([session.stop, session.kill]));
      if (answer.answer === "skip") return await skipped(session, step, `${answer.reason} (${answer.by})`, 0);
      if (answer.answer === "abort") {
        const why = answer.reason ? `: ${answer.reason}` : "";
        return {
          status: "pending",
          halt: { outcome: "aborted", reason: `aborted before step ${step.id} by ${answer.by}${why}` },
        };
      }
      if (answer.answer !== "yes")
        throw new StepFailure(`the answer "${answer.answer}" does not fit the question`);
    }
  } catch (e) {
    if (session.stop.aborted || session.kill.aborted) return { status: "pending" };
    if (e instanceof NeedsOperator)
      return { status: "pending", halt: { outcome: "stopped", reason: e.message } };
    if (e instanceof RunAborted)
      return { status: "pending", halt: { outcome: "aborted", reason: `step ${step.id}: ${e.message}` } };
    return failed(session, step, e, 1, 0, false);
  }

  const retries = step.retries ?? 0;
  for (let attempt = 1; ; attempt++) {
    try {
      await session.journal.append({ type: "step-started", step: step.id, attempt });
    } catch (e) {
      return {
        status: "stopped",
        halt: { outcome: "failed", reason: `the journal cannot be written: ${(e as Error).message}` },
      };
    }
    session.display.stepStarted(step, attempt);
    const began = session.clock.now();
    let result: StepResult;
    try {
      result = await executor.run(step, stepContext(session, step, operator));
    } catch (e) {
      const took = session.clock.now() - began;
      if (session.kill.aborted) {
        session.display.stepEnded(step, {
          status: "stopped",
          durationMs: took,
          reason: "cut off; resume will ask whether it took effect",
        });
        return { status: "stopped" };
      }
      if (e instanceof RunAborted || e instanceof NeedsOperator) {
        const reason = e instanceof RunAborted ? e.message : e.message;
        try {
          await session.journal.append({ type: "step-stopped", step: step.id, reason });
        } catch {
          // The step stays in flight in the journal: resume will ask about it.
        }
        session.display.stepEnded(step, { status: "stopped", durationMs: took, reason });
        const outcome = e instanceof RunAborted ? "aborted" : "stopped";
        return { status: "stopped", halt: { outcome, reason: `step ${step.id}: ${reason}` } };
      }
      const retrying = e instanceof StepFailure && e.transient && attempt <= retries && !session.stop.aborted;
      const end = await failed(session, step, e, attempt, took, retrying);
      if (!retrying) return end;
      try {
        await session.clock.sleep(retryDelayMs(attempt), session.kill);
      } catch {
        return { status: "failed" };
      }
      // Stopped while waiting to try again: the failure stands, and resume tries it again.
      if (session.stop.aborted) return { status: "failed" };
      continue;
    }
    const took = session.clock.now() - began;
    try {
      if (result.status === "skipped") return await skipped(session, step, result.reason, took);
      await session.journal.append({
        type: "step-finished",
        step: step.id,
        summary: result.summary,
        durationMs: took,
      });
    } catch (e) {
      return {
        status: "stopped",
        halt: { outcome: "failed", reason: `the journal cannot be written: ${(e as Error).message}` },
      };
    }
    session.display.stepEnded(step, { status: "done", durationMs: took, summary: result.summary });
    return { status: "done" };
  }
}

async function skipped(session: Session, step: Step, reason: string, took: number): Promise<StepRunResult> {
  await session.journal.append({ type: "step-skipped", step: step.id, reason });
  session.display.stepEnded(step, { status: "skipped", durationMs: took, reason });
  return { status: "skipped" };
}

async function failed(
  session: Session,
  step: Step,
  error: unknown,
  attempt: number,
  took: number,
  retrying: boolean,
): Promise<StepRunResult> {
  const known = error instanceof StepFailure;
  const message = session.redactor.text(
    known
      ? error.message
      : `internal error in the ${step.kind} executor: ${(error as Error)?.message ?? String(error)}`,
  );
  const help = known && error.help ? session.redactor.text(error.help) : undefined;
  try {
    await session.journal.append({
      type: "step-failed",
      step: step.id,
      message,
      help,
      attempt,
      retrying,
      durationMs: took,
    });
  } catch (e) {
    return {
      status: "failed",
      halt: { outcome: "failed", reason: `the journal cannot be written: ${(e as Error).message}` },
    };
  }
  session.display.stepEnded(step, { status: "failed", durationMs: took, message, help, retrying });
  if (!known && error instanceof Error && error.stack) {
    session.display.notice(`  internal error, please report it:\n${session.redactor.text(error.stack)}`);
  }
  return retrying
    ? { status: "running" }
    : { status: "failed", halt: { outcome: "failed", reason: `step ${step.id} failed: ${message}` } };
}
