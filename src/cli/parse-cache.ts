import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ParseFile } from "../compiler/loader.js";
import { SourceText } from "../diagnostics/span.js";
import type { File } from "../language/ast.js";
import type { ParseResult } from "../language/parse.js";
import { version } from "./main.js";

/**
 * The syntax trees of files that parsed without a problem, kept on disk between runs, so that a check on
 * save reads the trees of the files that did not change instead of parsing them again. The parser (and
 * chevrotain) is loaded only when some file is not in the cache: on a warm cache `plan check` never loads
 * it (bench/RESULTS.md: start-up).
 *
 * An entry is keyed by the file's path and the build of the front end that wrote it, and holds the hash of
 * the text it was parsed from: a file whose text changed, or a new build of `plan`, misses. Files with any
 * diagnostic are never cached, so every problem is always found by the parser itself. The cache is an
 * optimisation only: an entry that cannot be read or written is a miss, never an error.
 *
 *   PLAN_CACHE_DIR   where the entries go (default $XDG_CACHE_HOME/plan or ~/.cache/plan)
 *   PLAN_NO_CACHE=1  parse every file, and read and write no entry
 */

const FORMAT = 1;

/** Thrown by the cache-only parser at the first file not in the cache. */
class Miss extends Error {}

export interface ParseCache {
  /** The tree of a file whose text is `text`, if the cache has it. */
  get(path: string, text: string): ParseResult | undefined;
  /** Keeps a parse that found no problem. */
  put(path: string, text: string, result: ParseResult): void;
}

/**
 * Runs `fn` (which loads files with the parser it is given) with the trees in the cache; if some file is
 * not there, loads the parser and runs `fn` again with it, caching what it parses. `fn` must have no effect
 * but its result, since it may run twice (loading a program has none).
 */
export async function withParser<T>(fn: (parseFile: ParseFile) => T): Promise<T> {
  const cache = diskCache();
  if (cache) {
    try {
      return fn((path, text) => {
        const hit = cache.get(path, text);
        if (!hit) throw new Miss();
        return hit;
      });
    } catch (e) {
      if (!(e instanceof Miss)) throw e;
    }
  }
  const { parse } = await import("../language/parse.js");
  if (!cache) return fn(parse);
  return fn((path, text) => {
    const hit = cache.get(path, text);
    if (hit) return hit;
    const result = parse(path, text);
    if (result.diagnostics.length === 0) cache.put(path, text, result);
    return result;
  });
}

/** The cache in the user's cache folder, or none when PLAN_NO_CACHE is set. */
export function diskCache(env: NodeJS.ProcessEnv = process.env): ParseCache | undefined {
  if (env.PLAN_NO_CACHE && env.PLAN_NO_CACHE !== "0") return undefined;
  const base = env.PLAN_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "plan");
  return folderCache(join(base, "parse"), frontEndBuild());
}

/** A cache of syntax trees in `dir`, for the front end whose build is `build`. */
export function folderCache(dir: string, build: string): ParseCache {
  const entryPath = (path: string) =>
    join(dir, `${sha256(`${FORMAT}\0${build}\0${path}`).slice(0, 32)}.json`);
  return {
    get(path, text) {
      try {
        const entry = JSON.parse(readFileSync(entryPath(path), "utf8")) as { text?: string; file?: File };
        if (entry.text !== sha256(text) || !entry.file) return undefined;
        return { file: entry.file, source: new SourceText(path, text), diagnostics: [] };
      } catch {
        return undefined;
      }
    },
    put(path, text, result) {
      if (result.diagnostics.length > 0) return;
      try {
        mkdirSync(dir, { recursive: true });
        const target = entryPath(path);
        const temporary = `${target}.${process.pid}.tmp`;
        writeFileSync(temporary, JSON.stringify({ text: sha256(text), file: result.file }));
        renameSync(temporary, target);
      } catch {
        // A read-only or full disk: the next run parses again.
      }
    },
  };
}

/**
 * What identifies the build of the front end: the version, and the size and time of every module of
 * src/language as installed (a rebuilt parser misses every entry written by the one before).
 */
function frontEndBuild(): string {
  const dir = fileURLToPath(new URL("../language/", import.meta.url));
  const parts = [version()];
  try {
    for (const name of readdirSync(dir).sort()) {
      if (!/\.(js|ts)$/.test(name)) continue;
      const s = statSync(join(dir, name));
      parts.push(`${name}:${s.size}:${s.mtimeMs}`);
    }
  } catch {
    parts.push(String(Math.random()));
  }
  return parts.join("\n");
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
