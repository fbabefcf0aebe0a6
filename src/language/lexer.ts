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
    positionTracking: "full",
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
