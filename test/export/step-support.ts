import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writePlanJson } from "../../src/ir/plan.js";
import type { Plan } from "../../src/ir/schema.js";
import { ROOT } from "./support.js";

/** The `plan` command of this checkout (dist/ is built by the tests' global setup). */
export const PLAN_BIN = join(ROOT, "bin", "plan.js");

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `plan <args>` in `cwd` to its end, with a clean, colorless environment plus `env`. */
export function runPlan(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  const child = spawn(process.execPath, [PLAN_BIN, ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: "1",
      PLAN_OPERATOR: "tester",
      ...env,
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/** A folder of its own for a test, removed by `cleanup`. */
export function folder(prefix = "plan-step-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a plan file into `dir` and returns its path. */
export function writePlan(dir: string, plan: Plan, name = "plan.json"): string {
  const path = join(dir, name);
  writeFileSync(path, writePlanJson(plan));
  return path;
}

/** Consecutive equal entries as one: a wait polls as often as time allows, which differs between runs. */
export function collapse(entries: readonly string[]): string[] {
  return entries.filter((e, i) => i === 0 || e !== entries[i - 1]);
}
