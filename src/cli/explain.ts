import { hasErrors } from "../diagnostics/diagnostic.js";
import { compileEntry } from "./compile-entry.js";
import { lookupIn } from "./files.js";
import { EXIT } from "./main.js";
import { printDiagnostics } from "./output.js";

export interface ExplainOptions {
  param?: string[];
  site?: string;
  root: string;
}

/**
 * `plan explain <entry.dpl> <step>`: why a step is where it is (each incoming edge with its reason and the
 * line that made it), what comes right after it, and everything that depends on it.
 */
export async function explainCommand(entry: string, stepRef: string, opts: ExplainOptions): Promise<number> {
  const { plans, diagnostics, sources } = await compileEntry(entry, opts);
  printDiagnostics(diagnostics, lookupIn(sources), "text");
  if (hasErrors(diagnostics)) return EXIT.problems;
  if (plans.length !== 1 || !plans[0]!.plan) {
    process.stderr.write(
      `plan explain: ${entry} has plans for ${plans.map((p) => p.site).join(", ")}; choose one with --site\n`,
    );
    return EXIT.usage;
  }
  const plan = plans[0]!.plan;
  const step = plan.steps.find((s) => s.id === stepRef || s.name === stepRef);
  if (!step) {
    process.stderr.write(
      `plan explain: ${plan.id} has no step ${stepRef} (its steps are ${plan.steps[0]?.id} to ${plan.steps[plan.steps.length - 1]?.id})\n`,
    );
    return EXIT.usage;
  }
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const out: string[] = [];
  const where = (src: { file: string; line: number }) => `${src.file}:${src.line}`;
  out.push(`${step.id}  ${step.title}`);
  out.push(
    `  phase ${plan.phases.find((p) => p.name === step.phase)?.number}: ${plan.phases.find((p) => p.name === step.phase)?.title}`,
  );
  out.push(
    `  kind ${step.kind}${step.manual ? ", done by a person" : ""}${step.critical ? ", critical" : ""}; written at ${where(step.source)}${step.source.cite ? ` (cites ${step.source.cite.join(", ")})` : ""}`,
  );
  const incoming = plan.edges.filter((e) => e.to === step.id);
  const outgoing = plan.edges.filter((e) => e.from === step.id);
  out.push("", incoming.length ? "It comes after:" : "Nothing has to come before it.");
  for (const e of incoming) {
    out.push(`  ${e.from.padEnd(8)} ${byId.get(e.from)?.title}`);
    out.push(
      `           because ${e.reason.detail}${e.reason.rule ? ` (rule \`${e.reason.rule}\`)` : ""}  [${where(e.reason.source)}]`,
    );
  }
  out.push("", outgoing.length ? "Right after it come:" : "Nothing waits for it.");
  for (const e of outgoing) {
    out.push(`  ${e.to.padEnd(8)} ${byId.get(e.to)?.title}`);
    out.push(
      `           because ${e.reason.detail}${e.reason.rule ? ` (rule \`${e.reason.rule}\`)` : ""}  [${where(e.reason.source)}]`,
    );
  }
  const succ = new Map<string, string[]>();
  for (const e of plan.edges) succ.set(e.from, [...(succ.get(e.from) ?? []), e.to]);
  const seen = new Set<string>();
  const stack = [...(succ.get(step.id) ?? [])];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(succ.get(id) ?? []));
  }
  const dependents = plan.order.filter((id) => seen.has(id));
  out.push(
    "",
    `${dependents.length} step${dependents.length === 1 ? " depends" : "s depend"} on it${dependents.length ? `: ${dependents.slice(0, 20).join(", ")}${dependents.length > 20 ? ", …" : ""}` : ""}.`,
  );
  const rules = plan.rules.filter((r) => incoming.concat(outgoing).some((e) => e.reason.rule === r.name));
  if (rules.length) out.push(`Rules that place it: ${rules.map((r) => `\`${r.name}\``).join(", ")}.`);
  process.stdout.write(`${out.join("\n")}\n`);
  return EXIT.ok;
}
