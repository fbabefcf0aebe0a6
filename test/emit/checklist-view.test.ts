import { describe, expect, it } from "vitest";
import { checklistView } from "../../src/emit/checklist-view.js";
import { sealPlan } from "../../src/ir/plan.js";
import type { Plan } from "../../src/ir/schema.js";
import { PlanBuilder } from "../support/plan-builder.js";
import { everyKind } from "../support/plans/every-kind.js";
import { summitFullUpgrade, summitSite } from "../support/plans/summit-full-upgrade.js";

/** A plan changed by hand and sealed again (the view does not check hashes; the plan reader does). */
function edited(plan: Plan, change: (draft: Omit<Plan, "hash">) => void): Plan {
  const { hash: _old, ...draft } = structuredClone(plan);
  change(draft);
  return sealPlan(draft);
}

describe("the checklist view", () => {
  it("closes each phase with its checkpoint as the sign-off, or with a sign-off of its own", () => {
    const view = checklistView(everyKind());
    expect(view.phases[0]!.signoff).toEqual({ key: "1.end", id: "1.end", label: "PHASE 1 COMPLETE" });
    expect(view.phases[0]!.steps.map((s) => s.id)).not.toContain("1.end");
    expect(view.phases[1]!.signoff).toEqual({ key: "phase-2-complete", label: "PHASE 2 COMPLETE" });
  });

  it("lists a phase's steps in the plan's order, which the rules shaped, not in the order written", () => {
    const plan = edited(summitFullUpgrade(), (p) => {
      const phase = p.phases[0]!;
      phase.steps = [...phase.steps].reverse();
    });
    expect(checklistView(plan).phases[0]!.steps.map((s) => s.id)).toEqual([
      "1.1",
      "1.2",
      "1.3",
      "1.4",
      "1.5",
    ]);
  });

  it("refuses a plan that lists a step in a phase after that phase's sign-off", () => {
    const plan = edited(summitFullUpgrade(), (p) => {
      p.phases[1]!.steps.push("5.3");
      p.phases[4]!.steps = p.phases[4]!.steps.filter((id) => id !== "5.3");
    });
    expect(() => checklistView(plan)).toThrow(
      "step 5.3 is listed in phase 2 (cleanup) but runs after its sign-off 2.end",
    );
  });

  it("refuses a phase that names a step the plan does not have", () => {
    const plan = edited(everyKind(), (p) => p.phases[0]!.steps.push("9.9"));
    expect(() => checklistView(plan)).toThrow("the plan's phase lists step 9.9, which it does not define");
  });

  it("lists only the hosts that a step runs a command on", () => {
    expect(checklistView(summitFullUpgrade()).hosts.map((h) => h.name)).toEqual([
      "auxtel-mcm",
      "comcam-mcm",
      "lsstcam-mcm",
    ]);
  });

  it("groups the states to expect, and says when only heartbeats tell", () => {
    const b = new PlanBuilder({ procedure: { name: "p", title: "P" }, site: summitSite });
    const many = Array.from({ length: 10 }, (_, i) => ({
      csc: `ESS:${100 + i}`,
      state: "STANDBY" as const,
      heartbeatOnly: false,
    }));
    b.phase({ name: "x", title: "X" }, (p) => {
      p.step("csc-states", {
        title: "Check",
        expect: [
          ...many,
          { csc: "MTVMS:1", state: "OFFLINE", heartbeatOnly: true },
          { csc: "MTVMS:2", state: "STANDBY", heartbeatOnly: true },
        ],
      });
    });
    const details = checklistView(b.build()).phases[0]!.steps[0]!.details;
    expect(details).toEqual([
      {
        list: {
          label: [{ text: "Expect STANDBY (11):" }],
          items: [...many.map((m) => [{ text: m.csc }]), [{ text: "MTVMS:2" }]],
          compact: true,
        },
      },
      {
        list: {
          label: [{ text: "Expect no heartbeats from these (they never report OFFLINE themselves):" }],
          items: [[{ code: "MTVMS:1" }]],
        },
      },
    ]);
  });

  it("does not repeat the first sentence of a manual step's text that is its title", () => {
    const step = checklistView(everyKind()).phases[1]!.steps.find((s) => s.id === "2.3")!;
    expect(step.details).toEqual([]);
  });
});
