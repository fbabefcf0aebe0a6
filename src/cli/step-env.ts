import type { Writable } from "node:stream";
import type { Executor, Operator, OperatorAnswer, OperatorQuestion } from "../runtime/executor.js";
import type { JournalFs } from "../runtime/journal-file.js";
import { LeaseConflict, type LeaseStore, type LockHolder, type StoredLease } from "../runtime/lock.js";
import { NeedsOperator, questionKind } from "../runtime/operator.js";
import type { ExecutorTable } from "../runtime/registry.js";

/**
 * What `plan step` gives the runtime in place of `plan run`'s terminal pieces: a lock that only this
 * process sees (on Argo, the workflow's mutex is the site's lock, and the steps of one workflow run side
 * by side), a journal on standard output, an operator who can only say yes to the step's confirmation,
 * and executors that note when the step really starts.
 */

/**
 * A lease store in this process's memory, for a run of one step whose exclusion is ensured elsewhere (the
 * Argo workflow's mutex named after the site). Compare-and-swap as the real stores do it.
 */
export class ProcessLeaseStore implements LeaseStore {
  private stored: StoredLease | undefined;
  private version = 0;
  constructor(readonly where: string) {}

  async get(): Promise<StoredLease | undefined> {
    return this.stored;
  }
  async create(holder: LockHolder): Promise<StoredLease> {
    if (this.stored) throw new LeaseConflict();
    this.stored = { version: String(++this.version), holder };
    return this.stored;
  }
  async replace(holder: LockHolder, version: string): Promise<StoredLease> {
    if (this.stored?.version !== version) throw new LeaseConflict();
    this.stored = { version: String(++this.version), holder };
    return this.stored;
  }
  async delete(version: string): Promise<void> {
    if (this.stored?.version !== version) throw new LeaseConflict();
    this.stored = undefined;
  }
}

/**
 * A journal written to a stream (standard output in a pod, where the log collector keeps it): nothing
 * is read back, so every `plan step` starts a journal of its own; `sync` resolves once the stream has
 * taken the text. Renaming (setting an old journal aside) never happens, as there is nothing to read.
 */
export function streamJournalFs(stream: Writable): JournalFs {
  return {
    async read() {
      return undefined;
    },
    async openAppend() {
      return {
        write: (text: string) =>
          new Promise<void>((resolve, reject) => stream.write(text, (e) => (e ? reject(e) : resolve()))),
        async sync() {},
        async close() {},
      };
    },
    async rename() {},
  };
}

/**
 * The operator of `plan step`: nobody is there. With `confirmed`, the step's own `confirm` question is
 * answered yes (the Argo suspend node before the pod asked it, and the operator said yes); every other
 * question stops the step with NeedsOperator, saying why.
 */
export class StepOperator implements Operator {
  constructor(
    private readonly stepId: string,
    private readonly confirmed: boolean,
    private readonly by: string,
  ) {}

  async ask(question: OperatorQuestion): Promise<OperatorAnswer> {
    if (this.confirmed && question.stepId === this.stepId && questionKind(question) === "confirm") {
      return { answer: "yes", by: this.by };
    }
    const why =
      questionKind(question) === "confirm"
        ? "`plan step` has no one to ask (give --confirmed once the question was answered yes)"
        : "`plan step` has no one to ask (run the step with `plan run --only` at a terminal)";
    throw new NeedsOperator(question.stepId, why);
  }
}

/** The executors, each calling `onStart(stepId)` just before it runs a step (after every question). */
export function announcingExecutors(table: ExecutorTable, onStart: (stepId: string) => void): ExecutorTable {
  const out: Record<string, Executor> = {};
  for (const [kind, executor] of Object.entries(table) as [string, Executor | undefined][]) {
    if (!executor) continue;
    out[kind] = {
      ...executor,
      describe: executor.describe.bind(executor),
      run(step, ctx) {
        onStart(step.id);
        return executor.run(step, ctx);
      },
      ...(executor.observe ? { observe: executor.observe.bind(executor) } : {}),
    };
  }
  return out as ExecutorTable;
}
