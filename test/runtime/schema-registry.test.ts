import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createSchemaRegistryClient,
  REGISTRY_CONTENT_TYPE,
  type SchemaRegistryClient,
} from "../../src/runtime/clients/schema-registry.js";
import { StepFailure } from "../../src/runtime/executor.js";
import {
  registryCheckCompatibility,
  registrySetCompatibility,
  schemaRegistryExecutors,
} from "../../src/runtime/executors/schema-registry.js";
import {
  type CompatibilityChange,
  SchemaRegistryServer,
} from "../../src/runtime/simulator/schema-registry-server.js";
import { FakeClock, testContext, testPlan, testSite, testStep } from "./context.js";

let server: SchemaRegistryServer;
let clients: SchemaRegistryClient[];
let changes: CompatibilityChange[];

beforeEach(async () => {
  server = new SchemaRegistryServer({ compatibility: "FORWARD" });
  await server.start();
  changes = [];
  server.events.on("compatibility", (c) => changes.push(c));
  clients = [];
});

afterEach(async () => {
  for (const c of clients) c.close();
  await server.stop();
});

/** A clock that calls `onSleep` with the number of sleeps so far, after each one. */
class HookedClock extends FakeClock {
  constructor(private readonly onSleep: (n: number) => void) {
    super();
  }
  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await super.sleep(ms, signal);
    this.onSleep(this.sleeps.length);
  }
}

function setup(url = server.url, clock = new FakeClock()) {
  const site = testSite({ schemaRegistry: { url } });
  const client = createSchemaRegistryClient(site);
  clients.push(client);
  const t = testContext({ plan: testPlan([], site), clock, services: { registry: () => client } });
  return { ...t, site, client };
}

function calls(): string[] {
  return server.requests.map((r) => `${r.method} ${r.path}`);
}

async function failure(promise: Promise<unknown>): Promise<StepFailure> {
  const e = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(StepFailure);
  return e as StepFailure;
}

describe("registry-set-compatibility", () => {
  it("reads, sets with the registry's content type, and reads back", async () => {
    const { ctx, logs } = setup();
    const step = testStep("registry-set-compatibility", { level: "NONE" });
    const result = await registrySetCompatibility.run(step, ctx);

    expect(result).toEqual({ status: "done", summary: "compatibility FORWARD -> NONE" });
    expect(calls()).toEqual(["GET /config", "PUT /config", "GET /config"]);
    const put = server.requests[1]!;
    expect(put.headers["content-type"]).toBe(REGISTRY_CONTENT_TYPE);
    expect(put.body).toEqual({ compatibility: "NONE" });
    expect(server.compatibility).toBe("NONE");
    expect(changes).toEqual([{ from: "FORWARD", to: "NONE" }]);
    expect(logs).toEqual([
      "schema registry compatibility is FORWARD",
      "schema registry compatibility set to NONE (was FORWARD)",
    ]);
  });

  it("accepts a level in lower case and sends it in upper case", async () => {
    const { ctx } = setup();
    await registrySetCompatibility.run(
      testStep("registry-set-compatibility", { level: "forward_transitive" }),
      ctx,
    );
    expect(server.requests[1]!.body).toEqual({ compatibility: "FORWARD_TRANSITIVE" });
  });

  it("refuses an unknown level before sending anything", async () => {
    const { ctx } = setup();
    const e = await failure(
      registrySetCompatibility.run(testStep("registry-set-compatibility", { level: "FORWRD" }), ctx),
    );
    expect(e.message).toBe("`FORWRD` is not a compatibility level of the schema registry");
    expect(e.help).toBe(
      "use one of BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE",
    );
    expect(server.requests).toEqual([]);
  });

  it("fails when the level does not read back", async () => {
    server.events.on("compatibility", (c) => {
      if (c.to === "NONE") server.setCompatibility("FORWARD");
    });
    const { ctx } = setup();
    const e = await failure(
      registrySetCompatibility.run(testStep("registry-set-compatibility", { level: "NONE" }), ctx),
    );
    expect(e.message).toBe(
      "the schema registry answered FORWARD to the change to NONE but reads back FORWARD",
    );
  });

  it("observes whether the level is set", async () => {
    const { ctx } = setup();
    const step = testStep("registry-set-compatibility", { level: "NONE" });
    expect(await registrySetCompatibility.observe!(step, ctx)).toBe("not-done");
    server.setCompatibility("NONE");
    expect(await registrySetCompatibility.observe!(step, ctx)).toBe("done");
    await server.stop();
    expect(await registrySetCompatibility.observe!(step, ctx)).toBe("unknown");
  });

  it("describes the exact calls", () => {
    const { site } = setup();
    expect(
      schemaRegistryExecutors["registry-set-compatibility"].describe(
        testStep("registry-set-compatibility", { level: "NONE" }),
        site,
      ),
    ).toEqual([
      `GET ${server.url}/config (the compatibilityLevel before)`,
      `PUT ${server.url}/config {"compatibility":"NONE"} (Content-Type: application/vnd.schemaregistry.v1+json)`,
      `GET ${server.url}/config (compatibilityLevel must now be NONE)`,
    ]);
    expect(server.requests).toEqual([]);
  });
});

