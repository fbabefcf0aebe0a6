import type { Edge, Plan } from "../ir/schema.js";
import { oneLine } from "./text.js";

/**
 * The picture of a plan, shared by the Mermaid and DOT emitters: phases as clusters, steps as nodes (with
 * their id and a short title), one edge per ordered pair of steps. Node and cluster keys are generated
 * (`s1`, `p1`), never taken from the plan, so no plan text ever lands in an identifier of either language.
 */
export interface GraphModel {
  title: string;
  clusters: { key: string; label: string; nodes: GraphNode[] }[];
  edges: GraphEdge[];
}

export interface GraphNode {
  key: string;
  stepId: string;
  title: string;
  shape: "step" | "manual" | "checkpoint";
  critical: boolean;
}

/** `rule`: drawn by an ordering rule; `undo`: a temporary change and its undo; `plain`: all others. */
export interface GraphEdge {
  from: string;
  to: string;
  kind: "rule" | "undo" | "plain";
  label?: string;
  /** Whether it joins steps of two phases (drawn without ranking them, so phases stand side by side). */
  crossPhase: boolean;
}

/** How the pictures tell the kinds apart, in words: the same for every format. */
export const GRAPH_LEGEND =
  "trapezium: manual step; double border: critical step; hexagon: phase complete; thick arrow: ordering rule; dashed arrow: undo of a temporary change";

const MAX_TITLE = 48;

/** A title cut at a word boundary to at most 48 characters, with an ellipsis when cut. */
export function shortTitle(title: string): string {
  const flat = oneLine(title);
  if (flat.length <= MAX_TITLE) return flat;
  const cut = flat.slice(0, MAX_TITLE - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > MAX_TITLE / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * The graph of a plan. Steps of no phase go in no cluster (a well-formed plan has none). Edges are
 * deduplicated per pair: a rule edge wins over an undo edge, which wins over the others; the rule edge is
 * labelled with its rule's name (several rules: their names, sorted, joined by `, `).
 */
export function graphModel(plan: Plan): GraphModel {
  const keys = new Map(plan.steps.map((s, i) => [s.id, `s${i + 1}`]));
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const node = (id: string): GraphNode => {
    const s = byId.get(id);
    if (!s) throw new Error(`the plan's phase lists step ${id}, which it does not define`);
    return {
      key: keys.get(id)!,
      stepId: s.id,
      title: s.kind === "checkpoint" ? "PHASE COMPLETE" : shortTitle(s.title),
      shape: s.kind === "checkpoint" ? "checkpoint" : s.manual ? "manual" : "step",
      critical: s.critical,
    };
  };
  const clusters = plan.phases.map((p) => ({
    key: `p${p.number}`,
    label: `${p.number}. ${shortTitle(p.title)}`,
    nodes: p.steps.map(node),
  }));
  const pairs = new Map<string, Edge[]>();
  for (const e of plan.edges) {
    if (!keys.has(e.from) || !keys.has(e.to))
      throw new Error(`edge ${e.from} -> ${e.to} names an unknown step`);
    const k = `${keys.get(e.from)} ${keys.get(e.to)}`;
    pairs.set(k, [...(pairs.get(k) ?? []), e]);
  }
  const index = (key: string) => Number(key.slice(1));
  const phaseOf = new Map(clusters.flatMap((c) => c.nodes.map((n) => [n.key, c.key] as const)));
  const edges = [...pairs.entries()]
    .map(([k, list]): GraphEdge => {
      const [from, to] = k.split(" ") as [string, string];
      const crossPhase = phaseOf.get(from) !== phaseOf.get(to);
      const rules = [
        ...new Set(list.filter((e) => e.reason.kind === "rule").map((e) => e.reason.rule ?? "rule")),
      ].sort();
      if (rules.length > 0) return { from, to, kind: "rule", label: rules.join(", "), crossPhase };
      if (list.some((e) => e.reason.kind === "undo"))
        return { from, to, kind: "undo", label: "undo", crossPhase };
      return { from, to, kind: "plain", crossPhase };
    })
    .sort((a, b) => index(a.from) - index(b.from) || index(a.to) - index(b.to));
  return { title: `${oneLine(plan.procedure.title)}: ${oneLine(plan.site.title)}`, clusters, edges };
}
