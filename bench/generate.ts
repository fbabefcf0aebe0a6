import type { Admonition, Clauses, Item, Phase, Procedure, Repository, Step } from "./model.js";
import { Random } from "./random.js";
import { commonIgnore, document, groups, hostsOf, rules, serviceApps, sites } from "./sites.js";
import { toDpl } from "./to-dpl.js";
import { toYaml } from "./to-yaml.js";

/**
 * A generator of synthetic procedure repositories of realistic shape, deterministic from a seed: three
 * sites with inventories, hosts and applications; groups, ordering rules and ignore entries; a procedure
 * with parameters, admonitions, a shutdown, a cleanup with paired changes, a deployment, a bring-up, then
 * as many work phases as it takes to reach the size asked for, with every kind of step, site variations
 * (`only`, `except`, `when`), parallel blocks, `after`, interpolation and citations; and an entry that
 * compiles the procedure for the three sites.
 *
 * The size is the number of steps of the compiled plan at the first site (`s0`), which the generator
 * counts as it writes (expansions such as `on each crio` and undo steps included, steps that `only`,
 * `except` or `when` leave out excluded), so that a size of 1,000 gives a plan of about 1,000 steps.
 */

/** The parameters of the entry: the `when` conditions below are written knowing these values. */
const ARGS = { breaks_schema: true, kind: "full" } as const;

/** Conditions with their value under ARGS. */
const WHENS: readonly (readonly [string, boolean])[] = [
  ["breaks_schema", true],
  ["not breaks_schema", false],
  ['kind == "full"', true],
  ['kind == "os" or breaks_schema', true],
  ["not os_upgrade and breaks_schema", true],
];

/** Site clauses with whether they hold at s0. */
const SITE_CLAUSES: readonly (readonly [Clauses, boolean])[] = [
  [{ only: ["s0"] }, true],
  [{ only: ["s0", "s1"] }, true],
  [{ only: ["s1", "s2"] }, false],
  [{ except: ["s2"] }, true],
  [{ except: ["s0"] }, false],
];

/** At most this many steps per work phase: the compiler warns past 15 (a checklist pauses every 5 to 9). */
const STEPS_PER_WORK_PHASE = 9;
const CRIOS_AT_S0 = hostsOf(0).filter((h) => h.role === "crio").length;
const CAMERAS_AT_S0 = hostsOf(0).filter((h) => h.role === "camera").length;
const SERVICES = serviceApps(2); // the apps every site has
const NAMESPACES = ["services", "obssys", "auxtel", "simonyitel", "calsys", "envsys"];
const TRANSITION_GROUPS = ["auxtel", "calsys", "envsys", "simonyitel"];

export interface Generated {
  readonly repository: Repository;
  /** The `.dpl` files by path, and the entry to compile. */
  readonly dpl: Record<string, string>;
  readonly entry: string;
  /** The same content as YAML files by path. */
  readonly yaml: Record<string, string>;
  /** The steps the generator counted at s0 (the compiled plan should have about as many). */
  readonly expectedSteps: number;
}

/** A repository whose entry compiles to a plan of about `steps` steps at site s0. */
export function generate(steps: number, seed = 1): Generated {
  const repository = generateRepository(steps, seed);
  const { files, entry } = toDpl(repository.repository);
  return {
    repository: repository.repository,
    dpl: files,
    entry,
    yaml: toYaml(repository.repository),
    expectedSteps: repository.count,
  };
}

