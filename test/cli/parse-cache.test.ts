import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diskReader } from "../../src/cli/files.js";
import { folderCache } from "../../src/cli/parse-cache.js";
import { compileFile } from "../../src/compiler/compile.js";
import { loadWith } from "../../src/compiler/loader.js";
import { writePlanJson } from "../../src/ir/plan.js";
import { parse } from "../../src/language/parse.js";

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), "plan-cache-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ENTRIES = readdirSync("plans")
  .filter((f) => f.endsWith(".dpl") && !["documents.dpl"].includes(f))
  .map((f) => `plans/${f}`);

describe("the parse cache", () => {
  it("gives back the tree the parser built, for the text it was built from only", () => {
    const cache = folderCache(scratch(), "build-1");
    const text = 'group g "a group" { Watcher }\n';
    const parsed = parse("g.dpl", text);
    expect(parsed.diagnostics).toEqual([]);
    expect(cache.get("g.dpl", text)).toBeUndefined();
    cache.put("g.dpl", text, parsed);
    const hit = cache.get("g.dpl", text);
    expect(hit?.file).toEqual(parsed.file);
    expect(hit?.source.text).toBe(text);
    expect(hit?.diagnostics).toEqual([]);
    expect(cache.get("g.dpl", `${text}\n`)).toBeUndefined();
    expect(cache.get("other.dpl", text)).toBeUndefined();
  });

  it("keeps no file with a problem, so every problem is found by the parser", () => {
    const cache = folderCache(scratch(), "build-1");
    const text = 'group g "a group" { Watcher \n';
    const parsed = parse("bad.dpl", text);
    expect(parsed.diagnostics.length).toBeGreaterThan(0);
    cache.put("bad.dpl", text, parsed);
    expect(cache.get("bad.dpl", text)).toBeUndefined();
  });

  it("misses every entry of another build of the front end", () => {
    const dir = scratch();
    const text = 'group g "a group" { Watcher }\n';
    folderCache(dir, "build-1").put("g.dpl", text, parse("g.dpl", text));
    expect(folderCache(dir, "build-1").get("g.dpl", text)).toBeDefined();
    expect(folderCache(dir, "build-2").get("g.dpl", text)).toBeUndefined();
  });

  it("takes a damaged entry or a folder it cannot write for a miss, never an error", () => {
    const dir = scratch();
    const cache = folderCache(dir, "b");
    const text = 'group g "a group" { Watcher }\n';
    cache.put("g.dpl", text, parse("g.dpl", text));
    for (const name of readdirSync(dir)) writeFileSync(join(dir, name), '{"text": "');
    expect(cache.get("g.dpl", text)).toBeUndefined();
    const file = join(scratch(), "not-a-folder");
    writeFileSync(file, "");
    expect(() => folderCache(file, "b").put("g.dpl", text, parse("g.dpl", text))).not.toThrow();
    expect(folderCache(file, "b").get("g.dpl", text)).toBeUndefined();
  });

  it("compiles every shipped entry to the same bytes from cached trees as from the parser", () => {
    const cache = folderCache(scratch(), "b");
    const cold = (path: string, text: string) => {
      const result = parse(path, text);
      cache.put(path, text, result);
      return result;
    };
    const warm = (path: string, text: string) => {
      const hit = cache.get(path, text);
      if (!hit) throw new Error(`${path} is not in the cache`);
      return hit;
    };
    expect(ENTRIES.length).toBeGreaterThan(10);
    for (const entry of ENTRIES) {
      const compiled = [cold, warm].map((p) => {
        const program = loadWith(p, [entry], diskReader);
        const result = compileFile(program, entry, { version: "test" });
        expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        return result.plans.map((c) => (c.plan ? writePlanJson(c.plan) : ""));
      });
      expect(compiled[1], entry).toEqual(compiled[0]);
    }
  });
});

describe("plan check with the cache", () => {
  function plan(cacheDir: string, ...args: string[]) {
    const r = spawnSync(process.execPath, ["bin/plan.js", ...args], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", PLAN_CACHE_DIR: cacheDir, PLAN_NO_CACHE: "" },
      timeout: 120_000,
    });
    return { code: r.status ?? -1, stderr: r.stderr };
  }

  it("fills the cache, then checks from it with the same answer", () => {
    const cacheDir = scratch();
    const first = plan(cacheDir, "check", "plans/summit.dpl");
    expect(first.code).toBe(0);
    expect(readdirSync(join(cacheDir, "parse")).length).toBeGreaterThanOrEqual(5);
    const second = plan(cacheDir, "check", "plans/summit.dpl");
    expect(second).toEqual(first);
  });

  it("reports a mistake on every run, and its fix as soon as it is made", () => {
    const cacheDir = scratch();
    const dir = scratch();
    const file = join(dir, "g.dpl");
    writeFileSync(file, 'group g "a group" { Watcher \n');
    for (let i = 0; i < 2; i++) {
      const r = plan(cacheDir, "check", file, "--root", dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("DPL1");
    }
    writeFileSync(file, 'group g "a group" { Watcher }\n');
    expect(plan(cacheDir, "check", file, "--root", dir).code).toBe(0);
    writeFileSync(file, 'group g "a group" { Watcher, }}\n');
    expect(plan(cacheDir, "check", file, "--root", dir).code).toBe(1);
  });

  it("works when the cache folder cannot be made", () => {
    const file = join(scratch(), "a-file");
    writeFileSync(file, "");
    const r = plan(file, "check", "plans/common/rules.dpl");
    expect(r).toEqual({ code: 0, stderr: "checked 1 file: no errors\n" });
  });
});
