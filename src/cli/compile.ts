import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { writePlanJson } from "../ir/plan.js";
import { PlanSchema } from "../ir/schema.js";
import { compileEntry } from "./compile-entry.js";
import { lookupIn } from "./files.js";
import { EXIT } from "./main.js";
import { printDiagnostics } from "./output.js";

export interface CompileCommandOptions {
  output?: string;
  param?: string[];
  site?: string;
  root: string;
  format: "text" | "json" | "sarif";
}

/**
 * `plan compile <entry.dpl> [-o file]`: writes the plan of an entry for one site as canonical JSON,
 * to `out/<entry>.plan.json` by default (`-o -` for standard output).
 */
export async function compileCommand(entry: string, opts: CompileCommandOptions): Promise<number> {
  if (!entry.endsWith(".dpl")) {
    process.stderr.write(`plan compile: ${entry} is not a .dpl file\n`);
    return EXIT.usage;
  }
  const { plans, diagnostics, sources } = await compileEntry(entry, {
    ...opts,
    ...(opts.param ? { param: opts.param } : {}),
  });
  printDiagnostics(diagnostics, lookupIn(sources), opts.format);
  if (hasErrors(diagnostics)) return EXIT.problems;
  if (plans.length === 0) {
    process.stderr.write(`plan compile: ${entry} has no \`plan … for <site>\` entry\n`);
    return EXIT.usage;
  }
  if (plans.length > 1) {
    process.stderr.write(
      `plan compile: ${entry} has plans for ${plans.map((p) => p.site).join(", ")}; choose one with --site\n`,
    );
    return EXIT.usage;
  }
  const plan = plans[0]!.plan!;
  // The IR is checked against its own schema before anything is written: a failure here is a compiler bug.
  PlanSchema.parse(plan);
  const text = writePlanJson(plan);
  const out =
    opts.output ??
    `out/${basename(entry, ".dpl")}${plans[0]!.site === basename(entry, ".dpl") ? "" : `-${plans[0]!.site}`}.plan.json`;
  if (out === "-") {
    process.stdout.write(text);
    return EXIT.ok;
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  process.stderr.write(
    `wrote ${out}: ${plan.id}, ${plan.steps.length} steps in ${plan.phases.length} phases, ${plan.rules.length} rules proven, ${plan.hash.slice(0, 19)}…\n`,
  );
  return EXIT.ok;
}
