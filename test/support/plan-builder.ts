import { compareIds } from "../../src/emit/text.js";
import { sealPlan } from "../../src/ir/plan.js";
import {
  type Edge,
  FORMAT_VERSION,
  type Json,
  type Plan,
  type PlanAdmonition,
  type PlanPhase,
  PlanSchema,
  type PlanSite,
  type PlanSource,
  type Step,
  type StepKind,
} from "../../src/ir/schema.js";

/** The fields of a step kind that the builder does not fill in itself. */
type Common =
  | "id"
  | "phase"
  | "after"
  | "source"
  | "temporary"
  | "undoes"
  | "admonitions"
  | "manual"
  | "critical";
export type StepInput<K extends StepKind> = Omit<
  Extract<Step, { kind: K }>,
  Common | "kind" | "expectedSeconds"
> & {
  manual?: boolean;
  critical?: boolean;
  admonitions?: { level: PlanAdmonition["level"]; text: string }[];
  expectedSeconds?: number;
  /** Predecessors besides the previous step of the phase (step ids). */
  after?: string[];
  /**
   * Runs beside the other parallel steps written right before it: it waits for what they wait for, and
   * the next step that is not parallel waits for all of them.
   */
  parallel?: boolean;
  /** Marks this step as a temporary change; `undo` on a later step names the same key. */
  temporary?: string;
  /** Marks this step as the undo of the temporary change with this key. */
  undo?: string;
  /** Citations of the source procedure. */
  cite?: string[];
};

export interface PhaseInput {
  name: string;
  title: string;
  mode?: PlanPhase["mode"];
  by?: string;
  admonitions?: { level: PlanAdmonition["level"]; text: string }[];
  /** Close the phase with a `checkpoint` step `<n>.end` (the default, as the compiler does). */
  checkpoint?: boolean;
}

export interface PlanInputHeader {
  procedure: { name: string; title: string };
  site: PlanSite;
  params?: Plan["params"];
  compilerVersion?: string;
  /** The file that source positions point into. */
  file?: string;
}

/** Adds steps to one phase; obtained from `PlanBuilder.phase`. */
export class PhaseBuilder {
  private count = 0;
  readonly ids: string[] = [];
  /** @internal what the next parallel step waits for */
  base: string[] = [];
  /** @internal what the next sequential step waits for */
  frontier: string[] = [];
  /** @internal whether no parallel step has joined the frontier since the last sequential step */
  frontierIsBase = true;
  constructor(
    private readonly plan: PlanBuilder,
    readonly number: number,
    readonly name: string,
  ) {}

  /** Adds a step of the given kind and returns its id. */
  step<K extends StepKind>(kind: K, input: StepInput<K>): string {
    this.count += 1;
    const id = `${this.number}.${this.count}`;
    this.plan.addStep(this, id, kind, input as StepInput<StepKind>);
    return id;
  }
}

/**
 * A builder of realistic plan IR objects for tests, until (and beside) the compiler: it numbers the steps
 * the way the compiler does (`<phase>.<n>`, and `<phase>.end` for the checkpoint that closes a phase), draws
 * the edges (sequence inside a phase, phase order, `after`, rules, undo of temporary changes), fills each
 * step's `after` from those edges, computes a topological order with ties broken by step id, validates the
 * result with `PlanSchema` and seals it with `sealPlan`.
 *
 * ```ts
 * const b = new PlanBuilder({ procedure: { name: "full-upgrade", title: "Full upgrade" }, site });
 * b.phase({ name: "shutdown", title: "Shut down" }, (p) => {
 *   const watcher = p.step("csc-transition", { title: "Send the Watcher to OFFLINE", ... });
 *   p.step("manual", { title: "Check heartbeats", text: "..." });
 * });
 * const plan = b.build(); // throws if the result does not satisfy PlanSchema or has a cycle
 * ```
 *
 * Every step gets defaults for the fields a test rarely cares about (`manual` is true for `manual` steps,
 * `critical` false, no admonitions, `expectedSeconds` 60, a source line in `test/fixture.dpl`).
 */
