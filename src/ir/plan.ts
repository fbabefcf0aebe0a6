import { canonicalJson } from "./canonical.js";
import { planHash } from "./hash.js";
import { FORMAT_VERSION, type Plan, PlanSchema } from "./schema.js";

export { planHash, sealPlan } from "./hash.js";

/** The plan file's text: canonical JSON, indented for review, with a final newline. */
export function writePlanJson(plan: Plan): string {
  return `${canonicalJson(plan, 2)}\n`;
}

export type PlanReadResult = { ok: true; plan: Plan } | { ok: false; problem: string; help: string };

/**
 * Reads a plan file and checks it before anything uses it: JSON, its format and version, its shape
 * against the schema, and its hash against its content. A plan that fails any of these is refused with
 * a message that says which and what to do.
 */
export function readPlanJson(text: string): PlanReadResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      problem: `the plan is not JSON (${(e as Error).message})`,
      help: "compile it again with `plan compile`",
    };
  }
  if (data === null || typeof data !== "object" || (data as { format?: unknown }).format !== "plan") {
    return {
      ok: false,
      problem: "this is not a plan file",
      help: "give a file written by `plan compile`, or a .dpl entry",
    };
  }
  const version = (data as { formatVersion?: unknown }).formatVersion;
  if (version !== FORMAT_VERSION) {
    return {
      ok: false,
      problem: `the plan has format version ${JSON.stringify(version)}, and this plan reads version ${FORMAT_VERSION}`,
      help: "compile the plan with this version of plan",
    };
  }
  const parsed = PlanSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return {
      ok: false,
      problem: `the plan is malformed at ${issue.path.join(".") || "its top"}: ${issue.message}`,
      help: "compile it again with `plan compile`; do not edit plan files by hand",
    };
  }
  // The hash is taken over the file as written, so that a key added by hand is caught too.
  const expected = planHash(data as Plan);
  if (expected !== parsed.data.hash) {
    return {
      ok: false,
      problem: `the plan's content does not match its hash (it says ${parsed.data.hash.slice(0, 19)}…, its content is ${expected.slice(0, 19)}…)`,
      help: "the file was changed after it was compiled; compile it again with `plan compile`",
    };
  }
  return { ok: true, plan: parsed.data };
}
