import { KubeClusterApi, type KubeClusterOptions } from "./kube-cluster-api.js";
import {
  DEPLOYMENTS,
  JOBS,
  type KubeObject,
  kubeTime,
  NAMESPACES,
  PODS,
  type ResourceType,
} from "./kube-objects.js";
import { isReady } from "./kube-workloads.js";
import { matchesSelector, parseSelector } from "./label-selector.js";

export type { KubeClusterOptions } from "./kube-cluster-api.js";

/** A deployment to seed: its pods are Ready at once; later scales take the delays. */
export interface DeploymentSeed {
  readonly namespace: string;
  readonly name: string;
  /** The deployment's labels, which `kubectl scale -l` and the runtime select on. */
  readonly labels?: Record<string, string>;
  /** The labels of its pods (spec.selector.matchLabels); default: its labels, or `app: <name>`. */
  readonly podLabels?: Record<string, string>;
  readonly replicas: number;
  readonly readyDelayMs?: number;
  readonly terminationDelayMs?: number;
}

/** A pod to seed, on its own (no owner). */
export interface PodSeed {
  readonly namespace: string;
  readonly name: string;
  readonly labels?: Record<string, string>;
  /** Default true. */
  readonly ready?: boolean;
  /** Ready after this many ms of the clock (overrides `ready`). */
  readonly readyAfterMs?: number;
}

/** A running job to seed, with the pods it owns. */
export interface JobSeed {
  readonly namespace: string;
  readonly name: string;
  /** The job's labels, copied to its pods (as a chart that labels both does). */
  readonly labels?: Record<string, string>;
  /** How many running pods it owns (default 1). */
  readonly pods?: number;
}

/** Any object to seed: a custom resource (a Strimzi Kafka), a configmap. */
export interface ObjectSeed {
  readonly namespace?: string;
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly spec?: unknown;
  readonly status?: unknown;
}

/** A resource by API group ("" for core), version and plural. */
export interface ResourceRef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

/** What the runtime sees of a deployment. */
export interface DeploymentView {
  readonly replicas: number;
  readonly statusReplicas: number;
  readonly readyReplicas: number;
  /** Its pods, including terminating ones. */
  readonly pods: readonly string[];
}

/**
 * The state of a simulated Kubernetes cluster, with a typed API to seed it and read it (for tests and a
 * simulated site), over the semantics the API server double serves (kube-cluster-api.ts). Time is the
 * injected clock's: pods become Ready and go away after delays read off it, when `settle()` runs. Seeding
 * a name that exists throws the API's AlreadyExists error; reading one that does not gives undefined.
 */
export class KubeCluster extends KubeClusterApi {
  constructor(options: KubeClusterOptions = {}) {
    super(options);
  }

  // Seeding ----------------------------------------------------------------------------------------------

