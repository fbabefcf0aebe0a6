import type { App, Document, Group, Host, IgnoreEntry, InventoryEntry, Rule, Site } from "./model.js";

/**
 * The fixed part of a synthetic repository: three sites of decreasing size (a Summit-like one and two
 * test stands), the groups, the ordering rules and the common ignore list. Their size does not grow with
 * the procedure: a real repository has a few sites of a hundred CSCs or so, whatever its procedures hold.
 */

export const SITE_NAMES = ["s0", "s1", "s2"] as const;

/** How many of each kind a site has, by site index. */
const SIZES = [
  { ess: 40, services: 30, cameras: 3, crios: 4, bareMetal: 2 },
  { ess: 28, services: 24, cameras: 2, crios: 2, bareMetal: 1 },
  { ess: 18, services: 18, cameras: 1, crios: 1, bareMetal: 1 },
];

const AUXTEL = [
  "ATAOS",
  "ATBuilding",
  "ATDome",
  "ATDomeTrajectory",
  "ATHeaderService",
  "ATHexapod",
  "ATMCS",
  "ATOODS",
  "ATPneumatics",
  "ATPtg",
  "ATSpectrograph",
];
const SIMONYI = [
  "CCHeaderService",
  "CCOODS",
  "MTAOS",
  "MTDome",
  "MTDomeTrajectory",
  "MTHexapod:1",
  "MTHexapod:2",
  "MTM2",
  "MTMount",
  "MTPtg",
  "MTRotator",
  "MTAirCompressor:1",
  "MTAirCompressor:2",
  "LaserTracker:1",
];
const OBSSYS = ["Watcher", "Scheduler:1", "Scheduler:2", "Scheduler:3"];
const QUEUES = ["ScriptQueue:1", "ScriptQueue:2", "ScriptQueue:3"];
const CALSYS = [
  "CBP",
  "Electrometer:101",
  "Electrometer:102",
  "Electrometer:103",
  "Electrometer:201",
  "FiberSpectrograph:101",
  "FiberSpectrograph:102",
  "LEDProjector",
  "LinearStage:101",
  "LinearStage:102",
  "LinearStage:103",
  "LinearStage:104",
  "TunableLaser",
];
const ENVSYS = ["DIMM:1", "DIMM:2", "EAS", "HVAC"];
const STARTS_ENABLED = new Set(["ScriptQueue:1", "ScriptQueue:2", "ScriptQueue:3", "DSM:1", "DSM:2"]);

/** The names of the services project's applications at a site of this index. */
export function serviceApps(site: number): string[] {
  return Array.from({ length: SIZES[site]!.services }, (_, i) => `svc-${String(i).padStart(2, "0")}`);
}

/** The hosts with a role at a site of this index. */
export function hostsOf(site: number): Host[] {
  const s = SIZES[site]!;
  const name = SITE_NAMES[site]!;
  const hosts: Host[] = [];
  for (let i = 1; i <= s.cameras; i++)
    hosts.push({
      name: `cam${i}`,
      address: `cam${i}.${name}.example.org`,
      role: "camera",
      service: `cam${i}-ocs-bridge.service`,
    });
  for (let i = 1; i <= s.crios; i++)
    hosts.push({
      name: `crio${i}`,
      address: `crio${i}.${name}.example.org`,
      role: "crio",
      service: `crio${i}-csc.service`,
      user: "admin",
    });
  for (let i = 1; i <= s.bareMetal; i++)
    hosts.push({ name: `bm${i}`, address: `bm${i}.${name}.example.org`, role: "bare-metal" });
  return hosts;
}

function inventory(site: number): InventoryEntry[] {
  const s = SIZES[site]!;
  const out: InventoryEntry[] = [];
  const k8s = (csc: string, app: string, simulator: boolean) => {
    const entry: InventoryEntry = { csc, in: app };
    if (simulator) entry.simulator = true;
    if (STARTS_ENABLED.has(csc)) entry.starts = "ENABLED";
    if (csc.startsWith("MTAirCompressor")) entry.starts = "DISABLED";
    out.push(entry);
  };
  // The test stands simulate the hardware; the Summit runs it.
  const sim = site > 0;
  for (const c of AUXTEL) k8s(c, "auxtel", sim && c !== "ATAOS" && c !== "ATPtg");
  out.push({ csc: "ATCamera", on: "cam1" });
  for (const c of SIMONYI) k8s(c, "simonyitel", sim);
  if (s.cameras > 1) out.push({ csc: "CCCamera", on: "cam2" });
  out.push({ csc: "MTM1M3", on: "crio1" });
  out.push({ csc: "MTM1M3TS", on: `crio${Math.min(2, s.crios)}` });
  for (let i = 1; i <= 3; i++) out.push({ csc: `MTVMS:${i}`, on: "crio1", heartbeat_only: true });
  for (const c of [...OBSSYS, ...QUEUES]) k8s(c, "obssys", false);
  for (const c of CALSYS) k8s(c, "calsys", sim);
  for (const c of ENVSYS) k8s(c, "envsys", sim);
  k8s("DSM:1", "envsys", sim);
  k8s("DSM:2", "envsys", sim);
  out.push({ csc: "WeatherForecast", unknown: true });
  for (let i = 0; i < s.ess; i++) k8s(`ESS:${101 + i}`, "envsys", sim);
  return out;
}

