import type { Code } from "../../diagnostics/codes.js";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";
import { closest } from "../../diagnostics/suggest.js";
import type { Plan } from "../../ir/schema.js";
import type * as A from "../../language/ast.js";
import { plainText, showCsc } from "../../language/ast.js";
import { COMPONENTS } from "../catalog.js";
import { applies, type ConditionScope } from "../conditions.js";
import { addEdge, buildDag } from "../graph.js";
import type { Action, XEdge, XStep } from "../model.js";
import { SYSTEM_WIDE_SHUTDOWN } from "../scripts.js";
import { checkComponent, type SiteModel } from "../site.js";
import { citesOf } from "../steps.js";
import type { Symbols } from "../symbols.js";
import { before } from "./before.js";
import { eventsOfPlanStep, eventsOfXStep, type StepEvents } from "./events.js";
import { first } from "./first.js";
import { last } from "./last.js";
import type { At } from "./proof.js";
import {
  type Generator,
  inDomain,
  matches,
  type ProofContext,
  type RuleKind,
  type SiteRule,
} from "./rule.js";
import { runnerLast } from "./runner-last.js";

export type { SiteRule } from "./rule.js";

/** Each kind of rule is one small module: its edge generator and its proof. */
export const RULE_KINDS: Readonly<Record<SiteRule["kind"], RuleKind>> = {
  first,
  last,
  before,
  "runner-last": runnerLast,
};

/**
 * The rules that hold at a site, with their CSCs and applications resolved there. A name that is neither
 * a CSC, a group nor an application anywhere is reported (a typo would make a rule silently hold).
 */
export function resolveRules(
  symbols: Symbols,
  site: SiteModel,
  cond: ConditionScope,
  textOf: (span: Span) => string,
): SiteRule[] {
  const out: SiteRule[] = [];
  const allApps = new Set<string>();
  for (const s of symbols.sites.values()) for (const a of s.apps) allApps.add(a.name.value);
  for (const rule of symbols.rules) {
    if (!applies(rule.clauses, cond)) continue;
    const d = cond.diagnostics;
    const action = rule.subject.action;
    const subjects = resolveSet(rule.subject.targets, action, site, symbols, allApps, d);
    if (!subjects) continue;
    // The rule as written, without its clauses (`because`, `cite`, `only`): what it says, not why.
    const end = rule.project?.span ?? rule.among?.span ?? rule.relation.span;
    const text = textOf({ ...rule.subject.span, end: end.end })
      .replace(/\s+/g, " ")
      .trim();
    const base = {
      name: rule.label?.value ?? text,
      text,
      ...(rule.clauses.because ? { because: plainText(rule.clauses.because) ?? "" } : {}),
      span: rule.span,
      cites: citesOf(rule.clauses.cite, { symbols, diagnostics: d }),
      action: action as Action,
    };
    let domain: SiteRule["domain"] = "all";
    let project: string | undefined;
    if (rule.among) {
      const among = resolveSet(rule.among, action, site, symbols, allApps, d);
      if (!among || among === "runner") continue;
      domain = (e) => among.has(e.subject);
    } else if (rule.project) {
      if (action !== "sync") {
        d.push(
          diagnostic("DPL4007", "`in project` orders syncs; a CSC rule uses `among`", rule.project.span),
        );
        continue;
      }
      const p = rule.project.value;
      project = p;
      domain = (e) => e.project === p;
    }
    const rel = rule.relation;
    if (subjects === "runner") {
      if (rel.kind !== "last" || action !== "offline") {
        d.push(
          diagnostic(
            "DPL4007",
            "`runner` rules say that the queue running a script goes OFFLINE last",
            rule.subject.span,
            {
              help: "write `offline runner last among ScriptQueue:*`",
            },
          ),
        );
        continue;
      }
      out.push({ ...base, kind: "runner-last", subjects, domain });
      continue;
    }
    if (rel.kind === "before") {
      const other = resolveSet(rel.other.targets, rel.other.action, site, symbols, allApps, d);
      if (!other || other === "runner") continue;
      out.push({
        ...base,
        kind: "before",
        subjects,
        domain,
        other: { action: rel.other.action as Action, subjects: other },
      });
      continue;
    }
    out.push({ ...base, kind: rel.kind, subjects, domain, ...(project ? { project } : {}) });
  }
  return out;
}

