import { collectDplFiles, diskReader } from "../../src/cli/files.js";
import { version } from "../../src/cli/main.js";
import { compileFile } from "../../src/compiler/compile.js";
import { load } from "../../src/compiler/load.js";
import { entryName } from "../../src/compiler/trace-compile.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import type { Plan } from "../../src/ir/schema.js";

/** One entry of plans/ compiled for one of its sites, as `plan compile` would from the repository root. */
export interface EntryPlan {
  /** `summit`, `tts-os-upgrade`: the entry file's name. */
  readonly entry: string;
  readonly file: string;
  readonly site: string;
  /** How many sites the entry names (the golden file name gets `.<site>` when several). */
  readonly sites: number;
  readonly plan: Plan;
}

let cached: { plans: EntryPlan[]; diagnostics: Diagnostic[] } | undefined;

/** Every entry of plans/ for every site it names, with their default parameters (compiled once per test file). */
export function entryPlans(): { plans: EntryPlan[]; diagnostics: Diagnostic[] } {
  if (cached) return cached;
  const { files } = collectDplFiles(["plans"]);
  const program = load(files, diskReader, ".");
  const diagnostics: Diagnostic[] = [...program.diagnostics];
  const plans: EntryPlan[] = [];
  for (const file of files) {
    const result = compileFile(program, file, { version: version() });
    diagnostics.push(...result.diagnostics);
    const compiled = result.plans.filter((p) => p.plan);
    for (const p of compiled)
      plans.push({ entry: entryName(file), file, site: p.site, sites: result.plans.length, plan: p.plan! });
  }
  cached = { plans, diagnostics };
  return cached;
}

/** Whether a plan implements document 000 (the OpenSplice era) rather than 001. */
export function isOspl(plan: Plan): boolean {
  return (plan.procedure.source.cite ?? []).some((c) => c.startsWith("000"));
}

/** Reachability in a plan's DAG: `reaches(a, b)` when b can only start after a is done. */
export function reachability(plan: Plan): (from: string, to: string) => boolean {
  const succ = new Map<string, string[]>();
  for (const e of plan.edges) succ.set(e.from, [...(succ.get(e.from) ?? []), e.to]);
  const memo = new Map<string, Set<string>>();
  const from = (id: string): Set<string> => {
    const known = memo.get(id);
    if (known) return known;
    const seen = new Set<string>();
    const stack = [...(succ.get(id) ?? [])];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...(succ.get(n) ?? []));
    }
    memo.set(id, seen);
    return seen;
  };
  return (a, b) => from(a).has(b);
}
