import { createServer, type Server, type Socket } from "node:net";
import type { Clock } from "../executor.js";
import { type BrokerIdentity, HANDLERS } from "./kafka-handlers.js";
import { KafkaClusterState } from "./kafka-state.js";
import { apiName, KafkaReader } from "./kafka-wire.js";

/**
 * A Kafka broker double: a TCP server on 127.0.0.1 that speaks the Kafka wire protocol well enough for
 * kafkajs's admin client to list groups, describe them, fetch their committed offsets and the topics'
 * offsets (ApiVersions, Metadata, FindCoordinator, ListGroups, DescribeGroups, OffsetFetch, ListOffsets,
 * in the versions kafkajs picks against a 3.x broker). It is a one-broker cluster that leads every
 * partition and coordinates every group; its state is `cluster` (see kafka-state.ts).
 *
 * Every request is recorded before it is answered, so a test can assert that nothing but read-only calls
 * were made. A request for an API or version the double does not implement (OffsetCommit, JoinGroup,
 * ...) is recorded and its connection closed: the double never changes state over the wire.
 */

/** One request as it arrived, in arrival order. */
export interface RecordedRequest {
  readonly apiKey: number;
  /** The protocol guide's name: `OffsetFetch`, `JoinGroup`, `ApiKey99` for an unknown key. */
  readonly apiName: string;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** Clock time of arrival. */
  readonly at: number;
  /** Whether the double answered it (false: not implemented, the broker unreachable or silent). */
  readonly answered: boolean;
}

export interface KafkaBrokerOptions {
  /** The clock of the simulated site: drains and unreachable windows follow it. Default: wall clock. */
  readonly clock?: Clock;
  readonly nodeId?: number;
  readonly clusterId?: string;
  /** An existing cluster state to serve; default: a new, empty one. */
  readonly cluster?: KafkaClusterState;
}

const MAX_FRAME = 100 * 1024 * 1024;

/** The wall clock, for a broker started without a simulated site's clock. */
const wallClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(resolve, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

export class KafkaBrokerDouble {
  /** The cluster's topics, groups and access rules: seed and change them here. */
  readonly cluster: KafkaClusterState;
  readonly host = "127.0.0.1";
  private readonly clock: Clock;
  private readonly log: RecordedRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private listeningPort = 0;
  private unreachableUntil = Number.NEGATIVE_INFINITY;
  private refused = 0;
  private silent = false;

  private constructor(
    options: KafkaBrokerOptions,
    private readonly nodeId: number,
    private readonly clusterId: string,
  ) {
    this.clock = options.clock ?? wallClock;
    this.cluster = options.cluster ?? new KafkaClusterState(this.clock);
  }

  /** Starts a broker on 127.0.0.1, on a port the OS picks. */
  static async start(options: KafkaBrokerOptions = {}): Promise<KafkaBrokerDouble> {
    const broker = new KafkaBrokerDouble(
      options,
      options.nodeId ?? 1,
      options.clusterId ?? "plan-simulated-kafka",
    );
    await broker.listen(0);
    return broker;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** `127.0.0.1:<port>`, for a site's `kafka.bootstrap`. */
  get bootstrap(): string {
    return `${this.host}:${this.listeningPort}`;
  }

  /** Every request received so far, in order. */
  get requests(): readonly RecordedRequest[] {
    return this.log;
  }

  /** How many connections were refused or reset because the broker was unreachable. */
  get refusedConnections(): number {
    return this.refused;
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  /**
   * Unreachable: stops listening, so that connections are refused (ECONNREFUSED), and drops the open
   * ones. Reachable again: listens on the same port. Resolves when done.
   */
  async setReachable(reachable: boolean): Promise<void> {
    if (reachable) {
      this.unreachableUntil = Number.NEGATIVE_INFINITY;
      if (!this.server) await this.listen(this.listeningPort);
      return;
    }
    this.dropConnections();
    await this.close();
  }

  /**
   * Unreachable for `ms` of clock time from now: the port stays open but every connection is reset at
   * once and open connections are dropped, until the clock passes the end of the window.
   * NOTE: a reset rather than a refused connection, so that the window can end on the clock's time
   * (which a simulated site runs faster than the wall clock) without a timer; to a client both are a
   * failed connection.
   */
  unreachableFor(ms: number): void {
    this.unreachableUntil = this.clock.now() + ms;
    this.dropConnections();
  }

  /**
   * Silent: connections are accepted and requests recorded, but nothing is answered, as a hung or
   * overloaded broker behaves; the client's request timeout is what ends its wait.
   */
  setSilent(silent: boolean): void {
    this.silent = silent;
  }

  /** Stops the broker: drops every connection and stops listening. */
  async stop(): Promise<void> {
    this.dropConnections();
    await this.close();
  }

  private identity(): BrokerIdentity {
    return { nodeId: this.nodeId, host: this.host, port: this.listeningPort, clusterId: this.clusterId };
  }

  private reachableNow(): boolean {
    return this.clock.now() >= this.unreachableUntil;
  }

  private listen(port: number): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: this.host, port }, () => {
        server.off("error", reject);
        const address = server.address();
        if (address && typeof address === "object") this.listeningPort = address.port;
        this.server = server;
        resolve();
      });
    });
  }

  private close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private accept(socket: Socket): void {
    socket.on("error", () => {});
    if (!this.reachableNow()) {
      this.refused++;
      socket.resetAndDestroy();
      return;
    }
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && !socket.destroyed) {
        const size = pending.readInt32BE(0);
        if (size < 0 || size > MAX_FRAME) return void socket.destroy();
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        this.handle(socket, frame);
      }
    });
  }

  /** Request header v1: api_key api_version correlation_id client_id, then the body. */
  private handle(socket: Socket, frame: Buffer): void {
    const reader = new KafkaReader(frame);
    let apiKey: number;
    let apiVersion: number;
    let correlationId: number;
    let clientId: string | null;
    try {
      apiKey = reader.int16();
      apiVersion = reader.int16();
      correlationId = reader.int32();
      clientId = reader.string();
    } catch {
      socket.destroy();
      return;
    }
    const handler = HANDLERS[apiKey];
    const answerable = handler?.versions.includes(apiVersion) === true && this.reachableNow();
    const at = this.clock.now();
    this.log.push({
      apiKey,
      apiName: apiName(apiKey),
      apiVersion,
      correlationId,
      clientId,
      at,
      answered: false,
    });
    const index = this.log.length - 1;
    if (this.silent) return;
    if (!handler || !answerable) {
      if (!this.reachableNow()) this.refused++;
      socket.destroy();
      return;
    }
    let body: Buffer;
    try {
      body = handler.handle(reader, apiVersion, this.cluster, this.identity());
    } catch {
      socket.destroy();
      return;
    }
    this.log[index] = { ...this.log[index]!, answered: true };
    const header = Buffer.alloc(8);
    header.writeInt32BE(4 + body.length, 0);
    header.writeInt32BE(correlationId, 4);
    socket.write(Buffer.concat([header, body]));
  }
}
