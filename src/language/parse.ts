import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { SourceText } from "../diagnostics/span.js";
import type { File } from "./ast.js";
import { checkBrackets } from "./brackets.js";
import { lex } from "./lexer.js";
import { parseWithRecovery } from "./recovery.js";
import { syntaxErrors } from "./syntax-errors.js";
import { toAst } from "./to-ast.js";

export { decodeSource } from "./decode.js";

/** At most this many diagnostics per file; past it, one DPL1016 says how many were left out. */
export const MAX_DIAGNOSTICS_PER_FILE = 50;

export interface ParseResult {
  readonly file: File;
  readonly source: SourceText;
  readonly diagnostics: Diagnostic[];
}

/**
 * The front end: text to a checked syntax tree. Never throws on any input; every problem is a diagnostic
 * with a position inside the file, and the tree holds every declaration that could be read.
 */
export function parse(path: string, text: string): ParseResult {
  const source = new SourceText(path, text);
  const lexed = lex(source);
  const brackets = checkBrackets(lexed.tokens, source);
  const recovered = parseWithRecovery(lexed, brackets, source, MAX_DIAGNOSTICS_PER_FILE);
  const diagnostics: Diagnostic[] = [...lexed.diagnostics, ...recovered.diagnostics];
  diagnostics.push(...syntaxErrors(recovered.errors, lexed, brackets, source));
  const file = toAst(recovered.cst, source, diagnostics);
  if (file.declarations.length === 0 && diagnostics.length === 0) {
    diagnostics.push(
      diagnostic("DPL1015", "this file declares nothing", source.span(0, 0), {
        help: "a .dpl file holds imports, sites, groups, rules, ignore entries, procedures or a plan",
      }),
    );
  }
  return { file, source, diagnostics: capped(diagnostics, source) };
}

function capped(diagnostics: Diagnostic[], source: SourceText): Diagnostic[] {
  if (diagnostics.length <= MAX_DIAGNOSTICS_PER_FILE) return diagnostics;
  const kept = diagnostics.slice(0, MAX_DIAGNOSTICS_PER_FILE);
  const last = kept[kept.length - 1]!.span ?? source.span(0, 0);
  kept.push(
    diagnostic(
      "DPL1016",
      `${diagnostics.length - MAX_DIAGNOSTICS_PER_FILE} more problems in this file are not shown`,
      last,
      {
        help: "fix the first ones and run again",
      },
    ),
  );
  return kept;
}
