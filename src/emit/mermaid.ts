import type { Plan } from "../ir/schema.js";
import { type GraphModel, graphModel } from "./graph-model.js";

/**
 * The plan as a Mermaid flowchart: phases as subgraphs, manual steps as trapezia, phase sign-offs as
 * hexagons, critical steps with a thick double-width border (class `critical`), rule edges as thick arrows
 * labelled with the rule, undo edges dotted. Pure and deterministic; the text ends with a newline.
 */
export function emitMermaid(plan: Plan): string {
  return mermaidOf(graphModel(plan));
}

/** The Mermaid text of a graph model (see `emitMermaid`). */
export function mermaidOf(model: GraphModel): string {
  const out: string[] = ["flowchart TB"];
  for (const c of model.clusters) {
    out.push(`  subgraph ${c.key} ["${mermaidText(c.label)}"]`);
    out.push("    direction TB");
    for (const n of c.nodes) {
      const label = `"${mermaidText(`${n.stepId} ${n.title}`)}"`;
      const shaped =
        n.shape === "manual" ? `[/${label}\\]` : n.shape === "checkpoint" ? `{{${label}}}` : `[${label}]`;
      out.push(`    ${n.key}${shaped}`);
    }
    out.push("  end");
  }
  for (const e of model.edges) {
    const label = e.label === undefined ? "" : `|"${mermaidText(e.label)}"|`;
    const arrow = e.kind === "rule" ? "==>" : e.kind === "undo" ? "-.->" : "-->";
    out.push(`  ${e.from} ${arrow}${label} ${e.to}`);
  }
  const critical = model.clusters.flatMap((c) => c.nodes.filter((n) => n.critical).map((n) => n.key));
  out.push("  classDef critical stroke-width:4px,stroke-dasharray:0");
  if (critical.length > 0) out.push(`  class ${critical.join(",")} critical`);
  return `${out.join("\n")}\n`;
}

/**
 * Text for a quoted Mermaid label: letters, digits, spaces and plain punctuation as they are; every other
 * character (quotes, `#`, `<`, `>`, `&`, backticks, braces, non-ASCII) as a `#<code>;` entity, which
 * Mermaid decodes for display. Nothing a plan says can close the quotes or become markup.
 */
export function mermaidText(text: string): string {
  let out = "";
  for (const ch of text) {
    out += /^[A-Za-z0-9 .,:_\-/()+=?!@']$/.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  }
  return out;
}
