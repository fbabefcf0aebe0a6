import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { PlanSite, StepOf } from "../../ir/schema.js";
import { ArgoCdServer } from "./argocd-server.js";
import { type ControlServer, startControlServer } from "./control-server.js";
import { CscModel } from "./csc-model.js";
import { EfdProjection } from "./efd-projection.js";
import { EfdServer } from "./efd-server.js";
import { KafkaBrokerDouble } from "./kafka-broker.js";
import { KubeApiServer } from "./kube-apiserver.js";
import { seedKube } from "./kube-site.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { SchemaRegistryServer } from "./schema-registry-server.js";
import { writeShims } from "./shims.js";
import { seedArgo, seedKafka } from "./site-apps.js";
import { SiteClock, type WallClock } from "./site-clock.js";
import { claimDir } from "./site-dir.js";
import { NO_FAULTS, type SiteFaults } from "./site-faults.js";
import { SiteHosts } from "./site-hosts.js";
import { SiteLayout } from "./site-layout.js";
import { readSnapshot, type SiteSnapshot, writeSnapshot } from "./site-snapshot.js";
import { SiteTimeline } from "./site-timeline.js";
import {
  applyFaults,
  hostSideOf,
  restoreSite,
  type SiteParts,
  snapshotSite,
  wireSite,
} from "./site-wiring.js";
import { simulatorTls } from "./tls.js";
import { transitionCommands } from "./transitions.js";

/**
 * A simulated site: every double of the runtime's tests, stateful, on 127.0.0.1, seeded from a plan's
 * site and wired into one model (see site-wiring.ts for its rules), with one clock that runs `speed` times
 * faster than the wall clock. It keeps its state in `dir` (a JSON snapshot written after each change) and
 * starts from it again when asked to restore, so that a rehearsal that is killed goes on against the same
 * site. `dir` also holds what clients need to reach it: a kubeconfig, an ssh config, the command shims.
 */

export interface SimulatedSiteOptions {
  readonly site: PlanSite;
  /** Where the site keeps its snapshot and client files (created if needed). */
  readonly dir: string;
  readonly speed: number;
  /** Start from the snapshot in `dir` when there is one (else a fresh site). */
  readonly restore?: boolean;
  /** Write the snapshot after each change (default true). */
  readonly persist?: boolean;
  readonly faults?: SiteFaults;
  /**
   * CSCs that a fresh site runs in a given state (the plan's ignore list: MTM1M3TS ENABLED, MTM1M3
   * DISABLED); every other CSC runs ENABLED, as during a night of observing.
   */
  readonly keep?: readonly {
    readonly csc: string;
    readonly keep: import("../../ir/schema.js").Plan["ignored"][number]["keep"];
  }[];
  /** Tests: the wall clock under the site's clock. */
  readonly wall?: WallClock;
}

/** Where the site's services listen, and the files that reach them. */
export interface SiteEndpoints {
  readonly kubernetes: string;
  readonly kubeconfig: string;
  readonly context: string;
  readonly argocd: string;
  readonly argocdCa: string;
  /** The Argo CD API token of the simulated site (a throwaway; the double accepts only it). */
  readonly argocdToken: string;
  readonly kafka: string;
  readonly schemaRegistry: string;
  readonly efd: string;
  readonly efdDatabase: string;
  readonly sshConfig: string;
  readonly shims: string;
  readonly snapshot: string;
}

/** The environment variable the simulated site's Argo CD token is read from. */
export const SIMULATED_ARGOCD_TOKEN_ENV = "PLAN_SIMULATED_ARGOCD_TOKEN";

export class SimulatedSite {
  /** Site time when this session of the site started. */
  readonly startedAt: number;
  /** Notices for the person at the run (a transition applied, a fault cleared); the CLI prints them. */
  onNotice: (text: string) => void = () => {};

  private constructor(
    readonly parts: SiteParts,
    readonly restored: boolean,
    private readonly control: ControlServer,
    readonly endpoints: SiteEndpoints,
  ) {
    this.startedAt = parts.clock.now();
  }

