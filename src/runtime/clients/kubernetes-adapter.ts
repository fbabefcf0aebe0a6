import { homedir } from "node:os";
import { join } from "node:path";
import {
  AppsV1Api,
  BatchV1Api,
  type ConfigurationOptions,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  type ObservableMiddleware,
  PatchStrategy,
  type RequestContext,
  type ResponseContext,
} from "@kubernetes/client-node";
import type { PlanSite } from "../../ir/schema.js";
import type {
  DeploymentReplicas,
  JobSummary,
  KubeCallOptions,
  KubeClient,
  KubeObjectRef,
  Lease,
  LeaseSpec,
  PodReadiness,
  ScaleChange,
} from "./kubernetes.js";
import {
  annotationsOf,
  byName,
  describeRef,
  labelSelector,
  leaseOf,
  matching,
  refParams,
  replicasOf,
  v1Lease,
} from "./kubernetes-convert.js";
import { KubeApiError, KubeConfigError, toKubeError } from "./kubernetes-errors.js";

/** How to reach a cluster: a kubeconfig file and a context in it. */
export interface KubeClientOptions {
  /** The context, as the site's `kubernetes.context` names it. */
  readonly context: string;
  /** The kubeconfig file; default `~/.kube/config`. A leading `~/` is the home directory. */
  readonly kubeconfig?: string;
  /** How long one request may take before it fails as a transient timeout (default 30 s). */
  readonly requestTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A KubeClient for one context of a kubeconfig file. Reads the file now; throws KubeConfigError when it
 * cannot be read, when the context is not in it (naming the contexts that are), or when the context's
 * cluster is missing. Talks to the server only when a method is called.
 */
export function createKubeClient(options: KubeClientOptions): KubeClient {
  const path = expandHome(options.kubeconfig ?? join("~", ".kube", "config"));
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message;
    throw new KubeConfigError(
      `cannot read the kubeconfig ${path}: ${why}`,
      "give the kubeconfig of the site's cluster (the site's `kubeconfig`, or --kubeconfig)",
    );
  }
  const names = kc.getContexts().map((c) => c.name);
  if (!names.includes(options.context)) {
    throw new KubeConfigError(
      `the context "${options.context}" is not in the kubeconfig ${path}; it has ${names.length ? names.map((n) => `"${n}"`).join(", ") : "no contexts"}`,
      "use one of those contexts for the site, or give the kubeconfig that has it",
    );
  }
  kc.setCurrentContext(options.context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    const named = kc.getContextObject(options.context)?.cluster;
    throw new KubeConfigError(
      `the context "${options.context}" names the cluster "${named}", which is not in the kubeconfig ${path}`,
      "fix the kubeconfig",
    );
  }
  return new ClientNodeKube(
    kc,
    options.context,
    cluster.server,
    options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
  );
}

/**
 * The KubeClient of a plan's site: its `kubernetes.context`, in `kubeconfig` when given, else the site's
 * `kubernetes.kubeconfig`, else `~/.kube/config`. KubeConfigError when the site has no Kubernetes.
 */
