import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { events, verb } from "./first.js";
import { counterexample, edgesInto, MAX_VIOLATIONS, precedes, Reach, withMore } from "./proof.js";
import { inDomain, matches, type RuleKind } from "./rule.js";

/** `offline ScriptQueue:* last`, `sync love last in project telescope`: every other event of the domain comes first. */
export const last: RuleKind = {
  code: "DPL4003",
  generate(rule, steps, gen) {
    const subjectSteps = steps.filter((s) => s.events.some((e) => matches(rule, e, s.queue)));
    const otherSteps = steps.filter((s) =>
      s.events.some((e) => inDomain(rule, e) && !matches(rule, e, s.queue)),
    );
    for (const t of subjectSteps) {
      const subjects = new Set(t.events.filter((e) => matches(rule, e, t.queue)).map((e) => e.subject));
      if (t.events.some((e) => inDomain(rule, e) && !subjects.has(e.subject))) gen.moveLast(t.node, subjects);
      edgesInto(
        gen,
        otherSteps.map((s) => s.node),
        t.node,
        `rule \`${rule.name}\`: ${[...subjects].join(", ")} last`,
      );
    }
  },
  prove(rule, ctx) {
    const reach = new Reach(ctx.dag);
    const { subjects, others } = events(rule, ctx.steps);
    const found: Diagnostic[] = [];
    let total = 0;
    for (const x of subjects) {
      for (const y of others) {
        if (precedes(reach, y, x, "to")) continue;
        total++;
        if (found.length < MAX_VIOLATIONS) {
          found.push(
            ctx.violation(
              rule,
              rule.project ? "DPL4006" : "DPL4003",
              `rule \`${rule.name}\` is broken: ${x.event.subject} may be ${verb(rule)} before ${y.event.subject}`,
              counterexample(ctx, y, x),
              `order ${x.step.id} after ${y.step.id}: write it later, or add \`after\``,
              y,
              x,
            ),
          );
        }
      }
    }
    return withMore(found, total);
  },
};
