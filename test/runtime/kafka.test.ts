import { connect } from "node:net";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { StepOf } from "../../src/ir/schema.js";
import type { KafkaLagClient } from "../../src/runtime/clients/kafka.js";
import {
  createKafkaLagClient,
  kafkaLagClientForSite,
  partitionLag,
} from "../../src/runtime/clients/kafka-admin.js";
import { RunAborted, StepFailure } from "../../src/runtime/executor.js";
import { kafkaExecutors, nearestGroups } from "../../src/runtime/executors/kafka.js";
import { KafkaBrokerDouble } from "../../src/runtime/simulator/kafka-broker.js";
import { FakeClock, RecordingOperator, testContext, testPlan, testSite, testStep } from "./context.js";

const READ_ONLY = [
  "ApiVersions",
  "DescribeGroups",
  "FindCoordinator",
  "ListGroups",
  "ListOffsets",
  "Metadata",
  "OffsetFetch",
];
const ELEVATION = "lsst.sal.MTMount.elevation";
const DOME = "lsst.sal.ATDome.position";
const HEARTBEAT = "lsst.sal.Test.logevent_heartbeat";
const ESS = "lsst.sal.ESS.temperature";
const TELEGRAF = "telegraf-kafka-consumer";
const executor = kafkaExecutors["kafka-lag"];

let clock: FakeClock;
let broker: KafkaBrokerDouble;
let client: KafkaLagClient;

beforeEach(async () => {
  clock = new FakeClock();
  broker = await KafkaBrokerDouble.start({ clock });
  client = createKafkaLagClient({ brokers: [broker.bootstrap], retries: 0, connectionTimeoutMs: 2000 });
});

afterEach(async () => {
  await client.close();
  await broker.stop();
});

/** Requests other than the read-only ones the lag needs (none is ever expected). */
function writes(): string[] {
  return broker.requests.map((r) => r.apiName).filter((name) => !READ_ONLY.includes(name));
}

/** Three telegraf groups (lag 100 + 900 + 55 = 1,055), a LOVE producer (6), and a near miss (10). */
function seed(): void {
  const c = broker.cluster;
  c.createTopic(ELEVATION, { partitions: [{ end: 500 }, { end: 700 }] });
  c.createTopic(DOME, { partitions: [{ logStart: 100, end: 1000 }] });
  c.createTopic(HEARTBEAT, { partitions: 3 });
  for (const p of [0, 1, 2]) c.setPartition(HEARTBEAT, p, { end: 50 });
  c.createTopic(ESS, { partitions: [{ end: 10 }] });
  c.createGroup(`${TELEGRAF}-mtmount`, {
    members: [{ assignment: { [ELEVATION]: [0, 1] } }],
    offsets: { [ELEVATION]: { 0: 400, 1: 700 } },
  });
  c.createGroup(`${TELEGRAF}-atdome`, { offsets: { [DOME]: { 0: 50 } } });
  c.createGroup(`${TELEGRAF}-test`, {
    members: [{ assignment: { [HEARTBEAT]: [0, 1, 2] } }],
    offsets: { [HEARTBEAT]: { 0: 50, 1: 45 }, "lsst.sal.Old.gone": { 0: 5 } },
  });
  c.createGroup("saluser@love-producer-ess", {
    members: [{ assignment: { [ESS]: [0] } }],
    offsets: { [ESS]: { 0: 4 } },
  });
  c.createGroup(`x${TELEGRAF}`, { offsets: { [ESS]: { 0: 0 } } });
}

function lagStep(fields: Partial<StepOf<"kafka-lag">> = {}): StepOf<"kafka-lag"> {
  return testStep("kafka-lag", {
    title: "Wait for the telegraf connectors to drain",
    groupPrefix: TELEGRAF,
    max: 0,
    pollSeconds: 10,
    timeoutSeconds: 600,
    ...fields,
  });
}

function context(step: StepOf<"kafka-lag">, operator?: RecordingOperator) {
  const site = testSite({ kafka: { bootstrap: [broker.bootstrap] } });
  return testContext({ plan: testPlan([step], site), clock, operator, services: { kafka: () => client } });
}

