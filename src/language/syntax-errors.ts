import type { IRecognitionException, IToken, TokenType } from "chevrotain";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/span.js";
import { closest } from "../diagnostics/suggest.js";
import type { BracketReport } from "./brackets.js";
import { EOF } from "./chevrotain.js";
import { type LexResult, withLines } from "./lexer.js";
import { expectedAt } from "./parser.js";
import * as T from "./tokens.js";

/** The parser's errors as diagnostics: codes, messages in words, a help line, and no cascades. */

export function isEof(t: IToken): boolean {
  return t.tokenType === EOF || Number.isNaN(t.startOffset);
}

/**
 * The parser's errors as diagnostics, without the errors that one mistake causes after the first: errors
 * where a missing bracket belongs, at a token already reported, on the line of an earlier error, at the
 * end of a file that a bracket or text block leaves open, and the stray `}` of a block whose `{` is missing.
 */
export function syntaxErrors(
  errors: IRecognitionException[],
  lexed: LexResult,
  brackets: BracketReport,
  source: SourceText,
): Diagnostic[] {
  const tokens = lexed.tokens;
  if (errors.length > 0 || brackets.diagnostics.length > 0) withLines(tokens, source);
  // A text block that is never closed runs to the end of the file and takes the closing brackets with it.
  const openTextBlock = tokens.some((t) => t.tokenType === T.UnterminatedTextBlock);
  const fromBrackets = brackets.diagnostics.filter((d) => !(openTextBlock && d.code === "DPL1008"));
  const unclosedOnes = fromBrackets.filter((d) => d.code === "DPL1008");
  const unclosed = openTextBlock || unclosedOnes.length > 0;
  const removed = new Set<Diagnostic>();
  const out: Diagnostic[] = [];
  const seenTokens = new Set<number>(brackets.strays);
  const errorLines = new Set<number>(lexed.diagnostics.map((d) => d.span?.line ?? 0));
  const strays = [...brackets.strayDiagnostics].sort((a, b) => a[0] - b[0]);
  const hintLines = new Set([...brackets.hints].map((at) => source.position(at).line));
  const openAtEnd = unclosedOnes.filter((d) => d.help?.includes("end of the file"));
  const unclosedByKind = new Map<string, Diagnostic[]>();
  for (const d of unclosedOnes) {
    const kind = source.text.charAt(d.span!.start);
    unclosedByKind.set(kind, [...(unclosedByKind.get(kind) ?? []), d]);
  }
  errors.forEach((e, index) => {
    const token = e.token;
    const expected = expectedAt.get(token) ?? [];
    const wantsCloser = expected.length === 1 && closers.includes(expected[0]!);
    if (isEof(token)) {
      // A file cut short in the middle of a statement: one error, with the brackets it leaves open.
      if (openTextBlock || (unclosed && (wantsCloser || openAtEnd.length === 0))) return;
      for (const d of openAtEnd) removed.add(d);
      const d = parseErrorDiagnostic(e, source, tokens);
      const related = openAtEnd.map((o) => ({ span: o.span!, message: "still open here" }));
      out.push({ ...d, ...(related.length ? { related } : {}) });
      return;
    }
    if (seenTokens.has(token.startOffset) || errorLines.has(token.startLine ?? 0)) return;
    if (hintLines.has(token.startLine ?? 0)) return; // where a missing bracket belongs
    // Where a declaration was expected: the end of the input, or recovery in the file's repetition.
    if ((e.context?.ruleStack?.length ?? 0) <= 1) {
      // After an error, recovery may end the file early at a `}` that does close a block; after a `}`
      // too many, the parser's file ends where that `}` closes the outer block.
      if (index > 0 && token.tokenType === T.RCurly) return;
      if (strays.length > 0 && strays[0]![0] < token.startOffset) return;
    }
    seenTokens.add(token.startOffset);
    errorLines.add(token.startLine ?? 0);
    let d = parseErrorDiagnostic(e, source, tokens);
    if (e.name === "MismatchedTokenException" && expected.length === 1 && expected[0] === T.LCurly) {
      // The `}` of a block whose `{` is missing closes nothing: the same mistake.
      let i = firstAfter(strays, token.startOffset, (x) => x[0]);
      while (i < strays.length && removed.has(strays[i]![1])) i++;
      if (i < strays.length) removed.add(strays[i]![1]);
    }
    if (e.name === "MismatchedTokenException" && wantsCloser) {
      // `(x: int {`: the `(` that is never closed is the same mistake, shown beside it.
      const candidates = unclosedByKind.get(openerOf[expected[0]!.name] ?? "") ?? [];
      let i = firstAfter(candidates, token.startOffset - 1, (o) => o.span!.start) - 1;
      while (i >= 0 && removed.has(candidates[i]!)) i--;
      const open = candidates[i];
      if (open) {
        removed.add(open);
        const close = { RCurly: "}", RParen: ")", RBracket: "]" }[expected[0]!.name] ?? "";
        d = {
          ...d,
          label: `expected \`${close}\` before this`,
          related: [{ span: open.span!, message: "opened here" }],
        };
      }
    }
    out.push(d);
  });
  return [...fromBrackets.filter((d) => !removed.has(d)), ...out];
}

