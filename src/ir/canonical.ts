import { createHash } from "node:crypto";

/**
 * Canonical JSON: object keys sorted by code unit, no `undefined`, numbers as JSON writes them.
 * The same value always gives the same bytes, so plans, checklists and hashes are byte-identical
 * from one compile to the next.
 */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

/**
 * The value with every object's keys in sorted order. NOTE: an object whose keys are sorted already and
 * whose values need no change is returned as it is, not copied: a plan read from its file (canonical JSON)
 * is hashed on every `plan run` and `plan step` without one allocation per object.
 */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = sortKeys(value[i]);
      if (!copy && v !== value[i]) copy = value.slice(0, i);
      if (copy) copy.push(v);
    }
    return copy ?? value;
  }
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! < keys[i]!;
  if (!sorted) {
    const out: Record<string, unknown> = {};
    for (const key of keys.sort()) {
      const v = record[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [i, key] of keys.entries()) {
    const v = record[key];
    const w = v === undefined ? v : sortKeys(v);
    if (!copy && w !== v) {
      copy = {};
      for (const k of keys.slice(0, i)) if (record[k] !== undefined) copy[k] = record[k];
    }
    if (copy && w !== undefined) copy[key] = w;
  }
  return copy ?? value;
}

/** `sha256:<hex>` of the compact canonical JSON of a value. */
export function sha256Of(value: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(value)).digest("hex")}`;
}
