import { type Code, codeInfo, type Severity } from "./codes.js";
import type { Span } from "./span.js";

/** A secondary place that explains a diagnostic: the first definition of a duplicate, an edge of a cycle. */
export interface Related {
  readonly span: Span;
  readonly message: string;
}

/**
 * The one diagnostic type of every stage. The terminal text, `--format json` and SARIF are all rendered
 * from it. `message` is one short sentence in the user's words; the fix goes in `help`.
 */
export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  /** Where the problem is; absent only for problems of a whole run (a missing file given on the command line). */
  readonly span?: Span;
  /** A few words printed under the caret. */
  readonly label?: string;
  readonly help?: string;
  readonly related?: readonly Related[];
  readonly notes?: readonly string[];
}

export interface DiagnosticExtras {
  label?: string;
  help?: string;
  related?: readonly Related[];
  notes?: readonly string[];
}

/** Builds a diagnostic with the severity that the registry gives its code. */
export function diagnostic(
  code: Code,
  message: string,
  span: Span | undefined,
  extras: DiagnosticExtras = {},
): Diagnostic {
  const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
    code,
    severity: codeInfo(code).severity,
    message,
  };
  if (span) d.span = span;
  if (extras.label) d.label = extras.label;
  if (extras.help) d.help = extras.help;
  if (extras.related && extras.related.length > 0) d.related = extras.related;
  if (extras.notes && extras.notes.length > 0) d.notes = extras.notes;
  return d;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Diagnostics in a stable order: by file, position, then code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.span?.file ?? "";
    const fb = b.span?.file ?? "";
    if (fa !== fb) return fa < fb ? -1 : 1;
    const oa = a.span?.start ?? -1;
    const ob = b.span?.start ?? -1;
    if (oa !== ob) return oa - ob;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}
