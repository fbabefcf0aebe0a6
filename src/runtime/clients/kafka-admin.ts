import { type Admin, AssignerProtocol, Kafka, type LogEntry, logLevel } from "kafkajs";
import type { PlanSite } from "../../ir/schema.js";
import { StepFailure } from "../executor.js";
import type { GroupLag, KafkaLagClient, KafkaLagClientOptions, LagReport, PartitionLag } from "./kafka.js";
import { hasErrorType, kafkaFailure } from "./kafka-errors.js";

/**
 * The KafkaLagClient over kafkajs 2.2.4's admin client. This is the only file that imports kafkajs; keep
 * it so. Only admin calls are made (listGroups, describeGroups, fetchOffsets, listTopics,
 * fetchTopicOffsets): no consumer or producer is created, no offset is committed or reset.
 */

/**
 * The lag of a partition: the messages from where the group will read next to the end,
 * `end - max(committed, logStart)`, never below 0. A partition without a committed offset counts from the
 * log start, that is every message it still holds.
 * NOTE: counting a partition without a committed offset as 0 would let the wait pass while old messages
 * sit in a topic that a consumer (telegraf reads from the oldest offset by default) would read after the
 * upgrade, which is exactly what the wait is there to prevent; counting from the log start can over-count
 * for a consumer that starts at the latest offset, which makes the wait longer, never wrong. Likewise a
 * committed offset below the log start counts from the log start: the messages before it are gone and
 * will never be read (kafka-consumer-groups.sh would show `end - committed` there).
 */
export function partitionLag(committed: number | null, logStart: number, end: number): number {
  const from = committed === null ? logStart : Math.max(committed, logStart);
  return Math.max(0, end - from);
}

/** A client for the given brokers. Throws an Error when there are none (a site without Kafka). */
export function createKafkaLagClient(options: KafkaLagClientOptions): KafkaLagClient {
  if (options.brokers.length === 0) throw new Error("a Kafka lag client needs at least one broker");
  return new KafkajsLagClient(options);
}

/**
 * The lag client of a site, from its `kafka.bootstrap`; undefined when the site gives no Kafka brokers
 * (the `kafka-lag` executor then fails the step with that reason before asking for a client).
 */
export function kafkaLagClientForSite(
  site: PlanSite,
  options: Omit<KafkaLagClientOptions, "brokers"> = {},
): KafkaLagClient | undefined {
  const brokers = site.kafka?.bootstrap ?? [];
  return brokers.length > 0 ? createKafkaLagClient({ ...options, brokers }) : undefined;
}

const LEVELS = { error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG };

class KafkajsLagClient implements KafkaLagClient {
  readonly brokers: readonly string[];
  /** The admin client, kept between reads so that kafkajs's topic metadata stays warm, and its connecting. */
  private current: { readonly admin: Admin; readonly connected: Promise<void> } | undefined;

  constructor(private readonly options: KafkaLagClientOptions) {
    this.brokers = [...options.brokers];
  }

