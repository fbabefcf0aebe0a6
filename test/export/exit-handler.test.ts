import { describe, expect, it } from "vitest";
import { EXIT_TEMPLATE } from "../../src/emit/argo-exit.js";
import type { Plan } from "../../src/ir/schema.js";
import { PlanBuilder } from "../support/plan-builder.js";
import { testStandSite } from "../support/plans/every-kind.js";
import { exported, template } from "./support.js";
import { evaluateWhen } from "./when.js";

/**
 * The exit handler undoes a temporary change when the workflow fails after the change took effect and
 * before its undo ran, and only then. Its `when`s are evaluated here as Argo does: the global outputs that
 * the change and undo steps set, and the workflow's status.
 */

function pairedPlan(): Plan {
  const b = new PlanBuilder({ procedure: { name: "paired", title: "Paired changes" }, site: testStandSite });
  b.phase({ name: "change", title: "Change", checkpoint: false }, (p) => {
    p.step("k8s-scale", {
      title: "Scale telegraf to 0",
      namespace: "sasquatch",
      selector: "app=telegraf",
      replicas: 0,
      temporary: "telegraf",
    });
    p.step("registry-set-compatibility", {
      title: "Set compatibility NONE",
      level: "NONE",
      temporary: "compat",
    });
    p.step("manual", { title: "Mute the alarms", text: "Mute the alarms in LOVE", temporary: "alarms" });
  });
  b.phase({ name: "restore", title: "Restore", checkpoint: false }, (p) => {
    p.step("argocd-sync", { title: "Sync love", app: "love" });
    p.step("registry-set-compatibility", {
      title: "Set compatibility FORWARD",
      level: "FORWARD",
      undo: "compat",
    });
    p.step("k8s-scale", {
      title: "Scale telegraf to 1",
      namespace: "sasquatch",
      selector: "app=telegraf",
      replicas: 1,
      undo: "telegraf",
    });
    p.step("manual", { title: "Unmute the alarms", text: "Unmute the alarms in LOVE", undo: "alarms" });
  });
  return b.build();
}

const out = (step: string) => `workflow.outputs.parameters.plan-outcome-${step}`;

describe("the exit handler", () => {
  const { workflow } = exported(pairedPlan());
  const exit = template(workflow, EXIT_TEMPLATE);
  const task = (undo: string) => exit.dag!.tasks.find((t) => t.name === `undo-step-${undo}`)!;
  const undoes = (undo: string, vars: Record<string, string>) => evaluateWhen(task(undo).when!, vars);

  it("is the workflow's onExit, with one task per pair running the undo step's own template", () => {
    expect(workflow.spec.onExit).toBe(EXIT_TEMPLATE);
    expect(exit.dag!.tasks.map((t) => [t.name, t.template])).toEqual([
      ["undo-step-2-2", "step-2-2"],
      ["undo-step-2-3", "step-2-3"],
      ["undo-step-2-4", "step-2-4"],
    ]);
  });

  it("keeps the plan's order among the undos", () => {
    expect(task("2-2").dependencies).toBeUndefined();
    expect(task("2-3").dependencies).toEqual(["undo-step-2-2"]);
    expect(task("2-4").dependencies).toEqual(["undo-step-2-3"]);
  });

  it("makes the change and undo steps report how they went, as global outputs", () => {
    const outputs = (name: string) => template(workflow, name).outputs!.parameters.map((p) => p.globalName);
    expect(outputs("step-1-1")).toEqual(["plan-outcome-1-1"]);
    expect(outputs("step-2-3")).toEqual(["plan-outcome-2-3"]);
    expect(outputs("step-1-3")).toEqual(["plan-outcome-1-3", undefined]);
    expect(outputs("step-2-1")).toEqual([undefined]);
  });

  it("does nothing when the workflow succeeded", () => {
    expect(undoes("2-3", { "workflow.status": "Succeeded", [out("1-1")]: "done" })).toBe(false);
  });

  it("undoes a change that took effect, when the workflow failed or was stopped before the undo", () => {
    for (const status of ["Failed", "Error"]) {
      expect(undoes("2-3", { "workflow.status": status, [out("1-1")]: "done" })).toBe(true);
    }
  });

  it("undoes a change that started and failed or was cut off: it may have changed the site in part", () => {
    expect(undoes("2-3", { "workflow.status": "Failed", [out("1-1")]: "failed" })).toBe(true);
    expect(undoes("2-3", { "workflow.status": "Failed", [out("1-1")]: "started" })).toBe(true);
  });

  it("leaves alone a change that never ran, never started, or was skipped", () => {
    expect(undoes("2-3", { "workflow.status": "Failed" })).toBe(false);
    expect(undoes("2-3", { "workflow.status": "Failed", [out("1-1")]: "not-started" })).toBe(false);
    expect(undoes("2-3", { "workflow.status": "Failed", [out("1-1")]: "skipped" })).toBe(false);
  });

  it("does not undo twice, nor against the operator's skip", () => {
    expect(undoes("2-3", { "workflow.status": "Failed", [out("1-1")]: "done", [out("2-3")]: "done" })).toBe(
      false,
    );
    expect(
      undoes("2-3", { "workflow.status": "Failed", [out("1-1")]: "done", [out("2-3")]: "skipped" }),
    ).toBe(false);
    // An undo that failed in the workflow is tried again on the way out.
    expect(undoes("2-3", { "workflow.status": "Failed", [out("1-1")]: "done", [out("2-3")]: "failed" })).toBe(
      true,
    );
  });

  it("reads a manual change's answer: done is undone, skip is not", () => {
    expect(undoes("2-4", { "workflow.status": "Failed", [out("1-3")]: "done" })).toBe(true);
    expect(undoes("2-4", { "workflow.status": "Failed", [out("1-3")]: "skip" })).toBe(false);
    expect(undoes("2-4", { "workflow.status": "Failed", [out("1-3")]: "done", [out("2-4")]: "done" })).toBe(
      false,
    );
    expect(undoes("2-4", { "workflow.status": "Failed", [out("1-3")]: "done", [out("2-4")]: "skip" })).toBe(
      false,
    );
  });

  it("treats each pair on its own", () => {
    const vars = { "workflow.status": "Failed", [out("1-1")]: "done", [out("1-2")]: "not-started" };
    expect(undoes("2-3", vars)).toBe(true);
    expect(undoes("2-2", vars)).toBe(false);
  });

  it("is left out of a plan without temporary changes", () => {
    const b = new PlanBuilder({ procedure: { name: "plain", title: "Plain" }, site: testStandSite });
    b.phase({ name: "one", title: "One" }, (p) => p.step("wait", { title: "Wait", seconds: 1 }));
    const { workflow: plain } = exported(b.build());
    expect(plain.spec.onExit).toBeUndefined();
    expect(plain.spec.templates.map((t) => t.name)).not.toContain(EXIT_TEMPLATE);
  });
});

describe("the evaluator of `when`s", () => {
  it("follows Argo: unknown variables stay as written, strings compare, && and || combine", () => {
    expect(evaluateWhen("'{{a}}' == 'x'", { a: "x" })).toBe(true);
    expect(evaluateWhen("'{{a}}' == 'x'", {})).toBe(false);
    expect(evaluateWhen("'{{a}}' != 'x'", {})).toBe(true);
    expect(evaluateWhen("('a' == 'b' || 'c' == 'c') && 'd' != 'e'", {})).toBe(true);
    expect(() => evaluateWhen("a == b", {})).toThrow();
  });
});
