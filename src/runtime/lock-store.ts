import type { PlanSite } from "../ir/schema.js";
import { DEFAULT_LOCK_NAMESPACE, KubeLeaseStore, type LeaseApi } from "./lease-kube.js";
import type { LeaseStore } from "./lock.js";
import { FileLeaseStore } from "./lock-file-store.js";

export interface LockStoreOptions {
  readonly stateDir: string;
  /** The Lease calls of the site's cluster; absent: no cluster client is available. */
  readonly leaseApi?: LeaseApi;
  /** The namespace of the Lease (`--lock-namespace`, `PLAN_LOCK_NAMESPACE`); default `default`. */
  readonly namespace?: string;
}

/**
 * Where a site's lock is kept: a Lease in the site's cluster when the site has one and a client for it is
 * given, else a lock file in the state directory. `warning` says so when a site with a cluster gets the
 * file lock, since then operators on other machines do not see it.
 */
export function siteLockStore(
  site: PlanSite,
  options: LockStoreOptions,
): { store: LeaseStore; warning?: string } {
  if (site.kubernetes && options.leaseApi) {
    return {
      store: new KubeLeaseStore(
        options.leaseApi,
        site.name,
        options.namespace ?? DEFAULT_LOCK_NAMESPACE,
        site.kubernetes.context,
      ),
    };
  }
  const store = new FileLeaseStore(options.stateDir, site.name);
  if (!site.kubernetes) return { store };
  return {
    store,
    warning: `the lock of site ${site.name} is a ${store.where}, not a Lease in its cluster: operators on other machines do not see it`,
  };
}
