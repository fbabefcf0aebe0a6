/**
 * The consumer lag of Kafka consumer groups: the contract the `kafka-lag` executor sees. The one
 * implementation, over kafkajs's admin client, is in kafka-admin.ts (`createKafkaLagClient`), the only
 * file that imports kafkajs (2.2.4, pinned and unmaintained).
 *
 * Strictly read-only: the client lists and describes groups and reads offsets; it never commits or
 * resets an offset and never joins a group.
 */

/** The lag of one partition for one group. Offsets are numbers: Kafka's int64 offsets stay below 2^53. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** The group's committed offset; null when the group has none for this partition. */
  readonly committed: number | null;
  /** The first offset the partition still holds (older messages were deleted by retention). */
  readonly logStart: number;
  /** The end offset (high watermark): the offset the next message will get. */
  readonly end: number;
  /** Messages still to read: see `partitionLag` in kafka-admin.ts for how it is counted. */
  readonly lag: number;
}

export interface GroupLag {
  readonly groupId: string;
  /** The group's state as the coordinator reports it: Stable, Empty, PreparingRebalance, Dead, ... */
  readonly state: string;
  readonly members: number;
  /** The sum of its partitions' lag. */
  readonly lag: number;
  /** Every partition of every topic the group has committed offsets on or is assigned, by topic, partition. */
  readonly partitions: readonly PartitionLag[];
  /** Topics the group has offsets on that the cluster does not have (any more); not counted. */
  readonly missingTopics: readonly string[];
}

export interface LagReport {
  readonly prefix: string;
  readonly brokers: readonly string[];
  /** The groups whose id starts with the prefix, sorted by id. Empty when none does. */
  readonly groups: readonly GroupLag[];
  /** The sum of the groups' lag. */
  readonly total: number;
  /** The ids of the cluster's other groups, sorted: what to look at when no group matches. */
  readonly otherGroups: readonly string[];
}

export interface KafkaLagClient {
  readonly brokers: readonly string[];
  /**
   * Reads the lag of every consumer group whose id starts with `groupPrefix` (no group matching is not an
   * error: the report has no groups). Connects on first use and stays connected until `close` or a
   * failure. Throws a StepFailure: transient when the brokers cannot be reached or are busy, not transient
   * when the client is not authorized. When `signal` aborts, the call rejects at once with its reason.
   */
  lag(groupPrefix: string, signal?: AbortSignal): Promise<LagReport>;
  /** Disconnects. A later `lag` connects again. */
  close(): Promise<void>;
}

export interface KafkaLagClientOptions {
  /** host:port of the bootstrap brokers (a site's `kafka.bootstrap`). */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** How long a connection may take; default 3 s. */
  readonly connectionTimeoutMs?: number;
  /** How long a request may take; default 10 s. */
  readonly requestTimeoutMs?: number;
  /** How often kafkajs retries a failed connection or request; default 1, so a dead broker shows in seconds. */
  readonly retries?: number;
  /** How many groups or topics are read at once; default 8. */
  readonly concurrency?: number;
  /** Where kafkajs's own log goes (a debug sink); by default nowhere, and never to the console. */
  readonly log?: (line: string) => void;
  readonly logLevel?: "error" | "warn" | "info" | "debug";
}

/** The admin requests `lag` makes, in words, for a dry run and the checklist. */
export function describeLagCalls(groupPrefix: string, brokers: readonly string[]): string[] {
  return [
    `kafkajs admin client on ${brokers.join(", ")} (read-only: commits no offset, joins no group)`,
    "ApiVersions and Metadata on connecting; each read: Metadata, then ListGroups on every broker",
    `for each group whose id starts with "${groupPrefix}": FindCoordinator, DescribeGroups, OffsetFetch (all topics)`,
    "Metadata (all topics), then for each topic those groups have offsets on or are assigned: " +
      "Metadata, ListOffsets (earliest, latest)",
  ];
}
