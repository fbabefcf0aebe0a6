import { afterEach, describe, expect, test } from "vitest";
import { kubeClientForSite } from "../../src/runtime/clients/kubernetes.js";
import { StepFailure } from "../../src/runtime/executor.js";
import { kubernetesExecutors } from "../../src/runtime/executors/kubernetes.js";
import type { KubeEvent } from "../../src/runtime/simulator/kube-events.js";
import { type TestContext, testContext, testPlan, testSite, testStep } from "./context.js";
import { CONTEXT, KAFKA, type KubeFixture, startKube } from "./kube-fixture.js";

const TELEGRAF = "app.kubernetes.io/name=sasquatch-telegraf";
const DEPLOYMENTS = "/apis/apps/v1/namespaces/sasquatch/deployments";
const site = testSite({ name: "tts", kubernetes: { context: CONTEXT } });

let f: KubeFixture;
afterEach(async () => f?.close());

/** A fixture with the Sasquatch telegraf connectors (two of them) and another deployment beside them. */
async function sasquatch(
  options: { replicas?: number; readyDelayMs?: number; terminationDelayMs?: number } = {},
) {
  f = await startKube({
    ...(options.readyDelayMs !== undefined ? { readyDelayMs: options.readyDelayMs } : {}),
    ...(options.terminationDelayMs !== undefined ? { terminationDelayMs: options.terminationDelayMs } : {}),
  });
  for (const instance of ["a", "b"]) {
    f.api.cluster.addDeployment({
      namespace: "sasquatch",
      name: `sasquatch-telegraf-${instance}`,
      labels: { "app.kubernetes.io/name": "sasquatch-telegraf" },
      podLabels: { "app.kubernetes.io/name": "sasquatch-telegraf", "app.kubernetes.io/instance": instance },
      replicas: options.replicas ?? 1,
    });
  }
  f.api.cluster.addDeployment({ namespace: "sasquatch", name: "sasquatch-rest-proxy", replicas: 2 });
  return f;
}

function context(): TestContext {
  return testContext({ plan: testPlan([], site), clock: f.clock, services: { kubernetes: () => f.kube } });
}

function events(): KubeEvent[] {
  const seen: KubeEvent[] = [];
  f.api.cluster.on((e) => seen.push(e));
  return seen;
}

async function failure(promise: Promise<unknown>): Promise<StepFailure> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StepFailure);
  return e as StepFailure;
}

const scaleStep = (replicas: number, extra: object = {}) =>
  testStep("k8s-scale", { namespace: "sasquatch", selector: TELEGRAF, replicas, pollSeconds: 10, ...extra });

