import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../src/compiler/compile.js";
import { load } from "../../src/compiler/load.js";
import { MemoryReader } from "../../src/compiler/reader.js";
import { allCodes, codeInfo } from "../../src/diagnostics/codes.js";
import { renderSarif, renderText } from "../../src/diagnostics/render.js";
import { parse } from "../../src/language/parse.js";
import { keywordNames } from "../../src/language/tokens.js";

/**
 * grammar/spec.md, the language reference, stays true to the front end: its examples parse (or give
 * exactly the diagnostics they say), its quick tour compiles, it lists every keyword, and it has one entry,
 * with an anchor, for every diagnostic code in the registry and for nothing else.
 */
const SPEC = "grammar/spec.md";
const spec = readFileSync(SPEC, "utf8");

interface Example {
  readonly line: number;
  /** `steps`: a list of steps, parsed inside a procedure and a phase. */
  readonly steps: boolean;
  /** The codes the example must give, in any order; none for an example that must parse. */
  readonly errors: string[];
  readonly code: string;
}

/** The ```dpl blocks: "```dpl", "```dpl steps", "```dpl error DPL1002", "```dpl steps error DPL1002". */
function examples(): Example[] {
  const out: Example[] = [];
  for (const m of spec.matchAll(/^```dpl([^\n]*)\n([\s\S]*?)^```\s*$/gm)) {
    const words = m[1]!.trim().split(/\s+/).filter(Boolean);
    const line = spec.slice(0, m.index).split("\n").length;
    out.push({
      line,
      steps: words.includes("steps"),
      errors: words.filter((w) => /^DPL\d{4}$/.test(w)),
      code: m[2]!,
    });
  }
  return out;
}

function parseExample(e: Example) {
  const text = e.steps ? `procedure example {\n  phase example {\n${e.code}  }\n}\n` : e.code;
  return parse(`${SPEC}:${e.line}`, text);
}

describe("the language reference", () => {
  const all = examples();

  it("has examples", () => {
    expect(all.length).toBeGreaterThan(40);
  });

  for (const e of all) {
    const what = e.errors.length ? `gives ${e.errors.join(", ")}` : "parses";
    it(`the example at line ${e.line} ${what}`, () => {
      const result = parseExample(e);
      const shown = renderText(result.diagnostics, () => result.source);
      expect(result.diagnostics.map((d) => d.code).sort(), shown).toEqual([...e.errors].sort());
      if (e.errors.length === 0) expect(result.file.declarations.length).toBeGreaterThan(0);
    });
  }

  it("has a quick tour that the compiler compiles and proves for its site", () => {
    const tour = all[0]!;
    expect(spec.split("\n")[tour.line - 3]).toBe("## A quick tour");
    const program = load(["tour.dpl"], new MemoryReader({ "tour.dpl": tour.code }));
    const result = compileFile(program, "tour.dpl", { version: "0.0.0" });
    const diagnostics = [...program.diagnostics, ...result.diagnostics];
    const shown = renderText(diagnostics, (f) => program.sources.get(f));
    expect(diagnostics, shown).toEqual([]);
    expect(result.plans.map((p) => p.site)).toEqual(["summit"]);
  });

  it("lists every keyword, and only keywords", () => {
    const section = spec.slice(spec.indexOf("### Keywords"));
    const block = /```text\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    expect(block.split(/\s+/).filter(Boolean).sort()).toEqual([...keywordNames].sort());
  });

  it("has an entry with an anchor for every registered code, titled as the registry titles it", () => {
    const entries = [...spec.matchAll(/^### (DPL\d{4}): (.+)$/gm)].map((m) => ({
      code: m[1]!,
      title: m[2]!,
    }));
    expect(entries.map((e) => e.code)).toEqual(allCodes());
    for (const { code, title } of entries) {
      expect(title, code).toBe(codeInfo(code as never).title);
      expect(spec, code).toContain(`<a id="${code.toLowerCase()}"></a>\n### ${code}: `);
      const body = spec.slice(spec.indexOf(`### ${code}: `)).split(/\n<a id=|\n### /)[0] ?? "";
      expect(body, `${code} says when it occurs`).toContain("**When:**");
      expect(body, `${code} says how to fix it`).toContain("**Fix:**");
      expect(body, `${code} shows an example`).toContain("```");
    }
  });

  it("has the anchors that SARIF's help links point at", () => {
    const sarif = JSON.parse(renderSarif([], "0.0.0")) as {
      runs: Array<{ tool: { driver: { rules: Array<{ id: string; helpUri: string }> } } }>;
    };
    for (const rule of sarif.runs[0]!.tool.driver.rules) {
      const [file, anchor] = rule.helpUri.split("#");
      expect(file).toBe(SPEC);
      expect(spec, rule.id).toContain(`<a id="${anchor}"></a>`);
    }
  });
});
