import { describe, expect, it } from "vitest";
import type { Workflow } from "../../src/emit/argo-types.js";
import { readPlanJson } from "../../src/ir/plan.js";
import { lintWorkflow } from "./argo-lint.js";
import { argoValidators, exportCases, exported } from "./support.js";

/**
 * Every plan (the fixture plans, the export's own .dpl fixture at each site, and every entry in plans/ at
 * each site it names) exports to a Workflow and a WorkflowTemplate that the Argo Workflows JSON Schema
 * accepts, as published and with unknown fields refused, and that passes the checks of `argo lint` the
 * schema cannot express. The ConfigMap carries the very plan, hash and all.
 */

const workflowSchema = argoValidators("io.argoproj.workflow.v1alpha1.Workflow");
const templateSchema = argoValidators("io.argoproj.workflow.v1alpha1.WorkflowTemplate");

function expectValid(validators: ReturnType<typeof argoValidators>, doc: unknown): void {
  for (const [name, validate] of Object.entries(validators)) {
    const ok = validate(doc);
    expect(ok, `${name} schema: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`).toBe(true);
  }
}

describe("the exported manifests are what Argo and Kubernetes accept", () => {
  const cases = exportCases();

  it("covers the fixture plans and every site of the .dpl fixture", () => {
    const names = cases.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["every-kind", "summit-full-upgrade", "hostile-text"]));
    for (const site of ["summit", "tts", "bts"]) expect(names).toContain(`upgrade.dpl@${site}`);
  });

  for (const c of cases) {
    it(`${c.name}: Workflow and WorkflowTemplate`, () => {
      const plan = c.plan();
      const { workflow, configMap } = exported(plan);
      expect(workflow.kind).toBe("Workflow");
      expectValid(workflowSchema, workflow);
      expect(lintWorkflow(workflow)).toEqual([]);

      const asTemplate = exported(plan, { template: true }).workflow;
      expect(asTemplate.kind).toBe("WorkflowTemplate");
      expect(asTemplate.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expectValid(templateSchema, asTemplate);
      expect(lintWorkflow(asTemplate as Workflow)).toEqual([]);

      expect(configMap).toMatchObject({ apiVersion: "v1", kind: "ConfigMap", immutable: true });
      expect(configMap.metadata.name!.length).toBeLessThanOrEqual(63);
      const read = readPlanJson(configMap.data["plan.json"]!);
      expect(read.ok && read.plan.hash).toBe(plan.hash);
      expect(workflow.spec.volumes.find((v) => v.name === "plan")?.configMap?.name).toBe(
        configMap.metadata.name,
      );
    });
  }
});

describe("the lint catches what it is for", () => {
  it("a task name starting with a digit, a dangling dependency, an unknown variable", () => {
    const { workflow } = exported(exportCases()[0]!.plan());
    const broken = structuredClone(workflow);
    const dag = broken.spec.templates[0]!.dag!;
    dag.tasks[0]!.name = "1-1";
    dag.tasks[1]!.dependencies = ["nowhere"];
    broken.spec.templates.push({
      name: "x",
      suspend: {},
      metadata: { annotations: { a: "{{inputs.parameters.y}}" } },
    });
    const problems = lintWorkflow(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining("task 1-1 starts with a digit"),
        expect.stringContaining("depends on unknown nowhere"),
        expect.stringContaining("{{inputs.parameters.y}} does not resolve"),
      ]),
    );
  });

  it("the closed schema refuses a misspelled field that the published one lets through", () => {
    const { workflow } = exported(exportCases()[0]!.plan());
    const typo = structuredClone(workflow) as unknown as {
      spec: { templates: { dag?: { tasks: object[] } }[] };
    };
    (typo.spec.templates[0]!.dag!.tasks[1] as Record<string, unknown>).dependecies = ["step-1-1"];
    expect(workflowSchema.published(typo)).toBe(true);
    expect(workflowSchema.closed(typo)).toBe(false);
  });
});
