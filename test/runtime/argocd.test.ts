import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { rootCertificates } from "node:tls";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PlanSite } from "../../src/ir/schema.js";
import { type ArgoCdClient, createArgoCdClient } from "../../src/runtime/clients/argocd.js";
import type { ServiceError } from "../../src/runtime/clients/http-json.js";
import { StepFailure } from "../../src/runtime/executor.js";
import { argocdExecutors, argocdSync } from "../../src/runtime/executors/argocd.js";
import { type ArgoAppChange, ArgoCdServer } from "../../src/runtime/simulator/argocd-server.js";
import { REDACTED } from "../../src/runtime/simulator/http-double.js";
import { simulatorTls } from "../../src/runtime/simulator/tls.js";
import { FakeClock, testContext, testPlan, testSite, testStep } from "./context.js";
import { expectNoSecrets, RecordingSecrets, said } from "./secrets.js";

const PASSWORD = "s3cret-Pa55word!";
const TOKEN = "argocd-api-token-0123456789";
const ENV = { ARGOCD_USER: "deployer", ARGOCD_PASSWORD: PASSWORD };
const tls = simulatorTls();

let clock: FakeClock;
let server: ArgoCdServer;
let clients: ArgoCdClient[];
let events: ArgoAppChange[];
let tmp: string;

beforeEach(async () => {
  clock = new FakeClock();
  server = new ArgoCdServer({ clock, users: { deployer: PASSWORD }, tokens: [TOKEN], rootPath: "/argo-cd" });
  await server.start();
  server.seed({ name: "love", project: "telescope" });
  events = [];
  server.events.on("change", (e) => events.push(e));
  clients = [];
  tmp = mkdtempSync(join(tmpdir(), "plan-argocd-"));
});

