import { describe, expect, it } from "vitest";
import type { CompiledPlan } from "../../src/compiler/compile.js";
import { buildDag, descendants } from "../../src/compiler/graph.js";
import { proveRules, RULE_KINDS, type SiteRule } from "../../src/compiler/rules/index.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import type { Plan, StepOf } from "../../src/ir/schema.js";
import { check, FIXTURES } from "./support.js";

/**
 * The proofs of the ordering rules, attacked: from the plans of fixtures/valid/mutation (every rule orders
 * events of different steps through an edge of its own, and some order the CSCs inside a step), each single
 * edge is deleted or reversed in turn and the rules are proven again on the IR alone, as `plan run` does
 * with a plan file. A proof that fails must fail with the code of a rule whose events sit on both sides of
 * the missing edge; every rule must fail for some deletion; reordering the CSCs inside a step must break the
 * rule that ordered them.
 */
const compiled = check([`${FIXTURES}/valid/mutation`]).plans;

interface Proven {
  readonly plan: Plan;
  readonly rules: readonly SiteRule[];
  /** The rules proven on a changed plan, with the steps' source lines as `plan check` gives them. */
  prove(plan: Plan): Diagnostic[];
}

function planOf(site: string): Proven {
  const c = compiled.find((p: CompiledPlan) => p.site === site)!;
  return {
    plan: c.plan!,
    rules: c.rules,
    prove: (plan) => proveRules(plan, c.rules, (id) => c.spans.get(id)),
  };
}

