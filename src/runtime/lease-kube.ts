import { type V1Lease, V1MicroTime } from "@kubernetes/client-node";
import { StepFailure } from "./executor.js";
import { LeaseConflict, type LeaseStore, type LockHolder, type StoredLease } from "./lock.js";

/**
 * The site's lock as a Kubernetes Lease (`coordination.k8s.io/v1`) in the site's cluster, where every
 * operator of the site sees it (`kubectl get lease -n <namespace>`). `spec.holderIdentity` is the lock id,
 * `spec.renewTime` and `spec.leaseDurationSeconds` say when it expires, and annotations say who holds it,
 * where and for which plan. Compare-and-swap is the API server's: `metadata.resourceVersion` on replace,
 * a precondition on delete; a 409 (AlreadyExists, Conflict) or 404 is a LeaseConflict.
 */

/** The Lease calls the store needs; the Kubernetes client's adapter provides them. */
export interface LeaseApi {
  /** The Lease, or undefined when there is none (404). */
  readLease(namespace: string, name: string): Promise<V1Lease | undefined>;
  createLease(namespace: string, lease: V1Lease): Promise<V1Lease>;
  replaceLease(namespace: string, name: string, lease: V1Lease): Promise<V1Lease>;
  /** Deletes the Lease if its resourceVersion is still this one. */
  deleteLease(namespace: string, name: string, resourceVersion: string): Promise<void>;
}

/** The namespace the lock's Lease lives in, unless the run says otherwise (`PLAN_LOCK_NAMESPACE`). */
export const DEFAULT_LOCK_NAMESPACE = "default";

const ANNOTATION = "plan.lsst.io/";

/** The Lease's name for a site: `plan-run-lock-<site>`, as a valid Kubernetes name. */
export function leaseName(site: string): string {
  const slug = site
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `plan-run-lock-${slug || "site"}`.slice(0, 63).replace(/-+$/, "");
}

/** The Lease that records a holder. */
export function leaseOf(
  holder: LockHolder,
  name: string,
  namespace: string,
  resourceVersion?: string,
): V1Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name,
      namespace,
      ...(resourceVersion ? { resourceVersion } : {}),
      labels: { "app.kubernetes.io/managed-by": "plan" },
      annotations: {
        [`${ANNOTATION}site`]: holder.site,
        [`${ANNOTATION}by`]: holder.by,
        [`${ANNOTATION}host`]: holder.host,
        [`${ANNOTATION}pid`]: String(holder.pid),
        [`${ANNOTATION}plan-id`]: holder.planId,
        [`${ANNOTATION}plan-hash`]: holder.planHash,
      },
    },
    spec: {
      holderIdentity: holder.id,
      leaseDurationSeconds: holder.ttlSeconds,
      acquireTime: new V1MicroTime(holder.acquiredAt),
      renewTime: new V1MicroTime(holder.renewedAt),
    },
  };
}

/** The holder a Lease records, or undefined when it has none (released, or not one of ours). */
export function holderOf(lease: V1Lease): LockHolder | undefined {
  const spec = lease.spec;
  const a = lease.metadata?.annotations ?? {};
  if (!spec?.holderIdentity) return undefined;
  const iso = (d: Date | string | undefined) =>
    d === undefined ? new Date(0).toISOString() : new Date(d).toISOString();
  return {
    id: spec.holderIdentity,
    site: a[`${ANNOTATION}site`] ?? "",
    by: a[`${ANNOTATION}by`] ?? "unknown",
    host: a[`${ANNOTATION}host`] ?? "unknown",
    pid: Number(a[`${ANNOTATION}pid`] ?? 0),
    planId: a[`${ANNOTATION}plan-id`] ?? "unknown",
    planHash: a[`${ANNOTATION}plan-hash`] ?? "unknown",
    acquiredAt: iso(spec.acquireTime),
    renewedAt: iso(spec.renewTime ?? spec.acquireTime),
    ttlSeconds: spec.leaseDurationSeconds ?? 0,
  };
}

/** A Kubernetes API error's HTTP status, wherever the client put it. */
function statusOf(e: unknown): number | undefined {
  const err = e as { code?: unknown; statusCode?: unknown; response?: { statusCode?: unknown } };
  for (const v of [err?.code, err?.statusCode, err?.response?.statusCode])
    if (typeof v === "number") return v;
  return undefined;
}

export class KubeLeaseStore implements LeaseStore {
  readonly where: string;
  readonly name: string;

  constructor(
    private readonly api: LeaseApi,
    readonly site: string,
    readonly namespace: string = DEFAULT_LOCK_NAMESPACE,
    context?: string,
  ) {
    this.name = leaseName(site);
    this.where = `Lease ${this.name} in namespace ${namespace}${context ? ` of context ${context}` : ""}`;
  }

  async get(): Promise<StoredLease | undefined> {
    const lease = await this.api.readLease(this.namespace, this.name);
    const holder = lease && holderOf(lease);
    const version = lease?.metadata?.resourceVersion;
    return holder && version ? { version, holder } : undefined;
  }

  async create(holder: LockHolder): Promise<StoredLease> {
    const existing = await this.api.readLease(this.namespace, this.name);
    if (existing) {
      // A released Lease (no holder) is taken by replacing it, so that its history stays one object.
      if (holderOf(existing)) throw new LeaseConflict("the site is already locked");
      return this.replace(holder, existing.metadata?.resourceVersion ?? "");
    }
    try {
      const lease = await this.api.createLease(this.namespace, leaseOf(holder, this.name, this.namespace));
      return { version: lease.metadata?.resourceVersion ?? "", holder };
    } catch (e) {
      const status = statusOf(e);
      if (status === 409) throw new LeaseConflict();
      // Creating in a namespace that does not exist is a 404: nobody holds the lock, it cannot be taken here.
      if (status === 404) {
        throw new StepFailure(
          `the namespace ${this.namespace} does not exist, so the lock cannot be taken there (${this.where})`,
          "choose a namespace that exists with --lock-namespace or PLAN_LOCK_NAMESPACE",
        );
      }
      throw e;
    }
  }

  async replace(holder: LockHolder, version: string): Promise<StoredLease> {
    const lease = leaseOf(holder, this.name, this.namespace, version);
    return this.stored(() => this.api.replaceLease(this.namespace, this.name, lease), holder);
  }

  async delete(version: string): Promise<void> {
    try {
      await this.api.deleteLease(this.namespace, this.name, version);
    } catch (e) {
      const status = statusOf(e);
      if (status === 409 || status === 404) throw new LeaseConflict();
      throw e;
    }
  }

  private async stored(call: () => Promise<V1Lease>, holder: LockHolder): Promise<StoredLease> {
    try {
      const lease = await call();
      return { version: lease.metadata?.resourceVersion ?? "", holder };
    } catch (e) {
      const status = statusOf(e);
      if (status === 409 || status === 404) throw new LeaseConflict();
      throw e;
    }
  }
}
