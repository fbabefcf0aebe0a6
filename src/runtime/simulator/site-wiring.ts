import type { PlanSite } from "../../ir/schema.js";
import type { ArgoCdServer } from "./argocd-server.js";
import type { CscModel } from "./csc-model.js";
import type { EfdProjection } from "./efd-projection.js";
import type { EfdServer } from "./efd-server.js";
import type { HostSite } from "./host-commands.js";
import type { KafkaBrokerDouble } from "./kafka-broker.js";
import type { KubeApiServer } from "./kube-apiserver.js";
import {
  addLoveDeployments,
  completeCscJob,
  deploymentReady,
  LOVE_TIMING,
  replaceCscJob,
  TELEGRAF_TIMING,
  telegrafReady,
} from "./kube-site.js";
import { dumpKube, restoreKube } from "./kube-snapshot.js";
import type { SchemaRegistryServer } from "./schema-registry-server.js";
import { BACKLOG, dumpArgo, dumpKafka, restoreArgo, restoreKafka, SYNC_TIMING } from "./site-apps.js";
import type { SiteClock } from "./site-clock.js";
import type { SiteFaults } from "./site-faults.js";
import type { SiteHosts } from "./site-hosts.js";
import { LOVE, SASQUATCH, type SiteLayout } from "./site-layout.js";
import { type SiteSnapshot, SNAPSHOT_FORMAT } from "./site-snapshot.js";
import type { SiteTimeline } from "./site-timeline.js";

/**
 * How the parts of a simulated site act on each other: the rules of its model.
 * - CSCs: see csc-model.ts. The EFD follows them (efd-projection.ts).
 * - A CSC that exits leaves its Kubernetes job Complete (pods Succeeded); deleting a CSC's job (the
 *   runtime's `delete jobs`, `cleanup_all`, kubectl) kills the CSC.
 * - An Argo CD application that syncs (and does not fail) replaces the jobs of its CSCs, which start
 *   after 20 to 50 s of site time in the state they come up in.
 * - A host's service stopped kills the CSCs on that host; started, they start after 10 to 30 s.
 * - Telegraf: while any connector of Sasquatch has no ready replica, the EFD is stale (no new data reaches
 *   it) and that connector's consumer group stops consuming (its members leave: Empty); when they are all
 *   back the EFD catches up. Likewise a LOVE producer's group consumes while its deployment in `love` has
 *   a ready replica; the sync of `love` creates the LOVE deployments that are missing.
 * - Consumer groups consume BACKLOG.perSecond messages a second per partition, except those a
 *   `lag-stuck` fault names.
 * Every change is saved (see simulated-site.ts).
 */

export interface SiteParts {
  readonly site: PlanSite;
  readonly layout: SiteLayout;
  readonly clock: SiteClock;
  readonly timeline: SiteTimeline;
  readonly kube: KubeApiServer;
  readonly argocd: ArgoCdServer;
  readonly kafka: KafkaBrokerDouble;
  readonly registry: SchemaRegistryServer;
  readonly efd: EfdServer;
  readonly model: CscModel;
  readonly efdProjection: EfdProjection;
  hosts?: SiteHosts;
  readonly hostActive: Map<string, boolean>;
  readonly kubectlContext: { current: string };
  faults: SiteFaults;
  /** Saves the site (after the current turn). */
  save: () => void;
  notice: (text: string) => void;
  /** Applications whose sync ended while the site was saved, to act on once it is wired. */
  syncedMeanwhile?: string[];
  /** Whether the broker-down fault has fired in this session. */
  brokerDownFired?: boolean;
}

/** A deterministic spread of `spanMs` for a name, so that CSCs do not all start at once. */
function spread(id: string, spanMs: number): number {
  let h = 2166136261;
  for (const c of id) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return (h % Math.max(1, Math.floor(spanMs / 1000))) * 1000;
}

/** How long a CSC of a Kubernetes job takes to come up after its job is created. */
export const startupDelayMs = (id: string) => 20_000 + spread(id, 30_000);
/** How long a CSC on a host takes to come up after its service starts. */
export const hostStartupDelayMs = (id: string) => 10_000 + spread(id, 20_000);

