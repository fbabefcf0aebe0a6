import type { PlanAdmonition, PlanSite, Step } from "../../ir/schema.js";
import {
  type OperatorChoice,
  type OperatorQuestion,
  RunAborted,
  type StepContext,
  StepFailure,
  type StepResult,
} from "../executor.js";

/** The words an admonition is shown with, as the procedures write them. */
const LEVEL: Record<PlanAdmonition["level"], string> = {
  important: "IMPORTANT",
  attention: "ATTENTION",
  warning: "WARNING",
  note: "NOTE",
};

/** The step's admonitions as lines (`WARNING: ...`), in the order written. */
export function admonitionLines(step: Step): string[] {
  return step.admonitions.map((a) => `${LEVEL[a.level]}: ${a.text}`);
}

/** Logs the step's admonitions, for the steps that ask no question: they go before the step's output. */
export function logAdmonitions(step: Step, ctx: StepContext): void {
  for (const line of admonitionLines(step)) ctx.log(line);
}

/** The names the procedures and LOVE give the ScriptQueues. */
const QUEUE_NAMES: Readonly<Record<string, string>> = {
  "ScriptQueue:1": "MTQueue",
  "ScriptQueue:2": "ATQueue",
  "ScriptQueue:3": "OCSQueue",
};

/** `MTQueue (ScriptQueue:1)` for the three known queues; any other name as it is. */
export function queueLabel(queue: string): string {
  const name = QUEUE_NAMES[queue];
  return name ? `${name} (${queue})` : queue;
}

/** Where to run a ScriptQueue script: the site's LOVE, with its other addresses as alternatives. */
export function loveLabel(site: PlanSite): string {
  const [first, ...others] = site.love;
  if (!first) return `LOVE of ${site.title} (the site file gives no LOVE address)`;
  return `LOVE at ${first}${others.length > 0 ? ` (or ${others.join(", ")})` : ""}`;
}

/**
 * Lines every operator question ends with, where the step has them: the URL to open, who does it, and
 * what to check afterwards.
 */
function trailingLines(step: Step): string[] {
  return [
    ...(step.url ? [`Open: ${step.url}`] : []),
    ...(step.by ? [`Who: ${step.by}`] : []),
    ...(step.check ? [`Then check: ${step.check}`] : []),
  ];
}

const CHOICES: readonly OperatorChoice[] = ["done", "skip", "abort"];

/**
 * The question for a step the operator does: its admonitions first, a warning when it is critical, then
 * `details` (what to do, exactly), then the URL, who does it and what to check.
 */
export function operatorQuestion(step: Step, details: readonly string[]): OperatorQuestion {
  return {
    stepId: step.id,
    title: step.title,
    details: [
      ...admonitionLines(step),
      ...(step.critical ? ["CRITICAL: dangerous to skip or get wrong"] : []),
      ...details,
      ...trailingLines(step),
    ],
    choices: CHOICES,
  };
}

/**
 * Puts a step to the operator and turns the answer into the step's result: done is done, skip is skipped
 * with the operator's reason, abort throws RunAborted. An answer that was not offered (yes, no) is a
 * StepFailure, as nothing can be known about what the operator did.
 */
export async function askOperator(
  step: Step,
  ctx: StepContext,
  details: readonly string[],
): Promise<StepResult> {
  const answer = await ctx.operator.ask(operatorQuestion(step, details), ctx.signal);
  switch (answer.answer) {
    case "done":
      ctx.log(`${answer.by} answered: done`);
      return { status: "done", summary: `done by ${answer.by}` };
    case "skip":
      ctx.log(`${answer.by} answered: skip (${answer.reason})`);
      return { status: "skipped", reason: answer.reason };
    case "abort":
      ctx.log(`${answer.by} answered: abort${answer.reason ? ` (${answer.reason})` : ""}`);
      throw new RunAborted(answer.reason);
    default:
      throw new StepFailure(
        `the operator answered "${answer.answer}" to step ${step.id}, which asks for done, skip or abort`,
        "answer done, skip (with a reason) or abort",
      );
  }
}
