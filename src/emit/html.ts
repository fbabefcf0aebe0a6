import type { Plan } from "../ir/schema.js";
import { checklistView } from "./checklist-view.js";
import { GRAPH_LEGEND } from "./graph-model.js";
import { inlineSvg } from "./svg.js";
import { type ChecklistTemplate, compileChecklistTemplates, type TemplateReader } from "./templates.js";

export interface HtmlOptions {
  /**
   * The plan's graph as an SVG document from `renderSvg(emitDot(plan))`, or `null` to leave the picture
   * out. Drawing it is asynchronous and heavy, so the caller does it; this stays a pure function.
   */
  svg: string | null;
}

/**
 * The HTML checklist of a plan: one self-contained page (inline stylesheet and script, nothing from the
 * network) that prints one phase per page and, on screen, remembers ticks per plan hash. Every
 * plan-derived string is escaped by handlebars. Pure: the same plan, SVG and templates give the same bytes.
 * Throws if the templates do not fit the view, if the SVG is not one, or if the plan's references are
 * inconsistent.
 */
export function renderHtml(plan: Plan, template: ChecklistTemplate, options: HtmlOptions): string {
  return template({
    ...checklistView(plan),
    svg: options.svg === null ? false : inlineSvg(options.svg),
    legend: GRAPH_LEGEND,
  });
}

/** Compiles the HTML templates once, to render several plans. */
export function htmlTemplate(read: TemplateReader): ChecklistTemplate {
  return compileChecklistTemplates("html", read);
}
