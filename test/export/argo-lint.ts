import type { Template, Workflow } from "../../src/emit/argo-types.js";

/**
 * The checks `argo lint` makes that the JSON Schema cannot express, written from Argo's validation
 * (workflow/validate/validate.go): names, references between templates and tasks, suspend nodes with
 * intermediate parameters, leaf-only fields, and every `{{variable}}` resolvable. Returns the problems
 * found, empty for a workflow Argo would accept.
 */

const NAME = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;
const PARAM_NAME = /^[-a-zA-Z0-9_]+$/;

export function lintWorkflow(wf: Workflow): string[] {
  const problems: string[] = [];
  const templates = new Map<string, Template>();
  const globals = new Set<string>();
  for (const t of wf.spec.templates) {
    if (templates.has(t.name)) problems.push(`template ${t.name} is defined twice`);
    templates.set(t.name, t);
    checkName(`template ${t.name}`, t.name, problems);
    for (const p of t.outputs?.parameters ?? []) if (p.globalName) globals.add(p.globalName);
  }
  if (!templates.has(wf.spec.entrypoint)) problems.push(`entrypoint ${wf.spec.entrypoint} is no template`);
  if (wf.spec.onExit !== undefined && !templates.has(wf.spec.onExit))
    problems.push(`onExit ${wf.spec.onExit} is no template`);
  const parameters = new Set((wf.spec.arguments?.parameters ?? []).map((p) => p.name));

  for (const t of wf.spec.templates) {
    const types = ["container", "suspend", "dag", "steps"].filter(
      (k) => (t as unknown as Record<string, unknown>)[k],
    );
    if (types.length !== 1) problems.push(`template ${t.name} has ${types.length} types`);
    if (t.activeDeadlineSeconds !== undefined && !t.container)
      problems.push(`template ${t.name}: activeDeadlineSeconds only applies to containers`);
    if (t.activeDeadlineSeconds !== undefined && !/^[1-9][0-9]*$/.test(t.activeDeadlineSeconds))
      problems.push(`template ${t.name}: activeDeadlineSeconds ${t.activeDeadlineSeconds} is not a number`);
    if (t.retryStrategy && !/^[0-9]+$/.test(t.retryStrategy.limit))
      problems.push(`template ${t.name}: retry limit ${t.retryStrategy.limit} is not a number`);
    for (const p of [...(t.inputs?.parameters ?? []), ...(t.outputs?.parameters ?? [])]) {
      if (!PARAM_NAME.test(p.name)) problems.push(`template ${t.name}: parameter name ${p.name}`);
      if (p.enum && p.default !== undefined && !p.enum.includes(p.default))
        problems.push(`template ${t.name}: default ${p.default} of ${p.name} is not in its enum`);
    }
    if (t.suspend) {
      const inputs = (t.inputs?.parameters ?? []).map((p) => p.name).sort();
      const outputs = (t.outputs?.parameters ?? []).map((p) => p.name).sort();
      if (inputs.join() !== outputs.join())
        problems.push(`suspend template ${t.name}: inputs ${inputs} differ from outputs ${outputs}`);
      for (const p of t.outputs?.parameters ?? [])
        if (!p.valueFrom?.supplied)
          problems.push(`suspend template ${t.name}: output ${p.name} is not supplied`);
      for (const p of t.inputs?.parameters ?? [])
        if (p.value === undefined && p.default === undefined)
          problems.push(`suspend template ${t.name}: input ${p.name} has no value and no default`);
    }
    if (t.dag) {
      const tasks = new Set<string>();
      for (const task of t.dag.tasks) {
        if (tasks.has(task.name)) problems.push(`dag ${t.name}: task ${task.name} twice`);
        tasks.add(task.name);
        checkName(`dag ${t.name}: task ${task.name}`, task.name, problems);
        if (/^[0-9]/.test(task.name)) problems.push(`dag ${t.name}: task ${task.name} starts with a digit`);
        if (!templates.has(task.template)) problems.push(`dag ${t.name}: task ${task.name} has no template`);
      }
      for (const task of t.dag.tasks) {
        for (const d of task.dependencies ?? [])
          if (!tasks.has(d)) problems.push(`dag ${t.name}: task ${task.name} depends on unknown ${d}`);
        checkVariables(
          `dag ${t.name}: task ${task.name}`,
          JSON.stringify(task),
          { globals, parameters, steps: new Map() },
          problems,
        );
      }
    }
    if (t.steps) {
      const seen = new Map<string, Template>();
      for (const group of t.steps) {
        for (const step of group) {
          checkName(`steps ${t.name}: step ${step.name}`, step.name, problems);
          const target = templates.get(step.template);
          if (!target) problems.push(`steps ${t.name}: step ${step.name} has no template`);
          checkVariables(
            `steps ${t.name}: step ${step.name}`,
            JSON.stringify(step),
            { globals, parameters, steps: seen, templates },
            problems,
          );
          if (target) seen.set(step.name, target);
        }
      }
    }
    const { dag: _d, steps: _s, ...leaf } = t;
    checkVariables(
      `template ${t.name}`,
      JSON.stringify(leaf),
      { globals, parameters, steps: new Map() },
      problems,
    );
  }
  return problems;
}

function checkName(what: string, name: string, problems: string[]): void {
  if (!NAME.test(name)) problems.push(`${what}: not a valid name`);
  if (name.length > 63) problems.push(`${what}: longer than 63 characters`);
}

interface Scope {
  readonly globals: ReadonlySet<string>;
  readonly parameters: ReadonlySet<string>;
  /** Steps of the same steps template that come before, with their templates. */
  readonly steps: ReadonlyMap<string, Template>;
  readonly templates?: ReadonlyMap<string, Template>;
}

/** Every `{{...}}` in the text must be one the workflow defines at that place. */
function checkVariables(what: string, text: string, scope: Scope, problems: string[]): void {
  for (const m of text.matchAll(/\{\{([^{}]*)\}\}/g)) {
    const v = m[1]!.trim();
    if (v === "workflow.name" || v === "workflow.status") continue;
    if (v.startsWith("workflow.parameters.") && scope.parameters.has(v.slice(20))) continue;
    if (v.startsWith("workflow.outputs.parameters.") && scope.globals.has(v.slice(28))) continue;
    const step = /^steps\.([^.]+)\.outputs\.parameters\.(.+)$/.exec(v);
    if (step) {
      const target = scope.steps.get(step[1]!);
      if (target?.outputs?.parameters.some((p) => p.name === step[2])) continue;
    }
    problems.push(`${what}: {{${v}}} does not resolve`);
  }
}
