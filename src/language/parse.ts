import { EOF, type IRecognitionException, type IToken, type TokenType } from "chevrotain";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { SourceText } from "../diagnostics/span.js";
import { closest } from "../diagnostics/suggest.js";
import type { File } from "./ast.js";
import { lex } from "./lexer.js";
import { expectedAt, parserInstance } from "./parser.js";
import { toAst } from "./to-ast.js";
import * as T from "./tokens.js";

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
  const parser = parserInstance();
  parser.input = lexed.tokens;
  let cst = parser.file();
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  // A misspelled keyword is corrected and the file parsed again, so that one typo is one error.
  const corrections = misspelledKeywords(parser.errors);
  if (corrections.length > 0) {
    for (const { token, keyword } of corrections) {
      diagnostics.push(
        diagnostic(
          "DPL1012",
          `unknown keyword \`${token.image}\``,
          source.span(token.startOffset, token.startOffset + token.image.length),
          {
            label: "not a keyword",
            help: `did you mean \`${String(keyword.LABEL).replace(/`/g, "")}\`?`,
          },
        ),
      );
      token.tokenType = keyword;
      token.tokenTypeIdx = keyword.tokenTypeIdx!;
    }
    parser.input = lexed.tokens;
    cst = parser.file();
  }
  const brackets = bracketDiagnostics(lexed.tokens, source);
  diagnostics.push(...brackets);
  const unclosed = diagnostics.some((d) => d.code === "DPL1008");
  const seenTokens = new Set<number>(brackets.filter((d) => d.code === "DPL1007").map((d) => d.span!.start));
  for (const e of parser.errors) {
    const d = parseErrorDiagnostic(e, source, lexed.tokens);
    if (unclosed && d.code === "DPL1009") continue; // the unclosed bracket says it better
    // Errors at a token where one was already reported are the parser's recovery, not new mistakes.
    const at = d.span?.start ?? -1;
    if (seenTokens.has(at)) continue;
    seenTokens.add(at);
    diagnostics.push(d);
  }
  const file = toAst(cst, source, diagnostics);
  if (file.declarations.length === 0 && diagnostics.length === 0) {
    diagnostics.push(
      diagnostic("DPL1015", "this file declares nothing", source.span(0, 0), {
        help: "a .dpl file holds imports, sites, groups, rules, ignore entries, procedures or a plan",
      }),
    );
  }
  return { file, source, diagnostics: capped(diagnostics, source) };
}

/**
 * Checks that the bytes of a file are text before parsing them: a binary file (NUL bytes) or one that is
 * not UTF-8 gets one DPL1010 instead of a flood of unexpected characters.
 */
