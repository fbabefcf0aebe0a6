import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { basename, dirname, join } from "node:path";
import { coldStart, traceImports } from "./cli-start.js";
import { generate } from "./generate.js";
import { runChild, writeTree } from "./measure.js";
import type { MemoryResult } from "./memory-child.js";
import { type BenchData, goals, resultsMarkdown, type SizeRun } from "./results.js";
import type { RuntimeResult } from "./runtime-child.js";
import type { SimulatedResult } from "./simulated-child.js";
import type { SizeResult } from "./size-child.js";

/**
 * `npm run bench`: the benchmarks of issue 9, written to bench/RESULTS.md.
 *
 *   npm run bench -- [--sizes 100,1000,10000,100000] [--seed 1] [--out bench/RESULTS.md] [--quick]
 *   npm run bench -- --from bench/results.json    (RESULTS.md again from a run's figures, with the
 *                                                  analysis of bench/analysis.md as it is now)
 *
 * Per size, in child processes: every stage timed (median after warm-up), and the peak memory of `plan
 * check` and `plan compile` in fresh processes under a 1 GB heap. Then the CLI's cold start against
 * `node -e 0`, what `plan check` loads, and the runtime's overhead per step against an fsync floor.
 */

const ROOT = join(import.meta.dirname, "..");
const HEAP_LIMIT_MB = 1024;
/** Graphviz lays out large graphs for minutes: the SVG is drawn up to this size. */
const SVG_MAX = 1000;
/** A size that takes longer than this is reported as not finished. */
const CHILD_LIMIT_MS = 150 * 60_000;

interface Options {
  from?: string;
  sizes: number[];
  seed: number;
  out: string;
  quick: boolean;
}

function options(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes("--quick");
  const from = get("--from");
  return {
    ...(from ? { from } : {}),
    sizes: (get("--sizes") ?? (quick ? "100,1000" : "100,1000,10000,100000")).split(",").map(Number),
    seed: Number(get("--seed") ?? 1),
    out: get("--out") ?? join(ROOT, "bench", quick ? "RESULTS.quick.md" : "RESULTS.md"),
    quick,
  };
}

/**
 * Runs and warm-ups per size: fewer as a run gets longer. At 100,000 steps the checklists and pictures run
 * once, without warm-up: they are quadratic in the size of the plan (RESULTS.md) and take minutes there.
 */
function plan(
  size: number,
  quick: boolean,
): { runs: number; warmup: number; budgetMs: number; renderRuns?: number } {
  if (quick) return { runs: 3, warmup: 1, budgetMs: 10_000 };
  if (size <= 100) return { runs: 21, warmup: 5, budgetMs: 30_000 };
  if (size <= 1000) return { runs: 11, warmup: 3, budgetMs: 60_000 };
  if (size <= 10_000) return { runs: 7, warmup: 1, budgetMs: 120_000 };
  return { runs: 3, warmup: 1, budgetMs: 900_000, renderRuns: 1 };
}

/** Builds dist/ when a source is newer than the last build, as the tests' global setup does. */
function ensureBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  const built = existsSync(join(ROOT, "dist/.tsbuildinfo"))
    ? statSync(join(ROOT, "dist/.tsbuildinfo")).mtimeMs
    : 0;
  if (built > 0 && newest(join(ROOT, "src")) <= built) return;
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: ROOT,
      stdio: "inherit",
    },
  );
}

function log(text: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
}

