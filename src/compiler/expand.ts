import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/span.js";
import { closest } from "../diagnostics/suggest.js";
import type { PlanAdmonition } from "../ir/schema.js";
import type * as A from "../language/ast.js";
import { plainText, showCsc } from "../language/ast.js";
import { COMPONENTS } from "./catalog.js";
import { applies, type ConditionScope } from "./conditions.js";
import { type Ignored, itemSteps, type XEdge, type XItem, type XPhase, type XStep } from "./model.js";
import type { ParamValue } from "./params.js";
import { checkComponent, cscId, type SiteModel } from "./site.js";
import { citesOf, expandStep, type StepScope } from "./steps.js";
import type { Symbols } from "./symbols.js";
import { resolveText } from "./text.js";

/** A procedure expanded for one site: phases of steps with ids, and the edges that the text implies. */
export interface Expanded {
  readonly phases: XPhase[];
  /** In id order: phase by phase, as written, each phase's checkpoint last. */
  readonly steps: XStep[];
  readonly edges: XEdge[];
  readonly ignored: Ignored[];
  readonly admonitions: PlanAdmonition[];
}

interface Temporary {
  readonly change: XStep;
  readonly undo: XStep;
  readonly ast: A.Step;
  readonly until?: A.StepRef;
}

interface UndoSlot {
  readonly ast: A.Step & { core: Extract<A.StepCore, { kind: "undo" }> };
  readonly phase: XPhase;
  readonly item: XItem;
  /** `undo x cite "…"`: the sentence the undo implements, when it is not the change's (the default). */
  readonly cites?: readonly string[];
  /** The admonitions written right before the `undo`: they guard the undo step. */
  readonly admonitions: PlanAdmonition[];
}

/**
 * Expands a procedure for a site: evaluates `only` / `except` / `when`, resolves every name against the
 * site, numbers the steps (`2.3`, `2.3.1` for one of several steps of one line, `2.end` for the phase's
 * sign-off), places the undo of every temporary change, and draws the edges of the written order
 * (sequence in a phase, phase after phase, `after`, change before undo).
 */
