import type { Step, StepKind } from "../ir/schema.js";

/**
 * Who does a step, as the Argo export and `plan step` see it. A person does the operator-facing kinds
 * (the runtime only asks them, and waits for their word) and every step the plan marks `manual` (such as a
 * CSC-state check at a site without an EFD, which the operator reads on Chronograf). Everything else the
 * runtime does itself, through its executors.
 */

/** The kinds whose executor only puts the step to the operator: a person does them. */
export const OPERATOR_KINDS: ReadonlySet<StepKind> = new Set<StepKind>([
  "manual",
  "notify",
  "script",
  "csc-transition",
]);

/** Whether a person does this step: the plan marks it manual, or its kind is operator-facing. */
export function isOperatorStep(step: Step): boolean {
  return step.manual || OPERATOR_KINDS.has(step.kind);
}

/** Where a command without a host runs in the Argo export. */
export type LocalCommands = "operator" | "pod";

/**
 * How a step runs on Argo: `suspend` (a person does it, and resumes the workflow with done or skip) or
 * `container` (`plan step` runs it in a pod). A command without a host runs "on the operator's machine"
 * by the plan; on Argo there is no such machine, so by default (`localCommands: "operator"`) it becomes a
 * suspend node that shows the exact command to run by hand; with `"pod"` it runs in the step's pod, for
 * images that carry the tools it needs.
 */
export function argoStepMode(step: Step, localCommands: LocalCommands): "suspend" | "container" {
  if (isOperatorStep(step)) return "suspend";
  if (step.kind === "command" && step.host === undefined && localCommands === "operator") return "suspend";
  return "container";
}
