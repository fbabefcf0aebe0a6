import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { appendingPlan, spawnPlan, writePlan } from "./append-plan.js";
import { tempDir } from "./fakes.js";

/** `plan run` and `plan unlock` as people use them: the real binary, in a folder of its own. */

/** Each test starts the binary a few times; a loaded machine takes seconds per start. */
const SLOW = 5 * 60_000;

const dirs: ReturnType<typeof tempDir>[] = [];
afterAll(() => {
  for (const d of dirs) d.cleanup();
});

function folder(): string {
  const t = tempDir("plan-cli-");
  dirs.push(t);
  return t.dir;
}

const lines = (path: string) =>
  existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : [];

describe("plan run", () => {
  it(
    "--dry-run prints what each step would do and touches nothing",
    async () => {
      const dir = folder();
      const out = join(dir, "site.txt");
      writePlan(dir, appendingPlan({ steps: 3, width: 1, out }));
      const run = spawnPlan(["run", "plan.json", "--dry-run", "--from", "2.1"], dir);
      const { code } = await run.exited;
      expect(code, run.stderr()).toBe(0);
      expect(run.stdout()).toContain("Dry run of append@testsite");
      expect(run.stdout()).toContain("note: 2.1 comes after 1.1, which this run leaves out");
      expect(run.stdout()).toContain(
        `2.1  Append line 2.1\n    /bin/sh -c 'printf "%s\\n" "$1" >> "$2"' append 2.1 ${out}`,
      );
      expect(run.stdout()).not.toContain("1.1  Append");
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir)).toEqual(["plan.json"]);
    },
    SLOW,
  );

  it(
    "runs a plan to its end, journaling in .plan/, and exits 0",
    async () => {
      const dir = folder();
      const out = join(dir, "site.txt");
      const plan = appendingPlan({ steps: 5, width: 2, out });
      writePlan(dir, plan);
      const run = spawnPlan(["run", "plan.json", "--concurrency", "2"], dir);
      const { code } = await run.exited;
      expect(code, run.stderr()).toBe(0);
      expect(lines(out).sort()).toEqual(plan.order);
      expect(run.stdout()).toMatch(/✓ 1\.1 {2}Append line 1\.1 \(\d+(ms|s)\): exit code 0/);
      expect(run.stdout()).toContain("5 done, 0 skipped, 0 failed, 0 remaining");
      const journal = readdirSync(join(dir, ".plan", "runs"));
      expect(journal).toEqual([`append@testsite-${plan.hash.slice(7, 23)}.jsonl`]);
    },
    SLOW,
  );

  it(
    "exits 1 on a failed step, with the resume command, and resumes from there",
    async () => {
      const dir = folder();
      const out = join(dir, "site.txt");
      const flag = join(dir, "allowed");
      const plan = appendingPlan({ steps: 2, width: 1, out, first: ["/bin/sh", "-c", 'test -e "$0"', flag] });
      writePlan(dir, plan);
      const failed = spawnPlan(["run", "plan.json"], dir);
      expect((await failed.exited).code).toBe(1);
      expect(failed.stdout()).toContain("✗ 1.1  Wait for the go");
      expect(failed.stdout()).toContain("exited with code 1");
      expect(failed.stdout()).toContain("to resume: plan run plan.json --resume");
      expect(lines(out)).toEqual([]);
      const again = spawnPlan(["run", "plan.json"], dir);
      expect((await again.exited).code).toBe(2);
      expect(again.stderr()).toContain("has not finished");
      writeFileSync(flag, "");
      const resumed = spawnPlan(["run", "plan.json", "--resume"], dir);
      expect((await resumed.exited).code, resumed.stderr()).toBe(0);
      expect(lines(out)).toEqual(["2.1", "3.1"]);
    },
    SLOW,
  );

  it(
    "refuses a plan whose content does not match its hash, and bad options",
    async () => {
      const dir = folder();
      const path = writePlan(dir, appendingPlan({ steps: 1, width: 1, out: join(dir, "x") }));
      writeFileSync(path, readFileSync(path, "utf8").replace("Append line 1.1", "Append line 9.9"));
      const tampered = spawnPlan(["run", "plan.json"], dir);
      expect((await tampered.exited).code).toBe(1);
      expect(tampered.stderr()).toContain("the plan's content does not match its hash");
      const bad = spawnPlan(["run", "plan.json", "--concurrency", "0"], dir);
      expect((await bad.exited).code).toBe(2);
      const missing = spawnPlan(["run", "nowhere.json"], dir);
      expect((await missing.exited).code).toBe(2);
    },
    SLOW,
  );

  it(
    "without a terminal or answers, stops at the first manual question and says so",
    async () => {
      const dir = folder();
      const { PlanBuilder } = await import("../../support/plan-builder.js");
      const { testSite } = await import("../context.js");
      const b = new PlanBuilder({
        procedure: { name: "hands", title: "Hands" },
        site: testSite({ name: "handsite" }),
      });
      b.phase({ name: "one", title: "One", checkpoint: false }, (p) => {
        p.step("manual", { title: "Turn the key", text: "Turn the key on the rack" });
      });
      writePlan(dir, b.build());
      const run = spawnPlan(["run", "plan.json"], dir);
      expect((await run.exited).code).toBe(1);
      expect(run.stdout()).toContain(
        "step 1.1 needs an operator's answer, and there is no terminal to ask on",
      );
      writeFileSync(join(dir, "answers.yaml"), "steps:\n  '1.1': done\n");
      const answered = spawnPlan(["run", "plan.json", "--resume", "--answers", "answers.yaml"], dir);
      expect((await answered.exited).code, answered.stdout()).toBe(0);
      const journal = readdirSync(join(dir, ".plan", "runs"))[0]!;
      const text = readFileSync(join(dir, ".plan", "runs", journal), "utf8");
      expect(text).toContain(
        '"type":"answer","step":"1.1","question":"manual","answer":"done","by":"tester"',
      );
    },
    SLOW,
  );
});

