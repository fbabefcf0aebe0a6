import { describe, expect, it } from "vitest";
import { diskReader } from "../../src/cli/files.js";
import { load } from "../../src/compiler/load.js";
import { collectSymbols } from "../../src/compiler/symbols.js";
import { outlineOf } from "../../src/compiler/trace.js";
import type { Plan, Step } from "../../src/ir/schema.js";
import { type EntryPlan, entryPlans, isOspl, reachability } from "./support.js";

/**
 * The facts a reviewer checks first, on every compiled plan of plans/ (every entry, every site), computed here from
 * the plan JSON alone, independently of the compiler's rule code.
 */

interface OfflineEvent {
  readonly step: string;
  readonly csc: string;
  /** Order inside the step: smaller first; equal ranks have no defined order. */
  readonly rank: number;
  readonly queue: string;
}

/** Every CSC a plan sends OFFLINE, with the order the script gives it inside its step. */
function offlineEvents(plan: Plan): OfflineEvent[] {
  const out: OfflineEvent[] = [];
  for (const s of plan.steps) {
    if (s.kind !== "csc-transition" || s.state !== "OFFLINE") continue;
    if (s.script === "system_wide_shutdown.py") {
      const first = (s.config.start_with as string[] | undefined) ?? [];
      const last = (s.config.end_with as string[] | undefined) ?? [];
      for (const csc of s.cscs) {
        const name = csc.split(":")[0]!;
        const rank = first.includes(name)
          ? first.indexOf(name)
          : last.includes(name)
            ? first.length + 1 + last.indexOf(name)
            : first.length;
        out.push({ step: s.id, csc, rank, queue: s.queue });
      }
    } else {
      for (const [rank, csc] of s.cscs.entries()) out.push({ step: s.id, csc, rank, queue: s.queue });
    }
  }
  return out;
}

function precedes(reaches: (a: string, b: string) => boolean) {
  return (a: OfflineEvent, b: OfflineEvent) =>
    a.step === b.step ? a.rank < b.rank : reaches(a.step, b.step);
}

const { plans } = entryPlans();
const kafkaEra = plans.filter((p) => !isOspl(p.plan));
const label = (p: EntryPlan) => `${p.entry}@${p.site}`;
const isQueue = (csc: string) => csc.startsWith("ScriptQueue:");

