import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/span.js";
import { closest } from "../diagnostics/suggest.js";
import type * as A from "../language/ast.js";
import { plainText, showCsc } from "../language/ast.js";
import { parseDuration } from "../language/duration.js";
import { COMPONENTS } from "./catalog.js";
import { checkComponent } from "./site.js";

export const PARAM_TYPES = ["bool", "int", "string", "duration", "csc", "cscs", "apps"] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export type ParamRaw = boolean | number | string | readonly string[];

export interface ParamValue {
  readonly type: ParamType;
  readonly value: ParamRaw;
  /** Whether the value is the procedure's default (neither the entry nor the command line set it). */
  readonly isDefault: boolean;
  readonly span?: Span;
}

/** A value as the IR and messages show it. */
export function showParam(value: ParamRaw): string {
  return Array.isArray(value) ? value.join(", ") : String(value);
}

/**
 * The value of every parameter of a procedure for one entry: the command line's `--param k=v` wins over
 * the entry's arguments, which win over the defaults. Unknown names, values of the wrong type and missing
 * values are reported; a parameter without a valid value is left out (later stages skip what uses it).
 */
export function resolveParams(
  procedure: A.Procedure,
  args: readonly A.Argument[],
  overrides: readonly string[],
  diagnostics: Diagnostic[],
): Map<string, ParamValue> {
  const declared = new Map<string, A.Param>();
  for (const p of procedure.params) {
    if (declared.has(p.name.value)) {
      diagnostics.push(
        diagnostic("DPL2012", `parameter \`${p.name.value}\` is declared twice`, p.name.span, {
          related: [{ span: declared.get(p.name.value)!.name.span, message: "first declared here" }],
        }),
      );
      continue;
    }
    if (!(PARAM_TYPES as readonly string[]).includes(p.type.value)) {
      const guess = closest(p.type.value, PARAM_TYPES);
      diagnostics.push(
        diagnostic("DPL2017", `\`${p.type.value}\` is not a type`, p.type.span, {
          help: guess ? `did you mean \`${guess}\`?` : `the types are ${PARAM_TYPES.join(", ")}`,
        }),
      );
      continue;
    }
    declared.set(p.name.value, p);
  }
  const values = new Map<string, ParamValue>();
  for (const [name, p] of declared) {
    if (p.default) {
      const v = fromValue(p.default, p.type.value as ParamType, name, diagnostics);
      if (v !== undefined)
        values.set(name, {
          type: p.type.value as ParamType,
          value: v,
          isDefault: true,
          span: p.default.span,
        });
    }
  }
  const setFrom = new Map<string, Span | undefined>();
  for (const arg of args) {
    const p = declared.get(arg.name.value);
    if (!p) {
      diagnostics.push(noSuchParam(arg.name.value, procedure, arg.name.span));
      continue;
    }
    if (setFrom.has(arg.name.value)) {
      diagnostics.push(
        diagnostic("DPL2012", `\`${arg.name.value}\` is given twice`, arg.name.span, {
          related: [{ span: setFrom.get(arg.name.value)!, message: "first given here" }],
        }),
      );
      continue;
    }
    setFrom.set(arg.name.value, arg.name.span);
    const v = fromValue(arg.value, p.type.value as ParamType, arg.name.value, diagnostics);
    if (v !== undefined)
      values.set(arg.name.value, {
        type: p.type.value as ParamType,
        value: v,
        isDefault: false,
        span: arg.value.span,
      });
  }
  for (const o of overrides) {
    const eq = o.indexOf("=");
    const name = eq < 0 ? o : o.slice(0, eq);
    const p = declared.get(name);
    if (eq < 0) {
      diagnostics.push(
        diagnostic("DPL3001", `\`--param ${o}\` has no value`, undefined, {
          help: `write \`--param ${name}=<value>\``,
        }),
      );
      continue;
    }
    // A problem of the command line has no place in a file: its message says which option it is about.
    const fromCommandLine = (d: Diagnostic): Diagnostic => ({
      ...d,
      message: `\`--param ${o}\`: ${d.message}`,
    });
    if (!p) {
      diagnostics.push(fromCommandLine(noSuchParam(name, procedure, undefined)));
      continue;
    }
    const found: Diagnostic[] = [];
    const v = fromText(o.slice(eq + 1), p.type.value as ParamType, name, found);
    diagnostics.push(...found.map(fromCommandLine));
    if (v !== undefined) values.set(name, { type: p.type.value as ParamType, value: v, isDefault: false });
  }
  for (const [name, p] of declared) {
    if (!values.has(name) && !p.default) {
      diagnostics.push(
        diagnostic(
          "DPL3003",
          `procedure \`${procedure.name.value}\` needs a value for \`${name}\``,
          p.name.span,
          {
            help: `give it in the entry (\`plan ${procedure.name.value}(${name} = …) for …\`) or with \`--param ${name}=…\``,
          },
        ),
      );
    }
  }
  return values;
}

