import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createSyntaxDiagramsCode } from "chevrotain";
import { parserInstance } from "../../src/language/parser.js";

/**
 * The syntax diagrams of `.dpl` (grammar/syntax-diagrams.html), generated from the parser itself so that
 * they cannot drift from it. Chevrotain's page loads its drawing code from a CDN; this one carries that
 * code (chevrotain's diagrams scripts and the railroad-diagrams library, CC0) inline, so it opens offline
 * from the file system.
 */
export const DIAGRAMS_PATH = "grammar/syntax-diagrams.html";

const PLACEHOLDER = "INLINE/";

function diagramsDir(): string {
  const entry = createRequire(import.meta.url).resolve("chevrotain");
  // The package's entry point is lib/src/api.js; its diagrams folder sits at the package's root.
  let dir = dirname(entry);
  while (!dir.endsWith("chevrotain")) dir = dirname(dir);
  return join(dir, "diagrams");
}

/** A script's text made safe to sit inside a `<script>` element. */
function inlineScript(code: string): string {
  return code.replace(/<\/script/gi, "<\\/script");
}

/** The whole page, deterministic for a given grammar and chevrotain version. */
export function syntaxDiagramsHtml(): string {
  const grammar = parserInstance().getSerializedGastProductions();
  const page = createSyntaxDiagramsCode(grammar, {
    resourceBase: PLACEHOLDER,
    css: `${PLACEHOLDER}diagrams.css`,
  });
  const dir = diagramsDir();
  const withScripts = page.replace(
    new RegExp(`<script src='${PLACEHOLDER}([^']+)'></script>`, "g"),
    (_, file: string) => `<script>\n${inlineScript(readFileSync(join(dir, file), "utf8"))}\n</script>`,
  );
  const withCss = withScripts.replace(
    `<link rel='stylesheet' href='${PLACEHOLDER}diagrams.css'>`,
    () => `<style>\n${readFileSync(join(dir, "diagrams.css"), "utf8")}\n</style>`,
  );
  const title =
    "<title>.dpl syntax diagrams</title>\n" +
    "<!-- The grammar of .dpl as chevrotain draws it, from src/language/parser.ts. Regenerate with\n" +
    "     `npm run diagrams`; a test fails when this file is stale. Open it in any browser: it needs no network. -->\n";
  if (withCss.includes(PLACEHOLDER)) throw new Error("a resource of the diagrams page was not inlined");
  return withCss.replace('<meta charset="utf-8">', `<meta charset="utf-8">\n${title}`);
}