export function expand(
  procedure: A.Procedure,
  site: SiteModel,
  symbols: Symbols,
  params: ReadonlyMap<string, ParamValue>,
  diagnostics: Diagnostic[],
): Expanded {
  const cond: ConditionScope = {
    site: site.name,
    siteNames: new Set(symbols.sites.keys()),
    params,
    diagnostics,
  };
  const ignored = resolveIgnores(procedure, site, symbols, cond);
  let key = 0;
  const scope: StepScope = {
    site,
    groups: symbols.groups,
    params,
    ignored,
    symbols,
    diagnostics,
    nextKey: () => key++,
  };
  const text = { site, params };
  const admonition = (a: A.Admonition): PlanAdmonition | undefined => {
    const t = resolveText(a.text, text, diagnostics);
    if (t === undefined) return undefined;
    const cites = citesOf(a.clauses.cite, scope);
    return { level: a.level, text: t, source: sourceOf(a.span, cites) };
  };

  const labels = collectLabels(procedure, diagnostics);
  const byAst = new Map<A.Step, XStep[]>();
  const temporaries: Temporary[] = [];
  const slots: UndoSlot[] = [];
  const afters: Array<{ steps: XStep[]; refs: readonly A.StepRef[] }> = [];
  const phases: XPhase[] = [];
  const planAdmonitions: PlanAdmonition[] = [];
  let between: PlanAdmonition[] = [];
  const phaseNames = new Map<string, Span>();

  for (const item of procedure.items) {
    if (item.kind === "ignore") continue;
    if (item.kind === "admonition") {
      if (!applies(item.clauses, cond)) continue;
      const a = admonition(item);
      if (a) (phases.length === 0 ? planAdmonitions : between).push(a);
      continue;
    }
    const earlier = phaseNames.get(item.name.value);
    if (earlier) {
      diagnostics.push(
        diagnostic("DPL2012", `phase \`${item.name.value}\` is defined twice`, item.name.span, {
          related: [{ span: earlier, message: "first defined here" }],
        }),
      );
    } else phaseNames.set(item.name.value, item.name.span);
    // The admonitions written before a phase that another site has go with it, not onto the next phase.
    if (!applies(item.clauses, cond)) {
      between = [];
      continue;
    }
    const phase: XPhase = {
      name: item.name.value,
      title: item.title ? (resolveText(item.title, text, diagnostics) ?? item.name.value) : item.name.value,
      number: 0,
      mode: item.clauses.doConfirm ? "do-confirm" : "read-do",
      ...(item.clauses.by ? { by: resolveText(item.clauses.by, text, diagnostics) ?? "" } : {}),
      admonitions: between,
      span: item.name.span,
      cites: citesOf(item.clauses.cite, scope),
      items: [],
    };
    between = [];
    let pending: PlanAdmonition[] = [];
    let started = false;
    const addStep = (s: A.Step, into: XStep[] | undefined): XItem | undefined => {
      // An admonition guards the step written after it: where that step is left out, so is the admonition.
      if (!applies(s.clauses, cond)) {
        pending = [];
        return undefined;
      }
      if (s.core.kind === "undo") {
        const slotItem: XItem = { kind: "parallel", steps: [] };
        slots.push({
          ast: s as UndoSlot["ast"],
          phase,
          item: slotItem,
          ...(s.clauses.cite ? { cites: citesOf(s.clauses.cite, scope) } : {}),
          admonitions: pending,
        });
        pending = [];
        return into ? undefined : slotItem;
      }
      const got = expandStep(s, phase, scope, pending);
      pending = [];
      if (got.steps.length === 0) return undefined;
      started = true;
      const origin = {};
      for (const x of got.steps) origins.set(x, origin);
      byAst.set(s, got.steps);
      if (s.clauses.after) afters.push({ steps: got.steps, refs: s.clauses.after });
      if (got.undo) {
        const change = got.steps[0]!;
        temporaries.push({
          change,
          undo: got.undo,
          ast: s,
          ...(s.core.kind === "temporarily" && s.core.until ? { until: s.core.until } : {}),
        });
      }
      if (into) {
        into.push(...got.steps);
        return undefined;
      }
      return got.steps.length === 1
        ? { kind: "step", step: got.steps[0]! }
        : { kind: "parallel", steps: got.steps };
    };
    for (const it of item.items) {
      if (it.kind === "admonition") {
        if (!applies(it.clauses, cond)) continue;
        const a = admonition(it);
        if (a) (started ? pending : phase.admonitions).push(a);
        continue;
      }
      if (it.kind === "parallel") {
        if (!applies(it.clauses, cond)) {
          pending = [];
          continue;
        }
        const members: XStep[] = [];
        for (const m of it.items) {
          if (m.kind === "admonition") {
            if (!applies(m.clauses, cond)) continue;
            const a = admonition(m);
            if (a) pending.push(a);
            continue;
          }
          if (m.core.kind === "undo") {
            diagnostics.push(
              diagnostic("DPL1017", "an `undo` cannot be inside `parallel`", m.span, {
                help: "put the undo after the parallel block",
              }),
            );
            continue;
          }
          addStep(m, members);
        }
        if (members.length > 0) phase.items.push({ kind: "parallel", steps: members });
        continue;
      }
      const x = addStep(it, undefined);
      if (x) phase.items.push(x);
    }
    trailing.set(phase, pending);
    phases.push(phase);
  }
  planAdmonitions.push(...between);

  placeUndos(temporaries, slots, labels, phases, cond, procedure, diagnostics, origins);

  // Empty phases (every step is for other sites) are left out; the rest are numbered.
  const kept = phases.filter((p) => p.items.some((i) => itemSteps(i).length > 0));
  const steps: XStep[] = [];
  kept.forEach((phase, n) => {
    phase.number = n + 1;
    phase.items = phase.items.filter((i) => itemSteps(i).length > 0);
    let counter = 0;
    for (const item of phase.items) {
      const groups = new Map<object, XStep[]>();
      for (const s of itemSteps(item)) {
        // An undo is made with its change's phase, then placed in another one: it belongs where it was placed.
        (s as { phase: XPhase }).phase = phase;
        const o = origins.get(s) ?? s;
        if (!groups.has(o)) groups.set(o, []);
        groups.get(o)!.push(s);
      }
      for (const group of groups.values()) {
        counter++;
        group.forEach((s, k) => {
          s.id = group.length === 1 ? `${phase.number}.${counter}` : `${phase.number}.${counter}.${k + 1}`;
        });
      }
      steps.push(...itemSteps(item));
    }
    const checkpoint: XStep = {
      key: key++,
      id: `${phase.number}.end`,
      phase,
      kind: "checkpoint",
      title: `Phase ${phase.number} complete: ${phase.title}`,
      manual: false,
      critical: false,
      span: phase.span,
      cites: phase.cites,
      expectedSeconds: 0,
      admonitions: trailing.get(phase) ?? [],
      payload: { phaseTitle: phase.title },
    };
    phase.checkpoint = checkpoint;
    steps.push(checkpoint);
  });

  const declared = new Set(procedure.items.flatMap((i) => (i.kind === "phase" ? [i.name.value] : [])));
  const edges = writtenEdges(kept, declared, afters, temporaries, labels, byAst, diagnostics);
  return { phases: kept, steps, edges, ignored: [...ignored.values()], admonitions: planAdmonitions };
}

