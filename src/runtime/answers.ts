import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { type Operator, type OperatorAnswer, type OperatorQuestion, StepFailure } from "./executor.js";
import { NeedsOperator, questionKind } from "./operator.js";

/**
 * The answers file (`plan run --answers <file>`): the operator's answers written down in advance, in YAML,
 * keyed by step id, one section per kind of question, each with an optional `default`:
 *
 * ```yaml
 * by: Jane Doe              # who answers (journaled with each answer); default: $PLAN_OPERATOR or the OS user
 * steps:                    # manual steps: done, abort, or {skip: reason}
 *   default: done
 *   "2.3": done
 *   "4.1": { skip: "the camera is already off" }
 *   "5.2": abort
 * questions:                # yes/no questions: `confirm` before a step, --step, a wait that timed out
 *   default: yes            #   yes, no, abort, or {skip: reason} (--step offers skip)
 *   "3.1": no
 * resume:                   # on --resume, a step that was started but whose end is not in the journal:
 *   "3.4": yes              #   yes: it took effect (mark it done); no: run it again; abort: stop
 * ```
 *
 * A question the file does not answer (no entry and no default) goes to the fallback operator: the
 * terminal when there is one, else the run stops at that step and says so.
 */
const Skip = z.object({ skip: z.string().min(1, "give the reason for skipping") }).strict();
const Abort = z.union([z.literal("abort"), z.object({ abort: z.string() }).strict()]);
const StepAnswer = z.union([z.literal("done"), Abort, Skip]);
const Yes = z.enum(["yes", "true"]);
const No = z.enum(["no", "false"]);
const YesNo = z.union([Yes, No, Abort, Skip]);
const ResumeAnswer = z.union([Yes, No, Abort]);

export const AnswersFileSchema = z
  .object({
    by: z.string().min(1).optional(),
    steps: z.record(z.string(), StepAnswer).optional(),
    questions: z.record(z.string(), YesNo).optional(),
    resume: z.record(z.string(), ResumeAnswer).optional(),
  })
  .strict();

export type AnswersFile = z.infer<typeof AnswersFileSchema>;
type Entry = z.infer<typeof YesNo> | z.infer<typeof StepAnswer>;

export type AnswersParseResult = { ok: true; answers: AnswersFile } | { ok: false; problem: string };

/** Reads an answers file's text. Not YAML, or not the shape above, is refused with the place and the reason. */
export function parseAnswers(text: string): AnswersParseResult {
  let data: unknown;
  try {
    // NOTE: the failsafe schema reads every scalar as a string, so that a step id such as 1.10 stays
    // `1.10` (the core schema would read the number 1.1) and `yes` is never a boolean in disguise.
    data = parseYaml(text, { schema: "failsafe" }) ?? {};
  } catch (e) {
    return { ok: false, problem: `the answers file is not YAML: ${(e as Error).message.split("\n")[0]}` };
  }
  const result = AnswersFileSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join(".") : "its top";
    return { ok: false, problem: `the answers file is malformed at ${where}: ${issue.message}` };
  }
  return { ok: true, answers: result.data };
}

/** The operator that answers from a file, and hands the questions it has no answer for to `fallback`. */
export class AnswersOperator implements Operator {
  constructor(
    private readonly answers: AnswersFile,
    private readonly by: string,
    private readonly fallback: Operator = {
      ask: async (q) => {
        throw new NeedsOperator(q.stepId, "the answers file has no answer for it");
      },
    },
  ) {}

  async ask(question: OperatorQuestion, signal: AbortSignal): Promise<OperatorAnswer> {
    const kind = questionKind(question);
    const section =
      kind === "manual"
        ? this.answers.steps
        : kind === "resume"
          ? this.answers.resume
          : this.answers.questions;
    const entry: Entry | undefined = section?.[question.stepId] ?? section?.default;
    if (entry === undefined) return this.fallback.ask(question, signal);
    const answer = this.toAnswer(entry);
    if (!question.choices.includes(answer.answer)) {
      throw new StepFailure(
        `the answers file answers "${answer.answer}" to step ${question.stepId}, which asks for ${question.choices.join(", ")}`,
        `fix the entry of step ${question.stepId} in the answers file`,
      );
    }
    return answer;
  }

  private toAnswer(entry: Entry): OperatorAnswer {
    const by = this.answers.by ?? this.by;
    if (entry === "yes" || entry === "true") return { answer: "yes", by };
    if (entry === "no" || entry === "false") return { answer: "no", by };
    if (entry === "done") return { answer: "done", by };
    if (entry === "abort") return { answer: "abort", by };
    if ("skip" in entry) return { answer: "skip", reason: entry.skip, by };
    return { answer: "abort", reason: entry.abort, by };
  }
}
