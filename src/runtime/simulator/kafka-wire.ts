/**
 * The primitive types of the Kafka wire protocol (https://kafka.apache.org/protocol.html#protocol_types),
 * big-endian, for the non-flexible message versions that the broker double speaks: INT8/16/32/64,
 * BOOLEAN, STRING and NULLABLE_STRING (INT16 length, -1 for null), BYTES and NULLABLE_BYTES (INT32
 * length), ARRAY (INT32 count, -1 for null).
 */

/** A request the double cannot read: too short, or a length that runs past the end of the frame. */
export class KafkaDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KafkaDecodeError";
  }
}

/** Reads one request body. Every read checks the bounds and throws KafkaDecodeError past the end. */
export class KafkaReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  private take(n: number): number {
    if (n < 0 || this.offset + n > this.buffer.length) {
      throw new KafkaDecodeError(`needs ${n} bytes at offset ${this.offset}, has ${this.buffer.length}`);
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  int8(): number {
    return this.buffer.readInt8(this.take(1));
  }
  int16(): number {
    return this.buffer.readInt16BE(this.take(2));
  }
  int32(): number {
    return this.buffer.readInt32BE(this.take(4));
  }
  int64(): bigint {
    return this.buffer.readBigInt64BE(this.take(8));
  }
  bool(): boolean {
    return this.int8() !== 0;
  }
  /** STRING or NULLABLE_STRING: null when the length is -1. */
  string(): string | null {
    const length = this.int16();
    if (length === -1) return null;
    const at = this.take(length);
    return this.buffer.toString("utf8", at, at + length);
  }
  /** An ARRAY; null when the count is -1. */
  array<T>(read: (reader: KafkaReader) => T): T[] | null {
    const count = this.int32();
    if (count === -1) return null;
    if (count < 0 || count > this.buffer.length - this.offset) {
      throw new KafkaDecodeError(`array of ${count} items at offset ${this.offset - 4}`);
    }
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(read(this));
    return items;
  }
  /** Bytes not read yet. */
  remaining(): number {
    return this.buffer.length - this.offset;
  }
}

/** Writes one response body; `toBuffer` concatenates what was written. */
export class KafkaWriter {
  private readonly chunks: Buffer[] = [];

  private push(size: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(size);
    write(b);
    this.chunks.push(b);
    return this;
  }

