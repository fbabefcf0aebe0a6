import type { Json, Plan, PlanAdmonition, PlanPhase, Step } from "../ir/schema.js";
import { type Detail, KIND_LABELS, stepDetails } from "./step-details.js";
import { compareIds, formatDuration, inlineRuns, oneLine, paragraphs, type Run } from "./text.js";

/**
 * The checklist of one plan as the templates see it: everything precomputed and format-neutral (prose as
 * runs of text and inline code, commands and configurations as exact text), so that the Markdown and HTML
 * templates only lay it out. Optional fields are absent, never empty strings, so that a template written
 * against a field that does not exist fails in handlebars' strict mode.
 */
export interface ChecklistView {
  title: string;
  procedure: { name: string; title: string };
  site: { name: string; title: string };
  planId: string;
  hash: string;
  compilerVersion: string;
  params: { name: string; type: string; value: string; given: boolean }[];
  siteFacts: { label: string; values: string[] }[];
  hosts: { name: string; address: string; login: string; service?: string; roles: string }[];
  admonitions: AdmonitionView[];
  ignored: { csc: string; keep: string; reason?: Run[] }[];
  summary: SummaryView;
  phases: PhaseView[];
}

/** An admonition: its level, the word printed for it (`WARNING`), its paragraphs. */
export interface AdmonitionView {
  level: PlanAdmonition["level"];
  label: string;
  paragraphs: Run[][];
}

/** The short summary after the header: counts, phases, manual and critical steps, temporary changes, rules. */
export interface SummaryView {
  /** "5 phases, 43 steps: 8 manual, 8 critical." */
  line: string;
  phaseCount: number;
  stepCount: number;
  manualCount: number;
  criticalCount: number;
  phases: {
    number: number;
    anchor: string;
    title: Run[];
    mode: string;
    stepCount: number;
    manualCount: number;
    criticalCount: number;
  }[];
  manual: { id: string; title: Run[]; by?: Run[] }[];
  critical: { id: string; title: Run[] }[];
  temporary: { id: string; title: Run[]; undoneBy: string; undoTitle: Run[] }[];
  rules: { name: string; text: Run[]; because?: Run[]; events: number }[];
}

/** One phase: a section of its own (a printed page), its items in the plan's order, and its sign-off. */
export interface PhaseView {
  number: number;
  name: string;
  title: Run[];
  titleText: string;
  anchor: string;
  mode: "READ-DO" | "DO-CONFIRM";
  modeHelp: string;
  by?: Run[];
  admonitions: AdmonitionView[];
  steps: StepView[];
  stepCount: number;
  signoff: { key: string; id?: string; label: string };
}

/** One item of a phase: the step's id, title, tags, what to do exactly, who, what to check, and notes. */
export interface StepView {
  id: string;
  title: Run[];
  titleText: string;
  kind: string;
  manual: boolean;
  critical: boolean;
  admonitions: AdmonitionView[];
  details: Detail[];
  by?: Run[];
  check?: Run[];
  notes: { label: string; runs: Run[] }[];
  link?: string;
}

const MODE_HELP = {
  "read-do": "Read each item aloud, then do it; tick it when it is done.",
  "do-confirm": "Do the work of this phase, then stop and confirm each item; tick what is confirmed.",
} as const;

/**
 * Builds the checklist view of a plan. The plan must satisfy `PlanSchema`; if its references are
 * inconsistent (a phase lists a step that does not exist, a step missing from `order`, a step listed in a
 * phase but ordered after that phase's closing checkpoint), this throws an Error that names the step, as
 * that is a bug in whatever wrote the plan and the paper would send people the wrong way.
 */
