import type { Clock } from "../executor.js";
import type { KubeEvent, KubeEventListener } from "./kube-events.js";
import {
  apiVersionOf,
  DEPLOYMENTS,
  JOBS,
  type KubeObject,
  LEASES,
  ObjectStore,
  PODS,
  type ResourceType,
  subjectOf,
} from "./kube-objects.js";
import { badRequest, conflict, invalid, invalidField, STALE_OBJECT } from "./kube-status.js";
import { Workloads } from "./kube-workloads.js";
import type { Requirement } from "./label-selector.js";

/**
 * What a simulated Kubernetes cluster does when the API is called (`api*`, for the HTTP layer): validate
 * as the real server does, store, run the controllers, and tell the listeners. kube-cluster.ts adds the
 * typed API that seeds and reads it.
 */

export interface KubeClusterOptions {
  /** Default: the wall clock. */
  readonly clock?: Pick<Clock, "now">;
  /** How long new pods take to become Ready (default 0: at once). */
  readonly readyDelayMs?: number;
  /** How long deleted pods take to go away (default 0: at once). */
  readonly terminationDelayMs?: number;
}

/** A MicroTime as the real server parses it (Go layout 2006-01-02T15:04:05.000000Z07:00). */
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

/**
 * The API's semantics over the cluster's state. Each `api*` method does what the real server does for one
 * verb and throws a KubeHttpError (a Status) where the real server answers an error.
 */
export class KubeClusterApi {
  readonly store: ObjectStore;
  protected readonly workloads: Workloads;
  protected readonly clock: Pick<Clock, "now">;
  private readonly listeners = new Set<KubeEventListener>();

