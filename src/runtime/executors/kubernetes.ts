import type { StepOf } from "../../ir/schema.js";
import type { DeploymentReplicas, KubeClient } from "../clients/kubernetes.js";
import { describeRef } from "../clients/kubernetes-convert.js";
import {
  type Executor,
  type Observation,
  type StepContext,
  StepFailure,
  type StepResult,
} from "../executor.js";
import { pollUntil, type Reading } from "../poll.js";
import {
  describeAnnotate,
  describeDeleteJobs,
  describeScale,
  describeWaitReady,
  matching,
} from "./kubernetes-describe.js";

/**
 * The executors of the Kubernetes steps: scale deployments and wait for them, delete jobs, annotate an
 * object, wait for pods or deployments to be ready. They talk to the cluster through
 * `ctx.services.kubernetes()` (a KubeClient), whose failures are StepFailures with the server's words.
 */

type KubeKind = "k8s-scale" | "k8s-delete-jobs" | "k8s-annotate" | "k8s-wait-ready";

/** Fails the step when the namespace does not exist; goes on when the user may not look (403). */
async function requireNamespace(kube: KubeClient, namespace: string, ctx: StepContext): Promise<void> {
  if ((await kube.namespaceExists(namespace, { signal: ctx.signal })) === false) {
    throw new StepFailure(
      `the namespace ${namespace} does not exist in the Kubernetes context ${kube.context} (${kube.server})`,
      "check the namespace in the plan, and that the site's context is the right cluster",
    );
  }
}

/** Whether a deployment has reached `target` replicas: all ready, or for 0, none left at all. */
function reached(d: DeploymentReplicas, target: number): boolean {
  return d.observed && d.desired === target && d.current === target && d.ready === target;
}

function ratio(d: DeploymentReplicas): string {
  return `${d.name} ${d.ready}/${d.desired} ready${d.current !== d.ready ? `, ${d.current} running` : ""}`;
}

/** Reads the scaled deployments: for 0, a deployment is done when it reports 0 and none of its pods is left. */
async function readScaled(
  kube: KubeClient,
  step: StepOf<"k8s-scale">,
  names: Set<string>,
  ctx: StepContext,
): Promise<Reading> {
  const all = await kube.listDeployments(step.namespace, step.selector, { signal: ctx.signal });
  const mine = all.filter((d) => names.has(d.name));
  const missing = [...names].filter((n) => !mine.some((d) => d.name === n));
  // A deployment deleted meanwhile has no replicas left: that is the end of a scale to 0, never of a scale up.
  const waitingFor: string[] = step.replicas === 0 ? [] : missing.map((n) => `${n} is gone`);
  for (const d of mine) {
    if (!reached(d, step.replicas)) waitingFor.push(ratio(d));
    else if (step.replicas === 0 && d.podSelector) {
      const pods = await kube.listPods(step.namespace, d.podSelector, { signal: ctx.signal });
      if (pods.length > 0)
        waitingFor.push(`${d.name} has ${pods.length} pod${pods.length > 1 ? "s" : ""} left`);
    }
  }
  const done = names.size - waitingFor.length;
  const ok = waitingFor.length === 0;
  return {
    ok,
    current: ok
      ? `all ${names.size} at ${step.replicas}`
      : `${done} of ${names.size} at ${step.replicas} (${waitingFor.slice(0, 3).join("; ")})`,
  };
}

const scale: Executor<"k8s-scale"> = {
  kind: "k8s-scale",
  describe: describeScale,
  async run(step, ctx): Promise<StepResult> {
    const kube = ctx.services.kubernetes();
    await requireNamespace(kube, step.namespace, ctx);
    const changes = await kube.scaleDeployments(step.namespace, step.selector, step.replicas, {
      signal: ctx.signal,
    });
    if (changes.length === 0) {
      const line = `no deployment in namespace ${step.namespace}${matching(step.selector)}: nothing was scaled (check the selector)`;
      ctx.log(line);
      return { status: "done", summary: line };
    }
    for (const c of changes)
      ctx.log(`scaled the deployment ${c.namespace}/${c.name} from ${c.from} to ${c.to} replicas`);
    const names = new Set(changes.map((c) => c.name));
    return pollUntil(step, ctx, {
      what: `deployments in ${step.namespace}${matching(step.selector)}`,
      target: step.replicas === 0 ? "0 replicas and no pods left" : `${step.replicas} ready replicas each`,
      read: () => readScaled(kube, step, names, ctx),
    });
  },
  async observe(step, ctx): Promise<Observation> {
    return observing(ctx, async (kube) => {
      const all = await kube.listDeployments(step.namespace, step.selector, { signal: ctx.signal });
      if (all.length === 0) return "unknown";
      const reading = await readScaled(kube, step, new Set(all.map((d) => d.name)), ctx);
      return reading.ok ? "done" : "not-done";
    });
  },
};

