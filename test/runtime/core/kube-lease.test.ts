import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKubeClient } from "../../../src/runtime/clients/kubernetes.js";
import { leaseApiOf } from "../../../src/runtime/clients/kubernetes-lease-api.js";
import { KubeLeaseStore } from "../../../src/runtime/lease-kube.js";
import { acquireLock, breakLock, type LockRequest } from "../../../src/runtime/lock.js";
import { KubeApiServer } from "../../../src/runtime/simulator/kube-apiserver.js";
import { FakeClock } from "../context.js";
import { FakeExecutors, fakeEnvironment, planOf, runWith, tempDir } from "./fakes.js";

/**
 * The site lock as a real Lease: the real @kubernetes/client-node, through a real kubeconfig, against the
 * Kubernetes API server double on 127.0.0.1, which keeps resourceVersions and answers 409 as the real one.
 */

let api: KubeApiServer;
let store: KubeLeaseStore;
const t = tempDir("plan-kube-lease-");
const PATH = "/apis/coordination.k8s.io/v1/namespaces/plan-locks/leases";

beforeAll(async () => {
  api = await KubeApiServer.start();
  api.cluster.addNamespace("plan-locks");
  const kubeconfig = await api.writeKubeconfig(join(t.dir, "kubeconfig"), { context: "yagan" });
  const kube = createKubeClient({ context: "yagan", kubeconfig });
  store = new KubeLeaseStore(leaseApiOf(kube), "summit", "plan-locks", "yagan");
});
afterAll(async () => {
  await api.stop();
  t.cleanup();
});

const request = (over: Partial<LockRequest> = {}): LockRequest => ({
  site: "summit",
  by: "ana",
  host: "tel-hw1",
  pid: 100,
  planId: "full-upgrade@summit",
  planHash: `sha256:${"d".repeat(64)}`,
  ...over,
});

describe("the site lock as a Kubernetes Lease", () => {
  it("is taken, renewed, refused to a second run, and broken by id, with the calls the API server expects", async () => {
    const clock = new FakeClock(Date.parse("2026-01-01T00:00:00.000Z"));
    api.clearRequests();
    const taken = await acquireLock(store, request(), { clock, id: "1234abcd" });
    if (!taken.ok) throw new Error("not taken");
    const lease = api.cluster.object(
      { group: "coordination.k8s.io", version: "v1", plural: "leases" },
      "plan-locks",
      "plan-run-lock-summit",
    );
    expect(lease?.spec).toMatchObject({ holderIdentity: "1234abcd", leaseDurationSeconds: 60 });
    expect(lease?.metadata.annotations?.["plan.lsst.io/by"]).toBe("ana");
    const refused = await acquireLock(store, request({ by: "ben", host: "azar03" }), { clock });
    expect(refused).toMatchObject({
      ok: false,
      holder: { id: "1234abcd", by: "ana", host: "tel-hw1", planId: "full-upgrade@summit" },
    });
    clock.now = () => Date.parse("2026-01-01T00:00:20.000Z");
    expect(await taken.lock.renew()).toBe(true);
    expect((await store.get())?.holder.renewedAt).toBe("2026-01-01T00:00:20.000Z");
    expect(await breakLock(store, "ffffffff")).toMatchObject({ ok: false });
    expect(await breakLock(store, "1234abcd")).toMatchObject({ ok: true, holder: { by: "ana" } });
    expect(await store.get()).toBeUndefined();
    // The old holder's renewal finds the Lease gone.
    expect(await taken.lock.renew()).toBe(false);
    // The delete is conditional on the version the breaker saw.
    const deletion = api.requests.find((r) => r.method === "DELETE");
    expect(deletion?.body).toMatchObject({ preconditions: { resourceVersion: expect.any(String) } });
    const calls = api.calls().filter((c) => c.includes("/leases"));
    expect(calls).toEqual([
      `GET ${PATH}/plan-run-lock-summit`,
      `GET ${PATH}/plan-run-lock-summit`,
      `POST ${PATH}`,
      `GET ${PATH}/plan-run-lock-summit`,
      `PUT ${PATH}/plan-run-lock-summit`,
      `GET ${PATH}/plan-run-lock-summit`,
      `GET ${PATH}/plan-run-lock-summit`,
      `GET ${PATH}/plan-run-lock-summit`,
      `DELETE ${PATH}/plan-run-lock-summit`,
      `GET ${PATH}/plan-run-lock-summit`,
      `PUT ${PATH}/plan-run-lock-summit`,
    ]);
  });

  it("lets exactly one of simultaneous runs take it", async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        acquireLock(store, request({ pid: 300 + i }), { clock: new FakeClock(Date.now()) }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const winner = results.find((r) => r.ok);
    if (winner?.ok) await winner.lock.release();
    expect(await store.get()).toBeUndefined();
  });

  it("holds a run's lock in the cluster while it runs", async () => {
    const fakes = new FakeExecutors();
    let release!: () => void;
    fakes.on("1.1", { gate: new Promise<void>((r) => (release = r)) });
    const dir = tempDir();
    const running = runWith(
      planOf([{ name: "a", steps: 1 }]),
      fakeEnvironment(dir.dir, fakes, { lockStore: store }),
      dir.dir,
    );
    for (let i = 0; i < 500 && fakes.running === 0; i++) await new Promise((r) => setTimeout(r, 2));
    expect((await store.get())?.holder).toMatchObject({ by: "tester", host: "test-host" });
    release();
    await running;
    expect(await store.get()).toBeUndefined();
    dir.cleanup();
  });

  it("refuses a run, and runs nothing, when the lock's namespace does not exist", async () => {
    const kubeconfig = await api.writeKubeconfig(join(t.dir, "kubeconfig-missing"), { context: "yagan" });
    const missing = new KubeLeaseStore(
      leaseApiOf(createKubeClient({ context: "yagan", kubeconfig })),
      "summit",
      "no-such-namespace",
      "yagan",
    );
    const fakes = new FakeExecutors();
    const dir = tempDir();
    const result = await runWith(
      planOf([{ name: "a", steps: 2 }]),
      fakeEnvironment(dir.dir, fakes, { lockStore: missing }),
      dir.dir,
    );
    expect(result).toMatchObject({ status: "refused", usage: false });
    if (result.status !== "refused") throw new Error("not refused");
    expect(result.problem).toContain("the namespace no-such-namespace does not exist");
    expect(result.help).toContain("--lock-namespace");
    expect(fakes.runs).toEqual([]);
    dir.cleanup();
  });
});
