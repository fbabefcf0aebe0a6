import type { Plan, PlanSite, Step } from "../ir/schema.js";
import { labelValue, outcomeParameter } from "./argo-names.js";
import { argoStepMode, type LocalCommands } from "./argo-steps.js";
import { argoSafe, confirmDescription, manualDescription } from "./argo-text.js";
import type { Container, EnvVar, Parameter, RetryStrategy, Template, VolumeMount } from "./argo-types.js";

/**
 * The Argo templates of one step. A step a person does is a `suspend` template whose `choice` input
 * (done or skip, with a `reason`) the operator answers when resuming; an automated step is a container
 * that runs `plan step` on exactly that step, with the plan mounted from the ConfigMap; an automated step
 * with a `confirm` question is a `steps` template that asks first (yes or skip) and runs the container
 * only on yes.
 */

/** Where the pod finds the plan, and where `plan step` keeps its state and writes the step's outcome. */
export const PLAN_DIR = "/plan";
export const PLAN_FILE = `${PLAN_DIR}/plan.json`;
export const WORK_DIR = "/tmp/plan";
export const OUTCOME_FILE = `${WORK_DIR}/outcome`;
export const SSH_DIR = "/etc/plan/ssh";

/** The workflow parameter that names the image of the step pods. */
export const IMAGE_PARAMETER = "image";

/** How long a pod may outlive the step's own timeout: pulling the image, connecting, the last poll. */
export const DEADLINE_GRACE_SECONDS = 120;

/** What the templates of a plan's steps need to know. */
export interface TemplateContext {
  readonly plan: Plan;
  /** Task (and template) name of every step, by step id. */
  readonly names: ReadonlyMap<string, string>;
  /** Steps whose outcome is exported as a global output (temporary changes and their undos). */
  readonly tracked: ReadonlySet<string>;
  readonly secretName: string;
  readonly sshSecretName: string;
  readonly localCommands: LocalCommands;
  /** The namespace of the site's Lease (the lock of `plan run`), when not `default`. */
  readonly lockNamespace?: string;
}

/** The templates of a step: one, or three for an automated step with a `confirm` question. */
export function stepTemplates(step: Step, ctx: TemplateContext): Template[] {
  const name = ctx.names.get(step.id)!;
  if (argoStepMode(step, ctx.localCommands) === "suspend") return [manualTemplate(step, name, ctx)];
  if (step.confirm === undefined) return [containerTemplate(step, name, ctx, false)];
  const confirm = `${name}-confirm`;
  const run = `${name}-run`;
  return [
    {
      name,
      metadata: { annotations: stepAnnotations(step) },
      steps: [
        [{ name: confirm, template: confirm }],
        [
          {
            name: run,
            template: run,
            when: `'{{steps.${confirm}.outputs.parameters.answer}}' == 'yes'`,
          },
        ],
      ],
    },
    confirmTemplate(step as Step & { confirm: string }, confirm, ctx),
    containerTemplate(step, run, ctx, true),
  ];
}

/** The step a template is for, on the template (and on its pod): its id and its title. */
function stepAnnotations(step: Step): Record<string, string> {
  return { "plan.lsst.io/step": step.id, "plan.lsst.io/title": argoSafe(step.title) };
}

function reasonInput(): Parameter {
  return { name: "reason", default: "", description: "Why the step is left undone (with skip)." };
}

function reasonOutput(): Parameter {
  return { name: "reason", valueFrom: { supplied: {}, default: "" } };
}

function manualTemplate(step: Step, name: string, ctx: TemplateContext): Template {
  const choice: Parameter = { name: "choice", valueFrom: { supplied: {} } };
  if (ctx.tracked.has(step.id)) choice.globalName = outcomeParameter(name);
  return {
    name,
    metadata: { annotations: stepAnnotations(step) },
    suspend: {},
    inputs: {
      parameters: [
        {
          name: "choice",
          default: "done",
          enum: ["done", "skip"],
          description: manualDescription(step, ctx.plan),
        },
        reasonInput(),
      ],
    },
    // NOTE: `choice` has no default as an output: resuming without saying done or skip is refused by
    // Argo ("raw output parameter 'choice' has not been set"), so nobody approves a step by accident.
    outputs: { parameters: [choice, reasonOutput()] },
  };
}

function confirmTemplate(step: Step & { confirm: string }, name: string, ctx: TemplateContext): Template {
  return {
    name,
    suspend: {},
    inputs: {
      parameters: [
        {
          name: "answer",
          default: "yes",
          enum: ["yes", "skip"],
          description: confirmDescription(step, ctx.plan),
        },
        reasonInput(),
      ],
    },
    outputs: { parameters: [{ name: "answer", valueFrom: { supplied: {} } }, reasonOutput()] },
  };
}

function containerTemplate(step: Step, name: string, ctx: TemplateContext, confirmed: boolean): Template {
  const outcome: Parameter = { name: "outcome", valueFrom: { path: OUTCOME_FILE, default: "not-started" } };
  if (ctx.tracked.has(step.id)) outcome.globalName = outcomeParameter(ctx.names.get(step.id)!);
  const template: Template = {
    name,
    metadata: { labels: { "plan.lsst.io/step": labelValue(step.id) }, annotations: stepAnnotations(step) },
    outputs: { parameters: [outcome] },
  };
  const deadline = deadlineSeconds(step);
  if (deadline !== undefined) template.activeDeadlineSeconds = String(deadline);
  if (step.retries !== undefined) template.retryStrategy = retryStrategy(step.retries);
  template.container = container(step, ctx, confirmed);
  return template;
}