export function generateRepository(target: number, seed = 1): { repository: Repository; count: number } {
  const random = new Random(seed);
  const writer = new PhaseWriter(random);
  const phases: Phase[] = [...headPhases(writer)];
  let n = phases.length;
  while (writer.count + TAIL_STEPS < target) {
    n += 1;
    const budget = Math.min(STEPS_PER_WORK_PHASE, target - writer.count - TAIL_STEPS);
    phases.push(writer.workPhase(n, Math.max(1, budget - 1)));
  }
  phases.push(tailPhase(writer, n + 1));
  const procedure: Procedure = {
    name: "bench-upgrade",
    title: "Synthetic deployment procedure",
    params: [
      {
        name: "breaks_schema",
        type: "bool",
        default: false,
        doc: "Whether the change breaks schema compatibility",
      },
      { name: "kind", type: "string", default: "full", doc: "full or os" },
      { name: "os_upgrade", type: "bool", default: false },
      { name: "queue", type: "csc", default: "ScriptQueue:1", doc: "The ScriptQueue that runs the shutdown" },
      { name: "pause", type: "duration", default: "30s" },
    ],
    cite: "bench",
    admonitions: [
      {
        level: "attention",
        text: "As the person running the deployment, you have absolute control over the system.",
      },
      {
        level: "important",
        text: "Switch M2 to closed-loop control first.",
        only: ["s0"],
        cite: "bench/intro",
      },
    ],
    ignore: [{ csc: "EAS", keep: "ENABLED", because: "it keeps measuring", only: ["s1"] }],
    phases,
  };
  const repository: Repository = {
    sites: sites(),
    groups: groups(),
    rules: rules(),
    ignore: commonIgnore(),
    documents: [document(phases.map((p) => ({ title: p.title, items: 8 })))],
    procedure,
    entry: { procedure: procedure.name, args: { ...ARGS }, sites: ["s0", "s1", "s2"] },
  };
  return { repository, count: writer.count };
}

function headPhases(w: PhaseWriter): Phase[] {
  const shutdown: Phase = {
    name: "shutdown",
    title: "Shut down the control system",
    cite: "bench/1",
    by: "deployment lead",
    items: [
      { admonition: { level: "important", text: "Make sure no script is running.", cite: "bench/1.1" } },
      w.step({
        label: "watcher-down",
        kind: "transition",
        verb: "offline",
        targets: ["Watcher"],
        via: "set_summary_state.py",
        queue: "queue",
        config: { mute_alarms: false },
        cite: "bench/1.1",
      }),
      w.step({
        kind: "transition",
        verb: "offline",
        targets: ["everything"],
        via: "system_wide_shutdown.py",
        queue: "queue",
        config: { user: "deployment lead", reason: "upgrade to ${site.image_tag}" },
        cite: "bench/1.2",
        confirm: "Shut the control system down now?",
      }),
      w.step({
        kind: "transition",
        verb: "offline",
        targets: ["ScriptQueue:*"],
        via: "set_summary_state.py",
        queue: "queue",
        config: { mute_alarms: false },
      }),
      w.step({
        kind: "wait-until",
        condition: { cscs: ["everything"], is: "OFFLINE" },
        timeout: "30m",
        every: "30s",
        else: { ask: "Some CSCs are not OFFLINE; go on?" },
      }),
      { admonition: { level: "note", text: "The VMSs do not report OFFLINE.", only: ["s0"] } },
    ],
  };
  const cleanup: Phase = {
    name: "cleanup",
    title: "Clean up what is still running",
    cite: "bench/2",
    items: [
      w.step({ kind: "run", cmd: "sudo systemctl stop ${host.service}", on_each: "camera" }, CAMERAS_AT_S0),
      w.step({ kind: "notify", message: "The system is ready for stage 1 (${site.slack})." }),
      {
        parallel: [
          w.step({ kind: "wait-until", condition: { lag: "telegraf", max: 0 }, timeout: "30m" }),
          w.step({ kind: "wait-until", condition: { lag: "love-producer", max: 0 }, timeout: "30m" }),
        ],
      },
      w.step({ kind: "delete-jobs", namespace: "obssys" }),
      w.step({ kind: "run", cmd: "./cleanup_all -d", retry: 2 }),
      w.step(
        {
          label: "telegraf-down",
          kind: "temporarily",
          change: {
            scale: {
              namespace: "sasquatch",
              where: "app.kubernetes.io/name=sasquatch-telegraf",
              replicas: 0,
            },
          },
          restore: 1,
        },
        2,
      ),
      w.step(
        {
          kind: "temporarily",
          change: {
            annotate: {
              resource: "kafka",
              name: "sasquatch",
              namespace: "sasquatch",
              key: "strimzi.io/pause-reconciliation",
              value: "true",
            },
          },
          restore: "false",
          until: "configure",
        },
        2,
      ),
    ],
  };
  const configure: Phase = {
    name: "configure",
    title: "Update the configurations",
    cite: "bench/3",
    items: [
      w.step({
        kind: "manual",
        text: "Merge the Phalanx PR for ${site.image_tag}.",
        url: "https://github.com/lsst-sqre/phalanx",
        by: "deployment lead",
        check: "the PR is merged",
      }),
      w.step(
        {
          label: "compat",
          kind: "temporarily",
          change: { compatibility: "NONE" },
          restore: "FORWARD",
          when: "breaks_schema",
        },
        2,
      ),
    ],
  };
  const deploy: Phase = {
    name: "deploy",
    title: "Deploy the upgrade",
    cite: "bench/4",
    items: [
      w.step({ kind: "sync", apps: ["science-platform"], cite: "bench/4.1" }),
      w.step({ kind: "sync", apps: ["nublado"] }),
      w.step({ kind: "sync", apps: ["sasquatch"], except: ["s2"] }),
      w.step({ kind: "sync", apps: [], projects: ["telescope"], but: ["love"] }, 6),
      w.step({ kind: "sync", apps: ["love"], critical: true }),
      w.step({ kind: "undo", ref: "compat" }, 0),
      w.step({ kind: "undo", ref: "telegraf-down" }, 0),
    ],
  };
  const bringup: Phase = {
    name: "bringup",
    title: "Bring the control system back",
    cite: "bench/5",
    items: [
      w.step({
        kind: "wait-until",
        condition: { cscs: ["everything"], is: "started" },
        timeout: "30m",
        else: { continue: true },
      }),
      w.step({
        kind: "transition",
        verb: "enable",
        targets: ["Watcher"],
        via: "set_summary_state.py",
        queue: "ScriptQueue:1",
      }),
      w.step({ kind: "expect", condition: { compatibility: "FORWARD" } }),
      w.step({
        kind: "notify",
        message: "The control system is back at ${site.name}.",
        after: ["watcher-down"],
      }),
    ],
  };
  return [shutdown, cleanup, configure, deploy, bringup].map((p) => w.closePhase(p));
}

