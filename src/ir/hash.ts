import { sha256Of } from "./canonical.js";
import type { Plan } from "./schema.js";

/**
 * Hashing and sealing plans. NOTE: kept apart from plan.ts, which reads plans and so loads zod: the compiler
 * seals every plan it writes, and `plan check` starts faster without zod (bench/RESULTS.md).
 */

/** The hash of a plan: sha256 over its canonical JSON without the `hash` field. */
export function planHash(plan: Omit<Plan, "hash"> | Plan): string {
  const { hash: _ignored, ...rest } = plan as Plan;
  return sha256Of(rest);
}

/** Seals a plan: computes and sets its hash. */
export function sealPlan(plan: Omit<Plan, "hash">): Plan {
  return { ...plan, hash: planHash(plan) } as Plan;
}
