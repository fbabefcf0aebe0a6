import type { Plan, Step } from "../ir/schema.js";
import type { RunDisplay } from "./display.js";
import type {
  Clock,
  Operator,
  OperatorAnswer,
  OperatorQuestion,
  Secrets,
  Services,
  StepContext,
} from "./executor.js";
import type { Journal } from "./journal.js";
import { describeAnswer, journaled, questionKind } from "./operator.js";
import type { Redactor } from "./redact.js";
import type { ExecutorTable } from "./registry.js";

/**
 * Everything one session of a run works with: the plan, its journal, the operator, the site's services
 * and the display. Built by run.ts (or by a test, or by the simulated site) and handed to the scheduler.
 */
export interface Session {
  readonly plan: Plan;
  readonly registry: ExecutorTable;
  readonly journal: Journal;
  /** The operator as given; the session journals every answer through `answering`. */
  readonly operator: Operator;
  readonly services: Services;
  readonly secrets: Secrets;
  readonly clock: Clock;
  readonly display: RunDisplay;
  readonly redactor: Redactor;
  /** Soft stop (first Ctrl-C, a lost lock): start nothing more; running steps go on to their end. */
  readonly stop: AbortSignal;
  /** Hard stop (second Ctrl-C): running steps are cut off; their end stays unknown until resume. */
  readonly kill: AbortSignal;
}

/** The session's operator, wrapped so that every answer is journaled (and fsynced) before it is used. */
export function answeringOperator(session: Session): Operator {
  return journaled(session.operator, async (question: OperatorQuestion, answer: OperatorAnswer) => {
    session.display.notice(`  ${question.stepId} answered by ${answer.by}: ${describeAnswer(answer)}`);
    await session.journal.append({
      type: "answer",
      step: question.stepId,
      question: questionKind(question),
      answer: answer.answer,
      ...(answer.answer === "skip" || answer.answer === "abort" ? { reason: answer.reason } : {}),
      by: answer.by,
    });
  });
}

/**
 * The context an executor gets for one step: output lines are redacted, journaled (in order, before the
 * step's end) and shown; progress goes to the live display; the signal is the session's hard stop.
 */
export function stepContext(session: Session, step: Step, operator: Operator): StepContext {
  return {
    plan: session.plan,
    site: session.plan.site,
    signal: session.kill,
    clock: session.clock,
    operator,
    secrets: session.secrets,
    services: session.services,
    log(line: string) {
      const clean = session.redactor.text(line);
      session.journal.record({ type: "output", step: step.id, line: clean });
      session.display.output(step, clean);
    },
    progress(progress) {
      session.display.progress(step, progress);
    },
  };
}
