import { afterEach, describe, expect, test } from "vitest";
import { KubeApiServer } from "../../src/runtime/simulator/kube-apiserver.js";
import { KubeCluster, labelsMatch } from "../../src/runtime/simulator/kube-cluster.js";
import type { KubeEvent } from "../../src/runtime/simulator/kube-events.js";
import { kubeconfigText } from "../../src/runtime/simulator/kubeconfig.js";
import {
  matchesSelector,
  parseSelector,
  SelectorSyntaxError,
} from "../../src/runtime/simulator/label-selector.js";
import { applyJsonPatch, applyMergePatch, PatchError } from "../../src/runtime/simulator/patches.js";
import { FakeClock } from "./context.js";
import { KAFKA } from "./kube-fixture.js";

describe("label selectors", () => {
  const labels = { app: "telegraf", tier: "kafka", "app.kubernetes.io/name": "sasquatch-telegraf" };
  test.each([
    ["", true],
    ["app=telegraf", true],
    ["app==telegraf,tier=kafka", true],
    ["app.kubernetes.io/name=sasquatch-telegraf", true],
    ["app!=telegraf", false],
    ["missing!=x", true],
    ["app in (telegraf, kafka-connect)", true],
    ["app notin (telegraf)", false],
    ["missing notin (x)", true],
    ["tier", true],
    ["!tier", false],
    ["!missing,app in (telegraf)", true],
    ["app=other", false],
  ])("%j matches: %s", (selector, expected) => {
    expect(matchesSelector(labels, parseSelector(selector))).toBe(expected);
    expect(labelsMatch(labels, selector)).toBe(expected);
  });

  test.each(["app in ()", "app in (a", "=x", "a b", "app=x y", "app,,b"])("%j is refused", (selector) => {
    expect(() => parseSelector(selector)).toThrow(SelectorSyntaxError);
  });

  test("an empty value is a value", () => {
    expect(matchesSelector({ app: "" }, parseSelector("app="))).toBe(true);
  });
});

describe("patches", () => {
  test("merge patch: objects merge, null removes, the rest replaces", () => {
    const doc = { metadata: { annotations: { a: "1", b: "2" } }, spec: { list: [1, 2] } };
    expect(
      applyMergePatch(doc, { metadata: { annotations: { a: null, c: "3" } }, spec: { list: [3] } }),
    ).toEqual({
      metadata: { annotations: { b: "2", c: "3" } },
      spec: { list: [3] },
    });
    expect(doc.metadata.annotations).toEqual({ a: "1", b: "2" });
  });

  test("JSON patch: add, replace, remove, test; a missing path is 422", () => {
    const doc = { spec: { replicas: 1, list: ["a"] } };
    expect(
      applyJsonPatch(doc, [
        { op: "test", path: "/spec/replicas", value: 1 },
        { op: "replace", path: "/spec/replicas", value: 0 },
        { op: "add", path: "/spec/list/-", value: "b" },
        { op: "add", path: "/metadata", value: { name: "x~y/z" } },
        { op: "remove", path: "/spec/list/0" },
      ]),
    ).toEqual({ spec: { replicas: 0, list: ["b"] }, metadata: { name: "x~y/z" } });
    expect(() => applyJsonPatch(doc, [{ op: "remove", path: "/spec/gone" }])).toThrow(PatchError);
    expect(() => applyJsonPatch(doc, { spec: {} })).toThrow(/cannot unmarshal object/);
  });
});

