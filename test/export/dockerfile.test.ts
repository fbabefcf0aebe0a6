import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURE_PLANS } from "../support/plans/index.js";
import { exported, ROOT, template } from "./support.js";

/**
 * The Dockerfile cannot be built here, so it is held to what can be read: every file it copies exists
 * and is in the build context (.dockerignore), the entrypoint is the `plan` binary the export's pods
 * call, the user is the one the export runs as, the Node version is the one package.json asks for, and
 * `plan step` needs nothing that `npm ci --omit=dev` leaves out.
 */

const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  bin: Record<string, string>;
  engines: { node: string };
  dependencies: Record<string, string>;
};

/** The instructions, with continuation lines joined and comments left out. */
function instructions(): { op: string; args: string }[] {
  return dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(" ") };
    });
}

/** Whether a path is in the build context, by Docker's rules: the last pattern matching it or a parent wins. */
function inContext(path: string): boolean {
  const patterns = readFileSync(join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const parts = path.split("/");
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
  let included = true;
  for (const raw of patterns) {
    const negated = raw.startsWith("!");
    const pattern = raw.replace(/^!/, "").replace(/\/$/, "");
    const regex = new RegExp(
      `^${pattern
        .split("**")
        .map((s) =>
          s
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, "[^/]*")
            .replace(/\?/g, "[^/]"),
        )
        .join(".*")}$`,
    );
    if (prefixes.some((p) => regex.test(p))) included = negated;
  }
  return included;
}

describe("the Dockerfile", () => {
  const ops = instructions();

  it("copies only files that exist and that the build context holds", () => {
    const copies = ops.filter((i) => i.op === "COPY" && !i.args.startsWith("--from"));
    expect(copies.length).toBeGreaterThan(3);
    for (const copy of copies) {
      const words = copy.args.split(/\s+/);
      for (const source of words.slice(0, -1)) {
        expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
        expect(inContext(source.replace(/\/$/, "")), `${source} is in the build context`).toBe(true);
      }
    }
    for (const kept of ["src/cli/main.ts", "package-lock.json", "templates", "bin/plan.js"])
      expect(inContext(kept), kept).toBe(true);
    for (const left of [".plan", "node_modules", "dist", ".git", "test/export/step.test.ts", ".tmp"])
      expect(inContext(left), left).toBe(false);
  });

  it("builds with the Node version package.json asks for, and copies the compiled code from the build", () => {
    const major = /(\d+)/.exec(pkg.engines.node)![1];
    expect(ops).toContainEqual({ op: "ARG", args: `NODE_VERSION=${major}` });
    expect(ops.filter((i) => i.op === "FROM").map((i) => i.args)).toEqual([
      "node:${NODE_VERSION}-bookworm-slim AS build",
      "node:${NODE_VERSION}-bookworm-slim",
    ]);
    expect(ops).toContainEqual({ op: "COPY", args: "--from=build /app/dist ./dist" });
    expect(dockerfile).toContain("npm ci --omit=dev --ignore-scripts");
  });

  it("runs the `plan` binary as the numeric user the export's pods run as", () => {
    expect(pkg.bin.plan).toBe("bin/plan.js");
    expect(readFileSync(join(ROOT, "bin/plan.js"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(dockerfile).toContain("ln -s /app/bin/plan.js /usr/local/bin/plan");
    expect(ops).toContainEqual({ op: "ENTRYPOINT", args: '["plan"]' });
    const { workflow } = exported(FIXTURE_PLANS["every-kind"]!());
    expect(template(workflow, "step-1-3").container!.command).toEqual(["plan"]);
    const user = ops.find((i) => i.op === "USER")!.args;
    expect(user).toBe(
      `${workflow.spec.securityContext.runAsUser}:${workflow.spec.securityContext.runAsGroup}`,
    );
  });

  it("has every package that `plan step` loads among the production dependencies", () => {
    const builtins = new Set(builtinModules);
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      // Static imports only (and `import type` is erased); main.ts loads `step.js` lazily, added below.
      for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+"([^"]+)"/gms)) {
        const spec = m[1]!;
        if (spec.startsWith(".")) visit(join(dirname(file), spec.replace(/\.js$/, ".ts")));
        else if (!spec.startsWith("node:") && !builtins.has(spec)) {
          packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
        }
      }
    };
    visit(join(ROOT, "src/cli/main.ts"));
    visit(join(ROOT, "src/cli/step.ts"));
    expect([...seen].map((f) => relative(ROOT, f))).toContain("src/runtime/services.ts");
    expect([...packages]).toEqual(
      expect.arrayContaining(["commander", "zod", "@kubernetes/client-node", "kafkajs", "execa"]),
    );
    for (const p of packages)
      expect(Object.keys(pkg.dependencies), `${p} is a production dependency`).toContain(p);
  });
});
