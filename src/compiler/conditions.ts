import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { closest } from "../diagnostics/suggest.js";
import type * as A from "../language/ast.js";
import { plainText, showCsc } from "../language/ast.js";
import type { ParamValue } from "./params.js";

export interface ConditionScope {
  readonly site: string;
  /** Every site the entry's files declare, to catch a misspelled site in `only` / `except`. */
  readonly siteNames: ReadonlySet<string>;
  readonly params: ReadonlyMap<string, ParamValue>;
  readonly diagnostics: Diagnostic[];
}

/**
 * Whether a construct applies at this site with these parameters: `only` / `except` name sites (each must
 * be a declared site, or a typo would silently drop a step), `when` is an expression over parameters.
 */
export function applies(clauses: A.Clauses, scope: ConditionScope): boolean {
  for (const name of [...(clauses.only ?? []), ...(clauses.except ?? [])]) {
    if (!scope.siteNames.has(name.value)) {
      const guess = closest(name.value, scope.siteNames);
      scope.diagnostics.push(
        diagnostic("DPL2007", `there is no site \`${name.value}\``, name.span, {
          help: guess
            ? `did you mean \`${guess}\`?`
            : `the sites are ${[...scope.siteNames].join(", ") || "(none declared)"}`,
        }),
      );
    }
  }
  if (clauses.only && !clauses.only.some((n) => n.value === scope.site)) return false;
  if (clauses.except?.some((n) => n.value === scope.site)) return false;
  if (clauses.when) return evaluate(clauses.when, scope) ?? false;
  return true;
}

/** The value of a condition; undefined (and reported) when it names an unknown parameter. */
export function evaluate(e: A.Expression, scope: ConditionScope): boolean | undefined {
  switch (e.kind) {
    case "not": {
      const v = evaluate(e.operand, scope);
      return v === undefined ? undefined : !v;
    }
    case "and":
    case "or": {
      const l = evaluate(e.left, scope);
      const r = evaluate(e.right, scope);
      if (l === undefined || r === undefined) return undefined;
      return e.kind === "and" ? l && r : l || r;
    }
    case "param": {
      const p = param(e.name, scope);
      if (!p) return undefined;
      const v = p.value;
      return typeof v === "boolean" ? v : typeof v === "number" ? v !== 0 : v.length > 0;
    }
    case "compare": {
      const p = param(e.name, scope);
      if (!p) return undefined;
      const right = literal(e.value);
      const left = Array.isArray(p.value) ? p.value.join(",") : String(p.value);
      return e.op === "==" ? left === right : left !== right;
    }
  }
}

function param(name: A.Name, scope: ConditionScope): ParamValue | undefined {
  const p = scope.params.get(name.value);
  if (!p) {
    const guess = closest(name.value, scope.params.keys());
    scope.diagnostics.push(
      diagnostic("DPL2010", `there is no parameter \`${name.value}\``, name.span, {
        help: guess
          ? `did you mean \`${guess}\`?`
          : "a condition tests the procedure's parameters; sites go in `only` / `except`",
      }),
    );
  }
  return p;
}

function literal(v: A.Value): string {
  switch (v.kind) {
    case "text":
      return plainText(v.text) ?? "";
    case "number":
    case "bool":
      return String(v.value);
    case "duration":
      return String(v.seconds);
    case "state":
      return v.value;
    case "ref":
      return showCsc(v.ref);
    case "list":
      return v.items.map(literal).join(",");
  }
}
