import { marked, type Token, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import { emitMermaid } from "../../src/emit/mermaid.js";
import { commandLine } from "../../src/emit/text.js";
import type { Plan } from "../../src/ir/schema.js";
import { COMMANDS, hostileText, LONG_TOKEN } from "../support/plans/hostile-text.js";
import { FIXTURE_PLANS } from "../support/plans/index.js";
import { summitFullUpgrade } from "../support/plans/summit-full-upgrade.js";
import { markdownOf } from "./support.js";

/** Every token of a Markdown document, depth first (list items and their blocks included). */
function flatten(tokens: Token[]): Token[] {
  const out: Token[] = [];
  const walk = (t: Token) => {
    out.push(t);
    if (t.type === "list") (t as Tokens.List).items.forEach(walk);
    const children = (t as { tokens?: Token[] }).tokens;
    if (children) children.forEach(walk);
  };
  tokens.forEach(walk);
  return out;
}

/** Whether every fence opened in the text is closed (CommonMark: same character, at least as long). */
function unclosedFence(text: string): number | undefined {
  let open: { char: string; length: number; line: number } | undefined;
  text.split("\n").forEach((line, i) => {
    const m = /^\s*(`{3,}|~{3,})(.*)$/.exec(line);
    if (!m) return;
    const fence = m[1]!;
    if (!open) open = { char: fence[0]!, length: fence.length, line: i + 1 };
    else if (fence[0] === open.char && fence.length >= open.length && m[2]!.trim() === "") open = undefined;
  });
  return open?.line;
}

const stepIdOf = (item: Tokens.ListItem) => /^\*\*([^*]+)\*\*/.exec(item.text)?.[1];
const signoffIdOf = (item: Tokens.ListItem) => /^\*\*PHASE \d+ COMPLETE\*\*(?: \(([^)]+)\))?/.exec(item.text);

describe.each(Object.entries(FIXTURE_PLANS))("the Markdown checklist of %s", (_name, make) => {
  const plan: Plan = make();
  const md = markdownOf(plan);
  const tokens = flatten(marked.lexer(md));

  it("has a heading per phase, in order, after the header and the summary", () => {
    const headings = tokens.filter((t): t is Tokens.Heading => t.type === "heading");
    expect(headings[0]).toMatchObject({ depth: 1 });
    const phases = headings.filter((h) => h.depth === 2 && h.text.startsWith("Phase "));
    expect(phases.map((h) => Number(/^Phase (\d+):/.exec(h.text)?.[1]))).toEqual(
      plan.phases.map((p) => p.number),
    );
    const names = headings.filter((h) => h.depth === 2).map((h) => h.text);
    expect(names.indexOf("Summary")).toBeLessThan(names.findIndex((n) => n.startsWith("Phase 1:")));
  });

  it("has one task-list item per step, with the plan's step id, and a sign-off per phase", () => {
    const tasks = tokens.filter(
      (t): t is Tokens.ListItem => t.type === "list_item" && (t as Tokens.ListItem).task,
    );
    expect(tasks.every((t) => t.checked === false)).toBe(true);
    const ids = tasks.map((t) => {
      const signoff = signoffIdOf(t);
      return signoff ? signoff[1] : stepIdOf(t);
    });
    const checkpoints = plan.steps.filter((s) => s.kind === "checkpoint").map((s) => s.id);
    const closedWithoutCheckpoint = plan.phases.filter(
      (p) => !p.steps.some((id) => checkpoints.includes(id)),
    );
    expect(tasks.filter((t) => signoffIdOf(t))).toHaveLength(plan.phases.length);
    expect(ids.filter((id) => id !== undefined).sort()).toEqual(plan.steps.map((s) => s.id).sort());
    expect(tasks).toHaveLength(plan.steps.length + closedWithoutCheckpoint.length);
  });

  it("closes every fenced block", () => {
    expect(unclosedFence(md)).toBeUndefined();
    const last = marked.lexer(md).at(-1);
    expect(last?.type).toBe("code");
    expect(last).toMatchObject({ lang: "mermaid" });
  });

  it("shows each command and script configuration exactly, in a code block", () => {
    const code = tokens.filter((t): t is Tokens.Code => t.type === "code").map((t) => t.text);
    for (const step of plan.steps) {
      if (step.kind === "command") expect(code).toContain(commandLine(step.argv));
      if (step.kind === "manual" && step.command !== undefined)
        expect(code).toContain(step.command.replace(/\n$/, ""));
    }
  });

  it("includes the plan's Mermaid graph", () => {
    const mermaid = tokens.find((t): t is Tokens.Code => t.type === "code" && t.lang === "mermaid");
    expect(mermaid?.text).toBe(emitMermaid(plan).replace(/\n$/, ""));
  });
});

describe("commands and hostile text in Markdown", () => {
  const md = markdownOf(hostileText());
  const tokens = flatten(marked.lexer(md));
  const code = tokens.filter((t): t is Tokens.Code => t.type === "code").map((t) => t.text);

  it("keeps &&, |, backticks, * and quotes of a command exactly", () => {
    expect(code).toContain(commandLine(["sh", "-c", COMMANDS.chained]));
    expect(code).toContain(commandLine(["sh", "-c", COMMANDS.backticks]));
    expect(code).toContain(commandLine(["sh", "-c", COMMANDS.quotes]));
    expect(code).toContain(COMMANDS.multiline);
    expect(code).toContain(LONG_TOKEN);
    expect(md).toContain("sh -c 'cd /opt/k8s-admin && ./cleanup_all | tee -a log.txt'");
  });

  it("shows HTML, Markdown and handlebars from the plan as text", () => {
    const html = marked.parse(md, { async: false }) as string;
    expect(html).not.toMatch(/<(script|img|b|em|del)\b/i);
    expect(html).not.toMatch(/href="javascript/i);
    expect(html).toContain("&lt;script&gt;window.__xss=(window.__xss||0)+1&lt;/script&gt;");
    expect(html).toContain(
      "{{constructor.constructor(&#39;window.__xss=1&#39;)()}} {{&gt; header}} {{{hash}}}",
    );
    expect(html).toContain(
      "*bold* _it_ [link](javascript:alert(1)) | pipe ~~gone~~ &amp;amp; &lt;b&gt;b&lt;/b&gt; \\*",
    );
  });

  it("escapes table cells so that a | in a title does not split the row", () => {
    const table = tokens.find((t): t is Tokens.Table => t.type === "table" && t.header[0]?.text === "Phase");
    expect(table?.rows[0]).toHaveLength(5);
  });
});

describe("what the Summit checklist says", () => {
  const md = markdownOf(summitFullUpgrade());

  it("marks critical and manual steps and leaves a second initial on critical ones", () => {
    expect(md).toContain("- [ ] **1.2** Send the Watcher to OFFLINE · **CRITICAL**\n");
    expect(md).toMatch(/\*\*1\.2\*\*[\s\S]*?\*\*Monitor:\*\* ______\n/);
    expect(md).toContain(
      "- [ ] **1.1** Switch M2 to closed-loop control from the EUI · **CRITICAL** · **MANUAL**",
    );
  });

  it("gives the script configuration as YAML and the order the rules impose", () => {
    expect(md).toContain(
      "  ```yaml\n  data:\n    - [ScriptQueue:3, OFFLINE]\n    - [ScriptQueue:2, OFFLINE]\n    - [ScriptQueue:1, OFFLINE]\n  mute_alarms: false\n  ```",
    );
    expect(md).toContain("- **Order:** after `1.2` (rule `watcher-first`)");
    expect(md).toContain("- **Order:** after `4.6`, `4.7`, `4.8`, `4.9` (rule `love-last`)");
  });

  it("turns each temporary change into an item and says what undoes it", () => {
    expect(md).toContain("- **Temporary change:** undone by `5.3`: Scale the telegraf connectors back to 1");
    expect(md).toContain("- **Undoes:** `2.10`: Scale the telegraf connectors down to 0");
  });

  it("summarises the phases, the manual steps and the rules, and has blanks for the night", () => {
    expect(md).toContain("5 phases, 43 steps: 8 manual, 8 critical.");
    expect(md).toContain("| 5. Verify and restore | DO-CONFIRM | 6 | 1 | 2 |");
    expect(md).toContain(
      "- **2.5** Shut down and clean up the bare-metal deployments (by system principals)",
    );
    expect(md).toContain(
      "- `love-last`: LOVE is synced after every other application of the telescope project.",
    );
    expect(md).toContain("| Date | Operator | Monitor | Start time |");
    expect(md).not.toMatch(/20\d\d-\d\d-\d\d/);
  });
});
