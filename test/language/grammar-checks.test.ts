import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Lexer as PackageLexer } from "chevrotain";
import { describe, expect, it } from "vitest";
import { SourceText } from "../../src/diagnostics/span.js";
import { Lexer } from "../../src/language/chevrotain.js";
import { createLexer, lex } from "../../src/language/lexer.js";
import { parse } from "../../src/language/parse.js";
import { DplParser, parserInstance, strictParserInstance } from "../../src/language/parser.js";

/**
 * `plan` builds its lexer and parser without chevrotain's checks of the grammar, which cost start-up time
 * and can only fail when the grammar changes; these tests run those checks on the grammar as it is.
 */
describe("the grammar", () => {
  it("passes chevrotain's checks of the tokens", () => {
    expect(() => createLexer({ validate: true })).not.toThrow();
  });

  it("passes chevrotain's checks of the grammar (ambiguities, left recursion, unreachable alternatives)", () => {
    expect(() => new DplParser({ validate: true })).not.toThrow();
  });

  it("is built with chevrotain's single-file build, not the package's many modules", () => {
    expect(Lexer).not.toBe(PackageLexer);
    expect(Lexer.NA).toBeInstanceOf(RegExp);
  });
});

describe("the parser without recovery, which reads files first", () => {
  it("builds the same tree as the recovering parser on every valid fixture", () => {
    const dir = "test/language/fixtures/valid";
    const files = readdirSync(dir).filter((f) => f.endsWith(".dpl"));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const tokens = lex(new SourceText(f, readFileSync(join(dir, f), "utf8"))).tokens;
      const strict = strictParserInstance();
      strict.input = tokens;
      const a = strict.file();
      expect(strict.errors).toEqual([]);
      const recovering = parserInstance();
      recovering.input = tokens;
      expect(recovering.file()).toEqual(a);
    }
  });

  it("leaves a file with errors to the recovering parser, which reports every error", () => {
    const text = "procedure p {\n  phase a {\n    wait 5x\n    sync\n  }\n  phase b { restart Watcher }\n}\n";
    const result = parse("broken.dpl", text);
    expect(result.diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(result.file.declarations).toHaveLength(1);
  });
});

describe("after a file is parsed", () => {
  it("neither parser keeps its tokens", () => {
    parse("valid.dpl", 'group g "G" { Watcher }\n');
    expect(strictParserInstance().input).toEqual([]);
    parse("broken.dpl", "group g {\n");
    expect(strictParserInstance().input).toEqual([]);
    expect(parserInstance().input).toEqual([]);
  });
});
