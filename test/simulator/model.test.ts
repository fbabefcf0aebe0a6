import { describe, expect, it } from "vitest";
import type { PlanSite } from "../../src/ir/schema.js";
import { CscModel } from "../../src/runtime/simulator/csc-model.js";
import { EfdProjection } from "../../src/runtime/simulator/efd-projection.js";
import { EfdServer } from "../../src/runtime/simulator/efd-server.js";
import { SiteClock, type WallClock } from "../../src/runtime/simulator/site-clock.js";
import { parseDuration, parseFaults } from "../../src/runtime/simulator/site-faults.js";
import { jobLabels, SiteLayout } from "../../src/runtime/simulator/site-layout.js";
import { SiteTimeline } from "../../src/runtime/simulator/site-timeline.js";
import { transitionCommands } from "../../src/runtime/simulator/transitions.js";
import { testSite } from "../runtime/context.js";

/** A wall clock that moves only when told, with timers that fire as it passes them. */
class FakeWall implements WallClock {
  time = 1_000_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private next = 0;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((t) => t.at <= this.time).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((t) => t.at > this.time);
    for (const t of due) t.fn();
  }
}

const site: PlanSite = testSite({
  name: "mini",
  apps: [
    { name: "obssys", project: "telescope", namespace: "obssys" },
    { name: "auxtel", project: "telescope", namespace: "auxtel" },
    { name: "uws", project: "telescope", namespace: "uws" },
  ],
  hosts: [{ name: "cam", address: "cam.example.org", roles: ["camera"], service: "ats-ocs-bridge.service" }],
  cscs: [
    {
      id: "Watcher",
      app: "obssys",
      job: "watcher",
      simulator: false,
      starts: "STANDBY",
      heartbeatOnly: false,
    },
    {
      id: "ScriptQueue:1",
      app: "obssys",
      job: "mtqueue",
      simulator: false,
      starts: "ENABLED",
      heartbeatOnly: false,
    },
    { id: "ATDome", app: "auxtel", job: "atdome", simulator: false, starts: "STANDBY", heartbeatOnly: false },
    { id: "ESS:104", app: "auxtel", simulator: false, starts: "STANDBY", heartbeatOnly: false },
    { id: "ESS:105", app: "auxtel", simulator: false, starts: "STANDBY", heartbeatOnly: false },
    { id: "ATCamera", host: "cam", simulator: false, starts: "STANDBY", heartbeatOnly: false },
    { id: "MTVMS:1", simulator: false, starts: "STANDBY", heartbeatOnly: true },
  ],
});

function model(wall = new FakeWall()) {
  const clock = new SiteClock({ siteAt: 0, wallAt: wall.now(), speed: 10 }, wall);
  const timeline = new SiteTimeline(clock);
  const layout = new SiteLayout(site);
  const csc = new CscModel(layout, clock, timeline);
  const changes: string[] = [];
  csc.on((c) =>
    changes.push(c.kind === "state" ? `${c.csc} ${c.state}` : `${c.csc} ${c.running ? "up" : "down"}`),
  );
  csc.seed(() => "ENABLED", 0);
  return { wall, clock, timeline, layout, csc, changes };
}

describe("the site clock", () => {
  it("runs `speed` times faster than the wall clock, and its sleeps take 1/speed of the time", async () => {
    const wall = new FakeWall();
    const clock = new SiteClock({ siteAt: 5_000, wallAt: wall.now(), speed: 60 }, wall);
    wall.advance(1_000);
    expect(clock.now()).toBe(65_000);
    let woke = false;
    const sleeping = clock.sleep(60_000).then(() => {
      woke = true;
    });
    wall.advance(999);
    await Promise.resolve();
    expect(woke).toBe(false);
    wall.advance(1);
    await sleeping;
    expect(woke).toBe(true);
  });

  it("restored, it counts the time the site was stopped, at the speed it ran, and goes on at the new one", () => {
    const wall = new FakeWall();
    const saved = { siteAt: 100_000, wallAt: wall.now(), speed: 60 };
    wall.advance(2_000);
    const clock = SiteClock.resumed(saved, 10, wall);
    expect(clock.now()).toBe(220_000);
    wall.advance(1_000);
    expect(clock.now()).toBe(230_000);
    expect(() => SiteClock.startingNow(0, wall)).toThrow(RangeError);
  });
});

