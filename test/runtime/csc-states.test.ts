import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PlanSite, StepOf } from "../../src/ir/schema.js";
import {
  createEfdClient,
  type EfdClient,
  heartbeatQuery,
  parseCsc,
  summaryStateQuery,
} from "../../src/runtime/clients/efd.js";
import { quoteIdent, quoteString } from "../../src/runtime/clients/influxql.js";
import { RunAborted, StepFailure } from "../../src/runtime/executor.js";
import {
  cscStates,
  cscStatesExecutors,
  HEARTBEAT_WINDOW_SECONDS,
} from "../../src/runtime/executors/csc-states.js";
import { EfdServer } from "../../src/runtime/simulator/efd-server.js";
import { parseQuery } from "../../src/runtime/simulator/influxql-parser.js";
import { FakeClock, RecordingOperator, testContext, testPlan, testSite, testStep } from "./context.js";
import { expectNoSecrets, RecordingSecrets, said } from "./secrets.js";

/** A clock that calls `onSleep` with the number of sleeps so far, after each one. */
class HookedClock extends FakeClock {
  onSleep: (n: number) => void = () => {};
  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await super.sleep(ms, signal);
    this.onSleep(this.sleeps.length);
  }
}

let clock: HookedClock;
let efd: EfdServer;
let clients: EfdClient[];

beforeEach(async () => {
  clock = new HookedClock();
  efd = new EfdServer({ clock });
  await efd.start();
  clients = [];
});

afterEach(async () => {
  for (const c of clients) c.close();
  await efd.stop();
});

type Expect = StepOf<"csc-states">["expect"][number];

const SHUTDOWN: Expect[] = [
  { csc: "Watcher", state: "OFFLINE", heartbeatOnly: false },
  { csc: "ScriptQueue:1", state: "OFFLINE", heartbeatOnly: false },
  { csc: "MTVMS:1", state: "OFFLINE", heartbeatOnly: true },
  { csc: "ESS:104", state: "OFFLINE", heartbeatOnly: false },
];

function site(overrides: Partial<PlanSite> = {}): PlanSite {
  return testSite({
    efd: { url: efd.url, database: "efd" },
    chronograf: "https://chronograf-summit-efd.lsst.codes/",
    ...overrides,
  });
}

function setup(
  expect: Expect[],
  fields: { timeoutSeconds?: number; pollSeconds?: number } = {},
  options: {
    site?: PlanSite;
    operator?: RecordingOperator;
    env?: Record<string, string>;
    auth?: boolean;
  } = {},
) {
  const s = options.site ?? site();
  const secrets = new RecordingSecrets(options.env ?? {});
  const auth = options.auth ? { usernameEnv: "EFD_USER", passwordEnv: "EFD_PASSWORD" } : undefined;
  const client = createEfdClient(s, secrets, { auth });
  if (client) clients.push(client);
  const step = testStep("csc-states", { expect, pollSeconds: 10, timeoutSeconds: 300, ...fields });
  const t = testContext({
    plan: testPlan([step], s),
    clock,
    secrets,
    operator: options.operator,
    services: { efd: () => client },
  });
  return { ...t, step, client, secrets };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const e = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(Error);
  return e as Error;
}

