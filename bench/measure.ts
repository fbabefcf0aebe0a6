import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";

/** Milliseconds: the median of the timed runs, and their spread. */
export interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Keeps every result alive, so that no stage can be optimised away. */
const sink: unknown[] = [];

/**
 * Times `fn`: `warmup` untimed calls, then `runs` timed ones (fewer when a budget is given and the runs
 * already spent it, but at least one). A collection is forced before each timed run when the process
 * exposes `gc`, so that one run's garbage is not charged to the next.
 */
export async function time(
  fn: () => unknown,
  options: { warmup: number; runs: number; budgetMs?: number },
): Promise<Timing> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < options.warmup; i++) sink[0] = await fn();
  const times: number[] = [];
  let spent = 0;
  for (let i = 0; i < options.runs; i++) {
    gc?.();
    const start = performance.now();
    sink[0] = await fn();
    const took = performance.now() - start;
    times.push(took);
    spent += took;
    if (options.budgetMs !== undefined && spent > options.budgetMs && times.length >= 1) break;
  }
  sink.length = 0;
  return { median: median(times), min: Math.min(...times), max: Math.max(...times), runs: times.length };
}

/** The wall time of one run of a command, in milliseconds; throws if it fails. */
export function timeCommand(argv: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd,
    stdio: ["ignore", "ignore", "pipe"],
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  const took = performance.now() - start;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited with ${r.status}: ${r.stderr?.toString()}`);
  return took;
}

/** Writes files given by relative path under a folder. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** Reads the files under a folder whose names end with `ext`, by path relative to it. */
export function readTree(root: string, ext: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(ext)) out[relative(root, path)] = readFileSync(path, "utf8");
    }
  };
  walk(root);
  return out;
}

/**
 * Runs a TypeScript file of bench/ in a child node (through tsx, with the modules of src/ taken from dist/,
 * see built/register.mjs) and parses the JSON it prints last.
 */
export function runChild<T>(
  script: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
  timeoutMs?: number,
): { ok: true; value: T } | { ok: false; error: string } {
  const r = spawnSync(
    process.execPath,
    [
      ...nodeFlags,
      "--import",
      "tsx",
      "--import",
      pathToFileURL(join(import.meta.dirname, "built/register.mjs")).href,
      join(import.meta.dirname, script),
      ...args,
    ],
    {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      cwd: join(import.meta.dirname, ".."),
      ...(timeoutMs ? { timeout: timeoutMs } : {}),
    },
  );
  if (r.error)
    return { ok: false, error: `${r.error.message}${timeoutMs ? ` (limit ${timeoutMs / 60_000} min)` : ""}` };
  const lines = (r.stdout ?? "").trim().split("\n");
  if (r.status !== 0) {
    const why = (r.stderr ?? "").trim().split("\n").slice(-6).join("\n");
    return { ok: false, error: `exit ${r.status ?? r.signal}: ${why}` };
  }
  return { ok: true, value: JSON.parse(lines.at(-1)!) as T };
}
