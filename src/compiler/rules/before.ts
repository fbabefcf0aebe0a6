import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { type At, counterexample, edgesFrom, MAX_VIOLATIONS, precedes, Reach, withMore } from "./proof.js";
import { matches, type RuleKind } from "./rule.js";

/** `sync science-platform before sync nublado`: every event of the first kind comes before every one of the second. */
export const before: RuleKind = {
  code: "DPL4004",
  generate(rule, steps, gen) {
    const other = rule.other!;
    const isSecond = (e: { action: string; subject: string }) =>
      e.action === other.action && other.subjects.has(e.subject);
    const seconds = steps.filter((s) => s.events.some(isSecond));
    for (const t of steps) {
      const subjects = new Set(t.events.filter((e) => matches(rule, e, t.queue)).map((e) => e.subject));
      if (subjects.size === 0) continue;
      if (t.events.some(isSecond)) gen.moveFirst(t.node, subjects);
      edgesFrom(
        gen,
        t.node,
        seconds.map((s) => s.node),
        `rule \`${rule.name}\``,
      );
    }
  },
  prove(rule, ctx) {
    const other = rule.other!;
    const reach = new Reach(ctx.dag);
    const firsts: At[] = [];
    const seconds: At[] = [];
    for (const step of ctx.steps) {
      for (const event of step.events) {
        if (matches(rule, event, step.queue)) firsts.push({ step, event });
        if (event.action === other.action && other.subjects.has(event.subject)) seconds.push({ step, event });
      }
    }
    const found: Diagnostic[] = [];
    let total = 0;
    for (const a of firsts) {
      for (const b of seconds) {
        if (a.step.node === b.step.node && a.event === b.event) continue;
        if (precedes(reach, a, b)) continue;
        total++;
        if (found.length < MAX_VIOLATIONS) {
          found.push(
            ctx.violation(
              rule,
              "DPL4004",
              `rule \`${rule.name}\` is broken: ${b.event.subject} may come before ${a.event.subject}`,
              counterexample(ctx, a, b),
              `order ${b.step.id} after ${a.step.id}`,
              a,
              b,
            ),
          );
        }
      }
    }
    return withMore(found, total);
  },
};