describe("InfluxQL quoting", () => {
  it("round-trips any name and value through InfluxQL's scanner rules", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (name, value) => {
        const [statement] = parseQuery(
          `SELECT * FROM ${quoteIdent(name)} WHERE "salIndex" = ${quoteString(value)}`,
        );
        expect(statement!.source.measurement).toBe(name);
        expect(statement!.where).toEqual({
          kind: "cmp",
          op: "=",
          left: { kind: "ref", name: "salIndex" },
          right: { kind: "string", value },
        });
      }),
    );
  });

  it("writes the statements the EFD is asked", () => {
    expect(summaryStateQuery(parseCsc("Watcher"))).toBe(
      'SELECT "summaryState" FROM "lsst.sal.Watcher.logevent_summaryState" ORDER BY time DESC LIMIT 1',
    );
    expect(summaryStateQuery(parseCsc("MTHexapod:2"))).toBe(
      'SELECT "summaryState" FROM "lsst.sal.MTHexapod.logevent_summaryState" WHERE ("salIndex" = 2 OR "salIndex" = \'2\') ORDER BY time DESC LIMIT 1',
    );
    expect(heartbeatQuery(parseCsc("MTVMS:1"), 60)).toBe(
      'SELECT * FROM "lsst.sal.MTVMS.logevent_heartbeat" WHERE time > now() - 60s AND ("salIndex" = 1 OR "salIndex" = \'1\') ORDER BY time DESC LIMIT 1',
    );
  });

  it("refuses a CSC that is not a SAL name, before any query", async () => {
    for (const bad of ['Watcher" OR 1=1', "Watcher:1:2", "ESS:-1", "lsst.sal.X", ""]) {
      expect(() => parseCsc(bad)).toThrow(StepFailure);
    }
    const { step, ctx } = setup([
      { csc: 'Watcher"; DROP DATABASE "efd', state: "OFFLINE", heartbeatOnly: false },
    ]);
    const e = await failure(cscStates.run(step, ctx));
    expect(e.message).toBe('`Watcher"; DROP DATABASE "efd` is not a CSC (`Name` or `Name:index`)');
    expect(efd.requests).toEqual([]);
  });

  it("is what the double enforces: an unquoted measurement is a parse error", async () => {
    const q = "SELECT * FROM lsst.sal.Watcher.logevent_heartbeat";
    const res = await fetch(`${efd.url}/query?db=efd&q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^error parsing query: /);
  });
});

describe("csc-states from the EFD", () => {
  it("waits until every CSC is OFFLINE, a heartbeat-only one once its heartbeats stopped for 60 s", async () => {
    for (const csc of ["Watcher", "MTVMS:1", "ESS:104"]) efd.startCsc(csc, "STANDBY");
    efd.startCsc("ScriptQueue:1", "ENABLED");
    clock.onSleep = (n) => {
      if (n !== 1) return;
      efd.stopCsc("Watcher");
      efd.stopCsc("ScriptQueue:1");
      efd.stopCsc("ESS:104");
      efd.stopCsc("MTVMS:1", { reportsOffline: false });
    };
    const { step, ctx, logs } = setup(SHUTDOWN);
    const result = await cscStates.run(step, ctx);

    expect(result).toEqual({ status: "done", summary: "CSC states: all 4 as expected" });
    expect(logs).toEqual([
      "CSC states: 0 of 4 as expected; Watcher STANDBY (expected OFFLINE); ScriptQueue:1 ENABLED (expected OFFLINE); " +
        "MTVMS:1 running (heartbeat in the last 60s; last state STANDBY) (expected OFFLINE); ESS:104 STANDBY (expected OFFLINE)",
      "CSC states: 3 of 4 as expected; MTVMS:1 running (heartbeat in the last 60s; last state STANDBY) (expected OFFLINE)",
      "CSC states: all 4 as expected",
    ]);
    // Stopped at +10 s; its last heartbeat leaves the 60 s window at +70 s: 8 reads, one GET each.
    expect(clock.sleeps).toEqual(Array(7).fill(10_000));
    expect(efd.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(8).fill("GET /query"));
    const statements = SHUTDOWN.flatMap((e) => [
      summaryStateQuery(parseCsc(e.csc)),
      heartbeatQuery(parseCsc(e.csc), HEARTBEAT_WINDOW_SECONDS),
    ]);
    expect(efd.requests[0]!.query).toEqual({ db: "efd", epoch: "ms", q: statements.join(";") });
  });

  it("does not take a STANDBY for the truth without a heartbeat (an EFD that stopped receiving)", async () => {
    efd.setState("Watcher", "STANDBY");
    efd.startCsc("ScriptQueue:2", "STANDBY");
    const { step, ctx } = setup(
      [
        { csc: "Watcher", state: "STANDBY", heartbeatOnly: false },
        { csc: "ScriptQueue:2", state: "STANDBY", heartbeatOnly: false },
        { csc: "GIS", state: "STANDBY", heartbeatOnly: false },
      ],
      { timeoutSeconds: 0 },
    );
    const e = await failure(cscStates.run(step, ctx));
    expect(e.message).toBe(
      "CSC states is 1 of 3 as expected; Watcher STANDBY, no heartbeat in 60s (expected STANDBY); " +
        "GIS no summary state in the EFD, no heartbeat in 60s (expected STANDBY), not all 3 as expected, after 0ms",
    );
  });

  it("reads many CSCs in requests of at most 20 statements", async () => {
    const expectations: Expect[] = Array.from({ length: 25 }, (_, i) => ({
      csc: `ESS:${101 + i}`,
      state: "STANDBY",
      heartbeatOnly: false,
    }));
    for (const e of expectations) efd.startCsc(e.csc);
    const { step, ctx } = setup(expectations, { timeoutSeconds: 0 });
    expect(await cscStates.run(step, ctx)).toEqual({
      status: "done",
      summary: "CSC states: all 25 as expected",
    });
    expect(efd.requests.map((r) => r.query.q!.split(";").length)).toEqual([20, 20, 10]);
  });

  it("observes done and not-done, and unknown when the EFD cannot be reached", async () => {
    efd.startCsc("Watcher");
    const { step, ctx } = setup(SHUTDOWN.slice(0, 1));
    expect(await cscStates.observe!(step, ctx)).toBe("not-done");
    efd.stopCsc("Watcher");
    expect(await cscStates.observe!(step, ctx)).toBe("done");
    await efd.stop();
    expect(await cscStates.observe!(step, ctx)).toBe("unknown");
  });

  it("describes the exact query and what each CSC must show", () => {
    const { step } = setup(SHUTDOWN.slice(1, 3), { timeoutSeconds: 600, pollSeconds: 15 });
    const lines = cscStatesExecutors["csc-states"].describe(step, site());
    expect(lines).toEqual([
      `GET ${efd.url}/query?db=efd&epoch=ms&q=<the statements below, 20 a request, joined by ";">: 1 request every 15s until every CSC is as expected (timeout 10m)`,
      `  ${summaryStateQuery(parseCsc("ScriptQueue:1"))}`,
      `  ${heartbeatQuery(parseCsc("ScriptQueue:1"), 60)}`,
      `  ${summaryStateQuery(parseCsc("MTVMS:1"))}`,
      `  ${heartbeatQuery(parseCsc("MTVMS:1"), 60)}`,
      "ScriptQueue:1: OFFLINE",
      "MTVMS:1: OFFLINE (it never reports OFFLINE: no heartbeat in the last 60s)",
    ]);
  });
});

describe("csc-states without an EFD", () => {
  const noEfd = () => testSite({ chronograf: "https://chronograf-summit-efd.lsst.codes/" });

  it("asks the operator to check Chronograf, listing every CSC and its state", async () => {
    const operator = new RecordingOperator([{ answer: "yes", by: "alice" }]);
    const { step, ctx, logs } = setup(SHUTDOWN, {}, { site: noEfd(), operator });
    expect(await cscStates.run(step, ctx)).toEqual({
      status: "done",
      summary: "alice confirmed the states of 4 CSCs",
    });
    expect(operator.questions).toEqual([
      {
        stepId: "1.1",
        title: "Do the thing",
        details: [
          "This site has no EFD that plan can read: check the Chronograf dashboards at https://chronograf-summit-efd.lsst.codes/ " +
            "(Heartbeats, AT Summary State Monitor, MT Summary State Monitor, Envsys Summary State Monitor, " +
            "Calibration Systems Summary State Monitor, Observatory Systems Summary State Monitor).",
          "Answer yes when every CSC below is in the state given, no when one is not:",
          "Watcher: OFFLINE",
          "ScriptQueue:1: OFFLINE",
          "MTVMS:1: OFFLINE (it never reports OFFLINE: no heartbeat in the last 60s)",
          "ESS:104: OFFLINE",
        ],
        choices: ["yes", "no", "skip", "abort"],
      },
    ]);
    expect(logs).toEqual(["alice confirmed the states of 4 CSCs"]);
  });

  it("fails on no, skips on skip, aborts on abort", async () => {
    const operator = new RecordingOperator([
      { answer: "no", by: "alice" },
      { answer: "skip", reason: "Chronograf is down", by: "alice" },
      { answer: "abort", reason: "M1M3 alarm", by: "alice" },
    ]);
    const { step, ctx } = setup(SHUTDOWN, {}, { site: noEfd(), operator });
    const no = await failure(cscStates.run(step, ctx));
    expect(no).toBeInstanceOf(StepFailure);
    expect(no.message).toBe("alice reported that not every CSC is in the state expected");
    expect(await cscStates.run(step, ctx)).toEqual({ status: "skipped", reason: "Chronograf is down" });
    const abort = await failure(cscStates.run(step, ctx));
    expect(abort).toBeInstanceOf(RunAborted);
    expect(await cscStates.observe!(step, ctx)).toBe("unknown");
  });

  it("points at LOVE when the site has no Chronograf either, and describes the question", async () => {
    const s = testSite();
    const operator = new RecordingOperator([{ answer: "yes", by: "bob" }]);
    const { step, ctx } = setup(SHUTDOWN.slice(0, 1), {}, { site: s, operator });
    await cscStates.run(step, ctx);
    expect(operator.questions[0]!.details[0]).toBe(
      "This site has no EFD that plan can read: check LOVE's summary state view at https://summit-lsp.lsst.codes/love.",
    );
    expect(cscStates.describe(step, s)).toEqual([
      "ask the operator to check LOVE's summary state view at https://summit-lsp.lsst.codes/love and confirm:",
      "Watcher: OFFLINE",
    ]);
  });
});

describe("the EFD client's errors", () => {
  const watcher = [{ csc: "Watcher", state: "OFFLINE", heartbeatOnly: false }] satisfies Expect[];

  async function withAuth() {
    await efd.stop();
    efd = new EfdServer({ clock, credentials: { username: "efdreader", password: "efd-Pa55!" } });
    await efd.start();
  }

  it("says when the EFD wants credentials, and when it refuses them, without the password", async () => {
    await withAuth();
    let t = setup(watcher, { timeoutSeconds: 0 });
    let e = await failure(cscStates.run(t.step, t.ctx));
    expect(e.message).toBe(
      `the EFD answered 401 (unauthorized) to GET ${efd.url}/query?db=efd: unable to parse authentication credentials`,
    );
    t = setup(
      watcher,
      { timeoutSeconds: 0 },
      { env: { EFD_USER: "efdreader", EFD_PASSWORD: "not-it-9" }, auth: true },
    );
    e = await failure(cscStates.run(t.step, t.ctx));
    expect(e.message).toBe(
      `the EFD answered 401 (unauthorized) to GET ${efd.url}/query?db=efd: authorization failed`,
    );
    expectNoSecrets(
      [said(e), ...t.logs, JSON.stringify(efd.requests)],
      ["not-it-9", Buffer.from("efdreader:not-it-9").toString("base64")],
    );
    efd.stopCsc("Watcher");
    t = setup(
      watcher,
      { timeoutSeconds: 0 },
      { env: { EFD_USER: "efdreader", EFD_PASSWORD: "efd-Pa55!" }, auth: true },
    );
    expect((await cscStates.run(t.step, t.ctx)).status).toBe("done");
    expect(efd.requests.at(-1)!.headers.authorization).toBe("<redacted>");
  });

  it("names an unknown database", async () => {
    const { step, ctx } = setup(
      watcher,
      { timeoutSeconds: 0 },
      { site: site({ efd: { url: efd.url, database: "nope" } }) },
    );
    const e = await failure(cscStates.run(step, ctx));
    expect(e.message).toBe("the EFD refused a query of database `nope`: database not found: nope");
  });

  it("tries again after a 500 and says when the EFD cannot be reached", async () => {
    efd.stopCsc("Watcher");
    efd.failNext(500, { error: "timeout" });
    const { step, ctx, logs } = setup(watcher);
    expect((await cscStates.run(step, ctx)).status).toBe("done");
    expect(logs[0]).toBe(
      `CSC states: unreachable (the EFD answered 500 (server error) to GET ${efd.url}/query?db=efd: timeout); trying again`,
    );
    const url = efd.url;
    await efd.stop();
    const again = setup(watcher, { timeoutSeconds: 0 }, { site: site({ efd: { url, database: "efd" } }) });
    const e = await failure(again.client!.readCscs([parseCsc("Watcher")], 60));
    expect(e.message).toBe(`cannot reach the EFD for GET ${url}/query?db=efd: connection refused`);
    expect((e as StepFailure).transient).toBe(true);
  });
});
