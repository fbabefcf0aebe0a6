import type { Plan } from "../ir/schema.js";
import { GRAPH_LEGEND, type GraphModel, graphModel } from "./graph-model.js";

/**
 * The plan as a Graphviz DOT digraph: phases as clusters, manual steps as trapezia, phase sign-offs as
 * hexagons, critical steps with a double, thicker border, rule edges bold and labelled with the rule, undo
 * edges dashed; the legend is the graph's label. Pure and deterministic; the text ends with a newline.
 */
export function emitDot(plan: Plan): string {
  return dotOf(graphModel(plan));
}

// Graphviz sizes boxes with its own metrics of Helvetica; viewers that draw with a wider face get the
// margin below to spare.
const FONT = "Helvetica,Arial,sans-serif";

/** The DOT text of a graph model (see `emitDot`). */
export function dotOf(model: GraphModel): string {
  const out: string[] = [
    "digraph plan {",
    `  graph [rankdir=TB, newrank=true, fontname=${dotString(FONT)}, fontsize=12, labelloc=t, label=${dotString(`${model.title}\n${GRAPH_LEGEND}`)}];`,
    `  node [shape=box, style=rounded, fontname=${dotString(FONT)}, fontsize=10, margin="0.3,0.08"];`,
    `  edge [fontname=${dotString(FONT)}, fontsize=9];`,
  ];
  for (const c of model.clusters) {
    out.push(`  subgraph cluster_${c.key} {`);
    out.push(`    label=${dotString(c.label)};`);
    out.push("    style=rounded;");
    for (const n of c.nodes) {
      const attrs = [`label=${dotString(`${n.stepId}\n${n.title}`)}`];
      if (n.shape === "manual") attrs.push("shape=trapezium", 'style=""');
      if (n.shape === "checkpoint") attrs.push("shape=hexagon", 'style=""');
      if (n.critical) attrs.push("peripheries=2", "penwidth=2");
      out.push(`    ${n.key} [${attrs.join(", ")}];`);
    }
    out.push("  }");
  }
  for (const e of model.edges) {
    const attrs: string[] = [];
    if (e.kind === "rule") attrs.push("style=bold", "penwidth=2.5");
    if (e.kind === "undo") attrs.push("style=dashed");
    if (e.label !== undefined) attrs.push(`label=${dotString(e.label)}`);
    // Phases stand side by side, each a column read top to bottom, rather than one very tall column.
    if (e.crossPhase) attrs.push("constraint=false");
    out.push(`  ${e.from} -> ${e.to}${attrs.length > 0 ? ` [${attrs.join(", ")}]` : ""};`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

/**
 * A DOT double-quoted string: backslashes and quotes escaped (so Graphviz's `\N`, `\G`, `\l` escapes
 * cannot be triggered by plan text), `&` as `&amp;` (Graphviz reads entities such as `&amp;` in labels),
 * newlines as `\n` (a centred line break in a label).
 */
export function dotString(text: string): string {
  return `"${text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/&/g, "&amp;")
    .replace(/\r?\n/g, "\\n")}"`;
}
