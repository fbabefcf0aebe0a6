import type { PlanSite } from "../ir/schema.js";
import type { KubeClient } from "./clients/kubernetes.js";
import { leaseApiOf } from "./clients/kubernetes-lease-api.js";
import { DEFAULT_LOCK_NAMESPACE, KubeLeaseStore } from "./lease-kube.js";
import type { LeaseStore } from "./lock.js";
import { FileLeaseStore } from "./lock-file-store.js";

export interface LockStoreOptions {
  readonly stateDir: string;
  /** The client of the site's cluster (created on call; it throws when the kubeconfig is unusable). */
  readonly kube: () => KubeClient;
  /** The namespace of the Lease (`--lock-namespace`, `PLAN_LOCK_NAMESPACE`); default `default`. */
  readonly namespace?: string;
}

export type LockStoreResult =
  | { readonly ok: true; readonly store: LeaseStore }
  | { readonly ok: false; readonly problem: string; readonly help?: string };

/**
 * Where a site's lock is kept: a Lease in the site's cluster when the site has one, so that every
 * operator of the site sees it; else a lock file in the state directory. A site with a cluster whose
 * kubeconfig cannot be used is refused, never quietly given a lock file that others would not see.
 */
export function siteLockStore(site: PlanSite, options: LockStoreOptions): LockStoreResult {
  if (!site.kubernetes) return { ok: true, store: new FileLeaseStore(options.stateDir, site.name) };
  let kube: KubeClient;
  try {
    kube = options.kube();
  } catch (e) {
    const help = (e as { help?: string }).help;
    return {
      ok: false,
      problem: `the lock of site ${site.name} is a Lease in its cluster, which cannot be reached: ${(e as Error).message}`,
      ...(help ? { help } : {}),
    };
  }
  const namespace = options.namespace ?? DEFAULT_LOCK_NAMESPACE;
  return {
    ok: true,
    store: new KubeLeaseStore(leaseApiOf(kube), site.name, namespace, site.kubernetes.context),
  };
}
