import Handlebars from "handlebars";
import { codeSpan, escapeInline, escapeLine, fencedBlock, indentLines } from "./markdown-text.js";
import type { Run } from "./text.js";

/**
 * The handlebars templates of the checklists (in `templates/` of the package): one main template and a
 * partial per part (header, summary, phase, step, admonition, ...) for each format. They are compiled in
 * strict mode, so a template that names a field the view does not have is an error rather than an empty
 * string, and with `knownHelpersOnly`, so a misspelt helper is an error at compile time.
 *
 * Markdown is compiled without HTML escaping; every plan-derived string goes through a Markdown helper
 * (`md`, `runs`, `code`, `fence`). HTML is compiled with handlebars' escaping on; the only unescaped
 * output is the stylesheet and script partials and the SVG drawn by Graphviz (which escapes its labels).
 */

export type ChecklistFormat = "md" | "html";

/** Reads a template file by its path relative to the templates folder; `undefined` if it does not exist. */
export type TemplateReader = (path: string) => string | undefined;

const PARTIALS: Record<ChecklistFormat, readonly string[]> = {
  md: ["header", "summary", "phase", "admonition", "step", "detail", "signoff", "graph"],
  html: ["header", "summary", "phase", "admonition", "step", "detail", "signoff", "graph", "style", "script"],
};

/** Partials that are not of the document's own language: the stylesheet and the script of the page. */
const FILE_NAMES: Record<string, string> = { style: "style.css", script: "script.js" };

const EXT: Record<ChecklistFormat, string> = { md: "md", html: "html" };
const DIR: Record<ChecklistFormat, string> = { md: "markdown", html: "html" };

/** The template files of a format, relative to the templates folder, main template first. */
export function templateFiles(format: ChecklistFormat): string[] {
  return [
    `${DIR[format]}/checklist.${EXT[format]}.hbs`,
    ...PARTIALS[format].map((p) => partialPath(format, p)),
  ];
}

function partialPath(format: ChecklistFormat, name: string): string {
  return `${DIR[format]}/partials/${FILE_NAMES[name] ?? `${name}.${EXT[format]}`}.hbs`;
}

/** A compiled checklist template: the context in, the document out. */
export type ChecklistTemplate = (context: object) => string;

/**
 * Reads and compiles the templates of one format. Throws an Error naming the file when a template is
 * missing or does not compile, and, when rendering, naming the field when a template uses a field that
 * the context does not have.
 */
export function compileChecklistTemplates(format: ChecklistFormat, read: TemplateReader): ChecklistTemplate {
  const hb = Handlebars.create();
  const helpers = format === "md" ? markdownHelpers() : htmlHelpers();
  for (const [name, fn] of Object.entries(helpers)) hb.registerHelper(name, fn);
  const options: CompileOptions = {
    strict: true,
    noEscape: format === "md",
    knownHelpers: Object.fromEntries(Object.keys(helpers).map((k) => [k, true])),
    knownHelpersOnly: true,
  };
  const load = (path: string) => {
    const text = read(path);
    if (text === undefined) throw new Error(`template ${path} is missing`);
    try {
      const template = hb.compile(text, options);
      // Compile now rather than on first use, so that a syntax error names its file.
      hb.precompile(text, options);
      return template;
    } catch (e) {
      throw new Error(`template ${path}: ${(e as Error).message}`);
    }
  };
  for (const name of PARTIALS[format]) hb.registerPartial(name, load(partialPath(format, name)));
  const main = load(templateFiles(format)[0]!);
  return (context) => main(context);
}

type CompileOptions = Parameters<typeof Handlebars.compile>[1];

function expectString(helper: string, value: unknown): string {
  if (typeof value !== "string")
    throw new Error(`helper ${helper}: expected a string, got ${describe(value)}`);
  return value;
}

function expectRuns(helper: string, value: unknown): Run[] {
  if (!Array.isArray(value))
    throw new Error(`helper ${helper}: expected runs of text, got ${describe(value)}`);
  return value as Run[];
}

function describe(value: unknown): string {
  return value === undefined ? "nothing (a missing field?)" : typeof value;
}

function isRunCode(run: Run): run is { code: string } {
  return typeof (run as { code?: unknown }).code === "string";
}

/** Only web addresses become links; anything else (`javascript:`, relative paths) stays text. */
export function isWebUrl(url: unknown): boolean {
  return typeof url === "string" && /^https?:\/\/[^\s<>"'`]+$/.test(url);
}

function markdownHelpers(): Record<string, Handlebars.HelperDelegate> {
  return {
    /** Inline prose, escaped. */
    md: (text: unknown) => escapeInline(expectString("md", text)),
    /** Runs of prose and code; `cell=true` inside a table, where `|` must be escaped even in code. */
    runs: (value: unknown, options: Handlebars.HelperOptions) => {
      const cell = options.hash.cell === true;
      return expectRuns("runs", value)
        .map((run, i) => {
          if (isRunCode(run)) return cell ? codeSpan(run.code).replace(/\|/g, "\\|") : codeSpan(run.code);
          const text = expectString("runs", run.text);
          return i === 0 ? escapeLine(text) : escapeInline(text);
        })
        .join("");
    },
    /** Inline code. */
    code: (text: unknown) => codeSpan(expectString("code", text)),
    /** A fenced code block that holds the text exactly. */
    fence: (text: unknown, lang: unknown) =>
      fencedBlock(expectString("fence", text), expectString("fence", lang)),
    /** A link for web addresses, inline code for anything else. */
    link: (url: unknown) => (isWebUrl(url) ? `<${url as string}>` : codeSpan(expectString("link", url))),
    /** Indents the block's lines, to nest it under a list item. */
    indent: function (this: unknown, width: unknown, options: Handlebars.HelperOptions) {
      if (typeof width !== "number") throw new Error("helper indent: expected a width");
      return indentLines(options.fn(this), width);
    },
  };
}

function htmlHelpers(): Record<string, Handlebars.HelperDelegate> {
  const esc = Handlebars.Utils.escapeExpression;
  return {
    /** Runs of prose and code, each escaped; code in `<code>`. */
    runs: (value: unknown) =>
      new Handlebars.SafeString(
        expectRuns("runs", value)
          .map((run) =>
            isRunCode(run)
              ? `<code>${esc(run.code)}</code>`
              : esc(expectString("runs", (run as { text: string }).text)),
          )
          .join(""),
      ),
    /** Whether a URL may become a link. */
    isWebUrl: (url: unknown) => isWebUrl(url),
  };
}
