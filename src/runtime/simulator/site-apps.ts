import { z } from "zod";
import type { ArgoAppSeed, ArgoCdServer } from "./argocd-server.js";
import type { KafkaClusterState } from "./kafka-state.js";
import type { SiteLayout } from "./site-layout.js";

/**
 * Argo CD and Kafka of a simulated site: what they hold on a fresh site, and how they are saved and
 * restored.
 */

/** How long an Argo CD sync takes on a simulated site: picked up, applied, healthy (site time). */
export const SYNC_TIMING = { pickupMs: 2_000, syncMs: 8_000, healthMs: 15_000 } as const;

/** The revision a fresh site's applications are at, and the one the release brings. */
const RUNNING_REVISION = "4f2c9e1";

/** Every app of the site, OutOfSync (the release is merged, not yet deployed) and Healthy. */
export function seedArgo(argo: ArgoCdServer, layout: SiteLayout): void {
  for (const app of layout.site.apps) {
    argo.seed({
      name: app.name,
      project: app.project ?? "default",
      sync: "OutOfSync",
      health: "Healthy",
      revision: RUNNING_REVISION,
      ...SYNC_TIMING,
    });
  }
}

export const ArgoAppSnapshotSchema = z.object({
  project: z.string(),
  sync: z.enum(["Synced", "OutOfSync", "Unknown"]),
  health: z.enum(["Healthy", "Progressing", "Degraded", "Missing", "Suspended", "Unknown"]),
  revision: z.string(),
  /** A sync was under way when the site was saved. */
  syncing: z.boolean(),
});
export type ArgoAppSnapshot = z.infer<typeof ArgoAppSnapshotSchema>;

export function dumpArgo(argo: ArgoCdServer, layout: SiteLayout): Record<string, ArgoAppSnapshot> {
  return Object.fromEntries(
    layout.site.apps.map((a) => {
      const v = argo.app(a.name);
      const snapshot: ArgoAppSnapshot = {
        project: v.project,
        sync: v.sync as ArgoAppSnapshot["sync"],
        health: v.health as ArgoAppSnapshot["health"],
        revision: v.revision,
        syncing: v.operationPending,
      };
      return [a.name, snapshot];
    }),
  );
}

/**
 * Puts the saved applications back. A sync that was under way has ended meanwhile, as its fault says:
 * `onSynced` is called for each that applied, as for a sync that ends while the site runs.
 */
export function restoreArgo(
  argo: ArgoCdServer,
  saved: Readonly<Record<string, ArgoAppSnapshot>>,
  faultOf: (app: string) => ArgoAppSeed["fault"],
  onSynced: (app: string) => void,
): void {
  for (const [name, s] of Object.entries(saved)) {
    const fault = faultOf(name);
    let { sync, health } = s;
    if (s.syncing && fault !== "sync-failed") {
      sync = "Synced";
      health = fault === "degraded" ? "Degraded" : "Healthy";
    } else if (s.syncing) health = health === "Progressing" ? "Healthy" : health;
    argo.seed({
      name,
      project: s.project,
      sync,
      health,
      revision: s.revision,
      ...SYNC_TIMING,
      ...(fault ? { fault } : {}),
    });
    if (s.syncing && fault !== "sync-failed") onSynced(name);
  }
}

/** How much the consumers are behind on a fresh site, per partition, and how fast they catch up. */
export const BACKLOG = {
  telegraf: 1_800,
  loveProducer: 900,
  perSecond: 6,
  partitions: 2,
  end: 250_000,
} as const;

/** Topics, and the consumer groups of the telegraf connectors and the LOVE producers, behind by a backlog. */
export function seedKafka(kafka: KafkaClusterState, layout: SiteLayout): void {
  const topics = [...new Set(layout.telegrafConnectors().flatMap((c) => c.topics))].sort();
  for (const t of topics) {
    kafka.createTopic(t, {
      partitions: Array.from({ length: BACKLOG.partitions }, () => ({ logStart: 0, end: BACKLOG.end })),
    });
  }
  const group = (id: string, groupTopics: readonly string[], behind: number, client: string) => {
    const offsets = Object.fromEntries(
      groupTopics.map((t) => [
        t,
        Object.fromEntries(Array.from({ length: BACKLOG.partitions }, (_, p) => [p, BACKLOG.end - behind])),
      ]),
    );
    const assignment = Object.fromEntries(
      groupTopics.map((t) => [t, Array.from({ length: BACKLOG.partitions }, (_, p) => p)]),
    );
    kafka.createGroup(id, { members: [{ clientId: client, assignment }], offsets });
  };
  for (const c of layout.telegrafConnectors()) group(c.group, c.topics, BACKLOG.telegraf, c.deployment);
  for (const g of layout.loveProducerGroups())
    group(g.group, g.topics, BACKLOG.loveProducer, "love-producer");
}

export const KafkaSnapshotSchema = z.object({
  topics: z.record(z.string(), z.array(z.object({ logStart: z.number(), end: z.number() }))),
  groups: z.record(
    z.string(),
    z.object({
      state: z.enum(["Stable", "Empty", "PreparingRebalance", "CompletingRebalance", "Dead"]),
      members: z.array(
        z.object({
          memberId: z.string(),
          clientId: z.string(),
          clientHost: z.string(),
          assignment: z.record(z.string(), z.array(z.number())),
        }),
      ),
      offsets: z.array(z.object({ topic: z.string(), partition: z.number(), offset: z.number() })),
    }),
  ),
});
export type KafkaSnapshot = z.infer<typeof KafkaSnapshotSchema>;

export function dumpKafka(kafka: KafkaClusterState): KafkaSnapshot {
  const topics = Object.fromEntries(
    kafka
      .topicNames()
      .map((t) => [t, (kafka.partitions(t) ?? []).map((p) => ({ logStart: p.logStart, end: p.end }))]),
  );
  const groups = Object.fromEntries(
    kafka.groupIds().map((id) => {
      const g = kafka.describeGroup(id)!;
      const members = g.members.map((m) => ({
        ...m,
        assignment: Object.fromEntries(Object.entries(m.assignment).map(([t, ps]) => [t, [...ps]])),
      }));
      return [id, { state: g.state, members, offsets: g.offsets.map((o) => ({ ...o })) }];
    }),
  );
  return { topics, groups };
}

export function restoreKafka(kafka: KafkaClusterState, saved: KafkaSnapshot): void {
  for (const [t, partitions] of Object.entries(saved.topics)) kafka.createTopic(t, { partitions });
  for (const [id, g] of Object.entries(saved.groups)) {
    const offsets: Record<string, Record<number, number>> = {};
    for (const o of g.offsets) {
      const byPartition = offsets[o.topic] ?? {};
      byPartition[o.partition] = o.offset;
      offsets[o.topic] = byPartition;
    }
    kafka.createGroup(id, { state: g.state, members: g.members, offsets });
  }
}
