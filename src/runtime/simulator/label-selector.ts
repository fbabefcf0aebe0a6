/**
 * Kubernetes label selectors, as the API server reads the `labelSelector` query parameter: equality
 * (`a=b`, `a==b`, `a!=b`), set-based (`a in (x,y)`, `a notin (x)`), existence (`a`, `!a`), joined by commas.
 */

/** One requirement of a selector; a selector holds when all of its requirements hold. */
export type Requirement =
  | { readonly key: string; readonly op: "exists" }
  | { readonly key: string; readonly op: "!exists" }
  | { readonly key: string; readonly op: "in" | "notin"; readonly values: readonly string[] };

/** A selector the API server cannot parse; the server answers it with 400 BadRequest. */
export class SelectorSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectorSyntaxError";
  }
}

const NAME = "[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
const PREFIX = "[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*";
const KEY = `(?:${PREFIX}/)?${NAME}`;
const VALUE = "(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?";

const EXISTS = new RegExp(`^(!?)\\s*(${KEY})$`);
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`);
const VALUE_ONLY = new RegExp(`^${VALUE}$`);

/**
 * Parses a selector. The empty selector has no requirements and matches everything. Throws
 * SelectorSyntaxError, naming the part it could not read, on anything else the real server refuses.
 */
export function parseSelector(text: string): Requirement[] {
  if (text.trim() === "") return [];
  return splitTopLevel(text).map((part) => parseRequirement(part.trim()));
}

/** Whether labels satisfy every requirement (an absent label satisfies `!=`, `notin` and `!key`). */
export function matchesSelector(
  labels: Readonly<Record<string, string>> | undefined,
  requirements: readonly Requirement[],
): boolean {
  return requirements.every((r) => holds(labels?.[r.key], r));
}

function holds(value: string | undefined, r: Requirement): boolean {
  if (r.op === "exists") return value !== undefined;
  if (r.op === "!exists") return value === undefined;
  if (r.op === "in") return value !== undefined && r.values.includes(value);
  return value === undefined || !r.values.includes(value);
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0 || depth > 1)
      throw new SelectorSyntaxError(`unable to parse requirement: unbalanced parentheses in "${text}"`);
  }
  if (depth !== 0)
    throw new SelectorSyntaxError(`unable to parse requirement: unbalanced parentheses in "${text}"`);
  parts.push(text.slice(start));
  return parts;
}

function parseRequirement(part: string): Requirement {
  let m = EXISTS.exec(part);
  if (m) return { key: m[2]!, op: m[1] ? "!exists" : "exists" };
  m = EQUALITY.exec(part);
  if (m) return { key: m[1]!, op: m[2] === "!=" ? "notin" : "in", values: [m[3]!] };
  m = SET.exec(part);
  if (m) {
    if (m[3]!.trim() === "")
      throw new SelectorSyntaxError(`unable to parse requirement: "${part}" has an empty set of values`);
    const values = m[3]!.split(",").map((v) => v.trim());
    const bad = values.find((v) => !VALUE_ONLY.test(v));
    if (bad !== undefined)
      throw new SelectorSyntaxError(`unable to parse requirement: invalid label value "${bad}"`);
    return { key: m[1]!, op: m[2] as "in" | "notin", values };
  }
  throw new SelectorSyntaxError(`unable to parse requirement: "${part}" is not a label selector requirement`);
}