function resolveSet(
  targets: A.Targets,
  action: A.RuleAction,
  site: SiteModel,
  symbols: Symbols,
  allApps: ReadonlySet<string>,
  d: Diagnostic[],
): Set<string> | "runner" | undefined {
  if (targets.include.length === 1 && targets.include[0]!.kind === "runner") return "runner";
  // `visiting`: the groups being expanded, as a group that contains itself would never end.
  const items = (
    list: readonly A.Target[],
    visiting: ReadonlySet<string> = new Set(),
  ): Set<string> | undefined => {
    const out = new Set<string>();
    for (const t of list) {
      if (t.kind === "everything") {
        for (const id of action === "sync" ? site.apps.keys() : site.cscs.keys()) out.add(id);
      } else if (t.kind === "runner") {
        d.push(
          diagnostic("DPL4007", "`runner` stands alone in a rule", t.span, {
            help: "write `offline runner last among ScriptQueue:*`",
          }),
        );
        return undefined;
      } else if (t.kind === "project") {
        for (const a of site.apps.values()) if (a.project === t.project.value) out.add(a.name);
      } else if (action === "sync") {
        if (site.apps.has(t.ref.name)) out.add(t.ref.name);
        else if (!allApps.has(t.ref.name)) {
          const guess = closest(t.ref.name, allApps);
          d.push(
            diagnostic("DPL2009", `no site has an application \`${t.ref.name}\``, t.ref.nameSpan, {
              help: guess ? `did you mean \`${guess}\`?` : "check the name",
            }),
          );
          return undefined;
        }
      } else {
        const group = symbols.groups.get(t.ref.name);
        if (group) {
          if (visiting.has(group.name.value)) {
            d.push(diagnostic("DPL2006", `group \`${group.name.value}\` contains itself`, t.span));
            return undefined;
          }
          const members = items(group.members, new Set([...visiting, group.name.value]));
          if (members) for (const m of members) out.add(m);
          continue;
        }
        if (!COMPONENTS.has(t.ref.name)) {
          const guess = closest(t.ref.name, [...COMPONENTS.keys(), ...symbols.groups.keys()]);
          d.push(
            diagnostic("DPL2004", `unknown CSC \`${showCsc(t.ref)}\` in a rule`, t.ref.nameSpan, {
              help: guess ? `did you mean \`${guess}\`?` : "CSC names are case-sensitive, as in ts_xml",
            }),
          );
          return undefined;
        }
        if (!checkComponent(t.ref, d)) return undefined; // an index the component does not take
        const all = t.ref.index === "*" || (t.ref.index === undefined && COMPONENTS.get(t.ref.name)?.indexed);
        for (const c of site.cscs.values()) {
          if (c.name === t.ref.name && (all || c.index === t.ref.index)) out.add(c.id);
        }
      }
    }
    return out;
  };
  const include = items(targets.include);
  const exclude = items(targets.exclude);
  if (!include || !exclude) return undefined;
  for (const e of exclude) include.delete(e);
  return include;
}

/**
 * Shapes the working plan so that it obeys the rules where the author left the order open: puts the
 * subjects of a rule first or last inside a step whose order the compiler owns, and adds rule edges
 * between steps that no written order relates. Steps a rule speaks of become critical (killer items).
 * Contradictions with the written order are left for the proof to report.
 */
export function applyRules(steps: XStep[], edges: XEdge[], rules: readonly SiteRule[]): void {
  const index = new Map(steps.map((s, i) => [s, i]));
  const dag = buildDag(
    steps.length,
    edges.map((e) => [index.get(e.from)!, index.get(e.to)!] as const),
  );
  const views = steps.map((s, i) => eventsOfXStep(s, i));
  for (const rule of rules) {
    const gen: Generator = {
      dag,
      events: (node) => views[node]!,
      moveFirst: (node, subjects) =>
        reorder(steps[node]!, subjects, "first", () => (views[node] = eventsOfXStep(steps[node]!, node))),
      moveLast: (node, subjects) =>
        reorder(steps[node]!, subjects, "last", () => (views[node] = eventsOfXStep(steps[node]!, node))),
      order: (from, to, why) => {
        addEdge(dag, from, to);
        edges.push({
          from: steps[from]!,
          to: steps[to]!,
          kind: "rule",
          rule: rule.name,
          detail: why,
          span: rule.span,
        });
      },
    };
    RULE_KINDS[rule.kind].generate(rule, views, gen);
    for (const view of views) {
      if (
        view.events.some(
          (e) =>
            e.action === rule.action &&
            (rule.subjects === "runner" ? e.subject === view.queue : rule.subjects.has(e.subject)),
        )
      ) {
        steps[view.node]!.critical = true;
      }
    }
  }
}

