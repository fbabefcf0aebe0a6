import type { Plan, PlanAdmonition, Step } from "../ir/schema.js";
import { type Detail, stepDetails } from "./step-details.js";
import type { Run } from "./text.js";

/**
 * The words an Argo suspend node shows the operator (the description of its `choice` input, which the
 * Argo UI shows in the resume dialog and `argo get` prints): what to do, exactly as the checklist says it,
 * with the step's admonitions, who does it and what to check.
 */

const LEVEL: Record<PlanAdmonition["level"], string> = {
  important: "IMPORTANT",
  attention: "ATTENTION",
  warning: "WARNING",
  note: "NOTE",
};

/**
 * Text that Argo would otherwise read as a variable reference: Argo replaces `{{...}}` anywhere in a
 * template, and a reference it does not know fails the workflow's validation. A zero-width space goes
 * between the two braces.
 * NOTE: this changes the bytes (not the look) of a step text that contains `{{`; the plan itself, in the
 * ConfigMap, keeps its exact text, and so does the checklist.
 */
export function argoSafe(text: string): string {
  return text.replace(/\{\{/g, "{\u200b{").replace(/\}\}/g, "}\u200b}");
}

function runsText(runs: readonly Run[]): string {
  return runs.map((r) => ("code" in r ? `\`${r.code}\`` : r.text)).join("");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => (line ? `    ${line}` : line))
    .join("\n");
}

/** A checklist detail as plain text: code blocks indented by four spaces, lists as `- ` lines. */
function detailText(detail: Detail): string {
  if ("para" in detail) return runsText(detail.para);
  if ("block" in detail) return `${runsText(detail.block.label)}\n${indent(detail.block.text)}`;
  const items = detail.list.items.map((item) => `- ${runsText(item)}`);
  return [runsText(detail.list.label), ...items].join("\n");
}

/** What to do for a step, as paragraphs of plain text: admonitions, the details, URL, who and check. */
export function stepInstructions(step: Step, plan: Plan): string[] {
  return [
    ...step.admonitions.map((a) => `${LEVEL[a.level]}: ${a.text}`),
    ...(step.critical ? ["CRITICAL: dangerous to skip or get wrong."] : []),
    ...stepDetails(step, plan).map(detailText),
    ...(step.url ? [`Open: ${step.url}`] : []),
    ...(step.by ? [`Who: ${step.by}`] : []),
    ...(step.check ? [`Then check: ${step.check}`] : []),
  ];
}

/** The description of a manual step's `choice`: the step, what to do, and how to answer. */
export function manualDescription(step: Step, plan: Plan): string {
  return argoSafe(
    [
      `Step ${step.id}: ${step.title}`,
      ...stepInstructions(step, plan),
      "Answer done once it is done, or skip (and say why in `reason`) to leave it undone.",
    ].join("\n\n"),
  );
}

/** The description of the question asked before an automated step that has a `confirm`. */
export function confirmDescription(step: Step & { confirm: string }, plan: Plan): string {
  return argoSafe(
    [
      `Step ${step.id}: ${step.title}`,
      step.confirm,
      ...stepInstructions(step, plan),
      "Answer yes to run it now, or skip (and say why in `reason`) to leave it undone.",
    ].join("\n\n"),
  );
}
