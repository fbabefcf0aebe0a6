import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HEAVY, traceImports } from "../../bench/cli-start.js";
import { generate } from "../../bench/generate.js";
import { runChild, writeTree } from "../../bench/measure.js";
import type { MemoryResult } from "../../bench/memory-child.js";
import { type BenchData, goals, resultsMarkdown } from "../../bench/results.js";
import type { RuntimeResult } from "../../bench/runtime-child.js";
import type { SimulatedResult } from "../../bench/simulated-child.js";
import type { SizeResult } from "../../bench/size-child.js";
import * as stage from "../../bench/stages.js";
import { readPlanJson } from "../../src/ir/plan.js";

/**
 * A smoke run of the benchmarks: every stage, at two small sizes, once, checking that each completes and
 * produces what it should. Never a timing: timings belong to `npm run bench`.
 */

const work = mkdtempSync(join(tmpdir(), "plan-bench-smoke-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const t = stage.templates();

describe.each([100, 1000])("the benchmark stages on a generated repository of %i steps", (size) => {
  const g = generate(size, 7);
  const input: stage.Input = { dpl: g.dpl, entry: g.entry, yaml: g.yaml };

  it("generates the same repository from the same seed, as .dpl and as YAML", () => {
    const again = generate(size, 7);
    expect(again.dpl).toEqual(g.dpl);
    expect(again.yaml).toEqual(g.yaml);
    expect(generate(size, 8).dpl).not.toEqual(g.dpl);
    expect(Object.keys(g.dpl).sort()).toEqual([
      "plans/bench-upgrade.dpl",
      "plans/bench.dpl",
      "plans/common/document.dpl",
      "plans/common/groups.dpl",
      "plans/common/ignore.dpl",
      "plans/common/rules.dpl",
      "sites/s0.dpl",
      "sites/s1.dpl",
      "sites/s2.dpl",
    ]);
    const procedure = g.dpl["plans/bench-upgrade.dpl"]!;
    for (const construct of [
      "parallel {",
      "temporarily ",
      "undo ",
      " only s",
      " except s",
      " when ",
      " after ",
      "${",
    ])
      expect(procedure).toContain(construct);
  });

  it("lexes and parses every file without a problem", () => {
    const r = stage.lexParse(input);
    expect(r.diagnostics).toEqual([]);
    expect(r.declarations).toBeGreaterThan(10);
  });

  it("checks the entry for its three sites, the first with about the steps asked for", () => {
    const r = stage.check(input);
    expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    expect(r.plans.map((p) => p.site)).toEqual(["s0", "s1", "s2"]);
    const steps = r.plans.map((p) => p.plan!.steps.length);
    expect(steps[0]).toBe(g.expectedSteps);
    expect(Math.abs(steps[0]! - size)).toBeLessThanOrEqual(5);
    expect(r.plans[0]!.plan!.rules.length).toBeGreaterThanOrEqual(6);
  });

  it("compiles s0 to plan JSON that reads back with its hash, and renders every picture and checklist", async () => {
    const r = stage.compileJson(input);
    const plan = r.plan!;
    const read = readPlanJson(r.json);
    expect(read.ok).toBe(true);
    expect(stage.jsonParse(r.json).steps).toBe(plan.steps.length);
    const some = plan.steps[Math.floor(plan.steps.length / 2)]!;
    expect(stage.markdown(plan, t)).toContain(some.id);
    expect(stage.html(plan, t)).toContain(some.id);
    expect(stage.mermaid(plan)).toMatch(/^flowchart TB\n/);
    expect(stage.dot(plan)).toMatch(/^digraph plan \{/);
    if (size === 100) expect(await stage.svg(plan)).toContain("<svg");
  });

  it("validates the same content as YAML with the zod schema of its shape", () => {
    const r = stage.yamlZod(input);
    expect(r.files).toBe(Object.keys(g.yaml).length);
    expect(r.steps).toBeGreaterThan(size / 2);
  });
});

describe("the benchmark's child processes", () => {
  const g = generate(100, 7);
  const dir = join(work, "100");
  writeTree(dir, { ...g.dpl, ...g.yaml });

  it("time every stage of a size in a child", () => {
    const r = runChild<SizeResult>("size-child.ts", [dir, "1", "0", "no", "1000"]);
    expect(r.ok, r.ok ? "" : r.error).toBe(true);
    if (!r.ok) return;
    for (const key of [
      "lexParse",
      "check",
      "compileJson",
      "markdown",
      "html",
      "mermaid",
      "dot",
      "yamlZod",
      "jsonParse",
    ])
      expect(r.value.timings[key]?.runs).toBe(1);
    expect(r.value.facts.planSteps).toHaveLength(3);
  });

  it("measure the peak memory of check and compile under a heap limit", () => {
    for (const what of ["check", "compile"]) {
      const r = runChild<MemoryResult>("memory-child.ts", [dir, what], ["--max-old-space-size=1024"]);
      expect(r.ok, r.ok ? "" : r.error).toBe(true);
      if (r.ok) expect(r.value.peakRssMb).toBeGreaterThan(r.value.baseRssMb * 0.5);
    }
  });

  it("run a plan of no-op steps through the scheduler and the journal, at two concurrencies", () => {
    const r = runChild<RuntimeResult>("runtime-child.ts", ["200", "20", "1,4", "1"]);
    expect(r.ok, r.ok ? "" : r.error).toBe(true);
    if (!r.ok) return;
    expect(Object.keys(r.value.runs)).toEqual(["1", "4"]);
    // Every step journals its start and its end, each on disk before the run goes on.
    expect(r.value.runs["1"]!.syncsPerStep).toBeGreaterThanOrEqual(2);
    expect(r.value.runs["4"]!.syncsPerStep).toBeGreaterThan(0);
    expect(r.value.runs["1"]!.floorMsPerLine).toBeGreaterThan(0);
    expect(r.value.runs["4"]!.ratios).toHaveLength(1);
  });

  it("run a real plan on its simulated site at two concurrencies, with its sum and critical path", () => {
    const r = runChild<SimulatedResult>("simulated-child.ts", ["plans/bts-incremental.dpl", "600", "1,4"]);
    expect(r.ok, r.ok ? "" : r.error).toBe(true);
    if (!r.ok) return;
    expect(r.value.planId).toBe("incremental-upgrade@bts");
    expect(r.value.runs.map((x) => [x.concurrency, x.outcome])).toEqual([
      [1, "finished"],
      [4, "finished"],
    ]);
    for (const run of r.value.runs) {
      expect(run.criticalSeconds).toBeGreaterThan(0);
      expect(run.criticalSeconds).toBeLessThanOrEqual(run.sumSeconds);
      expect(run.siteSeconds).toBeGreaterThanOrEqual(run.criticalSeconds * 0.99);
    }
  });

  it("trace what `plan check` loads: none of the heavy packages, nor chevrotain's many modules, nor zod", () => {
    const trace = traceImports([process.execPath, join(process.cwd(), "bin/plan.js"), "check", g.entry], dir);
    expect(trace.heavy).toEqual([]);
    expect(trace.packages.plan).toBeGreaterThan(10);
    expect(trace.packages["lodash-es"]).toBeUndefined();
    expect(trace.packages.zod).toBeUndefined();
    expect(HEAVY).toContain("@kubernetes/client-node");
  });

  it("write RESULTS.md with the goals marked", () => {
    const data: BenchData = {
      machine: { cpu: "x", cores: 2, memoryGb: 8, node: "v20", platform: "linux", date: "now", load: [1, 1] },
      seed: 7,
      heapLimitMb: 1024,
      svgMaxSize: 1000,
      sizes: [],
      notes: [],
    };
    expect(goals(data)).toEqual([]);
    expect(resultsMarkdown(data, "## Analysis")).toContain("## Analysis");
  });
});
