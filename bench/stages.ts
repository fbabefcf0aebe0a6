import { parse as parseYaml } from "yaml";
import { diskTemplates } from "../src/cli/templates.js";
import { type CompiledPlan, compileFile } from "../src/compiler/compile.js";
import { load } from "../src/compiler/load.js";
import { MemoryReader } from "../src/compiler/reader.js";
import type { Diagnostic } from "../src/diagnostics/diagnostic.js";
import { emitDot } from "../src/emit/dot.js";
import { htmlTemplate, renderHtml } from "../src/emit/html.js";
import { markdownTemplate, renderMarkdown } from "../src/emit/markdown.js";
import { emitMermaid } from "../src/emit/mermaid.js";
import { renderSvg } from "../src/emit/svg.js";
import type { ChecklistTemplate } from "../src/emit/templates.js";
import { writePlanJson } from "../src/ir/plan.js";
import { type Plan, PlanSchema } from "../src/ir/schema.js";
import { parse } from "../src/language/parse.js";
import { YamlFile } from "./yaml-schema.js";

/**
 * Each stage the benchmarks time, as `plan` does it, in memory: the same calls as the CLI minus the file
 * system and the printing. Every stage returns what it produced, so that the smoke test can check it and
 * so that no work can be optimised away.
 */

/** A repository as the stages read it. */
export interface Input {
  readonly dpl: Record<string, string>;
  readonly entry: string;
  readonly yaml: Record<string, string>;
}

/** Lexing and parsing of every `.dpl` file: the front end alone. */
export function lexParse(input: Input): { declarations: number; diagnostics: Diagnostic[] } {
  let declarations = 0;
  const diagnostics: Diagnostic[] = [];
  for (const [path, text] of Object.entries(input.dpl)) {
    const result = parse(path, text);
    declarations += result.file.declarations.length;
    diagnostics.push(...result.diagnostics);
  }
  return { declarations, diagnostics };
}

/**
 * `plan check <entry>`: load with imports, compile the entry for every site it names, prove the rules,
 * without sealing the plans, as the CLI does (it writes none). The CLI then prints the diagnostics; there
 * are none here.
 */
export function check(input: Input): { plans: CompiledPlan[]; diagnostics: Diagnostic[] } {
  const program = load([input.entry], new MemoryReader(input.dpl));
  const result = compileFile(program, input.entry, { version: "bench", seal: false });
  return { plans: result.plans, diagnostics: [...program.diagnostics, ...result.diagnostics] };
}

/**
 * `plan compile <entry> --site s0`: as check, for one site, then the IR checked against its schema and
 * written as canonical JSON (the hash is computed when the plan is sealed, inside the compile).
 */
export function compileJson(
  input: Input,
  site = "s0",
): { plan?: Plan; json: string; diagnostics: Diagnostic[] } {
  const program = load([input.entry], new MemoryReader(input.dpl));
  const result = compileFile(program, input.entry, { version: "bench", site });
  const diagnostics = [...program.diagnostics, ...result.diagnostics];
  const plan = result.plans[0]?.plan;
  if (!plan) return { json: "", diagnostics };
  PlanSchema.parse(plan);
  return { plan, json: writePlanJson(plan), diagnostics };
}

/** The templates, compiled once per process as a long-lived caller would (the CLI compiles them per run). */
export interface Templates {
  readonly markdown: ChecklistTemplate;
  readonly html: ChecklistTemplate;
}

export function templates(): Templates {
  return { markdown: markdownTemplate(diskTemplates), html: htmlTemplate(diskTemplates) };
}

export function markdown(plan: Plan, t: Templates): string {
  return renderMarkdown(plan, t.markdown);
}

/** The HTML checklist without its SVG picture (the picture is timed on its own). */
export function html(plan: Plan, t: Templates): string {
  return renderHtml(plan, t.html, { svg: null });
}

export function mermaid(plan: Plan): string {
  return emitMermaid(plan);
}

export function dot(plan: Plan): string {
  return emitDot(plan);
}

/** The SVG picture: DOT laid out by Graphviz (WebAssembly). */
export function svg(plan: Plan): Promise<string> {
  return renderSvg(emitDot(plan));
}

/**
 * The baseline a team would build instead: every YAML file parsed with the `yaml` package and validated
 * with the zod schema of its shape. Throws if a file does not validate (the generator writes valid ones).
 */
export function yamlZod(input: Input): { files: number; steps: number } {
  let steps = 0;
  for (const [path, text] of Object.entries(input.yaml)) {
    const result = YamlFile.safeParse(parseYaml(text));
    if (!result.success) throw new Error(`${path}: ${result.error.issues[0]?.message}`);
    for (const phase of result.data.procedure?.phases ?? []) steps += phase.items.length;
  }
  return { files: Object.keys(input.yaml).length, steps };
}

/** The floor for reading the same information: `JSON.parse` of the emitted plan. */
export function jsonParse(json: string): { steps: number } {
  return { steps: (JSON.parse(json) as Plan).steps.length };
}
