import type { Span } from "../diagnostics/span.js";
import type { Json, PlanAdmonition, StepKind } from "../ir/schema.js";
import type * as A from "../language/ast.js";

/**
 * The compiler's working form of one plan: a procedure expanded for one site, before it is lowered to the
 * IR. Steps keep their source spans so that every later pass can point at the line that caused a problem.
 */

export type Action = "offline" | "standby" | "disable" | "enable" | "sync";

export const STATE_OF_VERB: Readonly<
  Record<A.TransitionVerb, "OFFLINE" | "STANDBY" | "DISABLED" | "ENABLED">
> = {
  offline: "OFFLINE",
  standby: "STANDBY",
  disable: "DISABLED",
  enable: "ENABLED",
};

export interface Ignored {
  readonly csc: string;
  readonly name: string;
  readonly index?: number;
  readonly keep: A.State;
  readonly reason?: string;
  readonly span: Span;
  readonly cites: readonly string[];
}

/** A CSC state transition while its CSC order can still be changed by the ordering rules. */
export interface Transition {
  readonly verb: A.TransitionVerb;
  readonly script: string;
  readonly queue: string;
  /** The CSCs in the order the script handles them; rules may reorder it when `ordered` is false. */
  cscs: string[];
  /** Whether the author wrote the order (an explicit list); if not, the compiler orders it. */
  readonly ordered: boolean;
  /** system_wide_shutdown.py: component names shut down first / last. */
  startWith: string[];
  endWith: string[];
  /** The configuration keys the author wrote (checked), to merge with the computed ones. */
  readonly given: ReadonlyMap<string, { readonly value: Json; readonly span: Span }>;
  readonly ignored: readonly Ignored[];
  readonly span: Span;
}

export interface XStep {
  /** Creation order: the stable tie-breaker of every ordering. */
  readonly key: number;
  id: string;
  readonly label?: string;
  /** The phase it is in; an undo moves to the phase where it is placed. */
  phase: XPhase;
  readonly kind: StepKind;
  title: string;
  readonly manual: boolean;
  critical: boolean;
  readonly span: Span;
  readonly cites: readonly string[];
  readonly by?: string;
  readonly check?: string;
  readonly url?: string;
  /** The command a person would type to do or check the step by hand. */
  readonly command?: string;
  readonly confirm?: string;
  readonly timeoutSeconds?: number;
  readonly pollSeconds?: number;
  readonly onTimeout?: { kind: "fail" } | { kind: "continue" } | { kind: "ask"; question: string };
  readonly retries?: number;
  readonly expectedSeconds: number;
  admonitions: PlanAdmonition[];
  /** The kind-specific fields of the IR step (all but a transition's, which are built after the rules). */
  readonly payload: Record<string, Json | undefined>;
  readonly transition?: Transition;
  /** The step's rule events: a sync's application. */
  readonly app?: { readonly name: string; readonly project?: string };
  /** For a temporary change: the step that undoes it. */
  undoneBy?: XStep;
  /** For an undo: the change it undoes. */
  undoes?: XStep;
}

export type XItem =
  | { readonly kind: "step"; readonly step: XStep }
  | { readonly kind: "parallel"; readonly steps: XStep[] };

export interface XPhase {
  readonly name: string;
  readonly title: string;
  number: number;
  readonly mode: "read-do" | "do-confirm";
  readonly by?: string;
  readonly admonitions: PlanAdmonition[];
  readonly span: Span;
  readonly cites: readonly string[];
  items: XItem[];
  checkpoint?: XStep;
}

export type EdgeKind = "sequence" | "phase" | "after" | "rule" | "undo";

export interface XEdge {
  readonly from: XStep;
  readonly to: XStep;
  readonly kind: EdgeKind;
  readonly detail: string;
  readonly rule?: string;
  readonly span: Span;
}

/** The steps of an item: one, or the members of a parallel block. */
export function itemSteps(item: XItem): XStep[] {
  return item.kind === "step" ? [item.step] : item.steps;
}
