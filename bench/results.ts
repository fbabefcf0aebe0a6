import type { ColdStart, ImportTrace } from "./cli-start.js";
import type { MemoryResult } from "./memory-child.js";
import type { RuntimeResult } from "./runtime-child.js";
import type { SimulatedResult } from "./simulated-child.js";
import type { SizeResult } from "./size-child.js";

/** Everything one `npm run bench` measured, and how RESULTS.md shows it. */

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly platform: string;
  readonly date: string;
  /** The 1-minute load average when the run started and when it ended. */
  readonly load: [number, number];
}

export interface SizeRun {
  readonly size: number;
  readonly generateMs: number;
  readonly timing: Outcome<SizeResult>;
  readonly memory: { readonly check: Outcome<MemoryResult>; readonly compile: Outcome<MemoryResult> };
}

export interface BenchData {
  machine: Machine;
  seed: number;
  heapLimitMb: number;
  svgMaxSize: number;
  sizes: SizeRun[];
  cli?: {
    start: ColdStart;
    check: ImportTrace;
    checkNoCache?: ImportTrace;
    version: ImportTrace;
    entry: string;
  };
  runtime?: Outcome<RuntimeResult>;
  simulated?: Outcome<SimulatedResult>;
  notes: string[];
}

export interface Goal {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

const STAGES: [key: string, label: string][] = [
  ["lexParse", "lex + parse (every file)"],
  ["check", "`plan check` (load, compile for 3 sites, prove)"],
  ["compileJson", "`plan compile` to JSON (1 site, schema check, canonical JSON, hash)"],
  ["markdown", "render Markdown"],
  ["html", "render HTML (without the SVG)"],
  ["mermaid", "Mermaid"],
  ["dot", "DOT"],
  ["svg", "SVG (Graphviz, WebAssembly)"],
  ["yamlZod", "baseline: YAML parse + zod validation"],
  ["jsonParse", "floor: `JSON.parse` of the plan JSON"],
];

const fmt = (ms: number) =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`;
const us = (ms: number, steps: number) => `${((ms * 1000) / steps).toFixed(1)} µs/step`;

/** The goals of issue 9, each with what was measured and whether it holds. */
export function goals(data: BenchData): Goal[] {
  const out: Goal[] = [];
  const ok = data.sizes.flatMap((s) => (s.timing.ok ? [{ size: s.size, r: s.timing.value }] : []));
  if (ok.length > 0) {
    const ratios = ok.map(({ size, r }) => ({
      size,
      ratio: r.timings.check!.median / r.timings.yamlZod!.median,
    }));
    out.push({
      goal: "`plan check` at most as slow as YAML + zod on the same content (every size)",
      measured: ratios.map((x) => `${x.size.toLocaleString("en")}: ${x.ratio.toFixed(2)}x`).join(", "),
      met: ratios.every((x) => x.ratio <= 1),
    });
  }
  const small = ok.find((x) => x.size === 1000);
  const large = ok.find((x) => x.size === 100_000);
  if (small && large) {
    for (const stage of ["check", "compileJson"]) {
      const per = (x: { r: SizeResult }) => x.r.timings[stage]!.median / x.r.facts.planSteps[0]!;
      const ratio = per(large) / per(small);
      out.push({
        goal: `Linear: ${stage === "check" ? "`plan check`" : "`plan compile`"} time per step at 100,000 steps within 1.5x of 1,000`,
        measured: `${us(per(large), 1)} vs ${us(per(small), 1)}: ${ratio.toFixed(2)}x`,
        met: ratio <= 1.5,
      });
    }
  }
  const big = data.sizes.find((s) => s.size === 100_000);
  if (big) {
    for (const which of ["compile", "check"] as const) {
      const m = big.memory[which];
      out.push({
        goal: `100,000 steps ${which === "compile" ? "compile (1 site)" : "check (3 sites)"} within 1 GB`,
        measured: m.ok
          ? `peak RSS ${m.value.peakRssMb.toFixed(0)} MB (heap limit ${m.value.heapLimitMb.toFixed(0)} MB)`
          : `failed under a ${data.heapLimitMb} MB heap: ${m.error.split("\n")[0]}`,
        met: m.ok && m.value.peakRssMb <= 1024,
      });
    }
  }
  if (data.cli) {
    const [zero, version, check, uncached] = data.cli.start.commands;
    const ratio = (c: { median: number }) => `${(c.median / zero!.median).toFixed(2)}x`;
    out.push({
      goal: "`plan check` start-up within 3x of `node -e 0`",
      measured: `${fmt(check!.median)} vs ${fmt(zero!.median)}: ${ratio(check!)} (\`plan --version\`: ${ratio(version!)}${uncached ? `; with no cache, as on the first run after an install: ${fmt(uncached.median)}, ${ratio(uncached)}` : ""})`,
      met: check!.median / zero!.median <= 3,
    });
    out.push({
      goal: "`plan check` loads none of the Kubernetes and Kafka clients, templates, SVG renderer",
      measured: data.cli.check.heavy.length
        ? `loads ${data.cli.check.heavy.join(", ")}`
        : "loads none of them",
      met: data.cli.check.heavy.length === 0,
    });
  }
  if (data.runtime?.ok) {
    const r = data.runtime.value;
    for (const [c, run] of Object.entries(r.runs)) {
      out.push({
        goal: `Runtime overhead per step at concurrency ${c} within 2x of the fsync floor`,
        measured: `${fmt(run.msPerStep)}/step vs floor ${fmt(run.floorMsPerStep)}/step (2 events per step, ${c} per fsync): ${run.ratio.toFixed(2)}x; ${run.syncsPerStep.toFixed(2)} fsyncs/step`,
        met: run.ratio <= 2,
      });
    }
  }
  if (data.simulated?.ok) {
    const v = data.simulated.value;
    const widest = v.runs.at(-1);
    if (widest) {
      const ofPath = widest.siteSeconds / widest.criticalSeconds;
      out.push({
        goal: `A simulated run with concurrency finishes close to the critical path, not the sum (${v.planId})`,
        measured: `concurrency ${widest.concurrency}: ${minutes(widest.siteSeconds)} of site time; critical path ${minutes(widest.criticalSeconds)} (${ofPath.toFixed(2)}x), sum ${minutes(widest.sumSeconds)}`,
        met: widest.outcome === "finished" && ofPath <= 1.1,
      });
    }
  }
  return out;
}