describe("k8s-scale", () => {
  test("describe() gives the exact calls, in the site's context", () => {
    expect(kubernetesExecutors["k8s-scale"].describe(scaleStep(0), site)).toEqual([
      "GET /api/v1/namespaces/sasquatch (the namespace exists), in the context tts",
      `GET ${DEPLOYMENTS}?labelSelector=${TELEGRAF}, in the context tts`,
      `PATCH ${DEPLOYMENTS}/<name>/scale {"spec":{"replicas":0}} (Content-Type: application/merge-patch+json) for each deployment matching ${TELEGRAF}, in the context tts`,
      `then GET ${DEPLOYMENTS}?labelSelector=${TELEGRAF} until each reports 0 replicas and none of its pods remain (GET .../pods?labelSelector=<its selector>), looking every 10s for at most 30m`,
    ]);
  });

  test("to 0: patches the scale of each matching deployment, then waits until their pods are gone", async () => {
    await sasquatch({ terminationDelayMs: 15_000 });
    const seen = events();
    const { ctx, logs, clock } = context();
    const result = await kubernetesExecutors["k8s-scale"].run(scaleStep(0), ctx);

    expect(result.status).toBe("done");
    const pods = (i: string) =>
      `GET /api/v1/namespaces/sasquatch/pods?labelSelector=${TELEGRAF},app.kubernetes.io/instance=${i}`;
    const look = [`GET ${DEPLOYMENTS}?labelSelector=${TELEGRAF}`, pods("a"), pods("b")];
    expect(f.api.calls()).toEqual([
      "GET /api/v1/namespaces/sasquatch",
      `GET ${DEPLOYMENTS}?labelSelector=${TELEGRAF}`,
      `PATCH ${DEPLOYMENTS}/sasquatch-telegraf-a/scale`,
      `PATCH ${DEPLOYMENTS}/sasquatch-telegraf-b/scale`,
      ...look, // at 0 s the pods are terminating
      ...look, // at 10 s too
      ...look, // at 20 s they are gone
    ]);
    const patches = f.api.requests.filter((r) => r.method === "PATCH");
    expect(patches.map((r) => [r.contentType, r.body])).toEqual([
      ["application/merge-patch+json", { spec: { replicas: 0 } }],
      ["application/merge-patch+json", { spec: { replicas: 0 } }],
    ]);
    expect(clock.sleeps).toEqual([10_000, 10_000]);
    expect(logs).toContain("scaled the deployment sasquatch/sasquatch-telegraf-a from 1 to 0 replicas");
    expect(f.api.cluster.deployment("sasquatch", "sasquatch-telegraf-a")?.pods).toEqual([]);
    expect(f.api.cluster.deployment("sasquatch", "sasquatch-rest-proxy")?.readyReplicas).toBe(2);
    expect(seen.filter((e) => e.type === "deployment-scaled")).toEqual([
      { type: "deployment-scaled", namespace: "sasquatch", name: "sasquatch-telegraf-a", from: 1, to: 0 },
      { type: "deployment-scaled", namespace: "sasquatch", name: "sasquatch-telegraf-b", from: 1, to: 0 },
    ]);
  });

  test("to 1: waits, on the clock, until the new replicas are ready", async () => {
    await sasquatch({ replicas: 0, readyDelayMs: 25_000 });
    const { ctx, progress, clock } = context();
    const result = await kubernetesExecutors["k8s-scale"].run(scaleStep(1), ctx);

    expect(result).toEqual({
      status: "done",
      summary: `deployments in sasquatch matching ${TELEGRAF}: all 2 at 1`,
    });
    expect(f.api.calls().slice(4)).toEqual(Array(4).fill(`GET ${DEPLOYMENTS}?labelSelector=${TELEGRAF}`));
    expect(clock.sleeps).toEqual([10_000, 10_000, 10_000]);
    expect(progress[0]).toMatchObject({
      current:
        "0 of 2 at 1 (sasquatch-telegraf-a 0/1 ready, 1 running; sasquatch-telegraf-b 0/1 ready, 1 running)",
      target: "1 ready replicas each",
    });
    expect(f.api.cluster.deployment("sasquatch", "sasquatch-telegraf-b")?.readyReplicas).toBe(1);
  });

  test("a selector that matches nothing is said clearly, and nothing is patched", async () => {
    await sasquatch();
    const { ctx, logs } = context();
    const result = await kubernetesExecutors["k8s-scale"].run(
      scaleStep(0, { selector: "app=telegraf" }),
      ctx,
    );
    const line =
      "no deployment in namespace sasquatch matching app=telegraf: nothing was scaled (check the selector)";
    expect(result).toEqual({ status: "done", summary: line });
    expect(logs).toEqual([line]);
    expect(f.api.requests.some((r) => r.method === "PATCH")).toBe(false);
  });

  test("replicas that never become ready end the wait with the plan's timeout", async () => {
    await sasquatch({ replicas: 0, readyDelayMs: 3_600_000 });
    const { ctx } = context();
    const e = await failure(kubernetesExecutors["k8s-scale"].run(scaleStep(1, { timeoutSeconds: 30 }), ctx));
    expect(e.message).toBe(
      `deployments in sasquatch matching ${TELEGRAF} is 0 of 2 at 1 (sasquatch-telegraf-a 0/1 ready, 1 running; ` +
        "sasquatch-telegraf-b 0/1 ready, 1 running), not 1 ready replicas each, after 30s",
    );
  });

  test("observe() tells whether the deployments are at the target", async () => {
    await sasquatch();
    const { ctx } = context();
    expect(await kubernetesExecutors["k8s-scale"].observe!(scaleStep(0), ctx)).toBe("not-done");
    await kubernetesExecutors["k8s-scale"].run(scaleStep(0), ctx);
    expect(await kubernetesExecutors["k8s-scale"].observe!(scaleStep(0), ctx)).toBe("done");
    expect(await kubernetesExecutors["k8s-scale"].observe!(scaleStep(0, { selector: "app=none" }), ctx)).toBe(
      "unknown",
    );
  });
});

