import { type CompiledPlan, compileFile } from "../compiler/compile.js";
import { loadWith, normalizePath, type ParseFile } from "../compiler/loader.js";
import { type Diagnostic, diagnostic, hasErrors } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/span.js";
import { diskReader } from "./files.js";
import type { PlanInput, PlanInputOptions } from "./inputs.js";
import { version } from "./main.js";
import { withParser } from "./parse-cache.js";

export interface EntryCompile {
  readonly plans: CompiledPlan[];
  readonly diagnostics: Diagnostic[];
  readonly sources: ReadonlyMap<string, SourceText>;
}

/** Compiles one `.dpl` entry from disk for every site it names (or the one given). */
export async function compileEntry(input: string, options: PlanInputOptions): Promise<EntryCompile> {
  return withParser((parse) => compileEntryWith(parse, input, options));
}

/** `compileEntry` with the given parser (tests give the front end's own). */
export function compileEntryWith(
  parseFile: ParseFile,
  input: string,
  options: PlanInputOptions,
): EntryCompile {
  const path = normalizePath(input);
  const program = loadWith(parseFile, [path], diskReader, options.root ?? ".");
  const result = compileFile(program, path, {
    version: version(),
    ...(options.param ? { params: options.param } : {}),
    ...(options.site ? { site: options.site } : {}),
  });
  return {
    plans: result.plans,
    diagnostics: dedupe([...program.diagnostics, ...result.diagnostics]),
    sources: program.sources,
  };
}

/**
 * The same problem found for several sites or entries is reported once. The label counts: "not in the
 * inventory of site `tts`" and "… of site `bts`" are two problems on one line.
 */
export function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}|${d.span?.file}|${d.span?.start}|${d.message}|${d.label ?? ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The plan of an entry for one site, or why there is none. */
export async function compileEntryFromDisk(input: string, options: PlanInputOptions): Promise<PlanInput> {
  const { plans, diagnostics, sources } = await compileEntry(input, options);
  if (hasErrors(diagnostics)) return { ok: false, diagnostics, sources };
  if (plans.length === 0) {
    return {
      ok: false,
      diagnostics,
      sources,
      message: `${input} has no \`plan … for <site>\` entry to compile`,
    };
  }
  if (plans.length > 1) {
    const sites = plans.map((p) => p.site).join(", ");
    return {
      ok: false,
      diagnostics: [
        ...diagnostics,
        diagnostic(
          "DPL3011",
          `${input} has plans for several sites (${sites}); choose one with --site`,
          undefined,
          {
            help: `for example: --site ${plans[0]!.site}`,
          },
        ),
      ],
      sources,
    };
  }
  const plan = plans[0]!.plan;
  if (!plan) return { ok: false, diagnostics, sources };
  return { ok: true, plan };
}