const origins = new WeakMap<XStep, object>();
const trailing = new WeakMap<XPhase, PlanAdmonition[]>();

export function sourceOf(span: Span, cites: readonly string[]): PlanAdmonition["source"] {
  return {
    file: span.file,
    line: span.line,
    column: span.column,
    ...(cites.length ? { cite: [...cites] } : {}),
  };
}

/** The site's ignore list for this plan: top-level, the site's own and the procedure's entries that apply. */
function resolveIgnores(
  procedure: A.Procedure,
  site: SiteModel,
  symbols: Symbols,
  cond: ConditionScope,
): Map<string, Ignored> {
  const out = new Map<string, Ignored>();
  const entries = [
    ...symbols.ignores,
    ...site.decl.ignores,
    ...procedure.items.filter((i): i is A.IgnoreEntry => i.kind === "ignore"),
  ];
  for (const entry of entries) {
    if (!applies(entry.clauses, cond)) continue;
    const ref = entry.csc;
    if (!checkComponent(ref, cond.diagnostics)) continue;
    const all = ref.index === "*" || (ref.index === undefined && COMPONENTS.get(ref.name)?.indexed);
    const ids = all
      ? [...site.cscs.values()].filter((c) => c.name === ref.name).map((c) => c.id)
      : [cscId(ref.name, ref.index as number | undefined)];
    if (ids.length === 0 || !site.cscs.has(ids[0]!)) {
      cond.diagnostics.push(
        diagnostic(
          "DPL2004",
          `\`${showCsc(ref)}\` is not in the inventory of site \`${site.name}\``,
          ref.span,
          {
            help: `give the entry \`only\` the sites that have it`,
          },
        ),
      );
      continue;
    }
    const reason = entry.clauses.because ? (plainText(entry.clauses.because) ?? undefined) : undefined;
    const cites = citesOf(entry.clauses.cite, { symbols, diagnostics: cond.diagnostics });
    for (const id of ids) {
      const earlier = out.get(id);
      if (earlier && earlier.keep !== entry.keep) {
        cond.diagnostics.push(
          diagnostic(
            "DPL2012",
            `\`${id}\` is ignored twice, keeping ${earlier.keep} and ${entry.keep}`,
            ref.span,
            {
              related: [{ span: earlier.span, message: `keeps ${earlier.keep} here` }],
              help: "keep one entry",
            },
          ),
        );
        continue;
      }
      const csc = site.cscs.get(id)!;
      out.set(id, {
        csc: id,
        name: csc.name,
        ...(csc.index !== undefined ? { index: csc.index } : {}),
        keep: entry.keep,
        ...(reason ? { reason } : {}),
        span: entry.span,
        cites,
      });
    }
  }
  return out;
}

/** Every label of the procedure at any site, so that a reference to a step of another site is not "unknown". */
function collectLabels(
  procedure: A.Procedure,
  diagnostics: Diagnostic[],
): Map<string, { step: A.Step; phase: A.Phase }> {
  const labels = new Map<string, { step: A.Step; phase: A.Phase }>();
  for (const phase of procedure.items) {
    if (phase.kind !== "phase") continue;
    const visit = (s: A.Step) => {
      if (!s.label) return;
      const earlier = labels.get(s.label.value);
      if (earlier) {
        diagnostics.push(
          diagnostic("DPL2012", `step \`${s.label.value}\` is defined twice`, s.label.span, {
            related: [{ span: earlier.step.label!.span, message: "first defined here" }],
            help: "labels name one step in a procedure",
          }),
        );
        return;
      }
      labels.set(s.label.value, { step: s, phase });
    };
    for (const it of phase.items) {
      if (it.kind === "step") visit(it);
      else if (it.kind === "parallel") for (const m of it.items) if (m.kind === "step") visit(m);
    }
  }
  return labels;
}

type Labels = Map<string, { step: A.Step; phase: A.Phase }>;

