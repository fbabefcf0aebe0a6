import { describe, expect, it } from "vitest";
import type { Template, Workflow } from "../../src/emit/argo-types.js";
import type { Plan } from "../../src/ir/schema.js";
import { exportCases, exported, template } from "./support.js";

/**
 * The exported DAG is the plan's DAG: walking the Workflow's entrypoint DAG (each task's step read from
 * its template's `plan.lsst.io/step` annotation, not from the naming scheme) gives the plan's steps, each
 * once, and exactly the plan's edges, both as `edges` and as each step's `after`.
 */

const edgeKey = (from: string, to: string) => `${from} -> ${to}`;

/** The steps and edges of the workflow's main DAG, in step ids. */
function walk(workflow: Workflow): { steps: string[]; edges: Set<string>; order: string[] } {
  const main = template(workflow, workflow.spec.entrypoint);
  const stepOf = new Map<string, string>();
  for (const task of main.dag!.tasks) {
    const t: Template = template(workflow, task.template);
    const id = t.metadata?.annotations?.["plan.lsst.io/step"];
    if (id === undefined) throw new Error(`task ${task.name}: its template names no step`);
    stepOf.set(task.name, id);
  }
  const edges = new Set<string>();
  for (const task of main.dag!.tasks) {
    for (const dep of task.dependencies ?? []) edges.add(edgeKey(stepOf.get(dep)!, stepOf.get(task.name)!));
  }
  // A topological order of the exported DAG (Kahn), to show it has no cycle.
  const indegree = new Map(main.dag!.tasks.map((t) => [t.name, new Set(t.dependencies ?? []).size]));
  const ready = main.dag!.tasks.filter((t) => !t.dependencies?.length).map((t) => t.name);
  const order: string[] = [];
  while (ready.length > 0) {
    const next = ready.shift()!;
    order.push(stepOf.get(next)!);
    for (const t of main.dag!.tasks) {
      if (!t.dependencies?.includes(next)) continue;
      indegree.set(t.name, indegree.get(t.name)! - 1);
      if (indegree.get(t.name) === 0) ready.push(t.name);
    }
  }
  return { steps: [...stepOf.values()], edges, order };
}

function planEdges(plan: Plan): { edges: Set<string>; after: Set<string> } {
  return {
    edges: new Set(plan.edges.map((e) => edgeKey(e.from, e.to))),
    after: new Set(plan.steps.flatMap((s) => s.after.map((a) => edgeKey(a, s.id)))),
  };
}

describe("the exported DAG equals the plan's DAG", () => {
  for (const c of exportCases()) {
    it(c.name, () => {
      const plan = c.plan();
      const { workflow } = exported(plan);
      const walked = walk(workflow);
      expect([...walked.steps].sort()).toEqual(plan.steps.map((s) => s.id).sort());
      expect(new Set(walked.steps).size).toBe(plan.steps.length);
      const { edges, after } = planEdges(plan);
      expect([...walked.edges].sort()).toEqual([...edges].sort());
      expect([...walked.edges].sort()).toEqual([...after].sort());
      expect(walked.order).toHaveLength(plan.steps.length);
      for (const task of template(workflow, "plan").dag!.tasks) {
        expect(new Set(task.dependencies ?? []).size, task.name).toBe(task.dependencies?.length ?? 0);
      }
      // The plan's own order is a topological order of the exported DAG.
      const rank = new Map(plan.order.map((id, i) => [id, i]));
      for (const e of walked.edges) {
        const [from, to] = e.split(" -> ") as [string, string];
        expect(rank.get(from)!).toBeLessThan(rank.get(to)!);
      }
    });
  }

  it("a dropped or an extra dependency is seen", () => {
    const plan = exportCases()[0]!.plan();
    const { workflow } = exported(plan);
    const main = template(workflow, "plan");
    const withDeps = main.dag!.tasks.find((t) => (t.dependencies?.length ?? 0) > 0)!;
    const dropped = withDeps.dependencies!.pop()!;
    expect(walk(workflow).edges.size).toBe(planEdges(plan).edges.size - 1);
    withDeps.dependencies!.push(dropped, main.dag!.tasks.at(-1)!.name);
    expect(walk(workflow).edges.size).toBe(planEdges(plan).edges.size + 1);
  });
});
