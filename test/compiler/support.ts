import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { dedupe } from "../../src/cli/compile-entry.js";
import { collectDplFiles, diskReader } from "../../src/cli/files.js";
import { type CompiledPlan, compileFile } from "../../src/compiler/compile.js";
import { load, type Program } from "../../src/compiler/load.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { sortDiagnostics } from "../../src/diagnostics/diagnostic.js";
import { renderText } from "../../src/diagnostics/render.js";

/**
 * The compiler as `plan check` runs it, in memory: the given files and folders, loaded with their
 * imports, every file compiled (entries for each of their sites, the others as libraries), and the same
 * problem found for several sites reported once.
 */

export const FIXTURES = "test/compiler/fixtures";

/** The compiler version written into golden plans, so that a release does not change them. */
export const GOLDEN_VERSION = "golden";

export interface CheckOptions {
  /** `--param k=v`, for every entry. */
  readonly params?: readonly string[];
  /** `--site`: compile the entries for this site only. */
  readonly site?: string;
  /** Imports may not leave this folder. */
  readonly root?: string;
}

export interface CheckRun {
  readonly program: Program;
  readonly plans: CompiledPlan[];
  readonly diagnostics: Diagnostic[];
  /** The diagnostics as a person sees them, with code frames. */
  readonly text: string;
}

/** Compiles every `.dpl` file under `paths` the way `plan check` does. */
export function check(paths: readonly string[], options: CheckOptions = {}): CheckRun {
  const { files } = collectDplFiles(paths);
  const program = load(files, diskReader, options.root ?? ".");
  const all = [...program.diagnostics];
  const plans: CompiledPlan[] = [];
  for (const file of files) {
    if (!program.files.has(file)) continue;
    const result = compileFile(program, file, {
      version: GOLDEN_VERSION,
      ...(options.params ? { params: options.params } : {}),
      ...(options.site ? { site: options.site } : {}),
    });
    all.push(...result.diagnostics);
    plans.push(...result.plans);
  }
  const diagnostics = sortDiagnostics(dedupe(all));
  const text = renderText(diagnostics, (f) => program.sources.get(f));
  return { program, plans, diagnostics, text };
}

/**
 * The command-line options a fixture asks for, one comment line each: `# --param breaks_schema=true`,
 * `# --site tts`, `# --root test/compiler/fixtures/invalid/import-outside`.
 */
export function directivesOf(paths: readonly string[]): CheckOptions {
  const params: string[] = [];
  let site: string | undefined;
  let root: string | undefined;
  for (const path of paths) {
    const text = readFileSync(path, "utf8");
    for (const m of text.matchAll(/^#\s*--(param|site|root)\s+(\S+)\s*$/gm)) {
      if (m[1] === "param") params.push(m[2]!);
      else if (m[1] === "site") site = m[2]!;
      else root = m[2]!;
    }
  }
  return { ...(params.length ? { params } : {}), ...(site ? { site } : {}), ...(root ? { root } : {}) };
}

/** The `.dpl` files of a fixture: the file itself, or every file of a folder case, sorted. */
export function filesOf(fixture: string): string[] {
  if (!statSync(fixture).isDirectory()) return [fixture];
  return collectDplFiles([fixture]).files.sort();
}

/** The cases of a fixture folder: each `.dpl` file and each sub-folder (but `lib`, which cases import). */
export function casesIn(folder: string): string[] {
  const dir = join(FIXTURES, folder);
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => (e.isDirectory() && e.name !== "lib") || e.name.endsWith(".dpl"))
    .map((e) => join(dir, e.name))
    .sort();
}
