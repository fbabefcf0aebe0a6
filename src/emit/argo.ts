import { writePlanJson } from "../ir/plan.js";
import type { Plan, Step } from "../ir/schema.js";
import { EXIT_TEMPLATE, exitTemplate, pairs } from "./argo-exit.js";
import {
  defaultConfigMapName,
  defaultSecretName,
  defaultSshSecretName,
  isDnsLabel,
  isDnsSubdomain,
  labelValue,
  planBaseName,
  siteMutexName,
  stepTaskNames,
} from "./argo-names.js";
import { argoStepMode, type LocalCommands } from "./argo-steps.js";
import {
  IMAGE_PARAMETER,
  secretEnvNames,
  stepTemplates,
  type TemplateContext,
  usesSsh,
} from "./argo-templates.js";
import { argoSafe } from "./argo-text.js";
import type { ConfigMap, DagTask, Manifest, Template, Volume, Workflow } from "./argo-types.js";
import { toKubernetesYaml } from "./argo-yaml.js";
import { compareIds } from "./text.js";

/**
 * The Argo Workflows export: a plan as the manifests that run it on the site's own cluster. A pure
 * function of the plan and the options; the CLI writes the text.
 *
 * What it makes:
 * - a ConfigMap holding the plan file exactly as `plan compile` writes it (so `plan step` checks its hash),
 *   immutable and named after the plan's hash, so that a running workflow never sees another plan;
 * - a Workflow (or, with `template`, a WorkflowTemplate) whose DAG has one task per step, named after the
 *   step's id, waiting for exactly the step's `after`; automated steps run `plan step` in a pod, steps a
 *   person does are suspend nodes; the site's mutex keeps one run per site; `concurrency` is the
 *   workflow's `parallelism`; an exit handler undoes temporary changes when the workflow fails.
 */

export const MANAGED_BY = { "app.kubernetes.io/managed-by": "plan" } as const;

/** The largest plan file a ConfigMap can hold (Kubernetes limits a ConfigMap to 1 MiB in all). */
export const MAX_PLAN_BYTES = 1_000_000;

export interface ArgoExportOptions {
  /** The default image of the step pods (a workflow parameter, `-p image=...` at submission). */
  readonly image: string;
  /** The namespace of every object; absent: the one `kubectl` / `argo` submit into. */
  readonly namespace?: string;
  /** The service account the pods run as (its token is the executors' Kubernetes identity). */
  readonly serviceAccount?: string;
  /** Write a WorkflowTemplate instead of a Workflow. */
  readonly template?: boolean;
  /** The ConfigMap's name; default `plan-<procedure>-<site>-<12 hex of the hash>`. */
  readonly configMap?: string;
  /** The Secret with the site's credentials, keyed by environment variable name. */
  readonly secretName?: string;
  /** The Secret with `identity` (an ssh private key) and `known_hosts`, for commands on hosts. */
  readonly sshSecretName?: string;
  /** At most this many step pods at once (`plan run --concurrency`); default 4. */
  readonly concurrency?: number;
  /** Where commands without a host run; default `operator` (a suspend node; see argo-steps.ts). */
  readonly localCommands?: LocalCommands;
  /** The namespace of the site's Lease, which `plan step` checks is not held by a `plan run`. */
  readonly lockNamespace?: string;
}

export const DEFAULT_SERVICE_ACCOUNT = "plan";
export const DEFAULT_CONCURRENCY = 4;

export type ArgoExport =
  | { readonly ok: true; readonly manifests: Manifest[] }
  | { readonly ok: false; readonly problem: string; readonly help: string };

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * The manifests of a plan, in the order to create them (the ConfigMap first). Refuses, with what to do,
 * options Kubernetes would reject (a namespace or name that is not a DNS label, a concurrency below 1, an
 * empty image), a plan too large for a ConfigMap, and a plan whose step ids or secret variables Argo or
 * Kubernetes cannot carry. Never throws for a valid plan.
 */
