import type { Plan, Step } from "../ir/schema.js";
import { outcomeParameter } from "./argo-names.js";
import { argoStepMode, type LocalCommands } from "./argo-steps.js";
import type { DagTask, Template } from "./argo-types.js";

/**
 * The exit handler: when the workflow fails (or is stopped with `argo stop`) after a temporary change
 * took effect and before its undo ran, it runs the undo. Every change and undo step exports how it went as
 * a global output parameter (`plan-outcome-<step>`): a pod's `outcome` (`started`, `done`, `failed`,
 * `skipped`; `not-started` when the pod never got to it) or a suspend node's `choice` (`done`, `skip`).
 * The handler's DAG has one task per pair, whose `when` reads those outputs:
 * - the workflow did not succeed;
 * - the change took effect: done, or started and then failed or was cut off (it may have changed the
 *   site in part, and an undo restores the state from before, from any part of the way);
 * - the undo is neither done nor deliberately skipped.
 * A parameter that was never set stays as its literal `{{...}}` text, which equals none of the values, so
 * a change that never ran is never undone. Undos keep the order the plan gives them among themselves.
 */

/** The name of the exit handler's template. */
export const EXIT_TEMPLATE = "undo-on-failure";

/** The prefix of the exit handler's task names (`undo-step-3-5`). */
export const UNDO_PREFIX = "undo-";

/** A temporary change and the step that undoes it. */
export interface Pair {
  readonly change: Step;
  readonly undo: Step;
}

/** The plan's temporary changes with their undo steps, in the order of the undo steps in the plan. */
export function pairs(plan: Plan): Pair[] {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const out: Pair[] = [];
  for (const id of plan.order) {
    const undo = byId.get(id);
    if (undo?.undoes === undefined) continue;
    const change = byId.get(undo.undoes);
    if (change?.temporary?.undoneBy === undo.id) out.push({ change, undo });
  }
  return out;
}

function ref(name: string): string {
  return `'{{workflow.outputs.parameters.${name}}}'`;
}

function anyOf(param: string, values: readonly string[]): string {
  const terms = values.map((v) => `${ref(param)} == '${v}'`);
  return terms.length === 1 ? terms[0]! : `(${terms.join(" || ")})`;
}

function noneOf(param: string, values: readonly string[]): string {
  return values.map((v) => `${ref(param)} != '${v}'`).join(" && ");
}

/** The `when` of the undo of one pair, as described above. */
export function undoCondition(pair: Pair, names: ReadonlyMap<string, string>, local: LocalCommands): string {
  const changed = outcomeParameter(names.get(pair.change.id)!);
  const undone = outcomeParameter(names.get(pair.undo.id)!);
  const manual = (s: Step) => argoStepMode(s, local) === "suspend";
  return [
    "'{{workflow.status}}' != 'Succeeded'",
    manual(pair.change) ? anyOf(changed, ["done"]) : anyOf(changed, ["started", "done", "failed"]),
    manual(pair.undo) ? noneOf(undone, ["done", "skip"]) : noneOf(undone, ["done", "skipped"]),
  ].join(" && ");
}

/**
 * The exit handler's DAG template, or undefined when the plan has no temporary change. An undo waits for
 * the undos it comes after in the plan (directly, or through other steps); a skipped undo lets the next
 * one go, a failed one stops the rest, as a failed step stops a run.
 */
export function exitTemplate(
  plan: Plan,
  names: ReadonlyMap<string, string>,
  local: LocalCommands,
): Template | undefined {
  const all = pairs(plan);
  if (all.length === 0) return undefined;
  const undoIds = all.map((p) => p.undo.id);
  const before = undoPredecessors(plan, undoIds);
  const tasks: DagTask[] = all.map((pair) => {
    const task: DagTask = {
      name: `${UNDO_PREFIX}${names.get(pair.undo.id)!}`,
      template: names.get(pair.undo.id)!,
      when: undoCondition(pair, names, local),
    };
    const deps = before.get(pair.undo.id) ?? [];
    if (deps.length > 0) task.dependencies = deps.map((d) => `${UNDO_PREFIX}${names.get(d)!}`);
    return task;
  });
  return { name: EXIT_TEMPLATE, dag: { tasks } };
}

/**
 * For each of the given steps, those of them it comes after in the plan's DAG, keeping only the nearest
 * (an undo that comes after another through a third one waits for the third only). In `plan.order`.
 */
export function undoPredecessors(plan: Plan, ids: readonly string[]): Map<string, string[]> {
  const successors = new Map<string, string[]>();
  for (const s of plan.steps)
    for (const a of s.after) successors.set(a, [...(successors.get(a) ?? []), s.id]);
  const reach = new Map<string, Set<string>>();
  for (const id of ids) {
    const seen = new Set<string>();
    const stack = [...(successors.get(id) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(successors.get(next) ?? []));
    }
    reach.set(id, seen);
  }
  const rank = new Map(plan.order.map((id, i) => [id, i]));
  const byOrder = (a: string, b: string) => rank.get(a)! - rank.get(b)!;
  const out = new Map<string, string[]>();
  for (const id of ids) {
    const earlier = ids.filter((o) => o !== id && reach.get(o)!.has(id));
    const nearest = earlier.filter((o) => !earlier.some((m) => m !== o && reach.get(o)!.has(m)));
    out.set(id, nearest.sort(byOrder));
  }
  return out;
}
