import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/span.js";
import type { Json } from "../ir/schema.js";
import type * as A from "../language/ast.js";
import { resolveText, type TextScope } from "./text.js";

/**
 * A ScriptQueue script configuration as written (YAML-like) to JSON: bare words are strings, references
 * in strings are filled in for the site. Returns undefined when a reference could not be resolved.
 */
export function configToJson(
  value: A.ConfigValue,
  scope: TextScope,
  diagnostics: Diagnostic[],
): Json | undefined {
  switch (value.kind) {
    case "object": {
      const out: Record<string, Json> = {};
      for (const entry of value.entries) {
        const v = configToJson(entry.value, scope, diagnostics);
        if (v === undefined) return undefined;
        out[entry.key.value] = v;
      }
      return out;
    }
    case "list": {
      const out: Json[] = [];
      for (const item of value.items) {
        const v = configToJson(item, scope, diagnostics);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    }
    case "text":
      return resolveText(value.text, scope, diagnostics);
    case "number":
    case "bool":
    case "word":
      return value.value;
  }
}

/** The top-level keys of a configuration block with their values and where each was written. */
export function configEntries(
  config: A.ConfigObject | undefined,
  scope: TextScope,
  diagnostics: Diagnostic[],
): Map<string, { value: Json; span: Span; keySpan: Span }> {
  const out = new Map<string, { value: Json; span: Span; keySpan: Span }>();
  for (const entry of config?.entries ?? []) {
    const value = configToJson(entry.value, scope, diagnostics);
    if (value !== undefined)
      out.set(entry.key.value, { value, span: entry.value.span, keySpan: entry.key.span });
  }
  return out;
}
