import { join } from "node:path";
import type { Clock } from "./executor.js";
import { JOURNAL_VERSION, type JournalEvent, JournalEventSchema, type NewEvent } from "./journal-events.js";
import { type AppendHandle, type JournalFs, nodeJournalFs } from "./journal-file.js";
import type { Redactor } from "./redact.js";

export type { JournalEvent, NewEvent } from "./journal-events.js";

/** Where a plan's journal lives: one file per plan id and hash, under `<state dir>/runs/`. */
export function journalPath(stateDir: string, planId: string, hash: string): string {
  const slug = planId.replace(/[^A-Za-z0-9._@-]/g, "_");
  const hex = hash.replace(/^sha256:/, "").slice(0, 16);
  return join(stateDir, "runs", `${slug}-${hex}.jsonl`);
}

/** A line that was cut short (the process died while writing it) and was left out. */
export interface TornLine {
  readonly line: number;
  readonly text: string;
}

export type JournalReadResult =
  | { ok: true; events: JournalEvent[]; torn: TornLine[] }
  | { ok: false; problem: string; line: number };

/**
 * Reads a journal's text. A line that is not a valid event is a torn write (the process was killed in the
 * middle of it) when it is the last line, or when the next line starts a new session (`run-started`):
 * it is left out and reported in `torn`. Anywhere else it is damage, and the journal is refused with the
 * line's number, since going on could repeat a step.
 */
export function parseJournal(text: string): JournalReadResult {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const parsed = lines.map((line) => (line.trim() === "" ? "blank" : parseEvent(line)));
  const events: JournalEvent[] = [];
  const torn: TornLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const p = parsed[i];
    if (p === "blank") continue;
    if (p !== undefined) {
      events.push(p);
      continue;
    }
    const next = parsed.slice(i + 1).find((q) => q !== "blank");
    if (next === undefined || (typeof next === "object" && next.type === "run-started")) {
      torn.push({ line: i + 1, text: lines[i]! });
      continue;
    }
    return { ok: false, problem: `line ${i + 1} of the journal is not a journal event`, line: i + 1 };
  }
  return { ok: true, events, torn };
}

function parseEvent(line: string): JournalEvent | undefined {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return undefined;
  }
  const result = JournalEventSchema.safeParse(data);
  return result.success ? result.data : undefined;
}

interface Pending {
  readonly text: string;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/**
 * A run's journal, open for appending. `append` resolves only once the event is written and fsynced, so
 * the runtime awaits it before the action the event records. Events appended in the same turn of the event
 * loop, or while a write is on its way to the disk, are written together with one fsync (group commit); each
 * is still acknowledged only after that fsync. Every string in an event is redacted before it is serialized. Once a write fails the journal
 * is broken: every later append rejects, and the run must stop.
 */
export class Journal {
  private queue: Pending[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private draining = false;
  private broken: unknown;
  private seq: number;
  private readonly events: JournalEvent[];
  private newlineFirst: boolean;

  private constructor(
    readonly path: string,
    private readonly handle: AppendHandle,
    events: readonly JournalEvent[],
    endsMidLine: boolean,
    private readonly clock: Clock,
    private readonly redactor: Redactor | undefined,
  ) {
    this.events = [...events];
    this.seq = events.at(-1)?.seq ?? 0;
    this.newlineFirst = endsMidLine;
  }

  /**
   * Opens (creating when needed) the journal at `path` and reads what is there. A journal that cannot be
   * read (damaged in the middle) is refused, as `{ ok: false }`, without being opened for writing.
   */
  static async open(
    path: string,
    deps: { clock: Clock; redactor?: Redactor; fs?: JournalFs },
  ): Promise<
    | { ok: true; journal: Journal; events: JournalEvent[]; torn: TornLine[] }
    | { ok: false; problem: string; line: number }
  > {
    const fs = deps.fs ?? nodeJournalFs;
    const text = (await fs.read(path)) ?? "";
    const read = parseJournal(text);
    if (!read.ok) return read;
    const handle = await fs.openAppend(path);
    const journal = new Journal(
      path,
      handle,
      read.events,
      text.length > 0 && !text.endsWith("\n"),
      deps.clock,
      deps.redactor,
    );
    return { ok: true, journal, events: read.events, torn: read.torn };
  }

  /** The events read when the journal was opened, then those appended since, in order. */
  eventsSoFar(): readonly JournalEvent[] {
    return this.events;
  }

  /** Appends an event; resolves with it (as written) once it is on disk. */
  append(event: NewEvent): Promise<JournalEvent> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    const stamped = this.stamp(event);
    return new Promise<JournalEvent>((resolve, reject) => {
      this.queue.push({ text: `${JSON.stringify(stamped)}\n`, resolve: () => resolve(stamped), reject });
      this.kick();
    });
  }

  /**
   * Appends an event without waiting for the disk (for output lines, which record what already happened).
   * It is written in order, before anything appended after it; a failure shows at the next `append`.
   */
  record(event: NewEvent): void {
    this.append(event).catch(() => {});
  }

  /** Resolves once everything appended so far is on disk (rejects if the journal broke). */
  async flush(): Promise<void> {
    while (this.draining) await this.flushing;
    if (this.broken !== undefined) throw this.broken;
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }

  private stamp(event: NewEvent): JournalEvent {
    this.seq += 1;
    const at = new Date(this.clock.now()).toISOString();
    // NOTE: the stamp's keys first, and set again after the event's in case it brought its own. Spreading
    // one object twice into a literal (`{ ...head, ...event, ...head }`) makes V8 build a dictionary-mode
    // object, several microseconds per event (bench/RESULTS.md: the runtime).
    const full = { v: JOURNAL_VERSION, seq: this.seq, at, ...event } as Record<string, unknown>;
    full.v = JOURNAL_VERSION;
    full.seq = this.seq;
    full.at = at;
    const stamped = (this.redactor ? this.redactor.value(full) : full) as JournalEvent;
    this.events.push(stamped);
    return stamped;
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    // NOTE: the first write waits for the next turn of the event loop, so that the events appended in this
    // turn (the steps started together, the steps that ended together) share one write and one fsync rather
    // than the first of them paying an fsync alone (bench/RESULTS.md: the runtime at concurrency 16).
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        let text = batch.map((p) => p.text).join("");
        if (this.newlineFirst) text = `\n${text}`;
        try {
          await this.handle.write(text);
          this.newlineFirst = false;
          await this.handle.sync();
        } catch (e) {
          this.broken = e;
          for (const p of [...batch, ...this.queue.splice(0)]) p.reject(e);
          return;
        }
        for (const p of batch) p.resolve();
      }
    } finally {
      // Cleared in the same tick as the queue was seen empty, so no append is ever left waiting.
      this.draining = false;
    }
  }
}
