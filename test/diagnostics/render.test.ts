import { describe, expect, it } from "vitest";
import { diagnostic } from "../../src/diagnostics/diagnostic.js";
import { renderSarif, renderText, summarize } from "../../src/diagnostics/render.js";
import { SourceText } from "../../src/diagnostics/span.js";
import { closest } from "../../src/diagnostics/suggest.js";

describe("text rendering", () => {
  const source = new SourceText(
    "plans/summit.dpl",
    "procedure p {\n    offline ScriptQueu:1 via x.py on ScriptQueue:1\n}\n",
  );
  const start = source.text.indexOf("ScriptQueu:1");
  const d = diagnostic("DPL2004", "unknown CSC `ScriptQueu:1`", source.span(start, start + 12), {
    label: "not in the inventory of site `summit`",
    help: "did you mean `ScriptQueue:1`?",
  });

  it("draws the source line with a caret under the exact construct, the label and the help", () => {
    expect(renderText([d], () => source)).toBe(
      [
        "error[DPL2004]: unknown CSC `ScriptQueu:1`",
        "  --> plans/summit.dpl:2:13",
        "   |",
        " 2 |     offline ScriptQueu:1 via x.py on ScriptQueue:1",
        "   |             ^^^^^^^^^^^^ not in the inventory of site `summit`",
        "   = help: did you mean `ScriptQueue:1`?",
        "",
      ].join("\n"),
    );
  });

  it("shows related places with their own message", () => {
    const first = source.span(0, 9);
    const dup = diagnostic("DPL2012", "`p` is defined twice", source.span(start, start + 3), {
      related: [{ span: first, message: "first defined here" }],
    });
    const text = renderText([dup], () => source);
    expect(text).toContain(" 1 | procedure p {");
    expect(text).toContain("   | --------- first defined here");
  });

  it("aligns the caret under tabs", () => {
    const tabbed = new SourceText("t.dpl", "\tsync x\n");
    const t = diagnostic("DPL2009", "unknown application `x`", tabbed.span(6, 7));
    expect(renderText([t], () => tabbed)).toContain(" 1 |     sync x\n   |          ^");
  });

  it("counts errors and warnings", () => {
    const w = diagnostic("DPL1015", "this file declares nothing", source.span(0, 0));
    expect(summarize([d, w])).toBe("1 error, 1 warning");
  });

  it("writes SARIF with the rule, level and region", () => {
    const sarif = JSON.parse(renderSarif([d], "0.1.0"));
    const result = sarif.runs[0].results[0];
    expect(sarif.version).toBe("2.1.0");
    expect(result.ruleId).toBe("DPL2004");
    expect(result.level).toBe("error");
    expect(result.locations[0].physicalLocation.region).toEqual({
      startLine: 2,
      startColumn: 13,
      endLine: 2,
      endColumn: 25,
    });
  });
});

describe("did you mean", () => {
  it("suggests the nearest name within a typo's distance", () => {
    expect(closest("ScriptQueu", ["ScriptQueue", "Scheduler", "Watcher"])).toBe("ScriptQueue");
    expect(closest("scriptqueue", ["ScriptQueue"])).toBe("ScriptQueue");
    expect(closest("ofline", ["offline", "enable"])).toBe("offline");
    expect(closest("Wacther", ["Watcher"])).toBe("Watcher");
  });

  it("suggests nothing when nothing is close", () => {
    expect(closest("Telescope", ["Watcher", "ScriptQueue"])).toBeUndefined();
  });
});
