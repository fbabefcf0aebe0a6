import type { Plan, PlanSite } from "../../../src/ir/schema.js";
import { PlanBuilder } from "../plan-builder.js";

/**
 * A small plan at a test stand that holds one step of every kind the IR has (and the optional fields
 * the Summit plan does not use: retries, every `onTimeout`, `confirm`, a host with user and port, a
 * notification without a channel, annotations set and removed), a phase without a closing checkpoint,
 * no parameters and no rules. It exercises every branch of the emitters.
 */
export const testStandSite: PlanSite = {
  name: "tts",
  title: "Tucson Test Stand",
  kubernetes: { context: "pillan" },
  love: ["https://tucson-teststand.lsst.codes/love"],
  slack: "#tucson-teststand",
  apps: [],
  cscs: [],
  hosts: [
    { name: "tel-hw1", address: "tel-hw1.tu.lsst.org", roles: ["bare-metal"], user: "root", port: 2222 },
  ],
};

export function everyKind(): Plan {
  const b = new PlanBuilder({
    procedure: { name: "every-kind", title: "Every kind of step" },
    site: testStandSite,
    file: "test/every-kind.dpl",
  });
  b.phase({ name: "all", title: "All the kinds", by: "deployment lead" }, (p) => {
    p.step("script", {
      title: "Run the housekeeping script",
      script: "maintel_housekeeping.py",
      queue: "ScriptQueue:1",
      config: {
        nested: { list: [1, 2, { deep: "yes" }], empty: {} },
        flag: true,
        text: "a: b # not a comment",
      },
    });
    p.step("csc-transition", {
      title: "Send ATDome to STANDBY",
      state: "STANDBY",
      script: "set_summary_state.py",
      queue: "ScriptQueue:2",
      cscs: ["ATDome"],
      config: { data: [["ATDome", "STANDBY"]] },
      ignored: [],
    });
    p.step("k8s-delete-jobs", {
      title: "Delete the ATDome job",
      namespace: "auxtel",
      selector: "csc-class=atdome",
    });
    p.step("k8s-delete-jobs", { title: "Delete every job in obssys", namespace: "obssys" });
    p.step("k8s-annotate", {
      title: "Pause Strimzi reconciliation",
      resource: { group: "kafka.strimzi.io", version: "v1beta2", plural: "kafkas", kind: "Kafka" },
      namespace: "sasquatch",
      resourceName: "sasquatch",
      key: "strimzi.io/pause-reconciliation",
      value: "true",
      temporary: "strimzi",
    });
    p.step("k8s-wait-ready", {
      title: "Wait for the deployments",
      resource: "deployments",
      namespace: "obssys",
      selector: "app=watcher",
      timeoutSeconds: 300,
      onTimeout: { kind: "continue" },
      retries: 2,
    });
    p.step("k8s-annotate", {
      title: "Resume Strimzi reconciliation",
      resource: { group: "", version: "v1", plural: "configmaps", kind: "ConfigMap" },
      namespace: "sasquatch",
      resourceName: "sasquatch",
      key: "strimzi.io/pause-reconciliation",
      value: null,
      undo: "strimzi",
    });
    p.step("registry-check-compatibility", { title: "Check the registry", level: "FORWARD" });
    p.step("wait", {
      title: "Wait an hour and a half",
      seconds: 5400,
      expectedSeconds: 5400,
      timeoutSeconds: 7200,
      onTimeout: { kind: "fail" },
    });
  });
  b.phase({ name: "people", title: "People", mode: "do-confirm", checkpoint: false }, (p) => {
    p.step("command", {
      title: "Restart the CSCs on tel-hw1",
      argv: ["systemctl", "restart", "ts-*.service"],
      host: testStandSite.hosts[0]!,
      confirm: "Is anyone still using tel-hw1?",
    });
    p.step("notify", { title: "Tell the test stand", message: "Done." });
    p.step("manual", { title: "Look at the dome", text: "Look at the dome.", critical: true });
  });
  return b.build();
}