/** The index of the first item whose key is greater than `at`, in a list sorted by that key. */
function firstAfter<I>(list: readonly I[], at: number, key: (item: I) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid]!) > at) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const closers = [T.RCurly, T.RParen, T.RBracket];
const openerOf: Record<string, string> = { RCurly: "{", RParen: "(", RBracket: "[" };

/** Rules where an item (a declaration, a step) starts: an error there is at the token, not before it. */
export const itemStarts = new Set([
  "file",
  "topDecl",
  "siteItem",
  "procItem",
  "phaseItem",
  "step",
  "stepCore",
]);

const stepStarts = new Set<TokenType>([
  ...[T.Offline, T.Standby, T.Disable, T.Enable, T.Script, T.Run, T.Scale, T.Delete, T.Annotate, T.Wait],
  ...[T.Expect, T.Sync, T.SetKw, T.Manual, T.Notify, T.Temporarily, T.Undo],
]);

const stepWords =
  "offline, standby, disable, enable, script, run, scale, delete, annotate, wait, expect, sync, set, " +
  "manual, notify, temporarily or undo";

export function parseErrorDiagnostic(
  e: IRecognitionException,
  source: SourceText,
  tokens: IToken[],
): Diagnostic {
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
  const previous = tokenBefore(tokens, token);
  const expectsName = expected.some((t) => t === T.Ident || t === T.Word);
  if (T.keywordTokens.includes(token.tokenType) && expectsName) {
    return diagnostic("DPL1011", `\`${token.image}\` is a keyword and cannot be used as a name`, span, {
      label: "a keyword",
      help: `choose another name, such as \`${token.image}-1\`, or quote it where a string is allowed`,
    });
  }
  // `wait: wait 1s`: a keyword written as a step's label.
  if (
    token.tokenType === T.Colon &&
    previous &&
    T.keywordTokens.includes(previous.tokenType) &&
    previous.startOffset + previous.image.length === token.startOffset
  ) {
    const at = source.span(previous.startOffset, previous.startOffset + previous.image.length);
    return diagnostic("DPL1011", `\`${previous.image}\` is a keyword and cannot be used as a label`, at, {
      label: "a keyword",
      help: `choose another label, such as \`${previous.image}-1\``,
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
  const help = errorHelp(e, token, expected, previous);
  // A statement cut short (`timeout` and then a new line): what is missing belongs after the token before.
  const atItemStart =
    e.name === "NotAllInputParsedException" || itemStarts.has(e.context?.ruleStack?.at(-1) ?? "");
  const wantsCloser = expected.length === 1 && closers.includes(expected[0]!);
  if (
    previous &&
    !atItemStart &&
    !wantsCloser &&
    (previous.endLine ?? previous.startLine ?? 0) < (token.startLine ?? 0)
  ) {
    const wanted = e.message.slice(0, Math.max(0, e.message.indexOf(", found ")));
    const at = source.span(previous.startOffset, previous.startOffset + previous.image.length);
    return diagnostic("DPL1007", e.message, at, {
      label: wanted ? `${wanted} after this` : "unexpected after this",
      ...(help ? { help } : {}),
    });
  }
  return diagnostic("DPL1007", e.message, span, { label: "unexpected here", ...(help ? { help } : {}) });
}

/** A help line for a parse error, where there is more to say than what was expected. */
function errorHelp(
  e: IRecognitionException,
  token: IToken,
  expected: TokenType[],
  previous: IToken | undefined,
): string | undefined {
  const rules = e.context?.ruleStack ?? [];
  if (rules.at(-1) === "stepCore") return `a step starts with ${stepWords}`;
  if (rules.length <= 1) {
    return "a file holds imports, sites, groups, rules, ignore entries, procedures, plans and documents";
  }
  if (rules.at(-1) === "procedureDecl" && stepStarts.has(token.tokenType)) {
    return "steps belong in a phase: `phase <name> { … }`";
  }
  if ((token.tokenType === T.RParen || token.tokenType === T.RBracket) && previous?.tokenType === T.Comma) {
    return `remove the \`,\` before \`${token.image}\``;
  }
  if (expected.includes(T.ScriptName)) return "a ScriptQueue script is named with its path and `.py`";
  const wantsState = expected.some((t) => t === T.State || t.CATEGORIES?.includes(T.State));
  if (wantsState && token.tokenType === T.Ident) {
    const state =
      closest(token.image.toUpperCase(), T.stateNames) ??
      T.stateNames.find((s) => s === token.image.toUpperCase());
    if (state) return `did you mean \`${state}\`? States are written in capitals`;
  }
  return undefined;
}

/** The token just before `token` in the file, if any. */
export function tokenBefore(tokens: readonly IToken[], token: IToken): IToken | undefined {
  let lo = 0;
  let hi = tokens.length - 1;
  let found: IToken | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = tokens[mid]!;
    if (t.startOffset < token.startOffset) {
      found = t;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The words of the keywords among the expected tokens, categories (such as "a state verb") expanded. */
export function keywordWords(expected: TokenType[]): string[] {
  const words = new Set<string>();
  for (const t of expected) {
    if (T.keywordTokens.includes(t)) words.add(String(t.LABEL).replace(/`/g, ""));
    for (const k of T.keywordTokens) {
      if (k.CATEGORIES?.includes(t) && t !== T.Word) words.add(String(k.LABEL).replace(/`/g, ""));
    }
  }
  return [...words];
}