export function checklistView(plan: Plan): ChecklistView {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const position = new Map(plan.order.map((id, i) => [id, i]));
  const get = (id: string): Step => {
    const step = byId.get(id);
    if (!step) throw new Error(`the plan's phase lists step ${id}, which it does not define`);
    return step;
  };
  const phases = plan.phases.map((phase) => phaseView(phase, plan, get, position));
  const all = plan.steps;
  return {
    title: `${oneLine(plan.procedure.title)}: ${oneLine(plan.site.title)}`,
    procedure: { name: plan.procedure.name, title: oneLine(plan.procedure.title) },
    site: { name: plan.site.name, title: oneLine(plan.site.title) },
    planId: plan.id,
    hash: plan.hash,
    compilerVersion: `${plan.compiler.name} ${plan.compiler.version}`,
    params: Object.keys(plan.params)
      .sort()
      .map((name) => {
        const p = plan.params[name]!;
        return { name, type: p.type, value: showJson(p.value), given: !p.default };
      }),
    siteFacts: siteFacts(plan),
    hosts: usedHosts(plan).map((h) => ({
      name: h.name,
      address: h.address,
      login: `${h.user ? `${h.user}@` : ""}${h.address}${h.port ? `:${h.port}` : ""}`,
      ...(h.service ? { service: h.service } : {}),
      roles: h.roles.join(", "),
    })),
    admonitions: plan.admonitions.map(admonitionView),
    ignored: plan.ignored.map((i) => ({
      csc: i.csc,
      keep: i.keep,
      ...(i.reason ? { reason: inlineRuns(oneLine(i.reason)) } : {}),
    })),
    summary: {
      line: `${count(plan.phases.length, "phase")}, ${count(all.length, "step")}: ${all.filter((s) => s.manual).length} manual, ${all.filter((s) => s.critical).length} critical.`,
      phaseCount: plan.phases.length,
      stepCount: all.length,
      manualCount: all.filter((s) => s.manual).length,
      criticalCount: all.filter((s) => s.critical).length,
      phases: phases.map((p) => ({
        number: p.number,
        anchor: p.anchor,
        title: p.title,
        mode: p.mode,
        stepCount: p.stepCount,
        manualCount: p.steps.filter((s) => s.manual).length,
        criticalCount: p.steps.filter((s) => s.critical).length,
      })),
      manual: inOrder(
        all.filter((s) => s.manual),
        position,
      ).map((s) => ({
        id: s.id,
        title: title(s),
        ...(s.by ? { by: inlineRuns(oneLine(s.by)) } : {}),
      })),
      critical: inOrder(
        all.filter((s) => s.critical),
        position,
      ).map((s) => ({ id: s.id, title: title(s) })),
      temporary: inOrder(
        all.filter((s) => s.temporary),
        position,
      ).map((s) => ({
        id: s.id,
        title: title(s),
        undoneBy: s.temporary!.undoneBy,
        undoTitle: title(get(s.temporary!.undoneBy)),
      })),
      rules: plan.rules.map((r) => ({
        name: r.name,
        text: inlineRuns(oneLine(r.text)),
        ...(r.because ? { because: inlineRuns(oneLine(r.because).replace(/[.!?]$/, "")) } : {}),
        events: r.events,
      })),
    },
    phases,
  };
}

function phaseView(
  phase: PlanPhase,
  plan: Plan,
  get: (id: string) => Step,
  position: Map<string, number>,
): PhaseView {
  const steps = inOrder(phase.steps.map(get), position);
  // The checkpoint that closes the phase is its sign-off, not an item among the others.
  const checkpoints = steps.filter((s) => s.kind === "checkpoint");
  const closing = checkpoints.at(-1);
  const late = closing ? steps.slice(steps.indexOf(closing) + 1) : [];
  if (late.length > 0) {
    // NOTE: refusing beats printing it: on paper the step would be done before its phase's pause point.
    throw new Error(
      `step ${late[0]!.id} is listed in phase ${phase.number} (${phase.name}) but runs after its sign-off ${closing!.id}`,
    );
  }
  const items = closing ? steps.slice(0, -1) : steps;
  return {
    number: phase.number,
    name: phase.name,
    title: inlineRuns(oneLine(phase.title)),
    titleText: oneLine(phase.title),
    anchor: `phase-${phase.number}`,
    mode: phase.mode === "read-do" ? "READ-DO" : "DO-CONFIRM",
    modeHelp: MODE_HELP[phase.mode],
    ...(phase.by ? { by: inlineRuns(oneLine(phase.by)) } : {}),
    admonitions: phase.admonitions.map(admonitionView),
    steps: items.map((s) => stepView(s, plan, get)),
    stepCount: steps.length,
    signoff: {
      key: closing?.id ?? `phase-${phase.number}-complete`,
      ...(closing ? { id: closing.id } : {}),
      label: `PHASE ${phase.number} COMPLETE`,
    },
  };
}

function stepView(step: Step, plan: Plan, get: (id: string) => Step): StepView {
  const notes: StepView["notes"] = [];
  if (step.confirm) notes.push({ label: "Ask first", runs: inlineRuns(oneLine(step.confirm)) });
  if (step.temporary) {
    const undo = get(step.temporary.undoneBy);
    notes.push({
      label: "Temporary change",
      runs: [{ text: "undone by " }, { code: undo.id }, { text: ": " }, ...title(undo)],
    });
  }
  if (step.undoes) {
    const change = get(step.undoes);
    notes.push({ label: "Undoes", runs: [{ code: change.id }, { text: ": " }, ...title(change)] });
  }
  for (const [rule, from] of ruleOrder(step, plan)) {
    const runs: Run[] = [{ text: "after " }];
    from.forEach((id, i) => {
      if (i > 0) runs.push({ text: ", " });
      runs.push({ code: id });
    });
    runs.push({ text: " (rule " }, { code: rule }, { text: ")" });
    notes.push({ label: "Order", runs });
  }
  const timing = timingText(step);
  if (timing) notes.push({ label: "Takes", runs: [{ text: timing }] });
  if (step.source.cite && step.source.cite.length > 0) {
    notes.push({ label: "Source", runs: [{ text: step.source.cite.join(", ") }] });
  }
  return {
    id: step.id,
    title: title(step),
    titleText: oneLine(step.title),
    kind: KIND_LABELS[step.kind],
    manual: step.manual,
    critical: step.critical,
    admonitions: step.admonitions.map(admonitionView),
    details: stepDetails(step, plan),
    ...(step.by ? { by: inlineRuns(oneLine(step.by)) } : {}),
    ...(step.check ? { check: inlineRuns(oneLine(step.check)) } : {}),
    notes,
    ...(step.url ? { link: step.url } : {}),
  };
}

