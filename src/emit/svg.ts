/**
 * SVG from DOT, rendered offline by Graphviz compiled to WebAssembly (`@hpcc-js/wasm-graphviz`). The module
 * is large and slow to start, so it is imported on the first call only: nothing that does not draw an SVG
 * ever loads it. The same DOT gives the same SVG with the same Graphviz version.
 */

type GraphvizInstance = { dot(source: string, format?: "svg"): string };
let loading: Promise<GraphvizInstance> | undefined;

async function graphviz(): Promise<GraphvizInstance> {
  loading ??= import("@hpcc-js/wasm-graphviz").then((m) => m.Graphviz.load());
  return loading;
}

/**
 * Lays out a DOT graph and returns the SVG document (with its XML prolog), ending with a newline.
 * Throws an Error with Graphviz's message if the DOT does not parse.
 */
export async function renderSvg(dot: string): Promise<string> {
  const gv = await graphviz();
  const svg = gv.dot(dot, "svg");
  return svg.endsWith("\n") ? svg : `${svg}\n`;
}

/**
 * An SVG document made fit to inline in HTML: the XML prolog, doctype and comments removed, starting at
 * `<svg`. Throws if the text holds no `<svg` element or holds a script, which Graphviz never writes.
 */
export function inlineSvg(svg: string): string {
  const start = svg.indexOf("<svg");
  if (start < 0) throw new Error("inlineSvg: no <svg> element");
  const body = svg
    .slice(start)
    .replace(/<!--[\s\S]*?-->\n?/g, "")
    .trimEnd();
  // Graphviz escapes `<` in text, so every `<...>` is a real tag: look at the tags only.
  for (const tag of body.match(/<[^>]*>/g) ?? []) {
    if (/^<\/?\s*(script|foreignObject)\b/i.test(tag) || /\son[a-z]+\s*=/i.test(tag)) {
      throw new Error("inlineSvg: the SVG holds active content");
    }
  }
  return body;
}
