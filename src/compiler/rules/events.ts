import type { Step } from "../../ir/schema.js";
import type { Action, XStep } from "../model.js";
import { SYSTEM_WIDE_SHUTDOWN } from "../scripts.js";

/**
 * What the ordering rules see of a step: the events it causes (a CSC sent to a state, an application
 * synced) and their order inside the step. The same view is taken of the compiler's working steps (to add
 * edges) and of a finished plan (to prove the rules on it), so the proof never trusts the generator.
 */
export interface RuleEvent {
  readonly action: Action;
  /** A CSC id (`ScriptQueue:1`) or an application name. */
  readonly subject: string;
  /** Order inside the step: a smaller rank happens first; equal ranks have no defined order. */
  readonly rank: number;
  /** A synced application's Argo CD project. */
  readonly project?: string;
}

export interface StepEvents {
  /** The step's index in the plan's step list: its node in the DAG. */
  readonly node: number;
  readonly id: string;
  readonly title: string;
  readonly events: readonly RuleEvent[];
  /** The ScriptQueue that runs a transition. */
  readonly queue?: string;
  readonly script?: string;
}

const ACTION_OF_STATE: Readonly<Record<string, Action>> = {
  OFFLINE: "offline",
  STANDBY: "standby",
  DISABLED: "disable",
  ENABLED: "enable",
};

/**
 * Ranks of a transition's CSCs. set_summary_state.py handles its list one item at a time, in order.
 * system_wide_shutdown.py handles `start_with` in order, then all the others with no defined order, then
 * `end_with` in order (names without index: every instance of a name has the rank of the name).
 */
export function transitionEvents(
  action: Action,
  script: string,
  cscs: readonly string[],
  startWith: readonly string[],
  endWith: readonly string[],
): RuleEvent[] {
  if (script !== SYSTEM_WIDE_SHUTDOWN) return cscs.map((subject, rank) => ({ action, subject, rank }));
  const middle = startWith.length;
  return cscs.map((subject) => {
    const name = subject.split(":")[0]!;
    const s = startWith.indexOf(name);
    const e = endWith.indexOf(name);
    return { action, subject, rank: s >= 0 ? s : e >= 0 ? middle + 1 + e : middle };
  });
}

export function eventsOfXStep(step: XStep, node: number): StepEvents {
  const base = { node, id: step.id, title: step.title };
  const t = step.transition;
  if (t) {
    const action = t.verb as Action;
    return {
      ...base,
      events: transitionEvents(action, t.script, t.cscs, t.startWith, t.endWith),
      queue: t.queue,
      script: t.script,
    };
  }
  if (step.app) {
    return {
      ...base,
      events: [
        {
          action: "sync",
          subject: step.app.name,
          rank: 0,
          ...(step.app.project ? { project: step.app.project } : {}),
        },
      ],
    };
  }
  return { ...base, events: [] };
}

export function eventsOfPlanStep(step: Step, node: number): StepEvents {
  const base = { node, id: step.id, title: step.title };
  if (step.kind === "csc-transition") {
    const strings = (v: unknown): string[] =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
    const action = ACTION_OF_STATE[step.state]!;
    const events = transitionEvents(
      action,
      step.script,
      step.cscs,
      strings(step.config.start_with),
      strings(step.config.end_with),
    );
    return { ...base, events, queue: step.queue, script: step.script };
  }
  if (step.kind === "argocd-sync") {
    return {
      ...base,
      events: [
        { action: "sync", subject: step.app, rank: 0, ...(step.project ? { project: step.project } : {}) },
      ],
    };
  }
  return { ...base, events: [] };
}
