import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Plan } from "../../../src/ir/schema.js";
import { journalPath, parseJournal } from "../../../src/runtime/journal.js";
import type { JournalEvent } from "../../../src/runtime/journal-events.js";
import { replay } from "../../../src/runtime/run-state.js";
import { appendingPlan, killGroup, spawnPlan, writePlan } from "./append-plan.js";
import { tempDir } from "./fakes.js";

/**
 * The runtime is killed with SIGKILL (with every process it started) at random points of a plan of 50
 * `command` steps, then resumed, over and over (a fixed seed, so a failure can be replayed). Each step
 * appends its id to a file: that file is the site. Invariants checked after every kill: the journal reads
 * (a torn last line is tolerated; the harness also tears one on purpose now and then), it only grew, and
 * every line in the file belongs to a step whose start the journal has (the start is on disk before the
 * command runs); no line ever appears twice. At the end the file holds what an uninterrupted run writes.
 *
 * A `command` step cannot observe its effect, so a step left in flight is put to the operator on resume.
 * The harness is that operator: before each resume it looks at the site (the file) and writes the answers
 * file, `yes` (it took effect) for an in-flight step whose line is there, `no` (run it again) otherwise,
 * as a person who checks the site would. Killing the whole process group (and waiting until it is gone)
 * before looking makes the look reliable: no command is still on its way to the file.
 */

const SEED = 20261122;
const KILLS = 30;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dirs: ReturnType<typeof tempDir>[] = [];
afterAll(() => {
  for (const d of dirs) d.cleanup();
});

interface Shape {
  readonly width: number;
  readonly concurrency: number;
}

function setUp(shape: Shape): { dir: string; plan: Plan; out: string; journal: string } {
  const t = tempDir("plan-kill-");
  dirs.push(t);
  const out = join(t.dir, "site.txt");
  const plan = appendingPlan({ steps: 50, width: shape.width, out });
  writePlan(t.dir, plan);
  return { dir: t.dir, plan, out, journal: journalPath(join(t.dir, ".plan"), plan.id, plan.hash) };
}

const lines = (path: string) =>
  existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : [];

function readJournal(path: string): JournalEvent[] {
  if (!existsSync(path)) return [];
  const read = parseJournal(readFileSync(path, "utf8"));
  if (!read.ok) throw new Error(`the journal is unreadable: ${read.problem}`);
  return read.events;
}

function args(shape: Shape, resume: boolean): string[] {
  return [
    "run",
    "plan.json",
    "--answers",
    "answers.yaml",
    "--concurrency",
    String(shape.concurrency),
    ...(resume ? ["--resume"] : []),
  ];
}

/** The harness as the operator: for each step in flight, whether its line is on the site. */
function writeAnswers(
  dir: string,
  events: readonly JournalEvent[],
  site: readonly string[],
): { yes: number; no: number } {
  const state = replay(events);
  const inFlight = [...state.steps].filter(([, r]) => r.status === "in-flight").map(([id]) => id);
  const entries = inFlight.map((id) => `  "${id}": ${site.includes(id) ? "yes" : "no"}`);
  writeFileSync(
    join(dir, "answers.yaml"),
    `by: the harness, having looked at the site\nresume:${entries.length ? `\n${entries.join("\n")}` : " {}"}\n`,
  );
  const yes = inFlight.filter((id) => site.includes(id)).length;
  return { yes, no: inFlight.length - yes };
}

async function uninterrupted(shape: Shape): Promise<{ site: string[]; ms: number }> {
  const s = setUp(shape);
  writeAnswers(s.dir, [], []);
  const began = Date.now();
  const run = spawnPlan(args(shape, false), s.dir);
  const { code } = await run.exited;
  expect(code, run.stderr()).toBe(0);
  return { site: lines(s.out), ms: Date.now() - began };
}

describe("killing the runtime at random points and resuming", () => {
  it(
    `loses nothing and runs no step twice over ${KILLS} kills`,
    async () => {
      const random = mulberry32(SEED);
      const shapes: Shape[] = [
        { width: 1, concurrency: 1 },
        { width: 4, concurrency: 3 },
      ];
      const baselines = [];
      for (const shape of shapes) baselines.push(await uninterrupted(shape));
      // One after the other, the 50 lines in the plan's order.
      expect(baselines[0]!.site).toHaveLength(50);
      let kills = 0;
      let tears = 0;
      const inFlight = { yes: 0, no: 0 };
      for (let round = 0; kills < KILLS; round++) {
        const shape = shapes[round % 2]!;
        const baseline = baselines[round % 2]!;
        const s = setUp(shape);
        let before: JournalEvent[] = [];
        for (let attempt = 0; ; attempt++) {
          expect(attempt, "a round that never finishes").toBeLessThan(40);
          const events = readJournal(s.journal);
          if (replay(events).finished) break;
          const answered = writeAnswers(s.dir, events, lines(s.out));
          inFlight.yes += answered.yes;
          inFlight.no += answered.no;
          const run = spawnPlan(args(shape, events.length > 0), s.dir);
          const delay = kills < KILLS ? baseline.ms * (0.15 + 0.85 * random()) : Number.POSITIVE_INFINITY;
          const ended = await Promise.race([
            run.exited.then(() => true),
            new Promise<false>((r) => setTimeout(() => r(false), Math.min(delay, 2 ** 31 - 1))),
          ]);
          if (ended) {
            const { code } = await run.exited;
            expect(code, `${run.stdout()}\n${run.stderr()}`).toBe(0);
          } else {
            await killGroup(run);
            kills += 1;
          }
          // After every session, killed or not: the journal reads, only grew, and covers the site.
          const now = readJournal(s.journal);
          expect(now.slice(0, before.length)).toEqual(before);
          before = now;
          const site = lines(s.out);
          expect(new Set(site).size, `a line written twice: ${site.join(" ")}`).toBe(site.length);
          const started = new Set(
            now.filter((e) => e.type === "step-started").map((e) => (e as { step: string }).step),
          );
          for (const id of site)
            expect(started.has(id), `${id} ran without its start in the journal`).toBe(true);
          if (!ended && now.length > 0 && random() < 0.3) {
            // The process died in the middle of writing an event whose action had not happened yet.
            appendFileSync(
              s.journal,
              `{"v":1,"seq":${now.at(-1)!.seq + 1},"at":"2026-01-01T00:00:00.000Z","type":"step-fin`,
            );
            tears += 1;
          }
        }
        const site = lines(s.out);
        if (shape.width === 1) expect(site).toEqual(baseline.site);
        else expect([...site].sort()).toEqual([...baseline.site].sort());
        // Phase by phase, as the DAG says, whatever the interleaving inside a phase.
        const phaseOf = (id: string) => Number(id.split(".")[0]);
        for (let i = 1; i < site.length; i++)
          expect(phaseOf(site[i]!)).toBeGreaterThanOrEqual(phaseOf(site[i - 1]!));
        const events = readJournal(s.journal);
        expect(events.at(-1)?.type).toBe("run-finished");
        for (const step of s.plan.order) {
          expect(events.filter((e) => e.type === "step-finished" && e.step === step)).toHaveLength(1);
        }
      }
      expect(kills).toBe(KILLS);
      // The interesting cases happened: steps caught in flight after their effect and before it, torn lines.
      expect(inFlight.yes, JSON.stringify(inFlight)).toBeGreaterThan(0);
      expect(inFlight.no, JSON.stringify(inFlight)).toBeGreaterThan(0);
      expect(tears).toBeGreaterThan(0);
    },
    30 * 60_000,
  );
});
