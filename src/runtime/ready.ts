/**
 * The scheduler's decisions, without I/O: which steps to start next, and what is left when nothing more
 * can start. The loop in scheduler.ts feeds it the status of every selected step and does what it says.
 */

/** Where a selected step stands in this session. */
export type LiveStatus = "pending" | "running" | "done" | "skipped" | "failed" | "stopped";

export interface ReadyInput {
  /** The selected steps, in the plan's order (ties among ready steps are broken by it). */
  readonly order: readonly string[];
  /** The selected steps each one waits for. */
  readonly after: ReadonlyMap<string, readonly string[]>;
  readonly status: ReadonlyMap<string, LiveStatus>;
  /** At most this many steps run at once (at least 1). */
  readonly concurrency: number;
  /** Start nothing more: the run is stopping (Ctrl-C, a failure, an abort, a lost lock). */
  readonly halted: boolean;
}

/**
 * The steps to start now: pending steps whose every predecessor is done or skipped, in the plan's order,
 * as many as there are free slots. A skipped step counts as settled: the operator chose to go on without
 * it. A failed or stopped predecessor holds its successors back. Deterministic for a given input.
 */
export function nextToStart(input: ReadyInput): string[] {
  if (input.halted) return [];
  const running = input.order.filter((id) => input.status.get(id) === "running").length;
  let free = Math.max(1, Math.floor(input.concurrency)) - running;
  const out: string[] = [];
  for (const id of input.order) {
    if (free <= 0) break;
    if ((input.status.get(id) ?? "pending") !== "pending") continue;
    const deps = input.after.get(id) ?? [];
    if (deps.every((d) => settled(input.status.get(d)))) {
      out.push(id);
      free -= 1;
    }
  }
  return out;
}

function settled(status: LiveStatus | undefined): boolean {
  return status === "done" || status === "skipped";
}

/** The selected steps that have not ended in this session or an earlier one: what a resume would do. */
export function remainingSteps(order: readonly string[], status: ReadonlyMap<string, LiveStatus>): string[] {
  return order.filter((id) => !settled(status.get(id)));
}

/** Whether nothing runs now. */
export function idle(order: readonly string[], status: ReadonlyMap<string, LiveStatus>): boolean {
  return !order.some((id) => status.get(id) === "running");
}
