/**
 * Markdown (CommonMark with GitHub's tables and task lists) for text that comes from a plan. The Markdown
 * templates are compiled without HTML escaping; every plan-derived string goes through one of these, so
 * that a title with `*`, `_`, `|`, `<script>` or `[x](y)` is shown as written and never becomes markup.
 */

// The characters that can start or end inline markup anywhere in a line (CommonMark and GFM): emphasis,
// code, links and images (`[`, and `]` before `(`), raw HTML and autolinks (`<`), tables, strikethrough.
const INLINE_SPECIAL = /[\\`*_[\]<|~]/g;
// `&` only where it would start a character reference such as `&amp;` or `&#60;`.
const ENTITY = /&(?=#?[A-Za-z0-9]+;)/g;

/**
 * Escapes prose for inline Markdown: markup characters get a backslash, runs of whitespace (newlines
 * included) become one space, as prose in a list item or a table cell is one line. The rendered text is
 * exactly the input, whitespace aside.
 */
export function escapeInline(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(INLINE_SPECIAL, (c) => `\\${c}`)
    .replace(ENTITY, "\\&");
}

/**
 * Escapes one line of prose that may start a Markdown line (as in a block quote): besides inline markup,
 * a leading `-`, `=`, `+`, `>`, `#` or `1.` would start a block, so it is escaped too, and leading
 * whitespace (which could make an indented code block) is dropped.
 */
export function escapeLine(text: string): string {
  const escaped = escapeInline(text).replace(/^ /, "");
  return escaped.replace(/^([-=+#>])/, "\\$1").replace(/^(\d+)([.)])/, "$1\\$2");
}

/**
 * Inline code that shows `code` exactly: the backtick fence is one longer than the longest run of
 * backticks inside, and padded with a space where CommonMark would otherwise misread or strip it.
 * Newlines become spaces, as in any code span. An empty string gives an empty-looking span.
 */
export function codeSpan(code: string): string {
  const flat = code.replace(/\r?\n/g, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad =
    flat.startsWith("`") ||
    flat.endsWith("`") ||
    (flat.startsWith(" ") && flat.endsWith(" ") && flat.trim() !== "")
      ? " "
      : "";
  if (flat === "") return "` `";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * A fenced code block that holds `code` exactly, whatever it contains: the fence is a run of backticks
 * longer than any run of backticks in the code (at least three). `info` is the language (`sh`, `yaml`);
 * it must not contain backticks or newlines (it comes from the emitter, never from the plan).
 */
export function fencedBlock(code: string, info = ""): string {
  if (/[`\r\n]/.test(info)) throw new Error(`fencedBlock: bad info string ${JSON.stringify(info)}`);
  const body = code.replace(/\r\n/g, "\n").replace(/\n$/, "");
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

/** Indents every non-empty line of `text` by `width` spaces (to nest blocks under a list item). */
export function indentLines(text: string, width: number): string {
  const pad = " ".repeat(width);
  return text
    .split("\n")
    .map((line) => (line === "" ? line : pad + line))
    .join("\n");
}
