import { mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * The few file operations the journal needs, so that tests can watch their order (an event is written and
 * synced before the action it records) and make them fail.
 */
export interface JournalFs {
  /** The file's text, or undefined when it does not exist. */
  read(path: string): Promise<string | undefined>;
  /** Opens the file for appending, creating it (and its folder) when needed. */
  openAppend(path: string): Promise<AppendHandle>;
  rename(from: string, to: string): Promise<void>;
}

export interface AppendHandle {
  /** Appends the text in full (the OS may take it in several writes). */
  write(text: string): Promise<void>;
  /** fsync: resolves once what was written is on disk. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The journal's file operations over node:fs, with real fsync (of the file, and of its folder on create). */
export const nodeJournalFs: JournalFs = {
  async read(path) {
    try {
      return await readFile(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  },
  async openAppend(path) {
    await mkdir(dirname(path), { recursive: true });
    const existed = (await this.read(path)) !== undefined;
    const handle = await open(path, "a");
    if (!existed) await syncFolder(dirname(path));
    return {
      async write(text) {
        const buffer = Buffer.from(text, "utf8");
        let offset = 0;
        while (offset < buffer.length) {
          const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
          offset += bytesWritten;
        }
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  rename: (from, to) => rename(from, to),
};

/** Makes a new file's name durable: fsync of its folder. Some systems refuse it; that is not an error. */
async function syncFolder(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // NOTE: fsync of a directory is refused on some platforms; the file's own fsync still holds.
  }
}
