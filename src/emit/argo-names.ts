import { createHash } from "node:crypto";
import type { Plan } from "../ir/schema.js";

/**
 * The names the Argo export gives things. Argo checks template and task names against
 * `[a-zA-Z0-9][-a-zA-Z0-9]*`, at most 63 characters, and refuses a DAG task whose name starts with a
 * digit; Kubernetes object names are DNS-1123 labels (lower case, digits and `-`, at most 63).
 */

/** The longest name Argo accepts for a template, a task or a workflow. */
export const MAX_NAME = 63;

const SIMPLE_ID = /^[a-z0-9]+(\.[a-z0-9]+)*$/;

/** A short, stable fingerprint of a string (hex of its sha256). */
export function fingerprint(text: string, length = 8): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, length);
}

/**
 * Lower case, every run of characters outside `[a-z0-9]` as one `-`, no `-` at either end. May be empty.
 * Never throws.
 */
export function dnsSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** `text` cut to at most `max` characters, without a trailing `-`. */
function cut(text: string, max: number): string {
  return text.slice(0, max).replace(/-+$/g, "");
}

/**
 * The task (and template) name of a step id: `step-` and the id with `.` as `-` (`2.3.1` is `step-2-3-1`,
 * `1.end` is `step-1-end`). That mapping is one to one on the ids the compiler writes (lower-case letters
 * and digits between dots); any other id, and any id too long for 63 characters with room for the
 * suffixes the export adds, also carries a fingerprint of the id, so that two ids never share a name.
 */
export function stepTaskName(id: string): string {
  const slug = dnsSlug(id);
  const lossless = SIMPLE_ID.test(id);
  // Room for the longest suffix the export appends to a step's name (`-confirm`).
  const room = MAX_NAME - "step-".length - "-confirm".length;
  if (lossless && slug.length <= room) return `step-${slug}`;
  const print = fingerprint(id);
  return `step-${cut(slug, room - print.length - 1)}${slug ? "-" : ""}${print}`.replace(/--+/g, "-");
}

/**
 * The task name of every step of a plan, by step id. Throws (an internal error: it would take two ids
 * with the same sha256 prefix) when two steps would get the same name.
 */
export function stepTaskNames(plan: Plan): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Map<string, string>();
  for (const step of plan.steps) {
    const name = stepTaskName(step.id);
    const other = taken.get(name);
    if (other !== undefined) throw new Error(`steps ${other} and ${step.id} would both be task ${name}`);
    taken.set(name, step.id);
    names.set(step.id, name);
  }
  return names;
}

/**
 * A Kubernetes object name from parts: each slugged, joined with `-`, cut to `max` characters. Empty
 * parts are left out; an empty result is `plan`.
 */
export function objectName(parts: readonly string[], max = MAX_NAME): string {
  const joined = parts.map(dnsSlug).filter(Boolean).join("-");
  return cut(joined, max) || "plan";
}

/** The base of the workflow's names: `<procedure>-<site>`, slugged, at most 40 characters. */
export function planBaseName(plan: Plan): string {
  return objectName([plan.procedure.name, plan.site.name], 40);
}

/** The hex digits of a plan's hash (`sha256:` left out), cut to `length`. */
export function hashDigits(plan: Plan, length = 12): string {
  return plan.hash.replace(/^sha256:/, "").slice(0, length);
}

/** The name of the ConfigMap that carries a plan: `plan-<procedure>-<site>-<12 hex of its hash>`. */
export function defaultConfigMapName(plan: Plan): string {
  return `${objectName(["plan", plan.procedure.name, plan.site.name], MAX_NAME - 13)}-${hashDigits(plan)}`;
}

/** The mutex that keeps one run per site: `plan-site-<site>`. */
export function siteMutexName(plan: Plan): string {
  return objectName(["plan-site", plan.site.name]);
}

/** The Secret that holds a site's credentials, as environment variable names to values. */
export function defaultSecretName(plan: Plan): string {
  return objectName(["plan", plan.site.name, "credentials"]);
}

/** The Secret that holds the ssh key and known_hosts for a site's hosts. */
export function defaultSshSecretName(plan: Plan): string {
  return objectName(["plan", plan.site.name, "ssh"]);
}

/** The global output parameter that records how a change or undo step went. */
export function outcomeParameter(taskName: string): string {
  return `plan-outcome-${taskName.replace(/^step-/, "")}`;
}

/** A DNS-1123 label: what Kubernetes accepts as a namespace or an object name of this export. */
export function isDnsLabel(text: string): boolean {
  return text.length > 0 && text.length <= MAX_NAME && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(text);
}

/** A DNS-1123 subdomain: what Kubernetes accepts as a ConfigMap or Secret name. */
export function isDnsSubdomain(text: string): boolean {
  return (
    text.length > 0 &&
    text.length <= 253 &&
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(text)
  );
}

/** A valid Kubernetes label value (at most 63 characters of `[A-Za-z0-9._-]`, alphanumeric at the ends). */
export function labelValue(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, MAX_NAME);
  return cleaned.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}
