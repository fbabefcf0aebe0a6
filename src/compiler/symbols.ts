import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/span.js";
import type * as A from "../language/ast.js";
import { plainText } from "../language/ast.js";
import type { Program } from "./loader.js";

/** Every declaration visible to an entry: its file and everything it imports, transitively. */
export interface Symbols {
  readonly sites: ReadonlyMap<string, A.SiteDecl>;
  readonly groups: ReadonlyMap<string, A.GroupDecl>;
  readonly procedures: ReadonlyMap<string, A.Procedure>;
  readonly documents: ReadonlyMap<string, A.DocumentDecl>;
  readonly rules: readonly A.Rule[];
  readonly ignores: readonly A.IgnoreEntry[];
  readonly plans: readonly A.PlanDecl[];
}

/**
 * The files an entry sees, each once: its imports depth-first in the order written, each after what it
 * imports, and the entry last. A declaration is thus met after those it could have been copied from, so
 * that a name defined twice is reported at the same place whichever file is checked (an import before
 * the file that imports it).
 */
export function closureOf(program: Program, entry: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const next of program.imports.get(path) ?? []) visit(next);
    if (program.files.has(path)) out.push(path);
  };
  visit(entry);
  return out;
}

/**
 * Collects the declarations of some files into one table. A name defined twice is reported at the second
 * definition, pointing at the first; the first one is kept so later stages still have something to use.
 * `plans` holds only the entries of `entryFile`, since imported entries belong to their own files.
 */
export function collectSymbols(
  program: Program,
  files: readonly string[],
  entryFile?: string,
): {
  symbols: Symbols;
  diagnostics: Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  const sites = new Map<string, A.SiteDecl>();
  const groups = new Map<string, A.GroupDecl>();
  const procedures = new Map<string, A.Procedure>();
  const documents = new Map<string, A.DocumentDecl>();
  const rules: A.Rule[] = [];
  const ignores: A.IgnoreEntry[] = [];
  const plans: A.PlanDecl[] = [];
  const ruleLabels = new Map<string, Span>();

  const define = <T>(
    table: Map<string, T>,
    what: string,
    name: string,
    span: Span,
    decl: T,
    spanOf: (d: T) => Span,
  ) => {
    const earlier = table.get(name);
    if (earlier !== undefined) {
      diagnostics.push(
        diagnostic("DPL2012", `${what} \`${name}\` is defined twice`, span, {
          label: "defined again here",
          related: [{ span: spanOf(earlier), message: "first defined here" }],
          help: `give one of them another name, or remove one`,
        }),
      );
      return;
    }
    table.set(name, decl);
  };

  for (const path of files) {
    const file = program.files.get(path)?.file;
    if (!file) continue;
    for (const decl of file.declarations) {
      switch (decl.kind) {
        case "site":
          define(sites, "site", decl.name.value, decl.name.span, decl, (d) => d.name.span);
          break;
        case "group":
          define(groups, "group", decl.name.value, decl.name.span, decl, (d) => d.name.span);
          break;
        case "procedure":
          define(procedures, "procedure", decl.name.value, decl.name.span, decl, (d) => d.name.span);
          break;
        case "document": {
          const id = plainText(decl.id) ?? "";
          define(documents, "document", id, decl.id.span, decl, (d) => d.id.span);
          break;
        }
        case "rules":
          for (const rule of decl.rules) {
            if (rule.label) {
              const earlier = ruleLabels.get(rule.label.value);
              if (earlier) {
                diagnostics.push(
                  diagnostic("DPL2012", `rule \`${rule.label.value}\` is defined twice`, rule.label.span, {
                    related: [{ span: earlier, message: "first defined here" }],
                    help: "give one of them another name",
                  }),
                );
              } else ruleLabels.set(rule.label.value, rule.label.span);
            }
            rules.push(rule);
          }
          break;
        case "ignore":
          ignores.push(decl);
          break;
        case "plan":
          if (path === entryFile) plans.push(decl);
          break;
        case "import":
          break;
      }
    }
  }
  return { symbols: { sites, groups, procedures, documents, rules, ignores, plans }, diagnostics };
}