describe("the lag client (kafkajs admin) against the broker double", () => {
  test("reads the lag per partition, per group and in total, for the groups whose id starts with the prefix", async () => {
    seed();
    const report = await client.lag(TELEGRAF);
    expect(report.groups.map((g) => g.groupId)).toEqual([
      `${TELEGRAF}-atdome`,
      `${TELEGRAF}-mtmount`,
      `${TELEGRAF}-test`,
    ]);
    expect(report.total).toBe(1055);
    expect(report.otherGroups).toEqual(["saluser@love-producer-ess", `x${TELEGRAF}`]);
    const [atdome, mtmount, heartbeat] = report.groups;
    expect(mtmount).toMatchObject({ state: "Stable", members: 1, lag: 100, missingTopics: [] });
    expect(mtmount?.partitions).toEqual([
      { topic: ELEVATION, partition: 0, committed: 400, logStart: 0, end: 500, lag: 100 },
      { topic: ELEVATION, partition: 1, committed: 700, logStart: 0, end: 700, lag: 0 },
    ]);
    // committed below the log start: only what the log still holds counts
    expect(atdome).toMatchObject({ state: "Empty", members: 0, lag: 900 });
    expect(atdome?.partitions).toEqual([
      { topic: DOME, partition: 0, committed: 50, logStart: 100, end: 1000, lag: 900 },
    ]);
    // partition 2 has no committed offset: counted from the log start; the deleted topic is reported, not counted
    expect(heartbeat?.partitions.map((p) => [p.partition, p.committed, p.lag])).toEqual([
      [0, 50, 0],
      [1, 45, 5],
      [2, null, 50],
    ]);
    expect(heartbeat).toMatchObject({ lag: 55, missingTopics: ["lsst.sal.Old.gone"] });

    const love = await client.lag("saluser@love-producer");
    expect(love.groups.map((g) => [g.groupId, g.lag])).toEqual([["saluser@love-producer-ess", 6]]);
    expect(love.total).toBe(6);
  });

  test("counts a topic a member is assigned but has no committed offset on", async () => {
    broker.cluster.createTopic(ESS, { partitions: [{ logStart: 3, end: 10 }] });
    broker.cluster.createGroup(`${TELEGRAF}-new`, { members: [{ assignment: { [ESS]: [0] } }] });
    const report = await client.lag(TELEGRAF);
    expect(report.groups[0]?.partitions).toEqual([
      { topic: ESS, partition: 0, committed: null, logStart: 3, end: 10, lag: 7 },
    ]);
  });

  test("a site's client reads from the site's bootstrap servers; a site without Kafka has none", async () => {
    expect(kafkaLagClientForSite(testSite())).toBeUndefined();
    expect(() => createKafkaLagClient({ brokers: [] })).toThrow(/at least one broker/);
    const siteClient = kafkaLagClientForSite(testSite({ kafka: { bootstrap: [broker.bootstrap] } }), {
      retries: 0,
    });
    expect(siteClient?.brokers).toEqual([broker.bootstrap]);
    seed();
    try {
      expect((await siteClient!.lag(TELEGRAF)).total).toBe(1055);
    } finally {
      await siteClient?.close();
    }
  });

  test("the lag of a partition counts what its log still holds after the committed offset", () => {
    expect(partitionLag(40, 0, 100)).toBe(60);
    expect(partitionLag(null, 20, 100)).toBe(80);
    expect(partitionLag(5, 20, 100)).toBe(80);
    expect(partitionLag(100, 0, 100)).toBe(0);
    expect(partitionLag(120, 0, 100)).toBe(0);
  });

  test("no group matching is an empty report that lists the cluster's other groups", async () => {
    seed();
    const report = await client.lag("telegraf-kafka-consumr");
    expect(report).toMatchObject({ groups: [], total: 0 });
    expect(report.otherGroups).toHaveLength(5);
    expect(nearestGroups("telegraf-kafka-consumr", report.otherGroups)).toEqual([
      `${TELEGRAF}-atdome`,
      `${TELEGRAF}-mtmount`,
      `${TELEGRAF}-test`,
    ]);
    expect(nearestGroups("mirrormaker", report.otherGroups)).toEqual([]);
  });

  test("negotiates the versions kafkajs picks against a Kafka 3.x broker, and only reads", async () => {
    seed();
    await client.lag(TELEGRAF);
    const seen = new Map(broker.requests.map((r) => [r.apiName, r.apiVersion]));
    expect(Object.fromEntries(seen)).toEqual({
      ApiVersions: 2,
      Metadata: 6,
      ListGroups: 2,
      FindCoordinator: 2,
      DescribeGroups: 2,
      OffsetFetch: 4,
      ListOffsets: 3,
    });
    expect(broker.requests.every((r) => r.answered && r.clientId === "plan")).toBe(true);
    expect(writes()).toEqual([]);
  });

  test("an unreachable broker is a transient failure that names the brokers, and kafkajs prints nothing", async () => {
    const consoles = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(() => {}),
    );
    try {
      await broker.setReachable(false);
      const error = await client.lag(TELEGRAF).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StepFailure);
      const failure = error as StepFailure;
      expect(failure.transient).toBe(true);
      expect(failure.message).toBe(
        `cannot reach the Kafka brokers at ${broker.bootstrap} while connecting: connection refused`,
      );
      expect(failure.help).toMatch(/brokers run/);
      for (const spy of consoles) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of consoles) spy.mockRestore();
    }
  });

  test("a broker that accepts connections but never answers is a transient failure once the request times out", async () => {
    broker.setSilent(true);
    const impatient = createKafkaLagClient({
      brokers: [broker.bootstrap],
      connectionTimeoutMs: 200,
      requestTimeoutMs: 200,
    });
    try {
      const error = (await impatient.lag(TELEGRAF).catch((e: unknown) => e)) as StepFailure;
      expect(error).toBeInstanceOf(StepFailure);
      expect(error.transient).toBe(true);
      expect(error.message).toMatch(
        new RegExp(`^cannot reach the Kafka brokers at ${broker.bootstrap} while `),
      );
      expect(error.message).toMatch(/did not answer|no answer in time/);
      expect(broker.requests.map((r) => [r.apiName, r.answered])).toContainEqual(["ApiVersions", false]);
    } finally {
      await impatient.close();
    }
  });

  test("a topic the client may not describe is an authorization failure, not retried", async () => {
    seed();
    broker.cluster.setAccess({ topic: ELEVATION }, false);
    const error = (await client.lag(TELEGRAF).catch((e: unknown) => e)) as StepFailure;
    expect(error).toBeInstanceOf(StepFailure);
    expect(error.transient).toBe(false);
    expect(error.message).toContain(`not authorized on the Kafka brokers at ${broker.bootstrap}`);
    expect(error.message).toContain(`reading the offsets of topic ${ELEVATION}`);
    expect(error.message).toContain("TOPIC_AUTHORIZATION_FAILED");
  });

  test("a group the client may not describe names the coordinator lookup that failed", async () => {
    seed();
    broker.cluster.setAccess({ group: `${TELEGRAF}-test` }, false);
    const error = (await client.lag(TELEGRAF).catch((e: unknown) => e)) as StepFailure;
    expect(error).toBeInstanceOf(StepFailure);
    expect(error.message).toContain(`named a coordinator while describing the consumer groups ${TELEGRAF}*`);
    expect(error.message).toContain("may not be allowed to describe the group");
    expect(broker.requests.some((r) => r.apiName === "FindCoordinator")).toBe(true);
    expect(writes()).toEqual([]);
  });
});

