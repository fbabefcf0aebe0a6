import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeSource, MAX_DIAGNOSTICS_PER_FILE, parse } from "../../src/language/parse.js";

/**
 * Files of 10 MB, generated here rather than committed: a valid procedure repeated, and junk. The front
 * end never throws, parses the valid one cleanly, and caps the diagnostics of the junk with one DPL1016.
 */
const TEN_MB = 10 * 1024 * 1024;

function repeatedProcedure(): string {
  const unit = readFileSync("test/language/fixtures/valid/full-upgrade.dpl", "utf8");
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < TEN_MB; i++) {
    const part = unit.replace("procedure full-upgrade", `procedure full-upgrade-${i}`);
    parts.push(part);
    size += part.length + 1;
  }
  return parts.join("\n");
}

/** Bytes from a small alphabet of the language's characters, in a fixed pseudo-random order. */
function junk(): string {
  const alphabet = "abcXYZ019 \n\t{}()[]\"`'$\\:;,.#*=<>!-offline wait phase procedure ";
  let seed = 20_240_611;
  const chars: string[] = new Array(TEN_MB);
  for (let i = 0; i < TEN_MB; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    chars[i] = alphabet[seed % alphabet.length]!;
  }
  return chars.join("");
}

// NOTE: a generous timeout, as a loaded CI machine may be several times slower than a quiet one.
describe("10 MB files", { timeout: 300_000 }, () => {
  it("a valid procedure repeated to 10 MB parses without a diagnostic", () => {
    const text = repeatedProcedure();
    expect(text.length).toBeGreaterThanOrEqual(TEN_MB);
    const decoded = decodeSource("big.dpl", Buffer.from(text));
    expect("text" in decoded).toBe(true);
    const result = parse("big.dpl", text);
    expect(result.diagnostics).toEqual([]);
    expect(result.file.declarations.length).toBeGreaterThan(1000);
  });

  it("10 MB of junk ends in at most the cap of diagnostics, the last one DPL1016", () => {
    const text = junk();
    const result = parse("junk.dpl", text);
    expect(result.diagnostics.length).toBe(MAX_DIAGNOSTICS_PER_FILE + 1);
    const last = result.diagnostics.at(-1)!;
    expect(last.code).toBe("DPL1016");
    expect(last.message).toMatch(/^\d+ more problems in this file are not shown$/);
    for (const d of result.diagnostics) {
      expect(d.span!.line).toBeGreaterThanOrEqual(1);
      expect(d.span!.line).toBeLessThanOrEqual(result.source.lineStarts.length);
    }
  });
});
