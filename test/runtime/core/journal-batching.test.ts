import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Journal, type NewEvent } from "../../../src/runtime/journal.js";
import { type JournalFs, nodeJournalFs } from "../../../src/runtime/journal-file.js";
import { FakeClock } from "../context.js";
import { tempDir } from "./fakes.js";

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir("plan-journal-batch-");
});
afterEach(() => t.cleanup());

/** The real file operations, logging each write (its line count), each fsync and each resolved append. */
function loggingFs(log: string[]): JournalFs {
  return {
    ...nodeJournalFs,
    async openAppend(path) {
      const h = await nodeJournalFs.openAppend(path);
      return {
        write: async (text) => {
          log.push(`write ${text.split("\n").length - 1}`);
          await h.write(text);
        },
        sync: async () => {
          await h.sync();
          log.push("sync");
        },
        close: () => h.close(),
      };
    },
  };
}

const notice = (i: number): NewEvent => ({ type: "notice", text: `event ${i}` });

describe("the journal's group commit", () => {
  it("writes the events appended in one turn with one write and one fsync, each acknowledged after it", async () => {
    const log: string[] = [];
    const path = join(t.dir, "runs", "j.jsonl");
    const opened = await Journal.open(path, { clock: new FakeClock(), fs: loggingFs(log) });
    if (!opened.ok) throw new Error(opened.problem);
    const acks = Array.from({ length: 16 }, (_, i) =>
      opened.journal.append(notice(i)).then(() => log.push(`ack ${i}`)),
    );
    await Promise.all(acks);
    expect(log).toEqual(["write 16", "sync", ...Array.from({ length: 16 }, (_, i) => `ack ${i}`)]);
    await opened.journal.close();
    const lines = readFileSync(path, "utf8").trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).text)).toEqual(Array.from({ length: 16 }, (_, i) => `event ${i}`));
  });

  it("writes what is appended while a write is on its way in the next write, in order", async () => {
    const log: string[] = [];
    const opened = await Journal.open(join(t.dir, "runs", "k.jsonl"), {
      clock: new FakeClock(),
      fs: loggingFs(log),
    });
    if (!opened.ok) throw new Error(opened.problem);
    const first = opened.journal.append(notice(0));
    await new Promise((resolve) => setImmediate(resolve));
    const later = [1, 2, 3].map((i) => opened.journal.append(notice(i)));
    await Promise.all([first, ...later]);
    expect(log).toEqual(["write 1", "sync", "write 3", "sync"]);
    expect(opened.journal.eventsSoFar().map((e) => (e as { text: string }).text)).toEqual([
      "event 0",
      "event 1",
      "event 2",
      "event 3",
    ]);
    await opened.journal.close();
  });
});
