import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sealPlan, writePlanJson } from "../../../src/ir/plan.js";
import type { Plan } from "../../../src/ir/schema.js";
import { PlanBuilder } from "../../support/plan-builder.js";
import { testSite } from "../context.js";

/** The `plan` command of this checkout (dist/ is built by the tests' global setup). */
export const PLAN_BIN = join(import.meta.dirname, "..", "..", "..", "bin", "plan.js");

/**
 * A plan of `command` steps, each appending its own id as one line to `out` (one short write with
 * O_APPEND: it happened or it did not). `width` steps per phase run side by side; phases run in order.
 * `first` (optional) is the argv of a step that runs before all others.
 */
export function appendingPlan(options: {
  steps: number;
  width: number;
  out: string;
  first?: string[];
  site?: string;
}): Plan {
  const b = new PlanBuilder({
    procedure: { name: "append", title: "Append lines" },
    site: testSite({ name: options.site ?? "testsite" }),
  });
  if (options.first) {
    const first = options.first;
    b.phase({ name: "gate", title: "Gate", checkpoint: false }, (p) => {
      p.step("command", { title: "Wait for the go", argv: first });
    });
  }
  let left = options.steps;
  for (let phase = 1; left > 0; phase++) {
    const here = Math.min(options.width, left);
    left -= here;
    b.phase({ name: `p${phase}`, title: `Phase ${phase}`, checkpoint: false }, (p) => {
      for (let i = 0; i < here; i++) {
        p.step("command", {
          title: `Append line ${phase}.${i + 1}`,
          argv: ["/bin/sh", "-c", 'printf "%s\\n" "$1" >> "$2"', "append", "", options.out],
          parallel: options.width > 1,
        });
      }
    });
  }
  const plan = b.build();
  // Each step appends its own id (known only once the builder has numbered it).
  const steps = plan.steps.map((s) =>
    s.kind === "command" && s.argv[3] === "append"
      ? { ...s, argv: [...s.argv.slice(0, 4), s.id, s.argv[5]!] }
      : s,
  );
  const { hash: _hash, ...rest } = { ...plan, steps };
  return sealPlan(rest);
}

/** Writes a plan file into `dir` and returns its path. */
export function writePlan(dir: string, plan: Plan, name = "plan.json"): string {
  const path = join(dir, name);
  writeFileSync(path, writePlanJson(plan));
  return path;
}

export interface Spawned {
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** Starts `plan <args>` in `cwd` as the leader of its own process group (so the group can be killed). */
export function spawnPlan(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, [PLAN_BIN, ...args], {
    cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PLAN_OPERATOR: "tester", NO_COLOR: "1", ...env },
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  return { pid: child.pid!, exited, stdout: () => out, stderr: () => err };
}

/** Kills a spawned plan and every process it started, and waits until none is left. */
export async function killGroup(spawned: Spawned): Promise<void> {
  try {
    process.kill(-spawned.pid, "SIGKILL");
  } catch {
    // already gone
  }
  await spawned.exited;
  for (let i = 0; i < 500; i++) {
    try {
      process.kill(-spawned.pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`process group ${spawned.pid} would not die`);
}
