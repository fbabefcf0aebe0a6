import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  commandLine,
  compareIds,
  formatDuration,
  inlineRuns,
  paragraphs,
  type Run,
  shellQuote,
  toYaml,
} from "../../src/emit/text.js";

const join = (runs: Run[]) => runs.map((r) => ("code" in r ? `\`${r.code}\`` : r.text)).join("");

describe("inlineRuns", () => {
  it("reads backtick code spans as code and leaves the rest as text", () => {
    expect(inlineRuns("Run `kubectl get pods` on `azar03`.")).toEqual([
      { text: "Run " },
      { code: "kubectl get pods" },
      { text: " on " },
      { code: "azar03" },
      { text: "." },
    ]);
  });
  it("closes a span only with a run of the same length, and keeps unclosed backticks as text", () => {
    expect(inlineRuns("a ``x ` y`` b")).toEqual([{ text: "a " }, { code: "x ` y" }, { text: " b" }]);
    expect(inlineRuns("a `b")).toEqual([{ text: "a `b" }]);
    expect(inlineRuns("``")).toEqual([{ text: "``" }]);
  });
  it("loses nothing when there are no single-backtick ambiguities", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const runs = inlineRuns(s);
        const text = runs.map((r) => ("code" in r ? r.code : r.text)).join("");
        expect(text.length).toBeLessThanOrEqual(s.length);
        if (!s.includes("`")) expect(runs).toEqual(s ? [{ text: s }] : []);
      }),
    );
    expect(join(inlineRuns("x `a` y"))).toBe("x `a` y");
  });
});

describe("shell quoting", () => {
  it("leaves plain words bare and quotes the rest", () => {
    expect(commandLine(["kubectl", "scale", "--replicas=0", "-l", "app.kubernetes.io/name=x"])).toBe(
      "kubectl scale --replicas=0 -l app.kubernetes.io/name=x",
    );
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote("a && b | c `d` *")).toBe("'a && b | c `d` *'");
  });
  it("gives the shell exactly the argument vector, whatever it holds", () => {
    const special = fc.constantFrom(..."'\"`$\\*?&|;<>(){}[]~! \t\n#=%,:@");
    const arg = fc.string({
      unit: fc.oneof(special, fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 })),
    });
    fc.assert(
      fc.property(
        fc.array(
          arg.filter((a) => !a.includes("\0")),
          { maxLength: 5 },
        ),
        (argv) => {
          const out = execFileSync("sh", ["-c", `printf '%s\\0' ${commandLine(argv)}`], { encoding: "utf8" });
          expect(argv.length === 0 ? [] : out.split("\0").slice(0, -1)).toEqual(argv);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("toYaml", () => {
  it("writes script configurations the way the procedures do, keys sorted, lists of names on one line", () => {
    expect(
      toYaml({
        mute_alarms: false,
        data: [
          ["ScriptQueue:3", "OFFLINE"],
          ["ScriptQueue:1", "OFFLINE"],
        ],
      }),
    ).toBe("data:\n  - [ScriptQueue:3, OFFLINE]\n  - [ScriptQueue:1, OFFLINE]\nmute_alarms: false\n");
  });
  it("quotes what PyYAML (YAML 1.1) would read as something else", () => {
    const yaml = toYaml({ a: ["yes", "no", "on", "1:30", "0x10", "null", "~"] });
    expect(yaml).toBe('a: ["yes", "no", "on", "1:30", "0x10", "null", "~"]\n');
  });
  it("reads back to the same value", () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(fc.string({ minLength: 1 }), tie("value"), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), json, { maxKeys: 5 }), (config) => {
        expect(parseYaml(toYaml(config as never))).toEqual(config);
      }),
    );
  });
});

describe("small helpers", () => {
  it("formats durations for people", () => {
    expect([0, 45, 60, 90, 120, 3600, 3900, 5400, -3, Number.NaN].map(formatDuration)).toEqual([
      "0 s",
      "45 s",
      "1 min",
      "1 min 30 s",
      "2 min",
      "1 h",
      "1 h 5 min",
      "1 h 30 min",
      "0 s",
      "0 s",
    ]);
  });
  it("orders step ids as people read them", () => {
    expect(["2.10", "1.end", "2.9", "1.12", "1.2", "10.1", "1.2.1"].sort(compareIds)).toEqual([
      "1.2",
      "1.2.1",
      "1.12",
      "1.end",
      "2.9",
      "2.10",
      "10.1",
    ]);
  });
  it("splits paragraphs at blank lines only", () => {
    expect(paragraphs("a\nb\n\n  \nc\r\n\r\nd\n")).toEqual(["a\nb", "c", "d"]);
  });
});
