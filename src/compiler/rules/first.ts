import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { StepEvents } from "./events.js";
import { type At, counterexample, edgesFrom, MAX_VIOLATIONS, precedes, Reach, withMore } from "./proof.js";
import { inDomain, matches, type RuleKind, type SiteRule } from "./rule.js";

/**
 * `offline Watcher first` (`among …`, `in project …`): every event of the subjects happens before every
 * other event of the action in its domain, in every order the runtime could choose.
 */
export const first: RuleKind = {
  code: "DPL4002",
  generate(rule, steps, gen) {
    const { subjectSteps, otherSteps } = split(rule, steps);
    for (const t of subjectSteps) {
      const subjects = new Set(t.events.filter((e) => matches(rule, e, t.queue)).map((e) => e.subject));
      if (t.events.some((e) => inDomain(rule, e) && !subjects.has(e.subject)))
        gen.moveFirst(t.node, subjects);
      edgesFrom(
        gen,
        t.node,
        otherSteps.map((s) => s.node),
        `rule \`${rule.name}\`: ${[...subjects].join(", ")} first`,
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
        if (precedes(reach, x, y)) continue;
        total++;
        if (found.length < MAX_VIOLATIONS) {
          found.push(
            ctx.violation(
              rule,
              rule.project ? "DPL4006" : "DPL4002",
              `rule \`${rule.name}\` is broken: ${y.event.subject} may be ${verb(rule)} before ${x.event.subject}`,
              counterexample(ctx, x, y),
              `order ${y.step.id} after ${x.step.id}: write it later, or add \`after\``,
              x,
              y,
            ),
          );
        }
      }
    }
    return withMore(found, total);
  },
};

export function verb(rule: SiteRule): string {
  return rule.action === "sync"
    ? "synced"
    : `sent ${rule.action === "offline" ? "OFFLINE" : rule.action === "standby" ? "to STANDBY" : rule.action === "enable" ? "to ENABLED" : "to DISABLED"}`;
}

function split(rule: SiteRule, steps: readonly StepEvents[]) {
  const subjectSteps = steps.filter((s) => s.events.some((e) => matches(rule, e, s.queue)));
  const otherSteps = steps.filter((s) =>
    s.events.some((e) => inDomain(rule, e) && !matches(rule, e, s.queue)),
  );
  return { subjectSteps, otherSteps };
}

export function events(rule: SiteRule, steps: readonly StepEvents[]): { subjects: At[]; others: At[] } {
  const subjects: At[] = [];
  const others: At[] = [];
  for (const step of steps) {
    for (const event of step.events) {
      if (matches(rule, event, step.queue)) subjects.push({ step, event });
      else if (inDomain(rule, event)) others.push({ step, event });
    }
  }
  return { subjects, others };
}
