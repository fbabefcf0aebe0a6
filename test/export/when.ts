/**
 * Argo's evaluation of a `when`, for the expressions the export writes: first every `{{variable}}` that
 * is known is replaced by its value, and an unknown one is left as it is written (Argo substitutes with
 * unresolved references allowed); then the expression is evaluated: single-quoted strings compared with
 * `==` and `!=`, joined with `&&` and `||`, grouped with parentheses. Anything else throws.
 */
export function evaluateWhen(when: string, variables: Readonly<Record<string, string>>): boolean {
  const text = when.replace(/\{\{([^{}]*)\}\}/g, (all, name: string) => variables[name.trim()] ?? all);
  const matches = [...text.matchAll(/\s*('[^']*'|&&|\|\||==|!=|\(|\))/gy)];
  const covered = matches.reduce((n, m) => n + m[0].length, 0);
  if (covered !== text.trimEnd().length) throw new Error(`not an expression of this kind: ${text}`);
  const tokens = matches.map((m) => m[1]!);
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const t = tokens[at++];
    if (t === undefined || (expected !== undefined && t !== expected))
      throw new Error(`expected ${expected ?? "a token"} at ${at} in ${text}`);
    return t;
  };
  const string = (): string => {
    const t = take();
    if (!t.startsWith("'")) throw new Error(`expected a string, found ${t}`);
    return t.slice(1, -1);
  };
  const primary = (): boolean | string => {
    if (peek() === "(") {
      take("(");
      const v = or();
      take(")");
      return v;
    }
    return string();
  };
  const comparison = (): boolean => {
    const left = primary();
    if (typeof left === "boolean") return left;
    const op = take();
    const right = string();
    if (op === "==") return left === right;
    if (op === "!=") return left !== right;
    throw new Error(`unknown operator ${op}`);
  };
  const and = (): boolean => {
    let v = comparison();
    while (peek() === "&&") {
      take();
      v = comparison() && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (peek() === "||") {
      take();
      v = and() || v;
    }
    return v;
  };
  const result = or();
  if (at !== tokens.length) throw new Error(`unexpected ${tokens[at]} in ${text}`);
  return result;
}
