import type { IToken } from "chevrotain";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/span.js";
import { withLines } from "./lexer.js";
import * as T from "./tokens.js";

/** What bracket matching found, and where its findings explain the parser's errors. */
export interface BracketReport {
  readonly diagnostics: Diagnostic[];
  /** Offsets of tokens before which a missing closing bracket probably belongs. */
  readonly hints: ReadonlySet<number>;
  /** Offsets of closing brackets that close nothing. */
  readonly strays: ReadonlySet<number>;
  /** The DPL1007 of each closing bracket that closes nothing, by its offset. */
  readonly strayDiagnostics: ReadonlyMap<number, Diagnostic>;
}

const pairs: Record<string, string> = { "{": "}", "(": ")", "[": "]" };

function isOpener(t: IToken): boolean {
  return t.tokenType === T.LCurly || t.tokenType === T.LParen || t.tokenType === T.LBracket;
}

function isCloser(t: IToken): boolean {
  return t.tokenType === T.RCurly || t.tokenType === T.RParen || t.tokenType === T.RBracket;
}

interface Matching {
  readonly unclosed: IToken[];
  readonly strays: IToken[];
}

/**
 * Brackets that are never closed and closing brackets that close nothing, found by matching them over the
 * tokens (strings and comments are already out of the way). Never reports anything on a balanced file.
 * When the file is not balanced, the indentation decides which bracket lacks its partner: a `}` that
 * starts a line closes the bracket opened on the line indented like it, so a phase that lacks its `}` is
 * reported, not the procedure around it, and a `}` indented deeper than the line of the innermost open
 * block is one too many. The message points at the opening bracket and at the line
 * where the closing one probably belongs.
 */
export function checkBrackets(tokens: readonly IToken[], source: SourceText): BracketReport {
  const plain = match(tokens, source, false);
  const empty: BracketReport = {
    diagnostics: [],
    hints: new Set(),
    strays: new Set(),
    strayDiagnostics: new Map(),
  };
  if (plain.unclosed.length === 0 && plain.strays.length === 0) return empty;
  withLines(tokens, source);
  const indented = match(tokens, source, true);
  const count = (m: Matching) => m.unclosed.length + m.strays.length;
  const pick = count(indented) <= count(plain) ? indented : plain;
  const diagnostics: Diagnostic[] = [];
  const hints = new Set<number>();
  const strayDiagnostics = new Map<number, Diagnostic>();
  for (const t of pick.strays) {
    const d = diagnostic(
      "DPL1007",
      `this \`${t.image}\` closes nothing`,
      source.span(t.startOffset, t.startOffset + 1),
      { label: "no matching opening bracket", help: "remove it, or add the opening bracket it belongs to" },
    );
    strayDiagnostics.set(t.startOffset, d);
    diagnostics.push(d);
  }
  const indexOf = new Map<IToken, number>();
  tokens.forEach((t, i) => {
    if (isOpener(t)) indexOf.set(t, i);
  });
  for (const open of pick.unclosed) {
    const { d, hint } = unclosed(indexOf.get(open) ?? 0, tokens, source);
    if (hint !== undefined) hints.add(hint);
    diagnostics.push(d);
  }
  return {
    diagnostics,
    hints,
    strays: new Set(pick.strays.map((t) => t.startOffset)),
    strayDiagnostics,
  };
}

function match(tokens: readonly IToken[], source: SourceText, byIndent: boolean): Matching {
  const stack: IToken[] = [];
  const unclosedOnes: IToken[] = [];
  const strays: IToken[] = [];
  for (const t of tokens) {
    if (isOpener(t)) {
      stack.push(t);
      continue;
    }
    if (!isCloser(t)) continue;
    let at = findLastIndex(stack, (o) => pairs[o.image] === t.image);
    if (byIndent && at >= 0 && startsLine(t, source)) {
      const indent = indentationOf(source, t.startLine ?? 1);
      const top = stack[stack.length - 1]!;
      const topIndent = indentationOf(source, top.startLine ?? 1);
      if (topIndent < indent) {
        // Indented deeper than the line that opened the innermost block: one `}` too many.
        strays.push(t);
        continue;
      }
      if (topIndent > indent) {
        const same = findLastIndex(
          stack,
          (o) => pairs[o.image] === t.image && indentationOf(source, o.startLine ?? 1) === indent,
        );
        if (same >= 0) at = same;
      }
    }
    if (at >= 0) {
      // Openers between the match and the top of the stack were never closed.
      unclosedOnes.push(...stack.splice(at).slice(1));
    } else {
      strays.push(t);
    }
  }
  unclosedOnes.push(...stack);
  unclosedOnes.sort((a, b) => a.startOffset - b.startOffset);
  return { unclosed: unclosedOnes, strays };
}

/** How far to look for the line where a missing closing bracket belongs. */
const HINT_REACH = 5000;

function unclosed(
  at: number,
  tokens: readonly IToken[],
  source: SourceText,
): { d: Diagnostic; hint?: number } {
  const open = tokens[at]!;
  const close = pairs[open.image]!;
  const indent = indentationOf(source, open.startLine ?? 1);
  let hint: IToken | undefined;
  for (let i = at + 1; i < Math.min(tokens.length, at + HINT_REACH); i++) {
    const t = tokens[i]!;
    if (startsLine(t, source) && (t.startColumn ?? 1) - 1 <= indent) {
      if (t.image !== close) hint = t;
      break;
    }
  }
  const d = diagnostic(
    "DPL1008",
    `\`${open.image}\` is never closed`,
    source.span(open.startOffset, open.startOffset + 1),
    {
      label: `this \`${open.image}\` has no matching \`${close}\``,
      help: hint
        ? `add \`${close}\` before line ${hint.startLine}`
        : `add \`${close}\` at the end of the file`,
    },
  );
  return hint ? { d, hint: hint.startOffset } : { d };
}

function startsLine(t: IToken, source: SourceText): boolean {
  return (t.startColumn ?? 1) - 1 === indentationOf(source, t.startLine ?? 1);
}

function indentationOf(source: SourceText, line: number): number {
  const text = source.lineText(line);
  return text.length - text.trimStart().length;
}

function findLastIndex<T>(list: readonly T[], test: (t: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return i;
  return -1;
}
