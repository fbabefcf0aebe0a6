import { readFileSync } from "node:fs";
import type { CstNode, IToken } from "chevrotain";
import { describe, expect, it } from "vitest";
import { renderText } from "../../src/diagnostics/render.js";
import { SourceText } from "../../src/diagnostics/span.js";
import { lex } from "../../src/language/lexer.js";
import { parse } from "../../src/language/parse.js";
import { parserInstance } from "../../src/language/parser.js";
import * as T from "../../src/language/tokens.js";
import { compactJson, expectGolden, fixturesIn, outlineValue } from "./golden.js";

/**
 * Every valid fixture parses without a single diagnostic, and its AST (spans as line:column) matches the
 * `.ast.json` beside it. `UPDATE_GOLDEN=1` rewrites the expected files.
 */
const fixtures = fixturesIn("valid");

describe("valid fixtures", () => {
  it("exist", () => {
    expect(fixtures.length).toBeGreaterThan(5);
  });

  for (const path of fixtures) {
    it(`${path} parses cleanly to its golden AST`, () => {
      const text = readFileSync(path, "utf8");
      const result = parse(path, text);
      const shown = renderText(result.diagnostics, () => result.source);
      expect(result.diagnostics, shown).toEqual([]);
      expectGolden(path.replace(/\.dpl$/, ".ast.json"), `${compactJson(outlineValue(result.file))}\n`);
    });
  }
});

/** The CST node names and token types that the valid fixtures use. */
function usage(): { rules: Set<string>; tokens: Set<string>; comments: number } {
  const rules = new Set<string>();
  const tokens = new Set<string>();
  let comments = 0;
  const walk = (node: CstNode) => {
    rules.add(node.name);
    for (const children of Object.values(node.children)) {
      for (const child of children) {
        if ("children" in child) walk(child);
        else tokens.add((child as IToken).tokenType.name);
      }
    }
  };
  const parser = parserInstance();
  for (const path of fixtures) {
    const lexed = lex(new SourceText(path, readFileSync(path, "utf8")));
    comments += lexed.comments.length;
    parser.input = lexed.tokens;
    walk(parser.file());
  }
  return { rules, tokens, comments };
}

/** Every `kind`, and every clause, that appears in the ASTs of the valid fixtures. */
function astUsage(): { kinds: Set<string>; clauses: Set<string> } {
  const kinds = new Set<string>();
  const clauses = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object" && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        if (k === "kind" && typeof child === "string") kinds.add(child);
        if (k === "clauses" && typeof child === "object" && child) {
          for (const c of Object.keys(child)) clauses.add(c);
        }
        walk(child);
      }
    }
  };
  for (const path of fixtures) walk(parse(path, readFileSync(path, "utf8")).file);
  return { kinds, clauses };
}

describe("the valid fixtures cover the language", () => {
  const used = usage();

  it("use every rule of the grammar", () => {
    const all = Object.keys(parserInstance().getGAstProductions());
    expect(all.filter((r) => !used.rules.has(r))).toEqual([]);
  });

  it("use every token, every keyword and every state, and comments", () => {
    const errorTokens = new Set<string>([
      T.UnterminatedString.name,
      T.UnterminatedTextBlock.name,
      T.UnterminatedCommand.name,
      T.BadDuration.name,
      T.SingleQuotedString.name,
      T.SlashComment.name,
    ]);
    const concrete = T.allTokens.filter(
      // `Lexer.NA` compared by its text: the front end may load its own copy of chevrotain.
      (t) => t.PATTERN !== undefined && String(t.PATTERN) !== "/NOT_APPLICABLE/" && !errorTokens.has(t.name),
    );
    const missing = concrete
      .map((t) => t.name)
      .filter((n) => n !== T.WhiteSpace.name && n !== T.Comment.name && !used.tokens.has(n));
    expect(missing).toEqual([]);
    expect(used.comments).toBeGreaterThan(0);
  });

  it("hold every kind of node and every clause", () => {
    const { kinds, clauses } = astUsage();
    const expected = [
      // declarations
      ...["import", "site", "group", "rules", "ignore", "procedure", "plan", "document"],
      ...["host", "app", "kubernetes", "unknown", "phase", "parallel", "admonition", "step"],
      // steps
      ...["transition", "script", "run", "scale", "delete-jobs", "delete-jobs-of", "annotate", "wait"],
      ...["wait-until", "expect"],
      ...["sync", "set-compatibility", "manual", "notify", "temporarily", "undo"],
      // conditions, targets, values, expressions, what to do on a timeout
      ...["lag", "ready", "compatibility", "state", "everything", "runner", "project", "ref"],
      ...["text", "number", "duration", "bool", "list", "object", "word"],
      ...["param", "compare", "not", "and", "or", "fail", "continue", "ask"],
    ];
    expect(expected.filter((k) => !kinds.has(k))).toEqual([]);
    const allClauses = [
      ...["only", "except", "when", "after", "by", "check", "cite", "confirm", "url", "because"],
      ...["timeout", "every", "duration", "retry", "critical", "doConfirm", "command", "onTimeout"],
    ];
    expect(allClauses.filter((c) => !clauses.has(c))).toEqual([]);
  });
});
