import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { simulatedSiteDir } from "../../src/cli/run-simulated.js";
import type { Plan } from "../../src/ir/schema.js";
import type { JournalEvent } from "../../src/runtime/journal-events.js";
import { replay } from "../../src/runtime/run-state.js";
import { readSnapshot, type SiteSnapshot } from "../../src/runtime/simulator/site-snapshot.js";
import { killGroup, spawnPlan, writePlan } from "../runtime/core/append-plan.js";
import { compilePlans, journalOf, tempDir } from "./harness.js";

/**
 * `plan run --simulate` killed with SIGKILL (the runtime, its site and every process they started) goes on
 * with `--resume` against the same site: what the site became before the kill (jobs deleted, telegraf
 * scaled to 0, the EFD stale, CSCs down) is what the resumed run finds, each step that was in flight is
 * settled by looking at the site, and the run finishes with the site back up.
 */

const dirs: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of dirs) cleanup();
});

function snapshotOf(stateDir: string, plan: Plan): SiteSnapshot {
  const read = readSnapshot(join(simulatedSiteDir(stateDir, plan), "site.json"));
  if (!read.ok || !read.snapshot) throw new Error(read.ok ? "no snapshot" : read.problem);
  return read.snapshot;
}

async function until(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function finished(events: readonly JournalEvent[], id: string): boolean {
  return events.some((e) => e.type === "step-finished" && e.step === id);
}

describe("a simulated run that is killed and resumed", () => {
  it("goes on against the same site", async () => {
    const t = tempDir("plan-sim-kill-");
    dirs.push(t.cleanup);
    const [plan] = compilePlans("test/simulator/fixtures/mini.dpl") as [Plan];
    const file = writePlan(t.dir, plan);
    const stateDir = join(t.dir, "state");
    const args = ["run", file, "--simulate", "--speed", "100", "--state-dir", stateDir];

    // Killed once telegraf is scaled to 0 (cleanup done), whatever else is in flight then.
    const first = spawnPlan(args, t.dir);
    await until("telegraf is scaled to 0", () => finished(journalOf(stateDir, plan), "2.3"));
    await killGroup(first);
    const atKill = journalOf(stateDir, plan);
    expect(atKill.some((e) => e.type === "run-finished")).toBe(false);
    const inFlight = [...replay(atKill).steps].filter(([, r]) => r.status === "in-flight").map(([id]) => id);

    const site = snapshotOf(stateDir, plan);
    const telegraf = site.kube.deployments.filter((d) => d.namespace === "sasquatch");
    expect(telegraf.length).toBeGreaterThan(0);
    expect(telegraf.every((d) => d.replicas === 0)).toBe(true);
    expect(site.kube.jobs.filter((j) => ["auxtel", "obssys"].includes(j.namespace))).toEqual([]);
    expect(site.efd.fresh).toBe(false);
    expect(Object.values(site.cscs).every((c) => !c.running)).toBe(true);
    // The lock of the killed run is in the site's cluster, as the site was saved.
    expect(site.kube.objects.some((o) => o.plural === "leases")).toBe(true);

    const second = spawnPlan([...args.slice(0, 1), file, "--resume", ...args.slice(2)], t.dir);
    const end = await second.exited;
    expect(end.code, second.stdout() + second.stderr()).toBe(0);
    expect(second.stdout()).toContain("continued from");
    expect(second.stdout()).toContain("took over the stale lock");
    const events = journalOf(stateDir, plan);
    expect(events.at(-1)?.type).toBe("run-finished");
    const resumedFrom = events.findLastIndex((e) => e.type === "run-started");
    for (const id of inFlight) {
      const settled = events
        .slice(resumedFrom)
        .some(
          (e) =>
            (e.type === "step-finished" && e.step === id && e.observed) ||
            (e.type === "answer" && e.step === id && e.question === "resume") ||
            (e.type === "step-stopped" && e.step === id),
        );
      expect(settled, `step ${id} was in flight at the kill`).toBe(true);
    }
    // Steps done before the kill are not done again.
    const starts = events.filter((e) => e.type === "step-started" && e.step === "2.2");
    expect(starts).toHaveLength(1);

    const after = snapshotOf(stateDir, plan);
    expect(
      after.kube.deployments.filter((d) => d.namespace === "sasquatch").every((d) => d.replicas === 1),
    ).toBe(true);
    expect(after.efd.fresh).toBe(true);
    expect(Object.values(after.cscs).every((c) => c.running)).toBe(true);
    expect(after.clock.siteAt).toBeGreaterThan(site.clock.siteAt);
    expect(JSON.parse(readFileSync(join(simulatedSiteDir(stateDir, plan), "site.json"), "utf8")).site).toBe(
      "mini",
    );
  }, 300_000);
});