/** Writes RESULTS.md from a run's figures and the hand-written analysis, and logs the goals. */
function report(data: BenchData, out: string): void {
  const analysisFile = join(ROOT, "bench/analysis.md");
  const analysis = existsSync(analysisFile) ? readFileSync(analysisFile, "utf8") : "";
  writeFileSync(out, resultsMarkdown(data, analysis));
  log(`wrote ${out}`);
  for (const g of goals(data)) log(`${g.met ? "met   " : "MISSED"} ${g.goal}: ${g.measured}`);
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  if (opts.from) {
    report(JSON.parse(readFileSync(opts.from, "utf8")) as BenchData, opts.out);
    return;
  }
  const loadStart = loadavg()[0]!;
  const work = mkdtempSync(join(tmpdir(), "plan-bench-"));
  const data: BenchData = {
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      memoryGb: totalmem() / 1024 ** 3,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      date: new Date().toISOString().slice(0, 16).replace("T", " "),
      load: [loadStart, 0],
    },
    seed: opts.seed,
    heapLimitMb: HEAP_LIMIT_MB,
    svgMaxSize: SVG_MAX,
    sizes: [],
    notes: [],
  };
  try {
    ensureBuilt();
    for (const size of opts.sizes) {
      log(`generating ${size} steps`);
      const start = performance.now();
      const g = generate(size, opts.seed);
      const generateMs = performance.now() - start;
      const dir = join(work, String(size));
      writeTree(dir, { ...g.dpl, ...g.yaml });
      const p = plan(size, opts.quick);
      log(`timing ${size} steps (${p.runs} runs after ${p.warmup} warm-up)`);
      const timing = runChild<SizeResult>(
        "size-child.ts",
        [
          dir,
          String(p.runs),
          String(p.warmup),
          size <= SVG_MAX ? "yes" : "no",
          String(p.budgetMs),
          ...(p.renderRuns ? [String(p.renderRuns)] : []),
        ],
        ["--expose-gc", "--max-old-space-size=4096"],
        CHILD_LIMIT_MS,
      );
      log(`memory of ${size} steps`);
      const memory = (what: string) =>
        runChild<MemoryResult>("memory-child.ts", [dir, what], [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
      const run: SizeRun = {
        size,
        generateMs,
        timing,
        memory: { check: memory("check"), compile: memory("compile") },
      };
      data.sizes.push(run);
      if (!timing.ok) log(`  failed: ${timing.error}`);
    }

    log("CLI start-up");
    const summit = join(ROOT, "plans/summit.dpl");
    const small = join(work, String(Math.min(...opts.sizes)));
    const [cwd, entry, label] = existsSync(summit)
      ? [ROOT, "plans/summit.dpl", "plans/summit.dpl"]
      : [
          small,
          "plans/bench.dpl",
          `the generated ${Math.min(...opts.sizes)}-step repository (plans/summit.dpl does not exist yet)`,
        ];
    const bin = join(ROOT, "bin/plan.js");
    const node = process.execPath;
    // `plan check` keeps the syntax trees of unchanged files (src/cli/parse-cache.ts): timed with the cache
    // the untimed round fills, as a save hook runs it, and with no cache, as the first run after an install.
    const cache = { PLAN_CACHE_DIR: join(work, "cache"), PLAN_NO_CACHE: "" };
    const noCache = { PLAN_NO_CACHE: "1" };
    const start = coldStart(
      [
        { label: "node -e 0", argv: [node, "-e", "0"] },
        { label: "plan --version", argv: [node, bin, "--version"] },
        { label: `plan check ${entry}`, argv: [node, bin, "check", entry], env: cache },
        { label: `plan check ${entry}, no cache`, argv: [node, bin, "check", entry], env: noCache },
      ],
      cwd,
      opts.quick ? 5 : 21,
    );
    // What was run, as a reader would type it: no path of this machine in the committed figures.
    const shown = (a: string) => (a === node ? "node" : a === bin ? "bin/plan.js" : a);
    data.cli = {
      start: {
        ...start,
        commands: start.commands.map((c) => ({
          ...c,
          argv: c.argv.map(shown),
          ...(c.env
            ? { env: { ...c.env, ...(c.env.PLAN_CACHE_DIR ? { PLAN_CACHE_DIR: "<a new folder>" } : {}) } }
            : {}),
        })),
      },
      entry: label,
      version: traceImports([node, bin, "--version"], cwd),
      check: traceImports([node, bin, "check", entry], cwd, cache),
      checkNoCache: traceImports([node, bin, "check", entry], cwd, noCache),
    };

    log("runtime");
    data.runtime = runChild<RuntimeResult>(
      "runtime-child.ts",
      opts.quick ? ["1000", "100", "1,16", "1"] : ["10000", "100", "1,16", "3"],
    );

    log("the Summit plan on its simulated site");
    data.simulated = runChild<SimulatedResult>("simulated-child.ts", ["plans/summit.dpl", "150", "1,4,16"]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  (data.machine as { load: [number, number] }).load[1] = loadavg()[0]!;
  // The figures as measured, so that RESULTS.md can be written again with a new analysis (--from).
  const figures = join(dirname(opts.out), `${basename(opts.out, ".md").replace("RESULTS", "results")}.json`);
  writeFileSync(figures, `${JSON.stringify(data, null, 1)}\n`);
  log(`wrote ${figures}`);
  report(data, opts.out);
}

await main();