  /**
   * Starts the site's services and seeds them (or restores them from `dir`). Throws when a snapshot in
   * `dir` is damaged or belongs to another site, saying which; nothing is left running then.
   */
  static async start(options: SimulatedSiteOptions): Promise<SimulatedSite> {
    const { site, dir } = options;
    mkdirSync(dir, { recursive: true });
    let simulatedNotice: (text: string) => void = () => {};
    const release = claimDir(dir);
    const snapshotPath = join(dir, "site.json");
    let saved: SiteSnapshot | undefined;
    if (options.restore) {
      const read = readSnapshot(snapshotPath);
      const problem = !read.ok
        ? read.problem
        : read.snapshot && read.snapshot.site !== site.name
          ? `${snapshotPath} is the simulated site ${read.snapshot.site}, not ${site.name}`
          : undefined;
      if (problem !== undefined) {
        release();
        throw new Error(problem);
      }
      saved = read.ok ? read.snapshot : undefined;
    }
    const clock = saved
      ? SiteClock.resumed(saved.clock, options.speed, options.wall)
      : SiteClock.startingNow(options.speed, options.wall);
    const timeline = new SiteTimeline(clock);
    // An event of the site that throws is a bug of the simulator: said, and the site goes on.
    timeline.onError = (e) =>
      simulatedNotice(`simulated site: internal error, please report it: ${(e as Error)?.stack ?? e}`);
    const layout = new SiteLayout(site);
    const tls = simulatorTls();
    const argocdToken = `plan-simulated-${randomBytes(12).toString("base64url")}`;
    const rootPath = site.argocd ? new URL(site.argocd.url).pathname.replace(/\/+$/, "") : "";
    const stops: (() => Promise<unknown>)[] = [];
    try {
      const kubeToken = `plan-simulated-${randomBytes(12).toString("base64url")}`;
      const kube = await KubeApiServer.start({
        clock,
        tls: { cert: tls.cert, key: tls.key },
        tokens: { [kubeToken]: "deployment-lead" },
      });
      stops.push(() => kube.stop());
      const argocd = new ArgoCdServer({ clock, tokens: [argocdToken], rootPath });
      await argocd.start();
      stops.push(() => argocd.stop());
      const kafka = await KafkaBrokerDouble.start({ clock });
      stops.push(() => kafka.stop());
      const registry = new SchemaRegistryServer({
        compatibility: saved?.registry.compatibility ?? "FORWARD",
      });
      await registry.start();
      stops.push(() => registry.stop());
      const efdDatabase = site.efd?.database ?? "efd";
      const efd = new EfdServer({ clock, database: efdDatabase });
      await efd.start();
      stops.push(() => efd.stop());
      const model = new CscModel(layout, clock, timeline);
      const parts: SiteParts = {
        site,
        layout,
        clock,
        timeline,
        kube,
        argocd,
        kafka,
        registry,
        efd,
        model,
        efdProjection: new EfdProjection(efd, clock),
        hostActive: new Map(site.hosts.map((h) => [h.name, saved?.hosts[h.name]?.active ?? true])),
        kubectlContext: { current: saved?.kubectlContext ?? site.kubernetes?.context ?? "" },
        faults: options.faults ?? NO_FAULTS,
        save: () => {},
        notice: () => {},
      };
      const hostsDir = join(dir, "ssh");
      mkdirSync(hostsDir, { recursive: true });
      const hosts = await SiteHosts.start(site, hostsDir, hostSideOf(parts));
      stops.push(() => hosts.close());
      parts.hosts = hosts;

      if (saved) restoreSite(parts, saved);
      else {
        seedKube(kube.cluster, layout);
        seedArgo(argocd, layout);
        seedKafka(kafka.cluster, layout);
        const t0 = clock.now();
        const keep = new Map((options.keep ?? []).map((k) => [k.csc, k.keep]));
        model.seed((id) => keep.get(id) ?? "ENABLED", t0);
        parts.efdProjection.seed(model.snapshot(), t0);
      }
      wireSite(parts);
      await hosts.refuse(parts.faults.sshRefused);

      const kubeconfig = site.kubernetes
        ? await writeKubeconfig(join(dir, "kubeconfig"), {
            context: site.kubernetes.context,
            server: kube.url,
            caFile: tls.caFile,
            token: kubeToken,
          })
        : "";
      const control = await startControlServer(parts);
      stops.push(() => control.close());
      const shims = writeShims(join(dir, "shims"));
      const endpoints: SiteEndpoints = {
        kubernetes: kube.url,
        kubeconfig,
        context: site.kubernetes?.context ?? "",
        argocd: `${argocd.url}${rootPath}`,
        argocdCa: tls.caFile,
        argocdToken,
        kafka: kafka.bootstrap,
        schemaRegistry: registry.url,
        efd: efd.url,
        efdDatabase,
        sshConfig: hosts.configFile,
        shims,
        snapshot: snapshotPath,
      };
      const simulated = new SimulatedSite(parts, saved !== undefined, control, endpoints);
      parts.notice = (text) => simulated.onNotice(text);
      simulatedNotice = parts.notice;
      if (options.persist ?? true) {
        let pending = false;
        parts.save = () => {
          if (pending) return;
          pending = true;
          // After the change and whatever else the same turn changes, before any client hears of it.
          queueMicrotask(() => {
            pending = false;
            try {
              writeSnapshot(snapshotPath, snapshotSite(parts));
            } catch (e) {
              // NOTE: the site goes on (the rehearsal is not lost), but a resume would find an older site.
              parts.notice(
                `simulated site: its state cannot be saved in ${snapshotPath}: ${(e as Error).message}`,
              );
            }
          });
        };
        writeSnapshot(snapshotPath, snapshotSite(parts));
      }
      simulated.stopAll = async () => {
        await timeline.stop();
        for (const stop of stops.reverse()) await stop().catch(() => {});
        release();
      };
      timeline.start();
      return simulated;
    } catch (e) {
      await timeline.stop();
      for (const stop of stops.reverse()) await stop().catch(() => {});
      release();
      throw e;
    }
  }

