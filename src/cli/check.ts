import { load } from "../compiler/load.js";
import { diagnostic, hasErrors } from "../diagnostics/diagnostic.js";
import { collectDplFiles, diskReader, lookupIn } from "./files.js";
import { EXIT } from "./main.js";
import { printDiagnostics } from "./output.js";

export interface CheckOptions {
  format: "text" | "json" | "sarif";
  param?: string[];
  root: string;
}

/** `plan check <paths...>`: reports every problem in the given files and folders. */
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
  const program = load(files, diskReader, opts.root);
  const diagnostics = [...program.diagnostics];
  void diagnostic;
  printDiagnostics(diagnostics, lookupIn(program.sources), opts.format);
  if (opts.format === "text" && !hasErrors(diagnostics)) {
    process.stderr.write(`checked ${files.length} file${files.length === 1 ? "" : "s"}: no problems\n`);
  }
  return hasErrors(diagnostics) ? EXIT.problems : EXIT.ok;
}
