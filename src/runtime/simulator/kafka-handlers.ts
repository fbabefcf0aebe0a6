import type { KafkaClusterState, MemberView } from "./kafka-state.js";
import { ADVERTISED_VERSIONS, ErrorCode, type KafkaReader, KafkaWriter } from "./kafka-wire.js";

/**
 * The read-only APIs the broker double answers, each in the versions kafkajs 2.2.4 negotiates with a
 * Kafka 3.x broker. Layouts follow the protocol guide (https://kafka.apache.org/protocol.html); each
 * handler reads the request body and returns the response body (the header is the caller's).
 */

/** Who this broker is, as Metadata and FindCoordinator name it. */
export interface BrokerIdentity {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly clusterId: string;
}

type Handler = (
  request: KafkaReader,
  version: number,
  state: KafkaClusterState,
  self: BrokerIdentity,
) => Buffer;

/** The implemented APIs by key: which versions, and the handler. Anything else closes the connection. */
export const HANDLERS: Readonly<
  Record<number, { readonly versions: readonly number[]; readonly handle: Handler }>
> = {
  18: { versions: [0, 1, 2, 3, 4], handle: apiVersions },
  3: { versions: [0, 1, 2, 3, 4, 5, 6], handle: metadata },
  10: { versions: [2], handle: findCoordinator },
  16: { versions: [2], handle: listGroups },
  15: { versions: [2], handle: describeGroups },
  9: { versions: [4], handle: offsetFetch },
  2: { versions: [3], handle: listOffsets },
};

/**
 * ApiVersions v0-v2: error_code [api_key min_version max_version] throttle_time_ms (v1+).
 * NOTE: a version above 2 gets UNSUPPORTED_VERSION in the v0 layout with the supported ranges, as a
 * broker answers a version it does not know (KIP-511); a real 3.x broker would answer v3 in the flexible
 * layout, which kafkajs never sends.
 */
function apiVersions(_request: KafkaReader, version: number): Buffer {
  const w = new KafkaWriter();
  w.int16(version > 2 ? ErrorCode.UNSUPPORTED_VERSION : ErrorCode.NONE);
  w.array(ADVERTISED_VERSIONS, (w, [key, min, max]) => w.int16(key).int16(min).int16(max));
  if (version >= 1 && version <= 2) w.int32(0);
  return w.toBuffer();
}

/**
 * Metadata v0-v6 (kafkajs sends v6; librdkafka, as in kcat, v4). Request: [topics] (v0: empty means all;
 * v1+: null means all), allow_auto_topic_creation (v4+). Response: throttle_time_ms (v3+), [brokers:
 * node_id host port rack (v1+)], cluster_id (v2+), controller_id (v1+), [topics: error_code name
 * is_internal (v1+) [partitions: error_code partition_index leader_id [replica_nodes] [isr_nodes]
 * [offline_replicas] (v5+)]]. This broker leads every partition. Topics are never created on request.
 */
function metadata(request: KafkaReader, v: number, state: KafkaClusterState, self: BrokerIdentity): Buffer {
  const listed = request.array((r) => r.string() ?? "");
  if (v >= 4) request.bool();
  const asked = v === 0 && listed?.length === 0 ? null : listed;
  const names = asked ?? state.topicNames().filter((t) => !state.topicDenied(t));
  const w = new KafkaWriter();
  if (v >= 3) w.int32(0);
  w.array([self], (w, b) => {
    w.int32(b.nodeId).string(b.host).int32(b.port);
    if (v >= 1) w.string(null);
  });
  if (v >= 2) w.string(self.clusterId);
  if (v >= 1) w.int32(self.nodeId);
  w.array(names, (w, name) => {
    const partitions = state.partitions(name);
    const error = state.topicDenied(name)
      ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
      : partitions
        ? ErrorCode.NONE
        : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    w.int16(error).string(name);
    if (v >= 1) w.bool(false);
    w.array(error === ErrorCode.NONE ? (partitions ?? []) : [], (w, p) => {
      const replicas = [self.nodeId];
      w.int16(ErrorCode.NONE).int32(p.partition).int32(self.nodeId);
      w.array(replicas, (w, n) => w.int32(n));
      w.array(replicas, (w, n) => w.int32(n));
      if (v >= 5) w.array([], (w, n: number) => w.int32(n));
    });
  });
  return w.toBuffer();
}

/**
 * FindCoordinator v2. Request: key key_type. Response: throttle_time_ms error_code error_message node_id
 * host port. This broker coordinates every group.
 */
function findCoordinator(
  request: KafkaReader,
  _v: number,
  state: KafkaClusterState,
  self: BrokerIdentity,
): Buffer {
  const key = request.string() ?? "";
  const keyType = request.int8();
  const w = new KafkaWriter().int32(0);
  if (keyType === 0 && state.groupDenied(key)) {
    return w
      .int16(ErrorCode.GROUP_AUTHORIZATION_FAILED)
      .string("Not authorized")
      .int32(-1)
      .string("")
      .int32(-1)
      .toBuffer();
  }
  return w
    .int16(ErrorCode.NONE)
    .string(null)
    .int32(self.nodeId)
    .string(self.host)
    .int32(self.port)
    .toBuffer();
}

