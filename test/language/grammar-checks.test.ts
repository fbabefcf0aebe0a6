import { Lexer as PackageLexer } from "chevrotain";
import { describe, expect, it } from "vitest";
import { Lexer } from "../../src/language/chevrotain.js";
import { createLexer } from "../../src/language/lexer.js";
import { DplParser } from "../../src/language/parser.js";

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
