import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Journal, journalPath, parseJournal } from "../../../src/runtime/journal.js";
import type { AppendHandle, JournalFs } from "../../../src/runtime/journal-file.js";
import { Redactor } from "../../../src/runtime/redact.js";
import { FakeClock } from "../context.js";
import { tempDir } from "./fakes.js";

/** A journal file system in memory that logs every write and sync, and can hold syncs until released. */
class MemoryFs implements JournalFs {
  readonly files = new Map<string, string>();
  readonly ops: string[] = [];
  holdSyncs = false;
  private held: (() => void)[] = [];
  failWrites = false;

  async read(path: string) {
    return this.files.get(path);
  }
  async openAppend(path: string): Promise<AppendHandle> {
    if (!this.files.has(path)) this.files.set(path, "");
    return {
      write: async (text) => {
        if (this.failWrites) throw new Error("ENOSPC: no space left on device");
        this.ops.push(`write ${text.split("\n").filter(Boolean).length}`);
        this.files.set(path, this.files.get(path)! + text);
      },
      sync: async () => {
        if (this.holdSyncs) await new Promise<void>((r) => this.held.push(r));
        this.ops.push("sync");
      },
      close: async () => {},
    };
  }
  async rename(from: string, to: string) {
    this.files.set(to, this.files.get(from)!);
    this.files.delete(from);
  }
  release(): void {
    const held = this.held;
    this.held = [];
    for (const r of held) r();
  }
}

const started = (seq: number) =>
  JSON.stringify({
    v: 1,
    seq,
    at: "2026-01-01T00:00:00.000Z",
    type: "run-started",
    planId: "p@summit",
    hash: `sha256:${"a".repeat(64)}`,
    site: "summit",
    by: "tester",
    host: "h",
    pid: 1,
    options: { concurrency: 1, step: false, resume: false },
  });
const stepStarted = (seq: number, step: string) =>
  JSON.stringify({ v: 1, seq, at: "2026-01-01T00:00:01.000Z", type: "step-started", step, attempt: 1 });

async function open(fs: MemoryFs, path = "/state/runs/j.jsonl", redactor?: Redactor) {
  const opened = await Journal.open(path, { clock: new FakeClock(), fs, redactor });
  if (!opened.ok) throw new Error(opened.problem);
  return opened;
}

