import { readFileSync } from "node:fs";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/span.js";
import { readPlanJson } from "../ir/plan.js";
import type { Plan } from "../ir/schema.js";

export interface PlanInputOptions {
  /** The site to compile for, when the entry names several. */
  site?: string;
  /** `--param name=value`, repeatable. */
  param?: string[];
  /** Imports may not leave this folder. */
  root?: string;
}

export type PlanInput =
  | { ok: true; plan: Plan }
  | {
      ok: false;
      diagnostics: readonly Diagnostic[];
      sources: ReadonlyMap<string, SourceText>;
      message?: string;
    };

/**
 * The plan that a verb works on, from what the user typed: a `.dpl` entry (compiled here, for one site)
 * or a plan file written by `plan compile` (read and checked: format, version, schema, hash).
 * Used by render, graph, run, export, estimate, explain and step.
 */
export async function planFromInput(input: string, options: PlanInputOptions = {}): Promise<PlanInput> {
  if (input.endsWith(".dpl")) {
    const { compileEntryFromDisk } = await import("./compile-entry.js");
    return compileEntryFromDisk(input, options);
  }
  let text: string;
  try {
    text = readFileSync(input, "utf8");
  } catch {
    return { ok: false, diagnostics: [], sources: new Map(), message: `cannot read ${input}` };
  }
  const read = readPlanJson(text);
  if (!read.ok)
    return {
      ok: false,
      diagnostics: [],
      sources: new Map(),
      message: `${input}: ${read.problem}\n  help: ${read.help}`,
    };
  return { ok: true, plan: read.plan };
}
