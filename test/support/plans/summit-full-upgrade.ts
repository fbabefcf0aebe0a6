import type { Plan, PlanSite } from "../../../src/ir/schema.js";
import { PlanBuilder } from "../plan-builder.js";

/**
 * A plan shaped like the Summit full upgrade of the newer source procedure (`001`), built by hand until the
 * compiler writes the real one: five phases (shut down, clean up, configurations, deploy, verify), script
 * configurations, commands on the camera hosts, Kafka lag waits, Argo CD syncs with "LOVE last", manual
 * steps with admonitions, critical steps, rule edges, and two temporary changes with their undo steps.
 */

/** The Summit as `sites.yaml` describes it (a subset of its hosts). */
export const summitSite: PlanSite = {
  name: "summit",
  title: "Summit (Cerro Pachon)",
  kubernetes: { context: "yagan", kubeconfig: "~/.kube/yagan.yaml" },
  argocd: { url: "https://summit-lsp.lsst.codes/argo-cd", tokenEnv: "ARGOCD_AUTH_TOKEN" },
  kafka: { bootstrap: ["sasquatch-summit-kafka-bootstrap.lsst.codes:9094"], toolsSite: "summit" },
  schemaRegistry: { url: "http://sasquatch-schema-registry.sasquatch:8081" },
  efd: { url: "https://summit-lsp.lsst.codes/influxdb-enterprise-data", database: "efd" },
  love: ["https://summit-lsp.lsst.codes/love", "http://love01.cp.lsst.org"],
  chronograf: "https://chronograf-summit-efd.lsst.codes/",
  nublado: "https://summit-lsp.lsst.codes/",
  slack: "#summit-announce",
  apps: [
    { name: "science-platform", namespace: "argocd" },
    { name: "nublado", namespace: "nublado" },
    { name: "sasquatch", namespace: "sasquatch" },
    ...["auxtel", "control-system-test", "love", "obssys", "simonyitel"].map((name) => ({
      name,
      project: "telescope",
      namespace: name,
    })),
  ],
  cscs: [],
  hosts: [
    {
      name: "auxtel-mcm",
      address: "auxtel-mcm.cp.lsst.org",
      roles: ["camera-mcm"],
      service: "ats-ocs-bridge.service",
    },
    {
      name: "comcam-mcm",
      address: "comcam-mcm.cp.lsst.org",
      roles: ["camera-mcm"],
      service: "comcam-ocs-bridge.service",
    },
    {
      name: "lsstcam-mcm",
      address: "lsstcam-mcm.cp.lsst.org",
      roles: ["camera-mcm"],
      service: "ocs-bridge.service",
    },
    { name: "azar03", address: "azar03.cp.lsst.org", roles: ["bare-metal"], user: "saluser" },
  ],
};

/** The CSCs that `system_wide_shutdown.py` brings down at the Summit (all but the Watcher, the queues and the ignored). */
export const summitShutdownCscs =
  "ATAOS ATBuilding ATCamera ATDome ATDomeTrajectory ATHeaderService ATHexapod ATMCS ATOODS ATPneumatics ATPtg ATSpectrograph PMD:1 CCCamera CCHeaderService CCOODS GCHeaderService:101 GCHeaderService:102 GCHeaderService:103 GenericCamera:101 GenericCamera:102 GenericCamera:103 LaserTracker:1 MTAirCompressor:1 MTAirCompressor:2 MTAOS MTCamera MTDome MTDomeTrajectory MTHeaderService MTHexapod:1 MTHexapod:2 MTM2 MTMount MTOODS MTPtg MTRotator MTVMS:1 MTVMS:2 MTVMS:3 WFOODS GIS Scheduler:1 Scheduler:2 Scheduler:3 ATMonochromator ATWhiteLight CBP Electrometer:101 Electrometer:102 Electrometer:103 Electrometer:201 FiberSpectrograph:3 FiberSpectrograph:101 FiberSpectrograph:102 GCHeaderService:1 GenericCamera:1 LEDProjector LinearStage:101 LinearStage:102 LinearStage:103 LinearStage:104 MTReflector TunableLaser DIMM:1 DIMM:2 DREAM DSM:1 DSM:2 EAS ESS:104 ESS:105 ESS:106 ESS:109 ESS:110 ESS:111 ESS:112 ESS:113 ESS:114 ESS:115 ESS:116 ESS:117 ESS:121 ESS:122 ESS:123 ESS:124 ESS:125 ESS:126 ESS:127 ESS:128 ESS:129 ESS:201 ESS:202 ESS:204 ESS:301 ESS:302 ESS:303 ESS:304 ESS:305 ESS:306 ESS:308 ESS:309 ESS:310 ESS:311 ESS:404 ESS:405 ESS:441 ESS:442 ESS:443 HVAC WeatherForecast OCPS:1 OCPS:2 OCPS:3 OCPS:101 Test:42".split(
    " ",
  );

