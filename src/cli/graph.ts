import { emitDot } from "../emit/dot.js";
import { emitMermaid } from "../emit/mermaid.js";
import { planFromInput } from "./inputs.js";
import { EXIT } from "./main.js";
import { printInputFailure, writeOutput } from "./plan-output.js";

/** The options of `plan graph`, as commander parses them. */
export interface GraphOptions {
  format: "mermaid" | "dot" | "svg";
  output?: string;
  param?: string[];
  site?: string;
  root?: string;
}

/**
 * `plan graph <entry.dpl | plan.json> --format mermaid|dot|svg [-o file]`: the plan's DAG, phases as
 * clusters. SVG is drawn offline by Graphviz compiled to WebAssembly, loaded only for this format.
 */
export async function graphCommand(input: string, opts: GraphOptions): Promise<number> {
  const got = await planFromInput(input, { site: opts.site, param: opts.param, root: opts.root });
  if (!got.ok) {
    printInputFailure("graph", got);
    return EXIT.problems;
  }
  let text: string;
  if (opts.format === "svg") {
    const { renderSvg } = await import("../emit/svg.js");
    text = await renderSvg(emitDot(got.plan));
  } else {
    text = opts.format === "dot" ? emitDot(got.plan) : emitMermaid(got.plan);
  }
  const problem = writeOutput(text, opts.output);
  if (problem) {
    process.stderr.write(`plan graph: ${problem}\n`);
    return EXIT.problems;
  }
  return EXIT.ok;
}