/** The rule edges of each plan, by the step they lead to: built once, so a checklist is linear in its plan. */
const ruleEdgesCache = new WeakMap<Plan, Map<string, Plan["edges"]>>();

function ruleEdgesTo(plan: Plan, id: string): Plan["edges"] {
  let byTarget = ruleEdgesCache.get(plan);
  if (!byTarget) {
    byTarget = new Map();
    for (const e of plan.edges) {
      if (e.reason.kind !== "rule") continue;
      const list = byTarget.get(e.to);
      if (list) list.push(e);
      else byTarget.set(e.to, [e]);
    }
    ruleEdgesCache.set(plan, byTarget);
  }
  return byTarget.get(id) ?? [];
}

/** The steps that an ordering rule puts before this one, grouped by rule, in a stable order. */
function ruleOrder(step: Step, plan: Plan): [string, string[]][] {
  const byRule = new Map<string, string[]>();
  for (const e of ruleEdgesTo(plan, step.id)) {
    const rule = e.reason.kind === "rule" ? (e.reason.rule ?? "unnamed") : "unnamed";
    const list = byRule.get(rule);
    if (list) list.push(e.from);
    else byRule.set(rule, [e.from]);
  }
  const ruleIndex = (name: string) => {
    const i = plan.rules.findIndex((r) => r.name === name);
    return i < 0 ? plan.rules.length : i;
  };
  return [...byRule.entries()]
    .sort(([a], [b]) => ruleIndex(a) - ruleIndex(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([rule, from]) => [rule, [...new Set(from)].sort(compareIds)]);
}

function timingText(step: Step): string | undefined {
  const parts: string[] = [];
  // Short steps say nothing: five minutes here or there is noise on paper; `plan estimate` has the totals.
  if (step.expectedSeconds >= 600) parts.push(`about ${formatDuration(step.expectedSeconds)}`);
  if (step.timeoutSeconds !== undefined) {
    const then =
      step.onTimeout?.kind === "ask"
        ? `, then ask: ${oneLine(step.onTimeout.question)}`
        : step.onTimeout?.kind === "continue"
          ? ", then go on"
          : ", then stop";
    parts.push(`give up after ${formatDuration(step.timeoutSeconds)}${then}`);
  }
  if (step.retries !== undefined)
    parts.push(`retried up to ${step.retries} time${step.retries === 1 ? "" : "s"}`);
  return parts.length > 0 ? parts.join("; ") : undefined;
}

function admonitionView(a: PlanAdmonition): AdmonitionView {
  return {
    level: a.level,
    label: a.level.toUpperCase(),
    paragraphs: paragraphs(a.text).map((p) => inlineRuns(oneLine(p))),
  };
}

function title(step: Step): Run[] {
  return inlineRuns(oneLine(step.title));
}

function inOrder(steps: Step[], position: Map<string, number>): Step[] {
  const at = (s: Step) => {
    const i = position.get(s.id);
    if (i === undefined) throw new Error(`step ${s.id} is missing from the plan's order`);
    return i;
  };
  return [...steps].sort((a, b) => at(a) - at(b));
}

/** The site's hosts that some step runs a command on, in the site's order. */
function usedHosts(plan: Plan): Plan["site"]["hosts"] {
  const used = new Set(plan.steps.flatMap((s) => (s.kind === "command" && s.host ? [s.host.name] : [])));
  return plan.site.hosts.filter((h) => used.has(h.name));
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function showJson(value: Json): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function siteFacts(plan: Plan): ChecklistView["siteFacts"] {
  const s = plan.site;
  const facts: ChecklistView["siteFacts"] = [];
  const add = (label: string, values: (string | undefined)[]) => {
    const present = values.filter((v): v is string => v !== undefined && v !== "");
    if (present.length > 0) facts.push({ label, values: present });
  };
  add("Kubernetes context", [s.kubernetes?.context]);
  add("Kubeconfig", [s.kubernetes?.kubeconfig]);
  add("Argo CD", [s.argocd?.url]);
  add("LOVE", s.love);
  add("Chronograf", [s.chronograf]);
  add("Nublado", [s.nublado]);
  add("Slack", [s.slack]);
  add("Schema registry", [s.schemaRegistry?.url]);
  add("Kafka", s.kafka?.bootstrap ?? []);
  if (s.efd) add(`EFD (database ${s.efd.database})`, [s.efd.url]);
  return facts;
}
