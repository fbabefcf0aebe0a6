import type { Plan, PlanSite } from "../../../src/ir/schema.js";
import { PlanBuilder } from "../plan-builder.js";

/**
 * A plan whose every string tries to break out of where it is printed: HTML that would run (`<script>`,
 * `<img onerror>`, `javascript:` links), handlebars that would be evaluated (`{{ }}`, `{{> partial}}`),
 * Markdown that would become markup (`*`, `_`, `|`, `[x](y)`, `#`, backticks, a line that starts a list),
 * Mermaid and DOT syntax (quotes, `#`, `;`, `-->`, `}`), and shell commands with `&&`, `|`, backticks, `*`,
 * quotes and `$( )`. A checklist of it must show every string as written and run none of it.
 */

/** Runs only if the checklist lets HTML from the plan through: the browser test looks for it. */
export const XSS_SCRIPT = "<script>window.__xss=(window.__xss||0)+1</script>";
export const XSS_IMG = `<img src=x onerror="window.__xss=(window.__xss||0)+1">`;
export const TEMPLATE_TEXT = "{{constructor.constructor('window.__xss=1')()}} {{> header}} {{{hash}}}";
export const MARKDOWN_TEXT = "*bold* _it_ [link](javascript:alert(1)) | pipe ~~gone~~ &amp; <b>b</b> \\*";

/** Commands that must appear exactly, character for character. */
export const COMMANDS = {
  chained: "cd /opt/k8s-admin && ./cleanup_all | tee -a log.txt",
  backticks: "echo `hostname` ``double`` ```triple``` && ls *.yaml",
  quotes: `kubectl get pods -o jsonpath='{.items[*].metadata.name}' | grep "csc-*" && echo $(date)`,
  multiline: 'for f in *.yaml; do\n  kubectl apply -f "$f" || exit 1\ndone\n```\nnot a fence end',
};

export const LONG_TOKEN = `https://example.org/${"a".repeat(180)}?x=${"b".repeat(60)}`;

const site: PlanSite = {
  name: "hostile",
  title: `Site </title><script>window.__xss=1</script> & "quotes"`,
  love: ["javascript:alert(1)"],
  slack: "#chan <b>",
  apps: [],
  cscs: [],
  hosts: [{ name: "h<1>", address: "h1.example.org", roles: ["a|b"] }],
};

export function hostileText(): Plan {
  const b = new PlanBuilder({
    procedure: { name: "hostile", title: `Procedure ${XSS_SCRIPT}` },
    site,
    params: { "x<y>": { type: "string", value: `</code>${XSS_IMG}`, default: false } },
    file: "test/hostile.dpl",
  });
  b.admonition("warning", `${XSS_IMG}\n\n- not a list\n1. not a list either\n# not a heading`)
    .ignore("MT<M1M3>", "DISABLED", TEMPLATE_TEXT)
    .rule("rule-<x>", `Rule ${XSS_SCRIPT}`, { because: MARKDOWN_TEXT });
  let first = "";
  let second = "";
  b.phase(
    { name: "p", title: `Phase ${XSS_IMG}`, admonitions: [{ level: "attention", text: TEMPLATE_TEXT }] },
    (p) => {
      first = p.step("manual", {
        title: `Title ${XSS_SCRIPT}`,
        text: `${XSS_IMG} ${TEMPLATE_TEXT}\n\n${MARKDOWN_TEXT}`,
        command: COMMANDS.multiline,
        by: `${XSS_IMG}`,
        check: "`kubectl get pods | grep -c Running` prints `3` and ``a`b``",
        url: "javascript:alert(1)",
        critical: true,
        admonitions: [{ level: "warning", text: `${XSS_SCRIPT} ${MARKDOWN_TEXT}` }],
      });
      p.step("command", { title: `Run ${MARKDOWN_TEXT}`, argv: ["sh", "-c", COMMANDS.chained] });
      p.step("command", { title: "Run with backticks", argv: ["sh", "-c", COMMANDS.backticks] });
      second = p.step("command", {
        title: 'Quote " and \\ and # and ; and --> and }',
        argv: ["sh", "-c", COMMANDS.quotes],
      });
      p.step("manual", { title: TEMPLATE_TEXT, text: "Wrap this.", url: LONG_TOKEN, command: LONG_TOKEN });
      p.step("notify", {
        title: "Tell",
        channel: "#x`y",
        message: `${XSS_SCRIPT}\n\`\`\`\n${TEMPLATE_TEXT}`,
      });
    },
  );
  b.ruleEdge(first, second, "rule-<x>");
  return b.build();
}
