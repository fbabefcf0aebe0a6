import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { CscRef, File, SiteDecl, Value } from "../../src/language/ast.js";
import { plainText } from "../../src/language/ast.js";
import { parse } from "../../src/language/parse.js";

/**
 * Readers of the reference data in data/observatory/ and of the .dpl files checked against it. They throw on a file
 * that is missing or malformed: a test that cannot read its data must fail, not pass on nothing.
 */

const root = new URL("../../", import.meta.url);

export const SITES = ["summit", "tts", "bts"] as const;
export type SiteName = (typeof SITES)[number];

/** One row of csc-inventory.csv, keyed by its header's column names. */
export type InventoryRow = Readonly<Record<string, string>>;

/** Splits one CSV line into fields; a field in double quotes may hold commas and `""` for a quote. */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  if (quoted) throw new Error(`unterminated quote in CSV line: ${line}`);
  fields.push(field);
  return fields;
}

/** The rows of data/observatory/csc-inventory.csv (its `#` comment lines skipped). */
export function readInventory(): InventoryRow[] {
  const text = readFileSync(new URL("data/observatory/csc-inventory.csv", root), "utf8");
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "" && !l.startsWith("#"));
  const header = splitCsvLine(lines[0]!);
  return lines.slice(1).map((line) => {
    const fields = splitCsvLine(line);
    if (fields.length !== header.length) throw new Error(`CSV row has ${fields.length} fields: ${line}`);
    return Object.fromEntries(header.map((h, i) => [h, fields[i]!]));
  });
}

/** The text of a file of the repository, by its path from the repository root. */
export function readRepoText(path: string): string {
  return readFileSync(new URL(path, root), "utf8");
}

/** The text of a data file, for facts that only its comments hold. */
export function readDataText(name: string): string {
  return readRepoText(`data/observatory/${name}`);
}

/** The comment paragraphs of a .dpl file: runs of lines that are only a comment, joined. */
export function commentBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim().startsWith("#")) current.push(line.trim().slice(1).trim());
    else if (current.length > 0) {
      blocks.push(current.join(" "));
      current = [];
    }
  }
  if (current.length > 0) blocks.push(current.join(" "));
  return blocks;
}

// biome-ignore lint/suspicious/noExplicitAny: YAML documents are untyped; each test reads the fields it checks.
export function readYaml(name: string): any {
  return parseYaml(readDataText(name));
}

/** The names that sal-subsystems.yaml marks as not CSCs (AlarmRule, LOVE, Script). */
export function nonCscNames(): Set<string> {
  const doc = readYaml("sal-subsystems.yaml") as { subsystems: { name: string; is_csc: boolean }[] };
  return new Set(doc.subsystems.filter((s) => !s.is_csc).map((s) => s.name));
}

/** Parses a .dpl file of the repository; throws with every diagnostic if it has any. */
export function parseRepoFile(path: string): File {
  const result = parse(path, readRepoText(path));
  if (result.diagnostics.length > 0) {
    throw new Error(`${path}: ${result.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  }
  return result.file;
}

/** The one site that sites/<name>.dpl declares. */
export function loadSite(name: SiteName): SiteDecl {
  const sites = parseRepoFile(`sites/${name}.dpl`).declarations.filter((d) => d.kind === "site");
  if (sites.length !== 1) throw new Error(`sites/${name}.dpl declares ${sites.length} sites`);
  return sites[0] as SiteDecl;
}

/** The id the csv uses for a CSC: `Name` for index 0 or none, else `Name:index`. */
export function cscId(ref: Pick<CscRef, "name" | "index">): string {
  return ref.index === undefined || ref.index === 0 ? ref.name : `${ref.name}:${ref.index}`;
}

/** A value as plain strings: a text is one, a list of texts is each; anything else throws. */
export function strings(value: Value): string[] {
  if (value.kind === "list") return value.items.flatMap(strings);
  if (value.kind === "text") {
    const s = plainText(value.text);
    if (s === undefined) throw new Error("a text with references where plain text was expected");
    return [s];
  }
  if (value.kind === "ref") return [cscId(value.ref)];
  throw new Error(`a ${value.kind} where text was expected`);
}

/** A site's attribute as plain strings; throws if it is missing or given twice. */
export function attribute(site: SiteDecl, key: string): string[] {
  const found = site.attributes.filter((a) => a.key.value === key);
  if (found.length !== 1)
    throw new Error(`site ${site.name.value}: attribute ${key} given ${found.length} times`);
  return strings(found[0]!.value);
}
