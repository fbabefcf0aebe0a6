import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterEach, describe, expect, test } from "vitest";
import {
  createKubeClient,
  KubeApiError,
  KubeConfigError,
  KubeConflictError,
  type LeaseSpec,
} from "../../src/runtime/clients/kubernetes.js";
import { toKubeError } from "../../src/runtime/clients/kubernetes-errors.js";
import { leaseApiOf } from "../../src/runtime/clients/kubernetes-lease-api.js";
import { KubeApiServer } from "../../src/runtime/simulator/kube-apiserver.js";
import { writeKubeconfig } from "../../src/runtime/simulator/kubeconfig.js";
import { simulatorTls } from "../../src/runtime/simulator/tls.js";
import { CONTEXT, KAFKA, type KubeFixture, startKube } from "./kube-fixture.js";

let f: KubeFixture;
const extra: KubeApiServer[] = [];
afterEach(async () => {
  await f?.close();
  for (const api of extra.splice(0)) await api.stop();
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Error);
  return e as Error;
}

describe("leases", () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s, 250));
  const lease = (holder: string, renewed = 0): LeaseSpec => ({
    namespace: "default",
    name: "plan-run-lock-tts",
    holderIdentity: holder,
    acquireTime: at(0),
    renewTime: at(renewed),
    leaseDurationSeconds: 60,
    annotations: { "plan.lsst.io/by": "alice", "plan.lsst.io/plan-id": "upgrade@tts" },
  });

  test("create, read, renew with the resourceVersion, and delete", async () => {
    f = await startKube();
    f.api.cluster.addNamespace("default");
    const created = await f.kube.createLease(lease("run-1"));
    expect(created).toMatchObject({ holderIdentity: "run-1", leaseDurationSeconds: 60, renewTime: at(0) });
    expect(f.api.requests[0]).toMatchObject({
      method: "POST",
      path: "/apis/coordination.k8s.io/v1/namespaces/default/leases",
      contentType: "application/json",
      body: {
        metadata: { name: "plan-run-lock-tts", annotations: { "plan.lsst.io/by": "alice" } },
        // MicroTime, to the microsecond, as the real server requires.
        spec: {
          holderIdentity: "run-1",
          acquireTime: "2026-01-01T00:00:00.250000Z",
          renewTime: "2026-01-01T00:00:00.250000Z",
        },
      },
    });

    const read = await f.kube.getLease("default", "plan-run-lock-tts");
    expect(read).toEqual(created);
    const renewed = await f.kube.replaceLease({
      ...lease("run-1", 30),
      resourceVersion: read!.resourceVersion,
    });
    expect(renewed.renewTime).toEqual(at(30));
    expect(renewed.resourceVersion).not.toBe(read!.resourceVersion);
    expect(f.api.requests.at(-1)).toMatchObject({
      method: "PUT",
      body: {
        metadata: { resourceVersion: read!.resourceVersion },
        spec: { renewTime: "2026-01-01T00:00:30.250000Z" },
      },
    });

    expect(await f.kube.deleteLease("default", "plan-run-lock-tts", renewed.resourceVersion)).toBe(true);
    expect(f.api.requests.at(-1)?.body).toMatchObject({
      preconditions: { resourceVersion: renewed.resourceVersion },
    });
    expect(await f.kube.getLease("default", "plan-run-lock-tts")).toBeUndefined();
    expect(await f.kube.deleteLease("default", "plan-run-lock-tts")).toBe(false);
  });

  test("a stale resourceVersion and a second create are conflicts, told apart by reason", async () => {
    f = await startKube();
    f.api.cluster.addNamespace("default");
    const first = await f.kube.createLease(lease("run-1"));
    await f.kube.replaceLease({ ...lease("run-1", 10), resourceVersion: first.resourceVersion });

    const stale = await rejection(
      f.kube.replaceLease({ ...lease("run-2", 20), resourceVersion: first.resourceVersion }),
    );
    expect(stale).toBeInstanceOf(KubeConflictError);
    expect(stale).toMatchObject({ code: 409, reason: "Conflict", transient: false });
    expect(stale.message).toBe(
      `the Kubernetes API at ${f.api.url} (context tts) refused to update the lease default/plan-run-lock-tts: ` +
        'Operation cannot be fulfilled on leases.coordination.k8s.io "plan-run-lock-tts": the object has been modified; please apply your changes to the latest version and try again',
    );
    const again = await rejection(f.kube.createLease(lease("run-2")));
    expect(again).toMatchObject({ code: 409, reason: "AlreadyExists" });
    expect(again.message).toMatch(/leases.coordination.k8s.io "plan-run-lock-tts" already exists$/);
    const deleting = await rejection(
      f.kube.deleteLease("default", "plan-run-lock-tts", first.resourceVersion),
    );
    expect(deleting).toBeInstanceOf(KubeConflictError);
    expect(deleting.message).toMatch(/Precondition failed: ResourceVersion in precondition/);
    expect((await f.kube.getLease("default", "plan-run-lock-tts"))?.holderIdentity).toBe("run-1");
  });

  test("the server refuses a lease with millisecond times, as the real one does", async () => {
    f = await startKube();
    f.api.cluster.addNamespace("default");
    const res = await fetch(`${f.api.url}/apis/coordination.k8s.io/v1/namespaces/default/leases`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        metadata: { name: "x" },
        spec: { holderIdentity: "a", renewTime: "2026-01-01T00:00:00.250Z" },
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/cannot parse/);
  });

  test("a lease in a namespace that does not exist: 404 naming the namespace", async () => {
    f = await startKube();
    const e = await rejection(f.kube.createLease({ ...lease("run-1"), namespace: "plan" }));
    expect(e).toMatchObject({ code: 404, reason: "NotFound" });
    expect(e.message).toMatch(
      /refused to create the lease plan\/plan-run-lock-tts: namespaces "plan" not found$/,
    );
  });

  test("leaseApiOf speaks the lock's V1Lease calls over the same client", async () => {
    f = await startKube();
    f.api.cluster.addNamespace("default");
    const api = leaseApiOf(f.kube);
    expect(await api.readLease("default", "lock")).toBeUndefined();
    const made = await api.createLease("default", {
      metadata: { name: "lock", annotations: { who: "bob" } },
      spec: { holderIdentity: "h1", acquireTime: at(0), renewTime: at(0), leaseDurationSeconds: 30 },
    });
    expect(made.spec?.holderIdentity).toBe("h1");
    expect(made.metadata?.annotations).toEqual({ who: "bob" });
    const version = made.metadata!.resourceVersion!;
    const replaced = await api.replaceLease("default", "lock", {
      metadata: { name: "lock", resourceVersion: version },
      spec: { holderIdentity: "h2", acquireTime: at(0), renewTime: at(5), leaseDurationSeconds: 30 },
    });
    expect((await api.readLease("default", "lock"))?.spec?.renewTime).toEqual(at(5));
    await expect(api.deleteLease("default", "lock", version)).rejects.toMatchObject({ code: 409 });
    await api.deleteLease("default", "lock", replaced.metadata!.resourceVersion!);
    await expect(api.deleteLease("default", "lock", "1")).rejects.toMatchObject({ code: 404 });
  });
});

