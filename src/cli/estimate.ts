import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Plan } from "../ir/schema.js";
import { estimate, learnDurations } from "../runtime/estimate.js";
import { lookupIn } from "./files.js";
import { type PlanInputOptions, planFromInput } from "./inputs.js";
import { EXIT } from "./main.js";
import { printDiagnostics } from "./output.js";

export interface EstimateOptions extends PlanInputOptions {
  stateDir: string;
}

/** `plan estimate <entry | plan.json>`: how long the plan takes, its critical path, and when people are needed. */
export async function estimateCommand(input: string, opts: EstimateOptions): Promise<number> {
  const got = await planFromInput(input, opts);
  if (!got.ok) {
    printDiagnostics(got.diagnostics, lookupIn(got.sources), "text");
    if (got.message) process.stderr.write(`${got.message}\n`);
    return EXIT.problems;
  }
  const plan = got.plan;
  const learned = learnDurations(plan.id, readJournals(opts.stateDir));
  const e = estimate(plan, learned);
  process.stdout.write(report(plan, e));
  return EXIT.ok;
}

function readJournals(stateDir: string): string[] {
  const dir = join(stateDir, "runs");
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".jsonl"))
      .sort()
      .map((f) => readFileSync(join(dir, f), "utf8"));
  } catch {
    return [];
  }
}

/** `2h 05m`, `12m`, `45s`. */
export function hm(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return h ? `${h}h ${String(m).padStart(2, "0")}m` : `${m}m`;
}

function at(seconds: number): string {
  const m = Math.round(seconds / 60);
  return `T+${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}`;
}

function report(plan: Plan, e: ReturnType<typeof estimate>): string {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const timing = new Map(e.timings.map((t) => [t.id, t]));
  const lines: string[] = [];
  lines.push(`${plan.id}: ${plan.steps.length} steps in ${plan.phases.length} phases`);
  lines.push(`  every step one after the other  ${hm(e.totalSeconds)}`);
  lines.push(
    `  critical path                   ${hm(e.criticalSeconds)}  (${e.criticalPath.length} steps; the least the plan can take)`,
  );
  if (e.learned.size) lines.push(`  ${e.learned.size} step durations learned from past runs of ${plan.id}`);
  lines.push("", "Critical path:");
  for (const id of e.criticalPath) {
    const s = byId.get(id)!;
    const t = timing.get(id)!;
    const who = s.manual ? `  [${s.by ?? "operator"}]` : "";
    lines.push(
      `  ${at(t.earliestStart).padEnd(8)} ${id.padEnd(8)} ${hm(t.seconds).padStart(7)}  ${s.title}${who}`,
    );
  }
  const people = new Map<string, string[]>();
  for (const id of plan.order) {
    const s = byId.get(id)!;
    if (!s.manual) continue;
    const who = s.by ?? "operator";
    people.set(who, [...(people.get(who) ?? []), `${id} at ${at(timing.get(id)!.earliestStart)}`]);
  }
  lines.push("", "When people are needed (earliest):");
  for (const [who, when] of [...people.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(
      `  ${who}: ${when.length} step${when.length === 1 ? "" : "s"}, first ${when[0]}, last ${when[when.length - 1]}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
