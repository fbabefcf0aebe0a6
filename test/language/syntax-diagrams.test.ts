import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { parserInstance } from "../../src/language/parser.js";
import { DIAGRAMS_PATH, syntaxDiagramsHtml } from "./diagrams.js";
import { expectGolden } from "./golden.js";

/**
 * grammar/syntax-diagrams.html is generated from the parser: this test fails when the committed file is
 * stale (`npm run diagrams` rewrites it), and opens it in Chromium, offline, to see one diagram per rule.
 */
const CHROMIUM = "/usr/bin/chromium";

describe("syntax diagrams", () => {
  const html = syntaxDiagramsHtml();

  it("are up to date with the parser", () => {
    expectGolden(DIAGRAMS_PATH, html);
  });

  it("load nothing from the network", () => {
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
  });

  it("draw one diagram per grammar rule in a browser, offline", { timeout: 120_000 }, async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}; install it with: apt-get install -y chromium`,
      );
    }
    const dir = mkdtempSync(join(tmpdir(), "plan-diagrams-"));
    const context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
      ],
    });
    const requests: string[] = [];
    try {
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
        requests.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(pathToFileURL(resolve(DIAGRAMS_PATH)).href);
      await page.waitForSelector("svg.railroad-diagram");
      const headers = await page.locator("h2.diagramHeader").allTextContents();
      const diagrams = await page.locator("svg.railroad-diagram").count();
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      const rules = Object.keys(parserInstance().getGAstProductions());
      expect(headers).toEqual(rules);
      expect(diagrams).toBe(rules.length);
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