describe("k8s-delete-jobs", () => {
  async function withJobs() {
    f = await startKube();
    f.api.cluster.addJob({
      namespace: "obssys",
      name: "scheduler-1-job",
      labels: { "csc-class": "scheduler" },
      pods: 1,
    });
    f.api.cluster.addJob({
      namespace: "obssys",
      name: "scheduler-2-job",
      labels: { "csc-class": "scheduler" },
      pods: 2,
    });
    f.api.cluster.addJob({ namespace: "obssys", name: "watcher-job", labels: { "csc-class": "watcher" } });
  }
  const step = (selector?: string) =>
    testStep("k8s-delete-jobs", { namespace: "obssys", ...(selector ? { selector } : {}) });

  test("deletes the jobs that match a label, with their pods (propagationPolicy Background)", async () => {
    await withJobs();
    const seen = events();
    const { ctx, logs } = context();
    const result = await kubernetesExecutors["k8s-delete-jobs"].run(step("csc-class=scheduler"), ctx);

    expect(result.status).toBe("done");
    expect(f.api.calls()).toEqual([
      "GET /api/v1/namespaces/obssys",
      "GET /apis/batch/v1/namespaces/obssys/jobs?labelSelector=csc-class=scheduler",
      "DELETE /apis/batch/v1/namespaces/obssys/jobs?labelSelector=csc-class=scheduler&propagationPolicy=Background",
      "GET /apis/batch/v1/namespaces/obssys/jobs?labelSelector=csc-class=scheduler",
    ]);
    expect(logs[0]).toBe(
      "deleting 2 jobs in namespace obssys matching csc-class=scheduler, with their pods: scheduler-1-job, scheduler-2-job",
    );
    expect(f.api.cluster.jobs("obssys")).toEqual(["watcher-job"]);
    expect(f.api.cluster.pods("obssys").map((p) => p.name)).toEqual([expect.stringMatching(/^watcher-job-/)]);
    expect(seen.filter((e) => e.type === "job-deleted")).toMatchObject([
      { name: "scheduler-1-job", propagationPolicy: "Background", labels: { "csc-class": "scheduler" } },
      {
        name: "scheduler-2-job",
        propagationPolicy: "Background",
        pods: [expect.any(String), expect.any(String)],
      },
    ]);
  });

  test("without a selector, deletes every job of the namespace", async () => {
    await withJobs();
    const { ctx } = context();
    await kubernetesExecutors["k8s-delete-jobs"].run(step(), ctx);
    expect(f.api.calls()[2]).toBe(
      "DELETE /apis/batch/v1/namespaces/obssys/jobs?propagationPolicy=Background",
    );
    expect(f.api.cluster.jobs("obssys")).toEqual([]);
    expect(f.api.cluster.pods("obssys")).toEqual([]);
    expect(kubernetesExecutors["k8s-delete-jobs"].describe(step(), site)[2]).toBe(
      "DELETE /apis/batch/v1/namespaces/obssys/jobs?propagationPolicy=Background (deletes every job in namespace obssys, and their pods), in the context tts",
    );
  });

  test("a selector that matches nothing is logged, not an error", async () => {
    await withJobs();
    const { ctx, logs } = context();
    const result = await kubernetesExecutors["k8s-delete-jobs"].run(step("csc-class=atdome"), ctx);
    expect(result).toEqual({
      status: "done",
      summary: "no jobs in namespace obssys matching csc-class=atdome",
    });
    expect(logs).toEqual(["no jobs in namespace obssys matching csc-class=atdome; nothing to delete"]);
    expect(f.api.requests.some((r) => r.method === "DELETE")).toBe(false);
    expect(f.api.cluster.jobs("obssys")).toHaveLength(3);
  });

  test("observe() is done when no job matches", async () => {
    await withJobs();
    const { ctx } = context();
    expect(await kubernetesExecutors["k8s-delete-jobs"].observe!(step("csc-class=watcher"), ctx)).toBe(
      "not-done",
    );
    expect(await kubernetesExecutors["k8s-delete-jobs"].observe!(step("csc-class=atdome"), ctx)).toBe("done");
  });
});