const deleteJobs: Executor<"k8s-delete-jobs"> = {
  kind: "k8s-delete-jobs",
  describe: describeDeleteJobs,
  async run(step, ctx): Promise<StepResult> {
    const kube = ctx.services.kubernetes();
    await requireNamespace(kube, step.namespace, ctx);
    const where = `namespace ${step.namespace}${matching(step.selector)}`;
    const jobs = await kube.listJobs(step.namespace, step.selector, { signal: ctx.signal });
    if (jobs.length === 0) {
      ctx.log(`no jobs in ${where}; nothing to delete`);
      return { status: "done", summary: `no jobs in ${where}` };
    }
    ctx.log(
      `deleting ${jobs.length} job${jobs.length > 1 ? "s" : ""} in ${where}, with their pods: ${jobs.map((j) => j.name).join(", ")}`,
    );
    await kube.deleteJobs(step.namespace, step.selector, { signal: ctx.signal });
    return pollUntil(step, ctx, {
      what: `jobs in ${where}`,
      target: "none left",
      read: async () => {
        const left = await kube.listJobs(step.namespace, step.selector, { signal: ctx.signal });
        const names = left.map((j) => j.name);
        return {
          ok: left.length === 0,
          current: left.length ? `${left.length} left (${names.slice(0, 3).join(", ")})` : "none left",
        };
      },
    });
  },
  async observe(step, ctx): Promise<Observation> {
    return observing(ctx, async (kube) => {
      const left = await kube.listJobs(step.namespace, step.selector, { signal: ctx.signal });
      return left.length === 0 ? "done" : "not-done";
    });
  },
};

function refOf(step: StepOf<"k8s-annotate">) {
  const { group, version, plural } = step.resource;
  return { group, version, plural, namespace: step.namespace, name: step.resourceName };
}

const annotate: Executor<"k8s-annotate"> = {
  kind: "k8s-annotate",
  describe: describeAnnotate,
  async run(step, ctx): Promise<StepResult> {
    const kube = ctx.services.kubernetes();
    const ref = refOf(step);
    const now = await kube.setAnnotation(ref, step.key, step.value, { signal: ctx.signal });
    const wanted = step.value ?? undefined;
    if (now !== wanted) {
      throw new StepFailure(
        `${step.resource.kind} ${describeRef(ref)} has ${step.key}=${now ?? "(none)"} after the patch, not ${wanted ?? "(none)"}`,
        "something on the cluster (a webhook, an operator) changed it back; look at the object",
      );
    }
    const line =
      step.value === null
        ? `removed the annotation ${step.key} from ${step.resource.kind} ${describeRef(ref)}`
        : `annotated ${step.resource.kind} ${describeRef(ref)} with ${step.key}=${step.value}`;
    ctx.log(line);
    return { status: "done", summary: line };
  },
  async observe(step, ctx): Promise<Observation> {
    return observing(ctx, async (kube) => {
      const value = await kube.getAnnotation(refOf(step), step.key, { signal: ctx.signal });
      return value === (step.value ?? undefined) ? "done" : "not-done";
    });
  },
};

async function readReady(
  kube: KubeClient,
  step: StepOf<"k8s-wait-ready">,
  ctx: StepContext,
): Promise<Reading> {
  if (step.resource === "pods") {
    const pods = (await kube.listPods(step.namespace, step.selector, { signal: ctx.signal })).filter(
      // Pods on their way out, and pods of jobs that finished, are not waited for.
      (p) => !p.terminating && p.phase !== "Succeeded",
    );
    const notReady = pods.filter((p) => !p.ready).map((p) => p.name);
    const ok = pods.length > 0 && notReady.length === 0;
    const current =
      pods.length === 0 ? "no pods" : `${pods.length - notReady.length} of ${pods.length} pods ready`;
    return {
      ok,
      current: notReady.length ? `${current} (not ready: ${notReady.slice(0, 3).join(", ")})` : current,
    };
  }
  const deployments = await kube.listDeployments(step.namespace, step.selector, { signal: ctx.signal });
  const lagging = deployments.filter((d) => !reached(d, d.desired));
  const ok = deployments.length > 0 && lagging.length === 0;
  const current =
    deployments.length === 0
      ? "no deployments"
      : `${deployments.length - lagging.length} of ${deployments.length} deployments ready`;
  return {
    ok,
    current: lagging.length ? `${current} (${lagging.slice(0, 3).map(ratio).join("; ")})` : current,
  };
}

const waitReady: Executor<"k8s-wait-ready"> = {
  kind: "k8s-wait-ready",
  describe: describeWaitReady,
  async run(step, ctx): Promise<StepResult> {
    const kube = ctx.services.kubernetes();
    await requireNamespace(kube, step.namespace, ctx);
    return pollUntil(step, ctx, {
      what: `${step.resource} in ${step.namespace}${matching(step.selector)}`,
      target: "all ready",
      read: () => readReady(kube, step, ctx),
    });
  },
  async observe(step, ctx): Promise<Observation> {
    return observing(ctx, async (kube) => ((await readReady(kube, step, ctx)).ok ? "done" : "not-done"));
  },
};

/** Runs an observation; a failure to look is "unknown" (the operator is asked), logged with its reason. */
async function observing(
  ctx: StepContext,
  look: (kube: KubeClient) => Promise<Observation>,
): Promise<Observation> {
  try {
    return await look(ctx.services.kubernetes());
  } catch (e) {
    if (!(e instanceof StepFailure)) throw e;
    ctx.log(`could not look at the cluster: ${e.message}`);
    return "unknown";
  }
}

/** The Kubernetes executors, by step kind, for the runtime's registry. */
export const kubernetesExecutors: { readonly [K in KubeKind]: Executor<K> } = {
  "k8s-scale": scale,
  "k8s-delete-jobs": deleteJobs,
  "k8s-annotate": annotate,
  "k8s-wait-ready": waitReady,
};
