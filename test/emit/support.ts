import { diskTemplates } from "../../src/cli/templates.js";
import { emitDot } from "../../src/emit/dot.js";
import { htmlTemplate, renderHtml } from "../../src/emit/html.js";
import { markdownTemplate, renderMarkdown } from "../../src/emit/markdown.js";
import { renderSvg } from "../../src/emit/svg.js";
import type { Plan } from "../../src/ir/schema.js";

/** The Markdown checklist of a plan, with the package's templates. */
export function markdownOf(plan: Plan): string {
  return renderMarkdown(plan, markdownTemplate(diskTemplates));
}

/** The HTML checklist of a plan with its SVG graph, as `plan render --format html` writes it. */
export async function htmlOf(plan: Plan): Promise<string> {
  return renderHtml(plan, htmlTemplate(diskTemplates), { svg: await renderSvg(emitDot(plan)) });
}