/** The steps of the last phase, its sign-off included. */
const TAIL_STEPS = 3;

function tailPhase(w: PhaseWriter, n: number): Phase {
  return w.closePhase({
    name: "verify",
    title: "Verify and hand over",
    cite: `bench/${n}`,
    do_confirm: true,
    items: [
      w.step({
        kind: "manual",
        text: "Run the integration tests of both telescopes.",
        by: "commissioning scientist",
      }),
      w.step({ kind: "notify", message: "The upgrade to ${site.image_tag} is done (${kind})." }),
    ],
  });
}

/** Writes steps and counts how many plan steps they give at s0. */
class PhaseWriter {
  count = 0;
  private serial = 0;
  /** Labels that a later step of the phase must take: the `until` of a paired change names them first. */
  private anchors: string[] = [];

  constructor(private readonly random: Random) {}

  /** A step item, counted as `atS0` plan steps when its clauses keep it at s0. */
  step(step: Step, atS0 = 1): Item {
    if (applies(step)) this.count += atS0;
    return { step };
  }

  /** Counts the phase's own checkpoint step. */
  closePhase(phase: Phase): Phase {
    this.count += 1;
    return phase;
  }

  workPhase(n: number, budget: number): Phase {
    const r = this.random;
    const items: Item[] = [];
    const labels: string[] = [];
    const pendingUndo: { label: string; due: number }[] = [];
    const start = this.count;
    while (this.count - start < budget) {
      const due = pendingUndo.findIndex((u) => u.due <= items.length);
      if (due >= 0) {
        items.push(this.step({ kind: "undo", ref: pendingUndo.splice(due, 1)[0]!.label }, 0));
        continue;
      }
      if (r.chance(0.06)) items.push({ admonition: this.admonition(n) });
      const made = this.workItem(n, labels);
      if ("step" in made && made.step.kind === "temporarily" && made.step.label && !made.step.until)
        pendingUndo.push({ label: made.step.label, due: items.length + 3 + r.int(4) });
      items.push(made);
    }
    for (const u of pendingUndo) items.push(this.step({ kind: "undo", ref: u.label }, 0));
    for (const label of this.anchors.splice(0))
      items.push(this.step({ kind: "notify", label, message: `Batch ${n} is through ${label}.` }));
    const phase: Phase = { name: `p${n}`, title: `Work batch ${n}`, cite: `bench/${n}`, items };
    if (r.chance(0.1)) phase.by = "deployment team";
    return this.closePhase(phase);
  }

