import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { type At, counterexample, edgesInto, MAX_VIOLATIONS, precedes, Reach, withMore } from "./proof.js";
import { inDomain, type RuleKind } from "./rule.js";

/**
 * `offline runner last among ScriptQueue:*`: a step that sends the ScriptQueue running it OFFLINE does so
 * after every other ScriptQueue has gone OFFLINE, in that step and in every other step.
 */
export const runnerLast: RuleKind = {
  code: "DPL4005",
  generate(rule, steps, gen) {
    for (const t of steps) {
      if (!t.queue || !t.events.some((e) => e.subject === t.queue && e.action === rule.action)) continue;
      const others = steps.filter((s) => s.node !== t.node && s.events.some((e) => inDomain(rule, e)));
      if (t.events.some((e) => inDomain(rule, e) && e.subject !== t.queue))
        gen.moveLast(t.node, new Set([t.queue]));
      edgesInto(
        gen,
        others.map((s) => s.node),
        t.node,
        `rule \`${rule.name}\`: ${t.queue} runs the script, so it goes last`,
      );
    }
  },
  prove(rule, ctx) {
    const reach = new Reach(ctx.dag);
    const found: Diagnostic[] = [];
    let total = 0;
    const domain: At[] = [];
    for (const step of ctx.steps)
      for (const event of step.events) if (inDomain(rule, event)) domain.push({ step, event });
    for (const x of domain) {
      if (x.event.subject !== x.step.queue) continue;
      for (const y of domain) {
        if (y === x) continue;
        if (precedes(reach, y, x, "to")) continue;
        total++;
        if (found.length < MAX_VIOLATIONS) {
          found.push(
            ctx.violation(
              rule,
              "DPL4005",
              `rule \`${rule.name}\` is broken: ${x.event.subject} runs step ${x.step.id} but may go OFFLINE before ${y.event.subject}`,
              counterexample(ctx, y, x),
              `send ${x.event.subject} OFFLINE last: at the end of the list, after every other ScriptQueue`,
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
