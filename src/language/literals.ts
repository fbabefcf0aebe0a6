import type { IToken } from "chevrotain";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText, Span } from "../diagnostics/span.js";
import type { Command, Interpolation, Text } from "./ast.js";
import * as T from "./tokens.js";

/**
 * Decoding of literal tokens: strings with escapes and `${...}` references, text blocks, commands in
 * backticks, durations. Every problem is a diagnostic at the exact character, and the decoder still
 * returns its best reading of the literal.
 */

const namePattern = /^[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*$/;

interface Piece {
  ch: string;
  /** The offset in the file of the source character(s) this piece came from. */
  at: number;
}

/** Builds a Text out of characters and references, merging adjacent characters. */
class TextBuilder {
  readonly parts: Array<string | Interpolation> = [];
  // NOTE: characters are gathered and joined once: appending them to a string one by one leaves a chain of
  // string pieces in the tree (V8's cons strings), several times the memory of the text.
  private current: string[] = [];

  push(ch: string): void {
    this.current.push(ch);
  }

  ref(r: Interpolation): void {
    if (this.current.length) this.parts.push(this.current.join(""));
    this.current = [];
    this.parts.push(r);
  }

  finish(span: Span): Text {
    if (this.current.length || this.parts.length === 0) this.parts.push(this.current.join(""));
    return { parts: this.parts, span };
  }
}

/**
 * Reads `${path}` starting at `i` (which points at `$`); returns the reference and the index after `}`,
 * or reports DPL1013 and skips what it can.
 */
function readInterpolation(
  raw: string,
  i: number,
  base: number,
  source: SourceText,
  diagnostics: Diagnostic[],
): { ref?: Interpolation; next: number } {
  const close = raw.indexOf("}", i + 2);
  if (close < 0) {
    diagnostics.push(
      diagnostic("DPL1013", "`${` is not closed", source.span(base + i, base + i + 2), {
        help: "write a reference as `${site.slack}` or `${parameter}`; to write a literal `$`, use `\\$`",
      }),
    );
    return { next: raw.length };
  }
  const inner = raw.slice(i + 2, close);
  const span = source.span(base + i, base + close + 1);
  const path = inner.split(".").map((s) => s.trim());
  if (inner.trim() === "" || !path.every((p) => namePattern.test(p))) {
    diagnostics.push(
      diagnostic("DPL1013", `\`\${${inner}}\` is not a reference`, span, {
        help: "a reference is a name or a dotted path of names: `${site.slack}`, `${host.service}`, `${breaks_schema}`",
      }),
    );
    return { next: close + 1 };
  }
  return { ref: { path, span }, next: close + 1 };
}

const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\", $: "$", "`": "`" };

/** Decodes escapes and references of `raw`, whose first character is at file offset `base`. */
function decode(
  raw: string,
  base: number,
  source: SourceText,
  diagnostics: Diagnostic[],
  builder: TextBuilder,
  offsets?: number[],
): void {
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i]!;
    const at = offsets ? offsets[i]! : base + i;
    if (ch === "\\") {
      const next = raw[i + 1];
      if (next === "u" && raw[i + 2] === "{") {
        const close = raw.indexOf("}", i + 3);
        const hex = close < 0 ? "" : raw.slice(i + 3, close);
        const code = /^[0-9A-Fa-f]{1,6}$/.test(hex) ? Number.parseInt(hex, 16) : Number.NaN;
        if (Number.isNaN(code) || code > 0x10ffff) {
          diagnostics.push(
            diagnostic(
              "DPL1006",
              "bad unicode escape",
              source.span(at, at + (close < 0 ? 2 : close - i + 1)),
              {
                help: "write a unicode escape as `\\u{00E9}` (one to six hex digits)",
              },
            ),
          );
          i = close < 0 ? i + 2 : close + 1;
          continue;
        }
        builder.push(String.fromCodePoint(code));
        i = close + 1;
        continue;
      }
      const mapped = next === undefined ? undefined : escapes[next];
      if (mapped === undefined) {
        diagnostics.push(
          diagnostic("DPL1006", `unknown escape \`\\${next ?? ""}\``, source.span(at, at + 2), {
            help: 'the escapes are \\n, \\t, \\r, \\", \\\\, \\$ and \\u{…}',
          }),
        );
        if (next !== undefined) builder.push(next);
        i += 2;
        continue;
      }
      builder.push(mapped);
      i += 2;
      continue;
    }
    if (ch === "$" && raw[i + 1] === "{") {
      const { ref, next } = readInterpolation(raw, i, offsets ? offsets[i]! - i : base, source, diagnostics);
      if (ref) builder.ref(ref);
      i = next;
      continue;
    }
    builder.push(ch);
    i++;
  }
}

/** A `"string"` token (possibly unterminated) to a Text. */
export function decodeString(token: IToken, source: SourceText, diagnostics: Diagnostic[]): Text {
  const image = token.image;
  // A string in single quotes is already reported; it is read like one in double quotes.
  // NOTE: whether it is closed comes from the lexer, as `"C:\\"` ends in a backslash and a quote.
  const closed =
    token.tokenType === T.SingleQuotedString
      ? /^'(?:[^'\\\r\n]|\\.)*'$/.test(image)
      : token.tokenType !== T.UnterminatedString;
  const raw = closed ? image.slice(1, -1) : image.slice(1);
  const builder = new TextBuilder();
  decode(raw, token.startOffset + 1, source, diagnostics, builder);
  return builder.finish(source.span(token.startOffset, token.startOffset + image.length));
}

/**
 * A `"""text block"""` to a Text: the first line break after the opening quotes and the last before the
 * closing ones are dropped, and the indentation common to all lines is removed.
 */