describe("reads and writes", () => {
  test("annotations of a core-group object go to /api/v1", async () => {
    f = await startKube();
    f.api.cluster.addObject(
      { group: "", version: "v1", plural: "configmaps" },
      { namespace: "love", name: "love-conf" },
    );
    const ref = { group: "", version: "v1", plural: "configmaps", namespace: "love", name: "love-conf" };
    expect(await f.kube.setAnnotation(ref, "plan/step", "3.2")).toBe("3.2");
    expect(await f.kube.getAnnotation(ref, "plan/step")).toBe("3.2");
    expect(await f.kube.setAnnotation(ref, "plan/step", null)).toBeUndefined();
    expect(f.api.calls()).toEqual([
      "PATCH /api/v1/namespaces/love/configmaps/love-conf",
      "GET /api/v1/namespaces/love/configmaps/love-conf",
      "PATCH /api/v1/namespaces/love/configmaps/love-conf",
    ]);
  });

  test("pods report readiness and termination; jobs their counts", async () => {
    f = await startKube({ terminationDelayMs: 1_000 });
    f.api.cluster.addPod({ namespace: "obssys", name: "p-ready", labels: { app: "x" } });
    f.api.cluster.addPod({ namespace: "obssys", name: "p-waiting", labels: { app: "x" }, ready: false });
    f.api.cluster.addJob({ namespace: "obssys", name: "j", labels: { app: "y" }, pods: 2 });
    expect(await f.kube.listPods("obssys", "app=x")).toEqual([
      { namespace: "obssys", name: "p-ready", phase: "Running", ready: true, terminating: false },
      { namespace: "obssys", name: "p-waiting", phase: "Pending", ready: false, terminating: false },
    ]);
    expect(await f.kube.listJobs("obssys")).toEqual([
      { namespace: "obssys", name: "j", active: 2, succeeded: 0, failed: 0 },
    ]);
    await f.kube.deleteJobs("obssys", "app=y");
    const pods = await f.kube.listPods("obssys", "job-name=j");
    expect(pods.map((p) => p.terminating)).toEqual([true, true]);
    await f.clock.sleep(1_000);
    expect(await f.kube.listPods("obssys", "job-name=j")).toEqual([]);
  });

  test("a negative replica count is 422 Invalid, in the server's words", async () => {
    f = await startKube();
    f.api.cluster.addDeployment({ namespace: "n", name: "d", replicas: 1 });
    const e = await rejection(f.kube.scaleDeployments("n", undefined, -1));
    expect(e).toMatchObject({ code: 422, reason: "Invalid" });
    expect(e.message).toMatch(
      /refused to scale the deployment n\/d to -1 replicas: Scale.autoscaling "d" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0$/,
    );
  });

  test("the library's own strategic merge patch of a custom resource is 415, mapped clearly", async () => {
    f = await startKube();
    f.api.cluster.defineResource(KAFKA);
    f.api.cluster.addObject(KAFKA, { namespace: "sasquatch", name: "sasquatch" });
    const kc = new KubeConfig();
    kc.loadFromFile(f.kubeconfig);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const params = {
      group: KAFKA.group,
      version: KAFKA.version,
      plural: KAFKA.plural,
      namespace: "sasquatch",
      name: "sasquatch",
    };
    const body = { metadata: { annotations: { a: "b" } } };
    const thrown = await rejection(
      custom.patchNamespacedCustomObject(
        { ...params, body },
        setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
      ),
    );
    const e = toKubeError(thrown, { server: f.api.url, context: CONTEXT }, "annotate the Kafka");
    expect(e).toMatchObject({ code: 415, reason: "UnsupportedMediaType" });
    expect(e.message).toBe(
      `the Kubernetes API at ${f.api.url} (context tts) refused to annotate the Kafka: the body of the request was in an ` +
        "unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
    );
    // Without a content type of its own, the library sends a JSON patch, which the server cannot read as one.
    const plain = await rejection(custom.patchNamespacedCustomObject({ ...params, body }));
    expect(plain).toMatchObject({ code: 400 });
  });
});

