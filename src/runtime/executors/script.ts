import type { PlanSite, StepOf } from "../../ir/schema.js";
import type { Executor } from "../executor.js";
import { askOperator, loveLabel, queueLabel } from "./operator-question.js";
import { scriptConfigYaml } from "./script-config.js";

/** The label that precedes a configuration in a question: the YAML itself is the next entry, alone. */
export const CONFIG_LABEL = "Configuration (paste it as it is):";

/** Where, on which queue, which script, and its exact configuration (the YAML as one entry of its own). */
function scriptDetails(step: StepOf<"script"> | StepOf<"csc-transition">, site: PlanSite): string[] {
  return [
    `Where: ${loveLabel(site)}`,
    `Queue: ${queueLabel(step.queue)}`,
    `Script: ${step.script}`,
    CONFIG_LABEL,
    scriptConfigYaml(step.config),
  ];
}

/** The CSCs of a transition in the order the script handles them, one numbered line each. */
function cscOrder(step: StepOf<"csc-transition">): string {
  return step.cscs.map((csc, i) => `${i + 1}. ${csc}`).join("\n");
}

/** The ignore list with the state each ignored CSC keeps and why. */
function ignoreLines(step: StepOf<"csc-transition">): string[] {
  if (step.ignored.length === 0) return ["Ignore list: none: every CSC above changes state"];
  return [
    "Leave these alone (the ignore list):",
    ...step.ignored.map((i) => `${i.csc}: keep it ${i.keep}${i.reason ? ` (${i.reason})` : ""}`),
  ];
}

function transitionDetails(step: StepOf<"csc-transition">, site: PlanSite): string[] {
  return [
    ...scriptDetails(step, site),
    `CSCs going to ${step.state}, in this order:`,
    cscOrder(step),
    ...ignoreLines(step),
  ];
}

function describeScript(step: StepOf<"script"> | StepOf<"csc-transition">, site: PlanSite): string[] {
  return [
    `run ${step.script} on ${queueLabel(step.queue)} from ${loveLabel(site)} with this configuration:`,
    scriptConfigYaml(step.config),
  ];
}

/**
 * A ScriptQueue script the operator runs from LOVE: the question names the queue, the script, where to
 * run it and its exact configuration as YAML. Done, skip (with the reason) and abort as for every
 * operator step.
 */
export const scriptExecutor: Executor<"script"> = {
  kind: "script",
  describe: describeScript,
  run(step, ctx) {
    return askOperator(step, ctx, scriptDetails(step, ctx.site));
  },
};

/**
 * A change of CSC states through a ScriptQueue script: as a script step, plus the CSCs in the order the
 * script handles them and the ignore list with the state each ignored CSC keeps.
 */
export const cscTransitionExecutor: Executor<"csc-transition"> = {
  kind: "csc-transition",
  describe(step, site) {
    return [
      ...describeScript(step, site),
      `CSCs to ${step.state}, in order: ${step.cscs.join(", ")}`,
      ...(step.ignored.length > 0
        ? [`ignored: ${step.ignored.map((i) => `${i.csc} (keeps ${i.keep})`).join(", ")}`]
        : []),
    ];
  },
  run(step, ctx) {
    return askOperator(step, ctx, transitionDetails(step, ctx.site));
  },
};
