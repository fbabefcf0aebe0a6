import { posix } from "node:path";
import type { Related } from "../diagnostics/diagnostic.js";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { SourceText, type Span } from "../diagnostics/span.js";
import type { File, Import } from "../language/ast.js";
import { decodeSource } from "../language/decode.js";
import type { ParseResult } from "../language/parse.js";
import type { FileReader } from "./reader.js";

/** Every file of a compile, parsed, with the imports resolved. */
export interface Program {
  /** Parsed files by normalized path; a file that could not be read has no entry. */
  readonly files: ReadonlyMap<string, ParseResult>;
  /** The files each file imports (resolved paths), in the order written. */
  readonly imports: ReadonlyMap<string, readonly string[]>;
  /** Sources of every file read, for code frames (binary files have an empty one). */
  readonly sources: ReadonlyMap<string, SourceText>;
  readonly diagnostics: readonly Diagnostic[];
}

/** A path as the compiler keys files: POSIX separators, no `.` or `..` segments where they can be folded. */
export function normalizePath(path: string): string {
  return posix.normalize(path.replace(/\\/g, "/"));
}

/** Text to a syntax tree: the front end's `parse`, or the CLI's, which keeps the trees of unchanged files. */
export type ParseFile = (path: string, text: string) => ParseResult;

/**
 * Reads the given files and everything they import, transitively, parsing each with `parseFile`. An import is resolved relative to the
 * file that imports it; one that leaves `root` is refused without reading it; a missing file and a cycle
 * among imports are reported at the import that causes them. Each file is read and parsed once.
 */
export function loadWith(
  parseFile: ParseFile,
  paths: readonly string[],
  reader: FileReader,
  root = ".",
): Program {
  const files = new Map<string, ParseResult>();
  const imports = new Map<string, string[]>();
  const sources = new Map<string, SourceText>();
  const diagnostics: Diagnostic[] = [];
  const rootDir = normalizePath(root);

  const readOne = (path: string, from?: { span: Span }): boolean => {
    if (files.has(path) || sources.has(path)) return files.has(path);
    const bytes = reader.read(path);
    if (bytes === undefined) {
      diagnostics.push(
        diagnostic("DPL2001", `cannot read \`${path}\``, from?.span, {
          help: from ? "import paths are relative to the file that imports them" : "check the path",
        }),
      );
      return false;
    }
    const decoded = decodeSource(path, bytes);
    if ("diagnostic" in decoded) {
      sources.set(path, new SourceText(path, ""));
      diagnostics.push(decoded.diagnostic);
      return false;
    }
    const result = parseFile(path, decoded.text);
    files.set(path, result);
    sources.set(path, result.source);
    diagnostics.push(...result.diagnostics);
    return true;
  };

  const queue: string[] = [];
  for (const p of paths) {
    const path = normalizePath(p);
    if (readOne(path)) queue.push(path);
  }
  while (queue.length > 0) {
    const path = queue.shift()!;
    const file = files.get(path)!.file;
    const resolved: string[] = [];
    for (const imp of importsOf(file)) {
      const target = resolveImport(path, imp, rootDir, diagnostics);
      if (target === undefined) continue;
      resolved.push(target);
      if (!files.has(target) && !sources.has(target) && readOne(target, { span: imp.path.span }))
        queue.push(target);
    }
    imports.set(path, resolved);
  }
  diagnostics.push(...importCycles(files, imports));
  return { files, imports, sources, diagnostics };
}

function importsOf(file: File): Import[] {
  return file.declarations.filter((d): d is Import => d.kind === "import");
}

function resolveImport(
  from: string,
  imp: Import,
  root: string,
  diagnostics: Diagnostic[],
): string | undefined {
  const written = imp.path.value;
  if (posix.isAbsolute(written) || /^[A-Za-z]:[\\/]/.test(written)) {
    diagnostics.push(
      diagnostic("DPL2003", `imports are relative, and \`${written}\` is absolute`, imp.path.span, {
        help: "write the path relative to this file, such as `../sites/summit.dpl`",
      }),
    );
    return undefined;
  }
  const target = normalizePath(posix.join(posix.dirname(from), written));
  const inside = posix.relative(root, target);
  if (inside.startsWith("..") || posix.isAbsolute(inside)) {
    diagnostics.push(
      diagnostic("DPL2003", `\`${written}\` is outside the repository, so it is not read`, imp.path.span, {
        help: `imports must stay inside \`${root}\`; use --root to check from a higher folder`,
      }),
    );
    return undefined;
  }
  return target;
}

/** Every cycle among imports, once each, drawn as `a.dpl -> b.dpl -> a.dpl` with the import lines. */
function importCycles(
  files: ReadonlyMap<string, ParseResult>,
  imports: ReadonlyMap<string, readonly string[]>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const reported = new Set<string>();
  const importSpan = (from: string, to: string): Span | undefined => {
    const file = files.get(from)?.file;
    if (!file) return undefined;
    for (const imp of importsOf(file)) {
      if (normalizePath(posix.join(posix.dirname(from), imp.path.value)) === to) return imp.path.span;
    }
    return undefined;
  };
  const visit = (path: string) => {
    state.set(path, "active");
    stack.push(path);
    for (const next of imports.get(path) ?? []) {
      if (state.get(next) === "active") {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const key = [...cycle.slice(0, -1)].sort().join("|");
        if (reported.has(key)) continue;
        reported.add(key);
        const related: Related[] = [];
        for (let i = 0; i + 1 < cycle.length; i++) {
          const span = importSpan(cycle[i]!, cycle[i + 1]!);
          if (span) related.push({ span, message: `${cycle[i]} imports ${cycle[i + 1]}` });
        }
        out.push(
          diagnostic("DPL2002", `import cycle: ${cycle.join(" -> ")}`, importSpan(path, next), {
            related: related.slice(0, -1),
            help: "move what the files share into a third file that both import",
          }),
        );
      } else if (!state.has(next) && imports.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(path, "done");
  };
  for (const path of [...imports.keys()].sort()) if (!state.has(path)) visit(path);
  return out;
}
