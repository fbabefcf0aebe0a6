import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Makes this process the only one serving the site in `dir` (a `plan simulate` and a simulated run of the
 * same plan would overwrite each other's state): a file with this pid, taken over when its process is
 * gone. Returns the function that gives it up. Throws, naming the other process, when it lives.
 */
export function claimDir(dir: string): () => void {
  const path = join(dir, "served-by.pid");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: "wx" });
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(pid) && alive(pid)) {
        throw new Error(
          `the simulated site in ${dir} is being served by process ${pid} (plan simulate, or a simulated run): stop it first`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`cannot take ${path}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