  constructor(options: KubeClusterOptions = {}) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.store = new ObjectStore(() => this.clock.now());
    this.workloads = new Workloads(
      this.store,
      () => this.clock.now(),
      { readyDelayMs: options.readyDelayMs ?? 0, terminationDelayMs: options.terminationDelayMs ?? 0 },
      (e) => this.emit(e),
    );
  }

  /** Calls `listener` on every event; returns the function that stops it. */
  on(listener: KubeEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies what is due on the clock (pods Ready, pods gone). The server calls it before each request. */
  settle(): void {
    this.workloads.settle();
  }

  /** The type served at group/version/plural, or undefined. */
  typeOf(group: string, version: string, plural: string): ResourceType | undefined {
    return this.store.type(group, version, plural);
  }

  /** GET on a collection: copies of the matching objects, sorted; nothing for a namespace that is not there. */
  apiList(type: ResourceType, namespace: string | undefined, selector: readonly Requirement[]): KubeObject[] {
    return this.store.list(type, namespace, selector);
  }

  /** GET of one object; 404 when it is not there. */
  apiGet(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    return this.store.mustGet(type, namespace, name);
  }

  /** POST: validates the body as the real server does, stores it, tells the listeners. */
  apiCreate(type: ResourceType, namespace: string | undefined, body: unknown): KubeObject {
    const object = asObject(body, type);
    if (!object.metadata.name) {
      throw invalidField(
        kindGroup(type),
        subjectOf(type, ""),
        "metadata.name",
        "Required value: name or generateName is required",
      );
    }
    if (type === LEASES) validateLease(object);
    const generation = type === DEPLOYMENTS || type === JOBS || type.custom ? { generation: 1 } : {};
    const created = this.store.create(type, namespace, {
      ...object,
      metadata: { ...object.metadata, ...generation },
    });
    if (type === DEPLOYMENTS) this.workloads.reconcileDeployment(namespace!, created.metadata.name);
    this.announce(type, undefined, created);
    return this.store.mustGet(type, namespace, created.metadata.name);
  }

  /** PUT: replaces an object; a resourceVersion in the body that is not the current one is a 409. */
  apiReplace(type: ResourceType, namespace: string | undefined, name: string, body: unknown): KubeObject {
    const object = asObject(body, type);
    if (object.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    if (type === LEASES) validateLease(object);
    const { before, after } = this.store.update(type, namespace, name, () => object, {
      ...(object.metadata.resourceVersion !== undefined
        ? { expectedVersion: object.metadata.resourceVersion }
        : {}),
      keepStatus: hasStatusSubresource(type),
    });
    return this.afterWrite(type, before, after);
  }

  /** PATCH: `apply` turns the current object into the patched one (merge, JSON or strategic patch). */
  apiPatch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    apply: (current: KubeObject) => unknown,
  ): KubeObject {
    const { before, after } = this.store.update(
      type,
      namespace,
      name,
      (current) => {
        const patched = asObject(apply(current), type);
        // A resourceVersion in a patch is a precondition, as on the real server.
        if (patched.metadata.resourceVersion !== current.metadata.resourceVersion) {
          throw conflict(subjectOf(type, name), STALE_OBJECT);
        }
        return patched;
      },
      { keepStatus: hasStatusSubresource(type) },
    );
    return this.afterWrite(type, before, after);
  }

  /**
   * DELETE: removes an object; 409 when `preconditions` do not hold. A job's pods go with it unless the
   * policy is Orphan (the API's default for jobs); a deployment's pods go with it.
   */
  apiDelete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: { propagationPolicy?: string; preconditions?: { resourceVersion?: string; uid?: string } } = {},
  ): KubeObject {
    const current = this.store.mustGet(type, namespace, name);
    const pre = options.preconditions;
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        subjectOf(type, name),
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    if (pre?.uid !== undefined && pre.uid !== current.metadata.uid) {
      throw conflict(
        subjectOf(type, name),
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (type === PODS) {
      this.workloads.deletePod(namespace!, name);
      return current;
    }
    this.store.remove(type, namespace, name);
    if (type === JOBS) {
      const policy = options.propagationPolicy ?? "Orphan";
      const pods = this.workloads.releaseJobPods(current, policy);
      const labels = current.metadata.labels ?? {};
      this.emit({
        type: "job-deleted",
        namespace: namespace!,
        name,
        labels,
        propagationPolicy: policy,
        pods,
      });
    }
    if (type === DEPLOYMENTS && options.propagationPolicy !== "Orphan")
      this.workloads.releaseDeploymentPods(namespace!, name);
    if (type === DEPLOYMENTS) this.emit({ type: "deployment-deleted", namespace: namespace!, name });
    if (type === LEASES) this.emitLease(current, "deleted");
    return current;
  }

  /** DELETE on a collection: deletes every match, one by one, and returns them. */
  apiDeleteCollection(
    type: ResourceType,
    namespace: string | undefined,
    selector: readonly Requirement[],
    propagationPolicy?: string,
  ): KubeObject[] {
    const matches = this.store.list(type, namespace, selector);
    for (const o of matches) {
      this.apiDelete(
        type,
        namespace,
        o.metadata.name,
        propagationPolicy !== undefined ? { propagationPolicy } : {},
      );
    }
    return matches;
  }

  /** GET deployments/<name>/scale. */
  apiGetScale(namespace: string, name: string): KubeObject {
    return scaleOf(this.store.mustGet(DEPLOYMENTS, namespace, name));
  }

  /** PATCH deployments/<name>/scale: `apply` patches the Scale; 422 for replicas that are not a count. */
  apiPatchScale(namespace: string, name: string, apply: (scale: KubeObject) => unknown): KubeObject {
    const current = this.store.mustGet(DEPLOYMENTS, namespace, name);
    const patched = asObject(apply(scaleOf(current)), DEPLOYMENTS, "autoscaling/v1");
    const replicas = patched.spec?.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid(
        "Scale.autoscaling",
        subjectOf(DEPLOYMENTS, name),
        "spec.replicas",
        replicas,
        "must be greater than or equal to 0",
      );
    }
    if (patched.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(subjectOf(DEPLOYMENTS, name), STALE_OBJECT);
    }
    const { before, after } = this.store.update(
      DEPLOYMENTS,
      namespace,
      name,
      (d) => ({ ...d, spec: { ...d.spec, replicas } }),
      {
        keepStatus: true,
      },
    );
    this.afterWrite(DEPLOYMENTS, before, after);
    return this.apiGetScale(namespace, name);
  }

  private afterWrite(type: ResourceType, before: KubeObject, after: KubeObject): KubeObject {
    const { namespace, name } = after.metadata;
    if (type === DEPLOYMENTS && before.spec?.replicas !== after.spec?.replicas) {
      const from = before.spec?.replicas ?? 1;
      const to = after.spec?.replicas ?? 1;
      this.emit({ type: "deployment-scaled", namespace: namespace!, name, from, to });
      this.workloads.reconcileDeployment(namespace!, name);
    }
    this.announce(type, before, after);
    return this.store.mustGet(type, namespace, name);
  }

  private announce(type: ResourceType, before: KubeObject | undefined, after: KubeObject): void {
    const was = before?.metadata.annotations ?? {};
    const now = after.metadata.annotations ?? {};
    for (const key of [...new Set([...Object.keys(was), ...Object.keys(now)])].sort()) {
      if (was[key] === now[key]) continue;
      const { group, version, plural } = type;
      const { namespace, name } = after.metadata;
      this.emit({
        type: "annotation-changed",
        group,
        version,
        plural,
        namespace,
        name,
        key,
        value: now[key] ?? null,
      });
    }
    if (type === LEASES && before?.metadata.resourceVersion !== after.metadata.resourceVersion) {
      this.emitLease(after, before ? "replaced" : "created");
    }
  }

  private emitLease(lease: KubeObject, change: "created" | "replaced" | "deleted"): void {
    const { namespace, name } = lease.metadata;
    this.emit({
      type: "lease-changed",
      namespace: namespace!,
      name,
      change,
      holderIdentity: lease.spec?.holderIdentity,
    });
  }

  protected emit(event: KubeEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function scaleOf(d: KubeObject): KubeObject {
  const matchLabels: Record<string, string> = d.spec?.selector?.matchLabels ?? {};
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: d.metadata.name,
      namespace: d.metadata.namespace,
      uid: d.metadata.uid,
      resourceVersion: d.metadata.resourceVersion,
      creationTimestamp: d.metadata.creationTimestamp,
    },
    spec: { replicas: d.spec?.replicas ?? 1 },
    status: {
      replicas: d.status?.replicas ?? 0,
      selector: Object.entries(matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    },
  };
}

function kindGroup(type: ResourceType): string {
  return type.group ? `${type.kind}.${type.group}` : type.kind;
}

function hasStatusSubresource(type: ResourceType): boolean {
  return type === DEPLOYMENTS || type === JOBS || type === PODS;
}

/** The body as an object of the type; 400 when it is not an object or names another API version. */
function asObject(body: unknown, type: ResourceType, apiVersion = apiVersionOf(type)): KubeObject {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw badRequest(`the body is not a ${type.kind} object`);
  }
  const object = body as KubeObject;
  if (object.apiVersion !== undefined && object.apiVersion !== apiVersion) {
    throw badRequest(
      `the API version in the data (${object.apiVersion}) does not match the expected API version (${apiVersion})`,
    );
  }
  if (object.metadata === undefined || object.metadata === null || typeof object.metadata !== "object") {
    return { ...object, metadata: { name: "" } };
  }
  return object;
}

function validateLease(lease: KubeObject): void {
  for (const field of ["acquireTime", "renewTime"]) {
    const value = lease.spec?.[field];
    if (value !== undefined && value !== null && (typeof value !== "string" || !MICRO_TIME.test(value))) {
      throw badRequest(
        `Lease in version "v1" cannot be handled as a Lease: v1.Lease.Spec: v1.LeaseSpec.${field[0]!.toUpperCase()}${field.slice(1)}: ` +
          `parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse`,
      );
    }
  }
  const duration = lease.spec?.leaseDurationSeconds;
  if (duration !== undefined && (!Number.isInteger(duration) || duration <= 0)) {
    throw invalid(
      "Lease.coordination.k8s.io",
      subjectOf(LEASES, lease.metadata.name),
      "spec.leaseDurationSeconds",
      duration,
      "must be greater than 0",
    );
  }
}
