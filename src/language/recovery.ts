import type { CstNode, IRecognitionException, IToken, TokenType } from "chevrotain";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/span.js";
import { closest } from "../diagnostics/suggest.js";
import type { BracketReport } from "./brackets.js";
import { type LexResult, withLines } from "./lexer.js";
import { expectedAt, parserInstance, strictParserInstance } from "./parser.js";
import { isEof, itemStarts, keywordWords, parseErrorDiagnostic, tokenBefore } from "./syntax-errors.js";
import * as T from "./tokens.js";

/**
 * Recovery that chevrotain cannot do alone: the front end corrects a mistake it recognizes, reports it
 * once, and parses the file again, so that one typo is one error and not a cascade.
 */

/** The result of parsing with recovery: the tree, the parser's remaining errors and what was corrected. */
export interface Recovered {
  readonly cst: CstNode;
  readonly errors: IRecognitionException[];
  /** One diagnostic per correction made. */
  readonly diagnostics: Diagnostic[];
}

/**
 * Parses the tokens; never throws. A misspelled keyword is read as the keyword, a keyword written where a
 * name belongs as a name, and a line that starts with a word that begins no item (`restart Watcher`) is
 * left out, as the parser's own recovery would close the blocks around it. At most three rounds, and
 * none on a file with more errors than are shown. A file is first read without recovery, which is as good
 * when it has no error, and read again with recovery when it has one.
 */
