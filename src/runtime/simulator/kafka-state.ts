import type { Clock } from "../executor.js";

/**
 * The state of a simulated Kafka cluster: topics with partitions (log start and end offsets), consumer
 * groups with members and committed offsets, consumers that drain their lag over time, and access
 * rules. Time comes from a Clock, so a simulated site can compress it; nothing here touches the network.
 * Bad input to the seeding methods (a negative offset, a log start after the end, an unknown topic or
 * group) throws an Error: it is a mistake in a test or a scenario, not a state the cluster can be in.
 */

/** One partition's log: the first offset still retained and the offset the next message gets. */
export interface PartitionSeed {
  readonly logStart?: number;
  readonly end: number;
}

/** A topic: a number of empty partitions, or each partition's offsets. */
export interface TopicSeed {
  readonly partitions: number | readonly PartitionSeed[];
}

/** The states a classic consumer group reports in DescribeGroups. */
export type GroupState = "Stable" | "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Dead";

/** A member of a group and the partitions assigned to it, by topic. */
export interface MemberSeed {
  readonly memberId?: string;
  readonly clientId?: string;
  readonly clientHost?: string;
  readonly assignment: Readonly<Record<string, readonly number[]>>;
}

export interface GroupSeed {
  /** Default: `Stable` when it has members, `Empty` otherwise. */
  readonly state?: GroupState;
  /** Default `consumer`, the protocol type of every Kafka consumer (Java, sarama, aiokafka, kafkajs). */
  readonly protocolType?: string;
  /** The assignor's name; default `range`. */
  readonly protocol?: string;
  readonly members?: readonly MemberSeed[];
  /** Committed offsets: topic -> partition -> offset. */
  readonly offsets?: Readonly<Record<string, Readonly<Record<number, number>>>>;
}

export interface PartitionView {
  readonly partition: number;
  readonly logStart: number;
  readonly end: number;
}

export interface MemberView {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
  readonly assignment: Readonly<Record<string, readonly number[]>>;
}

export interface GroupView {
  readonly groupId: string;
  readonly state: GroupState;
  readonly protocolType: string;
  readonly protocol: string;
  readonly members: readonly MemberView[];
  /** Committed offsets, sorted by topic then partition. */
  readonly offsets: readonly {
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
  }[];
}

interface Group {
  state: GroupState;
  protocolType: string;
  protocol: string;
  members: MemberView[];
  offsets: Map<string, Map<number, number>>;
}

interface Drain {
  readonly perSecond: number;
  /** The clock time up to which consumption has been applied. */
  last: number;
}

export class KafkaClusterState {
  private readonly topics = new Map<string, { logStart: number; end: number }[]>();
  private readonly groups = new Map<string, Group>();
  private readonly drains = new Map<string, Drain>();
  private readonly deniedTopics = new Set<string>();
  private readonly deniedGroups = new Set<string>();

  constructor(private readonly clock: Clock) {}

  /** Creates (or replaces) a topic. */
  createTopic(name: string, seed: TopicSeed): void {
    this.settle();
    const seeds: readonly PartitionSeed[] =
      typeof seed.partitions === "number"
        ? Array.from({ length: seed.partitions }, () => ({ end: 0 }))
        : seed.partitions;
    if (seeds.length === 0) throw new Error(`topic ${name}: a topic has at least one partition`);
    this.topics.set(
      name,
      seeds.map((p, i) => checkedLog(`${name}/${i}`, p.logStart ?? 0, p.end)),
    );
  }

  deleteTopic(name: string): void {
    this.settle();
    this.topics.delete(name);
  }

  /** Moves a partition's log start (retention) and/or end (new messages). */
  setPartition(topic: string, partition: number, change: Partial<PartitionSeed>): void {
    this.settle();
    const log = this.log(topic, partition);
    Object.assign(
      log,
      checkedLog(`${topic}/${partition}`, change.logStart ?? log.logStart, change.end ?? log.end),
    );
  }

  /** Appends `count` messages to one partition, or to every partition of the topic. */
  produce(topic: string, count: number, partition?: number): void {
    if (!Number.isSafeInteger(count) || count < 0)
      throw new Error(`topic ${topic}: cannot produce ${count} messages`);
    this.settle();
    const logs = partition === undefined ? this.logs(topic) : [this.log(topic, partition)];
    for (const log of logs) log.end += count;
  }

  /** Creates (or replaces) a consumer group. Its offsets may name topics that do not exist (any more). */
  createGroup(groupId: string, seed: GroupSeed = {}): void {
    this.settle();
    const members = (seed.members ?? []).map((m, i) => ({
      memberId: m.memberId ?? `${groupId}-member-${i + 1}`,
      clientId: m.clientId ?? `${groupId}-client`,
      clientHost: m.clientHost ?? `/10.0.0.${i + 1}`,
      assignment: m.assignment,
    }));
    const offsets = new Map<string, Map<number, number>>();
    for (const [topic, byPartition] of Object.entries(seed.offsets ?? {})) {
      for (const [partition, offset] of Object.entries(byPartition)) {
        if (offset < 0) throw new Error(`group ${groupId}: negative offset for ${topic}/${partition}`);
        if (!offsets.has(topic)) offsets.set(topic, new Map());
        offsets.get(topic)!.set(Number(partition), offset);
      }
    }
    this.groups.set(groupId, {
      state: seed.state ?? (members.length > 0 ? "Stable" : "Empty"),
      protocolType: seed.protocolType ?? "consumer",
      protocol: seed.protocol ?? "range",
      members,
      offsets,
    });
  }

