import type { ILexingResult, IToken } from "chevrotain";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/span.js";
import { Lexer } from "./chevrotain.js";
import * as T from "./tokens.js";

let lexer: Lexer | undefined;

function lexerInstance(): Lexer {
  lexer ??= createLexer();
  return lexer;
}

/**
 * The lexer of `.dpl`. `validate` runs chevrotain's checks of the token definitions (patterns that can
 * match nothing, tokens that another hides), which throw on faulty ones. NOTE: only a change to tokens.ts
 * can make them fail, so the tests run them and `plan` skips them: they cost start-up time.
 */
export function createLexer(options: { validate?: boolean } = {}): Lexer {
  return new Lexer(T.allTokens, {
    // NOTE: offsets only: lines and columns made every token 2.5 times larger (227 bytes against 90; 180 MB of
    // tokens for an 8 MB file, bench/RESULTS.md: memory). They are added, by `withLines`, to the tokens of a
    // file that has a problem, which is where the diagnostics' heuristics read them.
    positionTracking: "onlyOffset",
    ensureOptimizations: false,
    skipValidations: !options.validate,
  });
}

export interface LexResult {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Text to tokens. Characters that start no token, unterminated strings, commands and text blocks, strings
 * in single quotes, `//` comments and numbers glued to letters (`30x`) are reported here; the malformed
 * tokens are still handed to the parser (as strings, commands and durations) or skipped (comments), so that
 * one mistake does not cause a cascade of parse errors.
 */
export function lex(source: SourceText): LexResult {
  const result: ILexingResult = lexerInstance().tokenize(source.text);
  // The parser's node locations end at their last token's endOffset, which offsets-only tokens lack.
  for (const token of result.tokens) token.endOffset = token.startOffset + token.image.length - 1;
  const diagnostics: Diagnostic[] = [];
  for (const e of result.errors) {
    const ch = source.text.slice(e.offset, e.offset + e.length);
    const shown = ch.length > 20 ? `${ch.slice(0, 20)}…` : ch;
    diagnostics.push(
      diagnostic(
        "DPL1001",
        `unexpected character${e.length > 1 ? "s" : ""} ${JSON.stringify(shown)}`,
        source.span(e.offset, e.offset + Math.max(1, e.length)),
        { help: unexpectedHelp(ch) },
      ),
    );
  }
  for (const token of (result.groups.slashComments as IToken[] | undefined) ?? []) {
    diagnostics.push(
      diagnostic(
        "DPL1001",
        "comments start with `#`",
        source.span(token.startOffset, token.startOffset + 2),
        { label: "not a comment", help: "write `#` instead of `//`" },
      ),
    );
  }
  for (const token of result.tokens) {
    const span = () => source.span(token.startOffset, token.startOffset + token.image.length);
    switch (token.tokenType) {
      case T.UnterminatedString:
        diagnostics.push(
          diagnostic("DPL1002", "this string is not closed", span(), {
            label: 'no closing `"` on this line',
            help: 'close the string with `"`; for text over several lines use a text block `"""…"""`',
          }),
        );
        break;
      case T.SingleQuotedString:
        diagnostics.push(
          diagnostic("DPL1001", "strings are written in double quotes, not single quotes", span(), {
            label: "single quotes",
            help: `write it as ${JSON.stringify(token.image.replace(/^'|'$/g, ""))}`,
          }),
        );
        break;
      case T.UnterminatedTextBlock:
        diagnostics.push(
          diagnostic(
            "DPL1004",
            "this text block is not closed",
            source.span(token.startOffset, token.startOffset + 3),
            {
              label: "opened here",
              help: 'close the text block with `"""`',
            },
          ),
        );
        break;
      case T.UnterminatedCommand:
        diagnostics.push(
          diagnostic("DPL1003", "this command is not closed", span(), {
            label: "no closing backtick on this line",
            help: "close the command with a backtick (`)",
          }),
        );
        break;
      case T.BadDuration:
        diagnostics.push(
          diagnostic("DPL1005", `\`${token.image}\` is not a duration`, span(), {
            help: "a duration is a whole number and a unit: ms, s, m, h or d (`30s`, `2m`, `1h30m`)",
          }),
        );
        break;
    }
  }
  return {
    tokens: result.tokens,
    comments: (result.groups.comments as IToken[] | undefined) ?? [],
    diagnostics,
  };
}

function unexpectedHelp(ch: string): string | undefined {
  if (ch.startsWith("'")) return 'strings use double quotes: "like this"';
  if (ch.startsWith("/")) return "comments start with `#`";
  if (ch.startsWith(";")) return "steps need no separator; start each on its own line";
  if (ch.startsWith("<") || ch.startsWith(">"))
    return "the only comparison in a condition is `<=` (lag) or `==`/`!=`";
  return undefined;
}

/**
 * Gives tokens lexed with offsets only their lines and columns (1-based, as chevrotain counts them), once;
 * for the tokens of a file with a problem, before the heuristics that explain it read them. Linear: the
 * tokens are in the order of the text.
 */
export function withLines(tokens: readonly IToken[], source: SourceText): void {
  if (tokens.length === 0 || tokens[0]!.startLine !== undefined) return;
  const starts = source.lineStarts;
  let line = 0;
  const at = (offset: number) => {
    while (line + 1 < starts.length && starts[line + 1]! <= offset) line++;
    while (line > 0 && starts[line]! > offset) line--;
    return { line: line + 1, column: offset - starts[line]! + 1 };
  };
  for (const token of tokens) {
    if (Number.isNaN(token.startOffset)) continue;
    const start = at(token.startOffset);
    const end = at(token.startOffset + Math.max(0, token.image.length - 1));
    token.startLine = start.line;
    token.startColumn = start.column;
    token.endLine = end.line;
    token.endColumn = end.column;
  }
}
