import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compilePlans, runSimulated, tempDir } from "./harness.js";

/**
 * Every entry in plans/ (a file with a `plan … for <sites>` line), for every site it names, runs to its end
 * on its simulated site, with the scripted operator answering every question ("done", "yes"), as
 * `plan run <entry> --simulate` does. The plans are read when the suite runs, so a new entry is covered as
 * soon as it lands. Site time runs fast; nothing measures it.
 */

const PLANS = "plans";
const entries = readdirSync(PLANS)
  .filter((f) => f.endsWith(".dpl"))
  .filter((f) => /^plan\s/m.test(readFileSync(join(PLANS, f), "utf8")))
  .sort();

const dirs: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of dirs) cleanup();
});

describe.concurrent("every shipped plan runs to its end on its simulated site", () => {
  it("finds the entries", () => {
    expect(entries).toContain("summit.dpl");
  });

  for (const entry of entries) {
    it(entry, async () => {
      const plans = compilePlans(join(PLANS, entry));
      expect(plans.length).toBeGreaterThan(0);
      for (const plan of plans) {
        const t = tempDir("plan-entry-");
        dirs.push(t.cleanup);
        const run = await runSimulated(plan, { stateDir: t.dir, speed: 600 });
        if (run.result.status !== "ran") throw new Error(`${plan.id} was refused: ${run.result.problem}`);
        expect(run.result.summary.outcome, `${plan.id}\n${run.output}`).toBe("finished");
        expect(run.result.summary.remaining, plan.id).toEqual([]);
        expect(run.journal.at(-1)?.type, plan.id).toBe("run-finished");
      }
    }, 600_000);
  }
});
