import { describe, expect, it } from "vitest";
import { diskTemplates } from "../../src/cli/templates.js";
import { htmlTemplate, renderHtml } from "../../src/emit/html.js";
import { hostileText } from "../support/plans/hostile-text.js";
import { FIXTURE_PLANS } from "../support/plans/index.js";
import { summitFullUpgrade } from "../support/plans/summit-full-upgrade.js";
import { htmlOf } from "./support.js";

/** The tags of a page, outside its stylesheet and script (the only places where `<` is not markup). */
const tags = (html: string) =>
  html
    .replace(/<style>[\s\S]*?<\/style>/, "<style></style>")
    .replace(/<script>[\s\S]*?<\/script>/, "<script></script>")
    .match(/<[^>]*>/g) ?? [];

const attrs = (html: string, name: string) =>
  [...html.matchAll(new RegExp(`${name}="([^"]*)"`, "g"))].map((m) => m[1]!);

describe.each(Object.entries(FIXTURE_PLANS))("the HTML checklist of %s", (_name, make) => {
  const plan = make();
  let html = "";
  it("renders", async () => {
    html = await htmlOf(plan);
    expect(html.startsWith("<!doctype html>\n")).toBe(true);
  });

  it("is self-contained: one inline script, inline style, nothing loaded from anywhere", () => {
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).toContain("<script>\n");
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link\b|<iframe\b|<img\b|<object\b|<embed\b|@import|url\(/i);
    expect(tags(html).filter((t) => /\s(src|srcset|data|action|formaction)=/i.test(t))).toEqual([]);
  });

  it("has a section per phase and a checkbox per step, keyed by the plan's step ids", () => {
    expect(attrs(html, "data-phase")).toEqual(plan.phases.map((p) => `phase-${p.number}`));
    const boxes = attrs(html, "data-step");
    expect(new Set(boxes).size).toBe(boxes.length);
    const withoutCheckpoint = plan.phases
      .filter((p) => !p.steps.some((id) => plan.steps.find((s) => s.id === id)?.kind === "checkpoint"))
      .map((p) => `phase-${p.number}-complete`);
    expect([...boxes].sort()).toEqual([...plan.steps.map((s) => s.id), ...withoutCheckpoint].sort());
    expect(html).toContain(`<body data-plan-hash="${plan.hash}">`);
  });

  it("includes the graph as inline SVG, without its XML prolog", () => {
    expect(html.match(/<svg\b/g)).toHaveLength(1);
    expect(html).not.toContain("<?xml");
    expect(html).not.toContain("<!DOCTYPE svg");
  });
});

describe("escaping", () => {
  it("escapes every plan-derived string: no tag, attribute or link from the plan gets through", async () => {
    const html = await htmlOf(hostileText());
    expect(html).not.toMatch(/<img\b/i);
    expect(html).not.toMatch(/<b>/);
    expect(html).not.toMatch(/href="javascript/i);
    expect(tags(html).filter((t) => /\son[a-z]+=/i.test(t))).toEqual([]);
    expect(tags(html).filter((t) => /^<(script|img|b|iframe)\b/i.test(t))).toEqual(["<script>"]);
    expect(html).toContain("&lt;script&gt;window.__xss=(window.__xss||0)+1&lt;/script&gt;");
    expect(html).toContain("<title>Checklist: Procedure &lt;script&gt;");
    expect(html).toContain(
      "{{constructor.constructor(&#x27;window.__xss&#x3D;1&#x27;)()}} {{&gt; header}} {{{hash}}}",
    );
    expect(html).toContain("<code>javascript:alert(1)</code>");
  });

  it("leaves the graph out when there is no SVG", () => {
    const html = renderHtml(summitFullUpgrade(), htmlTemplate(diskTemplates), { svg: null });
    expect(html).not.toContain("<svg");
    expect(html).not.toContain('id="graph"');
  });

  it("refuses an SVG with active content", () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><g onload="alert(1)"></g></svg>';
    expect(() => renderHtml(summitFullUpgrade(), htmlTemplate(diskTemplates), { svg })).toThrow(
      /active content/,
    );
  });
});

describe("print", () => {
  it("starts each phase and the graph on a new page and keeps the sign-off with the last step", async () => {
    const html = await htmlOf(summitFullUpgrade());
    const print = html.slice(html.indexOf("@media print"));
    expect(print).toMatch(/\.phase \{ break-before: page; \}/);
    expect(print).toMatch(/\.graph \{ break-before: page;/);
    expect(html).toMatch(/\.signoff \{[^}]*break-before: avoid;/);
    expect(html).toMatch(/pre\.code \{\s*white-space: pre-wrap; overflow-wrap: anywhere;/);
  });
});