/** A reference to a step or phase: the AST step, a phase name, or nothing (reported). */
function lookupRef(
  ref: A.StepRef,
  labels: Labels,
  procedure: A.Procedure,
  diagnostics: Diagnostic[],
): { step: A.Step } | { phase: string } | undefined {
  const phaseNames = phaseNamesOf(procedure);
  if (!ref.phase && phaseNames.has(ref.name.value) && !labels.has(ref.name.value))
    return { phase: ref.name.value };
  const found = labels.get(ref.name.value);
  if (found && (!ref.phase || found.phase.name.value === ref.phase.value)) return { step: found.step };
  const guess = closest(ref.name.value, [...labels.keys(), ...phaseNames]);
  diagnostics.push(
    diagnostic(
      "DPL2011",
      ref.phase
        ? `phase \`${ref.phase.value}\` has no step \`${ref.name.value}\``
        : `there is no step or phase \`${ref.name.value}\``,
      ref.span,
      {
        help: guess ? `did you mean \`${guess}\`?` : "name a step by giving it a label: `my-step: sync love`",
      },
    ),
  );
  return undefined;
}

const phaseNameSets = new WeakMap<A.Procedure, ReadonlySet<string>>();

/** The names of a procedure's phases, gathered once per procedure (references are looked up per step). */
function phaseNamesOf(procedure: A.Procedure): ReadonlySet<string> {
  let names = phaseNameSets.get(procedure);
  if (!names) {
    names = new Set(procedure.items.flatMap((i) => (i.kind === "phase" ? [i.name.value] : [])));
    phaseNameSets.set(procedure, names);
  }
  return names;
}

interface Position {
  readonly phase: number;
  readonly item: number;
}

/**
 * Where the items stand before any undo is placed, found in maps built once. NOTE: searching the phases for
 * each change made placing undos quadratic in the size of the plan. Placing an undo moves no item before
 * another, so these positions order items as well as the current ones do; only an insertion needs the
 * current index of its anchor, which is found in the anchor's own phase.
 */
class Positions {
  private readonly ordinal = new Map<XItem, Position>();
  private readonly itemOfStep = new Map<XStep, XItem>();
  private readonly firstItemOfSpan = new Map<Span, XItem>();
  private readonly phaseIndex = new Map<string, number>();

  constructor(phases: readonly XPhase[]) {
    phases.forEach((phase, p) => {
      if (!this.phaseIndex.has(phase.name)) this.phaseIndex.set(phase.name, p);
      phase.items.forEach((item, i) => {
        this.ordinal.set(item, { phase: p, item: i });
        for (const s of itemSteps(item)) {
          if (!this.itemOfStep.has(s)) this.itemOfStep.set(s, item);
          if (!this.firstItemOfSpan.has(s.span)) this.firstItemOfSpan.set(s.span, item);
        }
      });
    });
  }

  of(item: XItem): Position | undefined {
    return this.ordinal.get(item);
  }

  /** The item that holds a step. */
  itemOf(step: XStep): XItem | undefined {
    return this.itemOfStep.get(step);
  }

  /** The first item that holds a step written at this place. */
  firstWrittenAt(span: Span): XItem | undefined {
    return this.firstItemOfSpan.get(span);
  }

  phase(name: string): number {
    return this.phaseIndex.get(name) ?? -1;
  }
}

function before(a: Position, b: Position): boolean {
  return a.phase < b.phase || (a.phase === b.phase && a.item < b.item);
}

/**
 * Puts each undo in its place: an explicit `undo` step's position, right after the `until` step (after its
 * parallel block) or at the end of the `until` phase, or else at the end of the plan. An undo that some
 * site or condition could leave out while its change stays in, or one placed before its change, is an error.
 */
