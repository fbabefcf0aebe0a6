import type { PlanSite, StepOf } from "../../ir/schema.js";
import type { Executor } from "../executor.js";
import { askOperator } from "./operator-question.js";

/** What a manual step asks the operator to do: its text, and the command to run by hand if it has one. */
function manualDetails(step: StepOf<"manual">): string[] {
  return [step.text, ...(step.command !== undefined ? [`Run by hand: ${step.command}`] : [])];
}

/**
 * A step a person does: the runtime shows what to do and waits for the operator's word.
 * Done is done, skip is skipped with the reason, abort ends the run.
 */
export const manualExecutor: Executor<"manual"> = {
  kind: "manual",
  describe(step) {
    return [
      `ask the operator: ${step.text}`,
      ...(step.command !== undefined ? [`by hand: ${step.command}`] : []),
    ];
  },
  run(step, ctx) {
    return askOperator(step, ctx, manualDetails(step));
  },
};

/** The channel a notification goes to: the step's own, else the site's Slack channel. */
export function notifyChannel(step: StepOf<"notify">, site: PlanSite): string | undefined {
  return step.channel ?? site.slack;
}

function notifyDetails(step: StepOf<"notify">, site: PlanSite): string[] {
  const channel = notifyChannel(step, site);
  return [
    channel
      ? `Post in ${channel} this message, as it is:`
      : `Tell the people concerned (the plan and the site ${site.name} name no channel) this message:`,
    step.message,
  ];
}

/**
 * A notification the operator posts (Slack by default): the channel and the exact message are shown, and
 * the operator says when it is sent. The runtime posts nothing itself.
 */
export const notifyExecutor: Executor<"notify"> = {
  kind: "notify",
  describe(step, site) {
    const channel = notifyChannel(step, site) ?? "(no channel)";
    return [`notify ${channel}: ${step.message}`];
  },
  run(step, ctx) {
    return askOperator(step, ctx, notifyDetails(step, ctx.site));
  },
};
