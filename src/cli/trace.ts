import { writeFileSync } from "node:fs";
import { loadWith, type ParseFile, type Program } from "../compiler/loader.js";
import { type TraceTable, traceTable } from "../compiler/trace.js";
import { compileForTrace } from "../compiler/trace-compile.js";
import { renderTraceMarkdown } from "../compiler/trace-markdown.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { dedupe } from "./compile-entry.js";
import { collectDplFiles, diskReader, lookupIn } from "./files.js";
import { EXIT, version } from "./main.js";
import { printDiagnostics } from "./output.js";
import { withParser } from "./parse-cache.js";

export interface TraceOptions {
  output?: string;
  root: string;
}

/** The table and its Markdown for some `.dpl` files and folders, or the problems that kept the plans from compiling. */
export async function traceFiles(
  paths: readonly string[],
  root: string,
  command = `plan trace ${paths.join(" ")}`,
): Promise<ReturnType<typeof traceFilesWith>> {
  return withParser((parse) => traceFilesWith(parse, paths, root, command));
}

/** `traceFiles` with the given parser (tests give the front end's own). */
export function traceFilesWith(
  parseFile: ParseFile,
  paths: readonly string[],
  root: string,
  command = `plan trace ${paths.join(" ")}`,
): {
  table?: TraceTable;
  markdown?: string;
  diagnostics: ReturnType<typeof dedupe>;
  sources: Program["sources"];
  missingPaths: string[];
} {
  const { files, missing } = collectDplFiles(paths);
  const program = loadWith(parseFile, files, diskReader, root);
  const input = compileForTrace(program, files, version());
  const diagnostics = dedupe(input.diagnostics);
  if (missing.length > 0 || hasErrors(diagnostics))
    return { diagnostics, sources: program.sources, missingPaths: missing };
  const table = traceTable(input.documents, input.plans);
  return {
    table,
    markdown: renderTraceMarkdown(table, command),
    diagnostics,
    sources: program.sources,
    missingPaths: missing,
  };
}

/**
 * `plan trace <paths...> [-o file]`: the traceability table of the documents and entries found in the paths (see
 * src/compiler/trace.ts), in Markdown, to the file or standard output. Exit 0 when every item that applies at a site
 * is implemented there, 1 when some is missing (each named on stderr, the table still written) or a plan does not
 * compile, 2 on bad usage.
 */
export async function traceCommand(paths: string[], opts: TraceOptions): Promise<number> {
  const output = opts.output && opts.output !== "-" ? opts.output : undefined;
  const command = `plan trace ${paths.join(" ")}${output ? ` -o ${output}` : ""}`;
  const result = await traceFiles(paths, opts.root, command);
  if (result.missingPaths.length > 0) {
    process.stderr.write(`plan trace: no such file or folder: ${result.missingPaths.join(", ")}\n`);
    return EXIT.usage;
  }
  printDiagnostics(result.diagnostics, lookupIn(result.sources), "text");
  if (!result.table || !result.markdown) return EXIT.problems;
  if (output) writeFileSync(output, result.markdown);
  else process.stdout.write(result.markdown);
  const { table } = result;
  for (const m of table.missing) {
    process.stderr.write(
      `missing: ${m.cite} ("${m.title}") applies at ${m.site}, and no plan of ${m.entries.join(", ") || "that site"} implements it\n`,
    );
  }
  for (const u of table.unknownCites) {
    process.stderr.write(`unknown citation: ${u.cite} (${u.entry}, ${u.ref})\n`);
  }
  return table.missing.length > 0 || table.unknownCites.length > 0 ? EXIT.problems : EXIT.ok;
}
