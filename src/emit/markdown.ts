import type { Plan } from "../ir/schema.js";
import { checklistView } from "./checklist-view.js";
import { GRAPH_LEGEND } from "./graph-model.js";
import { emitMermaid } from "./mermaid.js";
import { type ChecklistTemplate, compileChecklistTemplates, type TemplateReader } from "./templates.js";

/**
 * The Markdown checklist of a plan (GitHub-flavoured: tables, task lists), with the plan's Mermaid graph.
 * Pure: the same plan and templates give the same bytes. Throws if the templates are missing or do not
 * fit the view (strict mode), or if the plan's references are inconsistent.
 */
export function renderMarkdown(plan: Plan, template: ChecklistTemplate): string {
  return template({ ...checklistView(plan), mermaid: emitMermaid(plan), legend: GRAPH_LEGEND });
}

/** Compiles the Markdown templates once, to render several plans. */
export function markdownTemplate(read: TemplateReader): ChecklistTemplate {
  return compileChecklistTemplates("md", read);
}
