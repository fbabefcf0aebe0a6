import { type V1Lease, V1MicroTime } from "@kubernetes/client-node";
import type { LeaseApi } from "../lease-kube.js";
import type { KubeClient, Lease, LeaseSpec } from "./kubernetes.js";
import { KubeApiError } from "./kubernetes-errors.js";

/**
 * The Lease calls of the run lock (lease-kube.ts speaks `V1Lease`) over a KubeClient. Failures are the
 * client's KubeApiErrors, whose `code` the lock reads (409 Conflict or AlreadyExists, 404 gone).
 */
export function leaseApiOf(kube: KubeClient): LeaseApi {
  return {
    async readLease(namespace, name) {
      const lease = await kube.getLease(namespace, name);
      return lease ? v1LeaseOf(lease) : undefined;
    },
    async createLease(namespace, lease) {
      return v1LeaseOf(await kube.createLease(specOf(namespace, lease)));
    },
    async replaceLease(namespace, name, lease) {
      const resourceVersion = lease.metadata?.resourceVersion ?? "";
      return v1LeaseOf(await kube.replaceLease({ ...specOf(namespace, lease), name, resourceVersion }));
    },
    async deleteLease(namespace, name, resourceVersion) {
      if (!(await kube.deleteLease(namespace, name, resourceVersion))) {
        throw new KubeApiError(`the lease ${namespace}/${name} is gone`, undefined, false, 404, "NotFound");
      }
    },
  };
}

function specOf(namespace: string, lease: V1Lease): LeaseSpec {
  const spec = lease.spec ?? {};
  const acquired = new Date(spec.acquireTime ?? 0);
  return {
    namespace,
    name: lease.metadata?.name ?? "",
    holderIdentity: spec.holderIdentity ?? "",
    acquireTime: acquired,
    renewTime: spec.renewTime !== undefined ? new Date(spec.renewTime) : acquired,
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 1,
    ...(spec.leaseTransitions !== undefined ? { leaseTransitions: spec.leaseTransitions } : {}),
    ...(lease.metadata?.annotations ? { annotations: lease.metadata.annotations } : {}),
    ...(lease.metadata?.labels ? { labels: lease.metadata.labels } : {}),
  };
}

function v1LeaseOf(lease: Lease): V1Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: lease.name,
      namespace: lease.namespace,
      resourceVersion: lease.resourceVersion,
      annotations: { ...lease.annotations },
      labels: { ...lease.labels },
    },
    spec: {
      ...(lease.holderIdentity !== undefined ? { holderIdentity: lease.holderIdentity } : {}),
      ...(lease.acquireTime ? { acquireTime: new V1MicroTime(lease.acquireTime.getTime()) } : {}),
      ...(lease.renewTime ? { renewTime: new V1MicroTime(lease.renewTime.getTime()) } : {}),
      ...(lease.leaseDurationSeconds !== undefined
        ? { leaseDurationSeconds: lease.leaseDurationSeconds }
        : {}),
      ...(lease.leaseTransitions !== undefined ? { leaseTransitions: lease.leaseTransitions } : {}),
    },
  };
}
