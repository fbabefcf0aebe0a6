import type { AnswersFile } from "../runtime/answers.js";
import { AnswersOperator } from "../runtime/answers.js";
import type { RunDisplay } from "../runtime/display.js";
import type { Operator } from "../runtime/executor.js";
import { NonInteractiveOperator } from "../runtime/operator.js";
import { TerminalOperator } from "../runtime/operator-terminal.js";
import type { Redactor } from "../runtime/redact.js";

/**
 * The operator of `plan run`: the answers file first when one is given; the terminal when stdin and
 * stdout are one; otherwise nobody, and the run stops at the first question, saying so.
 */
export function chooseOperator(
  answers: AnswersFile | undefined,
  who: string,
  display: RunDisplay,
  redactor: Redactor,
): Operator {
  const tty = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const terminal = tty
    ? new TerminalOperator(
        {
          input: process.stdin,
          output: process.stdout,
          write: (text) => process.stdout.write(redactor.text(text)),
          pause: () => display.pause(),
          resume: () => display.resume(),
        },
        who,
      )
    : undefined;
  if (!answers) return terminal ?? new NonInteractiveOperator();
  return new AnswersOperator(
    answers,
    who,
    terminal ??
      new NonInteractiveOperator("the answers file has no answer for it, and there is no terminal to ask on"),
  );
}
