import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { RunAborted, type StepContext, StepFailure } from "../../src/runtime/executor.js";
import { manualExecutor, notifyExecutor } from "../../src/runtime/executors/manual.js";
import { operatorExecutors } from "../../src/runtime/executors/operator.js";
import { CONFIG_LABEL, cscTransitionExecutor, scriptExecutor } from "../../src/runtime/executors/script.js";
import { scriptConfigYaml } from "../../src/runtime/executors/script-config.js";
import { checkpointExecutor, waitExecutor } from "../../src/runtime/executors/wait.js";
import { RecordingOperator, testContext, testPlan, testSite, testStep } from "./context.js";

const SOURCE = { file: "plans/summit.dpl", line: 3, column: 5 };

const shutdown = testStep("csc-transition", {
  id: "1.2",
  title: "Send every CSC to OFFLINE",
  state: "OFFLINE",
  script: "system_wide_shutdown.py",
  queue: "ScriptQueue:1",
  cscs: ["Watcher", "ATDome", "MTMount"],
  config: {
    user: "Deployment lead",
    reason: "Cycle upgrade",
    start_with: ["Watcher"],
    ignore: ["MTM1M3", "MTM1M3TS"],
  },
  ignored: [
    { csc: "MTM1M3TS", keep: "ENABLED", reason: "keeps the mirror thermal system running" },
    { csc: "MTM1M3", keep: "DISABLED" },
  ],
  admonitions: [
    { level: "important", text: "Switch M2 to closed loop from the EUI first.", source: SOURCE },
    { level: "warning", text: "The Watcher must come down first.", source: SOURCE },
  ],
  critical: true,
  check: "every CSC but the ignored ones is OFFLINE in the Summary state view",
});

const queuesOffline = testStep("script", {
  id: "1.3",
  title: "Send the ScriptQueues to OFFLINE",
  script: "set_summary_state.py",
  queue: "ScriptQueue:1",
  config: {
    mute_alarms: false,
    data: [
      ["ScriptQueue:3", "OFFLINE"],
      ["ScriptQueue:2", "OFFLINE"],
      ["ScriptQueue:1", "OFFLINE"],
    ],
  },
});

const SHUTDOWN_YAML = [
  "ignore: [MTM1M3, MTM1M3TS]",
  "reason: Cycle upgrade",
  "start_with: [Watcher]",
  "user: Deployment lead",
].join("\n");

const QUEUES_YAML = [
  "data:",
  "  - [ScriptQueue:3, OFFLINE]",
  "  - [ScriptQueue:2, OFFLINE]",
  "  - [ScriptQueue:1, OFFLINE]",
  "mute_alarms: false",
].join("\n");

describe("script configurations as YAML", () => {
  it("writes the configuration as the procedures do, keys sorted, whatever order they came in", () => {
    expect(scriptConfigYaml(queuesOffline.config)).toBe(QUEUES_YAML);
    const reordered = Object.fromEntries(Object.entries(shutdown.config).reverse());
    expect(scriptConfigYaml(reordered)).toBe(SHUTDOWN_YAML);
  });

  it("quotes what the scripts' YAML 1.1 parser would read as something else, and reads back the same", () => {
    const config = {
      user: "yes",
      reason: "1:20",
      note: "on",
      code: "007",
      empty: "",
      nested: { list: [1, "x"] },
    };
    const text = scriptConfigYaml(config);
    expect(text).toContain('user: "yes"');
    expect(text).toContain('reason: "1:20"');
    expect(parse(text, { version: "1.1" })).toEqual(config);
  });
});

