import type { Span } from "../diagnostics/span.js";

/**
 * The abstract syntax tree of a `.dpl` file. Every node carries the span of the source it came from.
 * The tree says what was written, not what it means: names are unresolved and sites unexpanded.
 * A node that the parser had to recover is left out, so later stages only see well-formed nodes.
 */

export interface Node {
  readonly span: Span;
}

/** A name as written, with its place. */
export interface Name extends Node {
  readonly value: string;
}

/** Text with `${...}` references: `"Stop ${host.service}"` is ["Stop ", {ref: "host.service"}]. */
export interface Text extends Node {
  readonly parts: ReadonlyArray<string | Interpolation>;
}

export interface Interpolation extends Node {
  /** The dotted path inside `${...}`: ["site", "slack"], ["breaks_schema"]. */
  readonly path: readonly string[];
}

export type State = "OFFLINE" | "STANDBY" | "DISABLED" | "ENABLED" | "FAULT";

/** `Watcher`, `ScriptQueue:1`, `ESS:*`. `index` is a number, `"*"`, or absent. */
export interface CscRef extends Node {
  readonly name: string;
  readonly index?: number | "*";
  readonly nameSpan: Span;
}

/** One item of a target list. */
export type Target =
  | ({ readonly kind: "everything" } & Node)
  | ({ readonly kind: "runner" } & Node)
  | ({ readonly kind: "project"; readonly project: Name } & Node)
  | ({ readonly kind: "ref"; readonly ref: CscRef } & Node);

/** `everything but ScriptQueue:*`: what to include and what to leave out. */
export interface Targets extends Node {
  readonly include: readonly Target[];
  readonly exclude: readonly Target[];
}

// ── values ─────────────────────────────────────────────────────────────────────────────────────────────

export type Value =
  | ({ readonly kind: "text"; readonly text: Text } & Node)
  | ({ readonly kind: "number"; readonly value: number } & Node)
  | ({ readonly kind: "duration"; readonly seconds: number } & Node)
  | ({ readonly kind: "bool"; readonly value: boolean } & Node)
  | ({ readonly kind: "state"; readonly value: State } & Node)
  | ({ readonly kind: "ref"; readonly ref: CscRef } & Node)
  | ({ readonly kind: "list"; readonly items: readonly Value[] } & Node);

/** A ScriptQueue script configuration value: YAML-like, bare words are strings. */
export type ConfigValue =
  | ({ readonly kind: "object"; readonly entries: readonly ConfigEntry[] } & Node)
  | ({ readonly kind: "list"; readonly items: readonly ConfigValue[] } & Node)
  | ({ readonly kind: "text"; readonly text: Text } & Node)
  | ({ readonly kind: "number"; readonly value: number } & Node)
  | ({ readonly kind: "bool"; readonly value: boolean } & Node)
  | ({ readonly kind: "word"; readonly value: string } & Node);

export interface ConfigEntry extends Node {
  readonly key: Name;
  readonly value: ConfigValue;
}

export type ConfigObject = Extract<ConfigValue, { kind: "object" }>;

// ── conditions and clauses ─────────────────────────────────────────────────────────────────────────────

export type Expression =
  | ({ readonly kind: "param"; readonly name: Name } & Node)
  | ({
      readonly kind: "compare";
      readonly name: Name;
      readonly op: "==" | "!=";
      readonly value: Value;
    } & Node)
  | ({ readonly kind: "not"; readonly operand: Expression } & Node)
  | ({ readonly kind: "and" | "or"; readonly left: Expression; readonly right: Expression } & Node);

/** `watcher-down` or `shutdown.watcher-down`: a step or a phase, by name. */
export interface StepRef extends Node {
  readonly phase?: Name;
  readonly name: Name;
}

export type OnTimeout =
  | ({ readonly kind: "fail" } & Node)
  | ({ readonly kind: "continue" } & Node)
  | ({ readonly kind: "ask"; readonly question: Text } & Node);

/**
 * The clauses that may follow a step, phase, admonition, rule, ignore entry, plan or document entry.
 * Which clauses a construct accepts is checked when the tree is built (DPL1017).
 */
export interface Clauses {
  readonly only?: readonly Name[];
  readonly except?: readonly Name[];
  readonly when?: Expression;
  readonly after?: readonly StepRef[];
  readonly by?: Text;
  readonly check?: Text;
  readonly cite?: Text;
  readonly confirm?: Text;
  readonly url?: Text;
  readonly because?: Text;
  /** What a `run` step gives its command on standard input (a script that asks `y to proceed`). */
  readonly stdin?: Text;
  readonly timeout?: DurationValue;
  readonly every?: DurationValue;
  readonly duration?: DurationValue;
  readonly retry?: { readonly count: number; readonly span: Span };
  readonly critical?: Span;
  readonly doConfirm?: Span;
  readonly command?: Command;
  readonly onTimeout?: OnTimeout;
}

