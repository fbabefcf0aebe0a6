import { randomBytes } from "node:crypto";
import { link, mkdir, open, readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { LeaseConflict, type LeaseStore, type LockHolder, type StoredLease } from "./lock.js";

/**
 * A site's lock as files in the state directory, with a true compare-and-swap: the lock is a folder of
 * numbered versions (`locks/<site>/000000000007.json`) and the current one is the highest. Writing
 * version n+1 is `link(2)` of a fully written temporary file to that name, which fails when the name
 * exists: of two writers that read version n, exactly one succeeds. Removing the lock writes a version
 * that holds no holder. Old versions are pruned.
 */
export class FileLeaseStore implements LeaseStore {
  readonly where: string;
  private readonly dir: string;

  constructor(stateDir: string, site: string) {
    this.dir = join(stateDir, "locks", site.replace(/[^A-Za-z0-9._-]/g, "_"));
    this.where = `lock file in ${this.dir}`;
  }

  async get(): Promise<StoredLease | undefined> {
    const top = await this.top();
    if (top === 0) return undefined;
    const holder = await this.readVersion(top);
    return holder ? { version: String(top), holder } : undefined;
  }

  async create(holder: LockHolder): Promise<StoredLease> {
    const top = await this.top();
    if (top > 0 && (await this.readVersion(top))) throw new LeaseConflict("the site is already locked");
    await this.write(top + 1, holder);
    return { version: String(top + 1), holder };
  }

  async replace(holder: LockHolder, version: string): Promise<StoredLease> {
    const v = Number(version);
    await this.write(v + 1, holder);
    return { version: String(v + 1), holder };
  }

  async delete(version: string): Promise<void> {
    await this.write(Number(version) + 1, null);
  }

  private name(version: number): string {
    return join(this.dir, `${String(version).padStart(12, "0")}.json`);
  }

  private async versions(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    return names.filter((n) => /^\d{12}\.json$/.test(n)).map((n) => Number(n.slice(0, 12)));
  }

  private async top(): Promise<number> {
    return Math.max(0, ...(await this.versions()));
  }

  private async readVersion(version: number): Promise<LockHolder | null> {
    const text = await readFile(this.name(version), "utf8");
    return (JSON.parse(text) as { holder: LockHolder | null }).holder;
  }

  /** Writes version `version` if nobody has; LeaseConflict otherwise. */
  private async write(version: number, holder: LockHolder | null): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
    const handle = await open(tmp, "wx");
    try {
      await handle.writeFile(`${JSON.stringify({ holder }, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(tmp, this.name(version));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new LeaseConflict();
      throw e;
    } finally {
      await unlink(tmp).catch(() => {});
    }
    // A writer that read a version long pruned could recreate its successor: it is not the highest, so it
    // never counts, and the writer is told it lost.
    const all = await this.versions();
    if (Math.max(...all) !== version) {
      await unlink(this.name(version)).catch(() => {});
      throw new LeaseConflict();
    }
    for (const old of all.filter((v) => v < version - 4)) await unlink(this.name(old)).catch(() => {});
  }
}
