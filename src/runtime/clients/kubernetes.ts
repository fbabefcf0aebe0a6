/**
 * What the runtime does with a site's Kubernetes cluster, over @kubernetes/client-node (see
 * kubernetes-adapter.ts): scale deployments, delete jobs, annotate objects, watch pods and deployments
 * become ready, and hold Leases (the one-run-per-site lock is built on them).
 *
 * Every method fails with a KubeApiError (a StepFailure): "the Kubernetes API at <server> (context <c>)
 * refused to <action>: <the server's message>", transient for an unreachable server, a timeout, 429 and
 * 5xx (so `pollUntil` tries again), and a KubeConflictError for 409. An abort of `options.signal` rejects
 * with the signal's reason.
 */

export { createKubeClient, type KubeClientOptions, kubeClientForSite } from "./kubernetes-adapter.js";
export { KubeApiError, KubeConfigError, KubeConflictError } from "./kubernetes-errors.js";

/** Per call: a signal that abandons the request (the step's). */
export interface KubeCallOptions {
  readonly signal?: AbortSignal;
}

/** A namespaced object of any resource: its API group ("" for the core group), version and plural. */
export interface KubeObjectRef {
  /** `kafka.strimzi.io`, `apps`, or "" for the core group (pods, configmaps). */
  readonly group: string;
  readonly version: string;
  /** `kafkas`, `deployments`, `configmaps`. */
  readonly plural: string;
  readonly namespace: string;
  readonly name: string;
}

/** A deployment's replicas, as its spec and status say. */
export interface DeploymentReplicas {
  readonly namespace: string;
  readonly name: string;
  /** spec.replicas: how many it should run. */
  readonly desired: number;
  /** status.replicas: pods that exist and are not terminating. */
  readonly current: number;
  /** status.readyReplicas. */
  readonly ready: number;
  /** Whether the status describes the latest spec (status.observedGeneration >= metadata.generation). */
  readonly observed: boolean;
  /** Its pods' selector (from spec.selector) as text, or undefined when it has none. */
  readonly podSelector: string | undefined;
}

/** What a scale changed. */
export interface ScaleChange {
  readonly namespace: string;
  readonly name: string;
  /** spec.replicas before. */
  readonly from: number;
  /** spec.replicas after, as the server answered. */
  readonly to: number;
}

export interface JobSummary {
  readonly namespace: string;
  readonly name: string;
  readonly active: number;
  readonly succeeded: number;
  readonly failed: number;
}

export interface PodReadiness {
  readonly namespace: string;
  readonly name: string;
  /** status.phase: Pending, Running, Succeeded, Failed, Unknown. */
  readonly phase: string;
  /** Whether its Ready condition is True. */
  readonly ready: boolean;
  /** Whether it is being deleted (metadata.deletionTimestamp is set). */
  readonly terminating: boolean;
}

/**
 * A `coordination.k8s.io/v1` Lease as the lock uses it. `holderIdentity` names who holds it,
 * `acquireTime` when they took it, `renewTime` when they last said they still hold it, and
 * `leaseDurationSeconds` how long after `renewTime` it is held without renewal; annotations record the
 * rest (who, on which machine, which plan). Times are kept to the microsecond on the server and to the
 * millisecond here.
 */
export interface LeaseSpec {
  readonly namespace: string;
  readonly name: string;
  readonly holderIdentity: string;
  readonly acquireTime: Date;
  readonly renewTime: Date;
  readonly leaseDurationSeconds: number;
  /** How many times the lease changed holders. */
  readonly leaseTransitions?: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
}

/** A Lease as read from the server: fields may be missing on a lease someone else wrote. */
export interface Lease {
  readonly namespace: string;
  readonly name: string;
  readonly holderIdentity: string | undefined;
  readonly acquireTime: Date | undefined;
  readonly renewTime: Date | undefined;
  readonly leaseDurationSeconds: number | undefined;
  readonly leaseTransitions: number | undefined;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  /** The version to give `replaceLease` and `deleteLease`, so that a concurrent change is a conflict. */
  readonly resourceVersion: string;
}

/** The runtime's view of one Kubernetes context. Create it with `createKubeClient` or `kubeClientForSite`. */
export interface KubeClient {
  /** The kubeconfig context it talks to. */
  readonly context: string;
  /** The API server's URL, from the context's cluster. */
  readonly server: string;

  /** Whether a namespace exists; undefined when the user may not read namespaces (403). */
  namespaceExists(namespace: string, options?: KubeCallOptions): Promise<boolean | undefined>;

  /** The deployments of a namespace that match a label selector (all when none), sorted by name. */
  listDeployments(
    namespace: string,
    selector?: string,
    options?: KubeCallOptions,
  ): Promise<DeploymentReplicas[]>;

  /**
   * Sets spec.replicas of every deployment of a namespace that matches the selector (all when none),
   * one `PATCH .../deployments/<name>/scale` merge patch each, in name order. Returns what changed, in
   * that order, and [] when nothing matched. Stops at the first refusal (those before it are scaled).
   */
  scaleDeployments(
    namespace: string,
    selector: string | undefined,
    replicas: number,
    options?: KubeCallOptions,
  ): Promise<ScaleChange[]>;

  /** The jobs of a namespace that match a selector (all when none), sorted by name. */
  listJobs(namespace: string, selector?: string, options?: KubeCallOptions): Promise<JobSummary[]>;

  /**
   * Deletes the jobs of a namespace that match a selector, or all of them when there is none, with one
   * deletecollection and propagationPolicy Background, so that their pods go too.
   */
  deleteJobs(namespace: string, selector?: string, options?: KubeCallOptions): Promise<void>;

  /** The pods of a namespace that match a selector (all when none), sorted by name. */
  listPods(namespace: string, selector?: string, options?: KubeCallOptions): Promise<PodReadiness[]>;

  /** One annotation of an object; undefined when it has none by that key. 404 when the object is not there. */
  getAnnotation(ref: KubeObjectRef, key: string, options?: KubeCallOptions): Promise<string | undefined>;

  /**
   * Sets an annotation (or removes it, for null) with a merge patch of metadata.annotations. Returns the
   * annotation's value in the server's answer (undefined when removed).
   */
  setAnnotation(
    ref: KubeObjectRef,
    key: string,
    value: string | null,
    options?: KubeCallOptions,
  ): Promise<string | undefined>;

  /** A lease; undefined when there is none. */
  getLease(namespace: string, name: string, options?: KubeCallOptions): Promise<Lease | undefined>;

  /** Creates a lease; KubeConflictError (reason AlreadyExists) when one by that name exists. */
  createLease(lease: LeaseSpec, options?: KubeCallOptions): Promise<Lease>;

  /**
   * Replaces a lease (to renew it or take it over), only if it is still at `resourceVersion`:
   * KubeConflictError (reason Conflict) when someone changed it since, 404 when it is gone.
   */
  replaceLease(
    lease: LeaseSpec & { readonly resourceVersion: string },
    options?: KubeCallOptions,
  ): Promise<Lease>;

  /**
   * Deletes a lease, only if it is still at `resourceVersion` when one is given (KubeConflictError
   * otherwise). Returns false when there was none.
   */
  deleteLease(
    namespace: string,
    name: string,
    resourceVersion?: string,
    options?: KubeCallOptions,
  ): Promise<boolean>;
}
