import fc from "fast-check";
import { marked } from "marked";
import { describe, expect, it } from "vitest";
import { codeSpan, escapeInline, escapeLine, fencedBlock } from "../../src/emit/markdown-text.js";

// NOTE: `marked` (a CommonMark/GFM parser) comes with mermaid, a dev dependency; the tests use it as the
// reference reader of the Markdown we write.

const decode = (html: string) =>
  html
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

// Letters, spaces and every character that means something in Markdown. No `:`, `@` or `w`, so that
// GitHub's autolinks (`www.`, `http:`, `a@b.c`), which are harmless, do not get in the way.
const markdownish = fc.string({
  unit: fc.constantFrom(..."abcXYZ019 .-=+#>*_`~|[]()!<&;\\/{}\"'\n\t$^"),
  maxLength: 40,
});

describe("escaping prose", () => {
  it("shows any prose as written: no tag, no emphasis, no link, no code (whitespace aside)", () => {
    fc.assert(
      fc.property(markdownish, (s) => {
        const html = marked.parseInline(escapeLine(s), { async: false }) as string;
        expect(html).not.toMatch(/<[a-z]/);
        expect(decode(html)).toBe(s.replace(/\s+/g, " ").replace(/^ /, ""));
      }),
      { numRuns: 500 },
    );
  });
  it("keeps a line that starts like a block from becoming one", () => {
    for (const line of [
      "- item",
      "+ item",
      "1. first",
      "2) second",
      "# heading",
      "> quote",
      "===",
      "---",
      "    code",
    ]) {
      const html = marked.parse(escapeLine(line), { async: false }) as string;
      expect(html, line).toMatch(/^<p>/);
      expect(decode(html.replace(/<\/?p>\n?/g, ""))).toBe(line.replace(/\s+/g, " ").trim());
    }
  });
  it("leaves ordinary words alone", () => {
    expect(escapeInline("Send the Watcher to OFFLINE (Summit only).")).toBe(
      "Send the Watcher to OFFLINE (Summit only).",
    );
  });
});

describe("code", () => {
  it("a code span holds any one-line text exactly", () => {
    fc.assert(
      fc.property(
        markdownish.filter((s) => !s.includes("\n") && s.trim() !== ""),
        (s) => {
          const tokens = marked.lexer(codeSpan(s));
          const first = (tokens[0] as { tokens?: { type: string; text: string }[] }).tokens?.[0];
          expect(first?.type).toBe("codespan");
          expect(decode(first!.text)).toBe(s);
        },
      ),
      { numRuns: 300 },
    );
  });
  it("a fenced block holds any text exactly, backtick fences inside included", () => {
    const text = fc.string({ unit: fc.constantFrom(..."ab `~\n*|&<>"), maxLength: 60 });
    fc.assert(
      fc.property(text, (s) => {
        const tokens = marked.lexer(`${fencedBlock(s, "sh")}\n\nafter`);
        expect(tokens[0]).toMatchObject({ type: "code", lang: "sh" });
        expect((tokens[0] as { text: string }).text).toBe(s.replace(/\n$/, ""));
        expect(tokens.at(-1)).toMatchObject({ type: "paragraph", text: "after" });
      }),
      { numRuns: 300 },
    );
    expect(fencedBlock("echo ```", "sh")).toBe("````sh\necho ```\n````");
  });
  it("refuses an info string that could break the fence", () => {
    expect(() => fencedBlock("x", "sh`")).toThrow(/info/);
  });
});