/** How long the pods of a deployment of the site take to become ready and to go away. */
export function deploymentTiming(
  parts: SiteParts,
  namespace: string,
): { readyDelayMs: number; terminationDelayMs: number } {
  if (namespace === SASQUATCH) return TELEGRAF_TIMING;
  if (namespace === parts.layout.loveNamespace()) return LOVE_TIMING;
  return { readyDelayMs: 0, terminationDelayMs: 0 };
}

/** What Argo CD's sync of an application does to the site's CSCs (and LOVE's deployments). */
function onSynced(parts: SiteParts, app: string): void {
  if (app === LOVE) addLoveDeployments(parts.kube.cluster, parts.layout);
  const cscs = parts.layout.kubeCscsOf(app);
  for (const k of cscs) {
    replaceCscJob(parts.kube.cluster, k);
    parts.model.start(k.csc.id, startupDelayMs(k.csc.id));
  }
  if (cscs.length > 0)
    parts.notice(
      `simulated site: ${app} synced; its ${cscs.length} CSC job${cscs.length > 1 ? "s were" : " was"} replaced, the CSCs are starting`,
    );
}

/** The host side of the site, for the ssh doubles. */
export function hostSideOf(parts: SiteParts): HostSite {
  return {
    isActive: (host) => parts.hostActive.get(host) ?? false,
    stop(host) {
      parts.hostActive.set(host, false);
      const cscs = parts.layout.hostCscs(host);
      for (const id of cscs) parts.model.kill(id);
      parts.save();
      return cscs;
    },
    start(host, restart) {
      parts.hostActive.set(host, true);
      const cscs = parts.layout.hostCscs(host);
      for (const id of cscs) {
        if (restart || !parts.model.isUpOrStarting(id)) parts.model.start(id, hostStartupDelayMs(id));
      }
      parts.save();
      return cscs;
    },
  };
}

/** Connects the parts: every rule above. Call once, after seeding or restoring. */
export function wireSite(parts: SiteParts): void {
  const { model, kube, argocd, layout, timeline, clock } = parts;
  model.on((change) => {
    parts.efdProjection.apply(change);
    if (change.kind === "running" && !change.running) {
      const k = layout.kubeCsc(change.csc);
      if (k) completeCscJob(kube.cluster, k, change.at);
    }
    parts.save();
  });
  let telegrafPending = false;
  const telegrafLater = () => {
    if (telegrafPending) return;
    telegrafPending = true;
    queueMicrotask(() => {
      telegrafPending = false;
      updateTelegraf(parts);
    });
  };
  const consumers = new Set([SASQUATCH, layout.loveNamespace()]);
  kube.cluster.on((event) => {
    if (event.type === "job-deleted") {
      const k = layout.kubeCscOfJob(event.namespace, event.name);
      if (k) model.kill(k.csc.id);
    } else if (event.type === "deployment-scaled" || event.type === "deployment-deleted") {
      // Pods become ready and go away when the cluster settles: make it settle when they are due.
      const now = clock.now();
      const timing = deploymentTiming(parts, event.namespace);
      const settle = () => kube.cluster.settle();
      timeline.at(`kube:${event.namespace}/${event.name}:ready`, now + timing.readyDelayMs + 1, settle);
      timeline.at(`kube:${event.namespace}/${event.name}:gone`, now + timing.terminationDelayMs + 1, settle);
    }
    if (consumers.has(event.namespace) && event.type !== "annotation-changed") telegrafLater();
    parts.save();
  });
  argocd.events.on("change", (c) => {
    if (c.what === "sync-requested") {
      const start = c.at + SYNC_TIMING.pickupMs;
      const applied = start + SYNC_TIMING.syncMs;
      for (const [i, at] of [start, applied, applied + SYNC_TIMING.healthMs].entries()) {
        timeline.at(`argocd:${c.app}:${i}`, at + 1, () => argocd.settle());
      }
    }
    if (c.what === "synced") onSynced(parts, c.app);
    parts.save();
  });
  parts.registry.events.on("compatibility", () => parts.save());
  for (const app of parts.syncedMeanwhile ?? []) onSynced(parts, app);
  parts.syncedMeanwhile = [];
  applyFaults(parts);
  updateTelegraf(parts);
}

