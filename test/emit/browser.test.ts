import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitMermaid } from "../../src/emit/mermaid.js";
import { sealPlan } from "../../src/ir/plan.js";
import type { Plan } from "../../src/ir/schema.js";
import { readPdf } from "../support/pdf.js";
import {
  hostileText,
  LONG_TOKEN,
  TEMPLATE_TEXT,
  XSS_IMG,
  XSS_SCRIPT,
} from "../support/plans/hostile-text.js";
import { FIXTURE_PLANS } from "../support/plans/index.js";
import { summitFullUpgrade } from "../support/plans/summit-full-upgrade.js";
import { htmlOf } from "./support.js";

/**
 * The HTML checklist in a real browser: Debian's Chromium, driven by playwright-core, offline (every
 * request that is not a local file is refused and counted). Without Chromium these tests fail: they are
 * part of what "done" means for the checklist.
 */
const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SHOTS = new URL("../../.tmp/screenshots/", import.meta.url);

let context: BrowserContext;
let dir: string;
const offline: string[] = [];
const files = new Map<string, string>();

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; the browser tests need it (they never skip). Install it with: apt-get update && apt-get install -y --no-install-recommends chromium`,
    );
  }
  dir = mkdtempSync(join(tmpdir(), "plan-browser-"));
  context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1100, height: 1400 },
  });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
    offline.push(url);
    return route.abort();
  });
  const plans: Record<string, Plan> = {
    summit: summitFullUpgrade(),
    summitOther: summitWithOtherHash(),
    hostile: hostileText(),
  };
  for (const [name, plan] of Object.entries(plans)) {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, await htmlOf(plan));
    files.set(name, pathToFileURL(file).href);
  }
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The Summit plan with another parameter value: the same step ids, another hash. */
function summitWithOtherHash(): Plan {
  const { hash: _old, ...rest } = summitFullUpgrade();
  return sealPlan({
    ...rest,
    params: { ...rest.params, breaks_schema: { type: "bool", value: false, default: true } },
  });
}

async function open(name: string): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void (d.type() === "confirm" ? d.accept() : d.dismiss());
  });
  await page.goto(files.get(name)!);
  return { page, errors, dialogs };
}

const checked = (page: Page, id: string) => page.isChecked(`input.tick[data-step="${id}"]`);

describe("ticking boxes", () => {
  it("remembers ticks across reloads, per plan hash, shows progress, and clears them with the button", async () => {
    const { page, errors, dialogs } = await open("summit");
    expect(await page.textContent("[data-progress-all]")).toBe("Progress: 0 / 43 ticked");
    await page.check('input.tick[data-step="1.1"]');
    await page.check('input.tick[data-step="1.2"]');
    await page.check('input.tick[data-step="2.10"]');
    expect(await page.textContent('.phase-progress[data-progress-for="phase-1"]')).toBe("2 / 6 ticked");
    expect(await page.textContent('td[data-progress-for="phase-2"]')).toBe("1 / 11");
    expect(await page.textContent('[data-time-for="1.1"]')).toMatch(/^\d\d:\d\d$/);

    await page.reload();
    expect(await checked(page, "1.1")).toBe(true);
    expect(await checked(page, "1.2")).toBe(true);
    expect(await checked(page, "2.10")).toBe(true);
    expect(await checked(page, "1.3")).toBe(false);
    expect(await page.textContent("[data-progress-all]")).toBe("Progress: 3 / 43 ticked");

    // Another plan (another hash), the same step ids: it starts clean, and does not touch the first.
    const other = await open("summitOther");
    expect(await checked(other.page, "1.1")).toBe(false);
    expect(await other.page.textContent("[data-progress-all]")).toBe("Progress: 0 / 43 ticked");
    await other.page.check('input.tick[data-step="1.5"]');
    await other.page.close();

    await page.reload();
    expect(await checked(page, "1.1")).toBe(true);
    expect(await checked(page, "1.5")).toBe(false);
    await page.click("[data-clear]");
    expect(dialogs).toEqual(["Clear every tick of this checklist?"]);
    expect(await checked(page, "1.1")).toBe(false);
    expect(await page.textContent("[data-progress-all]")).toBe("Progress: 0 / 43 ticked");
    await page.reload();
    expect(await checked(page, "1.1")).toBe(false);
    expect(await checked(page, "2.10")).toBe(false);
    expect(errors).toEqual([]);
    expect(offline).toEqual([]);
    await page.close();
  });
});

describe("on paper", () => {
  it("prints each phase on a page of its own, and cuts no code block off", async () => {
    const { page } = await open("summit");
    const pdf = readPdf(await page.pdf({ preferCSSPageSize: true }));
    const plan = summitFullUpgrade();
    const text = (i: number) => pdf.pages[i]!.text.normalize("NFKC");
    let previous = 0;
    for (const phase of plan.phases) {
      const dest = pdf.dests.get(`phase-${phase.number}`);
      expect(dest, `phase ${phase.number}`).toBeDefined();
      expect(dest!.page).toBeGreaterThan(previous);
      expect(dest!.fromTop).toBeLessThan(60);
      expect(text(dest!.page).startsWith(`Phase ${phase.number}: ${phase.title}`)).toBe(true);
      expect(text(dest!.page - 1)).not.toContain(`Phase ${phase.number}:`);
      previous = dest!.page;
    }
    const graph = pdf.dests.get("graph");
    expect(graph?.page).toBe(pdf.pages.length - 1);
    expect(text(graph!.page).startsWith("The plan as a graph")).toBe(true);
    const all = pdf.pages.map((_, i) => text(i)).join(" ");
    for (const step of plan.steps) expect(all).toContain(step.id);
    await page.close();

    const hostile = await open("hostile");
    await hostile.page.emulateMedia({ media: "print" });
    const overflowing = await hostile.page.$$eval("pre, code, .step", (els) =>
      els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent?.slice(0, 40)),
    );
    expect(overflowing).toEqual([]);
    const hostilePdf = readPdf(await hostile.page.pdf({ preferCSSPageSize: true }));
    const squeezed = hostilePdf.pages.map((p) => p.text.replace(/\s+/g, "")).join("");
    expect(squeezed).toContain(LONG_TOKEN);
    await hostile.page.close();
  });

  it("takes screenshots of the screen and of the print layout to look at", async () => {
    const { page } = await open("summit");
    await page.check('input.tick[data-step="1.1"]');
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: new URL("checklist-screen-top.png", SHOTS).pathname });
    await page.locator("#phase-1").scrollIntoViewIfNeeded();
    await page.screenshot({ path: new URL("checklist-screen-phase-1.png", SHOTS).pathname });
    await page.emulateMedia({ media: "print" });
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.locator("#phase-4").scrollIntoViewIfNeeded();
    const shot = await page.screenshot({ path: new URL("checklist-print-phase-4.png", SHOTS).pathname });
    expect(shot.length).toBeGreaterThan(10_000);
    await page.evaluate("window.localStorage.clear()");
    await page.close();
  });
});

describe("plan text in the page", () => {
  it("shows <script>, <img onerror> and {{ }} as text and never runs them", async () => {
    const { page, errors, dialogs } = await open("hostile");
    await page.check('input.tick[data-step="1.1"]');
    await page.reload();
    // The page's code is written as text: this project's TypeScript has no DOM types.
    const state = (await page.evaluate(`({
      xss: window.__xss,
      images: document.images.length,
      scripts: document.scripts.length,
      title: document.title,
      text: document.body.innerText,
      links: [...document.querySelectorAll("a")].map((a) => a.getAttribute("href")),
    })`)) as {
      xss?: number;
      images: number;
      scripts: number;
      title: string;
      text: string;
      links: (string | null)[];
    };
    expect(state.xss).toBeUndefined();
    expect(state.images).toBe(0);
    expect(state.scripts).toBe(1);
    expect(state.title).toBe(
      `Checklist: Procedure ${XSS_SCRIPT}: Site </title><script>window.__xss=1</script> & "quotes"`,
    );
    expect(state.text).toContain(`Title ${XSS_SCRIPT}`);
    expect(state.text).toContain(XSS_IMG);
    expect(state.text).toContain(TEMPLATE_TEXT);
    expect(state.links.filter((href) => !href?.startsWith("#") && !href?.startsWith("https://"))).toEqual([]);
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.evaluate("window.localStorage.clear()");
    await page.close();
  });
});

describe("Mermaid", () => {
  it.each(Object.entries(FIXTURE_PLANS))(
    "the Mermaid text of %s is valid and renders, offline",
    async (_name, make) => {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(pathToFileURL(join(dir, "summit.html")).href);
      await page.addScriptTag({
        path: new URL("../../node_modules/mermaid/dist/mermaid.min.js", import.meta.url).pathname,
      });
      const text = emitMermaid(make());
      const result = await page.evaluate(`(async (source) => {
      mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
      const parsed = await mermaid.parse(source);
      const { svg } = await mermaid.render("plan-graph", source);
      const holder = document.createElement("div");
      holder.innerHTML = svg;
      document.body.append(holder);
      return {
        parsed: Boolean(parsed),
        nodes: holder.querySelectorAll("g.node").length,
        clusters: holder.querySelectorAll("g.cluster").length,
        xss: window.__xss,
      };
    })(${JSON.stringify(text)})`);
      const plan = make();
      expect(result).toEqual({
        parsed: true,
        nodes: plan.steps.length,
        clusters: plan.phases.length,
        xss: undefined,
      });
      expect(errors).toEqual([]);
      expect(offline).toEqual([]);
      await page.close();
    },
  );
});
