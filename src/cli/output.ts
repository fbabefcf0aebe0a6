import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { sortDiagnostics } from "../diagnostics/diagnostic.js";
import { renderJson, renderSarif, renderText, type SourceLookup, summarize } from "../diagnostics/render.js";
import { version } from "./main.js";

/** Whether to color terminal output: only on a terminal, and never when NO_COLOR is set. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

/**
 * Prints diagnostics in the chosen format: text (with code frames and a summary line) goes to stderr;
 * JSON and SARIF go to stdout, for tools.
 */
export function printDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: SourceLookup,
  format: "text" | "json" | "sarif",
): void {
  const sorted = sortDiagnostics(diagnostics);
  if (format === "json") {
    process.stdout.write(renderJson(sorted));
    return;
  }
  if (format === "sarif") {
    process.stdout.write(renderSarif(sorted, version()));
    return;
  }
  if (sorted.length > 0) {
    process.stderr.write(renderText(sorted, sources, { color: useColor(process.stderr) }));
    process.stderr.write(`\n${summarize(sorted)}\n`);
  }
}