function reorder(
  step: XStep,
  subjects: ReadonlySet<string>,
  where: "first" | "last",
  refresh: () => void,
): void {
  const t = step.transition;
  if (!t) return;
  if (t.script === SYSTEM_WIDE_SHUTDOWN) {
    const list = where === "first" ? t.startWith : t.endWith;
    for (const id of [...subjects].sort()) {
      const name = id.split(":")[0]!;
      if (!list.includes(name) && t.cscs.includes(id)) list.push(name);
    }
  } else if (!t.ordered) {
    const inside = t.cscs.filter((c) => subjects.has(c));
    const outside = t.cscs.filter((c) => !subjects.has(c));
    t.cscs = where === "first" ? [...inside, ...outside] : [...outside, ...inside];
  }
  refresh();
}

/**
 * Proves every rule on a finished plan: from its steps and edges alone, so that a plan changed after
 * compiling (or a bug in the generator) cannot pass unnoticed. Returns one diagnostic per violation
 * (a few per rule), each with an order the runtime could choose that breaks the rule.
 */
export function proveRules(
  plan: Pick<Plan, "steps" | "edges">,
  rules: readonly SiteRule[],
  spanOf: (stepId: string) => Span | undefined = () => undefined,
): Diagnostic[] {
  const index = new Map(plan.steps.map((s, i) => [s.id, i]));
  const dag = buildDag(
    plan.steps.length,
    plan.edges.flatMap((e) => {
      const from = index.get(e.from);
      const to = index.get(e.to);
      return from === undefined || to === undefined ? [] : [[from, to] as const];
    }),
  );
  const steps: StepEvents[] = plan.steps.map((s, i) => eventsOfPlanStep(s, i));
  const ctx: ProofContext = {
    dag,
    steps,
    violation(
      rule: SiteRule,
      code: Code,
      message: string,
      counterexample: string,
      help: string,
      a: At,
      b: At,
    ) {
      // `a` must come before `b`; inside one step that is the order of its list, which has one place to fix.
      const oneStep = a.step.node === b.step.node;
      const related = [
        { span: rule.span, message: "the rule" },
        ...(oneStep ? [b] : [a, b]).flatMap((x) => {
          const span = spanOf(x.step.id);
          return span ? [{ span, message: `step ${x.step.id}: ${x.step.title}` }] : [];
        }),
      ];
      return diagnostic(code, message, spanOf(b.step.id) ?? rule.span, {
        related,
        notes: [`counterexample: ${counterexample}`],
        help: oneStep
          ? `in step ${b.step.id}, list ${a.event.subject} before ${b.event.subject}, or let the compiler order the list (name a group, \`*\` or \`everything\`)`
          : help,
      });
    },
  };
  return rules.flatMap((rule) => RULE_KINDS[rule.kind].prove(rule, ctx));
}

/**
 * How many events a rule orders in a plan (for the plan's record of proven rules): for `before`, the events
 * of its two sides; for the others, its subjects and the events of its domain, or none when no subject
 * occurs in the plan (the rule then orders nothing).
 */
export function ruleEventCount(
  plan: Pick<Plan, "steps">,
  rule: SiteRule,
  // NOTE: the events of every step, when the caller counts several rules on one plan: taking them again for
  // each rule was a sixth of the compile time.
  views: readonly StepEvents[] = plan.steps.map((s, i) => eventsOfPlanStep(s, i)),
): number {
  const other = rule.other;
  let subjects = 0;
  let related = 0;
  for (const view of views) {
    for (const e of view.events) {
      if (matches(rule, e, view.queue)) subjects++;
      else if (other ? e.action === other.action && other.subjects.has(e.subject) : inDomain(rule, e))
        related++;
    }
  }
  if (!other && subjects === 0) return 0;
  return subjects + related;
}
