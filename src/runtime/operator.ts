import { userInfo } from "node:os";
import type { Operator, OperatorAnswer, OperatorQuestion } from "./executor.js";
import type { QuestionKind } from "./journal-events.js";

/**
 * The operators the runtime can run with: at a terminal (operator-terminal.ts), from an answers file
 * (answers.ts), none at all (stops at the first question), or scripted (answers yes to everything, for
 * the simulated site). The runtime wraps whichever it uses with `journaled`, so every answer is on disk,
 * with who gave it and when, before the step goes on.
 */

export type { QuestionKind } from "./journal-events.js";

/**
 * A question as the runtime asks it: `kind` says which (a manual step, a confirmation before a step, the
 * `--step` question, whether an interrupted step took effect, or another question from an executor).
 * Questions from executors carry no kind; `questionKind` infers one.
 */
export interface RuntimeQuestion extends OperatorQuestion {
  readonly kind?: QuestionKind;
}

/** The kind of a question: as given, else `manual` when it offers `done`, else `question`. */
export function questionKind(question: OperatorQuestion): QuestionKind {
  const given = (question as RuntimeQuestion).kind;
  if (given) return given;
  return question.choices.includes("done") ? "manual" : "question";
}

/** Who is at the controls: `PLAN_OPERATOR` when set, else the OS user, else `unknown`. */
export function operatorName(env: NodeJS.ProcessEnv = process.env): string {
  const named = env.PLAN_OPERATOR?.trim();
  if (named) return named;
  try {
    return userInfo().username || "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Nobody can answer: the run has no terminal and no answers file (or the file has no answer for this
 * question). The run stops at this step, saying so; the step runs again on resume.
 */
export class NeedsOperator extends Error {
  constructor(
    readonly stepId: string,
    readonly why: string,
  ) {
    super(`step ${stepId} needs an operator's answer, and ${why}`);
    this.name = "NeedsOperator";
  }
}

/** The operator of a run without a terminal or answers file: stops the run at the first question. */
export class NonInteractiveOperator implements Operator {
  constructor(private readonly why = "there is no terminal to ask on (give answers with --answers <file>)") {}

  async ask(question: OperatorQuestion): Promise<OperatorAnswer> {
    throw new NeedsOperator(question.stepId, this.why);
  }
}

/**
 * An operator that agrees to everything: manual steps are done, questions are answered yes, and an
 * interrupted step is taken to have taken effect. For the simulated site, where nobody has to act.
 */
export class ScriptedOperator implements Operator {
  constructor(private readonly by = "scripted operator") {}

  async ask(question: OperatorQuestion): Promise<OperatorAnswer> {
    if (question.choices.includes("done")) return { answer: "done", by: this.by };
    if (question.choices.includes("yes")) return { answer: "yes", by: this.by };
    throw new NeedsOperator(
      question.stepId,
      `the scripted operator cannot choose among ${question.choices.join(", ")}`,
    );
  }
}

/** Called with every answer, before it is returned to whoever asked. */
export type AnswerRecorder = (question: OperatorQuestion, answer: OperatorAnswer) => Promise<void>;

/**
 * Wraps an operator so that every answer is recorded (journaled and fsynced) before the asker sees it.
 * Refusals (NeedsOperator, an aborted signal) pass through unrecorded: there was no answer.
 */
export function journaled(operator: Operator, record: AnswerRecorder): Operator {
  return {
    async ask(question, signal) {
      const answer = await operator.ask(question, signal);
      await record(question, answer);
      return answer;
    },
  };
}

/** An answer, in words, for the display and the journal: `skip (the camera is off)`. */
export function describeAnswer(answer: OperatorAnswer): string {
  if (answer.answer === "skip") return `skip (${answer.reason})`;
  if (answer.answer === "abort" && answer.reason) return `abort (${answer.reason})`;
  return answer.answer;
}