describe("the CSCs of a simulated site", () => {
  it("a CSC sent OFFLINE reports it and exits; a heartbeat-only one exits without a word", () => {
    const m = model();
    expect(m.csc.command("ATDome", "OFFLINE")).toBe("changed");
    expect(m.csc.command("MTVMS:1", "OFFLINE")).toBe("changed");
    expect(m.changes).toEqual(["ATDome OFFLINE", "ATDome down", "MTVMS:1 down"]);
    expect(m.csc.record("MTVMS:1")).toMatchObject({ state: "ENABLED", running: false });
  });

  it("a CSC that does not run cannot be commanded; one killed reports nothing", () => {
    const m = model();
    m.csc.kill("Watcher");
    expect(m.csc.command("Watcher", "STANDBY")).toBe("not-running");
    expect(m.changes).toEqual(["Watcher down"]);
    expect(m.csc.record("Watcher")).toMatchObject({ state: "ENABLED", running: false });
    expect(m.csc.command("Nobody", "STANDBY")).toBe("unknown-csc");
  });

  it("a started CSC comes up after its delay in the state it starts in; a kill meanwhile calls it off", () => {
    const m = model();
    m.csc.kill("ScriptQueue:1");
    m.csc.kill("ATDome");
    m.csc.start("ScriptQueue:1", 30_000);
    m.csc.start("ATDome", 30_000);
    m.wall.advance(1_000); // 10 s of site time
    m.timeline.settle();
    m.csc.kill("ATDome");
    m.wall.advance(2_000);
    m.timeline.settle();
    expect(m.csc.record("ScriptQueue:1")).toMatchObject({ state: "ENABLED", running: true });
    expect(m.csc.record("ATDome")).toMatchObject({ running: false });
    expect(m.changes.slice(2)).toEqual(["ScriptQueue:1 up", "ScriptQueue:1 ENABLED"]);
  });

  it("a CSC with a fault goes to FAULT instead, and reaches what it should have once the fault clears", () => {
    const m = model();
    m.csc.setFaults(["ATDome"]);
    expect(m.csc.record("ATDome")?.state).toBe("FAULT");
    m.csc.command("ATDome", "OFFLINE");
    expect(m.csc.record("ATDome")).toMatchObject({ state: "FAULT", running: true, intended: "OFFLINE" });
    m.csc.setFaults([]);
    expect(m.csc.record("ATDome")).toMatchObject({ state: "OFFLINE", running: false });
    expect(m.csc.record("ATDome")?.intended).toBeUndefined();
  });

  it("a fault is cleared across a restore: the record remembers what the CSC should be", () => {
    const m = model();
    m.csc.setFaults(["ATDome"]);
    m.csc.command("ATDome", "OFFLINE");
    m.csc.kill("ATDome");
    const saved = m.csc.snapshot();
    const again = model(m.wall);
    again.csc.restore(saved);
    again.csc.setFaults([]);
    expect(again.csc.record("ATDome")).toMatchObject({ state: "OFFLINE", running: false });
  });
});

describe("the EFD of a simulated site", () => {
  it("is stale while telegraf is down, and catches up on the states and heartbeats when it is back", () => {
    const m = model();
    const efd = new EfdServer({ clock: m.clock });
    const projection = new EfdProjection(efd, m.clock);
    projection.seed(m.csc.snapshot(), 0);
    m.csc.on((c) => projection.apply(c));
    expect(efd.cscState("ATDome")).toEqual({ state: 2, running: true });
    projection.setFresh(false, m.csc.snapshot());
    m.wall.advance(100);
    m.csc.command("ATDome", "OFFLINE");
    m.csc.command("Watcher", "STANDBY");
    // Nothing new reached the EFD: ATDome looks ENABLED and silent, like every CSC.
    expect(efd.cscState("ATDome")).toEqual({ state: 2, running: false });
    expect(efd.cscState("Watcher")).toEqual({ state: 2, running: false });
    projection.setFresh(true, m.csc.snapshot());
    expect(efd.cscState("ATDome")).toEqual({ state: 4, running: false });
    expect(efd.cscState("Watcher")).toEqual({ state: 5, running: true });
  });
});