function noSuchParam(name: string, procedure: A.Procedure, span: Span | undefined): Diagnostic {
  const names = procedure.params.map((p) => p.name.value);
  const guess = closest(name, names);
  return diagnostic("DPL3002", `procedure \`${procedure.name.value}\` has no parameter \`${name}\``, span, {
    help: guess
      ? `did you mean \`${guess}\`?`
      : names.length
        ? `its parameters are ${names.map((n) => `\`${n}\``).join(", ")}`
        : "it takes no parameters",
  });
}

function bad(name: string, type: ParamType, span: Span | undefined, diagnostics: Diagnostic[]): undefined {
  const examples: Record<ParamType, string> = {
    bool: "true or false",
    int: "a whole number",
    string: 'a string ("…")',
    duration: "a duration (30m)",
    csc: "a CSC (ScriptQueue:1)",
    cscs: "a list of CSCs ([ATDome, ATMCS])",
    apps: "a list of applications ([auxtel, obssys])",
  };
  diagnostics.push(
    diagnostic(
      "DPL3001",
      `\`${name}\` is ${type === "int" ? "an" : "a"} ${type}, so its value must be ${examples[type]}`,
      span,
      {
        help: `give ${examples[type]}`,
      },
    ),
  );
  return undefined;
}

function fromValue(
  v: A.Value,
  type: ParamType,
  name: string,
  diagnostics: Diagnostic[],
): ParamRaw | undefined {
  switch (type) {
    case "bool":
      return v.kind === "bool" ? v.value : bad(name, type, v.span, diagnostics);
    case "int":
      return v.kind === "number" && Number.isInteger(v.value)
        ? v.value
        : bad(name, type, v.span, diagnostics);
    case "string": {
      const s = v.kind === "text" ? plainText(v.text) : undefined;
      return s ?? bad(name, type, v.span, diagnostics);
    }
    case "duration":
      return v.kind === "duration" ? v.seconds : bad(name, type, v.span, diagnostics);
    case "csc":
      if (v.kind !== "ref" || v.ref.index === "*") return bad(name, type, v.span, diagnostics);
      return validIndex(v.ref, diagnostics) ? showCsc(v.ref) : undefined;
    case "cscs":
    case "apps": {
      const items = v.kind === "list" ? v.items : [v];
      const out: string[] = [];
      for (const item of items) {
        if (item.kind !== "ref" || (type === "apps" && item.ref.index !== undefined))
          return bad(name, type, item.span, diagnostics);
        if (type === "cscs" && !validIndex(item.ref, diagnostics)) return undefined;
        out.push(showCsc(item.ref));
      }
      return out;
    }
  }
}

/**
 * A CSC in a parameter's value takes an index its component takes (`ScriptQueue:9` is reported here, at
 * the value, not at every step that uses the parameter). Other names may be groups: they are left to the
 * steps that use them.
 */
function validIndex(ref: A.CscRef, diagnostics: Diagnostic[]): boolean {
  return !COMPONENTS.has(ref.name) || checkComponent(ref, diagnostics);
}

const cscPattern = /^[A-Za-z_][A-Za-z0-9_]*(?::(?:\d+|\*))?$/;
const namePattern = /^[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*$/;

function fromText(
  text: string,
  type: ParamType,
  name: string,
  diagnostics: Diagnostic[],
): ParamRaw | undefined {
  const t = text.trim();
  switch (type) {
    case "bool":
      return t === "true" ? true : t === "false" ? false : bad(name, type, undefined, diagnostics);
    case "int":
      return /^-?\d+$/.test(t) ? Number(t) : bad(name, type, undefined, diagnostics);
    case "string":
      return text;
    case "duration":
      return parseDuration(t) ?? bad(name, type, undefined, diagnostics);
    case "csc":
      return cscPattern.test(t) && !t.endsWith("*") ? t : bad(name, type, undefined, diagnostics);
    case "cscs":
    case "apps": {
      const items = t === "" ? [] : t.split(",").map((s) => s.trim());
      const pattern = type === "cscs" ? cscPattern : namePattern;
      return items.every((i) => pattern.test(i)) ? items : bad(name, type, undefined, diagnostics);
    }
  }
}