export function decodeSource(path: string, bytes: Uint8Array): { text: string } | { diagnostic: Diagnostic } {
  const probe = bytes.subarray(0, 8192);
  const empty = new SourceText(path, "");
  if (probe.includes(0)) {
    return {
      diagnostic: diagnostic("DPL1010", "this is a binary file, not .dpl text", empty.span(0, 0), {
        help: "check the path: .dpl files are UTF-8 text",
      }),
    };
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { text: text.startsWith("\uFEFF") ? text.slice(1) : text };
  } catch {
    return {
      diagnostic: diagnostic("DPL1010", "this file is not UTF-8 text", empty.span(0, 0), {
        help: "save the file as UTF-8",
      }),
    };
  }
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

function isEof(t: IToken): boolean {
  return t.tokenType === EOF || Number.isNaN(t.startOffset);
}

function parseErrorDiagnostic(e: IRecognitionException, source: SourceText, tokens: IToken[]): Diagnostic {
  const token = e.token;
  const expected = expectedAt.get(token) ?? [];
  if (isEof(token)) {
    const end = source.text.length;
    const lastToken = tokens[tokens.length - 1];
    const at = lastToken
      ? source.span(lastToken.startOffset, lastToken.startOffset + lastToken.image.length)
      : source.span(end, end);
    return diagnostic("DPL1009", `the file ends too early: ${e.message}`, at, {
      label: "the file ends after this",
      help: "finish the declaration that this belongs to",
    });
  }
  const span = source.span(token.startOffset, token.startOffset + token.image.length);
  const expectsName = expected.some((t) => t === T.Ident || t === T.Word);
  if (T.keywordTokens.includes(token.tokenType) && expectsName) {
    return diagnostic("DPL1011", `\`${token.image}\` is a keyword and cannot be used as a name`, span, {
      label: "a keyword",
      help: `choose another name, such as \`${token.image}-1\`, or quote it where a string is allowed`,
    });
  }
  if (token.tokenType === T.Ident) {
    const words = keywordWords(expected);
    const suggestion = closest(token.image, words);
    if (suggestion) {
      return diagnostic("DPL1012", `unknown keyword \`${token.image}\``, span, {
        label: "not a keyword",
        help: `did you mean \`${suggestion}\`?`,
      });
    }
  }
  return diagnostic("DPL1007", e.message, span, { label: "unexpected here" });
}

const clauseWords = [
  "only",
  "except",
  "when",
  "after",
  "by",
  "check",
  "cite",
  "confirm",
  "url",
  "because",
  "timeout",
  "every",
  "duration",
  "retry",
  "critical",
  "command",
  "else",
  "do-confirm",
];

/** Names where a keyword was expected that are one or two edits from one of the expected keywords. */
function misspelledKeywords(errors: IRecognitionException[]): Array<{ token: IToken; keyword: TokenType }> {
  const out: Array<{ token: IToken; keyword: TokenType }> = [];
  for (const e of errors) {
    const token = e.token;
    if (token.tokenType !== T.Ident || out.some((c) => c.token === token)) continue;
    // The keywords the parser expected here; failing those, the clauses that could follow the previous item.
    const suggestion =
      closest(token.image, keywordWords(expectedAt.get(token) ?? [])) ?? closest(token.image, clauseWords);
    const keyword = suggestion === undefined ? undefined : T.keywordByWord.get(suggestion);
    if (keyword) out.push({ token, keyword });
  }
  return out;
}

/** The words of the keywords among the expected tokens, categories (such as "a state verb") expanded. */
function keywordWords(expected: TokenType[]): string[] {
  const words = new Set<string>();
  for (const t of expected) {
    if (T.keywordTokens.includes(t)) words.add(String(t.LABEL).replace(/`/g, ""));
    for (const k of T.keywordTokens) {
      if (k.CATEGORIES?.includes(t) && t !== T.Word) words.add(String(k.LABEL).replace(/`/g, ""));
    }
  }
  return [...words];
}

const pairs: Record<string, string> = { "{": "}", "(": ")", "[": "]" };

/**
 * Brackets that are never closed, found by matching them over the tokens (strings and comments are
 * already out of the way). The message points at the opening bracket and, from the indentation, at the
 * line where the closing one is probably missing.
 */
function bracketDiagnostics(tokens: IToken[], source: SourceText): Diagnostic[] {
  const stack: IToken[] = [];
  const out: Diagnostic[] = [];
  for (const t of tokens) {
    if (
      t.image in pairs &&
      (t.tokenType === T.LCurly || t.tokenType === T.LParen || t.tokenType === T.LBracket)
    ) {
      stack.push(t);
    } else if (t.tokenType === T.RCurly || t.tokenType === T.RParen || t.tokenType === T.RBracket) {
      const at = findLastIndex(stack, (o) => pairs[o.image] === t.image);
      if (at >= 0) {
        // Openers between the match and the top of the stack were never closed.
        for (const open of stack.splice(at).slice(1)) out.push(unclosed(open, tokens, source));
      } else {
        out.push(
          diagnostic(
            "DPL1007",
            `this \`${t.image}\` closes nothing`,
            source.span(t.startOffset, t.startOffset + 1),
            {
              label: "no matching opening bracket",
              help: "remove it, or add the opening bracket it belongs to",
            },
          ),
        );
      }
    }
  }
  for (const open of stack) out.push(unclosed(open, tokens, source));
  return out;
}

function unclosed(open: IToken, tokens: IToken[], source: SourceText): Diagnostic {
  const close = pairs[open.image]!;
  const indent = indentationOf(source, open.startLine ?? 1);
  let hint: IToken | undefined;
  for (const t of tokens) {
    if (t.startOffset <= open.startOffset) continue;
    const startsLine = (t.startColumn ?? 1) - 1 === indentationOf(source, t.startLine ?? 1);
    if (startsLine && (t.startColumn ?? 1) - 1 <= indent) {
      if (t.image !== close) hint = t;
      break;
    }
  }
  return diagnostic(
    "DPL1008",
    `\`${open.image}\` is never closed`,
    source.span(open.startOffset, open.startOffset + 1),
    {
      label: `this \`${open.image}\` has no matching \`${close}\``,
      help: hint ? `add \`${close}\` before line ${hint.startLine}` : `add \`${close}\` where it ends`,
    },
  );
}

function indentationOf(source: SourceText, line: number): number {
  const text = source.lineText(line);
  return text.length - text.trimStart().length;
}

function findLastIndex<T>(list: T[], test: (t: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return i;
  return -1;
}