function placeUndos(
  temporaries: Temporary[],
  slots: UndoSlot[],
  labels: Labels,
  phases: XPhase[],
  cond: ConditionScope,
  procedure: A.Procedure,
  diagnostics: Diagnostic[],
  originMap: WeakMap<XStep, object>,
): void {
  const changeOf = new Map<A.Step, Temporary>();
  for (const t of temporaries) changeOf.set(t.ast, t);
  const explicitFor = new Map<A.Step, A.Step[]>();
  const allUndoStatements: A.Step[] = [];
  for (const phase of procedure.items) {
    if (phase.kind !== "phase") continue;
    for (const it of phase.items)
      if (it.kind === "step" && it.core.kind === "undo") allUndoStatements.push(it);
  }
  for (const u of allUndoStatements) {
    const core = u.core as Extract<A.StepCore, { kind: "undo" }>;
    const found = labels.get(core.ref.name.value);
    if (!found) {
      lookupRef(core.ref, labels, procedure, diagnostics);
      continue;
    }
    if (found.step.core.kind !== "temporarily") {
      diagnostics.push(
        diagnostic(
          "DPL3008",
          `step \`${core.ref.name.value}\` is not a temporary change, so it has no undo`,
          core.ref.span,
          {
            related: [{ span: found.step.span, message: "the step" }],
            help: "declare the change with `temporarily …`",
          },
        ),
      );
      continue;
    }
    if (found.step.core.until) {
      diagnostics.push(
        diagnostic(
          "DPL3008",
          `the change \`${core.ref.name.value}\` already says \`until\`; it cannot also have an \`undo\` step`,
          u.span,
          {
            related: [{ span: found.step.core.until.span, message: "`until` here" }],
            help: "keep one of the two",
          },
        ),
      );
      continue;
    }
    const list = explicitFor.get(found.step) ?? [];
    list.push(u);
    explicitFor.set(found.step, list);
    if (list.length > 1) {
      diagnostics.push(
        diagnostic("DPL3008", `the change \`${core.ref.name.value}\` is undone twice`, u.span, {
          related: [{ span: list[0]!.span, message: "first undone here" }],
          help: "undo a change once",
        }),
      );
    }
  }
  const positions = new Positions(phases);
  const positionOfStep = (step: XStep) => {
    const item = positions.itemOf(step);
    return item ? positions.of(item) : undefined;
  };
  const placed = new Set<Temporary>();
  for (const slot of slots) {
    const core = slot.ast.core;
    const found = labels.get(core.ref.name.value);
    const t = found ? changeOf.get(found.step) : undefined;
    if (!t || placed.has(t) || (explicitFor.get(found!.step)?.[0] ?? slot.ast) !== slot.ast) continue;
    placed.add(t);
    // NOTE: the document often says where a change is undone in a sentence of its own ("scale the telegraf
    // connectors back to 1"), so an explicit `undo` may cite that sentence instead of the change's.
    if (slot.cites) (t.undo as { cites: readonly string[] }).cites = slot.cites;
    if (slot.admonitions.length > 0) t.undo.admonitions = [...slot.admonitions];
    const at = positions.of(slot.item);
    const changeAt = positionOfStep(t.change);
    if (at && changeAt && !before(changeAt, at)) {
      diagnostics.push(
        diagnostic("DPL3007", `this undo comes before the change it undoes`, slot.ast.span, {
          related: [{ span: t.ast.span, message: "the change" }],
          help: "move the `undo` after the change",
        }),
      );
      continue; // not placed: it would also close a cycle with its change
    }
    slot.item.kind === "parallel" && slot.item.steps.push(t.undo);
    originMap.set(t.undo, t.undo);
  }
  for (const t of temporaries) {
    if (placed.has(t)) continue;
    const explicit = explicitFor.get(t.ast);
    if (explicit?.length) {
      diagnostics.push(
        diagnostic(
          "DPL3006",
          `at site \`${cond.site}\` the change applies but its undo does not, so the undo would be skipped`,
          explicit[0]!.span,
          {
            related: [{ span: t.ast.span, message: "the change" }],
            help: "give the undo the same conditions as the change (or none)",
          },
        ),
      );
      continue;
    }
    originMap.set(t.undo, t.undo);
    const insertAfterItem = (phaseIndex: number, item: XItem) => {
      const items = phases[phaseIndex]!.items;
      items.splice(items.indexOf(item) + 1, 0, { kind: "step", step: t.undo });
    };
    const changeAt = positionOfStep(t.change)!;
    const anchor = t.until ? lookupRef(t.until, labels, procedure, diagnostics) : undefined;
    if (anchor && "phase" in anchor) {
      const p = positions.phase(anchor.phase);
      if (p >= 0) {
        if (p < changeAt.phase) {
          diagnostics.push(
            diagnostic(
              "DPL3007",
              `the undo would run at the end of phase \`${anchor.phase}\`, before the change`,
              t.until!.span,
              {
                help: "name a phase or step that comes after the change",
              },
            ),
          );
          continue;
        }
        phases[p]!.items.push({ kind: "step", step: t.undo });
        continue;
      }
    } else if (anchor && "step" in anchor) {
      const anchorItem = positions.firstWrittenAt(anchor.step.span);
      const at = anchorItem ? positions.of(anchorItem) : undefined;
      if (anchorItem && at) {
        if (!before(changeAt, at)) {
          diagnostics.push(
            diagnostic(
              "DPL3007",
              `the undo would run after \`${t.until!.name.value}\`, which comes before the change`,
              t.until!.span,
              {
                related: [{ span: anchor.step.span, message: "that step" }],
                help: "name a step that comes after the change",
              },
            ),
          );
          continue;
        }
        insertAfterItem(at.phase, anchorItem);
        continue;
      }
    }
    // No anchor at this site: the undo goes at the end of the plan, where it cannot be skipped.
    const last = phases.length - 1;
    if (last >= 0) phases[last]!.items.push({ kind: "step", step: t.undo });
  }
}

