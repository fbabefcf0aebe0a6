import type { Plan, Step } from "../ir/schema.js";
import { parseJournal } from "./journal.js";

/** When a step can start and end at the earliest, and how much it may slip without delaying the plan. */
export interface Timing {
  readonly id: string;
  readonly seconds: number;
  readonly earliestStart: number;
  readonly earliestFinish: number;
  readonly slack: number;
}

export interface Estimate {
  /** The time of every step one after the other: the plan with concurrency 1. */
  readonly totalSeconds: number;
  /** The length of the longest chain of steps: the plan with unlimited concurrency. */
  readonly criticalSeconds: number;
  /** The steps of that chain, in order. */
  readonly criticalPath: readonly string[];
  /** Every step, in the plan's order. */
  readonly timings: readonly Timing[];
  /** Where each step's duration came from: the plan, or past runs. */
  readonly learned: ReadonlySet<string>;
}

/**
 * The critical path of a plan: with each step taking its expected time (or the time it took in past runs,
 * `learned`), the earliest start and finish of every step, the longest chain, and each step's slack.
 * A pure function of the plan; linear in its steps and edges.
 */
export function estimate(
  plan: Pick<Plan, "steps" | "order">,
  learned: ReadonlyMap<string, number> = new Map(),
): Estimate {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const seconds = (s: Step) => learned.get(s.id) ?? s.expectedSeconds;
  const finish = new Map<string, number>();
  const via = new Map<string, string>();
  for (const id of plan.order) {
    const step = byId.get(id)!;
    let start = 0;
    for (const p of step.after) {
      const f = finish.get(p) ?? 0;
      if (f > start || (f === start && !via.has(id))) {
        start = f;
        via.set(id, p);
      }
    }
    finish.set(id, start + seconds(step));
  }
  let end = 0;
  let last: string | undefined;
  for (const id of plan.order) {
    const f = finish.get(id)!;
    if (f >= end) {
      end = f;
      last = id;
    }
  }
  const path: string[] = [];
  for (let id = last; id !== undefined; id = via.get(id)) path.push(id);
  path.reverse();

  // Latest finish without delaying the end, from the successors backwards.
  const succ = new Map<string, string[]>();
  for (const s of plan.steps) for (const p of s.after) succ.set(p, [...(succ.get(p) ?? []), s.id]);
  const latestFinish = new Map<string, number>();
  for (const id of [...plan.order].reverse()) {
    const next = succ.get(id) ?? [];
    latestFinish.set(
      id,
      next.length === 0 ? end : Math.min(...next.map((n) => latestFinish.get(n)! - seconds(byId.get(n)!))),
    );
  }
  const timings = plan.order.map((id) => {
    const step = byId.get(id)!;
    const f = finish.get(id)!;
    return {
      id,
      seconds: seconds(step),
      earliestStart: f - seconds(step),
      earliestFinish: f,
      slack: latestFinish.get(id)! - f,
    };
  });
  return {
    totalSeconds: plan.steps.reduce((sum, s) => sum + seconds(s), 0),
    criticalSeconds: end,
    criticalPath: path,
    timings,
    learned: new Set([...learned.keys()].filter((id) => byId.has(id))),
  };
}

/**
 * The time still needed with some steps done: the longest chain through the steps that remain, each
 * taking its full expected time. What a run shows as "time left".
 */
export function remainingSeconds(
  plan: Pick<Plan, "steps" | "order">,
  done: ReadonlySet<string>,
  learned: ReadonlyMap<string, number> = new Map(),
): number {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const finish = new Map<string, number>();
  let end = 0;
  for (const id of plan.order) {
    const step = byId.get(id)!;
    const start = Math.max(0, ...step.after.map((p) => finish.get(p) ?? 0));
    const f = start + (done.has(id) ? 0 : (learned.get(id) ?? step.expectedSeconds));
    finish.set(id, f);
    end = Math.max(end, f);
  }
  return end;
}

/**
 * Durations learned from the journals of past runs of the same plan (by plan id, so they survive a
 * recompile): for each step, the median time it took when it ran to the end. Steps found done on resume,
 * and runs on a simulated site (whose time is compressed), teach nothing. Unreadable journals are ignored.
 */
export function learnDurations(planId: string, journals: readonly string[]): Map<string, number> {
  const samples = new Map<string, number[]>();
  for (const text of journals) {
    const read = parseJournal(text);
    if (!read.ok) continue;
    let ours = false;
    for (const e of read.events) {
      if (e.type === "run-started") {
        const simulated = (e as { options?: { simulate?: boolean } }).options?.simulate === true;
        ours = e.planId === planId && !simulated;
      } else if (ours && e.type === "step-finished" && !e.observed) {
        samples.set(e.step, [...(samples.get(e.step) ?? []), e.durationMs / 1000]);
      }
    }
  }
  const out = new Map<string, number>();
  for (const [id, list] of samples) {
    const sorted = [...list].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    out.set(id, sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
  }
  return out;
}
