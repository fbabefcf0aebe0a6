const unitSeconds: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** `1h30m` to seconds; `undefined` for a malformed duration (already reported by the lexer). */
export function parseDuration(image: string): number | undefined {
  const re = /(\d+)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(image); m; m = re.exec(image)) {
    total += Number(m[1]) * unitSeconds[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === image.length && matched > 0 ? total : undefined;
}
