import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dotString, emitDot } from "../../src/emit/dot.js";
import { graphModel, shortTitle } from "../../src/emit/graph-model.js";
import { emitMermaid, mermaidText } from "../../src/emit/mermaid.js";
import { inlineSvg, renderSvg } from "../../src/emit/svg.js";
import { hostileText, XSS_IMG } from "../support/plans/hostile-text.js";
import { FIXTURE_PLANS } from "../support/plans/index.js";
import { summitFullUpgrade } from "../support/plans/summit-full-upgrade.js";

const decodeXml = (s: string) =>
  s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    // Graphviz keeps runs of spaces as no-break spaces.
    .replace(/\u00a0/g, " ");

describe("the graph model", () => {
  const plan = summitFullUpgrade();
  const model = graphModel(plan);

  it("has a cluster per phase, a node per step and one edge per ordered pair", () => {
    expect(model.clusters.map((c) => c.label)).toEqual(plan.phases.map((p) => `${p.number}. ${p.title}`));
    expect(model.clusters.flatMap((c) => c.nodes.map((n) => n.stepId)).sort()).toEqual(
      plan.steps.map((s) => s.id).sort(),
    );
    const pairs = new Set(plan.edges.map((e) => `${e.from}>${e.to}`));
    expect(model.edges).toHaveLength(pairs.size);
  });

  it("tells manual steps, sign-offs, critical steps, rule edges and undo edges apart", () => {
    const node = (id: string) => model.clusters.flatMap((c) => c.nodes).find((n) => n.stepId === id)!;
    expect(node("1.1")).toMatchObject({ shape: "manual", critical: true });
    expect(node("1.end")).toMatchObject({ shape: "checkpoint", title: "PHASE COMPLETE" });
    expect(node("1.3")).toMatchObject({ shape: "step", critical: false });
    const edge = (from: string, to: string) =>
      model.edges.find((e) => e.from === node(from).key && e.to === node(to).key);
    expect(edge("1.2", "1.3")).toMatchObject({ kind: "rule", label: "watcher-first", crossPhase: false });
    expect(edge("4.9", "4.10")).toMatchObject({ kind: "rule", label: "love-last" });
    expect(edge("2.10", "5.3")).toMatchObject({ kind: "undo", crossPhase: true });
    expect(edge("1.3", "1.4")).toMatchObject({ kind: "plain" });
  });

  it("cuts long titles at a word", () => {
    expect(shortTitle("Send the ScriptQueues to OFFLINE, the one running the script last")).toBe(
      "Send the ScriptQueues to OFFLINE, the one…",
    );
    expect(shortTitle("short")).toBe("short");
  });
});

describe("Mermaid", () => {
  it("draws phases as subgraphs, manual steps as trapezia and rule edges thick", () => {
    const text = emitMermaid(summitFullUpgrade());
    expect(text.startsWith("flowchart TB\n")).toBe(true);
    expect(text).toContain('  subgraph p1 ["1. Shut down the control system"]');
    expect(text).toContain('    s1[/"1.1 Switch M2 to closed-loop control from the EUI"\\]');
    expect(text).toContain('    s6{{"1.end PHASE COMPLETE"}}');
    expect(text).toContain('  s2 ==>|"watcher-first"| s3');
    expect(text).toContain('  s16 -.->|"undo"| s40');
    expect(text).toMatch(/\n {2}class (s\d+,)*s2,(s\d+,)*s\d+ critical\n$/);
    expect(text.match(/^ {2}subgraph /gm)).toHaveLength(5);
    expect(text.match(/^ {2}end$/gm)).toHaveLength(5);
  });

  it("writes any text as a label that cannot close its quotes, and that decodes back", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        const t = mermaidText(s);
        expect(t).toMatch(/^[A-Za-z0-9 .,:_\-/()+=?!@'#;]*$/);
        expect(t.replace(/#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))).toBe(s);
      }),
    );
    expect(mermaidText(XSS_IMG)).not.toMatch(/[<>"]/);
  });
});

describe("DOT and SVG", () => {
  it("escapes labels so that Graphviz shows them exactly", async () => {
    const hostile = 'a "quoted" \\N \\G back\\slash\nnew line <b>&amp;</b> {{x}} ; } -> ]';
    expect(dotString(hostile)).toBe(
      '"a \\"quoted\\" \\\\N \\\\G back\\\\slash\\nnew line <b>&amp;amp;</b> {{x}} ; } -> ]"',
    );
    const svg = await renderSvg(`digraph g { a [label=${dotString(hostile)}]; }`);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => decodeXml(m[1]!));
    expect(texts).toEqual(hostile.split("\n"));
  });

  it("shows any label text exactly, whatever characters it holds", async () => {
    const line = fc
      .string({ unit: fc.constantFrom(..."ab Z9\\\"'&;#<>{}[]|=-:lNGET"), minLength: 1, maxLength: 30 })
      .filter((s) => s.trim() === s && s !== "");
    const samples = fc.sample(fc.array(line, { minLength: 1, maxLength: 3 }), { numRuns: 60, seed: 42 });
    for (const lines of samples) {
      const svg = await renderSvg(`digraph g { a [label=${dotString(lines.join("\n"))}]; }`);
      const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => decodeXml(m[1]!));
      expect(texts, JSON.stringify(lines)).toEqual(lines);
    }
  });

  it("draws clusters, shapes and edge styles", () => {
    const dot = emitDot(summitFullUpgrade());
    expect(dot.match(/subgraph cluster_p\d+ \{/g)).toHaveLength(5);
    expect(dot).toContain(
      's1 [label="1.1\\nSwitch M2 to closed-loop control from the EUI", shape=trapezium, style="", peripheries=2, penwidth=2];',
    );
    expect(dot).toContain('s6 [label="1.end\\nPHASE COMPLETE", shape=hexagon, style=""];');
    expect(dot).toContain('s2 -> s3 [style=bold, penwidth=2.5, label="watcher-first"];');
    expect(dot).toContain('s16 -> s40 [style=dashed, label="undo", constraint=false];');
  });

  it.each(Object.entries(FIXTURE_PLANS))(
    "renders %s to SVG deterministically, every label escaped",
    async (_name, make) => {
      const plan = make();
      const svg = await renderSvg(emitDot(plan));
      expect(svg.startsWith("<?xml")).toBe(true);
      expect(await renderSvg(emitDot(make()))).toBe(svg);
      expect(svg.match(/<g id="clust\d+" class="cluster">/g)).toHaveLength(plan.phases.length);
      expect(svg.match(/<g id="node\d+" class="node">/g)).toHaveLength(plan.steps.length);
      expect(() => inlineSvg(svg)).not.toThrow();
    },
  );

  it("keeps the text of a hostile plan as text in the SVG", async () => {
    const svg = await renderSvg(emitDot(hostileText()));
    expect(svg).not.toMatch(/<(img|script|b)\b/);
    expect(svg).toContain("&lt;script&gt;window.__xss");
  });
});