describe("k8s-annotate", () => {
  const KEY = "strimzi.io/pause-reconciliation";
  const step = (value: string | null) =>
    testStep("k8s-annotate", {
      resource: KAFKA,
      namespace: "sasquatch",
      resourceName: "sasquatch",
      key: KEY,
      value,
    });
  const path = "/apis/kafka.strimzi.io/v1beta2/namespaces/sasquatch/kafkas/sasquatch";

  async function withKafka() {
    f = await startKube();
    f.api.cluster.defineResource(KAFKA);
    f.api.cluster.addObject(KAFKA, {
      namespace: "sasquatch",
      name: "sasquatch",
      annotations: { keep: "me" },
      spec: { kafka: { replicas: 3 } },
    });
  }

  test("sets, then removes, an annotation of a Strimzi Kafka with merge patches", async () => {
    await withKafka();
    const seen = events();
    const { ctx, logs } = context();
    const executor = kubernetesExecutors["k8s-annotate"];
    expect(await executor.observe!(step("true"), ctx)).toBe("not-done");

    await executor.run(step("true"), ctx);
    expect(f.api.cluster.annotation(KAFKA, "sasquatch", "sasquatch", KEY)).toBe("true");
    expect(await executor.observe!(step("true"), ctx)).toBe("done");

    await executor.run(step(null), ctx);
    expect(f.api.cluster.object(KAFKA, "sasquatch", "sasquatch")?.metadata.annotations).toEqual({
      keep: "me",
    });
    expect(await executor.observe!(step(null), ctx)).toBe("done");

    const patches = f.api.requests.filter((r) => r.method === "PATCH");
    expect(patches.map((r) => [r.path, r.contentType, r.body])).toEqual([
      [path, "application/merge-patch+json", { metadata: { annotations: { [KEY]: "true" } } }],
      [path, "application/merge-patch+json", { metadata: { annotations: { [KEY]: null } } }],
    ]);
    expect(logs).toEqual([
      `annotated Kafka kafkas.kafka.strimzi.io sasquatch/sasquatch with ${KEY}=true`,
      `removed the annotation ${KEY} from Kafka kafkas.kafka.strimzi.io sasquatch/sasquatch`,
    ]);
    expect(
      seen.filter((e) => e.type === "annotation-changed").map((e) => (e as { value: unknown }).value),
    ).toEqual(["true", null]);
    expect(executor.describe(step("true"), site)).toEqual([
      `PATCH ${path} {"metadata":{"annotations":{"${KEY}":"true"}}} (Content-Type: application/merge-patch+json) (sets ${KEY}=true on the Kafka), in the context tts`,
    ]);
  });

  test("a Kafka that is not there is a clear failure", async () => {
    await withKafka();
    const { ctx } = context();
    const e = await failure(
      kubernetesExecutors["k8s-annotate"].run({ ...step("true"), resourceName: "sasquach" }, ctx),
    );
    expect(e.message).toBe(
      `the Kubernetes API at ${f.api.url} (context tts) refused to annotate kafkas.kafka.strimzi.io sasquatch/sasquach with ${KEY}=true: kafkas.kafka.strimzi.io "sasquach" not found`,
    );
  });
});

describe("k8s-wait-ready", () => {
  test("pods: waits until every matching pod is Ready", async () => {
    f = await startKube();
    f.api.cluster.addPod({ namespace: "love", name: "love-manager-0", labels: { app: "love-manager" } });
    f.api.cluster.addPod({
      namespace: "love",
      name: "love-manager-1",
      labels: { app: "love-manager" },
      readyAfterMs: 15_000,
    });
    f.api.cluster.addPod({
      namespace: "love",
      name: "love-nginx",
      labels: { app: "love-nginx" },
      ready: false,
    });
    const { ctx, progress } = context();
    const step = testStep("k8s-wait-ready", {
      resource: "pods",
      namespace: "love",
      selector: "app=love-manager",
      pollSeconds: 10,
    });
    const result = await kubernetesExecutors["k8s-wait-ready"].run(step, ctx);
    expect(result).toEqual({
      status: "done",
      summary: "pods in love matching app=love-manager: 2 of 2 pods ready",
    });
    expect(f.api.calls()).toEqual([
      "GET /api/v1/namespaces/love",
      ...Array(3).fill("GET /api/v1/namespaces/love/pods?labelSelector=app=love-manager"),
    ]);
    expect(progress[0]?.current).toBe("1 of 2 pods ready (not ready: love-manager-1)");
  });

  test("deployments: waits until each has its replicas ready; none at all is not ready", async () => {
    f = await startKube({ readyDelayMs: 5_000 });
    const { ctx } = context();
    const step = testStep("k8s-wait-ready", {
      resource: "deployments",
      namespace: "love",
      timeoutSeconds: 20,
      pollSeconds: 10,
    });
    f.api.cluster.addNamespace("love");
    const e = await failure(kubernetesExecutors["k8s-wait-ready"].run(step, ctx));
    expect(e.message).toBe("deployments in love is no deployments, not all ready, after 20s");

    f.api.cluster.addDeployment({ namespace: "love", name: "love-producer", replicas: 1 });
    expect(await kubernetesExecutors["k8s-wait-ready"].observe!(step, ctx)).toBe("done");
  });
});