const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;

export function resultsMarkdown(data: BenchData, analysis: string): string {
  const m = data.machine;
  const lines: string[] = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (bench/run.ts); the analysis at the end is written by hand from the profiles.",
    "",
    "## Machine",
    "",
    `- CPU: ${m.cpu}, ${m.cores} cores; memory ${m.memoryGb.toFixed(0)} GB; ${m.platform}; Node ${m.node}`,
    `- Date: ${m.date}; load average (1 min) ${m.load[0].toFixed(1)} at the start, ${m.load[1].toFixed(1)} at the end`,
    "- The machine is shared with other work while this runs (2 cores, a load well above 2): absolute times are",
    "  inflated and noisy. Compare the ratios, each measured within this one run.",
    "",
  ];
  lines.push("## Goals", "", "| Goal | Measured | |", "|---|---|---|");
  for (const g of goals(data))
    lines.push(`| ${g.goal} | ${g.measured} | ${g.met === undefined ? "?" : g.met ? "met" : "**missed**"} |`);
  lines.push("");
  lines.push(...sizeTables(data), ...cliTables(data), ...runtimeTables(data), ...simulatedTables(data));
  if (data.notes.length) lines.push("## Notes", "", ...data.notes.map((n) => `- ${n}`), "");
  lines.push(analysis.trim(), "");
  return lines.join("\n");
}

