import { compileFile } from "../compiler/compile.js";
import { loadWith } from "../compiler/loader.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { dedupe } from "./compile-entry.js";
import { collectDplFiles, diskReader, lookupIn } from "./files.js";
import { EXIT, version } from "./main.js";
import { printDiagnostics } from "./output.js";
import { withParser } from "./parse-cache.js";

export interface CheckOptions {
  format: "text" | "json" | "sarif";
  param?: string[];
  root: string;
}

/**
 * `plan check <paths...>`: compiles every entry of the given files and folders for every site it names,
 * proves the ordering rules on each plan, checks the files without entries as libraries, and reports
 * every problem. Exit 0 when all hold, 1 when any fails, 2 on bad usage.
 */
export async function checkCommand(paths: string[], opts: CheckOptions): Promise<number> {
  const { files, missing } = collectDplFiles(paths);
  if (missing.length > 0) {
    process.stderr.write(`plan check: no such file or folder: ${missing.join(", ")}\n`);
    return EXIT.usage;
  }
  if (files.length === 0) {
    process.stderr.write(`plan check: no .dpl files in ${paths.join(", ")}\n`);
    return EXIT.usage;
  }
  const program = await withParser((parse) => loadWith(parse, files, diskReader, opts.root));
  const all = [...program.diagnostics];
  const compiled: string[] = [];
  for (const file of files) {
    if (!program.files.has(file)) continue;
    const result = compileFile(program, file, {
      version: version(),
      seal: false,
      ...(opts.param ? { params: opts.param } : {}),
    });
    all.push(...result.diagnostics);
    for (const p of result.plans) if (p.plan) compiled.push(p.plan.id);
  }
  const diagnostics = dedupe(all);
  printDiagnostics(diagnostics, lookupIn(program.sources), opts.format);
  if (opts.format === "text" && !hasErrors(diagnostics)) {
    const plans = compiled.length
      ? `, ${compiled.length} plan${compiled.length === 1 ? "" : "s"} compiled and proven (${compiled.join(", ")})`
      : "";
    process.stderr.write(`checked ${files.length} file${files.length === 1 ? "" : "s"}${plans}: no errors\n`);
  }
  return hasErrors(diagnostics) ? EXIT.problems : EXIT.ok;
}