describe("failures end in a clear StepFailure", () => {
  test("a namespace that does not exist", async () => {
    await sasquatch();
    const { ctx } = context();
    const e = await failure(
      kubernetesExecutors["k8s-scale"].run({ ...scaleStep(0), namespace: "sasquach" }, ctx),
    );
    expect(e.message).toBe(
      `the namespace sasquach does not exist in the Kubernetes context tts (${f.api.url})`,
    );
    expect(f.api.calls()).toEqual(["GET /api/v1/namespaces/sasquach"]);
  });

  test("403 Forbidden names who may not do what", async () => {
    await sasquatch();
    f.api.forbid({ verb: "patch", resource: "deployments", subresource: "scale" });
    const { ctx } = context();
    const e = await failure(kubernetesExecutors["k8s-scale"].run(scaleStep(0), ctx));
    expect(e.message).toBe(
      `the Kubernetes API at ${f.api.url} (context tts) refused to scale the deployment sasquatch/sasquatch-telegraf-a to 0 replicas: ` +
        'deployments.apps "sasquatch-telegraf-a" is forbidden: User "kubernetes-admin" cannot patch resource "deployments/scale" in API group "apps" in the namespace "sasquatch"',
    );
    expect(e.help).toMatch(/RBAC/);
    expect(e.transient).toBe(false);
  });

  test("409 Conflict and 415 UnsupportedMediaType carry the server's words", async () => {
    await sasquatch();
    const { ctx } = context();
    f.api.injectFault({
      method: "PATCH",
      status: 409,
      reason: "Conflict",
      message: "the object has been modified",
    });
    const conflict = await failure(kubernetesExecutors["k8s-scale"].run(scaleStep(0), ctx));
    expect(conflict.message).toMatch(
      /refused to scale the deployment sasquatch\/sasquatch-telegraf-a to 0 replicas: the object has been modified$/,
    );
    f.api.injectFault({
      method: "PATCH",
      status: 415,
      reason: "UnsupportedMediaType",
      message: "the body of the request was in an unknown format",
    });
    const media = await failure(kubernetesExecutors["k8s-scale"].run(scaleStep(0), ctx));
    expect(media.message).toMatch(/refused to scale .*: the body of the request was in an unknown format$/);
    expect(media.help).toMatch(/bug in plan/);
  });

  test("a stopped server: connection refused, transient", async () => {
    await sasquatch();
    await f.api.stop();
    const { ctx } = context();
    const e = await failure(
      kubernetesExecutors["k8s-delete-jobs"].run(testStep("k8s-delete-jobs", { namespace: "obssys" }), ctx),
    );
    expect(e.message).toBe(
      `could not reach the Kubernetes API at ${f.api.url} (context tts) to read the namespace obssys: connection refused`,
    );
    expect(e.transient).toBe(true);
  });

  test("a 503 while waiting is tried again", async () => {
    await sasquatch();
    f.api.injectFault({
      method: "GET",
      path: DEPLOYMENTS,
      status: 503,
      reason: "ServiceUnavailable",
      message: "etcd is busy",
    });
    const { ctx, logs } = context();
    const step = testStep("k8s-wait-ready", {
      resource: "deployments",
      namespace: "sasquatch",
      pollSeconds: 5,
    });
    expect((await kubernetesExecutors["k8s-wait-ready"].run(step, ctx)).status).toBe("done");
    expect(logs[0]).toBe(
      `deployments in sasquatch: unreachable (the Kubernetes API at ${f.api.url} (context tts) failed to list the deployments in namespace sasquatch: etcd is busy (503 ServiceUnavailable)); trying again`,
    );
  });

  test("a context that is not in the kubeconfig names the ones that are", async () => {
    await sasquatch();
    const summit = testSite({ kubernetes: { context: "summit", kubeconfig: f.kubeconfig } });
    const ctx = testContext({
      plan: testPlan([], summit),
      services: { kubernetes: () => kubeClientForSite(summit) },
    }).ctx;
    const e = await failure(kubernetesExecutors["k8s-scale"].run(scaleStep(0), ctx));
    expect(e.message).toBe(`the context "summit" is not in the kubeconfig ${f.kubeconfig}; it has "tts"`);
    expect(f.api.requests).toEqual([]);
  });
});
