import { emitDot } from "../emit/dot.js";
import { htmlTemplate, renderHtml } from "../emit/html.js";
import { markdownTemplate, renderMarkdown } from "../emit/markdown.js";
import { planFromInput } from "./inputs.js";
import { EXIT } from "./main.js";
import { printInputFailure, writeOutput } from "./plan-output.js";
import { diskTemplates } from "./templates.js";

/** The options of `plan render`, as commander parses them. */
export interface RenderOptions {
  format: "md" | "html";
  output?: string;
  param?: string[];
  site?: string;
  root?: string;
}

/**
 * `plan render <entry.dpl | plan.json> --format md|html [-o file]`: the printable checklist of a plan.
 * The HTML page carries the plan's graph as SVG, drawn offline by Graphviz (loaded only for HTML).
 */
export async function renderCommand(input: string, opts: RenderOptions): Promise<number> {
  const got = await planFromInput(input, { site: opts.site, param: opts.param, root: opts.root });
  if (!got.ok) {
    printInputFailure("render", got);
    return EXIT.problems;
  }
  let text: string;
  if (opts.format === "html") {
    const { renderSvg } = await import("../emit/svg.js");
    const svg = await renderSvg(emitDot(got.plan));
    text = renderHtml(got.plan, htmlTemplate(diskTemplates), { svg });
  } else {
    text = renderMarkdown(got.plan, markdownTemplate(diskTemplates));
  }
  const problem = writeOutput(text, opts.output);
  if (problem) {
    process.stderr.write(`plan render: ${problem}\n`);
    return EXIT.problems;
  }
  return EXIT.ok;
}
