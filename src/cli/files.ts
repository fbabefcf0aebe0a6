import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { FileReader } from "../compiler/reader.js";
import type { SourceLookup } from "../diagnostics/render.js";
import type { SourceText } from "../diagnostics/span.js";

/** The compiler's reader over the disk. Paths are relative to the working directory. */
export const diskReader: FileReader = {
  read(path: string): Uint8Array | undefined {
    try {
      if (!statSync(path).isFile()) return undefined;
      return readFileSync(path);
    } catch {
      return undefined;
    }
  },
};

/**
 * The `.dpl` files named on the command line: files as given, folders searched recursively, in sorted
 * order. Returns the paths that do not exist separately, as they are a usage error.
 */
export function collectDplFiles(paths: readonly string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".dpl")) files.push(path);
    }
  };
  for (const p of paths) {
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(p);
    } catch {
      missing.push(p);
      continue;
    }
    if (stats.isDirectory()) walk(p);
    else files.push(p);
  }
  return { files: files.map((f) => relative(".", f) || f), missing };
}

export function lookupIn(sources: ReadonlyMap<string, SourceText>): SourceLookup {
  return (file) => sources.get(file);
}