describe("registry-check-compatibility", () => {
  it("with timeout 0, reads once and fails when the level differs", async () => {
    server.setCompatibility("NONE");
    const { ctx } = setup();
    const step = testStep("registry-check-compatibility", { level: "FORWARD", timeoutSeconds: 0 });
    const e = await failure(registryCheckCompatibility.run(step, ctx));
    expect(e.message).toBe("schema registry compatibility is NONE, not FORWARD, after 0ms");
    expect(calls()).toEqual(["GET /config"]);
  });

  it("with timeout 0, passes when the level matches", async () => {
    const { ctx } = setup();
    const step = testStep("registry-check-compatibility", { level: "FORWARD", timeoutSeconds: 0 });
    expect(await registryCheckCompatibility.run(step, ctx)).toEqual({
      status: "done",
      summary: "schema registry compatibility: FORWARD",
    });
  });

  it("with a timeout, waits until the level is back", async () => {
    server.setCompatibility("NONE");
    const clock = new HookedClock((n) => {
      if (n === 2) server.setCompatibility("FORWARD");
    });
    const { ctx, progress } = setup(server.url, clock);
    const step = testStep("registry-check-compatibility", {
      level: "FORWARD",
      timeoutSeconds: 60,
      pollSeconds: 10,
    });
    const result = await registryCheckCompatibility.run(step, ctx);
    expect(result.status).toBe("done");
    expect(calls()).toEqual(["GET /config", "GET /config", "GET /config"]);
    expect(clock.sleeps).toEqual([10_000, 10_000]);
    expect(progress.map((p) => p.current)).toEqual(["NONE", "NONE"]);
  });

  it("describes a single read and a wait", () => {
    const { site } = setup();
    const once = testStep("registry-check-compatibility", { level: "FORWARD", timeoutSeconds: 0 });
    const wait = testStep("registry-check-compatibility", {
      level: "FORWARD",
      timeoutSeconds: 300,
      pollSeconds: 15,
    });
    expect(registryCheckCompatibility.describe(once, site)).toEqual([
      `GET ${server.url}/config once (compatibilityLevel must be FORWARD)`,
    ]);
    expect(registryCheckCompatibility.describe(wait, site)).toEqual([
      `GET ${server.url}/config every 15s until compatibilityLevel is FORWARD (timeout 5m)`,
    ]);
  });
});

describe("the schema registry client's errors", () => {
  it("turns {error_code, message} into a clear message", async () => {
    const { client } = setup();
    server.failNext(422, { error_code: 42203, message: "Invalid compatibility level" });
    let e = await failure(client.setCompatibility("NONE"));
    expect(e.message).toBe(
      `the schema registry answered 422 (unprocessable) to PUT ${server.url}/config: Invalid compatibility level (error 42203)`,
    );
    expect(e.transient).toBe(false);

    server.failNext(500, { error_code: 50001, message: "Error in the backend data store" });
    e = await failure(client.getCompatibility());
    expect(e.message).toBe(
      `the schema registry answered 500 (server error) to GET ${server.url}/config: Error in the backend data store (error 50001)`,
    );
    expect(e.transient).toBe(true);

    server.failNext(401, { error_code: 401, message: "Unauthorized" });
    e = await failure(client.getCompatibility());
    expect(e.message).toBe(
      `the schema registry answered 401 (unauthorized) to GET ${server.url}/config: Unauthorized (error 401)`,
    );
  });

  it("names a wrong URL (404) and a refused connection", async () => {
    const wrong = setup(`${server.url}/registry`).client;
    let e = await failure(wrong.getCompatibility());
    expect(e.message).toBe(
      `the schema registry answered 404 (not found) to GET ${server.url}/registry/config: HTTP 404 Not Found (error 404)`,
    );
    expect(e.help).toBe("check the name and the URL in the site file");
    const url = server.url;
    await server.stop();
    e = await failure(setup(url).client.getCompatibility());
    expect(e.message).toBe(`cannot reach the schema registry for GET ${url}/config: connection refused`);
    expect(e.transient).toBe(true);
  });

  it("is what the double checks: the registry refuses another content type", async () => {
    const res = await fetch(`${server.url}/config`, {
      method: "PUT",
      headers: { "content-type": "text/plain" },
      body: '{"compatibility":"NONE"}',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ error_code: 415, message: "HTTP 415 Unsupported Media Type" });
    expect(server.compatibility).toBe("FORWARD");
  });
});