describe("parseJournal", () => {
  it("reads every event of a well-formed journal", () => {
    const r = parseJournal(`${started(1)}\n${stepStarted(2, "1.1")}\n`);
    expect(r.ok && r.events.map((e) => e.type)).toEqual(["run-started", "step-started"]);
    expect(r.ok && r.torn).toEqual([]);
  });

  it("leaves out a torn last line and says which", () => {
    const torn = stepStarted(2, "1.1").slice(0, 30);
    const r = parseJournal(`${started(1)}\n${torn}`);
    expect(r).toEqual({
      ok: true,
      events: [expect.objectContaining({ type: "run-started" })],
      torn: [{ line: 2, text: torn }],
    });
  });

  it("accepts a torn line that a later session wrote after, starting on a fresh line", () => {
    const r = parseJournal(`${started(1)}\n{"v":1,"seq":2,"ty\n${started(2)}\n${stepStarted(3, "1.1")}\n`);
    expect(r.ok && r.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(r.ok && r.torn.map((t) => t.line)).toEqual([2]);
  });

  it("refuses damage in the middle, naming the line", () => {
    const r = parseJournal(`${started(1)}\nnot json\n${stepStarted(2, "1.1")}\n`);
    expect(r).toEqual({ ok: false, problem: "line 2 of the journal is not a journal event", line: 2 });
    const unknownType = JSON.stringify({ v: 1, seq: 2, at: "x", type: "step-teleported", step: "1.1" });
    expect(parseJournal(`${started(1)}\n${unknownType}\n${stepStarted(3, "1.1")}\n`).ok).toBe(false);
  });
});

describe("Journal", () => {
  it("writes and fsyncs an event before acknowledging it", async () => {
    const fs = new MemoryFs();
    const { journal } = await open(fs);
    fs.holdSyncs = true;
    let acknowledged = false;
    const appended = journal.append({ type: "step-started", step: "1.1", attempt: 1 }).then(() => {
      acknowledged = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(fs.ops).toEqual(["write 1"]);
    expect(acknowledged).toBe(false);
    fs.release();
    await appended;
    expect(fs.ops).toEqual(["write 1", "sync"]);
    expect(acknowledged).toBe(true);
  });

  it("groups the events appended during a sync into one write and one sync, and acknowledges none early", async () => {
    const fs = new MemoryFs();
    const { journal } = await open(fs);
    fs.holdSyncs = true;
    const acks: number[] = [];
    const first = journal
      .append({ type: "step-started", step: "1.1", attempt: 1 })
      .then((e) => acks.push(e.seq));
    await new Promise((r) => setTimeout(r, 5));
    const rest = [2, 3, 4, 5].map((n) =>
      journal.append({ type: "step-started", step: `1.${n}`, attempt: 1 }).then((e) => acks.push(e.seq)),
    );
    await new Promise((r) => setTimeout(r, 5));
    expect(acks).toEqual([]);
    fs.release();
    await first;
    expect(acks).toEqual([1]);
    await new Promise((r) => setTimeout(r, 5));
    // The other four went out together, and wait for their own sync.
    expect(fs.ops).toEqual(["write 1", "sync", "write 4"]);
    expect(acks).toEqual([1]);
    fs.release();
    await Promise.all(rest);
    expect(fs.ops).toEqual(["write 1", "sync", "write 4", "sync"]);
    expect(acks).toEqual([1, 2, 3, 4, 5]);
    const lines = fs.files.get("/state/runs/j.jsonl")!.trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it("keeps output lines (recorded without waiting) in order before the step's end", async () => {
    const fs = new MemoryFs();
    const { journal } = await open(fs);
    journal.record({ type: "output", step: "1.1", line: "one" });
    journal.record({ type: "output", step: "1.1", line: "two" });
    await journal.append({ type: "step-finished", step: "1.1", durationMs: 3 });
    const types = fs.files
      .get("/state/runs/j.jsonl")!
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).type);
    expect(types).toEqual(["output", "output", "step-finished"]);
  });

  it("starts the next append on a fresh line after a torn one, and continues the sequence", async () => {
    const fs = new MemoryFs();
    const path = "/state/runs/j.jsonl";
    fs.files.set(path, `${started(1)}\n${stepStarted(2, "1.1")}\n{"v":1,"seq":3,"type":"step-fin`);
    const { journal, events, torn } = await open(fs, path);
    expect(events).toHaveLength(2);
    expect(torn).toEqual([{ line: 3, text: '{"v":1,"seq":3,"type":"step-fin' }]);
    const { v: _v, seq: _s, at: _a, ...session } = JSON.parse(started(9));
    await journal.append(session);
    const text = fs.files.get(path)!;
    expect(text).toContain('"step-fin\n{');
    const again = parseJournal(text);
    expect(again.ok && again.events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it("redacts secrets in every field before writing", async () => {
    const fs = new MemoryFs();
    const redactor = new Redactor();
    redactor.add("hunter2");
    const { journal } = await open(fs, "/j.jsonl", redactor);
    await journal.append({ type: "output", step: "1.1", line: "token=hunter2; ok" });
    expect(fs.files.get("/j.jsonl")).toContain('"line":"token=***; ok"');
    expect(fs.files.get("/j.jsonl")).not.toContain("hunter2");
  });

  it("rejects this and every later append once a write fails", async () => {
    const fs = new MemoryFs();
    const { journal } = await open(fs);
    fs.failWrites = true;
    await expect(journal.append({ type: "step-started", step: "1.1", attempt: 1 })).rejects.toThrow(/ENOSPC/);
    fs.failWrites = false;
    await expect(journal.append({ type: "step-started", step: "1.2", attempt: 1 })).rejects.toThrow(/ENOSPC/);
    await expect(journal.flush()).rejects.toThrow(/ENOSPC/);
  });

  it("refuses to open a damaged journal", async () => {
    const fs = new MemoryFs();
    fs.files.set("/j.jsonl", `${started(1)}\ngarbage\n${stepStarted(2, "1.1")}\n`);
    const opened = await Journal.open("/j.jsonl", { clock: new FakeClock(), fs });
    expect(opened).toMatchObject({ ok: false, line: 2 });
    expect(fs.ops).toEqual([]);
  });
});

describe("the journal on disk", () => {
  const t = tempDir("plan-journal-");
  afterEach(() => {});

  it("is one file per plan id and hash, under runs/, and survives a reopen", async () => {
    const path = journalPath(t.dir, "full-upgrade@summit", `sha256:${"b".repeat(64)}`);
    expect(path).toBe(join(t.dir, "runs", `full-upgrade@summit-${"b".repeat(16)}.jsonl`));
    const first = await Journal.open(path, { clock: new FakeClock() });
    if (!first.ok) throw new Error(first.problem);
    await first.journal.append({ type: "step-started", step: "1.1", attempt: 1 });
    await first.journal.close();
    writeFileSync(path, `${readFileSync(path, "utf8")}{"torn`);
    const second = await Journal.open(path, { clock: new FakeClock() });
    if (!second.ok) throw new Error(second.problem);
    expect(second.events.map((e) => e.seq)).toEqual([1]);
    await second.journal.append({ type: "step-finished", step: "1.1", durationMs: 1 });
    await second.journal.close();
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines[1]).toBe('{"torn');
    expect(JSON.parse(lines[2]!).seq).toBe(2);
    t.cleanup();
  });
});
