import type { V1Lease } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KubeLeaseStore, type LeaseApi, leaseName } from "../../../src/runtime/lease-kube.js";
import {
  acquireLock,
  breakLock,
  describeHolder,
  LeaseConflict,
  type LeaseStore,
  type LockHolder,
  type LockRequest,
} from "../../../src/runtime/lock.js";
import { FileLeaseStore } from "../../../src/runtime/lock-file-store.js";
import { FakeClock } from "../context.js";
import { FakeExecutors, fakeEnvironment, planOf, runWith, tempDir } from "./fakes.js";

/** The Lease API as the API server behaves: resourceVersions, 409 on a stale one or a duplicate, 404. */
class FakeLeaseApi implements LeaseApi {
  readonly leases = new Map<string, V1Lease>();
  readonly calls: string[] = [];
  private version = 100;

  private fail(code: number): never {
    throw Object.assign(new Error(`HTTP ${code}`), { code });
  }
  async readLease(namespace: string, name: string) {
    this.calls.push(`get ${namespace}/${name}`);
    const lease = this.leases.get(`${namespace}/${name}`);
    return lease ? structuredClone(lease) : undefined;
  }
  async createLease(namespace: string, lease: V1Lease) {
    this.calls.push(`create ${namespace}/${lease.metadata?.name}`);
    const key = `${namespace}/${lease.metadata?.name}`;
    if (this.leases.has(key)) this.fail(409);
    const stored = {
      ...structuredClone(lease),
      metadata: { ...lease.metadata, resourceVersion: String(++this.version) },
    };
    this.leases.set(key, stored);
    return structuredClone(stored);
  }
  async replaceLease(namespace: string, name: string, lease: V1Lease) {
    this.calls.push(`replace ${namespace}/${name}@${lease.metadata?.resourceVersion}`);
    const current = this.leases.get(`${namespace}/${name}`);
    if (!current) this.fail(404);
    if (current.metadata?.resourceVersion !== lease.metadata?.resourceVersion) this.fail(409);
    const stored = {
      ...structuredClone(lease),
      metadata: { ...lease.metadata, resourceVersion: String(++this.version) },
    };
    this.leases.set(`${namespace}/${name}`, stored);
    return structuredClone(stored);
  }
  async deleteLease(namespace: string, name: string, resourceVersion: string) {
    this.calls.push(`delete ${namespace}/${name}@${resourceVersion}`);
    const current = this.leases.get(`${namespace}/${name}`);
    if (!current) this.fail(404);
    if (current.metadata?.resourceVersion !== resourceVersion) this.fail(409);
    this.leases.delete(`${namespace}/${name}`);
  }
}

const request = (over: Partial<LockRequest> = {}): LockRequest => ({
  site: "summit",
  by: "ana",
  host: "tel-hw1",
  pid: 100,
  planId: "full-upgrade@summit",
  planHash: `sha256:${"c".repeat(64)}`,
  ...over,
});

const holder = (id: string, over: Partial<LockHolder> = {}): LockHolder => ({
  id,
  ...request(),
  acquiredAt: "2026-01-01T00:00:00.000Z",
  renewedAt: "2026-01-01T00:00:00.000Z",
  ttlSeconds: 60,
  ...over,
});

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir("plan-lock-");
});
afterEach(() => t.cleanup());

const stores: [string, () => LeaseStore][] = [
  ["file", () => new FileLeaseStore(t.dir, "summit")],
  ["Kubernetes Lease", () => new KubeLeaseStore(new FakeLeaseApi(), "summit", "obs", "yagan")],
];

