import { argoYaml, exportArgo } from "../emit/argo.js";
import { pairs } from "../emit/argo-exit.js";
import { argoStepMode, type LocalCommands } from "../emit/argo-steps.js";
import type { Plan } from "../ir/schema.js";
import { planFromInput } from "./inputs.js";
import { EXIT, version } from "./main.js";
import { printInputFailure, writeOutput } from "./plan-output.js";

export interface ExportOptions {
  target: "argo";
  output?: string;
  param?: string[];
  site?: string;
  root?: string;
  image?: string;
  namespace?: string;
  serviceAccount?: string;
  template?: boolean;
  configMap?: string;
  secretName?: string;
  sshSecretName?: string;
  concurrency?: string;
  localCommands?: LocalCommands;
  lockNamespace?: string;
}

/** The image the step pods run unless `--image` says otherwise: this version of plan, as docs/argo.md builds it. */
export function defaultImage(): string {
  return `plan:${version()}`;
}

/**
 * `plan export <entry.dpl | plan.json> --target argo`: the manifests that run the plan on the site's own
 * cluster with Argo Workflows (a ConfigMap with the plan, and a Workflow or, with --template, a
 * WorkflowTemplate), as YAML, to standard output or `-o file`. Notes on standard error say what runs
 * differently on Argo. Exit codes: 0 written, 1 the plan or the options were refused, 2 bad usage.
 */
export async function exportCommand(input: string, opts: ExportOptions): Promise<number> {
  const err = (text: string) => process.stderr.write(`plan export: ${text}\n`);
  const concurrency = opts.concurrency === undefined ? undefined : Number(opts.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    err(`--concurrency must be a whole number of at least 1, not \`${opts.concurrency}\``);
    return EXIT.usage;
  }
  const got = await planFromInput(input, { site: opts.site, param: opts.param, root: opts.root });
  if (!got.ok) {
    printInputFailure("export", got);
    return EXIT.problems;
  }
  const { plan } = got;
  if (opts.site && plan.site.name !== opts.site) {
    err(`the plan is for site \`${plan.site.name}\`, not \`${opts.site}\``);
    return EXIT.usage;
  }
  const exported = exportArgo(plan, {
    image: opts.image ?? defaultImage(),
    ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
    ...(opts.serviceAccount !== undefined ? { serviceAccount: opts.serviceAccount } : {}),
    ...(opts.configMap !== undefined ? { configMap: opts.configMap } : {}),
    ...(opts.secretName !== undefined ? { secretName: opts.secretName } : {}),
    ...(opts.sshSecretName !== undefined ? { sshSecretName: opts.sshSecretName } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(opts.lockNamespace !== undefined ? { lockNamespace: opts.lockNamespace } : {}),
    template: opts.template ?? false,
    localCommands: opts.localCommands ?? "operator",
  });
  if (!exported.ok) {
    err(`${exported.problem}\n  help: ${exported.help}`);
    return EXIT.problems;
  }
  const problem = writeOutput(argoYaml(exported.manifests), opts.output);
  if (problem) {
    err(problem);
    return EXIT.problems;
  }
  for (const note of exportNotes(plan, opts.localCommands ?? "operator"))
    process.stderr.write(`note: ${note}\n`);
  if (opts.output) {
    const kind = opts.template ? "WorkflowTemplate" : "Workflow";
    process.stderr.write(
      `wrote ${opts.output}: ConfigMap and ${kind} of ${plan.id} (${plan.steps.length} steps)\n`,
    );
  }
  return EXIT.ok;
}

/** What runs differently on Argo than with `plan run`, step by step, for the person exporting. */
export function exportNotes(plan: Plan, localCommands: LocalCommands): string[] {
  const notes: string[] = [];
  for (const id of plan.order) {
    const step = plan.steps.find((s) => s.id === id)!;
    if (step.kind === "command" && step.host === undefined) {
      notes.push(
        localCommands === "operator"
          ? `step ${id} runs a command on the operator's machine: on Argo it waits for the operator to run it and answer done (--local-commands pod runs it in the step's pod instead)`
          : `step ${id} runs its command in the step's pod: the image must have what it needs`,
      );
    }
    if (argoStepMode(step, localCommands) === "container" && step.onTimeout?.kind === "ask") {
      notes.push(
        `step ${id} asks the operator when its wait times out; a pod cannot ask, so on Argo the step fails then (look, then \`argo retry\` the workflow, or let the exit handler clean up)`,
      );
    }
  }
  const undone = pairs(plan);
  if (undone.length > 0) {
    const list = undone.map((p) => `${p.undo.id} (undoes ${p.change.id})`).join(", ");
    notes.push(`if the workflow fails or is stopped after a temporary change, its exit handler runs ${list}`);
  }
  return notes;
}