  private stopAll: () => Promise<void> = async () => {};

  /** Where the command shims reach the site, and the token they show it. */
  get controlUrl(): string {
    return this.control.url;
  }

  get controlToken(): string {
    return this.control.token;
  }

  /** The local programs run through the shims, in order. */
  get localRuns(): ControlServer["runs"] {
    return this.control.runs;
  }

  get clock(): SiteClock {
    return this.parts.clock;
  }

  get layout(): SiteLayout {
    return this.parts.layout;
  }

  /** The plan's site as the runtime must see it to reach this site: every endpoint on 127.0.0.1. */
  siteOverride(): PlanSite {
    const site = this.parts.site;
    const e = this.endpoints;
    return {
      ...site,
      ...(site.kubernetes
        ? { kubernetes: { context: site.kubernetes.context, kubeconfig: e.kubeconfig } }
        : {}),
      ...(site.argocd
        ? { argocd: { url: e.argocd, caFile: e.argocdCa, tokenEnv: SIMULATED_ARGOCD_TOKEN_ENV } }
        : {}),
      ...(site.kafka ? { kafka: { ...site.kafka, bootstrap: [e.kafka] } } : {}),
      ...(site.schemaRegistry ? { schemaRegistry: { url: e.schemaRegistry } } : {}),
      efd: { url: e.efd, database: e.efdDatabase },
    };
  }

  /** Sets the faults of this session (see site-faults.ts); those left out are cleared. */
  async setFaults(faults: SiteFaults): Promise<void> {
    this.parts.faults = faults;
    applyFaults(this.parts);
    await this.parts.hosts?.refuse(faults.sshRefused);
    this.parts.save();
  }

  /**
   * What the operator's "done" on a csc-transition step does: the script sends its commands (see
   * transitions.ts), one a second of site time, in order. Resolves with a line saying what happened.
   */
  async applyTransition(step: StepOf<"csc-transition">, signal?: AbortSignal): Promise<string> {
    const commands = transitionCommands(step, this.layout);
    const notRunning: string[] = [];
    let changed = 0;
    for (const c of commands) {
      await this.clock.sleep(SCRIPT_COMMAND_MS, signal);
      const outcome = this.parts.model.command(c.csc, c.state);
      if (outcome === "changed") changed++;
      else if (outcome === "not-running" || outcome === "unknown-csc") notRunning.push(c.csc);
    }
    this.parts.save();
    const skipped =
      notRunning.length > 0
        ? `; not running, so not commanded: ${notRunning.slice(0, 6).join(", ")}${notRunning.length > 6 ? ` and ${notRunning.length - 6} more` : ""}`
        : "";
    return `${step.script} on the simulated site: ${changed} of ${commands.length} CSCs changed state${skipped}`;
  }

  /** Whether a csc-transition step's effect is on the site: each CSC it commands is there, or not running. */
  transitionTookEffect(step: StepOf<"csc-transition">): boolean {
    return transitionCommands(step, this.layout).every((c) => {
      const r = this.parts.model.record(c.csc);
      if (!r?.running) return true;
      return r.state === c.state || r.state === "FAULT";
    });
  }

  /** Writes the snapshot now (for `plan simulate`'s end). */
  save(): void {
    this.parts.save();
  }

  /** Stops every service of the site; the snapshot stays. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.stopAll();
  }
}

/** How long a ScriptQueue script takes per CSC it commands (site time). */
export const SCRIPT_COMMAND_MS = 1_000;
