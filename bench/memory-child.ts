import { getHeapStatistics } from "node:v8";
import { readTree } from "./measure.js";
import * as stage from "./stages.js";

/**
 * The peak memory of one stage in a fresh process: `memory-child.ts <dir> check|compile`. Run by run.ts
 * under `--max-old-space-size`, so that a stage that needs more heap than that fails here. Prints one line
 * of JSON: the process's peak resident set before and after the stage, and the heap after it.
 */

export interface MemoryResult {
  /** Peak resident set size (MB) once the modules are loaded and the files read. */
  readonly baseRssMb: number;
  /** Peak resident set size (MB) of the whole process, after the stage. */
  readonly peakRssMb: number;
  /** What the V8 heap holds (MB) right after the stage, with its result still alive. */
  readonly heapAfterMb: number;
  readonly heapLimitMb: number;
  readonly steps: number;
}

const MB = 1024 * 1024;

function main(): void {
  const [dir, what] = process.argv.slice(2);
  const input: stage.Input = { dpl: readTree(dir!, ".dpl"), entry: "plans/bench.dpl", yaml: {} };
  const baseRssMb = process.resourceUsage().maxRSS / 1024;
  let heapAfter = 0;
  let steps = 0;
  if (what === "compile") {
    const r = stage.compileJson(input);
    steps = r.plan?.steps.length ?? 0;
    heapAfter = process.memoryUsage().heapUsed;
    if (!r.plan) throw new Error("no plan");
  } else {
    const r = stage.check(input);
    steps = r.plans.reduce((n, p) => n + (p.plan?.steps.length ?? 0), 0);
    heapAfter = process.memoryUsage().heapUsed;
    if (r.plans.some((p) => !p.plan)) throw new Error("a site has no plan");
  }
  const result: MemoryResult = {
    baseRssMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    heapAfterMb: heapAfter / MB,
    heapLimitMb: getHeapStatistics().heap_size_limit / MB,
    steps,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main();