summitSite.cscs = [
  "Watcher",
  ...summitShutdownCscs,
  "MTM1M3",
  "MTM1M3TS",
  "ScriptQueue:1",
  "ScriptQueue:2",
  "ScriptQueue:3",
].map((id) => ({
  id,
  simulator: false,
  starts: /^(ScriptQueue|WeatherForecast|HVAC)/.test(id) ? ("ENABLED" as const) : ("STANDBY" as const),
  heartbeatOnly: id.startsWith("MTVMS"),
}));

const telegraf = "app.kubernetes.io/name=sasquatch-telegraf";
const registryNote =
  "Some changes break schema compatibility: old messages left in a topic then do not match the new schemas, and the love-producers and telegraf connectors fail to start. Let them finish consuming first.";

export function summitFullUpgrade(): Plan {
  const b = new PlanBuilder({
    procedure: { name: "full-upgrade", title: "Full upgrade of the control system" },
    site: summitSite,
    params: {
      breaks_schema: { type: "bool", value: true, default: false },
      user: { type: "string", value: "deployment lead", default: true },
    },
    file: "plans/full-upgrade.dpl",
  });
  b.admonition(
    "attention",
    "As the person running the deployment, you have absolute control over the system to complete this process. No one should do anything without your express consent.",
  )
    .admonition(
      "important",
      "Upgrading systems which are controlling hardware, especially the camera CCD, cold, cryo and vacuum systems, needs to be done with care and should be coordinated with the hardware/software experts for those systems.",
    )
    .ignore("MTM1M3TS", "ENABLED", "keeps the mirror's thermal system running; will be fixed at some point")
    .ignore("MTM1M3", "DISABLED", "stays DISABLED with its thermal system ENABLED");
  b.rule("watcher-first", "The Watcher goes OFFLINE before every other CSC.", {
    because: "to avoid a flurry of alarms going off",
  })
    .rule("scriptqueues-last", "The ScriptQueues go OFFLINE after every other CSC.")
    .rule(
      "runner-queue-last",
      "The ScriptQueue that runs the script goes OFFLINE last among the ScriptQueues.",
      {
        events: 3,
      },
    )
    .rule("love-last", "LOVE is synced after every other application of the telescope project.", {
      because: "otherwise some love-producers might not come up properly",
    });

  let watcher = "";
  let shutdown = "";
  let queues = "";
  b.phase({ name: "shutdown", title: "Shut down the control system", by: "deployment lead" }, (p) => {
    p.step("manual", {
      title: "Switch M2 to closed-loop control from the EUI",
      text: "Ask for help in #summit-simonyitel or #summit-control-room beforehand.",
      by: "Simonyi telescope team",
      check: "The M2 EUI shows closed-loop control.",
      critical: true,
      cite: ["001/Important M2"],
      admonitions: [
        {
          level: "important",
          text: "Before shutting down the control system, M2 must be in closed-loop control, or it will fall out of closed loop when its CSC goes down.",
        },
      ],
    });
    watcher = p.step("csc-transition", {
      title: "Send the Watcher to OFFLINE",
      state: "OFFLINE",
      script: "set_summary_state.py",
      queue: "ScriptQueue:1",
      cscs: ["Watcher"],
      config: { data: [["Watcher", "OFFLINE"]], mute_alarms: false },
      ignored: [],
      critical: true,
      check: "LOVE summary state view: the Watcher is OFFLINE.",
      cite: ["001/1"],
    });
    shutdown = p.step("csc-transition", {
      title: "Send every other CSC to OFFLINE with system_wide_shutdown.py",
      state: "OFFLINE",
      script: "system_wide_shutdown.py",
      queue: "ScriptQueue:1",
      cscs: summitShutdownCscs,
      config: {
        user: "deployment lead",
        reason: "Cycle upgrade",
        ignore: ["MTM1M3", "MTM1M3TS"],
        start_with: [],
        end_with: [],
      },
      ignored: [
        { csc: "MTM1M3", keep: "DISABLED", reason: "stays DISABLED with its thermal system ENABLED" },
        { csc: "MTM1M3TS", keep: "ENABLED", reason: "keeps the mirror's thermal system running" },
      ],
      check:
        "LOVE summary state view and the Chronograf summary state monitors: everything OFFLINE but the ignored CSCs.",
      timeoutSeconds: 1800,
      expectedSeconds: 900,
      cite: ["001/1"],
    });
    p.step("csc-states", {
      title: "Check that the VMSs stopped sending heartbeats",
      expect: ["MTVMS:1", "MTVMS:2", "MTVMS:3"].map((csc) => ({
        csc,
        state: "OFFLINE" as const,
        heartbeatOnly: true,
      })),
      check: "Chronograf Heartbeats: no heartbeat from MTVMS:1, MTVMS:2 or MTVMS:3 for 60 s.",
      url: "https://chronograf-summit-efd.lsst.codes/",
      admonitions: [
        {
          level: "warning",
          text: "The VMSs do not report OFFLINE: their heartbeats stopping is the only sign.",
        },
      ],
    });
    queues = p.step("csc-transition", {
      title: "Send the ScriptQueues to OFFLINE, the one running the script last",
      state: "OFFLINE",
      script: "set_summary_state.py",
      queue: "ScriptQueue:1",
      cscs: ["ScriptQueue:3", "ScriptQueue:2", "ScriptQueue:1"],
      config: {
        data: [
          ["ScriptQueue:3", "OFFLINE"],
          ["ScriptQueue:2", "OFFLINE"],
          ["ScriptQueue:1", "OFFLINE"],
        ],
        mute_alarms: false,
      },
      ignored: [],
      critical: true,
      check: "LOVE: the three ScriptQueues are OFFLINE.",
      cite: ["001/1"],
    });
  });
  b.ruleEdge(watcher, shutdown, "watcher-first").ruleEdge(shutdown, queues, "scriptqueues-last");
  b.ruleEdge(watcher, queues, "scriptqueues-last");

  b.phase({ name: "cleanup", title: "Clean up CSCs and systems still running" }, (p) => {
    for (const host of summitSite.hosts.filter((h) => h.roles.includes("camera-mcm"))) {
      p.step("command", {
        title: `Stop the ${host.name.replace("-mcm", "")} camera bridge`,
        argv: ["sudo", "systemctl", "stop", host.service!],
        host,
        by: "camera team",
        check: `\`systemctl status ${host.service}\` says inactive (dead).`,
        parallel: true,
        cite: ["001/2"],
      });
    }
    p.step("notify", {
      title: "Tell the camera upgrade team that the system is ready for Stage 1",
      channel: "#summit-announce",
      message: "The control system is down: the camera upgrade can proceed to Stage 1.",
    });
    p.step("manual", {
      title: "Shut down and clean up the bare-metal deployments",
      text: "Work with the system principals to shut down their services.",
      by: "system principals",
    });
    p.step("kafka-lag", {
      title: "Wait for the telegraf connectors to finish consuming",
      groupPrefix: "telegraf",
      max: 0,
      timeoutSeconds: 1800,
      pollSeconds: 30,
      onTimeout: { kind: "ask", question: "The telegraf connectors still lag. Go on anyway?" },
      admonitions: [{ level: "important", text: registryNote }],
      check: "`kt consumers summit lag --telegraf --summary` shows a lag of 0.",
    });
    p.step("kafka-lag", {
      title: "Wait for the love-producers to finish consuming",
      groupPrefix: "love-producer",
      max: 0,
      timeoutSeconds: 1800,
      pollSeconds: 30,
      onTimeout: { kind: "ask", question: "The love-producers still lag. Go on anyway?" },
      check: "`kt consumers summit lag --love-producer --summary` shows a lag of 0.",
    });
    p.step("command", {
      title: "Clean up the Kubernetes deployments",
      argv: ["sh", "-c", "cd k8s-admin && ./cleanup_all 2>&1 | tee cleanup_all.log"],
      check: "No CSC jobs left: `kubectl get jobs -A | grep -c csc` prints 0.",
    });
    p.step("command", { title: "Clean up Nublado", argv: ["./cleanup_nublado"] });
    p.step("k8s-scale", {
      title: "Scale the telegraf connectors down to 0",
      namespace: "sasquatch",
      selector: telegraf,
      replicas: 0,
      temporary: "telegraf",
      critical: true,
    });
  });

  let compatibility = "";
  b.phase({ name: "configurations", title: "Update the configurations" }, (p) => {
    p.step("manual", {
      title: "Merge the Phalanx pull request",
      text: "Ensure the Phalanx branch contains all the necessary updates, then create a pull request and merge it.\n\nAll other configuration repositories should have the necessary commits already on branches and pushed to GitHub.",
      url: "https://github.com/lsst-sqre/phalanx/pulls",
    });
    p.step("manual", {
      title: "Update the configuration repositories on the bare-metal machines",
      text: "Only the T&S systems are handled here; DM and Camera are handled by the system principals.",
      command:
        "cd /deploy/config && git fetch --all && git checkout cycle-upgrade && git log -1 --format='%h %s'",
    });
    p.step("notify", {
      title: "Tell the camera upgrade team that they can proceed to Stage 2",
      channel: "#summit-announce",
      message: "Configurations are in place: the camera upgrade can proceed to Stage 2.",
    });
    p.step("registry-check-compatibility", {
      title: "Check that the schema registry compatibility is FORWARD",
      level: "FORWARD",
    });
    compatibility = p.step("registry-set-compatibility", {
      title: "Set the schema registry compatibility to NONE",
      level: "NONE",
      temporary: "compatibility",
      critical: true,
      admonitions: [
        {
          level: "attention",
          text: "Only because this upgrade breaks schema compatibility (breaks_schema = true).",
        },
      ],
    });
  });
  void compatibility;

  let love = "";
  b.phase(
    {
      name: "deploy",
      title: "Deploy the upgrade",
      admonitions: [
        {
          level: "note",
          text: "Be patient with container pulling (goes for everything containerized here).",
        },
      ],
    },
    (p) => {
      p.step("manual", { title: "Update the ESS controllers", text: "Summit only.", by: "T&S" });
      p.step("manual", { title: "Update the cRIOs if not done already", text: "Summit only.", by: "T&S" });
      p.step("argocd-sync", { title: "Sync science-platform", app: "science-platform" });
      p.step("argocd-sync", { title: "Sync nublado", app: "nublado" });
      p.step("argocd-sync", {
        title: "Sync sasquatch if necessary",
        app: "sasquatch",
        confirm: "Are there configuration changes in sasquatch that should not be applied yet?",
      });
      const apps = ["control-system-test", "auxtel", "obssys", "simonyitel"].map((app) =>
        p.step("argocd-sync", { title: `Sync ${app}`, app, project: "telescope" }),
      );
      love = p.step("argocd-sync", {
        title: "Sync LOVE",
        app: "love",
        project: "telescope",
        critical: true,
        check: "LOVE loads and shows the summary state view.",
      });
      for (const app of apps) b.ruleEdge(app, love, "love-last");
      p.step("k8s-wait-ready", {
        title: "Wait for the LOVE pods to be ready",
        resource: "pods",
        namespace: "love",
        timeoutSeconds: 600,
      });
      p.step("wait", { title: "Give the CSCs two minutes to start", seconds: 120, expectedSeconds: 120 });
      p.step("manual", {
        title: "Start the services on the bare-metal deployments",
        text: "Summit only.",
        by: "T&S",
      });
    },
  );

  b.phase({ name: "verify", title: "Verify and restore", mode: "do-confirm" }, (p) => {
    p.step("csc-states", {
      title: "Confirm that every CSC came up",
      expect: [
        { csc: "ScriptQueue:1", state: "ENABLED", heartbeatOnly: false },
        { csc: "ScriptQueue:2", state: "ENABLED", heartbeatOnly: false },
        { csc: "ScriptQueue:3", state: "ENABLED", heartbeatOnly: false },
        { csc: "WeatherForecast", state: "ENABLED", heartbeatOnly: false },
        { csc: "ATAOS", state: "STANDBY", heartbeatOnly: false },
        { csc: "MTMount", state: "STANDBY", heartbeatOnly: false },
      ],
      timeoutSeconds: 1800,
      onTimeout: {
        kind: "ask",
        question: "Some CSCs did not come up. Report them in #summit-announce and go on?",
      },
      check: "All CSCs in STANDBY, or the ones with issues reported to their system principals.",
    });
    p.step("registry-set-compatibility", {
      title: "Set the schema registry compatibility back to FORWARD",
      level: "FORWARD",
      undo: "compatibility",
      critical: true,
    });
    p.step("k8s-scale", {
      title: "Scale the telegraf connectors back to 1",
      namespace: "sasquatch",
      selector: telegraf,
      replicas: 1,
      undo: "telegraf",
      critical: true,
    });
    p.step("manual", {
      title: "Confirm that the telegraf connectors send data to the EFD",
      text: "Check Chronograf for fresh data.",
      url: "https://chronograf-summit-efd.lsst.codes/",
    });
    p.step("notify", {
      title: "Tell everyone that Nublado can be used again",
      channel: "#summit-announce",
      message: "The upgrade is done: Nublado can be used again.",
    });
  });
  return b.build();
}
