import { describe, expect, it } from "vitest";
import { version } from "../../src/cli/main.js";
import { load } from "../../src/compiler/load.js";
import { MemoryReader } from "../../src/compiler/reader.js";
import { traceTable } from "../../src/compiler/trace.js";
import { compileForTrace } from "../../src/compiler/trace-compile.js";
import { renderTraceMarkdown } from "../../src/compiler/trace-markdown.js";

/** The traceability check itself, on small documents and plans held in memory: what it finds and what it misses. */

const SITES = `
site a "Site A" { inventory { Watcher in obssys job "watcher" } app obssys }
site b "Site B" { inventory { Watcher in obssys job "watcher" } app obssys }
`;
const DOC = `
document "D" "A document" {
  section "1" "Shut down" {
    item "1.1" "Send the Watcher OFFLINE"
    item "1.2" "Only at A" only a
    item "1.3" "Not at A" except a
    item "1.4" "Only when asked"
  }
  section "2" "Nothing else"
}
`;

function trace(procedure: string, entries: Record<string, string>) {
  const files: Record<string, string> = {
    "sites.dpl": SITES,
    "doc.dpl": DOC,
    "proc.dpl": procedure,
    ...entries,
  };
  const program = load(Object.keys(files).sort(), new MemoryReader(files), ".");
  const input = compileForTrace(program, Object.keys(entries).sort(), version());
  expect(input.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return { table: traceTable(input.documents, input.plans), input };
}

const PROC = `
import "sites.dpl"
import "doc.dpl"
procedure p "P" (asked: bool = false) cite "D" {
  phase one "One" cite "D/1" {
    manual "Send the Watcher OFFLINE." cite "D/1.1"
    manual "At A." only a cite "D/1.2"
    manual "At B." only b cite "D/1.3"
    manual "When asked." when asked cite "D/1.4"
    note "Nothing else." cite "D/2"
    manual "The end."
  }
}
`;
const ENTRIES = {
  "a.dpl": 'import "proc.dpl"\nplan p for a\n',
  "b.dpl": 'import "proc.dpl"\nplan p for b\n',
};

describe("traceTable", () => {
  it("finds every item implemented where it applies, counting a flipped bool's variant", () => {
    const { table, input } = trace(PROC, ENTRIES);
    expect(table.missing).toEqual([]);
    expect(
      input.plans.map((p) => `${p.entry}@${p.plan.site.name}${p.variant ? ` ${p.variant}` : ""}`),
    ).toEqual(["a@a", "a@a asked=true", "b@b", "b@b asked=true"]);
    const row = table.rows.find((r) => r.entry.cite === "D/1.2")!;
    expect(row.sites).toEqual(["a"]);
    expect(row.implementations.map((i) => `${i.entry}:${i.ref}:${i.variant ?? ""}`)).toEqual([
      "a:1.2:",
      "a:1.2:asked=true",
    ]);
    const asked = table.rows.find((r) => r.entry.cite === "D/1.4")!;
    expect(asked.implementations.map((i) => `${i.entry}:${i.ref}:${i.variant}`)).toEqual([
      "a:1.3:asked=true",
      "b:1.3:asked=true",
    ]);
    const md = renderTraceMarkdown(table, "plan trace x");
    expect(md).toContain("| 1.2 | Only at A | a: 1.2 | n/a |");
    expect(md).toContain("| 1.4 | Only when asked | a: 1.3 [asked=true] | b: 1.3 [asked=true] |");
  });

  it("names the item and the site when a plan leaves a sentence out", () => {
    const { table } = trace(PROC.replace('    manual "At B." only b cite "D/1.3"\n', ""), ENTRIES);
    expect(table.missing.map((m) => `${m.cite} ${m.site} ${m.entries.join()}`)).toEqual(["D/1.3 b b"]);
    expect(renderTraceMarkdown(table, "plan trace x")).toContain("| 1.3 | Not at A | n/a | **MISSING** |");
  });

  it("requires a section without items to be cited itself", () => {
    const { table } = trace(PROC.replace('    note "Nothing else." cite "D/2"\n', ""), ENTRIES);
    expect(table.missing.map((m) => `${m.cite} ${m.site}`)).toEqual(["D/2 a", "D/2 b"]);
  });

  it("ignores plans of procedures that do not cite the document", () => {
    const { table } = trace(PROC.replace(') cite "D" {', ") {"), ENTRIES);
    expect(table.coverage.get("D")).toEqual({ sites: [], entries: [] });
    expect(table.missing).toEqual([]);
  });
});
