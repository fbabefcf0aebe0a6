import { readTree, type Timing, time } from "./measure.js";
import * as stage from "./stages.js";

/**
 * Times every stage on one generated repository, in a process of its own (so that one size's heap does not
 * weigh on the next): `size-child.ts <dir> <runs> <warmup> <svg: yes|no> <budget ms> [render runs]`. The
 * checklists and pictures run `render runs` times without warm-up when given (they are slow at 100,000
 * steps, see RESULTS.md). Prints one line of JSON: the timings in milliseconds and what the stages produced.
 */

export interface SizeResult {
  readonly timings: Record<string, Timing>;
  readonly facts: {
    readonly dplBytes: number;
    readonly dplLines: number;
    readonly yamlBytes: number;
    /** Steps of each site's plan, in the entry's order. */
    readonly planSteps: number[];
    readonly edges: number;
    readonly jsonBytes: number;
    readonly markdownBytes: number;
    readonly htmlBytes: number;
    readonly svgBytes?: number;
  };
}

async function main(): Promise<void> {
  const [dir, runsArg, warmupArg, svgArg, budgetArg, renderArg] = process.argv.slice(2);
  const input: stage.Input = {
    dpl: readTree(dir!, ".dpl"),
    entry: "plans/bench.dpl",
    yaml: readTree(dir!, ".yaml"),
  };
  const options = { runs: Number(runsArg), warmup: Number(warmupArg), budgetMs: Number(budgetArg) };
  const render = renderArg ? { runs: Number(renderArg), warmup: 0, budgetMs: Number(budgetArg) } : options;

  const checked = stage.check(input);
  if (checked.diagnostics.length > 0 || checked.plans.some((p) => !p.plan))
    throw new Error(`the generated repository does not check: ${checked.diagnostics[0]?.message}`);
  const compiled = stage.compileJson(input);
  const plan = compiled.plan!;
  const t = stage.templates();

  const timings: Record<string, Timing> = {};
  timings.lexParse = await time(() => stage.lexParse(input), options);
  timings.check = await time(() => stage.check(input), options);
  timings.compileJson = await time(() => stage.compileJson(input), options);
  let markdown = "";
  timings.markdown = await time(() => (markdown = stage.markdown(plan, t)), render);
  let html = "";
  timings.html = await time(() => (html = stage.html(plan, t)), render);
  timings.mermaid = await time(() => stage.mermaid(plan), render);
  timings.dot = await time(() => stage.dot(plan), render);
  timings.yamlZod = await time(() => stage.yamlZod(input), options);
  timings.jsonParse = await time(() => stage.jsonParse(compiled.json), options);
  let svgBytes: number | undefined;
  if (svgArg === "yes") {
    svgBytes = (await stage.svg(plan)).length;
    timings.svg = await time(() => stage.svg(plan), {
      ...options,
      warmup: 0,
      runs: Math.min(3, options.runs),
    });
  }

  const dplText = Object.values(input.dpl).join("");
  const result: SizeResult = {
    timings,
    facts: {
      dplBytes: Buffer.byteLength(dplText),
      dplLines: dplText.split("\n").length,
      yamlBytes: Buffer.byteLength(Object.values(input.yaml).join("")),
      planSteps: checked.plans.map((p) => p.plan!.steps.length),
      edges: plan.edges.length,
      jsonBytes: Buffer.byteLength(compiled.json),
      markdownBytes: Buffer.byteLength(markdown),
      htmlBytes: Buffer.byteLength(html),
      ...(svgBytes !== undefined ? { svgBytes } : {}),
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
