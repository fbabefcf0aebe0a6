import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { ancestors, type Dag, descendants, orderWithFirst } from "../graph.js";
import type { RuleEvent, StepEvents } from "./events.js";
import type { Generator, ProofContext } from "./rule.js";

/** At most this many violations of one rule are reported; the rest are counted. */
export const MAX_VIOLATIONS = 3;

/**
 * Reachability, computed once per node a proof asks about: the descendants of `from`, or the ancestors of
 * `to`, whichever side the proof holds fixed while the other runs over many events.
 */
export class Reach {
  private readonly down = new Map<number, Uint8Array>();
  private readonly up = new Map<number, Uint8Array>();

  constructor(private readonly dag: Dag) {}

  /** Whether every order the runtime could choose runs `from` before `to` (a path exists). */
  before(from: number, to: number, cacheBy: "from" | "to" = "from"): boolean {
    if (cacheBy === "to") {
      let u = this.up.get(to);
      if (!u) {
        u = ancestors(this.dag, to);
        this.up.set(to, u);
      }
      return u[from] === 1;
    }
    let d = this.down.get(from);
    if (!d) {
      d = descendants(this.dag, from);
      this.down.set(from, d);
    }
    return d[to] === 1;
  }
}

/** One event of one step. */
export interface At {
  readonly step: StepEvents;
  readonly event: RuleEvent;
}

/**
 * Checks that `a` happens before `b` in every run, and describes the counterexample when not: the order
 * inside a step for events of one step, a path in the DAG for events of two steps. `cacheBy` names the side
 * that stays the same over many calls: a proof that holds one subject against every other event of its
 * domain walks the graph once, not once per event (which was quadratic in the size of the plan).
 */
export function precedes(reach: Reach, a: At, b: At, cacheBy: "from" | "to" = "from"): boolean {
  if (a.step.node === b.step.node) return a.event.rank < b.event.rank;
  return reach.before(a.step.node, b.step.node, cacheBy);
}

export function counterexample(ctx: ProofContext, a: At, b: At): string {
  const what = (x: At) => `${x.step.id} (${x.event.subject})`;
  if (a.step.node === b.step.node) {
    const script = a.step.script ? `${a.step.script} ` : "";
    return a.event.rank === b.event.rank
      ? `in step ${a.step.id}, ${script}handles ${a.event.subject} and ${b.event.subject} in no defined order, so ${b.event.subject} may come first`
      : `in step ${a.step.id}, ${script}handles ${b.event.subject} before ${a.event.subject}`;
  }
  const order = orderWithFirst(ctx.dag, b.step.node);
  const at = (node: number) => order.indexOf(node);
  const ia = at(a.step.node);
  const ib = at(b.step.node);
  const ids = ctx.steps;
  const show = (node: number) => ids[node]?.id ?? String(node);
  const head = order.slice(0, ib).map(show);
  const shownHead = head.length > 3 ? [...head.slice(0, 2), "…", head[head.length - 1]!] : head;
  const parts = [...shownHead, what(b)];
  if (ia > ib + 1) parts.push("…");
  parts.push(what(a));
  return `a run may go ${parts.join(" → ")}`;
}

export function withMore(found: Diagnostic[], total: number): Diagnostic[] {
  if (total <= found.length || found.length === 0) return found;
  const last = found[found.length - 1]!;
  return [
    ...found.slice(0, -1),
    {
      ...last,
      notes: [...(last.notes ?? []), `and ${total - found.length} more violations of the same rule`],
    },
  ];
}

/**
 * Adds rule edges from `from` to each target that no order yet puts after it, skipping targets already
 * after it (nothing to add) and targets already before it (a contradiction the proof reports).
 */
export function edgesFrom(gen: Generator, from: number, targets: readonly number[], why: string): void {
  const down = descendants(gen.dag, from);
  const up = ancestors(gen.dag, from);
  for (const to of targets) {
    if (to === from || down[to] || up[to]) continue;
    gen.order(from, to, why);
    mark(gen.dag.succ, to, down);
  }
}

/** Adds rule edges from each source that no order yet puts before `to`. */
export function edgesInto(gen: Generator, sources: readonly number[], to: number, why: string): void {
  const up = ancestors(gen.dag, to);
  const down = descendants(gen.dag, to);
  for (const from of sources) {
    if (from === to || up[from] || down[from]) continue;
    gen.order(from, to, why);
    mark(gen.dag.pred, from, up);
  }
}

function mark(adjacency: number[][], start: number, seen: Uint8Array): void {
  if (seen[start]) return;
  seen[start] = 1;
  const stack = [start];
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (const w of adjacency[v]!) {
      if (!seen[w]) {
        seen[w] = 1;
        stack.push(w);
      }
    }
  }
}