export function decodeTextBlock(token: IToken, source: SourceText, diagnostics: Diagnostic[]): Text {
  const image = token.image;
  const closed = image.length >= 6 && image.endsWith('"""');
  const body = image.slice(3, closed ? -3 : undefined);
  const base = token.startOffset + 3;
  let lines: Piece[][] = [[]];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === "\n") lines.push([]);
    else if (ch !== "\r") lines[lines.length - 1]!.push({ ch, at: base + i });
  }
  if (lines.length > 1 && lines[0]!.every((p) => p.ch === " " || p.ch === "\t")) lines = lines.slice(1);
  if (lines.length > 1 && lines[lines.length - 1]!.every((p) => p.ch === " " || p.ch === "\t")) {
    lines = lines.slice(0, -1);
  }
  const indent = Math.min(
    ...lines
      .filter((l) => l.some((p) => p.ch !== " " && p.ch !== "\t"))
      .map((l) => l.findIndex((p) => p.ch !== " " && p.ch !== "\t")),
  );
  const cut = Number.isFinite(indent) ? indent : 0;
  const pieces: Piece[] = [];
  lines.forEach((line, n) => {
    if (n > 0) pieces.push({ ch: "\n", at: line[0]?.at ?? base });
    pieces.push(...line.slice(cut));
  });
  const builder = new TextBuilder();
  decode(
    pieces.map((p) => p.ch).join(""),
    base,
    source,
    diagnostics,
    builder,
    pieces.map((p) => p.at),
  );
  return builder.finish(source.span(token.startOffset, token.startOffset + image.length));
}

/**
 * A command in backticks to its argument vector, split as a POSIX shell splits words: blanks separate
 * arguments, single quotes keep everything, double quotes keep blanks and allow `\"`, `\\`, `\$` and
 * `${...}`, a backslash outside quotes keeps the next character. Nothing else of the shell applies: there
 * are no pipes, globs or variables, and the command is never given to a shell.
 */
export function decodeCommand(token: IToken, source: SourceText, diagnostics: Diagnostic[]): Command {
  const image = token.image;
  const closed = token.tokenType !== T.UnterminatedCommand;
  const raw = closed ? image.slice(1, -1) : image.slice(1);
  const base = token.startOffset + 1;
  const span = source.span(token.startOffset, token.startOffset + image.length);
  const argv: Text[] = [];
  let builder: TextBuilder | undefined;
  let start = 0;
  const flush = (end: number) => {
    if (builder) argv.push(builder.finish(source.span(base + start, base + end)));
    builder = undefined;
  };
  const word = (i: number): TextBuilder => {
    if (!builder) {
      builder = new TextBuilder();
      start = i;
    }
    return builder;
  };
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i]!;
    if (ch === " " || ch === "\t") {
      flush(i);
      i++;
      continue;
    }
    if (ch === "'") {
      const close = raw.indexOf("'", i + 1);
      const b = word(i);
      if (close < 0) {
        diagnostics.push(
          diagnostic("DPL1014", "this single quote is not closed", source.span(base + i, base + i + 1), {
            help: "close the quoted argument with `'`",
          }),
        );
        for (const c of raw.slice(i + 1)) b.push(c);
        i = raw.length;
        continue;
      }
      for (const c of raw.slice(i + 1, close)) b.push(c);
      i = close + 1;
      continue;
    }
    if (ch === '"') {
      const b = word(i);
      let j = i + 1;
      let closedQuote = false;
      while (j < raw.length) {
        const c = raw[j]!;
        if (c === '"') {
          closedQuote = true;
          break;
        }
        if (c === "\\" && j + 1 < raw.length && '"\\$`'.includes(raw[j + 1]!)) {
          b.push(raw[j + 1]!);
          j += 2;
          continue;
        }
        if (c === "$" && raw[j + 1] === "{") {
          const { ref, next } = readInterpolation(raw, j, base, source, diagnostics);
          if (ref) b.ref(ref);
          j = next;
          continue;
        }
        b.push(c);
        j++;
      }
      if (!closedQuote) {
        diagnostics.push(
          diagnostic("DPL1014", "this double quote is not closed", source.span(base + i, base + i + 1), {
            help: 'close the quoted argument with `"`',
          }),
        );
      }
      i = j + 1;
      continue;
    }
    if (ch === "\\") {
      const b = word(i);
      if (i + 1 < raw.length) b.push(raw[i + 1]!);
      i += 2;
      continue;
    }
    if (ch === "$" && raw[i + 1] === "{") {
      const { ref, next } = readInterpolation(raw, i, base, source, diagnostics);
      if (ref) word(i).ref(ref);
      i = next;
      continue;
    }
    word(i).push(ch);
    i++;
  }
  flush(raw.length);
  return { argv, raw: rawCommand(raw, base, source).finish(span), span };
}

/**
 * The command exactly as written between the backticks, so that a checklist shows what to paste into a
 * shell: quotes and backslashes are kept, and only `${...}` references (not in single quotes, not after a
 * backslash) become references, to be filled in per site. Their problems are reported with the arguments.
 */
function rawCommand(raw: string, base: number, source: SourceText): TextBuilder {
  const text = new TextBuilder();
  let single = false;
  let double = false;
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i]!;
    if (ch === "\\" && !single && i + 1 < raw.length) {
      text.push(ch + raw[i + 1]!);
      i += 2;
      continue;
    }
    if (ch === "'" && !double) single = !single;
    if (ch === '"' && !single) double = !double;
    if (ch === "$" && raw[i + 1] === "{" && !single) {
      const { ref, next } = readInterpolation(raw, i, base, source, []);
      if (ref) text.ref(ref);
      else text.push(raw.slice(i, next));
      i = next;
      continue;
    }
    text.push(ch);
    i++;
  }
  return text;
}

export { parseDuration } from "./duration.js";