function apps(site: number): App[] {
  return [
    { name: "science-platform" },
    { name: "nublado" },
    { name: "sasquatch", namespace: "sasquatch" },
    ...["control-system-test", "auxtel", "simonyitel", "obssys", "calsys", "envsys", "love"].map((name) => ({
      name,
      project: "telescope",
    })),
    ...serviceApps(site).map((name) => ({ name, project: "services", namespace: "services" })),
  ];
}

export function sites(): Site[] {
  return SITE_NAMES.map((name, i) => ({
    name,
    title: ["Summit-like site", "Test stand one", "Test stand two"][i]!,
    attributes: {
      kubernetes_context: `${name}-k8s`,
      kubeconfig: `~/.kube/${name}.yaml`,
      argocd: `https://${name}.example.org/argo-cd`,
      argocd_token_env: "ARGOCD_TOKEN",
      kafka: [`kafka-0.${name}.example.org:9094`, `kafka-1.${name}.example.org:9094`],
      kafka_site: name,
      schema_registry: `https://${name}.example.org/schema-registry`,
      efd: `https://${name}.example.org/influxdb`,
      efd_database: "efd",
      love: [`https://${name}.example.org/love`],
      chronograf: `https://${name}.example.org/chronograf`,
      nublado: `https://${name}.example.org/nb`,
      slack: `#${name}-announce`,
      fqdn: `${name}.example.org`,
      image_tag: `c00${40 + i}`,
    },
    hosts: hostsOf(i),
    apps: apps(i),
    inventory: inventory(i),
    ignore: i === 1 ? [{ csc: "TunableLaser", keep: "STANDBY", because: "it is being recalibrated" }] : [],
  }));
}

export function groups(): Group[] {
  return [
    { name: "auxtel", title: "AuxTel", members: [...AUXTEL, "ATCamera"] },
    {
      name: "simonyitel",
      title: "Simonyi telescope",
      members: [
        ...SIMONYI.filter((c) => !c.includes(":")),
        "MTHexapod:*",
        "MTAirCompressor:*",
        "LaserTracker:*",
        "CCCamera",
        "MTM1M3",
        "MTM1M3TS",
        "MTVMS:*",
      ],
    },
    { name: "obssys", title: "Observatory systems", members: ["Watcher", "Scheduler:*", "ScriptQueue:*"] },
    {
      name: "calsys",
      title: "Calibration systems",
      members: [
        "CBP",
        "Electrometer:*",
        "FiberSpectrograph:*",
        "LEDProjector",
        "LinearStage:*",
        "TunableLaser",
      ],
    },
    {
      name: "envsys",
      title: "Environment systems",
      members: ["DIMM:*", "DSM:*", "EAS", "HVAC", "WeatherForecast", "ESS:*"],
    },
    { name: "telescopes", title: "Both telescopes", members: ["auxtel", "simonyitel"] },
  ];
}

export function rules(): Rule[] {
  return [
    {
      label: "watcher-first",
      action: "offline",
      targets: ["Watcher"],
      relation: { first: true },
      because: "The Watcher MUST come down FIRST, to avoid a flurry of alarms.",
      cite: "bench/1",
    },
    {
      label: "queues-last",
      action: "offline",
      targets: ["ScriptQueue:*"],
      relation: { last: true },
      because: "The ScriptQueues MUST come down last.",
      cite: "bench/1",
    },
    {
      label: "runner-last",
      action: "offline",
      targets: ["runner"],
      relation: { last: true, among: ["ScriptQueue:*"] },
      because: "The queue that runs the script goes last.",
      cite: "bench/1",
    },
    {
      label: "love-last",
      action: "sync",
      targets: ["love"],
      relation: { last: true, project: "telescope" },
      because: "Update LOVE last.",
      cite: "bench/4",
    },
    {
      label: "science-platform-first",
      action: "sync",
      targets: ["science-platform"],
      relation: { first: true },
      because: "Start by syncing science-platform.",
      cite: "bench/4",
    },
    {
      label: "nublado-after",
      action: "sync",
      targets: ["science-platform"],
      relation: { before: { action: "sync", targets: ["nublado"] } },
    },
    {
      label: "watcher-enabled-first",
      action: "enable",
      targets: ["Watcher"],
      relation: { first: true },
      because: "The Watcher watches everything that comes back.",
      only: ["s0", "s1"],
    },
  ];
}

export function commonIgnore(): IgnoreEntry[] {
  return [
    {
      csc: "MTM1M3",
      keep: "DISABLED",
      because: "Keep MTM1M3 in DISABLED state; this will be fixed at some point.",
      only: ["s0"],
      cite: "bench/intro",
    },
    {
      csc: "MTM1M3TS",
      keep: "ENABLED",
      because: "Keep MTM1M3TS in ENABLED state.",
      only: ["s0"],
      cite: "bench/intro",
    },
    { csc: "HVAC", keep: "ENABLED", because: "The building needs it.", when: 'kind == "os"' },
  ];
}

/** The source document's outline: an introduction, then a section per phase with a few items each. */
export function document(phases: readonly { title: string; items: number }[]): Document {
  return {
    id: "bench",
    title: "Synthetic deployment procedure",
    sections: [
      { key: "intro", title: "Introduction", items: [] },
      ...phases.map((p, i) => ({
        key: String(i + 1),
        title: p.title,
        items: Array.from({ length: p.items }, (_, j) => ({
          key: `${i + 1}.${j + 1}`,
          title: `Item ${j + 1}`,
        })),
      })),
    ],
  };
}