/** Edges of the written order: in a phase item after item, phase after phase through each sign-off, `after`, undo. */
function writtenEdges(
  phases: XPhase[],
  declaredPhases: ReadonlySet<string>,
  afters: Array<{ steps: XStep[]; refs: readonly A.StepRef[] }>,
  temporaries: Temporary[],
  labels: Labels,
  byAst: Map<A.Step, XStep[]>,
  diagnostics: Diagnostic[],
): XEdge[] {
  const edges: XEdge[] = [];
  let previousCheckpoint: XStep | undefined;
  for (const phase of phases) {
    let prev: XStep[] = previousCheckpoint ? [previousCheckpoint] : [];
    let first = true;
    for (const item of phase.items) {
      const steps = itemSteps(item);
      for (const from of prev) {
        for (const to of steps) {
          edges.push(
            first && previousCheckpoint
              ? {
                  from,
                  to,
                  kind: "phase",
                  detail: `phase ${phase.number} starts after phase ${previousCheckpoint.phase.number} is complete`,
                  span: phase.span,
                }
              : {
                  from,
                  to,
                  kind: "sequence",
                  detail: `written after ${from.id} in phase ${phase.number}`,
                  span: to.span,
                },
          );
        }
      }
      prev = steps;
      first = false;
    }
    const checkpoint = phase.checkpoint!;
    for (const from of prev) {
      edges.push({
        from,
        to: checkpoint,
        kind: "phase",
        detail: `phase ${phase.number} is complete when ${from.id} is done`,
        span: phase.span,
      });
    }
    previousCheckpoint = checkpoint;
  }
  const phaseByName = new Map(phases.map((p) => [p.name, p]));
  for (const { steps, refs } of afters) {
    for (const ref of refs) {
      const found = labels.get(ref.name.value);
      const phase = !ref.phase && !found ? phaseByName.get(ref.name.value) : undefined;
      // A phase that has no step at this site leaves nothing to wait for.
      if (!ref.phase && !found && !phase && declaredPhases.has(ref.name.value)) continue;
      if (phase) {
        for (const to of steps)
          edges.push({
            from: phase.checkpoint!,
            to,
            kind: "after",
            detail: `\`after ${ref.name.value}\``,
            span: ref.span,
          });
        continue;
      }
      if (!found || (ref.phase && found.phase.name.value !== ref.phase.value)) {
        const guess = closest(ref.name.value, [...labels.keys(), ...declaredPhases]);
        diagnostics.push(
          diagnostic(
            "DPL2011",
            `there is no step or phase \`${ref.phase ? `${ref.phase.value}.` : ""}${ref.name.value}\``,
            ref.span,
            {
              help: guess
                ? `did you mean \`${guess}\`?`
                : "name a step by giving it a label: `my-step: sync love`",
            },
          ),
        );
        continue;
      }
      // A step that does not apply at this site leaves nothing to wait for.
      for (const from of byAst.get(found.step) ?? []) {
        for (const to of steps)
          edges.push({ from, to, kind: "after", detail: `\`after ${ref.name.value}\``, span: ref.span });
      }
    }
  }
  // An undo that could not be placed (reported) has no edge: it is in no phase.
  const placed = new Set(phases.flatMap((p) => p.items.flatMap(itemSteps)));
  for (const t of temporaries) {
    if (!placed.has(t.undo) || !placed.has(t.change)) continue;
    edges.push({
      from: t.change,
      to: t.undo,
      kind: "undo",
      detail: `${t.undo.id} undoes the temporary change ${t.change.id}`,
      span: t.ast.span,
    });
  }
  return edges;
}