function sizeTables(data: BenchData): string[] {
  const sizes = data.sizes;
  const head = `| Stage | ${sizes.map((s) => `${s.size.toLocaleString("en")} steps`).join(" | ")} |`;
  const lines = [
    "## Compiler, checklists and baselines",
    "",
    `Generated repositories (bench/generate.ts, seed ${data.seed}): 3 sites, groups, 7 ordering rules, ignore entries, a`,
    "document outline, one procedure; the size is the number of steps of the plan at site s0. Each cell: the median",
    "of the runs after warm-up (runs in brackets), and per step of the s0 plan. Each size runs in a child process.",
    "",
    head,
    `|---|${sizes.map(() => "---").join("|")}|`,
  ];
  const cell = (s: SizeRun, key: string) => {
    if (!s.timing.ok) return "failed";
    const t = s.timing.value.timings[key];
    if (!t) return key === "svg" ? `not run (> ${data.svgMaxSize.toLocaleString("en")} steps)` : "-";
    return `${fmt(t.median)} (${t.runs}); ${us(t.median, s.timing.value.facts.planSteps[0]!)}`;
  };
  for (const [key, label] of STAGES)
    lines.push(`| ${label} | ${sizes.map((s) => cell(s, key)).join(" | ")} |`);
  const ratio = (s: SizeRun) =>
    s.timing.ok
      ? `${(s.timing.value.timings.check!.median / s.timing.value.timings.yamlZod!.median).toFixed(2)}x`
      : "-";
  lines.push(`| **check / (YAML + zod)** | ${sizes.map(ratio).join(" | ")} |`);
  const fact = (f: (r: SizeResult) => string) =>
    sizes.map((s) => (s.timing.ok ? f(s.timing.value) : "-")).join(" | ");
  const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;
  lines.push(
    `| plan steps (s0, s1, s2) | ${fact((r) => r.facts.planSteps.join(", "))} |`,
    `| .dpl source | ${fact((r) => `${kb(r.facts.dplBytes)}, ${r.facts.dplLines.toLocaleString("en")} lines`)} |`,
    `| YAML source | ${fact((r) => kb(r.facts.yamlBytes))} |`,
    `| plan JSON / Markdown / HTML | ${fact((r) => `${kb(r.facts.jsonBytes)} / ${kb(r.facts.markdownBytes)} / ${kb(r.facts.htmlBytes)}`)} |`,
    `| generating it (not timed above) | ${sizes.map((s) => fmt(s.generateMs)).join(" | ")} |`,
  );
  const mem = (o: Outcome<MemoryResult>) =>
    o.ok ? `${o.value.peakRssMb.toFixed(0)} MB (heap ${o.value.heapAfterMb.toFixed(0)} MB)` : "failed";
  lines.push(
    `| peak RSS, \`plan check\` (fresh process) | ${sizes.map((s) => mem(s.memory.check)).join(" | ")} |`,
    `| peak RSS, \`plan compile\` (fresh process) | ${sizes.map((s) => mem(s.memory.compile)).join(" | ")} |`,
    "",
    `Peak RSS is the process's maximum resident set (\`process.resourceUsage().maxRSS\`), modules and input included, in a`,
    `child started with \`--max-old-space-size=${data.heapLimitMb}\`; "heap" is the V8 heap in use right after the stage.`,
    "",
  );
  for (const s of sizes) {
    if (!s.timing.ok) lines.push(`- ${s.size.toLocaleString("en")} steps failed: ${s.timing.error}`);
    for (const [k, o] of Object.entries(s.memory))
      if (!o.ok) lines.push(`- ${s.size.toLocaleString("en")} steps, memory of ${k}: ${o.error}`);
  }
  return lines;
}