describe("the broker double", () => {
  test("records write requests, answers none and closes the connection", async () => {
    for (const [apiKey, name] of [
      [8, "OffsetCommit"],
      [11, "JoinGroup"],
    ] as const) {
      await sendRaw(broker.port, apiKey, 2, 41);
      expect(broker.requests.at(-1)).toMatchObject({
        apiKey,
        apiName: name,
        apiVersion: 2,
        correlationId: 41,
        answered: false,
      });
    }
    expect(writes()).toEqual(["OffsetCommit", "JoinGroup"]);
  });

  test("drains a group on its clock, up to the end of each partition", async () => {
    seed();
    broker.cluster.drain(`${TELEGRAF}-mtmount`, 30);
    await clock.sleep(2000);
    expect(broker.cluster.committed(`${TELEGRAF}-mtmount`, ELEVATION, 0)).toBe(460);
    await clock.sleep(60_000);
    expect(broker.cluster.committed(`${TELEGRAF}-mtmount`, ELEVATION, 0)).toBe(500);
    expect(broker.cluster.committed(`${TELEGRAF}-mtmount`, ELEVATION, 1)).toBe(700);
    broker.cluster.produce(ELEVATION, 10, 1);
    await clock.sleep(1000);
    expect(broker.cluster.committed(`${TELEGRAF}-mtmount`, ELEVATION, 1)).toBe(710);
  });
});