describe("failures", () => {
  test("401: a token the server does not know", async () => {
    f = await startKube({ tokens: { "good-token": "alice" }, token: "old-token" });
    const e = await rejection(f.kube.listJobs("obssys"));
    expect(e).toMatchObject({ code: 401, transient: false });
    expect(e.message).toBe(
      `the Kubernetes API at ${f.api.url} (context tts) refused to list the jobs in namespace obssys: Unauthorized`,
    );
    expect((e as KubeApiError).help).toMatch(/log in again/);
  });

  test("5xx and a dropped connection are transient", async () => {
    f = await startKube();
    f.api.injectFault({ status: 500 });
    const e500 = await rejection(f.kube.listPods("obssys"));
    expect(e500).toMatchObject({ code: 500, transient: true });
    expect(e500.message).toMatch(
      /failed to list the pods in namespace obssys: Internal error occurred: injected fault \(500 InternalError\)$/,
    );
    f.api.injectFault({ mode: "reset" });
    const reset = await rejection(f.kube.listPods("obssys"));
    expect(reset).toMatchObject({ transient: true, reason: "ECONNRESET" });
    expect(reset.message).toMatch(
      /^could not reach the Kubernetes API at .* \(context tts\) to list the pods in namespace obssys: socket hang up$/,
    );
  });

  test("a server that does not answer fails after the request timeout, transient", async () => {
    f = await startKube();
    f.api.injectFault({ mode: "hang" });
    const kube = createKubeClient({ kubeconfig: f.kubeconfig, context: CONTEXT, requestTimeoutMs: 200 });
    const e = await rejection(kube.listPods("obssys"));
    expect(e).toMatchObject({ transient: true, reason: "Timeout" });
    expect(e.message).toBe(
      `the Kubernetes API at ${f.api.url} (context tts) did not answer in time when asked to list the pods in namespace obssys`,
    );
  });

  test("an abort of the step's signal rejects with its reason", async () => {
    f = await startKube();
    f.api.injectFault({ mode: "hang" });
    const controller = new AbortController();
    const pending = f.kube.listPods("obssys", undefined, { signal: controller.signal });
    controller.abort(new Error("operator pressed ctrl-c"));
    expect((await rejection(pending)).message).toBe("operator pressed ctrl-c");
  });

  test("TLS: the site's CA is trusted, a server it did not sign is refused", async () => {
    f = await startKube();
    const tls = simulatorTls();
    const api = await KubeApiServer.start({ tls: { cert: tls.cert, key: tls.key } });
    extra.push(api);
    api.cluster.addNamespace("sasquatch");
    const trusted = await api.writeKubeconfig(join(f.dir, "trusted"), { context: "bts", caFile: tls.caFile });
    expect(await createKubeClient({ kubeconfig: trusted, context: "bts" }).namespaceExists("sasquatch")).toBe(
      true,
    );

    const untrusted = await api.writeKubeconfig(join(f.dir, "untrusted"), { context: "bts" });
    const e = await rejection(
      createKubeClient({ kubeconfig: untrusted, context: "bts" }).namespaceExists("sasquatch"),
    );
    expect(e).toMatchObject({ transient: false });
    expect(e.message).toMatch(
      new RegExp(
        `^could not verify the Kubernetes API at ${api.url} \\(context bts\\) to read the namespace sasquatch: .*certificate`,
      ),
    );
    expect((e as KubeApiError).help).toMatch(/certificate-authority/);
  });

  test("kubeconfig problems are KubeConfigErrors that say what to fix", async () => {
    f = await startKube();
    const wrong = () => createKubeClient({ kubeconfig: f.kubeconfig, context: "summit" });
    expect(wrong).toThrow(KubeConfigError);
    expect(wrong).toThrow(`the context "summit" is not in the kubeconfig ${f.kubeconfig}; it has "tts"`);
    const missing = join(f.dir, "nope");
    expect(() => createKubeClient({ kubeconfig: missing, context: "tts" })).toThrow(
      `cannot read the kubeconfig ${missing}: no such file`,
    );

    const orphan = join(f.dir, "orphan");
    await writeFile(
      orphan,
      "apiVersion: v1\nkind: Config\nclusters: []\nusers: [{name: u, user: {}}]\ncontexts: [{name: c, context: {cluster: gone, user: u}}]\n",
    );
    expect(() => createKubeClient({ kubeconfig: orphan, context: "c" })).toThrow(
      `the context "c" names the cluster "gone", which is not in the kubeconfig ${orphan}`,
    );

    const plainHttp = join(f.dir, "http");
    await writeKubeconfig(plainHttp, { context: "c", server: f.api.url });
    await writeFile(
      plainHttp,
      (await readFile(plainHttp, "utf8")).replace(/\s*insecure-skip-tls-verify: true/, ""),
    );
    const e = await rejection(createKubeClient({ kubeconfig: plainHttp, context: "c" }).listPods("x"));
    expect(e).toBeInstanceOf(KubeConfigError);
    expect(e.message).toBe(
      `the context c points at ${f.api.url} over plain http without insecure-skip-tls-verify`,
    );
  });

  test("errors are StepFailures the runtime can show", async () => {
    f = await startKube();
    await f.api.stop();
    const e = await rejection(f.kube.getLease("default", "x"));
    expect(e).toBeInstanceOf(KubeApiError);
    expect(e).toMatchObject({
      name: "KubeApiError",
      transient: true,
      reason: "ECONNREFUSED",
      code: undefined,
    });
  });
});
