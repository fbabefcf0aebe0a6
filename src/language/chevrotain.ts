import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type * as Chevrotain from "chevrotain";

/**
 * Chevrotain's values, loaded from the single-file build that the package ships beside its sources
 * (`lib/chevrotain.mjs`, the same version's code), falling back to the package's entry point if that file
 * is not there. Every module of the front end takes chevrotain's values from here and never from
 * "chevrotain" itself, so that the process holds one copy: token types and `EOF` are compared by identity.
 *
 * NOTE: the package's entry point is its sources as some 50 ES modules that import lodash-es one function
 * per module: about 700 files for the ESM loader to resolve, read and link, which was most of the start-up
 * of `plan check` (bench/RESULTS.md). The package's `exports` do not list the bundle, so it is found next
 * to the entry point that `require.resolve` names.
 */
async function loadChevrotain(): Promise<typeof Chevrotain> {
  try {
    const entry = createRequire(import.meta.url).resolve("chevrotain");
    return (await import(new URL("../chevrotain.mjs", pathToFileURL(entry)).href)) as typeof Chevrotain;
  } catch {
    return await import("chevrotain");
  }
}

const chevrotain = await loadChevrotain();

export const { createToken, CstParser, EOF, Lexer, LLkLookaheadStrategy } = chevrotain;
export type Lexer = Chevrotain.Lexer;