export interface DurationValue extends Node {
  readonly seconds: number;
}

/** A command in backticks, split into words the way a POSIX shell would, but never run by one. */
export interface Command extends Node {
  /** Each argument is a text, so that `${...}` references inside arguments resolve per site. */
  readonly argv: readonly Text[];
  /** The command as written (for a checklist that shows it exactly). */
  readonly raw: Text;
}

// ── steps ──────────────────────────────────────────────────────────────────────────────────────────────

export type TransitionVerb = "offline" | "standby" | "disable" | "enable";

export type StepCore =
  | ({
      readonly kind: "transition";
      readonly verb: TransitionVerb;
      readonly targets: Targets;
      readonly script: Name;
      readonly queue: CscRef;
      readonly config?: ConfigObject;
    } & Node)
  | ({
      readonly kind: "script";
      readonly script: Name;
      readonly queue: CscRef;
      readonly config?: ConfigObject;
    } & Node)
  | ({ readonly kind: "run"; readonly command: Command; readonly on?: Name; readonly each: boolean } & Node)
  | ScaleCore
  | ({ readonly kind: "delete-jobs"; readonly namespace: Text; readonly selector?: Text } & Node)
  | ({ readonly kind: "delete-jobs-of"; readonly targets: Targets } & Node)
  | AnnotateCore
  | ({ readonly kind: "wait"; readonly duration: DurationValue } & Node)
  | ({ readonly kind: "wait-until"; readonly condition: Condition } & Node)
  | ({ readonly kind: "expect"; readonly condition: Condition } & Node)
  | ({ readonly kind: "sync"; readonly targets: Targets } & Node)
  | SetCompatibilityCore
  | ({ readonly kind: "manual"; readonly text: Text; readonly on?: Name; readonly each: boolean } & Node)
  | ({ readonly kind: "notify"; readonly text: Text } & Node)
  | ({
      readonly kind: "temporarily";
      readonly change: ScaleCore | SetCompatibilityCore | AnnotateCore;
      readonly restore?: Value;
      readonly until?: StepRef;
    } & Node)
  | ({ readonly kind: "undo"; readonly ref: StepRef } & Node);

export interface ScaleCore extends Node {
  readonly kind: "scale";
  readonly namespace: Text;
  readonly selector?: Text;
  readonly replicas: number;
}

export interface SetCompatibilityCore extends Node {
  readonly kind: "set-compatibility";
  readonly level: Name;
}

export interface AnnotateCore extends Node {
  readonly kind: "annotate";
  readonly resource: Name;
  readonly name: Text;
  readonly namespace: Text;
  readonly key: Text;
  /** The value to set; absent when the annotation is removed. */
  readonly value?: Text;
}

export type Condition =
  | ({ readonly kind: "lag"; readonly group: Text; readonly max: number } & Node)
  | ({
      readonly kind: "ready";
      readonly resource: "pods" | "deployments";
      readonly namespace: Text;
      readonly selector?: Text;
    } & Node)
  | ({ readonly kind: "compatibility"; readonly level: Name } & Node)
  | ({ readonly kind: "state"; readonly targets: Targets; readonly state: State | "started" } & Node);

export interface Step extends Node {
  readonly kind: "step";
  readonly label?: Name;
  readonly core: StepCore;
  readonly clauses: Clauses;
}

export type AdmonitionLevel = "important" | "attention" | "warning" | "note";

export interface Admonition extends Node {
  readonly kind: "admonition";
  readonly level: AdmonitionLevel;
  readonly text: Text;
  readonly clauses: Clauses;
}

export interface Parallel extends Node {
  readonly kind: "parallel";
  readonly items: ReadonlyArray<Step | Admonition>;
  readonly clauses: Clauses;
}

export interface Phase extends Node {
  readonly kind: "phase";
  readonly name: Name;
  readonly title?: Text;
  readonly items: ReadonlyArray<Step | Admonition | Parallel>;
  readonly clauses: Clauses;
}

export interface Param extends Node {
  readonly name: Name;
  readonly type: Name;
  readonly default?: Value;
  readonly doc?: Text;
}

export interface Procedure extends Node {
  readonly kind: "procedure";
  readonly name: Name;
  readonly title?: Text;
  readonly params: readonly Param[];
  readonly clauses: Clauses;
  readonly items: ReadonlyArray<Phase | Admonition | IgnoreEntry>;
}

