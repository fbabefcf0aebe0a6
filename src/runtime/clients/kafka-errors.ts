import { StepFailure } from "../executor.js";

/**
 * Turns what kafkajs throws into a StepFailure a person understands. kafkajs wraps errors (a retrier's
 * KafkaJSNumberOfRetriesExceeded around a KafkaJSConnectionError, a KafkaJSNonRetriableError around a
 * KafkaJSProtocolError), so the whole `cause` chain is read. Only shapes are read here (name, type,
 * code), so this file does not import kafkajs.
 */

interface ErrorShape {
  readonly name?: string;
  readonly type?: string;
  readonly code?: string | number;
  readonly message?: string;
  readonly cause?: unknown;
}

const CONNECTION_ERRORS = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSBrokerNotFound",
  "KafkaJSNoBrokerAvailableError",
]);

const SOCKET_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  ETIMEDOUT: "connection timed out",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

/** Kafka errors that go away by themselves: a coordinator moving or loading, a leader election. */
const BUSY_TYPES = new Set([
  "GROUP_LOAD_IN_PROGRESS",
  "GROUP_COORDINATOR_NOT_AVAILABLE",
  "NOT_COORDINATOR_FOR_GROUP",
  "LEADER_NOT_AVAILABLE",
  "NOT_LEADER_FOR_PARTITION",
  "REQUEST_TIMED_OUT",
  "BROKER_NOT_AVAILABLE",
  "NETWORK_EXCEPTION",
  "REBALANCE_IN_PROGRESS",
]);

const AUTHORIZATION_TYPES: Readonly<Record<string, string>> = {
  TOPIC_AUTHORIZATION_FAILED: "a topic",
  GROUP_AUTHORIZATION_FAILED: "a consumer group",
  CLUSTER_AUTHORIZATION_FAILED: "the cluster",
};

const ACL_HELP =
  "the client needs Describe on the cluster, on the consumer groups and on their topics; " +
  "ask the Kafka administrators, or check the lag with `kt consumers <site> lag` instead";

/** Every error in the `cause` chain, outermost first. */
function chain(error: unknown): ErrorShape[] {
  const out: ErrorShape[] = [];
  let e: unknown = error;
  while (e && typeof e === "object" && out.length < 10) {
    out.push(e as ErrorShape);
    e = (e as ErrorShape).cause;
  }
  return out;
}

/**
 * A StepFailure for an error of the admin client during `doing` (such as "reading the offsets of topic
 * lsst.sal.Test.logevent_heartbeat"). Connection failures, timeouts and a busy coordinator are transient
 * (the wait tries again); authentication and authorization failures are not. `brokers` are named in the
 * message; nothing secret is in them (they are host:port pairs).
 */
export function kafkaFailure(error: unknown, doing: string, brokers: readonly string[]): StepFailure {
  if (error instanceof StepFailure) return error;
  const errors = chain(error);
  const where = `the Kafka brokers at ${brokers.join(", ")}`;
  const innermost = errors[errors.length - 1];
  const detail = innermost?.message ?? String(error);

  const sasl = errors.find(
    (e) =>
      e.name === "KafkaJSSASLAuthenticationError" ||
      e.type === "SASL_AUTHENTICATION_FAILED" ||
      e.type === "ILLEGAL_SASL_STATE" ||
      e.type === "UNSUPPORTED_SASL_MECHANISM",
  );
  if (sasl) {
    return new StepFailure(
      `${where} refused to authenticate this client while ${doing}: ${sasl.message}`,
      "check the SASL mechanism and credentials the site gives for Kafka",
      false,
    );
  }
  const denied = errors.find((e) => e.type !== undefined && e.type in AUTHORIZATION_TYPES);
  if (denied?.type) {
    return new StepFailure(
      `not authorized on ${where} while ${doing} (${denied.type}: the client may not describe ${AUTHORIZATION_TYPES[denied.type]})`,
      ACL_HELP,
      false,
    );
  }
  if (errors.some((e) => e.name === "KafkaJSGroupCoordinatorNotFound")) {
    return new StepFailure(
      `no broker at ${brokers.join(", ")} named a coordinator while ${doing}: the coordinator may be loading, or the client may not be allowed to describe the group`,
      "if this lasts, check the group's ACLs and the brokers' health",
      true,
    );
  }
  if (errors.some((e) => e.type === "GROUP_ID_NOT_FOUND")) {
    return new StepFailure(`the consumer group went away while ${doing}`, undefined, true);
  }
  const busy = errors.find((e) => e.type !== undefined && BUSY_TYPES.has(e.type));
  if (busy) {
    return new StepFailure(`${where} are busy (${busy.type}) while ${doing}`, undefined, true);
  }
  const socket = errors.find((e) => typeof e.code === "string" && e.code in SOCKET_CODES);
  const timeout = errors.find((e) => e.name === "KafkaJSRequestTimeoutError");
  // NOTE: kafkajs 2.2.4 takes a broker that accepted the connection but never answered ApiVersions for a
  // connected one on its retry, and then fails the next request with this plain Error.
  const mute = errors.find((e) => e.message === "Broker not connected");
  const connection = errors.find((e) => e.name !== undefined && CONNECTION_ERRORS.has(e.name));
  if (socket || timeout || mute || connection) {
    const reason = socket
      ? SOCKET_CODES[socket.code as string]
      : timeout
        ? `no answer in time (${timeout.message})`
        : mute
          ? "a broker accepted the connection but did not answer"
          : (connection?.message ?? detail);
    return new StepFailure(
      `cannot reach ${where} while ${doing}: ${reason}`,
      "check that the brokers run and that this machine reaches them (VPN, kubeconfig port-forward, firewall)",
      true,
    );
  }
  if (
    errors.some((e) => e.type === "UNSUPPORTED_VERSION" || e.name === "KafkaJSServerDoesNotSupportApiKey")
  ) {
    return new StepFailure(
      `${where} do not support a request the admin client needs while ${doing}: ${detail}`,
      "the brokers are older than Kafka 0.11, or not Kafka",
      false,
    );
  }
  return new StepFailure(`Kafka admin request failed while ${doing}: ${detail}`, undefined, false);
}

/** Whether an error of the given Kafka error type (`UNKNOWN_TOPIC_OR_PARTITION`, ...) is in the chain. */
export function hasErrorType(error: unknown, type: string): boolean {
  return chain(error).some((e) => e.type === type);
}
