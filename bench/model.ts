/**
 * The content of a synthetic procedure repository, independent of how it is written: the generator builds
 * one of these, and `to-dpl.ts` and `to-yaml.ts` write the same content as `.dpl` files and as the YAML a
 * team would write instead of a language. Field names are those of the YAML shape (see yaml-schema.ts).
 */

/** Clauses a step, phase, admonition or ignore entry may carry. Absent fields are not written. */
export interface Clauses {
  only?: string[];
  except?: string[];
  /** A condition over the procedure's parameters, written as in `.dpl` (`not breaks_schema`, `kind == "full"`). */
  when?: string;
  after?: string[];
  by?: string;
  check?: string;
  cite?: string;
  confirm?: string;
  url?: string;
  timeout?: string;
  every?: string;
  duration?: string;
  retry?: number;
  critical?: boolean;
  /** A command shown beside a manual step. */
  command?: string;
  else?: { fail: true } | { continue: true } | { ask: string };
}

export type ConfigValue = string | number | boolean | ConfigValue[] | { [key: string]: ConfigValue };

/** A condition of `wait until` / `expect`. */
export type Condition =
  | { lag: string; max: number }
  | { ready: "pods" | "deployments"; namespace: string; where?: string }
  | { compatibility: string }
  | { cscs: string[]; but?: string[]; is: string };

/** A change that `temporarily` makes and undoes. */
export type Change =
  | { scale: { namespace: string; where?: string; replicas: number } }
  | { compatibility: string }
  | { annotate: { resource: string; name: string; namespace: string; key: string; value: string } };

export type Step = Clauses & { label?: string } & (
    | {
        kind: "transition";
        verb: "offline" | "standby" | "disable" | "enable";
        targets: string[];
        but?: string[];
        via: string;
        queue: string;
        config?: Record<string, ConfigValue>;
      }
    | { kind: "script"; script: string; queue: string; config?: Record<string, ConfigValue> }
    | { kind: "run"; cmd: string; on?: string; on_each?: string }
    | { kind: "scale"; namespace: string; where?: string; replicas: number }
    | { kind: "delete-jobs"; namespace: string; where?: string }
    | {
        kind: "annotate";
        resource: string;
        name: string;
        namespace: string;
        key: string;
        /** null removes the annotation. */
        value: string | null;
      }
    | { kind: "wait"; duration: string }
    | { kind: "wait-until"; condition: Condition }
    | { kind: "expect"; condition: Condition }
    | { kind: "sync"; apps: string[]; projects?: string[]; but?: string[] }
    | { kind: "set-compatibility"; level: string }
    | { kind: "manual"; text: string }
    | { kind: "notify"; message: string }
    | { kind: "temporarily"; change: Change; restore: string | number; until?: string }
    | { kind: "undo"; ref: string }
  );

export type Admonition = Clauses & { level: "important" | "attention" | "warning" | "note"; text: string };

/** An item of a phase: a step, an admonition or a parallel block. */
export type Item = { step: Step } | { admonition: Admonition } | { parallel: Item[]; clauses?: Clauses };

export interface Phase extends Clauses {
  name: string;
  title: string;
  do_confirm?: boolean;
  items: Item[];
}

export interface Param {
  name: string;
  type: "bool" | "int" | "string" | "duration" | "csc" | "cscs" | "apps";
  default?: string | number | boolean | string[];
  doc?: string;
}

export interface IgnoreEntry extends Clauses {
  csc: string;
  keep: string;
  because?: string;
}

export interface Procedure {
  name: string;
  title: string;
  params: Param[];
  cite?: string;
  admonitions: Admonition[];
  ignore: IgnoreEntry[];
  phases: Phase[];
}

export interface Host {
  name: string;
  address: string;
  role?: string;
  service?: string;
  user?: string;
}

export interface App {
  name: string;
  project?: string;
  namespace?: string;
}

/** Where a CSC runs: exactly one of `in`, `on`, `unknown`. */
export interface InventoryEntry {
  csc: string;
  in?: string;
  on?: string;
  unknown?: boolean;
  simulator?: boolean;
  starts?: "ENABLED" | "DISABLED";
  heartbeat_only?: boolean;
  job?: string;
}

export interface Site {
  name: string;
  title: string;
  attributes: Record<string, string | string[]>;
  hosts: Host[];
  apps: App[];
  inventory: InventoryEntry[];
  ignore: IgnoreEntry[];
}

export interface Group {
  name: string;
  title: string;
  members: string[];
}

export interface Rule {
  label: string;
  action: "offline" | "standby" | "disable" | "enable" | "sync";
  targets: string[];
  relation:
    | { first: true }
    | { last: true; among?: string[]; project?: string }
    | { before: { action: Rule["action"]; targets: string[] } };
  because?: string;
  cite?: string;
  only?: string[];
  except?: string[];
}

export interface Document {
  id: string;
  title: string;
  sections: { key: string; title: string; items: { key: string; title: string }[] }[];
}

export interface Entry {
  procedure: string;
  args: Record<string, string | number | boolean>;
  sites: string[];
}

/** The whole repository. */
export interface Repository {
  sites: Site[];
  groups: Group[];
  rules: Rule[];
  ignore: IgnoreEntry[];
  documents: Document[];
  procedure: Procedure;
  entry: Entry;
}
