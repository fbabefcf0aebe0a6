import type { JournalEvent } from "./journal-events.js";

/**
 * Where each step of a run stands according to its journal:
 * - `done`, `skipped`: settled; never run again;
 * - `failed`: ended with a failure; runs again on resume;
 * - `in-flight`: started, with no end in the journal: it may or may not have taken effect, so on resume it
 *   is observed, or put to the operator, before anything else;
 * - `pending`: never started, or ended without doing anything (`step-stopped`).
 */
export type JournalStepStatus = "pending" | "in-flight" | "done" | "skipped" | "failed";

export interface StepRecord {
  readonly status: JournalStepStatus;
  /** The attempt number of the last start. */
  readonly attempts: number;
  /** When the last start was journaled, and by whom (the session's operator and host). */
  readonly startedAt?: string;
  readonly startedBy?: string;
  /** The failure's message, the skip's reason or the finished step's summary. */
  readonly message?: string;
}

/** A run as its journal tells it. */
export interface RunState {
  /** The plan of the first session, or undefined for an empty journal. */
  readonly planId?: string;
  readonly hash?: string;
  /** How many sessions (`run-started`) the journal holds. */
  readonly sessions: number;
  /** Who started the last session, where and when. */
  readonly lastSession?: { readonly by: string; readonly host: string; readonly at: string };
  readonly steps: ReadonlyMap<string, StepRecord>;
  /** Whether the last session ended with `run-finished`. */
  readonly finished: boolean;
  /** How the last session ended, when it said so (a killed process says nothing). */
  readonly lastStop?: { readonly outcome: string; readonly reason: string };
}

/** Folds a journal's events into the state of the run. Pure; events are taken in the order given. */
export function replay(events: readonly JournalEvent[]): RunState {
  const steps = new Map<string, StepRecord>();
  let planId: string | undefined;
  let hash: string | undefined;
  let sessions = 0;
  let lastSession: RunState["lastSession"];
  let finished = false;
  let lastStop: RunState["lastStop"];
  const set = (id: string, patch: Partial<StepRecord> & { status: JournalStepStatus }) => {
    const before = steps.get(id) ?? { status: "pending", attempts: 0 };
    steps.set(id, { ...before, message: undefined, ...patch });
  };
  for (const e of events) {
    switch (e.type) {
      case "run-started":
        sessions += 1;
        planId ??= e.planId;
        hash ??= e.hash;
        lastSession = { by: e.by, host: e.host, at: e.at };
        finished = false;
        lastStop = undefined;
        break;
      case "step-started":
        set(e.step, {
          status: "in-flight",
          attempts: e.attempt,
          startedAt: e.at,
          startedBy: lastSession ? `${lastSession.by} on ${lastSession.host}` : undefined,
        });
        break;
      case "step-finished":
        set(e.step, { status: "done", message: e.summary });
        break;
      case "step-skipped":
        set(e.step, { status: "skipped", message: e.reason });
        break;
      case "step-failed":
        set(e.step, { status: "failed", message: e.message });
        break;
      case "step-stopped":
        set(e.step, { status: "pending", message: e.reason });
        break;
      case "run-finished":
        finished = true;
        break;
      case "run-stopped":
        lastStop = { outcome: e.outcome, reason: e.reason };
        break;
      default:
        break;
    }
  }
  return { planId, hash, sessions, lastSession, steps, finished, lastStop };
}

/** The ids of the steps in a given status, in the order given. */
export function stepsIn(state: RunState, status: JournalStepStatus, order: readonly string[]): string[] {
  return order.filter((id) => (state.steps.get(id)?.status ?? "pending") === status);
}
