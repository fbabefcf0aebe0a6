import { mkdtempSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sealPlan } from "../src/ir/plan.js";
import { type Edge, FORMAT_VERSION, type Plan, PlanSchema, type Step, StepSchema } from "../src/ir/schema.js";
import { systemClock } from "../src/runtime/clock.js";
import { TextDisplay } from "../src/runtime/display.js";
import type { Executor, Services } from "../src/runtime/executor.js";
import { type AppendHandle, type JournalFs, nodeJournalFs } from "../src/runtime/journal-file.js";
import { FileLeaseStore } from "../src/runtime/lock-file-store.js";
import { Redactor } from "../src/runtime/redact.js";
import type { ExecutorTable } from "../src/runtime/registry.js";
import { runPlan } from "../src/runtime/run.js";
import { median } from "./measure.js";

/**
 * The runtime's overhead per step: `runtime-child.ts <steps> <width> <concurrency,...> <runs>`. A plan of
 * no-op steps in `width` independent chains (a wide DAG) is run through the real scheduler and journal
 * (fsync and all) with executors that do nothing, at each concurrency; and, in the same process and on
 * the same disk, a bare loop of write + fsync sets the floor that durability costs. Prints one line of JSON.
 */

export interface RuntimeResult {
  readonly steps: number;
  readonly width: number;
  /**
   * Per concurrency c: the run whose ratio to its floor is the median. The floor is measured right before
   * and right after each run (the disk's fsync latency drifts with the machine's load): a bare loop of one
   * write + fsync of c journal-sized lines, per line; a step needs two durable events, so its floor is
   * twice that.
   */
  readonly runs: Record<
    string,
    {
      readonly totalMs: number;
      readonly msPerStep: number;
      readonly syncsPerStep: number;
      readonly writesPerStep: number;
      /** Of the total, the time the journal waited for its writes and fsyncs (they never overlap). */
      readonly ioMs: number;
      /** Milliseconds per line of the bare loop with c lines per fsync, around this run. */
      readonly floorMsPerLine: number;
      readonly floorMsPerStep: number;
      readonly ratio: number;
      /** The ratio of every run, in order. */
      readonly ratios: number[];
    }
  >;
}

const KINDS = StepSchema.options.map((o) => o.shape.kind.value);

/** A plan of `steps` no-op waits in `width` chains: step i of layer L waits for step i of layer L-1. */
export function widePlan(steps: number, width: number): Plan {
  const layers = Math.ceil(steps / width);
  const planSteps: Step[] = [];
  const edges: Edge[] = [];
  const phases: Plan["phases"] = [];
  const source = { file: "bench.dpl", line: 1, column: 1 };
  for (let l = 1; l <= layers; l++) {
    const ids: string[] = [];
    for (let i = 1; i <= width && planSteps.length < steps; i++) {
      const id = `${l}.${i}`;
      const after = l > 1 ? [`${l - 1}.${i}`] : [];
      for (const from of after)
        edges.push({ from, to: id, reason: { kind: "sequence", detail: "chain", source } });
      planSteps.push({
        id,
        phase: `l${l}`,
        kind: "wait",
        seconds: 0,
        title: `No-op ${id}`,
        manual: false,
        critical: false,
        after,
        source,
        admonitions: [],
        expectedSeconds: 0,
      });
      ids.push(id);
    }
    phases.push({
      name: `l${l}`,
      title: `Layer ${l}`,
      number: l,
      mode: "read-do",
      admonitions: [],
      steps: ids,
      source,
    });
  }
  return sealPlan(
    PlanSchema.omit({ hash: true }).parse({
      format: "plan",
      formatVersion: FORMAT_VERSION,
      compiler: { name: "plan", version: "bench" },
      id: "noop@bench",
      procedure: { name: "noop", title: "No-op steps", source },
      site: { name: "bench", title: "Bench", love: [], hosts: [], apps: [], cscs: [] },
      params: {},
      admonitions: [],
      ignored: [],
      phases,
      steps: planSteps,
      edges,
      order: planSteps.map((s) => s.id),
      rules: [],
    }),
  );
}

/** Executors that do nothing, for every kind. */
function noopRegistry(): ExecutorTable {
  const table: Record<string, Executor> = {};
  for (const kind of KINDS)
    table[kind] = {
      kind,
      describe: () => [],
      run: async () => ({ status: "done", summary: "" }),
    } as Executor;
  return table as ExecutorTable;
}

