import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, timeCommand } from "./measure.js";

/** The cold start of the `plan` command against `node -e 0`, and what `plan check` loads. */

export interface ColdStart {
  /** What was run, by label, with the median and the spread of its wall times (ms). */
  readonly commands: {
    label: string;
    argv: string[];
    env?: Record<string, string>;
    median: number;
    min: number;
    max: number;
  }[];
  readonly runs: number;
}

/**
 * Runs each command `runs` times, in turn (round robin, so that the machine's load weighs on each alike),
 * after one untimed round.
 */
export function coldStart(
  commands: { label: string; argv: string[]; env?: Record<string, string> }[],
  cwd: string,
  runs: number,
): ColdStart {
  const times = commands.map(() => [] as number[]);
  for (const c of commands) timeCommand(c.argv, cwd, c.env);
  for (let r = 0; r < runs; r++) {
    for (const [i, c] of commands.entries()) times[i]!.push(timeCommand(c.argv, cwd, c.env));
  }
  return {
    runs,
    commands: commands.map((c, i) => ({
      ...c,
      median: median(times[i]!),
      min: Math.min(...times[i]!),
      max: Math.max(...times[i]!),
    })),
  };
}

/** Packages whose loading a verb that does not use them must avoid. */
export const HEAVY = [
  "@kubernetes/client-node",
  "kafkajs",
  "handlebars",
  "@hpcc-js/wasm-graphviz",
  "execa",
  "@inquirer/prompts",
  "ssh2",
  "mermaid",
];

export interface ImportTrace {
  /** Modules loaded from each package (and `plan` for ours), by name. */
  readonly packages: Record<string, number>;
  /** The heavy packages among them. */
  readonly heavy: string[];
}

/**
 * The modules a command loads through the ESM loader (ours and each package's entry points and ESM
 * files), counted by package, traced with the hooks of bench/trace/.
 */
export function traceImports(
  argv: readonly string[],
  cwd: string,
  extraEnv: Record<string, string> = {},
): ImportTrace {
  const out = join(tmpdir(), `plan-bench-trace-${process.pid}.txt`);
  rmSync(out, { force: true });
  const register = join(import.meta.dirname, "trace", "register.mjs");
  const env = { ...process.env, ...extraEnv, PLAN_TRACE_IMPORTS: out };
  const [node, ...rest] = argv;
  const r = spawnSync(node!, ["--import", register, ...rest], { cwd, env, stdio: "ignore" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited with ${r.status}`);
  const urls = new Set(readFileSync(out, "utf8").trim().split("\n"));
  rmSync(out, { force: true });
  const packages: Record<string, number> = {};
  for (const url of urls) {
    if (!url.startsWith("file:")) continue;
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    const name = m ? m[1]! : "plan";
    packages[name] = (packages[name] ?? 0) + 1;
  }
  return { packages, heavy: HEAVY.filter((h) => packages[h]) };
}
