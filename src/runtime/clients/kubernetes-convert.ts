import type { V1Deployment, V1LabelSelector, V1Lease } from "@kubernetes/client-node";
import { V1MicroTime } from "@kubernetes/client-node";
import type { DeploymentReplicas, KubeObjectRef, Lease, LeaseSpec } from "./kubernetes.js";

/** Conversions between the client library's objects and the runtime's view of them (kubernetes.ts). */

/** A deployment's replicas, from its spec and status; spec.replicas defaults to 1, as on the server. */
export function replicasOf(d: V1Deployment): DeploymentReplicas {
  return {
    namespace: d.metadata?.namespace ?? "",
    name: d.metadata?.name ?? "",
    desired: d.spec?.replicas ?? 1,
    current: d.status?.replicas ?? 0,
    ready: d.status?.readyReplicas ?? 0,
    observed: (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0),
    podSelector: selectorText(d.spec?.selector),
  };
}

/** A LabelSelector as the text `labelSelector` takes; undefined for none. */
export function selectorText(selector: V1LabelSelector | undefined): string | undefined {
  if (!selector) return undefined;
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === "In") parts.push(`${e.key} in (${(e.values ?? []).join(",")})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${(e.values ?? []).join(",")})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.join(",");
}

/** The V1Lease to send for a LeaseSpec. */
export function v1Lease(lease: LeaseSpec): V1Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: lease.name,
      namespace: lease.namespace,
      ...(lease.annotations ? { annotations: { ...lease.annotations } } : {}),
      ...(lease.labels ? { labels: { ...lease.labels } } : {}),
    },
    spec: {
      holderIdentity: lease.holderIdentity,
      // NOTE: V1MicroTime writes the microseconds the server requires; a plain Date is refused (400).
      acquireTime: new V1MicroTime(lease.acquireTime.getTime()),
      renewTime: new V1MicroTime(lease.renewTime.getTime()),
      leaseDurationSeconds: lease.leaseDurationSeconds,
      ...(lease.leaseTransitions !== undefined ? { leaseTransitions: lease.leaseTransitions } : {}),
    },
  };
}

/** The runtime's Lease from the server's V1Lease. */
export function leaseOf(lease: V1Lease): Lease {
  return {
    namespace: lease.metadata?.namespace ?? "",
    name: lease.metadata?.name ?? "",
    holderIdentity: lease.spec?.holderIdentity,
    acquireTime: timeOf(lease.spec?.acquireTime),
    renewTime: timeOf(lease.spec?.renewTime),
    leaseDurationSeconds: lease.spec?.leaseDurationSeconds,
    leaseTransitions: lease.spec?.leaseTransitions,
    annotations: { ...(lease.metadata?.annotations ?? {}) },
    labels: { ...(lease.metadata?.labels ?? {}) },
    resourceVersion: lease.metadata?.resourceVersion ?? "",
  };
}

/** A MicroTime as the library hands it back: a Date, or the server's text (it does not parse MicroTime). */
export function timeOf(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value !== "string") return undefined;
  const ms = Date.parse(value.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** The annotations of any object the library returned. */
export function annotationsOf(object: unknown): Record<string, string> {
  const meta = (object as { metadata?: { annotations?: Record<string, string> } } | undefined)?.metadata;
  return meta?.annotations ?? {};
}

/** The parameters of CustomObjectsApi for an object. */
export function refParams(ref: KubeObjectRef) {
  return {
    group: ref.group,
    version: ref.version,
    namespace: ref.namespace,
    plural: ref.plural,
    name: ref.name,
  };
}

/** `kafkas.kafka.strimzi.io sasquatch/sasquatch`. */
export function describeRef(ref: Omit<KubeObjectRef, "version">): string {
  return `${ref.group ? `${ref.plural}.${ref.group}` : ref.plural} ${ref.namespace}/${ref.name}`;
}

/** The `labelSelector` parameter, left out when there is no selector. */
export function labelSelector(selector: string | undefined): { labelSelector?: string } {
  return selector ? { labelSelector: selector } : {};
}

/** ` matching <selector>`, or "" when there is none. */
export function matching(selector: string | undefined): string {
  return selector ? ` matching ${selector}` : "";
}

/** Orders by name. */
export function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
