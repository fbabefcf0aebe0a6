import { randomBytes } from "node:crypto";
import type { Clock } from "./executor.js";

/**
 * One run per site at a time. The lock is a lease: its holder renews it while the run lives, and it
 * expires when the holder stops renewing (the process died). It is kept where every operator of the site
 * sees it: a Kubernetes Lease in the site's cluster (lease-kube.ts), or a file in the state directory
 * where no cluster is configured (lock-file-store.ts). Both sit behind LeaseStore.
 */

/** Who holds a site's lock, where, since when, and for which plan. */
export interface LockHolder {
  /** The lock's id, for `plan unlock --id`. */
  readonly id: string;
  readonly site: string;
  readonly by: string;
  readonly host: string;
  readonly pid: number;
  readonly planId: string;
  readonly planHash: string;
  /** ISO 8601. */
  readonly acquiredAt: string;
  readonly renewedAt: string;
  /** The lock expires this long after `renewedAt`. */
  readonly ttlSeconds: number;
}

/** A lock as stored, with the version to compare against when changing it. */
export interface StoredLease {
  readonly version: string;
  readonly holder: LockHolder;
}

/** The lock was changed by someone else since it was read (or exists when it was to be created). */
export class LeaseConflict extends Error {
  constructor(message = "the lock was changed by someone else") {
    super(message);
    this.name = "LeaseConflict";
  }
}

/**
 * Storage of one site's lock, with compare-and-swap. Implementations: a versioned folder of files, a
 * Kubernetes Lease (resourceVersion).
 */
export interface LeaseStore {
  /** Where the lock is kept, in words (`Lease plan-lock-summit in namespace default`). */
  readonly where: string;
  /** The current lock, or undefined when nobody holds it. */
  get(): Promise<StoredLease | undefined>;
  /** Creates the lock; LeaseConflict when there is one. */
  create(holder: LockHolder): Promise<StoredLease>;
  /** Replaces the lock at `version`; LeaseConflict when it changed or is gone. */
  replace(holder: LockHolder, version: string): Promise<StoredLease>;
  /** Removes the lock at `version`; LeaseConflict when it changed or is gone. */
  delete(version: string): Promise<void>;
}

/** The default time a lock lives without renewal, and how often its holder renews it. */
export const LOCK_TTL_SECONDS = 60;

export interface LockRequest {
  readonly site: string;
  readonly by: string;
  readonly host: string;
  readonly pid: number;
  readonly planId: string;
  readonly planHash: string;
}

export interface LockEnv {
  readonly clock: Clock;
  readonly ttlSeconds?: number;
  /** Whether a process of this host is alive; a lock of this host whose process is gone is stale. */
  readonly isAlive?: (pid: number) => boolean;
  /** The lock id to use (tests); default: 8 random hex digits. */
  readonly id?: string;
}

/** Why a lock can be taken over, or undefined when its holder is alive as far as can be told. */
export function staleness(
  holder: LockHolder,
  now: number,
  host: string,
  isAlive?: (pid: number) => boolean,
): string | undefined {
  const expires = Date.parse(holder.renewedAt) + holder.ttlSeconds * 1000;
  if (Number.isFinite(expires) && now > expires) return `it expired at ${new Date(expires).toISOString()}`;
  if (holder.host === host && isAlive && !isAlive(holder.pid))
    return `its process ${holder.pid} on ${host} is gone`;
  return undefined;
}

export type AcquireResult =
  | { ok: true; lock: HeldLock; tookOver?: { holder: LockHolder; why: string } }
  | { ok: false; holder: LockHolder; where: string };

/**
 * Takes the site's lock. A lock held by a live run is refused, with its holder. A stale lock (expired, or
 * of a process of this host that is gone) is taken over, and the result says whose it was and why, so
 * that the caller tells the operator. Conflicting writers are settled by the store's compare-and-swap:
 * of two runs that start together, exactly one gets the lock.
 */
export async function acquireLock(
  store: LeaseStore,
  request: LockRequest,
  env: LockEnv,
): Promise<AcquireResult> {
  const ttl = env.ttlSeconds ?? LOCK_TTL_SECONDS;
  for (let attempt = 0; ; attempt++) {
    const now = new Date(env.clock.now()).toISOString();
    const holder: LockHolder = {
      id: env.id ?? newLockId(),
      ...request,
      acquiredAt: now,
      renewedAt: now,
      ttlSeconds: ttl,
    };
    const current = await store.get();
    try {
      if (!current) {
        const stored = await store.create(holder);
        return { ok: true, lock: new HeldLock(store, stored, env.clock) };
      }
      const why = staleness(current.holder, env.clock.now(), request.host, env.isAlive);
      if (!why) return { ok: false, holder: current.holder, where: store.where };
      const stored = await store.replace(holder, current.version);
      return {
        ok: true,
        lock: new HeldLock(store, stored, env.clock),
        tookOver: { holder: current.holder, why },
      };
    } catch (e) {
      if (!(e instanceof LeaseConflict) || attempt >= 5) throw e;
    }
  }
}