export class PlanBuilder {
  private line = 1;
  private readonly phases: PlanPhase[] = [];
  private readonly steps: Step[] = [];
  private readonly edges: Edge[] = [];
  private readonly rules: Plan["rules"] = [];
  private readonly admonitions: PlanAdmonition[] = [];
  private readonly ignored: Plan["ignored"] = [];
  private readonly temporaries = new Map<string, string>();
  private previousFrontier: string[] = [];

  constructor(private readonly header: PlanInputHeader) {}

  /** A source position on the next line of the fixture file, with optional citations. */
  source(cite?: string[]): PlanSource {
    const s: PlanSource = { file: this.header.file ?? "test/fixture.dpl", line: this.line++, column: 1 };
    if (cite) s.cite = cite;
    return s;
  }

  /** An admonition of the whole procedure, shown before the first phase. */
  admonition(level: PlanAdmonition["level"], text: string): this {
    this.admonitions.push({ level, text, source: this.source() });
    return this;
  }

  /** A CSC that the procedure leaves alone, with the state it keeps. */
  ignore(csc: string, keep: Plan["ignored"][number]["keep"], reason?: string): this {
    const entry: Plan["ignored"][number] = { csc, keep, source: this.source() };
    if (reason !== undefined) entry.reason = reason;
    this.ignored.push(entry);
    return this;
  }

  /** An ordering rule, proven (as every rule in a plan is). `events` defaults to the edges it made. */
  rule(name: string, text: string, options: { because?: string; events?: number } = {}): this {
    const rule: Plan["rules"][number] = {
      name,
      text,
      events: options.events ?? -1,
      holds: true,
      source: this.source(),
    };
    if (options.because !== undefined) rule.because = options.because;
    this.rules.push(rule);
    return this;
  }

  /** An edge drawn by an ordering rule, from the step that must come first to the one that must wait. */
  ruleEdge(from: string, to: string, rule: string, detail?: string): this {
    this.edges.push({
      from,
      to,
      reason: { kind: "rule", rule, detail: detail ?? `rule \`${rule}\``, source: this.source() },
    });
    return this;
  }

  /** A phase; `body` adds its steps. Phases are numbered in the order they are added. */
  phase(input: PhaseInput, body: (p: PhaseBuilder) => void): this {
    const number = this.phases.length + 1;
    const p = new PhaseBuilder(this, number, input.name);
    const phase: PlanPhase = {
      name: input.name,
      title: input.title,
      number,
      mode: input.mode ?? "read-do",
      admonitions: (input.admonitions ?? []).map((a) => ({ ...a, source: this.source() })),
      steps: p.ids,
      source: this.source(),
    };
    if (input.by !== undefined) phase.by = input.by;
    this.phases.push(phase);
    p.base = this.previousFrontier;
    p.frontier = p.base;
    body(p);
    if (input.checkpoint ?? true) {
      const id = `${number}.end`;
      this.addStep(p, id, "checkpoint", {
        title: `${input.title}: phase complete`,
        phaseTitle: input.title,
      } as never);
    }
    this.previousFrontier = p.frontier;
    return this;
  }

