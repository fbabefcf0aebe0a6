import { alreadyExists, conflict, notFound, STALE_OBJECT, type Subject } from "./kube-status.js";
import { matchesSelector, type Requirement } from "./label-selector.js";

/**
 * The object store of the Kubernetes double: typed resources, objects as the API serves them (JSON),
 * a resourceVersion bumped on every write, uids and creation timestamps. It knows nothing of what the
 * objects mean (that is kube-cluster.ts); it answers misuse with the errors of kube-status.ts.
 */

/** A kind of resource the double serves. */
export interface ResourceType {
  /** The API group, "" for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** A custom resource (CRD): the server refuses strategic merge patches for it. */
  readonly custom: boolean;
}

/** The metadata the double keeps; the rest of an object is free JSON. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  [key: string]: unknown;
}

/** An object as the API serves it. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  // biome-ignore lint/suspicious/noExplicitAny: free JSON, as the API serves it
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: free JSON, as the API serves it
  status?: any;
  [key: string]: unknown;
}

/** The resources every double serves. */
export const BUILTIN_TYPES: readonly ResourceType[] = [
  { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false, custom: false },
  { group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true, custom: false },
  { group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true, custom: false },
  {
    group: "apps",
    version: "v1",
    plural: "deployments",
    kind: "Deployment",
    namespaced: true,
    custom: false,
  },
  { group: "batch", version: "v1", plural: "jobs", kind: "Job", namespaced: true, custom: false },
  {
    group: "coordination.k8s.io",
    version: "v1",
    plural: "leases",
    kind: "Lease",
    namespaced: true,
    custom: false,
  },
];

export const NAMESPACES = BUILTIN_TYPES[0]!;
export const PODS = BUILTIN_TYPES[1]!;
export const DEPLOYMENTS = BUILTIN_TYPES[3]!;
export const JOBS = BUILTIN_TYPES[4]!;
export const LEASES = BUILTIN_TYPES[5]!;

/** `apps/v1`, `v1`. */
export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** What error messages call an object of a type: `deployments.apps "name"`. */
export function subjectOf(t: ResourceType, name?: string): Subject {
  return {
    resource: t.group ? `${t.plural}.${t.group}` : t.plural,
    group: t.group,
    plural: t.plural,
    ...(name !== undefined ? { name } : {}),
  };
}

/** RFC 3339 to the second, as `metav1.Time` is written. */
export function kubeTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** How an update is made. */
export interface UpdateOptions {
  /** The resourceVersion the writer read; a different one is a 409 Conflict. */
  readonly expectedVersion?: string;
  /** A write of the double itself (a controller), which may set deletionTimestamp. */
  readonly system?: boolean;
  /** Keeps the status as it was: a client's write to a resource whose status is a subresource. */
  readonly keepStatus?: boolean;
}

export class ObjectStore {
  private readonly types = new Map<string, ResourceType>();
  private readonly items = new Map<string, Map<string, KubeObject>>();
  private revision = 0;
  private uids = 0;

  constructor(private readonly now: () => number) {
    for (const t of BUILTIN_TYPES) this.define(t);
  }

  /** Adds a resource type; defining the same group and plural again replaces it. */
  define(type: ResourceType): ResourceType {
    this.types.set(`${type.group}/${type.plural}`, type);
    if (!this.items.has(`${type.group}/${type.plural}`))
      this.items.set(`${type.group}/${type.plural}`, new Map());
    return type;
  }

  /** The type served at group/version/plural, or undefined (the server answers 404). */
  type(group: string, version: string, plural: string): ResourceType | undefined {
    const t = this.types.get(`${group}/${plural}`);
    return t && t.version === version ? t : undefined;
  }

  allTypes(): ResourceType[] {
    return [...this.types.values()];
  }

  /** The current resourceVersion of the whole store, as lists report it. */
  resourceVersion(): string {
    return String(this.revision);
  }