describe("the Watcher goes OFFLINE first", () => {
  it("before every other CSC, in every Kafka-era plan that shuts CSCs down", () => {
    let checked = 0;
    for (const p of kafkaEra) {
      const events = offlineEvents(p.plan);
      if (events.length === 0) continue;
      const earlier = precedes(reachability(p.plan));
      const watcher = events.filter((e) => e.csc === "Watcher");
      expect(watcher.length, `${label(p)} sends CSCs OFFLINE but not the Watcher`).toBe(1);
      for (const e of events.filter((x) => x.csc !== "Watcher")) {
        expect(
          earlier(watcher[0]!, e),
          `${label(p)}: ${e.csc} (step ${e.step}) may go before the Watcher`,
        ).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it("but last with the ScriptQueues in the OpenSplice-era plans (000's order)", () => {
    const ospl = plans.filter((p) => isOspl(p.plan));
    expect(ospl.map(label).sort()).toEqual(["summit-ospl-upgrade@summit", "tts-ospl-upgrade@tts"]);
    for (const p of ospl) {
      const events = offlineEvents(p.plan);
      const earlier = precedes(reachability(p.plan));
      const watcher = events.find((e) => e.csc === "Watcher")!;
      for (const e of events.filter((x) => x.csc !== "Watcher" && !isQueue(x.csc)))
        expect(earlier(e, watcher), `${label(p)}: ${e.csc} may go after the Watcher`).toBe(true);
    }
  });
});

describe("the ScriptQueues go OFFLINE last", () => {
  it("after every other CSC, the queue that runs the script last of all", () => {
    let queues = 0;
    for (const p of plans) {
      const events = offlineEvents(p.plan);
      const earlier = precedes(reachability(p.plan));
      const q = events.filter((e) => isQueue(e.csc));
      // 000 puts the Watcher last with the ScriptQueues; which of them goes first, it does not say.
      const lastToo = (csc: string) => isOspl(p.plan) && csc === "Watcher";
      for (const e of events.filter((x) => !isQueue(x.csc) && !lastToo(x.csc)))
        for (const x of q) expect(earlier(e, x), `${label(p)}: ${x.csc} may go before ${e.csc}`).toBe(true);
      for (const runner of q.filter((x) => x.csc === x.queue)) {
        queues++;
        for (const other of q.filter((x) => x !== runner))
          expect(
            earlier(other, runner),
            `${label(p)}: ${runner.csc} runs step ${runner.step} but may go before ${other.csc}`,
          ).toBe(true);
      }
    }
    expect(queues).toBeGreaterThanOrEqual(11);
  });

  it("in the order the script needs: the runner is the last item of its step's data", () => {
    for (const p of plans) {
      for (const s of p.plan.steps) {
        if (s.kind !== "csc-transition" || s.state !== "OFFLINE" || !s.cscs.includes(s.queue)) continue;
        const data = s.config.data as string[][];
        expect(data[data.length - 1], `${label(p)} step ${s.id}`).toEqual([s.queue, "OFFLINE"]);
      }
    }
  });

  it("never through system_wide_shutdown.py, which does not command them", () => {
    for (const p of plans)
      for (const s of p.plan.steps)
        if (s.kind === "csc-transition" && s.script === "system_wide_shutdown.py")
          expect(s.cscs.filter(isQueue), `${label(p)} step ${s.id}`).toEqual([]);
  });
});

describe("LOVE is synced last", () => {
  it("after every other application of the telescope project", () => {
    let checked = 0;
    for (const p of plans) {
      const syncs = p.plan.steps.filter(
        (s): s is Extract<Step, { kind: "argocd-sync" }> => s.kind === "argocd-sync",
      );
      const love = syncs.filter((s) => s.app === "love");
      const others = syncs.filter((s) => s.project === "telescope" && s.app !== "love");
      if (others.length > 0 && p.entry.endsWith("incremental") === false)
        expect(love.length, `${label(p)} syncs the telescope project but not LOVE`).toBe(1);
      const reaches = reachability(p.plan);
      for (const l of love)
        for (const o of others) {
          expect(reaches(o.id, l.id), `${label(p)}: love (${l.id}) may sync before ${o.app} (${o.id})`).toBe(
            true,
          );
          checked++;
        }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it("and science-platform first, before every other sync of a full upgrade", () => {
    for (const p of plans) {
      const syncs = p.plan.steps.filter((s) => s.kind === "argocd-sync");
      const sp = syncs.find((s) => s.kind === "argocd-sync" && s.app === "science-platform");
      if (!sp) continue;
      const reaches = reachability(p.plan);
      for (const s of syncs) if (s !== sp) expect(reaches(sp.id, s.id), `${label(p)} ${s.id}`).toBe(true);
    }
  });
});

describe("site-only steps appear only at their site", () => {
  const program = load(["plans/documents.dpl"], diskReader, ".");
  const outlines = [...collectSymbols(program, ["plans/documents.dpl"]).symbols.documents.values()].map(
    outlineOf,
  );
  const restriction = new Map<string, { only?: readonly string[]; except?: readonly string[] }[]>();
  for (const d of outlines)
    for (const s of d.sections) {
      restriction.set(s.cite, [s]);
      for (const i of s.items) restriction.set(i.cite, [s, i]);
    }
  const allowed = (cite: string, site: string) =>
    (restriction.get(cite) ?? []).every(
      (r) => (!r.only || r.only.includes(site)) && !r.except?.includes(site),
    );

  it("every step and admonition citing a site-restricted sentence is in a plan of that site", () => {
    let restricted = 0;
    for (const p of plans) {
      const cites: { cite: string; what: string }[] = [];
      for (const s of p.plan.steps) {
        for (const c of s.source.cite ?? []) cites.push({ cite: c, what: `step ${s.id}` });
        for (const a of s.admonitions)
          for (const c of a.source.cite ?? []) cites.push({ cite: c, what: `${a.level} at ${s.id}` });
      }
      for (const ph of p.plan.phases)
        for (const a of ph.admonitions)
          for (const c of a.source.cite ?? [])
            cites.push({ cite: c, what: `${a.level} of phase ${ph.number}` });
      for (const a of p.plan.admonitions)
        for (const c of a.source.cite ?? []) cites.push({ cite: c, what: `${a.level} of the plan` });
      for (const { cite, what } of cites) {
        if ((restriction.get(cite) ?? []).some((r) => r.only || r.except)) restricted++;
        expect(
          allowed(cite, p.site),
          `${label(p)}: ${what} cites ${cite}, which does not apply at ${p.site}`,
        ).toBe(true);
      }
    }
    expect(restricted).toBeGreaterThan(50);
  });

  it("bare metal, cRIO and other Summit machines are reached only at the Summit", () => {
    const summitRoles = [
      "bare-metal",
      "crio",
      "love",
      "vms-logger",
      "fiberspectrograph",
      "illumination",
      "ess-controller",
    ];
    let atSummit = 0;
    for (const p of plans) {
      for (const s of p.plan.steps) {
        if (s.kind !== "command" || !s.host) continue;
        if (s.host.roles.some((r) => summitRoles.includes(r))) {
          expect(p.site, `${label(p)} step ${s.id} runs on ${s.host.name}`).toBe("summit");
          atSummit++;
        }
      }
    }
    expect(atSummit).toBeGreaterThanOrEqual(12);
  });

  it("M2 steps are at the Summit only, and M2 is in closed loop before the shutdown there", () => {
    for (const p of plans) {
      const m2 = p.plan.steps.filter(
        (s) => /\bM2\b/.test(s.title) || (s.kind === "csc-transition" && s.cscs.join() === "MTM2"),
      );
      if (p.site !== "summit") {
        expect(
          m2.map((s) => s.id),
          label(p),
        ).toEqual([]);
        continue;
      }
      const shutdown = p.plan.steps.find(
        (s) => s.kind === "csc-transition" && s.script === "system_wide_shutdown.py",
      );
      if (!shutdown) continue;
      const closed = p.plan.steps.find((s) => s.kind === "manual" && /closed-loop/.test(s.title));
      expect(closed?.critical, `${label(p)} has no critical closed-loop step`).toBe(true);
      expect(reachability(p.plan)(closed!.id, shutdown.id), label(p)).toBe(true);
    }
  });

  it("M2 is ENABLED again before IT may reboot the Hexrot VM (Summit OS/K8s upgrade)", () => {
    const p = plans.find((x) => x.entry === "summit-os-upgrade")!;
    const enable = p.plan.steps.find(
      (s) => s.kind === "csc-transition" && s.state === "ENABLED" && s.cscs.includes("MTM2"),
    )!;
    const reboot = p.plan.steps.find(
      (s) => s.kind === "manual" && /Hexrot VM may be rebooted now/.test(s.title),
    )!;
    expect(enable.critical).toBe(true);
    expect(reachability(p.plan)(enable.id, reboot.id)).toBe(true);
  });
});

describe("the ignore list applies at the Summit only", () => {
  it("leaves MTM1M3 DISABLED and MTM1M3TS ENABLED at the Summit, in every Kafka-era plan", () => {
    for (const p of kafkaEra.filter((x) => x.site === "summit")) {
      expect(
        p.plan.ignored.map((i) => [i.csc, i.keep]),
        label(p),
      ).toEqual([
        ["MTM1M3", "DISABLED"],
        ["MTM1M3TS", "ENABLED"],
      ]);
      for (const s of p.plan.steps) {
        if (s.kind === "csc-transition" && s.script === "system_wide_shutdown.py")
          expect(s.config.ignore, `${label(p)} step ${s.id}`).toEqual(["MTM1M3", "MTM1M3TS"]);
        if (s.kind === "csc-transition") {
          expect(s.cscs, `${label(p)} step ${s.id} commands an ignored CSC`).not.toContain("MTM1M3");
          expect(s.cscs).not.toContain("MTM1M3TS");
        }
        if (s.kind === "csc-states")
          for (const e of s.expect.filter((x) => x.csc.startsWith("MTM1M3")))
            expect(e.state, `${label(p)} step ${s.id}`).toBe(e.csc === "MTM1M3" ? "DISABLED" : "ENABLED");
      }
    }
  });

  it("is empty at the test stands and in the OpenSplice-era plans", () => {
    for (const p of plans.filter((x) => x.site !== "summit" || isOspl(x.plan))) {
      expect(p.plan.ignored, label(p)).toEqual([]);
      for (const s of p.plan.steps)
        if (s.kind === "csc-transition") expect(s.config.ignore, `${label(p)} step ${s.id}`).toBeUndefined();
    }
  });

  it("is never given to set_summary_state.py, which has no such key", () => {
    for (const p of plans)
      for (const s of p.plan.steps)
        if (s.kind === "csc-transition" && s.script === "set_summary_state.py")
          expect(
            Object.keys(s.config).filter((k) => k === "ignore"),
            label(p),
          ).toEqual([]);
  });
});

describe("every temporary change is undone", () => {
  it("by a step that undoes it and comes after it in the DAG", () => {
    let changes = 0;
    for (const p of plans) {
      const byId = new Map(p.plan.steps.map((s) => [s.id, s]));
      const reaches = reachability(p.plan);
      for (const s of p.plan.steps) {
        if (!s.temporary) continue;
        changes++;
        const undo = byId.get(s.temporary.undoneBy);
        expect(undo?.undoes, `${label(p)} step ${s.id}`).toBe(s.id);
        expect(reaches(s.id, undo!.id), `${label(p)}: ${undo!.id} may run before ${s.id}`).toBe(true);
        expect(undo!.kind).toBe(s.kind);
      }
    }
    // telegraf in every full and OS/K8s upgrade, and Strimzi's pause in every OS/K8s upgrade.
    expect(changes).toBe(3 + 3 * 2);
  });

  it("scales telegraf back to 1, removes the pause annotation and sets FORWARD again", () => {
    for (const p of plans) {
      const byId = new Map(p.plan.steps.map((s) => [s.id, s]));
      for (const s of p.plan.steps) {
        if (!s.temporary) continue;
        const undo = byId.get(s.temporary.undoneBy)!;
        if (s.kind === "k8s-scale" && undo.kind === "k8s-scale") {
          expect([s.replicas, undo.replicas], label(p)).toEqual([0, 1]);
          expect(undo.selector).toBe("app.kubernetes.io/name=sasquatch-telegraf");
        } else if (s.kind === "k8s-annotate" && undo.kind === "k8s-annotate") {
          expect([s.key, s.value, undo.value], label(p)).toEqual([
            "strimzi.io/pause-reconciliation",
            "true",
            null,
          ]);
        } else throw new Error(`${label(p)}: unexpected temporary change ${s.kind}`);
      }
    }
  });

  it("leaves no change of the kinds that need undoing without its pair", () => {
    for (const p of plans)
      for (const s of p.plan.steps) {
        const lasting =
          (s.kind === "k8s-scale" && s.replicas === 0) ||
          (s.kind === "registry-set-compatibility" && s.level === "NONE") ||
          (s.kind === "k8s-annotate" && s.value !== null);
        if (lasting) expect(s.temporary, `${label(p)} step ${s.id}`).toBeDefined();
      }
  });
});