describe("csc-transition", () => {
  it("asks with the admonitions first, then the queue, LOVE, the exact YAML, the CSC order and the ignore list", async () => {
    const plan = testPlan([shutdown]);
    const t = testContext({ plan });
    expect(await cscTransitionExecutor.run(shutdown, t.ctx)).toEqual({
      status: "done",
      summary: "done by tester",
    });
    expect(t.operator.questions).toHaveLength(1);
    const q = t.operator.questions[0]!;
    expect(q.stepId).toBe("1.2");
    expect(q.title).toBe("Send every CSC to OFFLINE");
    expect(q.choices).toEqual(["done", "skip", "abort"]);
    expect(q.details).toEqual([
      "IMPORTANT: Switch M2 to closed loop from the EUI first.",
      "WARNING: The Watcher must come down first.",
      "CRITICAL: dangerous to skip or get wrong",
      "Where: LOVE at https://summit-lsp.lsst.codes/love (or http://love01.cp.lsst.org)",
      "Queue: MTQueue (ScriptQueue:1)",
      "Script: system_wide_shutdown.py",
      CONFIG_LABEL,
      SHUTDOWN_YAML,
      "CSCs going to OFFLINE, in this order:",
      "1. Watcher\n2. ATDome\n3. MTMount",
      "Leave these alone (the ignore list):",
      "MTM1M3TS: keep it ENABLED (keeps the mirror thermal system running)",
      "MTM1M3: keep it DISABLED",
      "Then check: every CSC but the ignored ones is OFFLINE in the Summary state view",
    ]);
    expect(parse(q.details[q.details.indexOf(CONFIG_LABEL) + 1]!)).toEqual(shutdown.config);
    expect(t.logs).toEqual(["tester answered: done"]);
  });

  it("says there is no ignore list when there is none, and names ATQueue and OCSQueue", async () => {
    for (const [queue, label] of [
      ["ScriptQueue:2", "ATQueue (ScriptQueue:2)"],
      ["ScriptQueue:3", "OCSQueue (ScriptQueue:3)"],
    ] as const) {
      const step = { ...shutdown, queue, ignored: [], admonitions: [], critical: false };
      const t = testContext({
        plan: testPlan([step], testSite({ name: "tts", love: ["https://tts/love"] })),
      });
      await cscTransitionExecutor.run(step, t.ctx);
      const details = t.operator.questions[0]!.details;
      expect(details).toContain(`Queue: ${label}`);
      expect(details).toContain("Where: LOVE at https://tts/love");
      expect(details).toContain("Ignore list: none: every CSC above changes state");
    }
  });

  it("describes what the operator will do, for a dry run", () => {
    expect(cscTransitionExecutor.describe(shutdown, testSite())).toEqual([
      "run system_wide_shutdown.py on MTQueue (ScriptQueue:1) from LOVE at https://summit-lsp.lsst.codes/love (or http://love01.cp.lsst.org) with this configuration:",
      SHUTDOWN_YAML,
      "CSCs to OFFLINE, in order: Watcher, ATDome, MTMount",
      "ignored: MTM1M3TS (keeps ENABLED), MTM1M3 (keeps DISABLED)",
    ]);
  });
});

describe("script", () => {
  it("asks with the queue, where to run it and the exact YAML", async () => {
    const t = testContext({ plan: testPlan([queuesOffline]) });
    await scriptExecutor.run(queuesOffline, t.ctx);
    expect(t.operator.questions[0]!.details).toEqual([
      "Where: LOVE at https://summit-lsp.lsst.codes/love (or http://love01.cp.lsst.org)",
      "Queue: MTQueue (ScriptQueue:1)",
      "Script: set_summary_state.py",
      CONFIG_LABEL,
      QUEUES_YAML,
    ]);
  });

  it("says so when the site gives no LOVE address", async () => {
    const t = testContext({ plan: testPlan([queuesOffline], testSite({ love: [] })) });
    await scriptExecutor.run(queuesOffline, t.ctx);
    expect(t.operator.questions[0]!.details[0]).toBe(
      "Where: LOVE of Summit (Cerro Pachon) (the site file gives no LOVE address)",
    );
  });
});

describe("the operator's answers", () => {
  const step = testStep("manual", {
    text: "Stop the camera bridges.",
    command: "sudo systemctl stop ocs-bridge",
  });

  it("skip is skipped with the operator's reason", async () => {
    const operator = new RecordingOperator([
      { answer: "skip", reason: "the bridge is already down", by: "ana" },
    ]);
    const t = testContext({ operator });
    expect(await manualExecutor.run(step, t.ctx)).toEqual({
      status: "skipped",
      reason: "the bridge is already down",
    });
    expect(t.logs).toEqual(["ana answered: skip (the bridge is already down)"]);
  });

  it("abort ends the run with the reason", async () => {
    const abort = () =>
      new RecordingOperator([{ answer: "abort", reason: "M2 is not in closed loop", by: "ana" }]);
    const runs = [
      (ctx: StepContext) => manualExecutor.run(step, ctx),
      (ctx: StepContext) => scriptExecutor.run(queuesOffline, ctx),
      (ctx: StepContext) => cscTransitionExecutor.run(shutdown, ctx),
      (ctx: StepContext) => notifyExecutor.run(testStep("notify", { message: "Starting." }), ctx),
    ];
    for (const run of runs) {
      const failure = await run(testContext({ operator: abort() }).ctx).catch((e) => e);
      expect(failure).toBeInstanceOf(RunAborted);
      expect(failure.reason).toBe("M2 is not in closed loop");
    }
  });

  it("an answer that was not offered is a failure, not a done", async () => {
    const t = testContext({ operator: new RecordingOperator([{ answer: "yes", by: "ana" }]) });
    await expect(manualExecutor.run(step, t.ctx)).rejects.toThrow(StepFailure);
  });

  it("a manual step shows its text and the command to run by hand", async () => {
    const t = testContext();
    await manualExecutor.run(
      { ...step, url: "https://summit-lsp.lsst.codes/love", by: "camera team" },
      t.ctx,
    );
    expect(t.operator.questions[0]!.details).toEqual([
      "Stop the camera bridges.",
      "Run by hand: sudo systemctl stop ocs-bridge",
      "Open: https://summit-lsp.lsst.codes/love",
      "Who: camera team",
    ]);
    expect(manualExecutor.describe(step, testSite())).toEqual([
      "ask the operator: Stop the camera bridges.",
      "by hand: sudo systemctl stop ocs-bridge",
    ]);
  });
});