  /** A copy of an object, or undefined. */
  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.bucket(type).get(keyOf(type, namespace, name));
    return found ? structuredClone(found) : undefined;
  }

  /** A copy of an object; 404 when it is not there. */
  mustGet(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.get(type, namespace, name);
    if (!found) throw notFound(subjectOf(type, name));
    return found;
  }

  /** Copies of the objects of a type, in a namespace (or all), matching a selector, sorted as etcd sorts them. */
  list(
    type: ResourceType,
    namespace: string | undefined,
    selector: readonly Requirement[] = [],
  ): KubeObject[] {
    return [...this.bucket(type).entries()]
      .filter(([, o]) => namespace === undefined || !type.namespaced || o.metadata.namespace === namespace)
      .filter(([, o]) => matchesSelector(o.metadata.labels, selector))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o));
  }

  /**
   * The stored objects of a type, unsorted and not copied: for a reader that only looks (a simulated
   * site's snapshot of thousands of objects, many times a second). Changing them changes the store.
   */
  peek(type: ResourceType): readonly KubeObject[] {
    return [...this.bucket(type).values()];
  }

  /**
   * Stores a new object, filling the server's fields (uid, resourceVersion, creationTimestamp, apiVersion,
   * kind, namespace). 404 when its namespace does not exist, 409 AlreadyExists when it is there.
   */
  create(type: ResourceType, namespace: string | undefined, object: KubeObject): KubeObject {
    const name = object.metadata.name;
    if (type.namespaced && !this.bucket(NAMESPACES).has(keyOf(NAMESPACES, undefined, namespace ?? ""))) {
      throw notFound(subjectOf(NAMESPACES, namespace ?? ""));
    }
    const key = keyOf(type, namespace, name);
    if (this.bucket(type).has(key)) throw alreadyExists(subjectOf(type, name));
    const stored: KubeObject = {
      ...structuredClone(object),
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      metadata: {
        ...structuredClone(object.metadata),
        ...(type.namespaced ? { namespace } : {}),
        uid: this.nextUid(),
        resourceVersion: this.bump(),
        creationTimestamp: kubeTime(this.now()),
      },
    };
    if (stored.metadata.namespace === undefined) delete stored.metadata.namespace;
    this.bucket(type).set(key, stored);
    return structuredClone(stored);
  }

  /**
   * Changes an object through `change`, which gets a copy and returns the new object. The server's fields
   * (uid, creationTimestamp, and for a client's write also deletionTimestamp and, with `keepStatus`, the
   * status) are kept; the resourceVersion is bumped only when something changed, and `generation` when the
   * spec did. When `expectedVersion` is given and stale, 409 Conflict. Returns the object before and after.
   */
  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    change: (current: KubeObject) => KubeObject,
    options: UpdateOptions = {},
  ): { before: KubeObject; after: KubeObject } {
    const key = keyOf(type, namespace, name);
    const current = this.bucket(type).get(key);
    if (!current) throw notFound(subjectOf(type, name));
    if (
      options.expectedVersion !== undefined &&
      options.expectedVersion !== current.metadata.resourceVersion
    ) {
      throw conflict(subjectOf(type, name), STALE_OBJECT);
    }
    const before = structuredClone(current);
    const next = change(structuredClone(current));
    const kept = ["name", "namespace", "uid", "resourceVersion", "creationTimestamp", "generation"];
    if (!options.system) kept.push("deletionTimestamp");
    const metadata: ObjectMeta = { ...next.metadata, name };
    for (const k of kept) {
      if (before.metadata[k] === undefined) delete metadata[k];
      else metadata[k] = before.metadata[k];
    }
    const after: KubeObject = { ...next, apiVersion: before.apiVersion, kind: before.kind, metadata };
    if (options.keepStatus) {
      if (before.status === undefined) delete after.status;
      else after.status = before.status;
    }
    if (JSON.stringify(after) === JSON.stringify(before)) return { before, after: structuredClone(before) };
    if (
      before.metadata.generation !== undefined &&
      JSON.stringify(after.spec) !== JSON.stringify(before.spec)
    ) {
      after.metadata.generation = before.metadata.generation + 1;
    }
    after.metadata.resourceVersion = this.bump();
    this.bucket(type).set(key, after);
    return { before, after: structuredClone(after) };
  }

  /** Removes an object and returns it; 404 when it is not there. */
  remove(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const key = keyOf(type, namespace, name);
    const current = this.bucket(type).get(key);
    if (!current) throw notFound(subjectOf(type, name));
    this.bucket(type).delete(key);
    this.bump();
    return current;
  }

  private bucket(type: ResourceType): Map<string, KubeObject> {
    const b = this.items.get(`${type.group}/${type.plural}`);
    if (!b) throw new Error(`internal: resource type ${type.plural}.${type.group} is not defined`);
    return b;
  }

  private bump(): string {
    this.revision += 1;
    return String(this.revision);
  }

  private nextUid(): string {
    this.uids += 1;
    return `00000000-0000-4000-8000-${this.uids.toString(16).padStart(12, "0")}`;
  }
}

function keyOf(type: ResourceType, namespace: string | undefined, name: string): string {
  return type.namespaced ? `${namespace}/${name}` : name;
}
