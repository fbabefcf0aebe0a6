import { planHash } from "../ir/plan.js";
import type { Plan } from "../ir/schema.js";
import { systemClock } from "./clock.js";
import type { RunDisplay, RunSummary } from "./display.js";
import { type Clock, type Operator, type Secrets, type Services, StepFailure } from "./executor.js";
import { Journal, journalPath, parseJournal } from "./journal.js";
import { type JournalFs, nodeJournalFs } from "./journal-file.js";
import { acquireLock, describeHolder, type LeaseStore, type LockHolder } from "./lock.js";
import type { Redactor } from "./redact.js";
import { type ExecutorTable, missingKinds } from "./registry.js";
import { replay } from "./run-state.js";
import { runSession } from "./scheduler.js";
import { type SelectionOptions, selectSteps } from "./selection.js";

/** What the operator asked for. */
export interface RunRequest {
  readonly plan: Plan;
  readonly stateDir: string;
  readonly selection?: SelectionOptions;
  readonly concurrency: number;
  /** `--step`: ask before every step. */
  readonly stepMode?: boolean;
  /** `--resume`: continue the run in the journal. */
  readonly resume?: boolean;
  /** `--fresh`: set an unfinished run's journal aside and start over. */
  readonly fresh?: boolean;
  /** The command that resumes this run, for the summary and the refusals. */
  readonly resumeCommand?: string;
}

/** What the run works with. The CLI builds the real ones; tests and the simulated site give their own. */
export interface RunEnvironment {
  readonly registry: ExecutorTable;
  readonly operator: Operator;
  readonly services: Services;
  readonly secrets: Secrets;
  readonly redactor: Redactor;
  readonly clock: Clock;
  readonly display: RunDisplay;
  readonly lockStore: LeaseStore;
  readonly who: string;
  readonly host: string;
  readonly pid: number;
  /** Whether a process of this host lives (for stale locks); default: never assume one is gone. */
  readonly isAlive?: (pid: number) => boolean;
  readonly lockTtlSeconds?: number;
  /**
   * The clock of the lock: when it was taken and renewed, when it expires, and the renewal timer. Default
   * the wall clock, whatever `clock` is, since other operators' machines read the lock with theirs.
   */
  readonly lockClock?: Clock;
  /** Soft stop (first Ctrl-C) and hard stop (second); default: never. */
  readonly stop?: AbortSignal;
  readonly kill?: AbortSignal;
  /** Why `stop` aborted, in words. */
  readonly stopReason?: () => string;
  readonly journalFs?: JournalFs;
}

export type RunResult =
  | {
      readonly status: "refused";
      readonly problem: string;
      readonly help?: string;
      readonly usage: boolean;
      readonly holder?: LockHolder;
    }
  | { readonly status: "ran"; readonly summary: RunSummary; readonly journal: string };

const never = new AbortController().signal;

/**
 * Runs a plan against its site, as one session of a run: checks the plan and the selection, takes the
 * site's lock, opens the plan's journal (refusing a damaged one, or an unfinished run without --resume),
 * journals the session's start, runs the steps, and releases the lock. Refusals (bad plan, bad selection,
 * missing executors, lock held, journal problems) come back as `refused`, with nothing done; `usage`
 * marks those that are the caller's mistake. Never throws for a failed step: that is in the summary.
 */
export async function runPlan(request: RunRequest, env: RunEnvironment): Promise<RunResult> {
  const { plan } = request;
  const refuse = (problem: string, help?: string, usage = false): RunResult => ({
    status: "refused",
    problem,
    help,
    usage,
  });
  if (planHash(plan) !== plan.hash) {
    return refuse("the plan's content does not match its hash", "compile it again with `plan compile`");
  }
  const selected = selectSteps(plan, request.selection);
  if (!selected.ok) return refuse(selected.problem, selected.help, true);
  const { selection } = selected;
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const missing = missingKinds(
    env.registry,
    selection.order.map((id) => byId.get(id)!),
  );
  if (missing.length > 0) {
    return refuse(
      `no executor for kind ${missing.join(", ")}: this build of plan cannot run ${missing.length === 1 ? "that kind" : "those kinds"} of step`,
      "leave those steps out with --only or --from, or do them by hand",
    );
  }

  let locked: Awaited<ReturnType<typeof acquireLock>>;
  try {
    locked = await acquireLock(
      env.lockStore,
      {
        site: plan.site.name,
        by: env.who,
        host: env.host,
        pid: env.pid,
        planId: plan.id,
        planHash: plan.hash,
      },
      { clock: env.lockClock ?? systemClock, ttlSeconds: env.lockTtlSeconds, isAlive: env.isAlive },
    );
  } catch (e) {
    // The lock could not even be looked at (the cluster unreachable, the namespace missing): nothing ran,
    // and the run must not go on without it.
    const failure = e instanceof StepFailure ? e : undefined;
    if (!failure) throw e;
    return {
      status: "refused",
      problem: `the lock of site ${plan.site.name} could not be taken: ${failure.message}`,
      help: failure.help ?? "check the site's cluster, then run again",
      usage: false,
    };
  }
  if (!locked.ok) {
    return {
      status: "refused",
      problem: [
        `site ${plan.site.name} is locked by another run (${locked.where}):`,
        ...describeHolder(locked.holder).map((l) => `  ${l}`),
      ].join("\n"),
      help: `if that run is dead, wait for the lock to expire or break it with \`plan unlock --id ${locked.holder.id}\``,
      usage: false,
      holder: locked.holder,
    };
  }
  const lock = locked.lock;
  lock.startRenewing();
  try {
    if (locked.tookOver) {
      env.display.notice(`took over the stale lock of site ${plan.site.name} (${locked.tookOver.why}):`);
      for (const line of describeHolder(locked.tookOver.holder)) env.display.notice(`  ${line}`);
    }
    return await underLock(request, env, selection, lock.holder.id, lock.lost);
  } finally {
    await lock.release().catch(() => {});
  }
}

