import type { Plan } from "../ir/schema.js";
import { type ExecutorTable, executorFor, NoExecutor } from "./registry.js";
import type { Selection } from "./selection.js";

export interface DryRunResult {
  /** The text to print: each selected step with exactly what it would do. */
  readonly lines: readonly string[];
  /** The kinds that have no executor (the run would refuse to start). */
  readonly missing: readonly string[];
}

/**
 * What a run would do, step by step, from each executor's `describe()`: the commands, API calls and
 * configurations, in the plan's order, with the questions the run would ask and what each step waits for.
 * Touches nothing: no lock, no journal, no connection. A step whose kind has no executor is shown as such,
 * and listed in `missing`. Pure.
 */
export function dryRun(
  plan: Plan,
  selection: Selection,
  registry: ExecutorTable,
  options: { stepMode?: boolean } = {},
): DryRunResult {
  const steps = new Map(plan.steps.map((s) => [s.id, s]));
  const lines: string[] = [
    `Dry run of ${plan.id} (${plan.hash.slice(0, 19)}…) on site ${plan.site.name}: nothing is done.`,
  ];
  for (const dep of selection.skipped) {
    lines.push(`note: ${dep.step} comes after ${dep.dependency}, which this run leaves out`);
  }
  const missing = new Set<string>();
  for (const id of selection.order) {
    const step = steps.get(id)!;
    const marks = [step.manual ? "manual" : "", step.critical ? "critical" : ""].filter(Boolean);
    lines.push("");
    lines.push(`${step.id}  ${step.title}${marks.length ? ` [${marks.join(", ")}]` : ""}`);
    const waits = selection.after.get(id) ?? [];
    if (waits.length > 0) lines.push(`    after ${waits.join(", ")}`);
    if (options.stepMode) lines.push("    asks: go on? (yes / skip / abort)");
    if (step.confirm) lines.push(`    asks: ${step.confirm} (yes / skip / abort)`);
    if (step.retries) lines.push(`    tries again up to ${step.retries} times after a transient failure`);
    try {
      for (const line of executorFor(registry, step).describe(step, plan.site)) {
        for (const part of line.split("\n")) lines.push(`    ${part}`);
      }
    } catch (e) {
      if (e instanceof NoExecutor) {
        missing.add(step.kind);
        lines.push(`    ${e.message}: this run would refuse to start`);
      } else {
        lines.push(`    cannot say what it would do: ${(e as Error).message}`);
      }
    }
  }
  lines.push("");
  lines.push(`${selection.order.length} step${selection.order.length === 1 ? "" : "s"}.`);
  return { lines, missing: [...missing].sort() };
}
