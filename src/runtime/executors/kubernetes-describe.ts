import type { PlanSite, Step, StepOf } from "../../ir/schema.js";
import { DEFAULT_POLL_MS, DEFAULT_TIMEOUT_MS, formatMs } from "../poll.js";

/**
 * What the Kubernetes steps do, as the exact API calls, for `--dry-run` and the checklists. Query
 * parameters are shown decoded (`labelSelector=app=x`), as a person reads them; the wire has them encoded.
 */

const MERGE = "(Content-Type: application/merge-patch+json)";

/** `, in the context summit` (or a note that the site has none). */
export function inContext(site: PlanSite): string {
  return site.kubernetes
    ? `, in the context ${site.kubernetes.context}`
    : `, in no context (site ${site.name} has no Kubernetes cluster)`;
}

export function namespacePath(namespace: string): string {
  return `/api/v1/namespaces/${namespace}`;
}

export function deploymentsPath(namespace: string): string {
  return `/apis/apps/v1/namespaces/${namespace}/deployments`;
}

export function jobsPath(namespace: string): string {
  return `/apis/batch/v1/namespaces/${namespace}/jobs`;
}

export function podsPath(namespace: string): string {
  return `/api/v1/namespaces/${namespace}/pods`;
}

/** The path of one object of any resource; the core group lives under /api. */
export function objectPath(
  group: string,
  version: string,
  plural: string,
  namespace: string,
  name: string,
): string {
  return `${group ? `/apis/${group}/${version}` : `/api/${version}`}/namespaces/${namespace}/${plural}/${name}`;
}

/** ` matching <selector>`, or "" when there is none. */
export function matching(selector: string | undefined): string {
  return selector ? ` matching ${selector}` : "";
}

function query(selector: string | undefined, ...more: string[]): string {
  const params = [...(selector ? [`labelSelector=${selector}`] : []), ...more];
  return params.length ? `?${params.join("&")}` : "";
}

function waiting(step: Step): string {
  const every = step.pollSeconds !== undefined ? step.pollSeconds * 1000 : DEFAULT_POLL_MS;
  const timeout = step.timeoutSeconds !== undefined ? step.timeoutSeconds * 1000 : DEFAULT_TIMEOUT_MS;
  return `looking every ${formatMs(every)} for at most ${formatMs(timeout)}`;
}

export function describeScale(step: StepOf<"k8s-scale">, site: PlanSite): string[] {
  const ns = step.namespace;
  const which = step.selector
    ? `for each deployment matching ${step.selector}`
    : `for every deployment in namespace ${ns}`;
  const body = JSON.stringify({ spec: { replicas: step.replicas } });
  const until =
    step.replicas === 0
      ? "until each reports 0 replicas and none of its pods remain (GET .../pods?labelSelector=<its selector>)"
      : `until each has ${step.replicas} ready replicas`;
  return [
    `GET ${namespacePath(ns)} (the namespace exists)${inContext(site)}`,
    `GET ${deploymentsPath(ns)}${query(step.selector)}${inContext(site)}`,
    `PATCH ${deploymentsPath(ns)}/<name>/scale ${body} ${MERGE} ${which}${inContext(site)}`,
    `then GET ${deploymentsPath(ns)}${query(step.selector)} ${until}, ${waiting(step)}`,
  ];
}

export function describeDeleteJobs(step: StepOf<"k8s-delete-jobs">, site: PlanSite): string[] {
  const ns = step.namespace;
  const which = step.selector ? `the jobs matching ${step.selector}` : `every job in namespace ${ns}`;
  return [
    `GET ${namespacePath(ns)} (the namespace exists)${inContext(site)}`,
    `GET ${jobsPath(ns)}${query(step.selector)} (the jobs to delete, for the log)${inContext(site)}`,
    `DELETE ${jobsPath(ns)}${query(step.selector, "propagationPolicy=Background")} (deletes ${which}, and their pods)${inContext(site)}`,
    `then GET ${jobsPath(ns)}${query(step.selector)} until none is left, ${waiting(step)}`,
  ];
}

export function describeAnnotate(step: StepOf<"k8s-annotate">, site: PlanSite): string[] {
  const { group, version, plural } = step.resource;
  const path = objectPath(group, version, plural, step.namespace, step.resourceName);
  const body = JSON.stringify({ metadata: { annotations: { [step.key]: step.value } } });
  const what = step.value === null ? `removes the annotation ${step.key}` : `sets ${step.key}=${step.value}`;
  return [`PATCH ${path} ${body} ${MERGE} (${what} on the ${step.resource.kind})${inContext(site)}`];
}

export function describeWaitReady(step: StepOf<"k8s-wait-ready">, site: PlanSite): string[] {
  const ns = step.namespace;
  const path = step.resource === "pods" ? podsPath(ns) : deploymentsPath(ns);
  const until =
    step.resource === "pods"
      ? "until there is at least one pod and every pod is Ready"
      : "until there is at least one deployment and each has all its replicas ready";
  return [
    `GET ${namespacePath(ns)} (the namespace exists)${inContext(site)}`,
    `GET ${path}${query(step.selector)} ${until}, ${waiting(step)}${inContext(site)}`,
  ];
}