/** ListGroups v2. Request: empty. Response: throttle_time_ms error_code [groups: group_id protocol_type]. */
function listGroups(_request: KafkaReader, _v: number, state: KafkaClusterState): Buffer {
  const groups = state.groupIds().flatMap((id) => {
    const g = state.describeGroup(id);
    return g && g.state !== "Dead" ? [g] : [];
  });
  const w = new KafkaWriter().int32(0).int16(ErrorCode.NONE);
  return w.array(groups, (w, g) => w.string(g.groupId).string(g.protocolType)).toBuffer();
}

/**
 * DescribeGroups v2. Request: [groups]. Response: throttle_time_ms [groups: error_code group_id
 * group_state protocol_type protocol_data [members: member_id client_id client_host member_metadata
 * member_assignment]]. An unknown group is `Dead` with no error, as a 3.x broker answers below v6.
 * Member metadata and assignments are in the consumer protocol's v0 layout.
 */
function describeGroups(request: KafkaReader, _v: number, state: KafkaClusterState): Buffer {
  const ids = request.array((r) => r.string() ?? "") ?? [];
  const w = new KafkaWriter().int32(0);
  w.array(ids, (w, id) => {
    if (state.groupDenied(id)) {
      w.int16(ErrorCode.GROUP_AUTHORIZATION_FAILED).string(id).string("").string("").string("");
      w.array([], () => {});
      return;
    }
    const g = state.describeGroup(id);
    if (!g) {
      w.int16(ErrorCode.NONE)
        .string(id)
        .string("Dead")
        .string("")
        .string("")
        .array([], () => {});
      return;
    }
    const stable = g.state === "Stable";
    w.int16(ErrorCode.NONE)
      .string(id)
      .string(g.state)
      .string(g.protocolType)
      .string(stable ? g.protocol : "");
    w.array(g.members, (w, m) => {
      w.string(m.memberId).string(m.clientId).string(m.clientHost);
      w.bytes(subscription(m)).bytes(stable ? assignment(m) : Buffer.alloc(0));
    });
  });
  return w.toBuffer();
}

/** ConsumerProtocolSubscription v0: version [topics] user_data. */
function subscription(m: MemberView): Buffer {
  const w = new KafkaWriter().int16(0);
  return w
    .array(Object.keys(m.assignment).sort(), (w, t) => w.string(t))
    .bytes(null)
    .toBuffer();
}

/** ConsumerProtocolAssignment v0: version [assigned_partitions: topic [partitions]] user_data. */
function assignment(m: MemberView): Buffer {
  const w = new KafkaWriter().int16(0);
  w.array(Object.entries(m.assignment), (w, [topic, partitions]) =>
    w.string(topic).array(partitions, (w, p) => w.int32(p)),
  );
  return w.bytes(null).toBuffer();
}

/**
 * OffsetFetch v4. Request: group_id [topics: name [partition_indexes]] (null: every committed offset).
 * Response: throttle_time_ms [topics: name [partitions: partition_index committed_offset metadata
 * error_code]] error_code. A partition without a committed offset answers -1; with all topics, topics
 * the principal may not describe are left out, as Kafka does.
 */
function offsetFetch(request: KafkaReader, _v: number, state: KafkaClusterState): Buffer {
  const groupId = request.string() ?? "";
  const asked = request.array((r) => ({
    name: r.string() ?? "",
    partitions: r.array((r) => r.int32()) ?? [],
  }));
  const w = new KafkaWriter().int32(0);
  if (state.groupDenied(groupId))
    return w
      .array([], () => {})
      .int16(ErrorCode.GROUP_AUTHORIZATION_FAILED)
      .toBuffer();
  const committed = state.describeGroup(groupId)?.offsets ?? [];
  const topics =
    asked ??
    [...new Set(committed.map((o) => o.topic))]
      .filter((t) => !state.topicDenied(t))
      .map((name) => ({
        name,
        partitions: committed.filter((o) => o.topic === name).map((o) => o.partition),
      }));
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      const denied = state.topicDenied(t.name);
      const offset = denied ? -1 : (state.committed(groupId, t.name, p) ?? -1);
      w.int32(p).int64(offset).string("");
      w.int16(denied ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.NONE);
    });
  });
  return w.int16(ErrorCode.NONE).toBuffer();
}

const LATEST = -1n;
const EARLIEST = -2n;

/**
 * ListOffsets v3. Request: replica_id isolation_level [topics: name [partitions: partition_index
 * timestamp]]. Response: throttle_time_ms [topics: name [partitions: partition_index error_code
 * timestamp offset]]. Timestamp -1 asks for the end (the high watermark; with no transactions it is also
 * the last stable offset that read_committed gets), -2 for the log start.
 * NOTE: messages carry no timestamps here, so a lookup by time answers -1 (no such message).
 */
function listOffsets(request: KafkaReader, _v: number, state: KafkaClusterState): Buffer {
  request.int32();
  request.int8();
  const topics =
    request.array((r) => ({
      name: r.string() ?? "",
      partitions: r.array((r) => ({ partition: r.int32(), timestamp: r.int64() })) ?? [],
    })) ?? [];
  const w = new KafkaWriter().int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name);
    const logs = state.partitions(t.name);
    w.array(t.partitions, (w, p) => {
      const log = logs?.[p.partition];
      if (state.topicDenied(t.name) || !log) {
        const error = state.topicDenied(t.name)
          ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
          : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        w.int32(p.partition).int16(error).int64(-1).int64(-1);
        return;
      }
      const offset = p.timestamp === LATEST ? log.end : p.timestamp === EARLIEST ? log.logStart : -1;
      w.int32(p.partition).int16(ErrorCode.NONE).int64(-1).int64(offset);
    });
  });
  return w.toBuffer();
}