/** The EFD's freshness and the consumer groups' consumption, from the consumers' deployments and the faults. */
function updateTelegraf(parts: SiteParts): void {
  const { layout, kube, efdProjection, model } = parts;
  const kafka = parts.kafka.cluster;
  const stuck = (group: string) => parts.faults.lagStuck.some((p) => group.startsWith(p));
  let all = true;
  for (const c of layout.telegrafConnectors()) {
    const up = telegrafReady(kube.cluster, c.deployment);
    all &&= up;
    if (!kafka.describeGroup(c.group)) continue;
    kafka.setGroupState(c.group, up ? "Stable" : "Empty");
    if (up && !stuck(c.group)) kafka.drain(c.group, BACKLOG.perSecond);
    else kafka.stopDraining(c.group);
  }
  const love = layout.loveNamespace();
  for (const g of layout.loveProducerGroups()) {
    if (!kafka.describeGroup(g.group)) continue;
    const up = love === undefined || deploymentReady(kube.cluster, love, g.deployment);
    kafka.setGroupState(g.group, up ? "Stable" : "Empty");
    if (up && !stuck(g.group)) kafka.drain(g.group, BACKLOG.perSecond);
    else kafka.stopDraining(g.group);
  }
  if (all !== efdProjection.isFresh) {
    efdProjection.setFresh(all, model.snapshot());
    parts.notice(
      all
        ? "simulated site: the telegraf connectors are back; the EFD catches up on what Kafka kept"
        : "simulated site: a telegraf connector is down; the EFD receives no new data (Chronograf is stale)",
    );
  }
  parts.save();
}

/** Applies the session's faults (see site-faults.ts), clearing those it does not have. */
export function applyFaults(parts: SiteParts): void {
  const f = parts.faults;
  parts.model.setFaults(f.cscs);
  for (const app of parts.site.apps) {
    const fault = f.syncFailed.includes(app.name)
      ? "sync-failed"
      : f.degraded.includes(app.name)
        ? "degraded"
        : undefined;
    parts.argocd.setApp(app.name, { fault });
  }
  if (f.brokerDownMs === undefined) parts.kafka.unreachableFor(0);
  parts.brokerDownFired = false;
  updateTelegraf(parts);
}

/** Called at each read of consumer lag: the broker-down fault starts at the first one. */
export function onLagRead(parts: SiteParts): void {
  const ms = parts.faults.brokerDownMs;
  if (ms === undefined || parts.brokerDownFired) return;
  parts.brokerDownFired = true;
  parts.kafka.unreachableFor(ms);
  parts.notice(
    `simulated site: Kafka is unreachable for ${Math.round(ms / 1000)}s of site time (broker-down)`,
  );
}

/** Puts a saved site back into fresh doubles (before `wireSite`). */
export function restoreSite(parts: SiteParts, saved: SiteSnapshot): void {
  const { kube, layout, clock } = parts;
  restoreKube(kube.cluster, saved.kube, {
    timing: (ns, name) =>
      ns === SASQUATCH && layout.telegrafConnectors().some((c) => c.deployment === name)
        ? TELEGRAF_TIMING
        : {},
    completeJob: (ns, name) => {
      const k = layout.kubeCscOfJob(ns, name);
      if (k) completeCscJob(kube.cluster, k, clock.now());
    },
  });
  parts.model.restore(saved.cscs);
  parts.efdProjection.restore(saved.efd);
  parts.syncedMeanwhile = [];
  const faultOf = (app: string) =>
    parts.faults.syncFailed.includes(app)
      ? ("sync-failed" as const)
      : parts.faults.degraded.includes(app)
        ? ("degraded" as const)
        : undefined;
  restoreArgo(parts.argocd, saved.argocd, faultOf, (app) => parts.syncedMeanwhile!.push(app));
  restoreKafka(parts.kafka.cluster, saved.kafka);
}

/** The site as a snapshot. */
export function snapshotSite(parts: SiteParts): SiteSnapshot {
  return {
    format: "plan-simulated-site",
    formatVersion: SNAPSHOT_FORMAT,
    site: parts.site.name,
    clock: parts.clock.state(),
    cscs: parts.model.snapshot(),
    efd: parts.efdProjection.snapshot(),
    kube: dumpKube(parts.kube.cluster),
    argocd: dumpArgo(parts.argocd, parts.layout),
    kafka: dumpKafka(parts.kafka.cluster),
    registry: { compatibility: parts.registry.compatibility },
    hosts: Object.fromEntries([...parts.hostActive].map(([h, active]) => [h, { active }])),
    ...(parts.kubectlContext.current ? { kubectlContext: parts.kubectlContext.current } : {}),
  };
}
