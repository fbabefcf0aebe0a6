import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileEntryWith } from "../src/cli/compile-entry.js";
import type { Plan } from "../src/ir/schema.js";
import { parse } from "../src/language/parse.js";
import { estimate } from "../src/runtime/estimate.js";
import type { JournalEvent } from "../src/runtime/journal-events.js";
import { runSimulated } from "../test/simulator/harness.js";

/**
 * A real plan run end to end on its simulated site at several concurrencies, against its critical path:
 * `simulated-child.ts <entry> <speed> <concurrency,...>`. Each run's own journal gives the time every step
 * took (site time: the simulated site's clock runs `speed` times faster than the wall's); from those
 * durations come the sum (the plan one step at a time) and the critical path (the plan with unlimited
 * concurrency), so that the run's length can be set between the two. Prints one line of JSON.
 */

export interface SimulatedResult {
  readonly entry: string;
  readonly planId: string;
  readonly steps: number;
  readonly speed: number;
  readonly runs: {
    readonly concurrency: number;
    readonly outcome: string;
    /** Site time from the run's start to its end, in seconds. */
    readonly siteSeconds: number;
    readonly wallMs: number;
    /** The steps' durations in this run, summed. */
    readonly sumSeconds: number;
    /** The longest chain of the DAG, with this run's durations. */
    readonly criticalSeconds: number;
  }[];
}

/** What each step took in a run, in seconds; a step that did not run (skipped) took none. */
function durations(plan: Plan, events: readonly JournalEvent[]): Map<string, number> {
  const out = new Map<string, number>(plan.steps.map((s) => [s.id, 0]));
  for (const e of events) {
    if (e.type === "step-finished" || e.type === "step-failed") out.set(e.step, e.durationMs / 1000);
  }
  return out;
}

function siteSpan(events: readonly JournalEvent[]): number {
  const first = events.find((e) => e.type === "run-started");
  const last = events.findLast((e) => e.type === "run-finished") ?? events.at(-1);
  if (!first || !last) return 0;
  return (Date.parse(last.at) - Date.parse(first.at)) / 1000;
}

async function main(): Promise<void> {
  const [entry, speedArg, concArg] = process.argv.slice(2);
  const speed = Number(speedArg ?? 150);
  const compiled = compileEntryWith(parse, entry!, {});
  const plan: Plan | undefined = compiled.plans[0]?.plan;
  if (!plan) throw new Error(`${entry} does not compile: ${compiled.diagnostics[0]?.message}`);
  const result: SimulatedResult = {
    entry: entry!,
    planId: plan.id,
    steps: plan.steps.length,
    speed,
    runs: [],
  };
  for (const concurrency of (concArg ?? "1,4,16").split(",").map(Number)) {
    const stateDir = mkdtempSync(join(tmpdir(), "plan-bench-sim-"));
    try {
      const start = performance.now();
      const run = await runSimulated(plan, { stateDir, speed, concurrency, fresh: true });
      const wallMs = performance.now() - start;
      const taken = durations(plan, run.journal);
      const e = estimate(plan, taken);
      result.runs.push({
        concurrency,
        outcome: run.result.status === "ran" ? run.result.summary.outcome : run.result.status,
        siteSeconds: siteSpan(run.journal),
        wallMs,
        sumSeconds: [...taken.values()].reduce((a, b) => a + b, 0),
        criticalSeconds: e.criticalSeconds,
      });
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