describe("the API server double", () => {
  let api: KubeApiServer;
  let clock: FakeClock;
  afterEach(async () => api?.stop());

  async function start(options: Parameters<typeof KubeApiServer.start>[0] = {}) {
    clock = new FakeClock();
    api = await KubeApiServer.start({ clock, ...options });
    return api;
  }

  async function call(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
    token?: string,
  ) {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { "Content-Type": contentType } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers
    return { status: res.status, body: (await res.json()) as any };
  }

  test("lists by label selector; a namespace that does not exist lists nothing; a bad selector is 400", async () => {
    await start();
    api.cluster.addJob({ namespace: "obssys", name: "a", labels: { "csc-class": "scheduler" } });
    api.cluster.addJob({ namespace: "obssys", name: "b", labels: { "csc-class": "watcher" } });
    const list = await call(
      "GET",
      "/apis/batch/v1/namespaces/obssys/jobs?labelSelector=csc-class%20in%20(scheduler)",
    );
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({
      kind: "JobList",
      apiVersion: "batch/v1",
      metadata: { resourceVersion: expect.any(String) },
    });
    expect(list.body.items.map((j: { metadata: { name: string } }) => j.metadata.name)).toEqual(["a"]);
    expect((await call("GET", "/apis/batch/v1/namespaces/nowhere/jobs")).body.items).toEqual([]);
    const bad = await call("GET", "/apis/batch/v1/namespaces/obssys/jobs?labelSelector=a%20in%20(");
    expect(bad).toMatchObject({
      status: 400,
      body: { kind: "Status", status: "Failure", reason: "BadRequest", code: 400 },
    });
    const unknown = await call("GET", "/apis/kafka.strimzi.io/v1beta2/namespaces/sasquatch/kafkas");
    expect(unknown.body).toMatchObject({
      code: 404,
      message: "the server could not find the requested resource",
    });
  });

  test("PATCH: the media types the real server accepts, per resource", async () => {
    await start();
    api.cluster.defineResource(KAFKA);
    api.cluster.addObject(KAFKA, { namespace: "sasquatch", name: "sasquatch" });
    api.cluster.addObject(
      { group: "", version: "v1", plural: "configmaps" },
      { namespace: "sasquatch", name: "cm" },
    );
    const kafka = "/apis/kafka.strimzi.io/v1beta2/namespaces/sasquatch/kafkas/sasquatch";
    const patch = { metadata: { annotations: { a: "b" } } };
    expect((await call("PATCH", kafka, patch, "application/strategic-merge-patch+json")).body).toMatchObject({
      code: 415,
      reason: "UnsupportedMediaType",
      message: expect.stringContaining("application/merge-patch+json"),
    });
    expect((await call("PATCH", kafka, patch, "application/json")).status).toBe(415);
    expect(
      (await call("PATCH", kafka, patch, "application/merge-patch+json")).body.metadata.annotations,
    ).toEqual({ a: "b" });
    const cm = "/api/v1/namespaces/sasquatch/configmaps/cm";
    expect((await call("PATCH", cm, patch, "application/strategic-merge-patch+json")).status).toBe(200);
    const jsonPatch = [{ op: "add", path: "/metadata/annotations/c", value: "d" }];
    expect(
      (await call("PATCH", cm, jsonPatch, "application/json-patch+json")).body.metadata.annotations,
    ).toEqual({ a: "b", c: "d" });
    expect((await call("PATCH", cm, "a: [", "application/merge-patch+json")).status).toBe(400);
    expect(api.requests.map((r) => r.contentType)).toContain("application/strategic-merge-patch+json");
  });

  test("resourceVersion: every write bumps it; a stale replace is 409 Conflict; a second create 409 AlreadyExists", async () => {
    await start();
    api.cluster.addNamespace("default");
    const leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases";
    const made = await call("POST", leases, { metadata: { name: "l" }, spec: { holderIdentity: "a" } });
    expect(made.status).toBe(201);
    const rv = made.body.metadata.resourceVersion;
    const put = await call("PUT", `${leases}/l`, {
      metadata: { name: "l", resourceVersion: rv },
      spec: { holderIdentity: "b" },
    });
    expect(put.body.metadata.resourceVersion).not.toBe(rv);
    const stale = await call("PUT", `${leases}/l`, {
      metadata: { name: "l", resourceVersion: rv },
      spec: { holderIdentity: "c" },
    });
    expect(stale.body).toMatchObject({ code: 409, reason: "Conflict" });
    expect((await call("POST", leases, { metadata: { name: "l" } })).body).toMatchObject({
      code: 409,
      reason: "AlreadyExists",
    });
    expect((await call("PUT", `${leases}/other`, { metadata: { name: "l" } })).status).toBe(400);
    expect(
      (await call("POST", leases, { metadata: { name: "x" } }, "application/merge-patch+json")).status,
    ).toBe(415);
  });

  test("deleting jobs: Orphan (the API's default) keeps the pods, Background deletes them", async () => {
    await start();
    const seen: KubeEvent[] = [];
    api.cluster.on((e) => seen.push(e));
    api.cluster.addJob({ namespace: "obssys", name: "kept", labels: { keep: "pods" } });
    api.cluster.addJob({ namespace: "obssys", name: "gone", labels: { keep: "no" }, pods: 2 });
    await call("DELETE", "/apis/batch/v1/namespaces/obssys/jobs/kept");
    const all = await call("DELETE", "/apis/batch/v1/namespaces/obssys/jobs?propagationPolicy=Background");
    expect(all.body.items.map((j: { metadata: { name: string } }) => j.metadata.name)).toEqual(["gone"]);
    expect(api.cluster.jobs("obssys")).toEqual([]);
    expect(api.cluster.pods("obssys").map((p) => p.name)).toEqual([expect.stringMatching(/^kept-/)]);
    expect(
      seen
        .filter((e) => e.type === "job-deleted")
        .map((e) => [e.type === "job-deleted" && e.propagationPolicy]),
    ).toEqual([["Orphan"], ["Background"]]);
    expect(
      (await call("DELETE", "/apis/batch/v1/namespaces/obssys/jobs?propagationPolicy=Sometimes")).status,
    ).toBe(422);
  });

  test("deployments become ready, and pods go away, after delays on the clock", async () => {
    await start({ readyDelayMs: 1_000, terminationDelayMs: 500 });
    const seen: KubeEvent[] = [];
    api.cluster.on((e) => seen.push(e));
    api.cluster.addDeployment({ namespace: "n", name: "d", replicas: 0 });
    const scale = "/apis/apps/v1/namespaces/n/deployments/d/scale";
    const patched = await call("PATCH", scale, { spec: { replicas: 2 } }, "application/merge-patch+json");
    expect(patched.body).toMatchObject({
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      spec: { replicas: 2 },
      status: { replicas: 2, selector: "app=d" },
    });
    expect(api.cluster.deployment("n", "d")).toMatchObject({
      replicas: 2,
      statusReplicas: 2,
      readyReplicas: 0,
    });
    await clock.sleep(999);
    expect(api.cluster.deployment("n", "d")?.readyReplicas).toBe(0);
    await clock.sleep(1);
    expect(api.cluster.deployment("n", "d")?.readyReplicas).toBe(2);

    await call("PATCH", scale, { spec: { replicas: 0 } }, "application/merge-patch+json");
    expect(api.cluster.deployment("n", "d")).toMatchObject({ statusReplicas: 0, readyReplicas: 0 });
    expect(api.cluster.pods("n").map((p) => p.terminating)).toEqual([true, true]);
    await clock.sleep(500);
    expect(api.cluster.pods("n")).toEqual([]);
    expect(seen.filter((e) => e.type.startsWith("deployment-"))).toEqual([
      { type: "deployment-scaled", namespace: "n", name: "d", from: 0, to: 2 },
      { type: "deployment-settled", namespace: "n", name: "d", replicas: 2 },
      { type: "deployment-scaled", namespace: "n", name: "d", from: 2, to: 0 },
      { type: "deployment-settled", namespace: "n", name: "d", replicas: 0 },
    ]);
    const deployment = await call("GET", "/apis/apps/v1/namespaces/n/deployments/d");
    expect(deployment.body.metadata.generation).toBe(3);
    expect(deployment.body.status.observedGeneration).toBe(3);
  });

  test("bearer tokens, RBAC refusals and the request log", async () => {
    await start({ tokens: { t1: "alice" } });
    api.cluster.addNamespace("love");
    api.forbid({ verb: "list", resource: "pods", user: "alice" });
    expect((await call("GET", "/api/v1/namespaces/love")).body).toMatchObject({
      code: 401,
      reason: "Unauthorized",
    });
    expect((await call("GET", "/api/v1/namespaces/love", undefined, undefined, "t1")).status).toBe(200);
    const refused = await call(
      "GET",
      "/api/v1/namespaces/love/pods?labelSelector=app%3Dx",
      undefined,
      undefined,
      "t1",
    );
    expect(refused.body.message).toBe(
      'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "love"',
    );
    expect(api.calls()).toEqual([
      "GET /api/v1/namespaces/love",
      "GET /api/v1/namespaces/love",
      "GET /api/v1/namespaces/love/pods?labelSelector=app=x",
    ]);
    expect(api.requests.map((r) => [r.user, r.status])).toEqual([
      ["system:anonymous", 401],
      ["alice", 200],
      ["alice", 403],
    ]);
  });

  test("discovery serves the resources it knows, custom ones included", async () => {
    await start();
    api.cluster.defineResource(KAFKA);
    expect((await call("GET", "/apis")).body.groups.map((g: { name: string }) => g.name)).toEqual([
      "apps",
      "batch",
      "coordination.k8s.io",
      "kafka.strimzi.io",
    ]);
    const v1 = await call("GET", "/api/v1");
    expect(v1.body.resources.map((r: { name: string }) => r.name)).toEqual([
      "namespaces",
      "pods",
      "configmaps",
    ]);
    const apps = await call("GET", "/apis/apps/v1");
    expect(apps.body.resources.map((r: { name: string }) => r.name)).toEqual([
      "deployments",
      "deployments/scale",
    ]);
    expect((await call("GET", "/version")).body.major).toBe("1");
  });

  test("a shared cluster can be served, and a kubeconfig written for it", async () => {
    const cluster = new KubeCluster();
    cluster.addNamespace("x");
    await start({ cluster });
    expect((await call("GET", "/api/v1/namespaces/x")).body.metadata.name).toBe("x");
    const text = kubeconfigText([{ context: "tts", server: api.url, token: "t" }]);
    expect(text).toContain("current-context: tts");
    expect(text).toContain("insecure-skip-tls-verify: true");
    expect(text).toContain("token: t");
  });
});