  /** Creates a namespace; does nothing when it exists. */
  addNamespace(name: string, labels?: Record<string, string>): void {
    if (this.store.get(NAMESPACES, undefined, name)) return;
    this.store.create(NAMESPACES, undefined, {
      metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...labels } },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    });
  }

  /** Creates a deployment (and its namespace) with its pods already Ready. */
  addDeployment(seed: DeploymentSeed): void {
    this.addNamespace(seed.namespace);
    const labels = seed.labels ?? { app: seed.name };
    const podLabels = seed.podLabels ?? labels;
    this.workloads.setTiming(seed.namespace, seed.name, {
      ...(seed.readyDelayMs !== undefined ? { readyDelayMs: seed.readyDelayMs } : {}),
      ...(seed.terminationDelayMs !== undefined ? { terminationDelayMs: seed.terminationDelayMs } : {}),
    });
    this.store.create(DEPLOYMENTS, seed.namespace, {
      metadata: { name: seed.name, labels: { ...labels }, generation: 1 },
      spec: {
        replicas: seed.replicas,
        selector: { matchLabels: { ...podLabels } },
        template: {
          metadata: { labels: { ...podLabels } },
          spec: { containers: [{ name: "main", image: "simulated" }] },
        },
      },
      status: {},
    });
    this.workloads.reconcileDeployment(seed.namespace, seed.name, true);
  }

  /** Creates a pod (and its namespace), Ready unless told otherwise. */
  addPod(seed: PodSeed): void {
    this.addNamespace(seed.namespace);
    const delay = seed.readyAfterMs ?? (seed.ready === false ? -1 : 0);
    this.workloads.createPod(seed.namespace, seed.name, seed.labels ?? {}, delay);
  }

  /** Creates a running job (and its namespace) that owns `pods` running pods. */
  addJob(seed: JobSeed): void {
    this.addNamespace(seed.namespace);
    const labels = seed.labels ?? {};
    const job = this.store.create(JOBS, seed.namespace, {
      metadata: { name: seed.name, labels: { ...labels }, generation: 1 },
      spec: { backoffLimit: 6, completions: 1, parallelism: 1 },
      status: { active: seed.pods ?? 1, startTime: kubeTime(this.clock.now()) },
    });
    const uid = job.metadata.uid!;
    const podLabels = {
      ...labels,
      "batch.kubernetes.io/controller-uid": uid,
      "batch.kubernetes.io/job-name": seed.name,
    };
    this.store.update(
      JOBS,
      seed.namespace,
      seed.name,
      (j) => ({
        ...j,
        spec: { ...j.spec, selector: { matchLabels: { "batch.kubernetes.io/controller-uid": uid } } },
      }),
      { system: true },
    );
    const owner = { apiVersion: "batch/v1", kind: "Job", name: seed.name, uid, controller: true };
    for (let i = 0; i < (seed.pods ?? 1); i++) {
      const name = `${seed.name}-${String.fromCharCode(97 + (i % 26))}${i.toString(36).padStart(4, "q")}`;
      this.workloads.createPod(seed.namespace, name, { ...podLabels, "job-name": seed.name }, 0, {
        metadata: { name, ownerReferences: [owner] },
      });
    }
  }

  /** Serves a custom resource type (a CRD); returns it. Namespaced unless told otherwise. */
  defineResource(type: ResourceRef & { kind: string; namespaced?: boolean }): ResourceType {
    return this.store.define({ ...type, namespaced: type.namespaced ?? true, custom: true });
  }

  /** Creates an object of a served type (and its namespace); for custom resources, define them first. */
  addObject(ref: ResourceRef, seed: ObjectSeed): KubeObject {
    const type = this.mustType(ref);
    if (seed.namespace !== undefined) this.addNamespace(seed.namespace);
    return this.store.create(type, seed.namespace, {
      metadata: {
        name: seed.name,
        ...(seed.labels ? { labels: { ...seed.labels } } : {}),
        ...(seed.annotations ? { annotations: { ...seed.annotations } } : {}),
        ...(type.custom ? { generation: 1 } : {}),
      },
      ...(seed.spec !== undefined ? { spec: structuredClone(seed.spec) } : {}),
      ...(seed.status !== undefined ? { status: structuredClone(seed.status) } : {}),
    });
  }

  /** Marks a pod Ready or not, now. */
  setPodReady(namespace: string, name: string, ready: boolean): void {
    this.workloads.setPodReady(namespace, name, ready);
  }

  // Reading ----------------------------------------------------------------------------------------------

  /** A copy of any object, or undefined. */
  object(ref: ResourceRef, namespace: string | undefined, name: string): KubeObject | undefined {
    this.settle();
    return this.store.get(this.mustType(ref), namespace, name);
  }

  /** A deployment's desired, current and ready replicas and its pods; undefined when there is none. */
  deployment(namespace: string, name: string): DeploymentView | undefined {
    this.settle();
    const d = this.store.get(DEPLOYMENTS, namespace, name);
    if (!d) return undefined;
    return {
      replicas: d.spec?.replicas ?? 1,
      statusReplicas: d.status?.replicas ?? 0,
      readyReplicas: d.status?.readyReplicas ?? 0,
      pods: this.workloads.podsOf(namespace, name).map((p) => p.metadata.name),
    };
  }

  /** The pods of a namespace that match a selector (text, as kubectl takes it), with their readiness. */
  pods(namespace: string, selector = ""): { name: string; ready: boolean; terminating: boolean }[] {
    this.settle();
    return this.store.list(PODS, namespace, parseSelector(selector)).map((p) => ({
      name: p.metadata.name,
      ready: isReady(p),
      terminating: p.metadata.deletionTimestamp !== undefined,
    }));
  }

  /** The names of the jobs of a namespace. */
  jobs(namespace: string): string[] {
    return this.store.list(JOBS, namespace).map((j) => j.metadata.name);
  }

  /** One annotation of an object; undefined when the object or the annotation is not there. */
  annotation(ref: ResourceRef, namespace: string | undefined, name: string, key: string): string | undefined {
    return this.object(ref, namespace, name)?.metadata.annotations?.[key];
  }

  private mustType(ref: ResourceRef): ResourceType {
    const type = this.store.type(ref.group, ref.version, ref.plural);
    if (!type)
      throw new Error(
        `the double serves no ${ref.plural} in ${ref.group || "core"}/${ref.version}; define it first`,
      );
    return type;
  }
}

/** Whether labels match a selector given as text; for site models that select as kubectl does. */
export function labelsMatch(labels: Record<string, string> | undefined, selector: string): boolean {
  return matchesSelector(labels, parseSelector(selector));
}
