import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalJson, sha256Of } from "../../src/ir/canonical.js";

/** Canonical JSON as first written: a sorted deep copy, then JSON.stringify. */
function reference(value: unknown, indent?: number): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = sort(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value), null, indent);
}

describe("canonical JSON", () => {
  it("sorts keys at every depth and drops undefined, whether the keys come sorted or not", () => {
    const values: unknown[] = [
      { b: 1, a: 2 },
      { a: 1, b: undefined, c: [{ z: 1, y: undefined, x: [{ d: 1, c: 2 }] }, undefined] },
      { a: { a: 1, b: { d: undefined, c: 1 } }, b: [] },
      { a: 1, b: 2, c: { a: 1 } },
      [{ b: 1, a: 1 }, null, "x", 1.5, true],
      { "": 1, A: 2, a: 3, é: 4, "10": 5, "9": 6 },
    ];
    for (const v of values) {
      expect(canonicalJson(v)).toBe(reference(v));
      expect(canonicalJson(v, 2)).toBe(reference(v, 2));
    }
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":1}');
  });

  it("leaves the value it is given as it was", () => {
    const v = { b: { d: 1, c: 2 }, a: [{ y: 1, x: 2 }] };
    const before = JSON.stringify(v);
    canonicalJson(v);
    expect(JSON.stringify(v)).toBe(before);
  });

  it("gives every golden plan the bytes and hash it had, read from its file or rebuilt in another key order", () => {
    const dir = "test/plans/golden";
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const plan = JSON.parse(readFileSync(`${dir}/${f}`, "utf8")) as Record<string, unknown>;
      const shuffled = JSON.parse(JSON.stringify(plan), (_k, v) =>
        v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
      );
      expect(canonicalJson(plan), f).toBe(reference(plan));
      expect(canonicalJson(shuffled), f).toBe(reference(plan));
      expect(sha256Of(shuffled)).toBe(sha256Of(plan));
    }
  });
});
