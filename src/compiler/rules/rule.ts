import type { Code } from "../../diagnostics/codes.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";
import type { Dag } from "../graph.js";
import type { Action } from "../model.js";
import type { RuleEvent, StepEvents } from "./events.js";
import type { At } from "./proof.js";

/** A rule resolved for one site: the sets of CSCs or applications it speaks of. */
export interface SiteRule {
  readonly name: string;
  /** The rule as written. */
  readonly text: string;
  readonly because?: string;
  readonly span: Span;
  readonly cites: readonly string[];
  readonly kind: "first" | "last" | "before" | "runner-last";
  /** `in project telescope`: the rule orders the syncs of one Argo CD project. */
  readonly project?: string;
  readonly action: Action;
  /** The events the rule is about: CSC ids or application names; "runner" for the queue of each step. */
  readonly subjects: ReadonlySet<string> | "runner";
  /** The events they are ordered against: `among` / `in project`, or every event of the action. */
  readonly domain: ((e: RuleEvent) => boolean) | "all";
  /** `before`: the second event. */
  readonly other?: { readonly action: Action; readonly subjects: ReadonlySet<string> };
}

/** How a rule changes the working plan while the compiler builds it. */
export interface Generator {
  /** Puts these subjects first among the step's events, if the compiler owns that order. */
  moveFirst(node: number, subjects: ReadonlySet<string>): void;
  moveLast(node: number, subjects: ReadonlySet<string>): void;
  /** Adds a rule edge; the caller skips it when the written order already implies it or contradicts it. */
  order(from: number, to: number, why: string): void;
  /** The step's events as they are now. */
  events(node: number): StepEvents;
  readonly dag: Dag;
}

export interface ProofContext {
  readonly dag: Dag;
  readonly steps: readonly StepEvents[];
  /** Builds the diagnostic of a violation of `rule`, between the events of `a` and `b`. */
  violation(
    rule: SiteRule,
    code: Code,
    message: string,
    counterexample: string,
    help: string,
    a: At,
    b: At,
  ): Diagnostic;
}

/** One kind of rule: how it shapes the plan, and the proof that the finished plan obeys it. */
export interface RuleKind {
  readonly code: Code;
  generate(rule: SiteRule, steps: readonly StepEvents[], gen: Generator): void;
  /** Every violation, each with an order the runtime could choose that breaks the rule. */
  prove(rule: SiteRule, ctx: ProofContext): Diagnostic[];
}

export function matches(rule: SiteRule, e: RuleEvent, queue?: string): boolean {
  if (e.action !== rule.action) return false;
  return rule.subjects === "runner" ? e.subject === queue : rule.subjects.has(e.subject);
}

export function inDomain(rule: SiteRule, e: RuleEvent): boolean {
  return e.action === rule.action && (rule.domain === "all" || rule.domain(e));
}