describe("the kafka-lag executor", () => {
  /** Lag 100 + 900 + 100 in three groups, each with a member, all draining at 10 messages a second. */
  function seedDraining(): void {
    const c = broker.cluster;
    c.createTopic(ELEVATION, { partitions: [{ end: 500 }, { end: 700 }] });
    c.createTopic(DOME, { partitions: [{ logStart: 100, end: 1000 }] });
    c.createTopic(HEARTBEAT, { partitions: [{ end: 50 }, { end: 50 }] });
    const member = (topic: string, partitions: number[]) => ({
      members: [{ assignment: { [topic]: partitions } }],
    });
    c.createGroup(`${TELEGRAF}-mtmount`, {
      ...member(ELEVATION, [0, 1]),
      offsets: { [ELEVATION]: { 0: 400, 1: 700 } },
    });
    c.createGroup(`${TELEGRAF}-atdome`, { ...member(DOME, [0]), offsets: { [DOME]: { 0: 100 } } });
    c.createGroup(`${TELEGRAF}-test`, {
      ...member(HEARTBEAT, [0, 1]),
      offsets: { [HEARTBEAT]: { 0: 0, 1: 0 } },
    });
    for (const g of c.groupIds()) c.drain(g, 10);
  }

  test("waits until a draining lag reaches the bound, logging each group and showing the total", async () => {
    seedDraining();
    const step = lagStep({ max: 0 });
    const t = context(step);
    const result = await executor.run(step, t.ctx);
    expect(result).toEqual({ status: "done", summary: `lag of ${TELEGRAF}*: 0 (3 groups)` });
    // 900 messages at 10 a second: 90 s, seen at the read of t = 90 s
    expect(t.clock.sleeps).toEqual(Array(9).fill(10_000));
    expect(t.progress[0]).toEqual({
      what: `lag of ${TELEGRAF}*`,
      current: "1,100 (3 groups)",
      target: "0",
      remainingMs: 600_000,
    });
    expect(t.progress.map((p) => p.current).slice(1, 3)).toEqual(["800 (3 groups)", "700 (3 groups)"]);
    expect(t.logs.slice(0, 3)).toEqual([
      `${TELEGRAF}-atdome (Stable, 1 member): 900 on 1 of 1 partition`,
      `${TELEGRAF}-mtmount (Stable, 1 member): 100 on 1 of 2 partitions`,
      `${TELEGRAF}-test (Stable, 1 member): 100 on 2 of 2 partitions`,
    ]);
    expect(t.logs).toContain(`${TELEGRAF}-mtmount (Stable, 1 member): 0 on 0 of 2 partitions`);
    expect(t.logs.filter((l) => l.startsWith(`${TELEGRAF}-mtmount`))).toHaveLength(2);
    expect(t.logs.at(-1)).toBe(`lag of ${TELEGRAF}*: 0 (3 groups)`);
    expect(writes()).toEqual([]);
  });

  test("a bound above zero ends the wait earlier", async () => {
    seedDraining();
    const step = lagStep({ max: 500 });
    const t = context(step);
    const result = await executor.run(step, t.ctx);
    expect(result).toEqual({ status: "done", summary: `lag of ${TELEGRAF}*: 500 (3 groups)` });
    expect(t.progress[0]?.target).toBe("at most 500");
  });

  test("a lag that never drains fails at the timeout, saying where it stands", async () => {
    seed();
    const step = lagStep({ timeoutSeconds: 60 });
    const t = context(step);
    const error = (await executor.run(step, t.ctx).catch((e: unknown) => e)) as StepFailure;
    expect(error).toBeInstanceOf(StepFailure);
    expect(error.message).toBe(`lag of ${TELEGRAF}* is 1,055 (3 groups), not 0, after 1m`);
    expect(error.transient).toBe(false);
    expect(t.logs).toContain(
      `${TELEGRAF}-atdome (Empty, 0 members): 900 on 1 of 1 partition; no member is consuming, so this lag will not drain by itself`,
    );
    expect(t.logs).toContain(
      `${TELEGRAF}-test (Stable, 1 member): 55 on 2 of 3 partitions; 1 partition without a committed offset, ` +
        "counted from the log start; offsets on deleted topics not counted: lsst.sal.Old.gone",
    );
    // each group is logged once while its lag does not change
    expect(t.logs.filter((l) => l.startsWith(`${TELEGRAF}-atdome`))).toHaveLength(1);
    expect(writes()).toEqual([]);
  });

  test("a lag that never drains goes on at the timeout when the plan says continue", async () => {
    seed();
    const step = lagStep({ timeoutSeconds: 30, onTimeout: { kind: "continue" } });
    const t = context(step);
    const result = await executor.run(step, t.ctx);
    expect(result).toEqual({
      status: "done",
      summary: `lag of ${TELEGRAF}* is 1,055 (3 groups), not 0, after 30s (went on)`,
    });
  });

  test("a lag that never drains asks the operator at the timeout, who may go on or abort", async () => {
    seed();
    const step = lagStep({ timeoutSeconds: 30, onTimeout: { kind: "ask", question: "Go on with the lag?" } });
    const yes = new RecordingOperator([{ answer: "yes", by: "ops" }]);
    const result = await executor.run(step, context(step, yes).ctx);
    expect(result.status).toBe("done");
    expect(yes.questions[0]?.details).toEqual([
      `lag of ${TELEGRAF}* is 1,055 (3 groups), not 0, after 30s`,
      "Go on with the lag?",
    ]);
    const abort = new RecordingOperator([{ answer: "abort", reason: "lag too high", by: "ops" }]);
    await expect(executor.run(step, context(step, abort).ctx)).rejects.toBeInstanceOf(RunAborted);
  });

  test("an unreachable broker is tried again while the wait lasts, and the wait ends once it is back", async () => {
    seed();
    for (const g of broker.cluster.groupIds()) broker.cluster.drain(g, 1000);
    broker.cluster.commit(`${TELEGRAF}-test`, HEARTBEAT, 2, 0);
    broker.unreachableFor(25_000);
    const step = lagStep();
    const t = context(step);
    const result = await executor.run(step, t.ctx);
    expect(result.status).toBe("done");
    const retries = t.logs.filter((l) => l.includes("unreachable (cannot reach the Kafka brokers"));
    expect(retries).toHaveLength(3);
    expect(retries[0]).toMatch(/; trying again$/);
    expect(t.progress[0]?.current).toMatch(
      /^unreachable \(cannot reach the Kafka brokers at 127\.0\.0\.1:\d+ while /,
    );
    expect(broker.refusedConnections).toBeGreaterThanOrEqual(3);
  });

  test("a broker down for the whole wait fails resumably, and the rerun succeeds once it is back", async () => {
    await broker.setReachable(false);
    const step = lagStep({ timeoutSeconds: 60 });
    const first = context(step);
    const error = (await executor.run(step, first.ctx).catch((e: unknown) => e)) as StepFailure;
    expect(error).toBeInstanceOf(StepFailure);
    expect(error.message).toBe(
      `lag of ${TELEGRAF}* is unreachable (cannot reach the Kafka brokers at ${broker.bootstrap} while connecting: ` +
        "connection refused), not 0, after 1m",
    );
    expect(error.help).toContain("plan run --resume");
    expect(first.logs).toHaveLength(7);

    await broker.setReachable(true);
    seed();
    broker.cluster.createGroup(`${TELEGRAF}-atdome`, { offsets: { [DOME]: { 0: 1000 } } });
    broker.cluster.createGroup(`${TELEGRAF}-mtmount`, { offsets: { [ELEVATION]: { 0: 500, 1: 700 } } });
    broker.cluster.createGroup(`${TELEGRAF}-test`, { offsets: { [HEARTBEAT]: { 0: 50, 1: 50, 2: 50 } } });
    const again = context(step);
    expect(await executor.run(step, again.ctx)).toEqual({
      status: "done",
      summary: `lag of ${TELEGRAF}*: 0 (3 groups)`,
    });
  });

  test("no group matching the prefix is not a lag of 0: the operator is asked, with the nearest ids", async () => {
    seed();
    const step = lagStep({ groupPrefix: "telegraf-kafka-consumr" });
    const yes = new RecordingOperator([{ answer: "yes", by: "ops" }]);
    const t = context(step, yes);
    expect(await executor.run(step, t.ctx)).toEqual({
      status: "done",
      summary: "no consumer group matches telegraf-kafka-consumr* (ops went on)",
    });
    expect(yes.questions).toHaveLength(1);
    expect(yes.questions[0]?.choices).toEqual(["yes", "no", "abort"]);
    expect(yes.questions[0]?.details.slice(0, 2)).toEqual([
      `no consumer group on ${broker.bootstrap} has an id that starts with "telegraf-kafka-consumr"`,
      `the nearest group ids there: ${TELEGRAF}-atdome, ${TELEGRAF}-mtmount, ${TELEGRAF}-test`,
    ]);
    expect(t.clock.sleeps).toEqual([]);

    const no = new RecordingOperator([{ answer: "no", by: "ops" }]);
    const error = (await executor.run(step, context(step, no).ctx).catch((e: unknown) => e)) as StepFailure;
    expect(error).toBeInstanceOf(StepFailure);
    expect(error.message).toBe("no consumer group matches telegraf-kafka-consumr*");
  });

  test("an authorization failure ends the wait at once", async () => {
    seed();
    broker.cluster.setAccess({ topic: DOME }, false);
    broker.cluster.createGroup(`${TELEGRAF}-atdome`, { members: [{ assignment: { [DOME]: [0] } }] });
    const step = lagStep();
    const t = context(step);
    const error = (await executor.run(step, t.ctx).catch((e: unknown) => e)) as StepFailure;
    expect(error).toBeInstanceOf(StepFailure);
    expect(error.message).toContain(`not authorized on the Kafka brokers at ${broker.bootstrap}`);
    expect(t.clock.sleeps).toEqual([]);
  });

  test("describe names the brokers and every admin request; a site without Kafka says it cannot run", () => {
    const step = lagStep({ max: 100, onTimeout: { kind: "ask", question: "Go on?" } });
    const site = testSite({ kafka: { bootstrap: ["sasquatch-summit-kafka-bootstrap.lsst.codes:9094"] } });
    expect(executor.describe(step, site)).toEqual([
      "kafkajs admin client on sasquatch-summit-kafka-bootstrap.lsst.codes:9094 (read-only: commits no offset, joins no group)",
      "ApiVersions and Metadata on connecting; each read: Metadata, then ListGroups on every broker",
      `for each group whose id starts with "${TELEGRAF}": FindCoordinator, DescribeGroups, OffsetFetch (all topics)`,
      "Metadata (all topics), then for each topic those groups have offsets on or are assigned: " +
        "Metadata, ListOffsets (earliest, latest)",
      `repeat every 10s until the total lag of ${TELEGRAF}* is at most 100 (timeout 10m, then ask "Go on?"); ` +
        "lag = end offset - committed offset, a partition without one counts from its log start",
      `no group matching ${TELEGRAF}*: ask the operator whether to go on`,
    ]);
    expect(executor.describe(step, testSite())).toEqual([
      "site `summit` gives no Kafka bootstrap servers: this step cannot run there",
    ]);
  });

  test("a site without Kafka fails the step with that reason, without asking for a client", async () => {
    const step = lagStep();
    const t = testContext({ plan: testPlan([step], testSite()), clock });
    const error = (await executor.run(step, t.ctx).catch((e: unknown) => e)) as StepFailure;
    expect(error).toBeInstanceOf(StepFailure);
    expect(error.message).toBe(
      `site \`summit\` gives no Kafka bootstrap servers to read the lag of ${TELEGRAF}* from`,
    );
  });

  test("observe reads the lag once: done at or under the bound, unknown when it cannot tell", async () => {
    seed();
    const step = lagStep({ groupPrefix: "saluser@love-producer" });
    expect(await executor.observe?.(step, context(step).ctx)).toBe("not-done");
    expect(await executor.observe?.({ ...step, max: 6 }, context(step).ctx)).toBe("done");
    await broker.setReachable(false);
    expect(await executor.observe?.(step, context(step).ctx)).toBe("unknown");
  });
});

/** Sends one request frame (header v1, empty body) and waits until the broker closes the connection. */
function sendRaw(port: number, apiKey: number, apiVersion: number, correlationId: number): Promise<void> {
  const clientId = Buffer.from("raw-test");
  const frame = Buffer.alloc(4 + 10 + clientId.length);
  frame.writeInt32BE(frame.length - 4, 0);
  frame.writeInt16BE(apiKey, 4);
  frame.writeInt16BE(apiVersion, 6);
  frame.writeInt32BE(correlationId, 8);
  frame.writeInt16BE(clientId.length, 12);
  clientId.copy(frame, 14);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port }, () => socket.write(frame));
    socket.on("data", () => reject(new Error("the double answered a write request")));
    socket.on("error", () => {});
    socket.on("close", () => resolve());
  });
}