export function kubeClientForSite(
  site: PlanSite,
  options: { readonly kubeconfig?: string; readonly requestTimeoutMs?: number } = {},
): KubeClient {
  if (!site.kubernetes) {
    throw new KubeConfigError(
      `the site ${site.name} has no Kubernetes cluster`,
      "give the site a Kubernetes context in its site file",
    );
  }
  const kubeconfig = options.kubeconfig ?? site.kubernetes.kubeconfig;
  return createKubeClient({
    context: site.kubernetes.context,
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
}

interface RequestTweaks {
  readonly contentType?: string;
  /** Serve a core-group object through CustomObjectsApi: `/apis//v1/...` becomes `/api/v1/...`. */
  readonly coreGroup?: boolean;
}

class ClientNodeKube implements KubeClient {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly batch: BatchV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly coordination: CoordinationV1Api;

  constructor(
    kc: KubeConfig,
    readonly context: string,
    readonly server: string,
    private readonly timeoutMs: number,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.batch = kc.makeApiClient(BatchV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
  }

  async namespaceExists(namespace: string, options?: KubeCallOptions): Promise<boolean | undefined> {
    try {
      await this.call(`read the namespace ${namespace}`, options, (c) =>
        this.core.readNamespace({ name: namespace }, c),
      );
      return true;
    } catch (e) {
      if (e instanceof KubeApiError && e.code === 404) return false;
      if (e instanceof KubeApiError && e.code === 403) return undefined;
      throw e;
    }
  }

  async listDeployments(
    namespace: string,
    selector?: string,
    options?: KubeCallOptions,
  ): Promise<DeploymentReplicas[]> {
    const list = await this.call(
      `list the deployments in namespace ${namespace}${matching(selector)}`,
      options,
      (c) => this.apps.listNamespacedDeployment({ namespace, ...labelSelector(selector) }, c),
    );
    return list.items.map(replicasOf).sort(byName);
  }

  async scaleDeployments(
    namespace: string,
    selector: string | undefined,
    replicas: number,
    options?: KubeCallOptions,
  ): Promise<ScaleChange[]> {
    const changes: ScaleChange[] = [];
    for (const d of await this.listDeployments(namespace, selector, options)) {
      const scale = await this.call(
        `scale the deployment ${namespace}/${d.name} to ${replicas} replicas`,
        options,
        (c) =>
          this.apps.patchNamespacedDeploymentScale(
            { name: d.name, namespace, body: { spec: { replicas } } },
            c,
          ),
        { contentType: PatchStrategy.MergePatch },
      );
      changes.push({ namespace, name: d.name, from: d.desired, to: scale.spec?.replicas ?? replicas });
    }
    return changes;
  }

  async listJobs(namespace: string, selector?: string, options?: KubeCallOptions): Promise<JobSummary[]> {
    const list = await this.call(
      `list the jobs in namespace ${namespace}${matching(selector)}`,
      options,
      (c) => this.batch.listNamespacedJob({ namespace, ...labelSelector(selector) }, c),
    );
    return list.items
      .map((j) => ({
        namespace,
        name: j.metadata?.name ?? "",
        active: j.status?.active ?? 0,
        succeeded: j.status?.succeeded ?? 0,
        failed: j.status?.failed ?? 0,
      }))
      .sort(byName);
  }

  async deleteJobs(namespace: string, selector?: string, options?: KubeCallOptions): Promise<void> {
    const what = selector
      ? `the jobs in namespace ${namespace}${matching(selector)}`
      : `all the jobs in namespace ${namespace}`;
    await this.call(`delete ${what}`, options, (c) =>
      this.batch.deleteCollectionNamespacedJob(
        { namespace, ...labelSelector(selector), propagationPolicy: "Background" },
        c,
      ),
    );
  }

  async listPods(namespace: string, selector?: string, options?: KubeCallOptions): Promise<PodReadiness[]> {
    const list = await this.call(
      `list the pods in namespace ${namespace}${matching(selector)}`,
      options,
      (c) => this.core.listNamespacedPod({ namespace, ...labelSelector(selector) }, c),
    );
    return list.items
      .map((p) => ({
        namespace,
        name: p.metadata?.name ?? "",
        phase: p.status?.phase ?? "Unknown",
        ready: (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
        terminating: p.metadata?.deletionTimestamp !== undefined,
      }))
      .sort(byName);
  }

  async getAnnotation(
    ref: KubeObjectRef,
    key: string,
    options?: KubeCallOptions,
  ): Promise<string | undefined> {
    const object = await this.call(
      `read ${describeRef(ref)}`,
      options,
      (c) => this.custom.getNamespacedCustomObject({ ...refParams(ref) }, c),
      { coreGroup: ref.group === "" },
    );
    return annotationsOf(object)[key];
  }

  async setAnnotation(
    ref: KubeObjectRef,
    key: string,
    value: string | null,
    options?: KubeCallOptions,
  ): Promise<string | undefined> {
    const action =
      value === null
        ? `remove the annotation ${key} from ${describeRef(ref)}`
        : `annotate ${describeRef(ref)} with ${key}=${value}`;
    const object = await this.call(
      action,
      options,
      (c) =>
        this.custom.patchNamespacedCustomObject(
          { ...refParams(ref), body: { metadata: { annotations: { [key]: value } } } },
          c,
        ),
      { contentType: PatchStrategy.MergePatch, coreGroup: ref.group === "" },
    );
    return annotationsOf(object)[key];
  }

  async getLease(namespace: string, name: string, options?: KubeCallOptions): Promise<Lease | undefined> {
    try {
      const lease = await this.call(`read the lease ${namespace}/${name}`, options, (c) =>
        this.coordination.readNamespacedLease({ name, namespace }, c),
      );
      return leaseOf(lease);
    } catch (e) {
      if (e instanceof KubeApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  async createLease(lease: LeaseSpec, options?: KubeCallOptions): Promise<Lease> {
    const created = await this.call(`create the lease ${lease.namespace}/${lease.name}`, options, (c) =>
      this.coordination.createNamespacedLease({ namespace: lease.namespace, body: v1Lease(lease) }, c),
    );
    return leaseOf(created);
  }

  async replaceLease(
    lease: LeaseSpec & { readonly resourceVersion: string },
    options?: KubeCallOptions,
  ): Promise<Lease> {
    const body = v1Lease(lease);
    body.metadata = { ...body.metadata, resourceVersion: lease.resourceVersion };
    const replaced = await this.call(`update the lease ${lease.namespace}/${lease.name}`, options, (c) =>
      this.coordination.replaceNamespacedLease({ name: lease.name, namespace: lease.namespace, body }, c),
    );
    return leaseOf(replaced);
  }

  async deleteLease(
    namespace: string,
    name: string,
    resourceVersion?: string,
    options?: KubeCallOptions,
  ): Promise<boolean> {
    try {
      await this.call(`delete the lease ${namespace}/${name}`, options, (c) =>
        this.coordination.deleteNamespacedLease(
          {
            name,
            namespace,
            ...(resourceVersion !== undefined ? { body: { preconditions: { resourceVersion } } } : {}),
          },
          c,
        ),
      );
      return true;
    } catch (e) {
      if (e instanceof KubeApiError && e.code === 404) return false;
      throw e;
    }
  }

  /** Runs one call of the library with this client's timeout and the caller's signal; maps its failure. */
  private async call<T>(
    action: string,
    options: KubeCallOptions | undefined,
    run: (config: ConfigurationOptions) => Promise<T>,
    tweaks: RequestTweaks = {},
  ): Promise<T> {
    const signals = [AbortSignal.timeout(this.timeoutMs), ...(options?.signal ? [options.signal] : [])];
    try {
      return await run(requestOptions(AbortSignal.any(signals), tweaks));
    } catch (e) {
      throw toKubeError(e, this, action, options?.signal);
    }
  }
}

/** Per-request options for the library: a middleware that sets the signal, the content type, the path. */
function requestOptions(signal: AbortSignal, tweaks: RequestTweaks): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre(ctx: RequestContext) {
      ctx.setSignal(signal);
      // NOTE: the generated PATCH methods default to JSON patch; the real server wants the media type to
      // say which patch the body is, so a merge patch must be declared here.
      if (tweaks.contentType) ctx.setHeaderParam("Content-Type", tweaks.contentType);
      if (tweaks.coreGroup) {
        // NOTE: CustomObjectsApi reaches any group/version/plural, but writes the core group as
        // `/apis//v1`; the core group lives at `/api/v1`.
        const url = new URL(ctx.getUrl());
        url.pathname = url.pathname.replace("/apis//", "/api/");
        ctx.setUrl(url.toString());
      }
      return new Observable(Promise.resolve(ctx));
    },
    post(response: ResponseContext) {
      return new Observable(Promise.resolve(response));
    },
  };
  return { middleware: [middleware], middlewareMergeStrategy: "append" };
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : path;
}
