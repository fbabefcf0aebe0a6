import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { compileFile } from "./compile.js";
import type { Program } from "./loader.js";
import { collectSymbols } from "./symbols.js";
import { type DocumentOutline, outlineOf, type TracedPlan } from "./trace.js";

/** What `plan trace` traces: the documents of some files, and their entries compiled for every site and variant. */
export interface TraceInput {
  readonly documents: DocumentOutline[];
  readonly plans: TracedPlan[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Compiles every entry of `files` for every site it names, as written and once more for each of its procedure's
 * `bool` parameters flipped (`breaks_schema=true`): a step under `when breaks_schema` implements its sentence even
 * when tonight's plan leaves it out, and a variant that does not compile is a mistake worth reporting. Documents are
 * taken from every loaded file, imported or not, in the order first seen. Problems are returned, never thrown.
 */
export function compileForTrace(program: Program, files: readonly string[], version: string): TraceInput {
  const diagnostics: Diagnostic[] = [...program.diagnostics];
  const plans: TracedPlan[] = [];
  const loaded = [...program.files.keys()].sort();
  const { symbols } = collectSymbols(program, loaded);
  const documents = [...symbols.documents.values()].map(outlineOf);
  for (const file of files) {
    if (!program.files.has(file)) continue;
    const entry = entryName(file);
    const result = compileFile(program, file, { version });
    diagnostics.push(...result.diagnostics);
    for (const compiled of result.plans) {
      const plan = compiled.plan;
      if (!plan) continue;
      plans.push({ entry, plan });
      for (const [name, p] of Object.entries(plan.params)) {
        if (p.type !== "bool") continue;
        const flipped = `${name}=${!p.value}`;
        const variant = compileFile(program, file, { version, site: plan.site.name, params: [flipped] });
        const same = variant.plans.find(
          (v) => v.procedure === plan.procedure.name && v.site === plan.site.name,
        );
        // Only this entry's result counts: another entry of the file may not have the parameter at all.
        if (!same?.plan) {
          diagnostics.push(...(hasErrors(variant.diagnostics) ? variant.diagnostics : []));
          continue;
        }
        plans.push({ entry, plan: same.plan, variant: flipped });
      }
    }
  }
  return { documents, plans, diagnostics };
}

/** `plans/tts-os-upgrade.dpl` is `tts-os-upgrade`. */
export function entryName(file: string): string {
  const base = file.split("/").pop() ?? file;
  return base.endsWith(".dpl") ? base.slice(0, -4) : base;
}