  /** @internal used by PhaseBuilder */
  addStep(p: PhaseBuilder, id: string, kind: StepKind, input: StepInput<StepKind>): void {
    const { parallel, temporary, undo, cite, after, admonitions, ...rest } = input;
    const step = {
      manual: kind === "manual",
      critical: false,
      expectedSeconds: 60,
      ...rest,
      kind,
      id,
      phase: p.name,
      after: [],
      source: this.source(cite),
      admonitions: (admonitions ?? []).map((a) => ({ ...a, source: this.source() })),
    } as unknown as Step;
    p.ids.push(id);
    this.steps.push(step);
    // A sequential step waits for the frontier (the previous step, or every step of a parallel group);
    // a parallel step waits for what the group hangs off, and joins the frontier.
    const edgeKind = (from: string) => (p.ids.includes(from) ? "sequence" : "phase");
    const detail = (from: string) =>
      p.ids.includes(from) ? "written after it" : `phase ${p.number} starts after phase ${p.number - 1}`;
    if (parallel && kind !== "checkpoint") {
      for (const from of p.base) this.edge(from, id, edgeKind(from), detail(from));
      p.frontier = p.frontierIsBase ? [id] : [...p.frontier, id];
      p.frontierIsBase = false;
    } else {
      for (const from of p.frontier) this.edge(from, id, edgeKind(from), detail(from));
      p.base = [id];
      p.frontier = [id];
      p.frontierIsBase = true;
    }
    for (const a of after ?? []) this.edge(a, id, "after", `written \`after ${a}\``);
    if (temporary !== undefined) this.temporaries.set(temporary, id);
    if (undo !== undefined) {
      const change = this.temporaries.get(undo);
      if (change === undefined) throw new Error(`plan-builder: undo of unknown temporary change \`${undo}\``);
      (step as { undoes?: string }).undoes = change;
      const changed = this.steps.find((s) => s.id === change)!;
      changed.temporary = { undoneBy: id };
      this.edge(change, id, "undo", `undoes the temporary change of ${change}`);
    }
  }

  private edge(from: string, to: string, kind: Edge["reason"]["kind"], detail: string): void {
    if (this.edges.some((e) => e.from === from && e.to === to)) return;
    this.edges.push({ from, to, reason: { kind, detail, source: this.source() } });
  }

  /**
   * The sealed plan. Throws if an edge names an unknown step, if the edges have a cycle, or if the result
   * does not satisfy `PlanSchema` (the message says where).
   */
  build(): Plan {
    const ids = new Set(this.steps.map((s) => s.id));
    for (const e of this.edges) {
      if (!ids.has(e.from) || !ids.has(e.to))
        throw new Error(`plan-builder: edge ${e.from} -> ${e.to} names an unknown step`);
    }
    const steps = this.steps.map((s) => ({
      ...s,
      after: this.edges
        .filter((e) => e.to === s.id)
        .map((e) => e.from)
        .sort(compareIds),
    }));
    const rules = this.rules.map((r) => ({
      ...r,
      events: r.events >= 0 ? r.events : this.edges.filter((e) => e.reason.rule === r.name).length,
    }));
    const draft = {
      format: "plan" as const,
      formatVersion: FORMAT_VERSION,
      compiler: { name: "plan" as const, version: this.header.compilerVersion ?? "0.1.0" },
      id: `${this.header.procedure.name}@${this.header.site.name}`,
      procedure: {
        ...this.header.procedure,
        source: { file: this.header.file ?? "test/fixture.dpl", line: 1, column: 1 },
      },
      site: this.header.site,
      params: this.header.params ?? {},
      admonitions: this.admonitions,
      ignored: this.ignored,
      phases: this.phases.map((p) => ({ ...p, steps: [...p.steps] })),
      steps,
      edges: [...this.edges].sort((a, b) => compareIds(a.from, b.from) || compareIds(a.to, b.to)),
      order: topologicalOrder([...ids], this.edges),
      rules,
    };
    const sealed = sealPlan(draft as Omit<Plan, "hash">);
    const parsed = PlanSchema.safeParse(sealed);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`plan-builder: the plan is malformed at ${issue.path.join(".")}: ${issue.message}`);
    }
    return sealed;
  }
}

/** Kahn's algorithm, always taking the smallest ready step id; throws on a cycle. */
function topologicalOrder(ids: string[], edges: readonly Edge[]): string[] {
  const indegree = new Map(ids.map((id) => [id, 0]));
  for (const e of edges) indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  const ready = ids.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort(compareIds);
    const id = ready.shift()!;
    order.push(id);
    for (const e of edges) {
      if (e.from !== id) continue;
      const left = indegree.get(e.to)! - 1;
      indegree.set(e.to, left);
      if (left === 0) ready.push(e.to);
    }
  }
  if (order.length !== ids.length) throw new Error("plan-builder: the edges have a cycle");
  return order;
}

/** A JSON value, for script configurations in fixtures. */
export type { Json };
