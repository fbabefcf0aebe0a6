/**
 * Quoting for InfluxQL (InfluxDB 1.x), so that no name or value can change the meaning of a statement.
 * InfluxQL's scanner reads the same escapes in quoted identifiers and in string literals: `\\`, `\n` and
 * a backslash before the delimiter; any other character stands for itself.
 */

function escaped(text: string, quote: '"' | "'"): string {
  let out = "";
  for (const ch of text) {
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else out += ch;
  }
  return out;
}

/** A double-quoted identifier (measurement, field, tag key, database): `"lsst.sal.ATDome.logevent_heartbeat"`. */
export function quoteIdent(name: string): string {
  return `"${escaped(name, '"')}"`;
}

/** A single-quoted string literal, as tag values are compared with: `'1'`. */
export function quoteString(value: string): string {
  return `'${escaped(value, "'")}'`;
}

/** A duration literal of whole seconds (`60s`); throws on a value that is not a non-negative integer. */
export function durationSeconds(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0)
    throw new Error(`not a duration in whole seconds: ${seconds}`);
  return `${seconds}s`;
}
