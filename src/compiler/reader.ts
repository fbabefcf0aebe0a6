/**
 * How the compiler reads files. Stages never touch the file system: the CLI gives them a reader over the
 * disk and tests give them one over a map, so a whole compile runs in memory.
 */
export interface FileReader {
  /** The bytes of a file, or `undefined` when it does not exist or is not a file. */
  read(path: string): Uint8Array | undefined;
}

/** A reader over files held in memory, keyed by POSIX path. */
export class MemoryReader implements FileReader {
  private readonly files = new Map<string, Uint8Array>();

  constructor(files: Record<string, string | Uint8Array> = {}) {
    for (const [path, content] of Object.entries(files)) this.set(path, content);
  }

  set(path: string, content: string | Uint8Array): void {
    this.files.set(path, typeof content === "string" ? new TextEncoder().encode(content) : content);
  }

  read(path: string): Uint8Array | undefined {
    return this.files.get(path);
  }
}