  private admonition(n: number): Admonition {
    const r = this.random;
    const level = r.pick(["note", "warning", "important", "attention"] as const);
    const a: Admonition = {
      level,
      text: `Batch ${n}: watch the dashboards on \${site.slack} while this runs.`,
    };
    if (r.chance(0.3)) Object.assign(a, r.pick(SITE_CLAUSES)[0]);
    return a;
  }

  private workItem(n: number, labels: string[]): Item {
    const r = this.random;
    const i = ++this.serial;
    const kind = r.weighted<string>([
      ["run", 8],
      ["run-each", 2],
      ["run-host", 1],
      ["scale", 3],
      ["delete-jobs", 2],
      ["annotate", 2],
      ["wait", 2],
      ["pods", 4],
      ["lag", 3],
      ["expect", 1],
      ["transition", 3],
      ["script", 2],
      ["sync", 4],
      ["manual", 3],
      ["notify", 2],
      ["parallel", 3],
      ["temporarily", 2],
      ["temporarily-until", 1],
    ]);
    if (kind === "parallel") {
      const inner: Item[] = [];
      for (let k = 2 + r.int(3); k > 0; k--)
        inner.push(this.simpleStep(n, ++this.serial, r.pick(["sync", "pods", "run"]), labels));
      return { parallel: inner };
    }
    return this.simpleStep(n, i, kind, labels);
  }

  private simpleStep(n: number, i: number, kind: string, labels: string[]): Item {
    const r = this.random;
    const ns = r.pick(NAMESPACES);
    const svc = r.pick(SERVICES);
    let step: Step;
    let atS0 = 1;
    switch (kind) {
      case "run":
        step = { kind: "run", cmd: `kubectl -n ${ns} rollout restart deployment/worker-${i}` };
        break;
      case "run-each":
        step = {
          kind: "run",
          cmd: "sudo systemctl restart ${host.service}",
          on_each: "crio",
          only: ["s0", "s1"],
        };
        atS0 = CRIOS_AT_S0;
        break;
      case "run-host":
        step = { kind: "run", cmd: `docker compose -f /deploy/stack-${i}.yaml up -d`, on: "bm1" };
        break;
      case "scale":
        step = { kind: "scale", namespace: ns, where: `app=worker-${i}`, replicas: 1 + r.int(3) };
        break;
      case "delete-jobs":
        step = { kind: "delete-jobs", namespace: ns, where: `job-batch=${i}` };
        break;
      case "annotate":
        step = {
          kind: "annotate",
          resource: "deployment",
          name: `worker-${i}`,
          namespace: ns,
          key: "plan.lsst.io/batch",
          value: r.chance(0.8) ? `\${kind}-${n}` : null,
        };
        break;
      case "wait":
        step = { kind: "wait", duration: r.pick(["10s", "30s", "1m", "2m30s"]) };
        break;
      case "pods":
        step = { kind: "wait-until", condition: { ready: "pods", namespace: ns, where: `app=worker-${i}` } };
        step.timeout = "5m";
        if (r.chance(0.5)) {
          step.every = "10s";
          step.else = { ask: `Pods of worker-${i} are not ready; go on?` };
        }
        break;
      case "lag":
        step = {
          kind: "wait-until",
          condition: { lag: `consumer-${i}`, max: r.int(3) * 10 },
          timeout: "10m",
        };
        break;
      case "expect":
        step = {
          kind: "expect",
          condition: r.chance(0.5) ? { compatibility: "FORWARD" } : { ready: "deployments", namespace: ns },
        };
        break;
      case "transition": {
        const group = r.pick(TRANSITION_GROUPS);
        const verb = r.pick(["standby", "disable", "enable"] as const);
        step = {
          kind: "transition",
          verb,
          targets: [group],
          via: "set_summary_state.py",
          queue: "ScriptQueue:2",
        };
        if (r.chance(0.5)) step.config = { mute_alarms: true };
        break;
      }
      case "script":
        step = {
          kind: "script",
          script: "auxtel/track_target.py",
          queue: "ScriptQueue:2",
          config: {
            slew_icrs: { ra: r.int(24), dec: -r.int(80) },
            target_name: `target-${i}`,
            rot_type: "sky",
          },
        };
        break;
      case "sync":
        step = {
          kind: "sync",
          apps: r.chance(0.7) ? [svc] : [svc, r.pick(SERVICES)].filter((a, k, all) => all.indexOf(a) === k),
        };
        atS0 = step.apps.length;
        break;
      case "manual":
        step = {
          kind: "manual",
          text: `Check the dashboard of worker-${i} for ${"${site.name}"}.`,
          command: `kubectl -n ${ns} get pods -l app=worker-${i}`,
          by: "operator",
          check: "every pod is Running",
        };
        break;
      case "notify":
        step = { kind: "notify", message: `Batch ${n}, step ${i} done on \${site.name}.` };
        break;
      case "temporarily":
        step = {
          kind: "temporarily",
          label: `tmp-${i}`,
          change: { scale: { namespace: ns, where: `app=worker-${i}`, replicas: 0 } },
          restore: 1,
        };
        atS0 = 2;
        break;
      default:
        step = {
          kind: "temporarily",
          change: {
            annotate: {
              resource: "deployment",
              name: `worker-${i}`,
              namespace: ns,
              key: "plan.lsst.io/pause",
              value: "true",
            },
          },
          restore: "false",
          until: r.chance(0.5) ? `p${n}` : `anchor-${i}`,
        };
        if (step.until !== `p${n}`) this.anchors.push(step.until!);
        atS0 = 2;
    }
    this.decorate(step, n, i, labels);
    return this.step(step, atS0);
  }

