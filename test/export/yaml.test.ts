import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { isAmbiguousPlain, toKubernetesYaml } from "../../src/emit/argo-yaml.js";
import { FIXTURE_PLANS } from "../support/plans/index.js";
import { exported } from "./support.js";

/**
 * The manifests are read the way they were meant by YAML 1.1 readers (Go's yaml.v2 under kubectl and Argo:
 * `yes`, `on`, `y`, `0400`, `1:20` are not strings there) and by YAML 1.2 readers (`0o17` is a number there).
 */

const HOSTILE = [
  "yes",
  "no",
  "on",
  "off",
  "y",
  "n",
  "Y",
  "N",
  "YES",
  "Off",
  "true",
  "False",
  "null",
  "Null",
  "~",
  "",
  "1.10",
  "0400",
  "080",
  "1e3",
  "1_000",
  "0x1F",
  "0o17",
  "0b101",
  "1:20",
  "190:20:30",
  "2001-12-14",
  "2001-12-14t21:59:43.10-05:00",
  ".nan",
  ".inf",
  "-.inf",
  "+1",
  "=",
  "<<",
  "-",
  "?",
  ":",
  "a: b",
  "#x",
  "x #y",
  "@x",
  "`x`",
  "!tag",
  "&anchor",
  "*alias",
  "%YAML",
  "[1]",
  "{a: 1}",
  " lead",
  "trail ",
  "tab\tin",
  "two\nlines",
  "trailing newline\n",
  "\n",
  "crlf\r\nline",
  "\u0007bell",
  "{{workflow.name}}",
  "'quoted'",
  '"double"',
  "ü",
  "😀",
];

function readBoth(text: string): { v11: unknown; v12: unknown } {
  return { v11: parse(text, { version: "1.1" }), v12: parse(text, { version: "1.2" }) };
}

describe("YAML that every Kubernetes tool reads as written", () => {
  it("keeps every hostile string a string, for a YAML 1.1 and a YAML 1.2 reader", () => {
    const value = { list: HOSTILE, map: Object.fromEntries(HOSTILE.filter(Boolean).map((s, i) => [s, i])) };
    const text = toKubernetesYaml([value]);
    const { v11, v12 } = readBoth(text);
    expect(v11).toEqual(value);
    expect(v12).toEqual(value);
  });

  it("quotes the YAML 1.1 booleans and the numbers that are strings", () => {
    const text = toKubernetesYaml([
      { a: ["yes", "no", "on", "off", "y", "n", "1.10", "0o17", "0400", "1:20"] },
    ]);
    for (const s of ["yes", "no", "on", "off", "y", "n", "1.10", "0o17", "0400", "1:20"]) {
      expect(text).toMatch(new RegExp(`- ["']${s.replace(".", "\\.")}["']\\n`));
    }
  });

  it("writes plain what needs no quotes, keys included, and numbers and booleans as such", () => {
    const text = toKubernetesYaml([
      { name: "step-1-1", id: "2.3.1", replicas: 3, immutable: true, on: "off" },
    ]);
    expect(text).toBe('name: step-1-1\nid: 2.3.1\nreplicas: 3\nimmutable: true\n"on": "off"\n');
  });

  it("writes texts of several lines as block literals that read back exactly", () => {
    const value = {
      description: "Step 1.1: do it\n\n    indented code\nlast line",
      json: '{\n  "a": 1\n}\n',
    };
    const text = toKubernetesYaml([value]);
    expect(text).toContain("description: |-\n  Step 1.1: do it\n\n      indented code\n  last line\n");
    expect(text).toContain("json: |\n");
    expect(readBoth(text).v11).toEqual(value);
  });

  it("round-trips any string, for both readers (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary", maxLength: 24 }), { maxLength: 6 }), (strings) => {
        const value = { strings, keyed: Object.fromEntries(strings.map((s, i) => [`k${i}`, s])) };
        const { v11, v12 } = readBoth(toKubernetesYaml([value]));
        expect(v11).toEqual(value);
        expect(v12).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it("judges plain scalars as YAML 1.2 would (YAML 1.1 cases are the 1.1 writer's)", () => {
    for (const s of ["0o17", "1e3", ".5", "-1", "true", "~", "", " x", "=", "<<"])
      expect(isAmbiguousPlain(s), s).toBe(true);
    for (const s of ["step-1-1", "2.3.1", "1.end", "plan:1.2.3", "yes"])
      expect(isAmbiguousPlain(s), s).toBe(false);
  });

  it("separates documents with ---", () => {
    const text = toKubernetesYaml([{ a: 1 }, { b: "no" }]);
    expect(text).toBe('a: 1\n---\nb: "no"\n');
    expect(parseAllDocuments(text, { version: "1.1" }).map((d) => d.toJS())).toEqual([{ a: 1 }, { b: "no" }]);
  });

  it("the exported manifests read the same with YAML 1.1 and 1.2, and equal what was exported", () => {
    for (const make of Object.values(FIXTURE_PLANS)) {
      const { yaml, manifests } = exported(make());
      const v12 = parseAllDocuments(yaml, { version: "1.2" }).map((d) => d.toJS());
      expect(v12).toEqual(manifests);
      expect(JSON.parse(JSON.stringify(manifests))).toEqual(manifests);
    }
    // The confirmation offers `yes`, quoted; a YAML 1.1 reader gets the string.
    const { yaml, workflow } = exported(FIXTURE_PLANS["every-kind"]!());
    expect(yaml).toContain('- "yes"\n');
    const confirm = workflow.spec.templates.find((t) => t.name === "step-2-1-confirm")!;
    expect(confirm.inputs!.parameters[0]!.enum).toEqual(["yes", "skip"]);
    expect(confirm.inputs!.parameters[0]!.default).toBe("yes");
  });
});