function cliTables(data: BenchData): string[] {
  if (!data.cli) return [];
  const { start, check, checkNoCache, version, entry } = data.cli;
  const lines = [
    "## CLI start-up",
    "",
    `Wall time of the whole process, ${start.runs} runs each in turn after one untimed round (which fills the parse cache, src/cli/parse-cache.ts); \`check\` runs on ${entry}, with that cache and with none (\`PLAN_NO_CACHE=1\`).`,
    "",
    "| Command | Median | Min | Max | vs `node -e 0` |",
    "|---|---|---|---|---|",
  ];
  const zero = start.commands[0]!.median;
  for (const c of start.commands)
    lines.push(
      `| \`${c.label}\` | ${fmt(c.median)} | ${fmt(c.min)} | ${fmt(c.max)} | ${(c.median / zero).toFixed(2)}x |`,
    );
  const show = (t: ImportTrace) =>
    Object.entries(t.packages)
      .sort((a, b) => b[1] - a[1])
      .map(([p, n]) => `${p} ${n}`)
      .join(", ");
  lines.push("", "Modules loaded through the ESM loader (bench/trace/), by package:", "");
  lines.push(`- \`plan --version\`: ${show(version)}`, `- \`plan check\`: ${show(check)}`);
  if (checkNoCache) lines.push(`- \`plan check\`, no cache: ${show(checkNoCache)}`);
  lines.push("");
  return lines;
}

function runtimeTables(data: BenchData): string[] {
  const r = data.runtime;
  if (!r) return [];
  if (!r.ok) return ["## Runtime", "", `The runtime benchmark failed: ${r.error}`, ""];
  const v = r.value;
  const lines = [
    "## Runtime",
    "",
    `${v.steps.toLocaleString("en")} no-op steps in ${v.width} independent chains (a wide DAG), run by \`runPlan\` (lock, journal with`,
    "fsync, scheduler, step runner) with executors that do nothing, the journal on the same disk as the floor. The",
    "floor is measured right before and right after each run, since the disk's fsync latency drifts with the load:",
    "a bare loop of one write + fsync of c journal-sized lines (what perfect group commit of c concurrent steps",
    "would pay), per line; a step needs two durable events (started, before the action; ended, before what",
    "follows it), so the floor per step is twice that. The row shows the run with the median ratio.",
    "",
    "| Concurrency | Total | Per step | of which journal I/O | fsyncs per step | Floor per line | Floor per step | Ratio (every run) |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const [c, run] of Object.entries(v.runs)) {
    lines.push(
      `| ${c} | ${fmt(run.totalMs)} | ${fmt(run.msPerStep)} | ${fmt(run.ioMs / v.steps)} | ${run.syncsPerStep.toFixed(2)} | ${fmt(run.floorMsPerLine)} | ${fmt(run.floorMsPerStep)} | ${run.ratio.toFixed(2)}x (${run.ratios.map((x) => x.toFixed(2)).join(", ")}) |`,
    );
  }
  lines.push("");
  return lines;
}

function simulatedTables(data: BenchData): string[] {
  const r = data.simulated;
  if (!r) return [];
  if (!r.ok) return ["## A real plan on its simulated site", "", `The simulated run failed: ${r.error}`, ""];
  const v = r.value;
  const lines = [
    "## A real plan on its simulated site",
    "",
    `\`${v.entry}\` (${v.planId}, ${v.steps} steps) run end to end on its simulated site by the real runtime, executors and`,
    `clients (test/simulator/harness.ts, as \`plan run --simulate\`), site time ${v.speed} times faster than the wall's, at`,
    "several concurrencies. From each run's own journal come what every step took (site time), their sum (the plan",
    "one step at a time) and the critical path with those durations (the plan with unlimited concurrency).",
    "",
    "| Concurrency | Outcome | Site time | Critical path | Sum of the steps | Site time / critical path | Wall time |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const run of v.runs)
    lines.push(
      `| ${run.concurrency} | ${run.outcome} | ${minutes(run.siteSeconds)} | ${minutes(run.criticalSeconds)} | ${minutes(run.sumSeconds)} | ${(run.siteSeconds / run.criticalSeconds).toFixed(2)}x | ${fmt(run.wallMs)} |`,
    );
  lines.push("");
  return lines;
}