export function exportArgo(plan: Plan, options: ArgoExportOptions): ArgoExport {
  const refuse = (problem: string, help: string): ArgoExport => ({ ok: false, problem, help });
  const serviceAccount = options.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const configMap = options.configMap ?? defaultConfigMapName(plan);
  const secretName = options.secretName ?? defaultSecretName(plan);
  const sshSecretName = options.sshSecretName ?? defaultSshSecretName(plan);
  const localCommands = options.localCommands ?? "operator";
  if (options.image.trim() === "" || /\s|\{\{/.test(options.image))
    return refuse(`the image \`${options.image}\` is not an image reference`, "give one with --image");
  for (const ns of [options.namespace, options.lockNamespace]) {
    if (ns !== undefined && !isDnsLabel(ns))
      return refuse(`\`${ns}\` is not a namespace name`, "use lower-case letters, digits and `-`");
  }
  for (const [what, name] of [
    ["service account", serviceAccount],
    ["ConfigMap", configMap],
    ["Secret", secretName],
    ["Secret", sshSecretName],
  ] as const) {
    if (!isDnsSubdomain(name))
      return refuse(`\`${name}\` is not a valid ${what} name`, "use lower-case letters, digits, `-` and `.`");
  }
  if (!Number.isInteger(concurrency) || concurrency < 1)
    return refuse(
      `the concurrency must be a whole number of at least 1, not ${concurrency}`,
      "give --concurrency 1 or more",
    );
  const text = writePlanJson(plan);
  if (Buffer.byteLength(text, "utf8") > MAX_PLAN_BYTES) {
    return refuse(
      `the plan file is ${Buffer.byteLength(text, "utf8")} bytes, more than a ConfigMap holds (${MAX_PLAN_BYTES})`,
      "split the procedure into several plans",
    );
  }
  for (const step of plan.steps) {
    if (/\{\{|\}\}/.test(step.id))
      return refuse(
        `step id \`${step.id}\` contains \`{{\` or \`}}\`, which Argo reads as a variable`,
        "rename the step",
      );
    for (const name of secretEnvNames(step, plan.site)) {
      if (!SECRET_KEY.test(name))
        return refuse(
          `\`${name}\` cannot be a key of a Kubernetes Secret`,
          "name the variable with letters, digits, `_`, `-` and `.`",
        );
    }
  }

  const names = stepTaskNames(plan);
  const tracked = new Set(pairs(plan).flatMap((p) => [p.change.id, p.undo.id]));
  const ctx: TemplateContext = {
    plan,
    names,
    tracked,
    secretName,
    sshSecretName,
    localCommands,
    ...(options.lockNamespace !== undefined ? { lockNamespace: options.lockNamespace } : {}),
  };
  const meta = objectMeta(plan, options.namespace);
  const cm: ConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: configMap, ...meta },
    immutable: true,
    data: { "plan.json": text },
  };

  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const exit = exitTemplate(plan, names, localCommands);
  const templates: Template[] = [
    { name: "plan", dag: { tasks: mainTasks(plan, byId, names) } },
    ...(exit ? [exit] : []),
    ...plan.order.flatMap((id) => stepTemplates(byId.get(id)!, ctx)),
  ];
  const volumes: Volume[] = [
    { name: "plan", configMap: { name: configMap, items: [{ key: "plan.json", path: "plan.json" }] } },
    { name: "work", emptyDir: {} },
  ];
  // NOTE: 0440 and the pod's fsGroup let the step's user read the key; ssh accepts it as the file is
  // root's, not the user's.
  if (plan.steps.some((s) => usesSsh(s) && argoStepMode(s, localCommands) === "container"))
    volumes.push({ name: "ssh", secret: { secretName: sshSecretName, optional: true, defaultMode: 0o440 } });

  const workflow: Workflow = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: options.template ? "WorkflowTemplate" : "Workflow",
    metadata: {
      ...(options.template ? { name: planBaseName(plan) } : { generateName: `${planBaseName(plan)}-` }),
      ...meta,
      annotations: {
        ...meta.annotations,
        "workflows.argoproj.io/title": argoSafe(`${plan.procedure.title}: ${plan.site.title}`),
        "workflows.argoproj.io/description": argoSafe(
          `${plan.id}, ${plan.steps.length} steps, compiled by plan ${plan.compiler.version} from ${plan.procedure.source.file}`,
        ),
      },
    },
    spec: {
      entrypoint: "plan",
      ...(exit ? { onExit: EXIT_TEMPLATE } : {}),
      serviceAccountName: serviceAccount,
      parallelism: concurrency,
      synchronization: { mutexes: [{ name: siteMutexName(plan) }] },
      arguments: { parameters: [{ name: IMAGE_PARAMETER, value: options.image }] },
      podMetadata: { labels: { ...MANAGED_BY, ...siteLabels(plan) } },
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
      volumes,
      templates,
    },
  };
  return { ok: true, manifests: [cm, workflow] };
}

function siteLabels(plan: Plan): Record<string, string> {
  return {
    "plan.lsst.io/site": labelValue(plan.site.name),
    "plan.lsst.io/procedure": labelValue(plan.procedure.name),
  };
}

function objectMeta(plan: Plan, namespace: string | undefined) {
  return {
    ...(namespace !== undefined ? { namespace } : {}),
    labels: { ...MANAGED_BY, ...siteLabels(plan) },
    annotations: {
      "plan.lsst.io/plan-id": plan.id,
      "plan.lsst.io/plan-hash": plan.hash,
    } as Record<string, string>,
  };
}

/** The main DAG: one task per step in the plan's order, waiting for the step's direct predecessors. */
function mainTasks(
  plan: Plan,
  byId: ReadonlyMap<string, Step>,
  names: ReadonlyMap<string, string>,
): DagTask[] {
  return plan.order.map((id) => {
    const step = byId.get(id)!;
    const task: DagTask = { name: names.get(id)!, template: names.get(id)! };
    // NOTE: a step that comes after another for two reasons (a sequence and a rule) may list it twice.
    const after = [...new Set(step.after)].sort(compareIds);
    if (after.length > 0) task.dependencies = after.map((a) => names.get(a)!);
    return task;
  });
}

/** The manifests as one YAML stream, written for Kubernetes tools (see argo-yaml.ts). */
export function argoYaml(manifests: readonly Manifest[]): string {
  return toKubernetesYaml(manifests);
}
