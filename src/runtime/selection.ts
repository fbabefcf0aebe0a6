import { closest } from "../diagnostics/suggest.js";
import type { Plan } from "../ir/schema.js";

/** What `--from` and `--only` asked for. */
export interface SelectionOptions {
  /** A step id, or a phase (name or number): run it and everything after it in the plan's order. */
  readonly from?: string;
  /** Step ids and phases (names or numbers): run only these. */
  readonly only?: readonly string[];
}

/** A dependency of a selected step that the selection leaves out. */
export interface SkippedDependency {
  readonly step: string;
  readonly dependency: string;
}

export interface Selection {
  /** The selected steps, in the plan's order. */
  readonly order: readonly string[];
  /**
   * For each selected step, the selected steps it must wait for: its predecessors in the DAG, looking
   * through the steps the selection leaves out, so that the order among selected steps is kept.
   */
  readonly after: ReadonlyMap<string, readonly string[]>;
  /** Direct dependencies left out by the selection, to tell the operator. */
  readonly skipped: readonly SkippedDependency[];
}

export type SelectionResult =
  | { ok: true; selection: Selection }
  | { ok: false; problem: string; help?: string };

/**
 * The steps a run covers. Without options, all of them. `--from x`: x and every step after it in the
 * plan's `order` (a phase means its first step). `--only a,b`: the steps named, and the steps of the
 * phases named. Both: the intersection. A name that is neither a step nor a phase is refused, with the
 * nearest name as a suggestion. Pure.
 */
export function selectSteps(plan: Plan, options: SelectionOptions = {}): SelectionResult {
  const position = new Map(plan.order.map((id, i) => [id, i]));
  let chosen = new Set(plan.order);
  if (options.from !== undefined) {
    const ids = resolveName(plan, options.from);
    if (!ids.ok) return ids;
    const start = Math.min(...ids.steps.map((id) => position.get(id) ?? Number.POSITIVE_INFINITY));
    chosen = new Set(plan.order.slice(start));
  }
  if (options.only !== undefined) {
    const wanted = new Set<string>();
    for (const name of options.only) {
      const ids = resolveName(plan, name);
      if (!ids.ok) return ids;
      for (const id of ids.steps) wanted.add(id);
    }
    chosen = new Set([...chosen].filter((id) => wanted.has(id)));
  }
  const order = plan.order.filter((id) => chosen.has(id));
  const direct = new Map(plan.steps.map((s) => [s.id, s.after]));
  const after = new Map<string, string[]>();
  const skipped: SkippedDependency[] = [];
  for (const id of order) {
    after.set(id, selectedAncestors(id, direct, chosen, position));
    for (const dep of direct.get(id) ?? []) {
      if (!chosen.has(dep)) skipped.push({ step: id, dependency: dep });
    }
  }
  return { ok: true, selection: { order, after, skipped } };
}

/** The nearest selected predecessors of a step, walking back through the steps left out. */
function selectedAncestors(
  id: string,
  direct: ReadonlyMap<string, readonly string[]>,
  chosen: ReadonlySet<string>,
  position: ReadonlyMap<string, number>,
): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  const stack = [...(direct.get(id) ?? [])];
  while (stack.length > 0) {
    const dep = stack.pop()!;
    if (seen.has(dep)) continue;
    seen.add(dep);
    if (chosen.has(dep)) found.add(dep);
    else stack.push(...(direct.get(dep) ?? []));
  }
  return [...found].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
}

function resolveName(
  plan: Plan,
  name: string,
): { ok: true; steps: string[] } | { ok: false; problem: string; help?: string } {
  const trimmed = name.trim();
  if (plan.steps.some((s) => s.id === trimmed)) return { ok: true, steps: [trimmed] };
  const phase =
    plan.phases.find((p) => p.name === trimmed) ?? plan.phases.find((p) => String(p.number) === trimmed);
  if (phase) {
    const inPhase = new Set(phase.steps);
    return { ok: true, steps: plan.order.filter((id) => inPhase.has(id)) };
  }
  const near = closest(trimmed, [...plan.steps.map((s) => s.id), ...plan.phases.map((p) => p.name)]);
  return {
    ok: false,
    problem: `\`${trimmed}\` is neither a step nor a phase of ${plan.id}`,
    help: near ? `did you mean \`${near}\`?` : "`plan render` lists the steps and phases",
  };
}