  int8(v: number): this {
    return this.push(1, (b) => b.writeInt8(v));
  }
  int16(v: number): this {
    return this.push(2, (b) => b.writeInt16BE(v));
  }
  int32(v: number): this {
    return this.push(4, (b) => b.writeInt32BE(v));
  }
  int64(v: number | bigint): this {
    return this.push(8, (b) => b.writeBigInt64BE(BigInt(v)));
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  /** STRING, or NULLABLE_STRING when `v` is null. */
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const bytes = Buffer.from(v, "utf8");
    this.int16(bytes.length);
    this.chunks.push(bytes);
    return this;
  }
  /** BYTES, or NULLABLE_BYTES when `v` is null. */
  bytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    this.chunks.push(v);
    return this;
  }
  /** An ARRAY of items, each written by `write`; a null array when `items` is null. */
  array<T>(items: readonly T[] | null, write: (writer: this, item: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const item of items) write(this, item);
    return this;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** The error codes the double answers with (https://kafka.apache.org/protocol.html#protocol_error_codes). */
export const ErrorCode = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  UNSUPPORTED_VERSION: 35,
} as const;

/** The name of every API key a Kafka 3.x broker knows, by key, as the protocol guide spells them. */
export const API_NAMES: Readonly<Record<number, string>> = {
  0: "Produce",
  1: "Fetch",
  2: "ListOffsets",
  3: "Metadata",
  4: "LeaderAndIsr",
  5: "StopReplica",
  6: "UpdateMetadata",
  7: "ControlledShutdown",
  8: "OffsetCommit",
  9: "OffsetFetch",
  10: "FindCoordinator",
  11: "JoinGroup",
  12: "Heartbeat",
  13: "LeaveGroup",
  14: "SyncGroup",
  15: "DescribeGroups",
  16: "ListGroups",
  17: "SaslHandshake",
  18: "ApiVersions",
  19: "CreateTopics",
  20: "DeleteTopics",
  21: "DeleteRecords",
  22: "InitProducerId",
  23: "OffsetForLeaderEpoch",
  24: "AddPartitionsToTxn",
  25: "AddOffsetsToTxn",
  26: "EndTxn",
  27: "WriteTxnMarkers",
  28: "TxnOffsetCommit",
  29: "DescribeAcls",
  30: "CreateAcls",
  31: "DeleteAcls",
  32: "DescribeConfigs",
  33: "AlterConfigs",
  34: "AlterReplicaLogDirs",
  35: "DescribeLogDirs",
  36: "SaslAuthenticate",
  37: "CreatePartitions",
  38: "CreateDelegationToken",
  39: "RenewDelegationToken",
  40: "ExpireDelegationToken",
  41: "DescribeDelegationToken",
  42: "DeleteGroups",
  43: "ElectLeaders",
  44: "IncrementalAlterConfigs",
  45: "AlterPartitionReassignments",
  46: "ListPartitionReassignments",
  47: "OffsetDelete",
  48: "DescribeClientQuotas",
  49: "AlterClientQuotas",
  50: "DescribeUserScramCredentials",
  51: "AlterUserScramCredentials",
  60: "DescribeCluster",
  61: "DescribeProducers",
  65: "DescribeTransactions",
  66: "ListTransactions",
  68: "ConsumerGroupHeartbeat",
  69: "ConsumerGroupDescribe",
  71: "GetTelemetrySubscriptions",
  72: "PushTelemetry",
  74: "ListClientMetricsResources",
  75: "DescribeTopicPartitions",
};

/**
 * The version ranges an Apache Kafka 3.7 broker in KRaft mode advertises to clients in its ApiVersions
 * response (what `kafka-broker-api-versions.sh` prints), as [apiKey, minVersion, maxVersion].
 * NOTE: kafkajs takes min(its best version, the broker's max) and ignores the minimum, so what matters
 * for negotiation is that every max is at or above what kafkajs 2.2.4 implements; it then picks
 * Metadata v6, ListOffsets v3, OffsetFetch v4, FindCoordinator v2, DescribeGroups v2, ListGroups v2,
 * exactly as against a real 3.x broker. The double implements those versions (see kafka-handlers.ts).
 */
export const ADVERTISED_VERSIONS: readonly (readonly [number, number, number])[] = [
  [0, 0, 10],
  [1, 0, 16],
  [2, 0, 8],
  [3, 0, 12],
  [8, 0, 9],
  [9, 0, 9],
  [10, 0, 4],
  [11, 0, 9],
  [12, 0, 4],
  [13, 0, 5],
  [14, 0, 5],
  [15, 0, 5],
  [16, 0, 4],
  [17, 0, 1],
  [18, 0, 3],
  [19, 0, 7],
  [20, 0, 6],
  [21, 0, 2],
  [22, 0, 4],
  [23, 0, 4],
  [24, 0, 4],
  [25, 0, 3],
  [26, 0, 3],
  [27, 0, 1],
  [28, 0, 3],
  [29, 0, 3],
  [30, 0, 3],
  [31, 0, 3],
  [32, 0, 4],
  [33, 0, 2],
  [34, 0, 2],
  [35, 0, 4],
  [36, 0, 2],
  [37, 0, 3],
  [38, 0, 3],
  [39, 0, 2],
  [40, 0, 2],
  [41, 0, 3],
  [42, 0, 2],
  [43, 0, 2],
  [44, 0, 1],
  [45, 0, 0],
  [46, 0, 0],
  [47, 0, 0],
  [48, 0, 1],
  [49, 0, 1],
  [50, 0, 0],
  [51, 0, 0],
  [60, 0, 1],
  [61, 0, 0],
  [65, 0, 0],
  [66, 0, 1],
  [71, 0, 0],
  [72, 0, 0],
  [74, 0, 0],
  [75, 0, 0],
];

/** The name of an API key, or `ApiKey<n>` for a key this table does not know. */
export function apiName(apiKey: number): string {
  return API_NAMES[apiKey] ?? `ApiKey${apiKey}`;
}