  deleteGroup(groupId: string): void {
    this.settle();
    this.groups.delete(groupId);
    this.drains.delete(groupId);
  }

  setGroupState(groupId: string, state: GroupState): void {
    this.group(groupId).state = state;
  }

  /** Sets a group's committed offset, as its consumer would (the double never accepts this over the wire). */
  commit(groupId: string, topic: string, partition: number, offset: number): void {
    this.settle();
    if (offset < 0) throw new Error(`group ${groupId}: negative offset for ${topic}/${partition}`);
    const offsets = this.group(groupId).offsets;
    if (!offsets.has(topic)) offsets.set(topic, new Map());
    offsets.get(topic)!.set(partition, offset);
  }

  /**
   * Starts the group's consumers: from now on (clock time) each partition it has a committed offset for
   * moves towards the end at `perSecond` messages a second, and keeps up with new messages. Partitions
   * without a committed offset are left alone. A group that is not draining keeps its lag for ever.
   */
  drain(groupId: string, perSecond: number): void {
    this.settle();
    this.group(groupId);
    if (!(perSecond > 0)) throw new Error(`group ${groupId}: a drain rate is a positive number`);
    this.drains.set(groupId, { perSecond, last: this.clock.now() });
  }

  stopDraining(groupId: string): void {
    this.settle();
    this.drains.delete(groupId);
  }

  /**
   * Access rules, as ACLs would set them for the client's principal. A denied topic is left out of
   * all-topic metadata and of all-topic offset fetches, and answers TOPIC_AUTHORIZATION_FAILED when
   * named; a denied group is still listed (the principal may describe the cluster) but answers
   * GROUP_AUTHORIZATION_FAILED to FindCoordinator, DescribeGroups and OffsetFetch.
   */
  setAccess(access: { readonly topic: string } | { readonly group: string }, allowed: boolean): void {
    const [set, name] =
      "topic" in access ? [this.deniedTopics, access.topic] : [this.deniedGroups, access.group];
    if (allowed) set.delete(name);
    else set.add(name);
  }

  topicDenied(topic: string): boolean {
    return this.deniedTopics.has(topic);
  }

  groupDenied(groupId: string): boolean {
    return this.deniedGroups.has(groupId);
  }

  /** Topic names, sorted. */
  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }

  /** A topic's partitions, or undefined when there is no such topic. */
  partitions(topic: string): PartitionView[] | undefined {
    this.settle();
    return this.topics.get(topic)?.map((log, partition) => ({ partition, ...log }));
  }

  /** Group ids, sorted. */
  groupIds(): string[] {
    return [...this.groups.keys()].sort();
  }

  /** A snapshot of a group, or undefined when there is no such group. */
  describeGroup(groupId: string): GroupView | undefined {
    this.settle();
    const g = this.groups.get(groupId);
    if (!g) return undefined;
    const offsets = [...g.offsets]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .flatMap(([topic, byPartition]) =>
        [...byPartition]
          .sort(([a], [b]) => a - b)
          .map(([partition, offset]) => ({ topic, partition, offset })),
      );
    return {
      groupId,
      state: g.state,
      protocolType: g.protocolType,
      protocol: g.protocol,
      members: g.members,
      offsets,
    };
  }

  /** The group's committed offset for a partition, or undefined when it has none. */
  committed(groupId: string, topic: string, partition: number): number | undefined {
    this.settle();
    return this.groups.get(groupId)?.offsets.get(topic)?.get(partition);
  }

  /** Applies the consumption of draining groups up to the clock's now. */
  private settle(): void {
    const now = this.clock.now();
    for (const [groupId, drain] of this.drains) {
      const group = this.groups.get(groupId);
      const steps = Math.floor(((now - drain.last) * drain.perSecond) / 1000);
      if (!group || steps <= 0) continue;
      drain.last += (steps * 1000) / drain.perSecond;
      for (const [topic, byPartition] of group.offsets) {
        const logs = this.topics.get(topic);
        for (const [partition, offset] of byPartition) {
          const end = logs?.[partition]?.end;
          if (end !== undefined && offset < end) byPartition.set(partition, Math.min(end, offset + steps));
        }
      }
    }
  }

  private group(groupId: string): Group {
    const g = this.groups.get(groupId);
    if (!g) throw new Error(`no consumer group ${groupId}`);
    return g;
  }

  private logs(topic: string): { logStart: number; end: number }[] {
    const logs = this.topics.get(topic);
    if (!logs) throw new Error(`no topic ${topic}`);
    return logs;
  }

  private log(topic: string, partition: number): { logStart: number; end: number } {
    const log = this.logs(topic)[partition];
    if (!log) throw new Error(`topic ${topic} has no partition ${partition}`);
    return log;
  }
}

function checkedLog(where: string, logStart: number, end: number): { logStart: number; end: number } {
  if (!Number.isSafeInteger(logStart) || !Number.isSafeInteger(end) || logStart < 0 || end < logStart) {
    throw new Error(`${where}: offsets must be integers with 0 <= logStart <= end, got ${logStart}..${end}`);
  }
  return { logStart, end };
}
