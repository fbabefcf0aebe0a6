import { type Step, type StepKind, StepSchema } from "../ir/schema.js";
import type { Executor } from "./executor.js";
import { argocdExecutors } from "./executors/argocd.js";
import { commandExecutors } from "./executors/command.js";
import { cscStatesExecutors } from "./executors/csc-states.js";
import { kafkaExecutors } from "./executors/kafka.js";
import { kubernetesExecutors } from "./executors/kubernetes.js";
import { operatorExecutors } from "./executors/operator.js";
import { schemaRegistryExecutors } from "./executors/schema-registry.js";

/**
 * The executors the scheduler dispatches on, by step kind. A kind without an executor stays visibly
 * missing: the run refuses to start (and a dry run says so) rather than skipping its steps.
 */
export type ExecutorTable = { readonly [K in StepKind]?: Executor<K> };

/** Every step kind the plan IR knows, in the schema's order. */
export const STEP_KINDS: readonly StepKind[] = StepSchema.options.map((o) => o.shape.kind.value);

/** The executors of the real runtime: every kind of step the plan IR knows. */
export const builtinExecutors: ExecutorTable = {
  ...commandExecutors,
  ...operatorExecutors,
  ...argocdExecutors,
  ...schemaRegistryExecutors,
  ...cscStatesExecutors,
  ...kafkaExecutors,
  ...kubernetesExecutors,
};

/** A step kind that no executor handles. */
export class NoExecutor extends Error {
  constructor(readonly kind: string) {
    super(`no executor for kind ${kind}`);
    this.name = "NoExecutor";
  }
}

/** The executor of a step's kind; throws NoExecutor when the table has none. */
export function executorFor(table: ExecutorTable, step: Step): Executor {
  const executor = table[step.kind] as Executor | undefined;
  if (!executor) throw new NoExecutor(step.kind);
  return executor;
}

/** The kinds among these steps that the table has no executor for, sorted, each once. */
export function missingKinds(table: ExecutorTable, steps: readonly Step[]): StepKind[] {
  return [...new Set(steps.map((s) => s.kind).filter((k) => !table[k]))].sort();
}