describe.each(stores)("the %s store", (_name, make) => {
  it("creates, replaces at the current version only, and deletes", async () => {
    const store = make();
    expect(await store.get()).toBeUndefined();
    const a = await store.create(holder("aaaaaaaa"));
    expect((await store.get())?.holder).toEqual(holder("aaaaaaaa"));
    await expect(store.create(holder("bbbbbbbb"))).rejects.toBeInstanceOf(LeaseConflict);
    const renewed = await store.replace(
      holder("aaaaaaaa", { renewedAt: "2026-01-01T00:00:20.000Z" }),
      a.version,
    );
    await expect(store.replace(holder("bbbbbbbb"), a.version)).rejects.toBeInstanceOf(LeaseConflict);
    await expect(store.delete(a.version)).rejects.toBeInstanceOf(LeaseConflict);
    expect((await store.get())?.holder.renewedAt).toBe("2026-01-01T00:00:20.000Z");
    await store.delete(renewed.version);
    expect(await store.get()).toBeUndefined();
    await store.create(holder("cccccccc"));
    expect((await store.get())?.holder.id).toBe("cccccccc");
  });

  it("lets exactly one of many simultaneous takers have the lock", async () => {
    const store = make();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        acquireLock(store, request({ pid: 200 + i }), { clock: new FakeClock(), id: `0000000${i}` }),
      ),
    );
    const won = results.filter((r) => r.status === "fulfilled" && r.value.ok);
    expect(won).toHaveLength(1);
    const winner = (await store.get())!.holder;
    for (const r of results) {
      if (r.status === "fulfilled" && !r.value.ok) expect(r.value.holder.id).toBe(winner.id);
    }
  });

  it("refuses a second run with the holder's details, takes over an expired lock, and is broken only by its id", async () => {
    const store = make();
    const clock = new FakeClock(Date.parse("2026-01-01T00:00:00.000Z"));
    const first = await acquireLock(store, request(), { clock, id: "11111111" });
    if (!first.ok) throw new Error("not taken");
    const second = await acquireLock(store, request({ by: "ben", host: "azar03" }), {
      clock,
      id: "22222222",
    });
    expect(second).toMatchObject({
      ok: false,
      holder: { id: "11111111", by: "ana", host: "tel-hw1", pid: 100, planId: "full-upgrade@summit" },
    });
    expect(describeHolder(first.lock.holder).join("\n")).toContain(
      "held by ana on host tel-hw1 (process 100) since 2026-01-01T00:00:00.000Z",
    );

    expect(await breakLock(store, "99999999")).toMatchObject({
      ok: false,
      problem: "the lock has id 11111111, not 99999999",
    });
    clock.now = () => Date.parse("2026-01-01T00:01:01.000Z");
    const later = await acquireLock(store, request({ by: "ben", host: "azar03" }), { clock, id: "33333333" });
    expect(later).toMatchObject({
      ok: true,
      tookOver: { holder: { id: "11111111" }, why: "it expired at 2026-01-01T00:01:00.000Z" },
    });
    // The first holder finds out at its next renewal.
    expect(await first.lock.renew()).toBe(false);
    expect(String(first.lock.lost.reason)).toContain("was broken or taken by someone else");
    expect(await breakLock(store, "33333333")).toMatchObject({ ok: true, holder: { by: "ben" } });
    expect(await store.get()).toBeUndefined();
  });

  it("takes over the lock of a process of this host that is gone, never one of another host", async () => {
    const store = make();
    const clock = new FakeClock(Date.parse("2026-01-01T00:00:00.000Z"));
    await acquireLock(store, request({ pid: 100 }), { clock, id: "44444444" });
    const dead = () => false;
    const elsewhere = await acquireLock(store, request({ host: "azar03", pid: 5 }), { clock, isAlive: dead });
    expect(elsewhere.ok).toBe(false);
    const here = await acquireLock(store, request({ pid: 101 }), { clock, isAlive: dead, id: "55555555" });
    expect(here).toMatchObject({ ok: true, tookOver: { why: "its process 100 on tel-hw1 is gone" } });
  });

  it("renews while held and removes the lock on release", async () => {
    const store = make();
    const clock = new FakeClock(Date.parse("2026-01-01T00:00:00.000Z"));
    const taken = await acquireLock(store, request(), { clock, id: "66666666", ttlSeconds: 30 });
    if (!taken.ok) throw new Error("not taken");
    clock.now = () => Date.parse("2026-01-01T00:00:10.000Z");
    expect(await taken.lock.renew()).toBe(true);
    expect((await store.get())?.holder.renewedAt).toBe("2026-01-01T00:00:10.000Z");
    await taken.lock.release();
    expect(await store.get()).toBeUndefined();
  });
});

