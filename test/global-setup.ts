import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The newest modification time of the files under a folder. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * Builds dist/ before the tests, so that tests of the `plan` command run the code as it is now, not as it
 * was at the last `npm ci`. The build is incremental, and skipped when no source changed since the last one.
 */
export default function setup(): void {
  let built = 0;
  try {
    built = statSync("dist/.tsbuildinfo").mtimeMs;
  } catch {
    // never built
  }
  if (built > 0 && newest("src") <= built) return;
  try {
    execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
      stdio: "pipe",
    });
  } catch (e) {
    // tsc still emits when a file has type errors; those are the typecheck's to report (CI runs it on its
    // own), and a type error in one file must not stop the tests of every other.
    const out = String((e as { stdout?: Buffer }).stdout ?? "");
    process.stderr.write(
      `warning: dist/ was built with type errors:\n${out.split("\n").slice(0, 10).join("\n")}\n`,
    );
  }
}