  async lag(groupPrefix: string, signal?: AbortSignal): Promise<LagReport> {
    signal?.throwIfAborted();
    const reading = (async () => this.read(await this.admin(), groupPrefix))();
    try {
      return await abortable(reading, signal);
    } catch (e) {
      // NOTE: after any failure the admin client is dropped and the next read starts afresh: kafkajs keeps
      // the topics it has seen and refreshes their metadata together, so one deleted topic would fail
      // every later read of the same client.
      if (!signal?.aborted) await this.reset();
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.reset();
  }

  private async admin(): Promise<Admin> {
    if (!this.current) {
      const admin = this.newAdmin();
      this.current = { admin, connected: this.call("connecting", () => admin.connect()) };
    }
    await this.current.connected;
    return this.current.admin;
  }

  private async reset(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await current?.connected.catch(() => {});
    await current?.admin.disconnect().catch(() => {});
  }

  private newAdmin(): Admin {
    const sink = this.options.log;
    const kafka = new Kafka({
      clientId: this.options.clientId ?? "plan",
      brokers: [...this.brokers],
      connectionTimeout: this.options.connectionTimeoutMs ?? 3000,
      requestTimeout: this.options.requestTimeoutMs ?? 10_000,
      retry: { retries: this.options.retries ?? 1, initialRetryTime: 250, maxRetryTime: 2000 },
      logLevel: sink ? LEVELS[this.options.logLevel ?? "warn"] : logLevel.NOTHING,
      // NOTE: kafkajs logs to the console unless given a logCreator; this one never does, whatever
      // KAFKAJS_LOG_LEVEL says.
      logCreator: () => (entry: LogEntry) =>
        sink?.(`kafkajs ${entry.label} ${entry.namespace}: ${entry.log.message}`),
    });
    return kafka.admin();
  }

  private async call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw kafkaFailure(e, doing, this.brokers);
    }
  }

  private async read(admin: Admin, prefix: string): Promise<LagReport> {
    const listed = await this.call("listing the consumer groups", () => admin.listGroups());
    const ids = [...new Set(listed.groups.map((g) => g.groupId))].sort();
    const matching = ids.filter((id) => id.startsWith(prefix));
    const otherGroups = ids.filter((id) => !id.startsWith(prefix));
    if (matching.length === 0) return { prefix, brokers: this.brokers, groups: [], total: 0, otherGroups };

    const described = await this.call(`describing the consumer groups ${prefix}*`, () =>
      admin.describeGroups(matching),
    );
    const committed = await mapLimit(matching, this.concurrency, (groupId) =>
      this.call(`reading the committed offsets of consumer group ${groupId}`, () =>
        admin.fetchOffsets({ groupId }),
      ),
    );
    const groups = matching.map((groupId, i) => {
      const d = described.groups.find((g) => g.groupId === groupId);
      const offsets = new Map<string, Map<number, number>>();
      for (const t of committed[i] ?? []) {
        for (const p of t.partitions) {
          const offset = Number(p.offset);
          if (offset < 0) continue;
          if (!offsets.has(t.topic)) offsets.set(t.topic, new Map());
          offsets.get(t.topic)!.set(p.partition, offset);
        }
      }
      // NOTE: every partition of a topic the group has offsets on or is assigned counts, as for a consumer
      // that subscribes to whole topics (telegraf, salobj); Kafka leaves a topic the client may not
      // describe out of an all-topics OffsetFetch, so such a topic is only seen through an assignment.
      const assigned = d?.protocolType === "consumer" ? assignedTopics(d.members) : [];
      const topics = [...new Set([...offsets.keys(), ...assigned])].sort();
      return { groupId, state: d?.state ?? "Dead", members: d?.members.length ?? 0, offsets, topics };
    });

    const logOf = await this.topicLogs(admin, [...new Set(groups.flatMap((g) => g.topics))].sort());
    const result: GroupLag[] = groups.map((g) => {
      const partitions: PartitionLag[] = [];
      const missingTopics: string[] = [];
      for (const topic of g.topics) {
        const log = logOf.get(topic);
        if (!log) {
          missingTopics.push(topic);
          continue;
        }
        for (const { partition, low, high } of log) {
          const c = g.offsets.get(topic)?.get(partition) ?? null;
          partitions.push({
            topic,
            partition,
            committed: c,
            logStart: low,
            end: high,
            lag: partitionLag(c, low, high),
          });
        }
      }
      const lag = partitions.reduce((sum, p) => sum + p.lag, 0);
      return { groupId: g.groupId, state: g.state, members: g.members, lag, partitions, missingTopics };
    });
    const total = result.reduce((sum, g) => sum + g.lag, 0);
    return { prefix, brokers: this.brokers, groups: result, total, otherGroups };
  }

  /**
   * Each topic's partitions with their log start and end; a topic the cluster does not have is absent.
   * The topics the cluster lists are read in parallel; any other (deleted, or not visible to this client)
   * is then read alone, so that its error cannot be taken for another topic's: kafkajs refreshes the
   * metadata of every topic it has seen at once, and an error for one fails them all.
   * NOTE: kafkajs 2.2.4's admin reads one topic per call (two ListOffsets requests) and refreshes the
   * metadata when it meets a new topic, so the first read of a client costs a Metadata round trip per
   * topic; later reads of the same client only the ListOffsets.
   */
  private async topicLogs(
    admin: Admin,
    topics: readonly string[],
  ): Promise<Map<string, TopicLog | undefined>> {
    const existing = new Set(
      await this.call("listing the topics", async () => {
        try {
          return await admin.listTopics();
        } catch (e) {
          // NOTE: kafkajs 2.2.4 answers a metadata request that no broker answered with a TypeError.
          if (!(e instanceof TypeError)) throw e;
          const where = this.brokers.join(", ");
          throw new StepFailure(
            `no Kafka broker at ${where} answered while listing the topics`,
            undefined,
            true,
          );
        }
      }),
    );
    const listed = topics.filter((t) => existing.has(t));
    const logs = await mapLimit(listed, this.concurrency, (topic) => this.topicLog(admin, topic, true));
    const out = new Map<string, TopicLog | undefined>(listed.map((t, i) => [t, logs[i]]));
    for (const topic of topics.filter((t) => !existing.has(t)))
      out.set(topic, await this.topicLog(admin, topic, false));
    return out;
  }

  private async topicLog(admin: Admin, topic: string, listed: boolean): Promise<TopicLog | undefined> {
    const doing = `reading the offsets of topic ${topic}`;
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets
        .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }))
        .sort((a, b) => a.partition - b.partition);
    } catch (e) {
      if (!hasErrorType(e, "UNKNOWN_TOPIC_OR_PARTITION")) throw kafkaFailure(e, doing, this.brokers);
      if (!listed) return undefined;
      throw new StepFailure(`the topics changed while ${doing} (a topic was deleted)`, undefined, true);
    }
  }

  private get concurrency(): number {
    return Math.max(1, this.options.concurrency ?? 8);
  }
}

type TopicLog = { partition: number; low: number; high: number }[];

/** The promise, or a rejection with the signal's reason as soon as it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** The topics assigned to a group's members, from their consumer-protocol assignments. */
function assignedTopics(members: readonly { memberAssignment: Buffer }[]): string[] {
  const topics: string[] = [];
  for (const m of members) {
    try {
      const decoded = m.memberAssignment?.length
        ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment)
        : null;
      if (decoded) topics.push(...Object.keys(decoded.assignment));
    } catch {
      // NOTE: an assignment that is not in the consumer protocol's layout names no topics; the group's
      // committed offsets still do.
    }
  }
  return topics;
}

/** Maps `items` through `fn`, at most `limit` at a time, keeping the order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
