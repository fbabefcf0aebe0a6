import type { Step } from "../ir/schema.js";
import type { RunSummary } from "./display.js";
import type { Operator } from "./executor.js";
import { type LiveStatus, remainingSteps } from "./ready.js";
import { ReadyQueue } from "./ready-queue.js";
import { settleInFlight } from "./resume.js";
import { type RunState, replay } from "./run-state.js";
import type { Selection } from "./selection.js";
import { answeringOperator, type Session } from "./session.js";
import { type Halt, runStep } from "./step-runner.js";

export type { Halt } from "./step-runner.js";

/** How a session is to run. */
export interface ScheduleOptions {
  readonly selection: Selection;
  /** At most this many steps at once (at least 1). */
  readonly concurrency: number;
  /** `--step`: ask before every step. */
  readonly stepMode: boolean;
  /** The command that resumes the run, for the summary. */
  readonly resumeCommand?: string;
  /** Why the session is being stopped from outside (Ctrl-C, a lost lock), read when `stop` aborts. */
  readonly stopReason?: () => string;
}

export type RunOutcome = RunSummary["outcome"];

/**
 * Runs the selected steps of a plan in one session: settles the steps left in flight by the last session,
 * then starts every step whose predecessors are done or skipped, in the plan's order, up to the
 * concurrency limit, until all are done or the run halts (a failure, an abort, no operator to answer,
 * Ctrl-C, a broken journal). After a halt nothing new starts; running steps go on to their end (or are cut
 * off by the hard stop). The journal ends with `run-finished` when every step of the plan is settled, else
 * with `run-stopped` saying why. Resolves with the summary; never throws for a step's failure.
 */
export async function runSession(
  session: Session,
  state: RunState,
  options: ScheduleOptions,
): Promise<RunSummary> {
  const operator = answeringOperator(session);
  const { selection } = options;
  let halt: Halt | undefined;
  const haltWith = (h: Halt) => {
    halt ??= h;
  };

  try {
    const settled = await settleInFlight(session, state, operator);
    if (!settled.ok) haltWith({ outcome: settled.outcome, reason: settled.reason });
  } catch (e) {
    haltWith({ outcome: "failed", reason: `the journal cannot be written: ${(e as Error).message}` });
  }

  const status = initialStatus(session, selection);
  const ready = new ReadyQueue(selection.order, selection.after, status);
  const steps = new Map(session.plan.steps.map((s) => [s.id, s]));
  const active = new Map<string, Promise<void>>();
  const stopSignalled = stopped(session.stop);
  for (;;) {
    if (session.stop.aborted) haltWith({ outcome: "stopped", reason: options.stopReason?.() ?? "stopped" });
    // The same decisions as nextToStart (ready.ts), kept up to date rather than recomputed (ready-queue.ts).
    const start = ready.take(options.concurrency, halt !== undefined);
    for (const id of start) {
      const step = steps.get(id)!;
      status.set(id, "running");
      const run = runOne(session, step, operator, options, haltWith).then((end) => {
        status.set(id, end);
        ready.set(id, end);
        active.delete(id);
      });
      active.set(id, run);
    }
    if (active.size === 0) break;
    // Once the stop is in, only the running steps' ends can change anything (and racing a settled
    // promise would spin).
    await Promise.race(session.stop.aborted ? active.values() : [...active.values(), stopSignalled]);
  }

  return finish(session, options, status, halt);
}

async function runOne(
  session: Session,
  step: Step,
  operator: Operator,
  options: ScheduleOptions,
  haltWith: (h: Halt) => void,
): Promise<LiveStatus> {
  const result = await runStep(session, step, operator, options.stepMode);
  if (result.halt) haltWith(result.halt);
  return result.status;
}

function initialStatus(session: Session, selection: Selection): Map<string, LiveStatus> {
  const status = new Map<string, LiveStatus>();
  // The journal after settling: what the last sessions (and the settling) left.
  const journalState = replay(session.journal.eventsSoFar());
  for (const id of selection.order) {
    const s = journalState.steps.get(id)?.status;
    status.set(
      id,
      s === "done" ? "done" : s === "skipped" ? "skipped" : s === "in-flight" ? "stopped" : "pending",
    );
  }
  return status;
}

/** Resolves when the signal aborts (never rejects), so that the loop wakes up to halt. */
function stopped(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return new Promise(() => {});
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

async function finish(
  session: Session,
  options: ScheduleOptions,
  status: ReadonlyMap<string, LiveStatus>,
  halt: Halt | undefined,
): Promise<RunSummary> {
  const { order } = options.selection;
  const journalState = replay(session.journal.eventsSoFar());
  const remaining = remainingSteps(order, status);
  const planSettled = session.plan.order.every((id) => {
    const s = journalState.steps.get(id)?.status;
    return s === "done" || s === "skipped";
  });
  let outcome: RunOutcome;
  let reason: string | undefined;
  if (halt) {
    outcome = halt.outcome;
    reason = halt.reason;
  } else if (remaining.length > 0) {
    outcome = "stopped";
    reason = `steps ${remaining.join(", ")} could not start`;
  } else {
    outcome = "finished";
    if (!planSettled) reason = "the selected steps are done; the rest of the plan is not";
  }
  try {
    if (outcome === "finished" && planSettled) await session.journal.append({ type: "run-finished" });
    else
      await session.journal.append({
        type: "run-stopped",
        outcome: outcome === "finished" ? "stopped" : outcome,
        reason: reason ?? outcome,
      });
    await session.journal.flush();
  } catch (e) {
    if (outcome === "finished") outcome = "failed";
    reason = `${reason ? `${reason}; ` : ""}the journal cannot be written: ${(e as Error).message}`;
  }
  const summary: RunSummary = {
    planId: session.plan.id,
    outcome,
    reason,
    done: order.filter((id) => status.get(id) === "done"),
    skipped: order
      .filter((id) => status.get(id) === "skipped")
      .map((id) => ({ id, reason: journalState.steps.get(id)?.message ?? "" })),
    failed: order
      .filter((id) => status.get(id) === "failed")
      .map((id) => ({ id, message: journalState.steps.get(id)?.message ?? "" })),
    remaining,
    resumeCommand: remaining.length > 0 || !planSettled ? options.resumeCommand : undefined,
  };
  session.display.summary(summary);
  return summary;
}
