import { z } from "zod";
import type { KubeCluster } from "./kube-cluster.js";
import { DEPLOYMENTS, JOBS, type KubeObject, NAMESPACES, PODS } from "./kube-objects.js";
import { isReady } from "./kube-workloads.js";

/**
 * The Kubernetes part of a simulated site's snapshot: what is there, in terms the cluster can be seeded
 * with again (namespaces, deployments with their replicas, jobs and whether they completed, lone pods, and
 * every other object as it is: the Strimzi resource with its annotations, the site's lock Lease). Names,
 * labels, annotations and specs come back; uids, resourceVersions and creation times are new, and pods on
 * their way up or out have arrived (ready, or gone).
 */

const Labels = z.record(z.string(), z.string());

export const KubeSnapshotSchema = z.object({
  namespaces: z.array(z.object({ name: z.string(), labels: Labels.optional() })),
  deployments: z.array(
    z.object({
      namespace: z.string(),
      name: z.string(),
      labels: Labels.optional(),
      podLabels: Labels.optional(),
      replicas: z.number().int().nonnegative(),
    }),
  ),
  jobs: z.array(
    z.object({
      namespace: z.string(),
      name: z.string(),
      labels: Labels.optional(),
      pods: z.number().int().nonnegative(),
      complete: z.boolean(),
    }),
  ),
  pods: z.array(
    z.object({ namespace: z.string(), name: z.string(), labels: Labels.optional(), ready: z.boolean() }),
  ),
  types: z.array(
    z.object({
      group: z.string(),
      version: z.string(),
      plural: z.string(),
      kind: z.string(),
      namespaced: z.boolean(),
    }),
  ),
  objects: z.array(
    z.object({
      group: z.string(),
      version: z.string(),
      plural: z.string(),
      namespace: z.string().optional(),
      name: z.string(),
      labels: Labels.optional(),
      annotations: Labels.optional(),
      spec: z.unknown().optional(),
      status: z.unknown().optional(),
    }),
  ),
});
export type KubeSnapshot = z.infer<typeof KubeSnapshotSchema>;

const CORE_WORKLOADS = new Set([NAMESPACES, PODS, DEPLOYMENTS, JOBS]);

/**
 * What the cluster holds now, as a snapshot. NOTE: specs and statuses are the store's own objects, not
 * copies (copying every object at every change costs more than all the rest of a site's snapshot): write
 * the snapshot out before the cluster changes again.
 */
export function dumpKube(cluster: KubeCluster): KubeSnapshot {
  const store = cluster.store;
  const deployments = store.peek(DEPLOYMENTS);
  const pods = store.peek(PODS);
  const selectors = deployments.map((d) => ({
    namespace: d.metadata.namespace,
    labels: Object.entries((d.spec?.selector?.matchLabels ?? {}) as Record<string, string>),
  }));
  const ownedByDeployment = (pod: KubeObject) =>
    selectors.some(
      (s) =>
        s.namespace === pod.metadata.namespace && s.labels.every(([k, v]) => pod.metadata.labels?.[k] === v),
    );
  const jobPods = new Map<string, number>();
  for (const p of pods) {
    for (const r of p.metadata.ownerReferences ?? []) {
      if (r.kind === "Job") jobPods.set(r.uid, (jobPods.get(r.uid) ?? 0) + 1);
    }
  }
  const others = store.allTypes().filter((t) => !CORE_WORKLOADS.has(t));
  return {
    namespaces: store.peek(NAMESPACES).map((n) => ({ name: n.metadata.name, ...labelsOf(n) })),
    deployments: deployments.map((d) => ({
      namespace: d.metadata.namespace!,
      name: d.metadata.name,
      ...labelsOf(d),
      podLabels: d.spec?.selector?.matchLabels ?? {},
      replicas: d.spec?.replicas ?? 1,
    })),
    jobs: store.peek(JOBS).map((j) => ({
      namespace: j.metadata.namespace!,
      name: j.metadata.name,
      ...labelsOf(j),
      pods: Math.max(1, jobPods.get(j.metadata.uid ?? "") ?? 0),
      complete: (j.status?.succeeded ?? 0) > 0,
    })),
    pods: pods
      .filter(
        (p) => !p.metadata.deletionTimestamp && !p.metadata.ownerReferences?.length && !ownedByDeployment(p),
      )
      .map((p) => ({
        namespace: p.metadata.namespace!,
        name: p.metadata.name,
        ...labelsOf(p),
        ready: isReady(p),
      })),
    types: others
      .filter((t) => t.custom)
      .map(({ group, version, plural, kind, namespaced }) => ({ group, version, plural, kind, namespaced })),
    objects: others.flatMap((t) =>
      store.peek(t).map((o) => ({
        group: t.group,
        version: t.version,
        plural: t.plural,
        ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}),
        name: o.metadata.name,
        ...labelsOf(o),
        ...(o.metadata.annotations ? { annotations: { ...o.metadata.annotations } } : {}),
        ...(o.spec !== undefined ? { spec: o.spec } : {}),
        ...(o.status !== undefined ? { status: o.status } : {}),
      })),
    ),
  };
}

/**
 * Seeds an empty cluster with a snapshot. `timing` gives the delays of a deployment's pods (the site
 * knows them); `completeJob` marks a job Complete as the site does when its CSC exits.
 */
export function restoreKube(
  cluster: KubeCluster,
  snapshot: KubeSnapshot,
  hooks: {
    readonly timing: (
      namespace: string,
      name: string,
    ) => { readyDelayMs?: number; terminationDelayMs?: number };
    readonly completeJob: (namespace: string, name: string) => void;
  },
): void {
  for (const n of snapshot.namespaces) cluster.addNamespace(n.name, n.labels);
  for (const t of snapshot.types) cluster.defineResource(t);
  for (const d of snapshot.deployments) {
    cluster.addDeployment({ ...d, ...hooks.timing(d.namespace, d.name) });
  }
  for (const j of snapshot.jobs) {
    cluster.addJob({ namespace: j.namespace, name: j.name, labels: j.labels, pods: j.pods });
    if (j.complete) hooks.completeJob(j.namespace, j.name);
  }
  for (const p of snapshot.pods) cluster.addPod(p);
  for (const o of snapshot.objects) {
    const { group, version, plural, ...seed } = o;
    cluster.addObject({ group, version, plural }, seed);
  }
}

function labelsOf(o: KubeObject): { labels?: Record<string, string> } {
  return o.metadata.labels ? { labels: { ...o.metadata.labels } } : {};
}
