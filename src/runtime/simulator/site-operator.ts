import type { Plan, Step } from "../../ir/schema.js";
import { type AnswersFile, AnswersOperator } from "../answers.js";
import type { Operator, OperatorAnswer, OperatorQuestion } from "../executor.js";
import { questionKind, ScriptedOperator } from "../operator.js";
import type { SimulatedSite } from "./simulated-site.js";

/**
 * The operator of a simulated run: a person who does what each step says on the simulated site.
 * - Questions are answered from the answers file (`--answers`) where it has an answer, else as the
 *   scripted operator answers: manual steps done, questions yes.
 * - "done" on a csc-transition step is the operator running the script from LOVE: the transition is
 *   applied to the site (its exact CSCs and order, its ignore list) before the answer is given.
 * - On `--resume`, asked whether a step that was in flight took effect, it looks at the site where it
 *   can: a csc-transition took effect when each of its CSCs is where the script sends it; a command on a
 *   host that stops or starts its service, when the service is so. Any other step is done again (no): the
 *   procedures' steps can be repeated, and doing one twice is safer than skipping it.
 */
export function simulatedOperator(
  site: SimulatedSite,
  plan: Plan,
  answers?: AnswersFile,
  by = "simulated operator",
): Operator {
  const steps = new Map(plan.steps.map((s) => [s.id, s]));
  const scripted = new ScriptedOperator(answers?.by ?? by);
  const looking: Operator = {
    async ask(question) {
      const step = steps.get(question.stepId);
      if (questionKind(question) === "resume" && step) {
        return {
          answer: tookEffect(site, step) ? "yes" : "no",
          by: `${answers?.by ?? by}, having looked at the site`,
        };
      }
      return scripted.ask(question);
    },
  };
  const answering = answers ? new AnswersOperator(answers, answers.by ?? by, looking) : looking;
  return {
    async ask(question: OperatorQuestion, signal: AbortSignal): Promise<OperatorAnswer> {
      const answer = await answering.ask(question, signal);
      const step = steps.get(question.stepId);
      if (
        answer.answer === "done" &&
        questionKind(question) === "manual" &&
        step?.kind === "csc-transition"
      ) {
        site.onNotice(`  ${step.id} ${await site.applyTransition(step, signal)}`);
      }
      return answer;
    },
  };
}

function tookEffect(site: SimulatedSite, step: Step): boolean {
  if (step.kind === "csc-transition") return site.transitionTookEffect(step);
  if (step.kind === "command" && step.host) {
    const active = site.parts.hostActive.get(step.host.name);
    const words = step.argv.map((w) => w.replace(/^.*\//, ""));
    if (words.some((w) => w === "stop" || w.startsWith("shutdown_"))) return active === false;
    if (words.some((w) => w === "start" || w === "restart" || w.startsWith("launch_")))
      return active === true;
  }
  return false;
}