// ── sites ──────────────────────────────────────────────────────────────────────────────────────────────

export interface Attribute extends Node {
  readonly key: Name;
  readonly value: Value;
}

export interface Host extends Node {
  readonly kind: "host";
  readonly name: Name;
  readonly address: Text;
  readonly attributes: readonly Attribute[];
}

export interface Application extends Node {
  readonly kind: "app";
  readonly name: Name;
  readonly project?: Name;
  readonly attributes: readonly Attribute[];
}

export type Deployment =
  | ({ readonly kind: "kubernetes"; readonly app: Name; readonly simulator: boolean } & Node)
  | ({ readonly kind: "host"; readonly host: Name } & Node)
  | ({ readonly kind: "unknown" } & Node);

export interface InventoryEntry extends Node {
  readonly csc: CscRef;
  readonly deployment: Deployment;
  readonly starts?: { readonly state: State; readonly span: Span };
  readonly heartbeatOnly?: Span;
  /** The `csc-name` label of the CSC's Kubernetes job (its chart alias without `-sim`). */
  readonly job?: { readonly name: string; readonly span: Span };
}

export interface SiteDecl extends Node {
  readonly kind: "site";
  readonly name: Name;
  readonly title?: Text;
  readonly attributes: readonly Attribute[];
  readonly hosts: readonly Host[];
  readonly apps: readonly Application[];
  readonly inventory: readonly InventoryEntry[];
  readonly ignores: readonly IgnoreEntry[];
}

// ── top-level declarations ─────────────────────────────────────────────────────────────────────────────

export interface Import extends Node {
  readonly kind: "import";
  readonly path: Name;
}

export interface GroupDecl extends Node {
  readonly kind: "group";
  readonly name: Name;
  readonly title?: Text;
  readonly members: readonly Target[];
}

export type RuleAction = TransitionVerb | "sync";

/** An event that a rule orders: an action on some targets (`offline Watcher`, `sync love`). */
export interface RuleEvent extends Node {
  readonly action: RuleAction;
  readonly targets: Targets;
}

export interface Rule extends Node {
  readonly label?: Name;
  readonly subject: RuleEvent;
  readonly relation:
    | ({ readonly kind: "first" } & Node)
    | ({ readonly kind: "last" } & Node)
    | ({ readonly kind: "before"; readonly other: RuleEvent } & Node);
  /** `among ScriptQueue:*`: the events the rule compares against; all events of the action when absent. */
  readonly among?: Targets;
  /** `in project telescope` */
  readonly project?: Name;
  readonly clauses: Clauses;
}

export interface RulesDecl extends Node {
  readonly kind: "rules";
  readonly rules: readonly Rule[];
}

export interface IgnoreEntry extends Node {
  readonly kind: "ignore";
  readonly csc: CscRef;
  readonly keep: State;
  readonly keepSpan: Span;
  readonly clauses: Clauses;
}

export interface Argument extends Node {
  readonly name: Name;
  readonly value: Value;
}

export interface PlanDecl extends Node {
  readonly kind: "plan";
  readonly procedure: Name;
  readonly args: readonly Argument[];
  readonly sites: readonly Name[];
  readonly clauses: Clauses;
}

export interface DocumentItem extends Node {
  readonly key: Text;
  readonly title: Text;
  readonly clauses: Clauses;
}

export interface DocumentSection extends DocumentItem {
  readonly items: readonly DocumentItem[];
}

export interface DocumentDecl extends Node {
  readonly kind: "document";
  readonly id: Text;
  readonly title: Text;
  readonly clauses: Clauses;
  readonly sections: readonly DocumentSection[];
}

export type Declaration =
  | Import
  | SiteDecl
  | GroupDecl
  | RulesDecl
  | IgnoreEntry
  | Procedure
  | PlanDecl
  | DocumentDecl;

export interface File extends Node {
  readonly path: string;
  readonly declarations: readonly Declaration[];
}

/** The plain text of a Text whose parts are all literal; `undefined` when it has references. */
export function plainText(text: Text): string | undefined {
  let out = "";
  for (const part of text.parts) {
    if (typeof part !== "string") return undefined;
    out += part;
  }
  return out;
}

/** The text as written, with references shown as `${...}` (for messages and titles). */
export function showText(text: Text): string {
  return text.parts.map((p) => (typeof p === "string" ? p : `\${${p.path.join(".")}}`)).join("");
}

/** `ScriptQueue:1`, `ESS:*`, `Watcher`. */
export function showCsc(ref: { name: string; index?: number | "*" }): string {
  return ref.index === undefined ? ref.name : `${ref.name}:${ref.index}`;
}
