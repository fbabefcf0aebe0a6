import type { KubeEvent } from "./kube-events.js";
import { DEPLOYMENTS, type KubeObject, kubeTime, type ObjectStore, PODS } from "./kube-objects.js";

/**
 * The controllers of the Kubernetes double: a deployment keeps `spec.replicas` pods, which become Ready
 * after a delay and take a while to terminate, both measured on the cluster's clock; a job owns its pods,
 * which go with it unless it is deleted with propagationPolicy Orphan. Nothing happens on its own: the
 * cluster calls `settle()` before it answers a request, and the delays are read off the clock then.
 */

/** How long pods of a deployment take to become Ready and to go away, in ms of the cluster's clock. */
export interface Timing {
  readonly readyDelayMs: number;
  readonly terminationDelayMs: number;
}

interface PodTimer {
  readyAt?: number;
  goneAt?: number;
}

export class Workloads {
  private readonly timers = new Map<string, PodTimer>();
  private readonly timing = new Map<string, Timing>();
  private readonly owner = new Map<string, string>();
  private readonly settled = new Map<string, boolean>();
  private sequence = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => number,
    private readonly defaults: Timing,
    private readonly emit: (event: KubeEvent) => void,
  ) {}

  /** Sets how a deployment's pods behave (defaults: the cluster's). */
  setTiming(namespace: string, name: string, timing: Partial<Timing>): void {
    this.timing.set(`${namespace}/${name}`, { ...this.defaults, ...timing });
  }

  /**
   * Makes the pods of a deployment match its spec.replicas: creates pods (Ready after the delay, or at once
   * when `initial`, for seeding) or starts terminating the extra ones. A change that is not `initial` is
   * announced with `deployment-settled` once the pods match.
   */
  reconcileDeployment(namespace: string, name: string, initial = false): void {
    const deployment = this.store.get(DEPLOYMENTS, namespace, name);
    if (!deployment) return;
    const desired: number = deployment.spec?.replicas ?? 1;
    const timing = this.timing.get(`${namespace}/${name}`) ?? this.defaults;
    if (!initial) this.settled.set(`${namespace}/${name}`, false);
    const live = this.podsOf(namespace, name).filter((p) => !p.metadata.deletionTimestamp);
    for (let i = live.length; i < desired; i++) {
      const labels: Record<string, string> = deployment.spec?.template?.metadata?.labels ?? {};
      const podName = `${name}-${templateHash(name)}-${this.suffix()}`;
      const pod = this.createPod(namespace, podName, labels, initial ? 0 : timing.readyDelayMs);
      this.owner.set(`${namespace}/${pod}`, `${namespace}/${name}`);
    }
    const victims = live
      .sort((a, b) => Number(isReady(a)) - Number(isReady(b)) || (a.metadata.name < b.metadata.name ? 1 : -1))
      .slice(0, Math.max(0, live.length - desired));
    for (const pod of victims) this.terminatePod(namespace, pod.metadata.name, timing.terminationDelayMs);
    this.refreshDeployment(namespace, name);
  }

  /** Creates a pod, Ready now (delay 0) or after `readyDelayMs`; a negative delay means never Ready. */
  createPod(
    namespace: string,
    name: string,
    labels: Record<string, string>,
    readyDelayMs: number,
    extra?: Partial<KubeObject>,
  ): string {
    const ready = readyDelayMs === 0;
    this.store.create(PODS, namespace, {
      metadata: { name, labels: { ...labels }, ...(extra?.metadata ?? {}) },
      spec: { containers: [{ name: "main", image: "simulated" }] },
      status: podStatus(ready ? "Running" : "Pending", ready),
    });
    if (readyDelayMs > 0) this.timers.set(`${namespace}/${name}`, { readyAt: this.now() + readyDelayMs });
    return name;
  }

  /** Starts terminating a pod: not Ready, deletionTimestamp set, gone after the delay (at once for 0). */
  terminatePod(namespace: string, name: string, delayMs: number = this.defaults.terminationDelayMs): void {
    if (delayMs <= 0) {
      this.removePod(namespace, name);
      return;
    }
    this.store.update(
      PODS,
      namespace,
      name,
      (p) => ({
        ...p,
        metadata: { ...p.metadata, deletionTimestamp: kubeTime(this.now()) },
        status: podStatus(p.status?.phase ?? "Running", false),
      }),
      { system: true },
    );
    this.timers.set(`${namespace}/${name}`, { goneAt: this.now() + delayMs });
  }

  /** Marks a pod Ready or not, now. */
  setPodReady(namespace: string, name: string, ready: boolean): void {
    this.timers.delete(`${namespace}/${name}`);
    this.store.update(PODS, namespace, name, (p) => ({ ...p, status: podStatus("Running", ready) }), {
      system: true,
    });
    if (ready) this.emit({ type: "pod-ready", namespace, name });
    this.refreshOwner(namespace, name);
  }

  /** The pods a deployment owns, as stored. */
  podsOf(namespace: string, deployment: string): KubeObject[] {
    return this.store
      .list(PODS, namespace)
      .filter((p) => this.owner.get(`${namespace}/${p.metadata.name}`) === `${namespace}/${deployment}`);
  }

  /** Applies what the clock says is due: pods that became Ready, pods that are gone. */
  settle(): void {
    const now = this.now();
    for (const [key, timer] of [...this.timers.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [namespace, name] = splitKey(key);
      if (timer.goneAt !== undefined && timer.goneAt <= now) this.removePod(namespace, name);
      else if (timer.readyAt !== undefined && timer.readyAt <= now) this.setPodReady(namespace, name, true);
    }
  }

  /** Deletes the pods a job owns (Background, Foreground) or leaves them without owner (Orphan). */
  releaseJobPods(job: KubeObject, policy: string): string[] {
    const namespace = job.metadata.namespace!;
    const owned = this.store
      .list(PODS, namespace)
      .filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === job.metadata.uid));
    for (const pod of owned) {
      if (policy === "Orphan") {
        this.store.update(
          PODS,
          namespace,
          pod.metadata.name,
          (p) => {
            const { ownerReferences: _gone, ...metadata } = p.metadata;
            return { ...p, metadata };
          },
          { system: true },
        );
      } else this.terminatePod(namespace, pod.metadata.name);
    }
    return owned.map((p) => p.metadata.name);
  }

  /** Deletes the pods of a deleted deployment. */
  releaseDeploymentPods(namespace: string, name: string): void {
    for (const pod of this.podsOf(namespace, name)) this.terminatePod(namespace, pod.metadata.name);
    this.timing.delete(`${namespace}/${name}`);
    this.settled.delete(`${namespace}/${name}`);
  }

  /** A pod deleted through the API: terminates as its owner's pods do. */
  deletePod(namespace: string, name: string): void {
    const owner = this.owner.get(`${namespace}/${name}`);
    const timing = (owner && this.timing.get(owner)) || this.defaults;
    this.terminatePod(namespace, name, timing.terminationDelayMs);
    if (owner) {
      const [ns, deployment] = splitKey(owner);
      this.reconcileDeployment(ns, deployment);
    }
  }

  private removePod(namespace: string, name: string): void {
    this.timers.delete(`${namespace}/${name}`);
    const pod = this.store.get(PODS, namespace, name);
    if (!pod) return;
    this.store.remove(PODS, namespace, name);
    this.emit({ type: "pod-deleted", namespace, name, labels: pod.metadata.labels ?? {} });
    this.refreshOwner(namespace, name);
    this.owner.delete(`${namespace}/${name}`);
  }

  private refreshOwner(namespace: string, pod: string): void {
    const owner = this.owner.get(`${namespace}/${pod}`);
    if (owner) {
      const [ns, name] = splitKey(owner);
      this.refreshDeployment(ns, name);
    }
  }

  /** Writes a deployment's status from its pods, and tells when it has settled on its spec. */
  refreshDeployment(namespace: string, name: string): void {
    const deployment = this.store.get(DEPLOYMENTS, namespace, name);
    if (!deployment) return;
    const pods = this.podsOf(namespace, name);
    const live = pods.filter((p) => !p.metadata.deletionTimestamp);
    const ready = live.filter(isReady).length;
    const desired: number = deployment.spec?.replicas ?? 1;
    const status = omitZeros({
      observedGeneration: deployment.metadata.generation ?? 1,
      replicas: live.length,
      updatedReplicas: live.length,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: Math.max(0, desired - ready),
    });
    this.store.update(DEPLOYMENTS, namespace, name, (d) => ({ ...d, status }), { system: true });
    const key = `${namespace}/${name}`;
    const settled = live.length === desired && ready === desired && pods.length === live.length;
    if (settled && this.settled.get(key) === false)
      this.emit({ type: "deployment-settled", namespace, name, replicas: desired });
    this.settled.set(key, settled);
  }

  private suffix(): string {
    this.sequence += 1;
    return (this.sequence * 7919).toString(36).padStart(5, "x").slice(-5);
  }
}

/** A pod's status: its phase and its Ready condition. */
export function podStatus(phase: string, ready: boolean): KubeObject["status"] {
  return {
    phase,
    conditions: [
      { type: "PodScheduled", status: "True" },
      { type: "ContainersReady", status: ready ? "True" : "False" },
      { type: "Ready", status: ready ? "True" : "False" },
    ],
  };
}

/** Whether a pod's Ready condition is True. */
export function isReady(pod: KubeObject): boolean {
  // biome-ignore lint/suspicious/noExplicitAny: pod conditions as JSON
  return (pod.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
}

function omitZeros(status: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== 0));
}

function templateHash(name: string): string {
  let h = 2166136261;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h.toString(36).padStart(9, "7").slice(-9);
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}
