import { createColors } from "picocolors";
import { allCodes, codeInfo } from "./codes.js";
import type { Diagnostic } from "./diagnostic.js";
import { formatLocation, type SourceText, type Span } from "./span.js";

/** Finds the text of a file that a diagnostic points into, to print its code frame. */
export type SourceLookup = (file: string) => SourceText | undefined;

export interface TextOptions {
  color?: boolean;
}

/**
 * Renders diagnostics for a terminal, compiler style: a header with the code, the location, the source line
 * with a caret under the exact construct and its label, related places, notes and the help line.
 */
export function renderText(
  diagnostics: readonly Diagnostic[],
  sources: SourceLookup,
  options: TextOptions = {},
): string {
  return diagnostics.map((d) => renderOne(d, sources, options)).join("\n");
}

function renderOne(d: Diagnostic, sources: SourceLookup, options: TextOptions): string {
  const c = createColors(options.color ?? false);
  const tone = d.severity === "error" ? c.red : c.yellow;
  const lines: string[] = [`${tone(c.bold(`${d.severity}[${d.code}]`))}${c.bold(`: ${d.message}`)}`];
  const frames: Array<{ span: Span; label: string | undefined; primary: boolean }> = [];
  if (d.span) frames.push({ span: d.span, label: d.label, primary: true });
  for (const r of d.related ?? []) frames.push({ span: r.span, label: r.message, primary: false });
  const gutter = Math.max(2, ...frames.map((f) => String(f.span.line).length));
  const pad = " ".repeat(gutter);
  let lastFile: string | undefined;
  for (const frame of frames) {
    const arrow = frame.span.file === lastFile && !frame.primary ? "::" : "-->";
    lines.push(`${pad}${c.blue(arrow)} ${formatLocation(frame.span)}`);
    lastFile = frame.span.file;
    const source = sources(frame.span.file);
    if (!source) {
      if (frame.label) lines.push(`${pad} ${c.blue("=")} ${frame.label}`);
      continue;
    }
    const raw = source.lineText(frame.span.line);
    const { text, column } = expandTabs(raw, frame.span.column);
    const spanEndColumn = frame.span.endLine === frame.span.line ? frame.span.endColumn : raw.length + 1;
    const width = Math.max(1, expandTabs(raw, spanEndColumn).column - column);
    const mark = (frame.primary ? "^" : "-").repeat(width);
    const colored = frame.primary ? tone(mark) : c.blue(mark);
    lines.push(`${pad} ${c.blue("|")}`);
    lines.push(`${c.blue(String(frame.span.line).padStart(gutter))} ${c.blue("|")} ${truncate(text)}`);
    const labelText = frame.label ? ` ${frame.primary ? tone(frame.label) : c.blue(frame.label)}` : "";
    lines.push(`${pad} ${c.blue("|")} ${" ".repeat(Math.max(0, column - 1))}${colored}${labelText}`);
  }
  for (const note of d.notes ?? []) lines.push(`${pad} ${c.blue("=")} note: ${note}`);
  if (d.help) lines.push(`${pad} ${c.blue("=")} ${c.bold("help")}: ${d.help}`);
  return `${lines.join("\n")}\n`;
}

function expandTabs(line: string, column: number): { text: string; column: number } {
  let text = "";
  let displayColumn = 1;
  for (let i = 0; i < line.length; i++) {
    if (i === column - 1) displayColumn = text.length + 1;
    const ch = line[i]!;
    text += ch === "\t" ? " ".repeat(4 - (text.length % 4)) : ch;
  }
  if (column - 1 >= line.length) displayColumn = text.length + (column - line.length);
  return { text, column: displayColumn };
}

/** Very long lines (a minified or generated file) are cut so that a frame stays readable. */
function truncate(text: string): string {
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

/** One line per run: "2 errors, 1 warning". */
export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const part = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${part(errors, "error")}, ${part(warnings, "warning")}`;
}

/** The diagnostics as plain JSON objects (`--format json`). */
export function renderJson(diagnostics: readonly Diagnostic[]): string {
  return `${JSON.stringify(diagnostics, null, 2)}\n`;
}

/**
 * SARIF 2.1.0 (`--format sarif`), so that code-review tools annotate the lines of a `.dpl` file.
 * `uriBase` is where file paths are relative to.
 */
export function renderSarif(diagnostics: readonly Diagnostic[], toolVersion: string): string {
  const region = (s: Span) => ({
    startLine: s.line,
    startColumn: s.column,
    endLine: s.endLine,
    endColumn: s.endColumn,
  });
  const location = (s: Span) => ({
    physicalLocation: { artifactLocation: { uri: s.file }, region: region(s) },
  });
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "plan",
            version: toolVersion,
            informationUri: "https://github.com/lsst-ts/plan",
            rules: allCodes().map((code) => ({
              id: code,
              name: codeInfo(code).title,
              shortDescription: { text: codeInfo(code).title },
              helpUri: `grammar/spec.md#${code.toLowerCase()}`,
            })),
          },
        },
        results: diagnostics.map((d) => ({
          ruleId: d.code,
          level: d.severity === "error" ? "error" : "warning",
          // The label tells apart the same message for two sites ("not in the inventory of site `tts`").
          message: {
            text: `${d.message}${d.label ? ` (${d.label})` : ""}${d.help ? ` (help: ${d.help})` : ""}`,
          },
          ...(d.span ? { locations: [location(d.span)] } : {}),
          ...(d.related
            ? {
                relatedLocations: d.related.map((r, i) => ({
                  id: i,
                  ...location(r.span),
                  message: { text: r.message },
                })),
              }
            : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