describe("the Kubernetes Lease", () => {
  it("records the holder in the Lease's spec and annotations", async () => {
    const api = new FakeLeaseApi();
    const store = new KubeLeaseStore(api, "Summit", "obs", "yagan");
    expect(store.where).toBe("Lease plan-run-lock-summit in namespace obs of context yagan");
    await store.create(holder("77777777"));
    const lease = api.leases.get(`obs/${leaseName("Summit")}`)!;
    expect(lease.spec).toMatchObject({ holderIdentity: "77777777", leaseDurationSeconds: 60 });
    expect(new Date(lease.spec!.renewTime!).toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(lease.metadata?.annotations).toMatchObject({
      "plan.lsst.io/by": "ana",
      "plan.lsst.io/host": "tel-hw1",
      "plan.lsst.io/plan-id": "full-upgrade@summit",
    });
  });
});

describe("a run and the lock", () => {
  it("is refused while another run holds the site, with who, where and which plan", async () => {
    const store = new FileLeaseStore(t.dir, "summit");
    await acquireLock(store, request({ by: "ben", host: "azar03", pid: 7 }), {
      clock: new FakeClock(Date.now()),
      id: "88888888",
    });
    const fakes = new FakeExecutors();
    const result = await runWith(
      planOf([{ name: "a", steps: 1 }]),
      fakeEnvironment(t.dir, fakes, { lockStore: store }),
      t.dir,
    );
    expect(result).toMatchObject({ status: "refused", usage: false, holder: { id: "88888888", by: "ben" } });
    expect(result.status === "refused" && result.problem).toContain("held by ben on host azar03 (process 7)");
    expect(result.status === "refused" && result.help).toContain("plan unlock --id 88888888");
    expect(fakes.runs).toEqual([]);
  });

  it("holds the lock while it runs and releases it at the end", async () => {
    const store = new FileLeaseStore(t.dir, "summit");
    const fakes = new FakeExecutors();
    const env = fakeEnvironment(t.dir, fakes, { lockStore: store });
    const plan = planOf([{ name: "a", steps: 1 }]);
    let release!: () => void;
    fakes.on("1.1", { gate: new Promise<void>((r) => (release = r)) });
    const running = runWith(plan, env, t.dir);
    for (let i = 0; i < 500 && fakes.running === 0; i++) await new Promise((r) => setTimeout(r, 2));
    const seen = (await store.get())?.holder;
    release();
    await running;
    expect(seen).toMatchObject({
      by: "tester",
      host: "test-host",
      pid: 4242,
      planId: plan.id,
      planHash: plan.hash,
    });
    expect(await store.get()).toBeUndefined();
  });

  it("stops starting steps when its lock is broken under it", async () => {
    const store = new FileLeaseStore(t.dir, "summit");
    const fakes = new FakeExecutors();
    const plan = planOf([{ name: "a", steps: 3 }]);
    let release!: () => void;
    fakes.on("1.1", { gate: new Promise<void>((r) => (release = r)) });
    // The lock's clock: its renewal sleeps until the test lets it wake.
    const wake: (() => void)[] = [];
    const lockClock = {
      now: () => Date.now(),
      sleep: (_ms: number, signal?: AbortSignal) =>
        new Promise<void>((resolve, reject) => {
          wake.push(resolve);
          signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        }),
    };
    const running = runWith(
      plan,
      fakeEnvironment(t.dir, fakes, { lockStore: store, lockClock, lockTtlSeconds: 30 }),
      t.dir,
    );
    for (let i = 0; i < 500 && fakes.running === 0; i++) await new Promise((r) => setTimeout(r, 2));
    const held = (await store.get())!.holder;
    expect((await breakLock(store, held.id)).ok).toBe(true);
    // The next renewal finds the lock gone.
    wake.shift()?.();
    for (let i = 0; i < 500 && wake.length === 0; i++) await new Promise((r) => setTimeout(r, 2));
    release();
    const result = await running;
    expect(fakes.runs).toEqual(["1.1"]);
    expect(result.status === "ran" && result.summary).toMatchObject({
      outcome: "stopped",
      reason: expect.stringContaining("was broken or taken by someone else"),
    });
  });
});
