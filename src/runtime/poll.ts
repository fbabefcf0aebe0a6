import type { Step } from "../ir/schema.js";
import { RunAborted, type StepContext, StepFailure, type StepResult } from "./executor.js";

/** Defaults for steps that wait: how often to look and how long to wait, when the plan does not say. */
export const DEFAULT_POLL_MS = 10_000;
export const DEFAULT_TIMEOUT_MS = 30 * 60_000;

export interface Reading {
  /** Whether the condition holds. */
  readonly ok: boolean;
  /** The current value, in words ("lag 1,204", "3 of 4 ready", "Synced/Progressing"). */
  readonly current: string;
}

export interface PollOptions {
  /** What is awaited, in words ("consumer lag of telegraf-kafka-consumer*"). */
  readonly what: string;
  /** The value that ends the wait, in words ("0", "Synced and Healthy"). */
  readonly target: string;
  /** Reads the current state. A StepFailure marked transient is logged and tried again; others end the wait. */
  readonly read: () => Promise<Reading>;
}

/**
 * Waits until a condition holds, looking every `step.pollSeconds` for at most `step.timeoutSeconds`,
 * showing progress as it goes. When time runs out it does what the step says (`else`): fail (the
 * default), continue, or ask the operator whether to go on. An `expect` step has a timeout of 0: it
 * reads once.
 */
export async function pollUntil(step: Step, ctx: StepContext, options: PollOptions): Promise<StepResult> {
  const every = step.pollSeconds !== undefined ? step.pollSeconds * 1000 : DEFAULT_POLL_MS;
  const timeout = step.timeoutSeconds !== undefined ? step.timeoutSeconds * 1000 : DEFAULT_TIMEOUT_MS;
  const start = ctx.clock.now();
  let last = "not read yet";
  for (;;) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error("stopped");
    try {
      const reading = await options.read();
      last = reading.current;
      if (reading.ok) {
        ctx.log(`${options.what}: ${reading.current}`);
        return { status: "done", summary: `${options.what}: ${reading.current}` };
      }
    } catch (e) {
      if (!(e instanceof StepFailure) || !e.transient) throw e;
      last = `unreachable (${e.message})`;
      ctx.log(`${options.what}: ${last}; trying again`);
    }
    const elapsed = ctx.clock.now() - start;
    const remaining = timeout - elapsed;
    ctx.progress({
      what: options.what,
      current: last,
      target: options.target,
      remainingMs: Math.max(0, remaining),
    });
    if (remaining <= 0) return onTimeout(step, ctx, options, last);
    await ctx.clock.sleep(Math.min(every, remaining), ctx.signal);
  }
}

async function onTimeout(
  step: Step,
  ctx: StepContext,
  options: PollOptions,
  last: string,
): Promise<StepResult> {
  const waited = formatMs((step.timeoutSeconds ?? DEFAULT_TIMEOUT_MS / 1000) * 1000);
  const message = `${options.what} is ${last}, not ${options.target}, after ${waited}`;
  const policy = step.onTimeout ?? { kind: "fail" as const };
  if (policy.kind === "continue") {
    ctx.log(`${message}; going on as the plan says`);
    return { status: "done", summary: `${message} (went on)` };
  }
  if (policy.kind === "ask") {
    const answer = await ctx.operator.ask(
      {
        stepId: step.id,
        title: step.title,
        details: [message, policy.question],
        choices: ["yes", "no", "abort"],
      },
      ctx.signal,
    );
    ctx.log(`${message}; the operator answered ${answer.answer}`);
    if (answer.answer === "yes") return { status: "done", summary: `${message} (the operator went on)` };
    if (answer.answer === "abort") throw new RunAborted(answer.reason);
  }
  throw new StepFailure(message, "look at the system, then resume the run with `plan run --resume`", false);
}

/** `1h 5m`, `2m 30s`, `45s`, `800ms`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return [h ? `${h}h` : "", m ? `${m}m` : "", s || (!h && !m) ? `${s}s` : ""].filter(Boolean).join(" ");
}
