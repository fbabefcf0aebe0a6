import type { Executor } from "../executor.js";
import { formatMs } from "../poll.js";
import { logAdmonitions } from "./operator-question.js";

/** How often a wait refreshes its progress when the step gives no `pollSeconds`. */
export const WAIT_PROGRESS_MS = 1_000;

/**
 * A fixed delay on the runtime's clock (compressed on a simulated site), showing how much is left as it
 * goes. Rejects with the signal's reason when the run is stopped. A wait of 0 seconds ends at once.
 */
export const waitExecutor: Executor<"wait"> = {
  kind: "wait",
  describe(step) {
    return [`wait ${formatMs(step.seconds * 1000)}`];
  },
  async run(step, ctx) {
    logAdmonitions(step, ctx);
    const total = step.seconds * 1000;
    const every = step.pollSeconds !== undefined ? step.pollSeconds * 1000 : WAIT_PROGRESS_MS;
    const what = `wait of ${formatMs(total)}`;
    ctx.log(`waiting ${formatMs(total)}`);
    const start = ctx.clock.now();
    for (;;) {
      const elapsed = ctx.clock.now() - start;
      const remaining = total - elapsed;
      ctx.progress({
        what,
        current: `${formatMs(Math.min(elapsed, total))} waited`,
        target: formatMs(total),
        remainingMs: Math.max(0, remaining),
      });
      if (remaining <= 0) break;
      await ctx.clock.sleep(Math.min(every, remaining), ctx.signal);
    }
    ctx.log(`waited ${formatMs(total)}`);
    return { status: "done", summary: `waited ${formatMs(total)}` };
  },
  // Waiting again does no harm: a wait interrupted by a crash is simply done again.
  async observe() {
    return "not-done";
  },
};

/**
 * The end of a phase: logs that the phase is complete, for the journal and the operator's screen. Asks
 * nothing; a phase that needs the operator's word ends with a manual step.
 */
export const checkpointExecutor: Executor<"checkpoint"> = {
  kind: "checkpoint",
  describe(step) {
    return [`end of phase: ${step.phaseTitle}`];
  },
  async run(step, ctx) {
    logAdmonitions(step, ctx);
    const phase = ctx.plan.phases.find((p) => p.name === step.phase);
    const line = phase
      ? `phase ${phase.number}, ${step.phaseTitle}, is complete`
      : `phase ${step.phaseTitle} is complete`;
    ctx.log(line);
    return { status: "done", summary: line };
  },
  async observe() {
    return "not-done";
  },
};