async function underLock(
  request: RunRequest,
  env: RunEnvironment,
  selection: import("./selection.js").Selection,
  lockId: string,
  lockLost: AbortSignal,
): Promise<RunResult> {
  const { plan } = request;
  const fs = env.journalFs ?? nodeJournalFs;
  const path = journalPath(request.stateDir, plan.id, plan.hash);
  const refuse = (problem: string, help?: string, usage = false): RunResult => ({
    status: "refused",
    problem,
    help,
    usage,
  });

  const text = await fs.read(path);
  if (text !== undefined) {
    const read = parseJournal(text);
    if (!read.ok)
      return refuse(`the journal ${path} is damaged: ${read.problem}`, "look at that line; nothing was run");
    const before = replay(read.events);
    const unfinished = before.sessions > 0 && !before.finished;
    if ((request.fresh || (before.finished && !request.resume)) && before.sessions > 0) {
      const stamp = (read.events[0]?.at ?? "unknown").replace(/[:.]/g, "-");
      await fs.rename(path, path.replace(/\.jsonl$/, `.${stamp}.jsonl`));
      if (request.fresh)
        env.display.notice(`set the earlier run's journal aside (started ${read.events[0]?.at})`);
    } else if (unfinished && !request.resume) {
      const last = before.lastSession;
      return refuse(
        `a run of ${plan.id} was started ${last ? `by ${last.by} on ${last.host} at ${last.at} ` : ""}and has not finished (${path})`,
        `continue it with ${request.resumeCommand ?? "`plan run --resume`"}, or start over with --fresh`,
        true,
      );
    } else if (before.finished && request.resume) {
      return refuse(
        `the run of ${plan.id} finished already; there is nothing to resume`,
        "run it again without --resume",
        true,
      );
    }
  } else if (request.resume) {
    return refuse(
      `there is no run of ${plan.id} to resume (no journal at ${path})`,
      "start it without --resume",
      true,
    );
  }

  const opened = await Journal.open(path, { clock: env.clock, redactor: env.redactor, fs });
  if (!opened.ok)
    return refuse(`the journal ${path} is damaged: ${opened.problem}`, "look at that line; nothing was run");
  const { journal } = opened;
  try {
    const stop = AbortSignal.any([env.stop ?? never, lockLost]);
    const started = journal.append({
      type: "run-started",
      planId: plan.id,
      hash: plan.hash,
      site: plan.site.name,
      by: env.who,
      host: env.host,
      pid: env.pid,
      lock: lockId,
      options: {
        concurrency: request.concurrency,
        step: request.stepMode ?? false,
        from: request.selection?.from,
        only: request.selection?.only ? [...request.selection.only] : undefined,
        resume: request.resume ?? false,
      },
    });
    try {
      await started;
    } catch (e) {
      return refuse(
        `the journal ${path} cannot be written: ${(e as Error).message}`,
        "free some space, then run again",
      );
    }
    const notices = [
      ...opened.torn.map(
        (t) =>
          `line ${t.line} of the journal was cut short (the process died while writing it) and is left out`,
      ),
      ...selection.skipped.map((d) => `${d.step} comes after ${d.dependency}, which this run leaves out`),
    ];
    for (const text of notices) {
      env.display.notice(`note: ${text}`);
      await journal.append({ type: "notice", text });
    }
    const summary = await runSession(
      {
        plan,
        registry: env.registry,
        journal,
        operator: env.operator,
        services: env.services,
        secrets: env.secrets,
        clock: env.clock,
        display: env.display,
        redactor: env.redactor,
        stop,
        kill: env.kill ?? never,
      },
      replay(opened.events),
      {
        selection,
        concurrency: request.concurrency,
        stepMode: request.stepMode ?? false,
        resumeCommand: request.resumeCommand,
        stopReason: () => (lockLost.aborted ? String(lockLost.reason) : (env.stopReason?.() ?? "stopped")),
      },
    );
    return { status: "ran", summary, journal: path };
  } finally {
    await journal.close().catch(() => {});
  }
}