afterEach(async () => {
  for (const c of clients) c.close();
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function site(overrides: Partial<NonNullable<PlanSite["argocd"]>> = {}): PlanSite {
  return testSite({
    argocd: {
      url: `${server.url}/argo-cd`,
      caFile: tls.caFile,
      usernameEnv: "ARGOCD_USER",
      passwordEnv: "ARGOCD_PASSWORD",
      ...overrides,
    },
  });
}

function setup(
  siteValue = site(),
  env: Record<string, string> = ENV,
  stepFields: { timeoutSeconds?: number } = {},
) {
  const secrets = new RecordingSecrets(env);
  const client = createArgoCdClient(siteValue, secrets);
  clients.push(client);
  const step = testStep("argocd-sync", {
    app: "love",
    project: "telescope",
    pollSeconds: 5,
    timeoutSeconds: stepFields.timeoutSeconds ?? 120,
  });
  const t = testContext({
    plan: testPlan([step], siteValue),
    clock,
    secrets,
    services: { argocd: () => client },
  });
  return { ...t, step, client, secrets };
}

/** `METHOD /path?query` of every request the double received. */
function calls(): string[] {
  return server.requests.map((r) => {
    const q = new URLSearchParams(r.query).toString();
    return `${r.method} ${r.path}${q ? `?${q}` : ""}`;
  });
}

async function failure(promise: Promise<unknown>): Promise<StepFailure> {
  const e = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(StepFailure);
  return e as StepFailure;
}

const APP = "/argo-cd/api/v1/applications/love";

describe("argocd-sync against the Argo CD double", () => {
  it("logs in with the password, syncs, and waits until Synced and Healthy, with exactly these calls", async () => {
    const { step, ctx, logs, secrets } = setup();
    const result = await argocdSync.run(step, ctx);

    expect(result).toEqual({ status: "done", summary: "Argo CD application love: Synced/Healthy" });
    expect(calls()).toEqual([
      "POST /argo-cd/api/v1/session",
      `GET ${APP}?project=telescope`,
      `POST ${APP}/sync`,
      ...Array(5).fill(`GET ${APP}?project=telescope`),
    ]);
    const [login, first, sync] = server.requests;
    expect(login!.body).toEqual({ username: "deployer", password: REDACTED });
    expect(login!.headers.authorization).toBeUndefined();
    expect(first!.headers.authorization).toBe(REDACTED);
    expect(sync!.body).toEqual({ name: "love", project: "telescope" });
    expect(sync!.headers["content-type"]).toBe("application/json");
    expect(logs).toEqual([
      "love: OutOfSync/Healthy before the sync (at 0000000)",
      "asked Argo CD to sync love",
      "love: OutOfSync/Healthy, sync requested",
      "love: OutOfSync/Progressing, sync Running: one or more tasks are running",
      "love: Synced/Progressing",
      "Argo CD application love: Synced/Healthy",
    ]);
    expect(events.map((e) => e.what)).toEqual(["sync-requested", "sync-started", "synced", "healthy"]);
    expect(server.app("love")).toMatchObject({ sync: "Synced", health: "Healthy", operationPending: false });
    expectNoSecrets([...logs, JSON.stringify(server.requests)], [PASSWORD, ...server.issuedTokens()]);
    expect(secrets.read).toEqual(new Set(["deployer", PASSWORD]));
  });

  it("uses the token from tokenEnv without logging in", async () => {
    const { step, ctx, logs, secrets } = setup(site({ tokenEnv: "ARGOCD_TOKEN" }), {
      ...ENV,
      ARGOCD_TOKEN: TOKEN,
    });
    const result = await argocdSync.run(step, ctx);
    expect(result.status).toBe("done");
    expect(calls()[0]).toBe(`GET ${APP}?project=telescope`);
    expect(calls()).not.toContain("POST /argo-cd/api/v1/session");
    expect(secrets.read).toEqual(new Set([TOKEN]));
    expectNoSecrets([...logs, JSON.stringify(server.requests)], [TOKEN]);
  });

  it("logs in again once when the session expires during the wait", async () => {
    const { step, ctx, client } = setup();
    await client.status("love");
    server.expireSessions();
    await argocdSync.run(step, ctx);
    expect(calls().filter((c) => c.endsWith("/session"))).toHaveLength(2);
  });

  it("reports a sync whose operation Failed at once, with Argo CD's message", async () => {
    server.seed({ name: "love", project: "telescope", fault: "sync-failed" });
    const { step, ctx, logs } = setup();
    const e = await failure(argocdSync.run(step, ctx));
    expect(e.message).toBe(
      'the sync of Argo CD application love failed: sync Failed: one or more objects failed to apply, reason: Deployment.apps "love" is invalid: spec.template.spec.containers[0].image: Required value',
    );
    expect(e.transient).toBe(false);
    expect(clock.now() - Date.UTC(2026, 0, 1)).toBeLessThan(120_000);
    expectNoSecrets([...logs, said(e)], [PASSWORD, ...server.issuedTokens()]);
  });

  it("reports an app that stays Degraded when the timeout runs out, with Argo CD's reason", async () => {
    server.seed({ name: "love", project: "telescope", fault: "degraded" });
    const { step, ctx } = setup(site(), ENV, { timeoutSeconds: 60 });
    const e = await failure(argocdSync.run(step, ctx));
    expect(e.message).toBe(
      'Argo CD application love is Synced/Degraded (Deployment love/love: Deployment "love" exceeded its progress deadline), not Synced and Healthy, after 1m',
    );
  });

  it("waits for a sync already under way instead of failing", async () => {
    const { step, ctx, client, logs } = setup();
    await client.sync("love");
    const result = await argocdSync.run(step, ctx);
    expect(result.status).toBe("done");
    expect(logs).toContain("Argo CD is already syncing love; waiting for that sync to end");
  });

  it("observes done only when the app is Synced and Healthy, and unknown when Argo CD cannot be reached", async () => {
    const { step, ctx } = setup();
    expect(await argocdSync.observe!(step, ctx)).toBe("not-done");
    await argocdSync.run(step, ctx);
    expect(await argocdSync.observe!(step, ctx)).toBe("done");
    await server.stop();
    expect(await argocdSync.observe!(step, ctx)).toBe("unknown");
  });

  it("stops promptly when the run is interrupted during the wait", async () => {
    const { step, ctx, controller } = setup();
    server.events.on("change", (e) => {
      if (e.what === "sync-started") controller.abort(new Error("interrupted by the operator"));
    });
    await expect(argocdSync.run(step, ctx)).rejects.toThrow("interrupted by the operator");
    expect(server.app("love").operationPending).toBe(true);
  });

  it("moves on by itself with settleEveryMs, so a simulated site can react to a sync", async () => {
    const realClock = {
      now: () => Date.now(),
      sleep: (ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }),
    };
    const live = new ArgoCdServer({ clock: realClock, tokens: [TOKEN], settleEveryMs: 5 });
    await live.start();
    try {
      live.seed({ name: "obssys", project: "telescope", pickupMs: 5, syncMs: 5, healthMs: 5 });
      const healthy = new Promise<ArgoAppChange>((resolve) =>
        live.events.on("change", (e) => {
          if (e.what === "healthy") resolve(e);
        }),
      );
      const client = createArgoCdClient(
        testSite({ argocd: { url: live.url, caFile: tls.caFile, tokenEnv: "T" } }),
        new RecordingSecrets({ T: TOKEN }),
      );
      clients.push(client);
      await client.sync("obssys");
      const requests = live.requests.length;
      expect((await healthy).view).toMatchObject({ sync: "Synced", health: "Healthy" });
      expect(live.requests.length).toBe(requests);
    } finally {
      await live.stop();
    }
  });

  it("describes the exact HTTP calls, naming the variables and never their values", () => {
    const s = site();
    const step = testStep("argocd-sync", {
      app: "love",
      project: "telescope",
      pollSeconds: 5,
      timeoutSeconds: 600,
    });
    const base = `${server.url}/argo-cd`;
    expect(argocdExecutors["argocd-sync"].describe(step, s)).toEqual([
      `POST ${base}/api/v1/session {"username":"$ARGOCD_USER","password":"$ARGOCD_PASSWORD"} for a session token`,
      `trusting only the CA in ${tls.caFile}`,
      `GET ${base}/api/v1/applications/love?project=telescope (sync and health before the sync)`,
      `POST ${base}/api/v1/applications/love/sync {"name":"love","project":"telescope"}`,
      `GET ${base}/api/v1/applications/love?project=telescope every 5s until status.sync.status is Synced and ` +
        "status.health.status is Healthy (timeout 10m); status.operationState.phase Failed or Error fails the step",
    ]);
    expect(server.requests).toEqual([]);
  });
});

describe("the Argo CD client's trust and errors", () => {
  it("refuses a server whose certificate does not chain to the site's CA", async () => {
    const other = join(tmp, "other-ca.crt");
    writeFileSync(other, rootCertificates[0]!);
    const { client } = setup(site({ caFile: other }));
    const e = await failure(client.status("love"));
    expect(e.message).toMatch(
      new RegExp(
        `^refused Argo CD at POST ${server.url}/argo-cd/api/v1/session: its certificate is not trusted by the site's CA \\(${other}\\)`,
      ),
    );
    expect(e.help).toBe(
      "check that `caFile` in the site file is the CA that signs this server's certificate",
    );
    expect(e.transient).toBe(false);
    expect(server.requests).toEqual([]);
  });

  it("refuses the simulated site's certificate when the site gives no CA (the system's CAs only)", async () => {
    const { client } = setup(site({ caFile: undefined }));
    const e = await failure(client.status("love"));
    expect(e.message).toContain("its certificate is not trusted by the system's trusted CAs");
    expect(server.requests).toEqual([]);
  });

  it("says which login was refused, without the password", async () => {
    const { client } = setup(site(), { ARGOCD_USER: "deployer", ARGOCD_PASSWORD: "wrong-password-42" });
    const e = await failure(client.status("love"));
    expect(e.message).toBe(
      `Argo CD refused the login of \`deployer\` ($ARGOCD_PASSWORD): Argo CD answered 401 (unauthorized) to POST ${server.url}/argo-cd/api/v1/session: Invalid username or password`,
    );
    expect(e.help).toBe("check the user name and the password in $ARGOCD_PASSWORD");
    expectNoSecrets([said(e), JSON.stringify(server.requests)], ["wrong-password-42"]);
  });

  it("says a token was refused, and scrubs a secret that a server echoes", async () => {
    const bad = "expired-token-abcdef";
    const { client } = setup(site({ tokenEnv: "ARGOCD_TOKEN" }), { ARGOCD_TOKEN: bad });
    let e = await failure(client.status("love"));
    expect(e.message).toBe(
      `Argo CD answered 401 (unauthorized) to GET ${server.url}${APP}: invalid session: token signature is invalid`,
    );
    expect(e.help).toBe("the token in $ARGOCD_TOKEN was refused: it may have expired; get a new one");
    server.failNext(401, { error: `token ${bad} is expired`, code: 16, message: `token ${bad} is expired` });
    e = await failure(client.status("love"));
    expect(e.message).toContain("token *** is expired");
    expectNoSecrets([said(e)], [bad]);
  });

  it("names a missing application, a 500 as transient, and a refused connection", async () => {
    const { client } = setup();
    let e = await failure(client.status("nope"));
    expect(e.message).toBe(
      `Argo CD answered 404 (not found) to GET ${server.url}/argo-cd/api/v1/applications/nope: applications.argoproj.io "nope" not found`,
    );
    expect((e as ServiceError).status).toBe(404);
    server.failNext(500, {
      error: "etcdserver: request timed out",
      code: 13,
      message: "etcdserver: request timed out",
    });
    e = await failure(client.status("love"));
    expect(e.message).toBe(
      `Argo CD answered 500 (server error) to GET ${server.url}${APP}: etcdserver: request timed out`,
    );
    expect(e.transient).toBe(true);
    const url = server.url;
    await server.stop();
    const fresh = setup(site()).client;
    e = await failure(fresh.status("love"));
    expect(e.message).toBe(`cannot reach Argo CD for POST ${url}/argo-cd/api/v1/session: connection refused`);
    expect(e.transient).toBe(true);
  });

  it("retries a transient error during the wait and still finishes", async () => {
    const { step, ctx, logs } = setup();
    server.events.on("change", (e) => {
      if (e.what === "sync-started")
        server.failNext(503, { error: "unavailable", code: 14, message: "unavailable" });
    });
    const result = await argocdSync.run(step, ctx);
    expect(result.status).toBe("done");
    expect(logs).toContain(
      `Argo CD application love: unreachable (Argo CD answered 503 (server error) to GET ${server.url}${APP}?project=telescope: unavailable); trying again`,
    );
  });

  it("says clearly when the URL misses the API's root path", async () => {
    const { client } = setup(site({ url: server.url }));
    const e = await failure(client.status("love"));
    expect(e.message).toBe(
      `Argo CD answered POST ${server.url}/api/v1/session with 404 and a body that is not JSON (text/plain): 404 page not found`,
    );
  });

  it("refuses an app of another project", async () => {
    const { client } = setup();
    const e = await failure(client.status("love", { project: "default" }));
    expect(e.message).toContain("answered 403 (forbidden)");
    expect(e.message).toContain("permission denied");
  });

  it("says which variables are missing when there are no credentials", async () => {
    const { client } = setup(site({ tokenEnv: "ARGOCD_TOKEN" }), {});
    const e = await failure(client.status("love"));
    expect(e.message).toBe(
      "no Argo CD credentials for site `summit`: $ARGOCD_TOKEN, $ARGOCD_USER, $ARGOCD_PASSWORD are not set",
    );
    expect(server.requests).toEqual([]);
  });
});