describe("Ctrl-C", () => {
  it(
    "starts no more steps, lets the running one end, records it, and exits 1; the run resumes",
    async () => {
      const dir = folder();
      const out = join(dir, "site.txt");
      const go = join(dir, "go");
      const plan = appendingPlan({
        steps: 2,
        width: 1,
        out,
        first: ["/bin/sh", "-c", 'while [ ! -e "$0" ]; do sleep 0.05; done; echo waited', go],
      });
      writePlan(dir, plan);
      const run = spawnPlan(["run", "plan.json"], dir);
      for (let i = 0; i < 2000 && !run.stdout().includes("▶ 1.1"); i++)
        await new Promise((r) => setTimeout(r, 10));
      process.kill(run.pid, "SIGINT");
      for (let i = 0; i < 2000 && !run.stdout().includes("interrupted: starting no more steps"); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      writeFileSync(go, "");
      expect((await run.exited).code).toBe(1);
      expect(run.stdout()).toContain("✓ 1.1  Wait for the go");
      expect(run.stdout()).toContain(
        "Run of append@testsite stopped: interrupted: running steps were let finish",
      );
      expect(run.stdout()).toContain("remaining: 2.1, 3.1");
      expect(lines(out)).toEqual([]);
      const journal = readdirSync(join(dir, ".plan", "runs"))[0]!;
      const last = readFileSync(join(dir, ".plan", "runs", journal), "utf8")
        .trim()
        .split("\n")
        .at(-1)!;
      expect(JSON.parse(last)).toMatchObject({
        type: "run-stopped",
        outcome: "stopped",
        reason: "interrupted: running steps were let finish",
      });
      const resumed = spawnPlan(["run", "plan.json", "--resume"], dir);
      expect((await resumed.exited).code, resumed.stderr()).toBe(0);
      expect(lines(out)).toEqual(["2.1", "3.1"]);
    },
    SLOW,
  );
});

describe("two runs on one site", () => {
  it(
    "exactly one proceeds; the other is refused with the holder's details; unlock breaks a stale lock by id",
    async () => {
      const dir = folder();
      const out = join(dir, "site.txt");
      const go = join(dir, "go");
      // The first step waits for the test's go, so that both runs overlap for as long as needed.
      const plan = appendingPlan({
        steps: 3,
        width: 1,
        out,
        first: ["/bin/sh", "-c", 'while [ ! -e "$0" ]; do sleep 0.05; done', go],
      });
      writePlan(dir, plan);
      const a = spawnPlan(["run", "plan.json"], dir, { PLAN_OPERATOR: "ana" });
      const b = spawnPlan(["run", "plan.json"], dir, { PLAN_OPERATOR: "ben" });
      const first = await Promise.race([a.exited.then(() => a), b.exited.then(() => b)]);
      const winner = first === a ? b : a;
      const loser = first;
      expect((await loser.exited).code).toBe(1);
      const winnerName = winner === a ? "ana" : "ben";
      expect(loser.stderr()).toContain("site testsite is locked by another run");
      expect(loser.stderr()).toContain(`held by ${winnerName} on host ${hostname()} (process ${winner.pid})`);
      expect(loser.stderr()).toContain(`running plan append@testsite (${plan.hash.slice(0, 19)}…)`);
      const id = /lock id ([0-9a-f]{8})/.exec(loser.stderr())?.[1];
      expect(id).toBeDefined();
      expect(loser.stderr()).toContain(`plan unlock --id ${id}`);
      writeFileSync(go, "");
      expect((await winner.exited).code, winner.stderr()).toBe(0);
      expect(lines(out)).toEqual(["2.1", "3.1", "4.1"]);

      // A lock left by a run on another machine is broken only by its id.
      const lockDir = join(dir, ".plan", "locks", "testsite");
      const stale = {
        holder: {
          id: "0badc0de",
          site: "testsite",
          by: "carl",
          host: "elsewhere",
          pid: 1,
          planId: plan.id,
          planHash: plan.hash,
          acquiredAt: new Date().toISOString(),
          renewedAt: new Date().toISOString(),
          ttlSeconds: 3600,
        },
      };
      const next =
        Math.max(
          ...readdirSync(lockDir)
            .filter((n) => n.endsWith(".json"))
            .map((n) => Number(n.slice(0, 12))),
        ) + 1;
      writeFileSync(join(lockDir, `${String(next).padStart(12, "0")}.json`), JSON.stringify(stale));
      const refused = spawnPlan(["run", "plan.json"], dir);
      expect((await refused.exited).code).toBe(1);
      expect(refused.stderr()).toContain("held by carl on host elsewhere");
      const wrong = spawnPlan(["unlock", "--id", "12345678"], dir);
      expect((await wrong.exited).code).toBe(1);
      expect(wrong.stderr()).toContain("no lock with id 12345678");
      const unlock = spawnPlan(["unlock", "--id", "0badc0de"], dir);
      expect((await unlock.exited).code, unlock.stderr()).toBe(0);
      expect(unlock.stdout()).toContain("broke the lock of site testsite");
      expect(unlock.stdout()).toContain("held by carl on host elsewhere");
      const top = Math.max(
        ...readdirSync(lockDir)
          .filter((n) => n.endsWith(".json"))
          .map((n) => Number(n.slice(0, 12))),
      );
      expect(
        JSON.parse(readFileSync(join(lockDir, `${String(top).padStart(12, "0")}.json`), "utf8")),
      ).toEqual({
        holder: null,
      });
    },
    SLOW,
  );
});