export function parseWithRecovery(
  lexed: LexResult,
  brackets: BracketReport,
  source: SourceText,
  maxErrors: number,
): Recovered {
  for (const t of lexed.tokens) expectedAt.delete(t);
  const first = strictParserInstance();
  first.input = lexed.tokens;
  const tree = first.file();
  const clean = first.errors.length === 0;
  // NOTE: a parser keeps its last input; a file's tokens are let go as soon as it is parsed (those of a large
  // file were the largest thing left in memory after loading, bench/RESULTS.md).
  first.input = [];
  if (clean) return { cst: tree, errors: [], diagnostics: [] };
  withLines(lexed.tokens, source);
  for (const t of lexed.tokens) expectedAt.delete(t);
  const parser = parserInstance();
  parser.input = lexed.tokens;
  let cst = parser.file();
  const diagnostics: Diagnostic[] = [];
  const hintLines = new Set([...brackets.hints].map((at) => source.position(at).line));
  const fixed = new Set<IToken>();
  const skipped = new Set<IToken>();
  for (let round = 0; round < 3 && parser.errors.length <= maxErrors; round++) {
    const fixes = [
      ...misspelledKeywords(parser.errors, source),
      ...keywordsAsNames(parser.errors, lexed.tokens, source),
    ];
    let changed = false;
    for (const { token, type, report } of fixes) {
      if (fixed.has(token)) continue;
      fixed.add(token);
      diagnostics.push(report);
      token.tokenType = type;
      token.tokenTypeIdx = type.tokenTypeIdx!;
      changed = true;
    }
    if (!changed) {
      for (const e of parser.errors) {
        const line = unknownLine(e, lexed.tokens);
        if (!line || line.some((t) => skipped.has(t) || fixed.has(t))) continue;
        if (lexed.diagnostics.some((d) => d.span?.line === e.token.startLine)) continue;
        if (hintLines.has(e.token.startLine ?? 0)) continue; // a missing bracket explains it
        diagnostics.push(parseErrorDiagnostic(e, source, lexed.tokens));
        for (const t of line) skipped.add(t);
        changed = true;
      }
    }
    if (!changed) break;
    for (const t of lexed.tokens) expectedAt.delete(t);
    parser.input = skipped.size ? lexed.tokens.filter((t) => !skipped.has(t)) : lexed.tokens;
    cst = parser.file();
  }
  const errors = parser.errors;
  parser.input = [];
  return { cst, errors, diagnostics };
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

/** A token read again as another type, and the diagnostic that says why. */
interface Fix {
  readonly token: IToken;
  readonly type: TokenType;
  readonly report: Diagnostic;
}

/** Names where a keyword was expected that are one or two edits from one of the expected keywords. */
function misspelledKeywords(errors: IRecognitionException[], source: SourceText): Fix[] {
  const out: Fix[] = [];
  for (const e of errors) {
    const token = e.token;
    if (token.tokenType !== T.Ident || out.some((c) => c.token === token)) continue;
    // The keywords the parser expected here; failing those, the clauses that could follow the previous item.
    const suggestion =
      closest(token.image, keywordWords(expectedAt.get(token) ?? [])) ?? closest(token.image, clauseWords);
    const keyword = suggestion === undefined ? undefined : T.keywordByWord.get(suggestion);
    if (!keyword) continue;
    const report = diagnostic("DPL1012", `unknown keyword \`${token.image}\``, tokenSpan(source, token), {
      label: "not a keyword",
      help: `did you mean \`${suggestion}\`?`,
    });
    out.push({ token, type: keyword, report });
  }
  return out;
}

/**
 * The tokens of the line where an item should start and none does: a step that starts with no step word,
 * or a block's item that the block does not hold (a step directly in a procedure). Only a line whose
 * brackets balance, so that leaving it out does not change what the other brackets close.
 */
function unknownLine(e: IRecognitionException, tokens: IToken[]): IToken[] | undefined {
  const token = e.token;
  if (isEof(token)) return undefined;
  const rule = e.context?.ruleStack?.at(-1) ?? "";
  const expected = expectedAt.get(token) ?? [];
  const unknownStep = e.name === "NoViableAltException" && itemStarts.has(rule) && rule !== "file";
  const notHeld =
    e.name === "MismatchedTokenException" &&
    expected.length === 1 &&
    expected[0] === T.RCurly &&
    blockRules.has(rule);
  if (!unknownStep && !notHeld) return undefined;
  const previous = tokenBefore(tokens, token);
  if (previous && previous.startLine === token.startLine && previous.tokenType !== T.LCurly) return undefined;
  const line: IToken[] = [];
  let depth = 0;
  for (let i = tokens.indexOf(token); i < tokens.length; i++) {
    const t = tokens[i]!;
    if (depth === 0 && t.startLine !== token.startLine) break;
    if (t.tokenType === T.LCurly || t.tokenType === T.LParen || t.tokenType === T.LBracket) depth++;
    if (t.tokenType === T.RCurly || t.tokenType === T.RParen || t.tokenType === T.RBracket) {
      if (depth === 0) break; // it closes the block around the line
      depth--;
    }
    line.push(t);
  }
  return depth === 0 && line.length > 0 ? line : undefined;
}

/** The rules of blocks that hold items, where an item they do not hold is an error at its line. */
const blockRules = new Set([
  "procedureDecl",
  "phaseDecl",
  "parallelBlock",
  "siteDecl",
  "rulesDecl",
  "inventoryDecl",
]);

/** Keywords where a name was expected (`phase first`), and keywords written as a label (`wait: wait 1s`). */
function keywordsAsNames(errors: IRecognitionException[], tokens: IToken[], source: SourceText): Fix[] {
  const out: Fix[] = [];
  for (const e of errors) {
    const token = e.token;
    if (isEof(token)) continue;
    const expected = expectedAt.get(token) ?? [];
    if (T.keywordTokens.includes(token.tokenType) && expected.some((t) => t === T.Ident || t === T.Word)) {
      out.push({ token, type: T.Ident, report: keywordAsName(token, source, "name") });
      continue;
    }
    const previous = tokenBefore(tokens, token);
    if (
      token.tokenType === T.Colon &&
      previous &&
      T.keywordTokens.includes(previous.tokenType) &&
      previous.startOffset + previous.image.length === token.startOffset
    ) {
      out.push({ token: previous, type: T.Ident, report: keywordAsName(previous, source, "label") });
    }
  }
  return out;
}

function keywordAsName(token: IToken, source: SourceText, what: "name" | "label"): Diagnostic {
  const quote = what === "name" ? ", or quote it where a string is allowed" : "";
  return diagnostic(
    "DPL1011",
    `\`${token.image}\` is a keyword and cannot be used as a ${what}`,
    tokenSpan(source, token),
    { label: "a keyword", help: `choose another ${what}, such as \`${token.image}-1\`${quote}` },
  );
}

function tokenSpan(source: SourceText, token: IToken) {
  return source.span(token.startOffset, token.startOffset + token.image.length);
}