describe("what a ScriptQueue script does", () => {
  const base = {
    id: "1.1",
    phase: "p",
    title: "t",
    manual: true,
    critical: false,
    after: [],
    source: { file: "f", line: 1, column: 1 },
    admonitions: [],
    expectedSeconds: 0,
    kind: "csc-transition" as const,
    queue: "ScriptQueue:1",
    ignored: [],
  };
  const layout = new SiteLayout(site);

  it("system_wide_shutdown.py: the step's CSCs in order, without the ignore list's names and the ScriptQueues", () => {
    const step = {
      ...base,
      state: "OFFLINE" as const,
      script: "system_wide_shutdown.py",
      cscs: ["Watcher", "ATDome", "ESS:104", "ESS:105", "ScriptQueue:1", "ATCamera"],
      config: { user: "u", reason: "r", ignore: ["ESS"] },
    };
    expect(transitionCommands(step, layout).map((c) => c.csc)).toEqual(["Watcher", "ATDome", "ATCamera"]);
  });

  it("set_summary_state.py: its data in order, `Name:*` for every instance; the step's ignore list left alone", () => {
    const step = {
      ...base,
      state: "ENABLED" as const,
      script: "set_summary_state.py",
      cscs: [],
      config: {
        data: [
          ["ESS:*", "enabled"],
          ["Watcher", "ENABLED"],
          ["ScriptQueue:1", "OFFLINE"],
        ],
      },
      ignored: [{ csc: "ESS:105", keep: "DISABLED" as const }],
    };
    expect(transitionCommands(step, layout)).toEqual([
      { csc: "ESS:104", state: "ENABLED" },
      { csc: "Watcher", state: "ENABLED" },
      { csc: "ScriptQueue:1", state: "OFFLINE" },
    ]);
  });
});

describe("the layout of a simulated site", () => {
  it("labels a CSC's job as the lsst-ts charts do, and names a job the site file gives no label for", () => {
    expect(jobLabels("obssys", "mtqueue")).toMatchObject({
      csc: "mtqueue",
      "csc-name": "mtqueue",
      "csc-class": "mtqueue",
      "argocd.argoproj.io/instance": "obssys",
    });
    expect(jobLabels("simonyitel", "mtaircompressor1")["csc-class"]).toBe("mtaircompressor");
    expect(jobLabels("simonyitel", "mtm1m3")["csc-class"]).toBe("mtm1m3");
    const layout = new SiteLayout(site);
    expect(layout.kubeCsc("ESS:104")?.job).toBe("ess104");
    expect(layout.hostCscs("cam")).toEqual(["ATCamera"]);
    expect(layout.projectNamespaces("telescope")).toEqual(["auxtel", "obssys", "uws"]);
  });
});

describe("fault specs", () => {
  it("reads every kind, repeated, and refuses what the site does not have", () => {
    const read = parseFaults(
      ["csc-fault=ATDome,csc-fault=Watcher", "broker-down=1m30s,lag-stuck=telegraf", "ssh-refuse=cam"],
      {
        ...site,
        apps: [...site.apps, { name: "love", project: "telescope", namespace: "love" }],
      },
    );
    expect(read).toEqual({
      ok: true,
      faults: {
        cscs: ["ATDome", "Watcher"],
        degraded: [],
        syncFailed: [],
        lagStuck: ["telegraf"],
        sshRefused: ["cam"],
        brokerDownMs: 90_000,
      },
    });
    expect(parseFaults(["app-degraded=lov"], site)).toMatchObject({ ok: false });
    expect(parseFaults(["ssh-refuse=azar03"], site)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/no host `azar03`/),
    });
    expect(parseFaults(["broker-down=soon"], site)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/not a duration/),
    });
    expect(parseFaults(["csc-fault"], site)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/needs a value/),
    });
    expect(parseDuration("2m")).toBe(120_000);
    expect(parseDuration("2 m")).toBeUndefined();
  });
});