  /** Clauses, citations and labels, in the proportions a real procedure has them. */
  private decorate(step: Step, n: number, i: number, labels: string[]): void {
    const r = this.random;
    const isTemporary = step.kind === "temporarily";
    if (!step.label && r.chance(0.15)) step.label = `w${i}`;
    if (step.label) labels.push(step.label);
    if (r.chance(0.5)) step.cite = r.chance(0.5) ? `bench/${n}` : `bench/${n}.${1 + r.int(8)}`;
    // A paired change is kept at every site, so that its undo always has something to undo.
    if (!isTemporary && !step.only && r.chance(0.1)) Object.assign(step, r.pick(SITE_CLAUSES)[0]);
    if (!isTemporary && r.chance(0.08)) step.when = r.pick(WHENS)[0];
    if (labels.length > 1 && r.chance(0.05)) {
      const target = labels[r.int(labels.length - 1)]!;
      if (target !== step.label) step.after = [target];
    }
    if (r.chance(0.1)) step.duration = r.pick(["1m", "5m", "15m"]);
    if (step.kind !== "manual" && step.kind !== "notify" && !isTemporary && r.chance(0.03))
      step.retry = 1 + r.int(3);
    if (r.chance(0.03)) step.critical = true;
    if (!step.by && r.chance(0.05)) step.by = "deployment lead";
    if (step.kind === "run" && r.chance(0.05)) step.confirm = "Go ahead?";
    // A step a paired change waits for (`until anchor-…`) comes later and is kept at every site.
    if (this.anchors.length > 0 && !step.label && !isTemporary && !step.only && !step.except && !step.when)
      step.label = this.anchors.shift();
  }
}

/** Whether a step's site and `when` clauses keep it at s0 under ARGS. */
function applies(c: Clauses): boolean {
  const site = SITE_CLAUSES.find(([k]) => sameSites(k, c));
  if ((c.only || c.except) && site && !site[1]) return false;
  if (c.when) return WHENS.find(([w]) => w === c.when)?.[1] ?? true;
  return true;
}

function sameSites(a: Clauses, b: Clauses): boolean {
  return String(a.only) === String(b.only) && String(a.except) === String(b.except);
}