describe("notify", () => {
  it("posts in the site's Slack channel by default, the message exactly", async () => {
    const message = "Stopping the control system for the upgrade to c0044.\nNo one touches anything.";
    const step = testStep("notify", { message });
    const t = testContext();
    await notifyExecutor.run(step, t.ctx);
    expect(t.operator.questions[0]!.details).toEqual([
      "Post in #summit-announce this message, as it is:",
      message,
    ]);
    expect(notifyExecutor.describe(step, testSite())).toEqual([`notify #summit-announce: ${message}`]);
  });

  it("uses the step's own channel when it names one, and says when there is none", async () => {
    const t = testContext();
    await notifyExecutor.run(testStep("notify", { channel: "#summit-simonyitel", message: "Ready." }), t.ctx);
    expect(t.operator.questions[0]!.details[0]).toBe("Post in #summit-simonyitel this message, as it is:");
    const bare = testContext({ plan: testPlan([], testSite({ slack: undefined })) });
    await notifyExecutor.run(testStep("notify", { message: "Ready." }), bare.ctx);
    expect(bare.operator.questions[0]!.details[0]).toMatch(/name no channel/);
  });
});

describe("wait", () => {
  it("waits the whole delay on the runtime's clock, showing what is left", async () => {
    const step = testStep("wait", { seconds: 5 });
    const t = testContext();
    const start = t.clock.now();
    expect(await waitExecutor.run(step, t.ctx)).toEqual({ status: "done", summary: "waited 5s" });
    expect(t.clock.now() - start).toBe(5000);
    expect(t.progress.map((p) => p.remainingMs)).toEqual([5000, 4000, 3000, 2000, 1000, 0]);
    expect(t.progress.at(-1)).toEqual({
      what: "wait of 5s",
      current: "5s waited",
      target: "5s",
      remainingMs: 0,
    });
    expect(t.operator.questions).toEqual([]);
    expect(waitExecutor.describe(step, testSite())).toEqual(["wait 5s"]);
  });

  it("stops when the run is stopped", async () => {
    const t = testContext();
    const reason = new Error("stopped by the operator");
    let ticks = 0;
    const ctx = {
      ...t.ctx,
      progress: () => {
        if (++ticks === 3) t.controller.abort(reason);
      },
    };
    await expect(waitExecutor.run(testStep("wait", { seconds: 600 }), ctx)).rejects.toBe(reason);
    expect(t.clock.sleeps.length).toBeLessThan(5);
  });
});

describe("checkpoint", () => {
  it("logs that the phase is complete and asks nothing", async () => {
    const step = testStep("checkpoint", {
      id: "1.end",
      phase: "shutdown",
      phaseTitle: "Shutting down the Control System",
    });
    const t = testContext({ plan: testPlan([step]) });
    const result = await checkpointExecutor.run(step, t.ctx);
    expect(result).toEqual({
      status: "done",
      summary: "phase 1, Shutting down the Control System, is complete",
    });
    expect(t.logs).toEqual(["phase 1, Shutting down the Control System, is complete"]);
    expect(t.operator.questions).toEqual([]);
  });
});

describe("the registry of operator executors", () => {
  it("has one executor per operator-facing kind, under its own kind", () => {
    for (const [kind, executor] of Object.entries(operatorExecutors)) expect(executor.kind).toBe(kind);
    expect(Object.keys(operatorExecutors).sort()).toEqual([
      "checkpoint",
      "csc-transition",
      "manual",
      "notify",
      "script",
      "wait",
    ]);
  });
});
