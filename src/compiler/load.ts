import { parse } from "../language/parse.js";
import type { Program } from "./loader.js";
import { loadWith } from "./loader.js";
import type { FileReader } from "./reader.js";

export { normalizePath, type Program } from "./loader.js";

/**
 * Reads the given files and everything they import, transitively. An import is resolved relative to the
 * file that imports it; one that leaves `root` is refused without reading it; a missing file and a cycle
 * among imports are reported at the import that causes them. Each file is read and parsed once.
 */
export function load(paths: readonly string[], reader: FileReader, root = "."): Program {
  return loadWith(parse, paths, reader, root);
}
