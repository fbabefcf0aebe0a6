import { input, select } from "@inquirer/prompts";
import {
  type Operator,
  type OperatorAnswer,
  type OperatorChoice,
  type OperatorQuestion,
  RunAborted,
} from "./executor.js";
import { questionKind } from "./operator.js";

/** Where the terminal operator talks: the streams of the terminal, and hooks to quiet the live display. */
export interface TerminalIo {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Writes text above the prompt (redacted by the caller). */
  write(text: string): void;
  /** Called before a prompt shows and after it closes, so that the live display stops redrawing. */
  pause?(): void;
  resume?(): void;
}

const LABELS: Record<OperatorChoice, string> = {
  done: "Done",
  skip: "Skip it (you will be asked why)",
  abort: "Abort the run",
  yes: "Yes",
  no: "No",
};

const RESUME_LABELS: Partial<Record<OperatorChoice, string>> = {
  yes: "Yes: it took effect; mark it done",
  no: "No: it did not; run it again",
};

/**
 * The operator at a terminal, asked with @inquirer/prompts: the details of the step, then a choice among
 * the offered answers (and a reason for a skip). One question at a time, even when steps run in parallel.
 * Ctrl-C at a prompt aborts the run at that step (RunAborted); an aborted signal closes the prompt and
 * rejects with the signal's reason.
 */
export class TerminalOperator implements Operator {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly io: TerminalIo,
    private readonly by: string,
  ) {}

  ask(question: OperatorQuestion, signal: AbortSignal): Promise<OperatorAnswer> {
    const turn = this.queue.then(() => this.askNow(question, signal));
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async askNow(question: OperatorQuestion, signal: AbortSignal): Promise<OperatorAnswer> {
    if (signal.aborted) throw signal.reason ?? new Error("stopped");
    this.io.pause?.();
    try {
      const kind = questionKind(question);
      this.io.write(`\n── step ${question.stepId}: ${question.title}\n`);
      for (const line of question.details) this.io.write(`   ${line}\n`);
      const context = { input: this.io.input, output: this.io.output, signal };
      const message =
        kind === "resume"
          ? `Did step ${question.stepId} take effect?`
          : kind === "manual"
            ? `Step ${question.stepId}: when it is done, say so`
            : `Step ${question.stepId}: go on?`;
      const labels = kind === "resume" ? { ...LABELS, ...RESUME_LABELS } : LABELS;
      const choice = await select<OperatorChoice>(
        { message, choices: question.choices.map((c) => ({ value: c, name: labels[c] })) },
        context,
      );
      if (choice === "skip") {
        const reason = await input(
          { message: "Why skip it?", validate: (v) => v.trim() !== "" || "a skip needs a reason" },
          context,
        );
        return { answer: "skip", reason: reason.trim(), by: this.by };
      }
      if (choice === "abort") {
        const reason = await input({ message: "Why abort? (optional)" }, context);
        return { answer: "abort", reason: reason.trim() || undefined, by: this.by };
      }
      return { answer: choice, by: this.by };
    } catch (e) {
      if (signal.aborted) throw signal.reason ?? e;
      if ((e as Error)?.name === "ExitPromptError") throw new RunAborted("Ctrl-C at the prompt");
      throw e;
    } finally {
      this.io.resume?.();
    }
  }
}