/** The rule a violation is about (its message says "rule `name` is broken"), and the steps it names. */
function about(d: Diagnostic): { rule: string; steps: string[] } {
  const rule = /rule `([^`]+)` is broken/.exec(d.message)?.[1] ?? "";
  const steps = (d.related ?? []).flatMap((r) => /^step (\S+):/.exec(r.message)?.[1] ?? []);
  return { rule, steps };
}

function codeOf(rule: SiteRule): string {
  return rule.project ? "DPL4006" : RULE_KINDS[rule.kind].code;
}

/** Whether `to` can be reached from `from` in the plan (a step reaches itself). */
function reaches(plan: Plan): (from: string, to: string) => boolean {
  const index = new Map(plan.steps.map((s, i) => [s.id, i]));
  const dag = buildDag(
    plan.steps.length,
    plan.edges.map((e) => [index.get(e.from)!, index.get(e.to)!] as const),
  );
  const cache = new Map<string, Uint8Array>();
  return (from, to) => {
    let down = cache.get(from);
    if (!down) {
      down = descendants(dag, index.get(from)!);
      cache.set(from, down);
    }
    return down[index.get(to)!] === 1;
  };
}

describe("mutations of a proven plan", () => {
  it("compile and hold as written", () => {
    expect(compiled.map((p) => p.site)).toEqual(["alpha", "beta"]);
    for (const { plan, rules, prove } of compiled.map((c) => planOf(c.site))) {
      expect(prove(plan)).toEqual([]);
      expect(rules.length).toBe(6);
    }
  });

  for (const site of ["alpha", "beta"]) {
    it(`at ${site}: deleting or reversing an edge fails only with the code of a rule across that edge`, () => {
      const { plan, rules, prove } = planOf(site);
      const reach = reaches(plan);
      const byName = new Map(rules.map((r) => [r.name, r]));
      for (let i = 0; i < plan.edges.length; i++) {
        const edge = plan.edges[i]!;
        const without = plan.edges.filter((_, j) => j !== i);
        const deleted = prove({ ...plan, edges: without });
        for (const d of deleted) {
          const { rule, steps } = about(d);
          const which = `deleting ${edge.from} -> ${edge.to}: ${d.message}`;
          expect(byName.has(rule), which).toBe(true);
          expect(d.code, which).toBe(codeOf(byName.get(rule)!));
          // The two steps the rule orders were ordered only through the deleted edge.
          expect(steps.length, which).toBe(2);
          const [a, b] = steps as [string, string];
          expect(reach(a, edge.from) && reach(edge.to, b), which).toBe(true);
        }
        const reversed = prove({ ...plan, edges: [...without, { ...edge, from: edge.to, to: edge.from }] });
        // Reversing adds an edge, which can only add orderings: it breaks no more than the deletion did.
        const shown = (ds: Diagnostic[]) => ds.map((d) => `${d.code} ${d.message}`);
        for (const m of shown(reversed)) expect(shown(deleted), m).toContain(m);
      }
    });
  }

  it("every rule fails when one of its edges is deleted", () => {
    const broken = new Set<string>();
    for (const { plan, prove } of compiled.map((c) => planOf(c.site))) {
      plan.edges.forEach((_, i) => {
        const edges = plan.edges.filter((__, j) => j !== i);
        for (const d of prove({ ...plan, edges })) broken.add(about(d).rule);
      });
    }
    const all = [...new Set(compiled.flatMap((c) => c.rules.map((r) => r.name)))].sort();
    expect([...broken].sort()).toEqual(all);
  });

  it("every rule edge is needed: deleting it breaks its rule, unless another path still orders the two steps", () => {
    for (const { plan, prove } of compiled.map((c) => planOf(c.site))) {
      const ruleEdges = plan.edges.filter((e) => e.reason.kind === "rule");
      expect(ruleEdges.length).toBeGreaterThan(0);
      for (const edge of ruleEdges) {
        const changed = { ...plan, edges: plan.edges.filter((e) => e !== edge) };
        if (reaches(changed)(edge.from, edge.to)) continue;
        const failed = prove(changed).map((d) => about(d).rule);
        expect(failed, `${edge.from} -> ${edge.to}`).toContain(edge.reason.rule);
      }
    }
  });

  it("reordering the CSCs inside a step breaks the rule that ordered them", () => {
    const transition = (plan: Plan, id: string) =>
      plan.steps.find((s) => s.id === id) as StepOf<"csc-transition">;
    const withStep = (plan: Plan, step: StepOf<"csc-transition">): Plan => ({
      ...plan,
      steps: plan.steps.map((s) => (s.id === step.id ? step : s)),
    });
    const failures = (plan: Plan, proven: Proven) => [
      ...new Set(proven.prove(plan).map((d) => `${d.code} ${about(d).rule}`)),
    ];

    // alpha 1.2 sends the `obs` group OFFLINE with the Watcher first: put it last.
    const alpha = planOf("alpha");
    const obs = transition(alpha.plan, "1.2");
    expect(obs.cscs[0]).toBe("Watcher");
    const watcherLast = [...obs.cscs.slice(1), "Watcher"];
    expect(
      failures(
        withStep(alpha.plan, {
          ...obs,
          cscs: watcherLast,
          config: { ...obs.config, data: watcherLast.map((c) => [c, "OFFLINE"]) },
        }),
        alpha,
      ),
    ).toContain("DPL4002 watcher-first");

    // alpha 1.3 runs on ScriptQueue:1 and sends it OFFLINE last: move it off the end of `data`.
    const queues = transition(alpha.plan, "1.3");
    expect(queues.cscs.at(-1)).toBe(queues.queue);
    const runnerFirst = [queues.queue, ...queues.cscs.filter((c) => c !== queues.queue)];
    expect(
      failures(
        withStep(alpha.plan, {
          ...queues,
          cscs: runnerFirst,
          config: { ...queues.config, data: runnerFirst.map((c) => [c, "OFFLINE"]) },
        }),
        alpha,
      ),
    ).toContain("DPL4005 runner-last");

    // beta 1.1 is system_wide_shutdown.py with the Watcher in start_with: take it out.
    const beta = planOf("beta");
    const shutdown = transition(beta.plan, "1.1");
    expect(shutdown.config.start_with).toEqual(["Watcher"]);
    const { start_with: _gone, ...config } = shutdown.config;
    expect(failures(withStep(beta.plan, { ...shutdown, config }), beta)).toEqual(["DPL4002 watcher-first"]);

    // beta 1.2 runs on ScriptQueue:2 and sends both queues OFFLINE, its own last: swap them.
    const betaQueues = transition(beta.plan, "1.2");
    const swapped = [...betaQueues.cscs].reverse();
    expect(failures(withStep(beta.plan, { ...betaQueues, cscs: swapped }), beta)).toEqual([
      "DPL4005 runner-last",
    ]);
  });
});