/**
 * How long `plan run` waits before trying a step again after a transient failure: 5 s, 10 s, … at most
 * 60 s. NOTE: the runtime's `retryDelayMs` (step-runner.ts); emit reads only the IR, so it is repeated
 * here, and a test holds the two together.
 */
export function retryDelaySeconds(attempt: number): number {
  return Math.min(60, 5 * attempt);
}

/**
 * The hard limit on a step's pod, in seconds, or undefined when the step sets no time limit. The step's
 * own timeout decides what happens when time runs out (fail, go on, or ask, as the plan says), on every
 * attempt `plan step` makes; the pod's deadline only ends a pod that hangs: every attempt's time and one
 * poll, the waits between attempts, and a grace period to start and connect.
 */
export function deadlineSeconds(step: Step): number | undefined {
  const attempts = (step.retries ?? 0) + 1;
  let waits = 0;
  for (let a = 1; a < attempts; a++) waits += retryDelaySeconds(a);
  if (step.kind === "wait") return Math.ceil(step.seconds) * attempts + waits + DEADLINE_GRACE_SECONDS;
  if (step.timeoutSeconds === undefined) return undefined;
  const each = step.timeoutSeconds + (step.pollSeconds ?? 10);
  return Math.ceil(each * attempts) + waits + DEADLINE_GRACE_SECONDS;
}

/**
 * A step the plan allows to be tried again (`retries`) is tried again by `plan step` itself after a
 * transient failure, as `plan run` does, with the same waits. Argo adds what a process cannot: when the
 * pod itself is lost (evicted, its node gone: status Error, not a failure of the step), it starts the
 * step again in a new pod, as many times.
 */
export function retryStrategy(retries: number): RetryStrategy {
  return {
    limit: String(retries),
    retryPolicy: "OnError",
    backoff: { duration: "5s", factor: "2", cap: "60s" },
  };
}

function container(step: Step, ctx: TemplateContext, confirmed: boolean): Container {
  const mounts: VolumeMount[] = [
    { name: "plan", mountPath: PLAN_DIR, readOnly: true },
    { name: "work", mountPath: WORK_DIR },
  ];
  if (usesSsh(step)) mounts.push({ name: "ssh", mountPath: SSH_DIR, readOnly: true });
  return {
    image: `{{workflow.parameters.${IMAGE_PARAMETER}}}`,
    command: ["plan"],
    args: [
      "step",
      PLAN_FILE,
      step.id,
      "--expect-hash",
      ctx.plan.hash,
      "--in-cluster",
      "--state-dir",
      WORK_DIR,
      "--journal",
      "-",
      "--outcome-file",
      OUTCOME_FILE,
      ...(confirmed ? ["--confirmed"] : []),
    ],
    env: stepEnv(step, ctx),
    volumeMounts: mounts,
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
  };
}

/** Whether the step's pod needs the ssh key and known_hosts: a command on a host. */
export function usesSsh(step: Step): boolean {
  return step.kind === "command" && step.host !== undefined;
}

/**
 * The environment variables of the site that hold secrets a step's executor reads: the Argo CD
 * credentials for a sync, the EFD credentials for a CSC-state check. Sorted, each once.
 */
export function secretEnvNames(step: Step, site: PlanSite): string[] {
  const names: (string | undefined)[] = [];
  if (step.kind === "argocd-sync") {
    names.push(site.argocd?.tokenEnv, site.argocd?.usernameEnv, site.argocd?.passwordEnv);
  }
  if (step.kind === "csc-states") names.push(site.efd?.usernameEnv, site.efd?.passwordEnv);
  return [...new Set(names.filter((n): n is string => Boolean(n)))].sort();
}

function stepEnv(step: Step, ctx: TemplateContext): EnvVar[] {
  const env: EnvVar[] = [
    { name: "PLAN_OPERATOR", value: "argo workflow {{workflow.name}}" },
    { name: "NO_COLOR", value: "1" },
    { name: "HOME", value: WORK_DIR },
  ];
  if (ctx.lockNamespace !== undefined) env.push({ name: "PLAN_LOCK_NAMESPACE", value: ctx.lockNamespace });
  // NOTE: optional, so that a Secret holding a token but no password (or the reverse) still starts the
  // pod; the executor then says which credentials it found missing.
  for (const name of secretEnvNames(step, ctx.plan.site)) {
    env.push({ name, valueFrom: { secretKeyRef: { name: ctx.secretName, key: name, optional: true } } });
  }
  if (usesSsh(step)) {
    env.push(
      { name: "PLAN_SSH_IDENTITY", value: `${SSH_DIR}/identity` },
      { name: "PLAN_SSH_KNOWN_HOSTS", value: `${SSH_DIR}/known_hosts` },
      { name: "PLAN_SSH_CONFIG", value: "none" },
    );
  }
  return env;
}
