import type { KubeCluster, ResourceRef } from "./kube-cluster.js";
import { DEPLOYMENTS, JOBS, kubeTime, PODS } from "./kube-objects.js";
import type { KubeCsc, SiteLayout } from "./site-layout.js";
import {
  INSTANCE_LABEL,
  LOVE,
  LOVE_PRODUCER_SELECTOR,
  NUBLADO_USERS,
  SASQUATCH,
  TELEGRAF_SELECTOR,
} from "./site-layout.js";

/**
 * The Kubernetes cluster of a simulated site: what it holds on a fresh site, and the changes the site's
 * model makes to it (a CSC that exits leaves its job Complete; Argo CD replaces a job on sync).
 */

/** The Strimzi Kafka custom resource of Sasquatch. */
export const STRIMZI_KAFKA = {
  group: "kafka.strimzi.io",
  version: "v1beta2",
  plural: "kafkas",
  kind: "Kafka",
} as const;

/** How long the telegraf connectors take to become ready, and to go away (site time). */
export const TELEGRAF_TIMING = { readyDelayMs: 10_000, terminationDelayMs: 5_000 } as const;

/** The users whose Nublado labs run on a fresh site. */
const LAB_USERS = ["user01", "user02"];

/** Fills a fresh cluster: namespaces, a running job per Kubernetes CSC, Sasquatch, Nublado's labs. */
export function seedKube(cluster: KubeCluster, layout: SiteLayout): void {
  for (const ns of ["default", "kube-system", "kube-public", "argocd"]) cluster.addNamespace(ns);
  for (const app of layout.site.apps) cluster.addNamespace(app.namespace, { [INSTANCE_LABEL]: app.name });
  for (const k of layout.kubeCscs) addCscJob(cluster, k);
  cluster.addNamespace(SASQUATCH);
  for (const c of layout.telegrafConnectors()) {
    cluster.addDeployment({
      namespace: SASQUATCH,
      name: c.deployment,
      labels: {
        ...TELEGRAF_SELECTOR,
        "app.kubernetes.io/instance": c.deployment,
        [INSTANCE_LABEL]: SASQUATCH,
      },
      podLabels: { ...TELEGRAF_SELECTOR, "app.kubernetes.io/instance": c.deployment },
      replicas: 1,
      ...TELEGRAF_TIMING,
    });
  }
  defineStrimzi(cluster);
  cluster.addObject(STRIMZI_KAFKA, {
    namespace: SASQUATCH,
    name: SASQUATCH,
    labels: { [INSTANCE_LABEL]: SASQUATCH },
    spec: { kafka: { replicas: 3, version: "3.9.0" }, zookeeper: null },
    status: { conditions: [{ type: "Ready", status: "True" }], clusterId: "plan-simulated-kafka" },
  });
  addLoveDeployments(cluster, layout);
  for (const user of LAB_USERS) {
    const ns = `nublado-${user}`;
    cluster.addNamespace(ns, { [INSTANCE_LABEL]: NUBLADO_USERS });
    cluster.addPod({
      namespace: ns,
      name: `nb-${user}`,
      labels: { app: "jupyterlab", "nublado.lsst.io/user": user },
    });
  }
}

/**
 * LOVE's deployments in its namespace (when the site has the `love` app): its manager and frontend, and a
 * LOVE producer per app that runs CSCs. Those that are missing are created (Argo CD's sync of `love` does
 * the same); those that are there are left alone.
 */
export function addLoveDeployments(cluster: KubeCluster, layout: SiteLayout): void {
  const ns = layout.loveNamespace();
  if (ns === undefined) return;
  const base = { namespace: ns, replicas: 1, ...LOVE_TIMING };
  const deployments = [
    { name: "love-manager", labels: { "app.kubernetes.io/name": "love-manager" } },
    { name: "love-frontend", labels: { "app.kubernetes.io/name": "love-frontend" } },
    ...layout
      .loveProducerGroups()
      .map((g) => ({ name: g.deployment, labels: { ...LOVE_PRODUCER_SELECTOR } })),
  ];
  for (const d of deployments) {
    if (cluster.store.get(DEPLOYMENTS, ns, d.name)) continue;
    cluster.addDeployment({
      ...base,
      name: d.name,
      labels: { ...d.labels, [INSTANCE_LABEL]: LOVE },
      podLabels: { ...d.labels, "app.kubernetes.io/instance": d.name },
    });
  }
}

/** How long LOVE's pods take to become ready and to go away (site time). */
export const LOVE_TIMING = { readyDelayMs: 8_000, terminationDelayMs: 3_000 } as const;

/** Whether a deployment has a ready replica, as the cluster holds it now (see `telegrafReady`). */
export function deploymentReady(cluster: KubeCluster, namespace: string, name: string): boolean {
  return (cluster.store.get(DEPLOYMENTS, namespace, name)?.status?.readyReplicas ?? 0) > 0;
}

/** Serves the Strimzi Kafka resource type (a CRD of Sasquatch's cluster). */
export function defineStrimzi(cluster: KubeCluster): void {
  cluster.defineResource(STRIMZI_KAFKA);
}

/** Creates a CSC's job, with its running pod, labelled as the lsst-ts charts and Argo CD label them. */
export function addCscJob(cluster: KubeCluster, k: KubeCsc): void {
  cluster.addJob({ namespace: k.namespace, name: k.job, labels: { ...k.labels } });
}

/** Whether a CSC's job is there. */
export function hasJob(cluster: KubeCluster, k: KubeCsc): boolean {
  return cluster.object(JOBS_REF, k.namespace, k.job) !== undefined;
}

const JOBS_REF: ResourceRef = { group: JOBS.group, version: JOBS.version, plural: JOBS.plural };

/**
 * What Argo CD does to a CSC's job when its application syncs: the job (immutable) is deleted with its
 * pods, and created again; the pods of the new one run at once.
 */
export function replaceCscJob(cluster: KubeCluster, k: KubeCsc): void {
  if (hasJob(cluster, k)) cluster.apiDelete(JOBS, k.namespace, k.job, { propagationPolicy: "Background" });
  addCscJob(cluster, k);
}

/** A CSC's process exited: its pods Succeeded and its job is Complete, until someone deletes it. */
export function completeCscJob(cluster: KubeCluster, k: KubeCsc, at: number): void {
  if (!hasJob(cluster, k)) return;
  const time = kubeTime(at);
  for (const pod of cluster.store.list(PODS, k.namespace)) {
    if (pod.metadata.labels?.["job-name"] !== k.job || pod.metadata.deletionTimestamp) continue;
    cluster.store.update(
      PODS,
      k.namespace,
      pod.metadata.name,
      (p) => ({
        ...p,
        status: {
          phase: "Succeeded",
          conditions: [
            { type: "PodScheduled", status: "True" },
            { type: "ContainersReady", status: "False", reason: "PodCompleted" },
            { type: "Ready", status: "False", reason: "PodCompleted" },
          ],
        },
      }),
      { system: true },
    );
  }
  cluster.store.update(
    JOBS,
    k.namespace,
    k.job,
    (j) => ({
      ...j,
      status: {
        startTime: j.status?.startTime,
        completionTime: time,
        succeeded: 1,
        conditions: [{ type: "Complete", status: "True", lastTransitionTime: time }],
      },
    }),
    { system: true },
  );
}

/**
 * Whether a telegraf connector has a ready replica, as the cluster holds it now (without applying what is
 * due, so that it can be asked from within the cluster's own events).
 */
export function telegrafReady(cluster: KubeCluster, deployment: string): boolean {
  return deploymentReady(cluster, SASQUATCH, deployment);
}