interface Counts {
  writes: number;
  syncs: number;
  /** Milliseconds spent waiting for the journal's writes and fsyncs, summed. */
  ioMs: number;
}

/** The journal's file operations, counting writes and fsyncs and the time they take. */
function countingFs(counts: Counts): JournalFs {
  const timed = async (op: () => Promise<void>) => {
    const start = performance.now();
    try {
      await op();
    } finally {
      counts.ioMs += performance.now() - start;
    }
  };
  return {
    ...nodeJournalFs,
    async openAppend(path) {
      const h: AppendHandle = await nodeJournalFs.openAppend(path);
      return {
        write: (text) => {
          counts.writes++;
          return timed(() => h.write(text));
        },
        sync: () => {
          counts.syncs++;
          return timed(() => h.sync());
        },
        close: () => h.close(),
      };
    },
  };
}

async function runOnce(plan: Plan, concurrency: number) {
  const stateDir = mkdtempSync(join(tmpdir(), "plan-bench-run-"));
  const counts: Counts = { writes: 0, syncs: 0, ioMs: 0 };
  const redactor = new Redactor();
  const services = new Proxy({} as Services, {
    get: () => () => {
      throw new Error("a no-op step used a service");
    },
  });
  try {
    const start = performance.now();
    const result = await runPlan(
      { plan, stateDir, concurrency },
      {
        registry: noopRegistry(),
        operator: { ask: async () => ({ answer: "abort", reason: "no operator in the bench", by: "bench" }) },
        services,
        secrets: { get: () => undefined },
        redactor,
        clock: systemClock,
        display: new TextDisplay({ write: () => {}, isTTY: false }, systemClock, redactor),
        lockStore: new FileLeaseStore(stateDir, plan.site.name),
        who: "bench",
        host: "bench",
        pid: process.pid,
        journalFs: countingFs(counts),
      },
    );
    const totalMs = performance.now() - start;
    if (result.status !== "ran" || result.summary.outcome !== "finished")
      throw new Error(
        `the run did not finish: ${JSON.stringify(result.status === "ran" ? result.summary.reason : result)}`,
      );
    return { totalMs, ...counts };
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * Milliseconds per line of `lines` journal-sized lines written with one write and one fsync, `rounds` times:
 * the mean, since a run pays every fsync's latency, the slow ones included.
 */
async function syncLoop(lines: number, rounds: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "plan-bench-fsync-"));
  const handle = await open(join(dir, "floor.jsonl"), "a");
  const line = `${JSON.stringify({ v: 1, seq: 0, at: new Date().toISOString(), type: "step-finished", step: "12.34", summary: "", durationMs: 0 })}\n`;
  const text = line.repeat(lines);
  const start = performance.now();
  try {
    for (let i = 0; i < rounds; i++) {
      await handle.write(text);
      await handle.sync();
    }
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return (performance.now() - start) / (rounds * lines);
}

async function main(): Promise<void> {
  const [stepsArg, widthArg, concArg, runsArg] = process.argv.slice(2);
  const steps = Number(stepsArg);
  const width = Number(widthArg);
  const concurrencies = (concArg ?? "1,16").split(",").map(Number);
  const runs = Number(runsArg ?? 3);
  const plan = widePlan(steps, width);
  const result: RuntimeResult = { steps, width, runs: {} };
  await runOnce(widePlan(200, width), Math.max(...concurrencies)); // warm-up
  for (const c of concurrencies) {
    const rounds = Math.max(100, Math.ceil(600 / c));
    const all = [];
    for (let r = 0; r < runs; r++) {
      const before = await syncLoop(c, rounds);
      const run = await runOnce(plan, c);
      const after = await syncLoop(c, rounds);
      const floorMsPerLine = (before + after) / 2;
      const msPerStep = run.totalMs / steps;
      all.push({ ...run, msPerStep, floorMsPerLine, ratio: msPerStep / (2 * floorMsPerLine) });
    }
    const ratios = all.map((a) => a.ratio);
    const pick =
      all.find((a) => a.ratio === median(ratios)) ??
      [...all].sort((a, b) => a.ratio - b.ratio)[all.length >> 1]!;
    result.runs[c] = {
      totalMs: pick.totalMs,
      msPerStep: pick.msPerStep,
      syncsPerStep: pick.syncs / steps,
      writesPerStep: pick.writes / steps,
      ioMs: pick.ioMs,
      floorMsPerLine: pick.floorMsPerLine,
      floorMsPerStep: 2 * pick.floorMsPerLine,
      ratio: pick.ratio,
      ratios,
    };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