/** 8 random hex digits. */
export function newLockId(): string {
  return randomBytes(4).toString("hex");
}

/**
 * A lock this process holds: renewed every third of its time to live until released. When a renewal
 * finds the lock changed or gone (someone broke it with `plan unlock`), or renewals keep failing until the
 * lock would have expired, `lost` aborts with the reason: the run must stop starting steps.
 */
export class HeldLock {
  private readonly controller = new AbortController();
  private readonly stopRenewing = new AbortController();
  private renewing: Promise<void> | undefined;

  constructor(
    private readonly store: LeaseStore,
    private current: StoredLease,
    private readonly clock: Clock,
  ) {}

  get holder(): LockHolder {
    return this.current.holder;
  }

  /** Aborts, with the reason as a string, when the lock is lost. */
  get lost(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts renewing in the background. */
  startRenewing(): void {
    this.renewing ??= this.renewLoop();
  }

  /** Renews once, now. Resolves false (and aborts `lost`) when the lock is lost. */
  async renew(): Promise<boolean> {
    if (this.lost.aborted) return false;
    const holder = { ...this.current.holder, renewedAt: new Date(this.clock.now()).toISOString() };
    try {
      this.current = await this.store.replace(holder, this.current.version);
      return true;
    } catch (e) {
      if (e instanceof LeaseConflict) {
        this.controller.abort(
          `the lock of site ${holder.site} was broken or taken by someone else (${this.store.where})`,
        );
        return false;
      }
      const expires = Date.parse(this.current.holder.renewedAt) + this.current.holder.ttlSeconds * 1000;
      if (this.clock.now() >= expires) {
        this.controller.abort(
          `the lock of site ${holder.site} could not be renewed before it expired: ${(e as Error).message}`,
        );
        return false;
      }
      return true;
    }
  }

  /** Stops renewing and removes the lock, unless someone else changed it meanwhile. */
  async release(): Promise<void> {
    this.stopRenewing.abort();
    await this.renewing?.catch(() => {});
    if (this.lost.aborted) return;
    try {
      await this.store.delete(this.current.version);
    } catch (e) {
      if (!(e instanceof LeaseConflict)) throw e;
    }
  }

  private async renewLoop(): Promise<void> {
    const every = (this.current.holder.ttlSeconds * 1000) / 3;
    while (!this.stopRenewing.signal.aborted && !this.lost.aborted) {
      try {
        await this.clock.sleep(every, this.stopRenewing.signal);
      } catch {
        return;
      }
      if (this.stopRenewing.signal.aborted) return;
      await this.renew();
    }
  }
}

export type UnlockResult =
  | { ok: true; holder: LockHolder }
  | { ok: false; problem: string; holder?: LockHolder };

/**
 * Breaks a site's lock, by its id only: the id guards against breaking a lock that was taken by someone
 * else since its holder was looked at. Refuses when there is no lock or its id differs.
 */
export async function breakLock(store: LeaseStore, id: string): Promise<UnlockResult> {
  const current = await store.get();
  if (!current) return { ok: false, problem: `there is no lock (${store.where})` };
  if (current.holder.id !== id) {
    return { ok: false, problem: `the lock has id ${current.holder.id}, not ${id}`, holder: current.holder };
  }
  try {
    await store.delete(current.version);
  } catch (e) {
    if (e instanceof LeaseConflict)
      return { ok: false, problem: "the lock changed while it was being broken; look again" };
    throw e;
  }
  return { ok: true, holder: current.holder };
}

/** The holder of a lock in words, for the refusal and for `plan unlock`. */
export function describeHolder(holder: LockHolder): string[] {
  const expires = new Date(Date.parse(holder.renewedAt) + holder.ttlSeconds * 1000).toISOString();
  return [
    `held by ${holder.by} on host ${holder.host} (process ${holder.pid}) since ${holder.acquiredAt}`,
    `running plan ${holder.planId} (${holder.planHash.slice(0, 19)}…)`,
    `lock id ${holder.id}; last renewed ${holder.renewedAt}, expires ${expires} unless renewed`,
  ];
}

/** Whether a process of this host is alive (a process we may not signal is alive). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
