import type { Step } from "../ir/schema.js";
import { type Observation, type Operator, RunAborted } from "./executor.js";
import { NeedsOperator, type RuntimeQuestion } from "./operator.js";
import { executorFor } from "./registry.js";
import type { RunState } from "./run-state.js";
import { type Session, stepContext } from "./session.js";

/** How a step that was in flight when the last session ended was settled. */
export type Settled = "done" | "again";

export type SettleResult =
  | { ok: true; settled: ReadonlyMap<string, Settled> }
  | { ok: false; outcome: "stopped" | "aborted"; reason: string; settled: ReadonlyMap<string, Settled> };

/**
 * Settles every step that the journal shows started but not ended, before anything else runs: the
 * executor's `observe()` looks at the site where it can; otherwise (no observe, "unknown", or observe
 * failed) the operator is asked whether it took effect. Done is journaled as `step-finished` (observed);
 * not done as `step-stopped`, so that the step runs again. An abort, or nobody to ask, ends the session
 * with the remaining steps still in flight.
 */
export async function settleInFlight(
  session: Session,
  state: RunState,
  operator: Operator,
  order: readonly string[] = session.plan.order,
): Promise<SettleResult> {
  const settled = new Map<string, Settled>();
  const steps = new Map(session.plan.steps.map((s) => [s.id, s]));
  for (const id of order) {
    const record = state.steps.get(id);
    const step = steps.get(id);
    if (record?.status !== "in-flight" || !step) continue;
    const started = `started ${record.startedAt ?? "at an unknown time"}${record.startedBy ? ` by ${record.startedBy}` : ""}`;
    session.display.notice(`step ${id} was ${started}, and its end is not in the journal`);
    const seen = await observe(session, step, operator);
    if (seen === "done") {
      await finish(session, step, "found done on resume by looking at the site");
      settled.set(id, "done");
      continue;
    }
    if (seen === "not-done") {
      await again(session, step, "found not done on resume by looking at the site");
      settled.set(id, "again");
      continue;
    }
    const question: RuntimeQuestion = {
      kind: "resume",
      stepId: id,
      title: step.title,
      details: [
        `This step was ${started}, and the run stopped before its end was written.`,
        "Look at the site: did it take effect?",
        ...describe(session, step),
      ],
      choices: ["yes", "no", "abort"],
    };
    try {
      const answer = await operator.ask(question, session.kill);
      if (answer.answer === "yes") {
        await finish(session, step, `${answer.by} said it took effect`);
        settled.set(id, "done");
      } else if (answer.answer === "no") {
        await again(session, step, `${answer.by} said it did not take effect`);
        settled.set(id, "again");
      } else {
        const reason = answer.answer === "abort" && answer.reason ? `: ${answer.reason}` : "";
        return {
          ok: false,
          outcome: "aborted",
          reason: `aborted at step ${id} by ${answer.by}${reason}`,
          settled,
        };
      }
    } catch (e) {
      if (e instanceof NeedsOperator) return { ok: false, outcome: "stopped", reason: e.message, settled };
      if (e instanceof RunAborted)
        return { ok: false, outcome: "aborted", reason: `step ${id}: ${e.message}`, settled };
      throw e;
    }
  }
  return { ok: true, settled };
}

async function observe(session: Session, step: Step, operator: Operator): Promise<Observation> {
  let executor: ReturnType<typeof executorFor>;
  try {
    executor = executorFor(session.registry, step);
  } catch {
    return "unknown";
  }
  if (!executor.observe) return "unknown";
  try {
    return await executor.observe(step, stepContext(session, step, operator));
  } catch (e) {
    session.display.notice(`  could not look at step ${step.id}'s effect: ${(e as Error).message}`);
    return "unknown";
  }
}

function describe(session: Session, step: Step): string[] {
  try {
    return executorFor(session.registry, step)
      .describe(step, session.plan.site)
      .map((l) => `What it does: ${l}`);
  } catch {
    return [];
  }
}

async function finish(session: Session, step: Step, summary: string): Promise<void> {
  await session.journal.append({
    type: "step-finished",
    step: step.id,
    summary,
    durationMs: 0,
    observed: true,
  });
  session.display.stepEnded(step, { status: "done", durationMs: 0, summary });
}

async function again(session: Session, step: Step, reason: string): Promise<void> {
  await session.journal.append({ type: "step-stopped", step: step.id, reason });
  session.display.notice(`  step ${step.id} will run again: ${reason}`);
}
