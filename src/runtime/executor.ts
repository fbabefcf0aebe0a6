import type { Plan, PlanSite, StepKind, StepOf } from "../ir/schema.js";

/**
 * The contract between the runtime's scheduler and the executors, one per kind of step. An executor talks
 * to the real system through a client from `ctx.services`, never prints (it logs through `ctx.log`, which
 * the runtime journals and redacts), sleeps only through `ctx.clock` (so a simulated site can compress
 * time), and stops promptly when `ctx.signal` aborts.
 */

/** Time, as the runtime sees it. The simulated site runs it faster than the wall clock. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Waits `ms` milliseconds of this clock's time; rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export type OperatorChoice = "done" | "skip" | "abort" | "yes" | "no";

/** What the runtime puts to the operator: a manual step to do, a question before an automated step. */
export interface OperatorQuestion {
  readonly stepId: string;
  readonly title: string;
  /** What to do, exactly: the text, the command, the script and its configuration, the URL. */
  readonly details: readonly string[];
  readonly choices: readonly OperatorChoice[];
}

export type OperatorAnswer =
  | { readonly answer: "done" | "yes" | "no"; readonly by: string }
  | { readonly answer: "skip"; readonly reason: string; readonly by: string }
  | { readonly answer: "abort"; readonly reason?: string; readonly by: string };

/** The person running the plan: at a terminal, from an answers file, or a scripted operator. */
export interface Operator {
  ask(question: OperatorQuestion, signal: AbortSignal): Promise<OperatorAnswer>;
}

/** Secrets are read from the environment by name; every value read is redacted from all output. */
export interface Secrets {
  /** The value of an environment variable that holds a secret, or undefined when it is not set. */
  get(envName: string): string | undefined;
}

/** A live view of a long wait: what is awaited, where it stands, how long is left. */
export interface Progress {
  readonly what: string;
  readonly current: string;
  readonly target: string;
  readonly remainingMs?: number;
}

/**
 * The clients of a site's systems, created on first use from the plan's site (and the runtime's options,
 * such as a kubeconfig path). Each returns the real client library's adapter.
 */
export interface Services {
  kubernetes(): import("./clients/kubernetes.js").KubeClient;
  kafka(): import("./clients/kafka.js").KafkaLagClient;
  argocd(): import("./clients/argocd.js").ArgoCdClient;
  registry(): import("./clients/schema-registry.js").SchemaRegistryClient;
  /** The EFD (InfluxDB) where CSC states and heartbeats can be read; undefined where the site gives none. */
  efd(): import("./clients/efd.js").EfdClient | undefined;
  commands(): import("./clients/commands.js").CommandRunner;
  /** Releases connections. */
  close(): Promise<void>;
}

export interface StepContext {
  readonly plan: Plan;
  readonly site: PlanSite;
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly operator: Operator;
  readonly secrets: Secrets;
  readonly services: Services;
  /** One line of the step's output; journaled before the step goes on, with secrets redacted. */
  log(line: string): void;
  /** Updates the live display of a wait. */
  progress(progress: Progress): void;
}

export type StepResult =
  | { readonly status: "done"; readonly summary?: string }
  | { readonly status: "skipped"; readonly reason: string };

/**
 * How a step fails: a message a person understands and, where there is one, what to do about it.
 * Anything else an executor throws is reported as an internal error of that executor.
 */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly help?: string,
    /** Whether trying again could succeed (a refused connection, a timeout), for `retry`. */
    readonly transient = false,
  ) {
    super(message);
    this.name = "StepFailure";
  }
}

/** The operator chose to abort the run at this step. */
export class RunAborted extends Error {
  constructor(readonly reason: string | undefined) {
    super(reason ? `aborted by the operator: ${reason}` : "aborted by the operator");
    this.name = "RunAborted";
  }
}

export type Observation = "done" | "not-done" | "unknown";

export interface Executor<K extends StepKind = StepKind> {
  readonly kind: K;
  /**
   * Exactly what the step would do, one line per command, API call or configuration, for `--dry-run`
   * and the checklist. Touches nothing.
   */
  describe(step: StepOf<K>, site: PlanSite): string[];
  /** Does the step. Resolves when it is done or skipped; throws StepFailure when it fails. */
  run(step: StepOf<K>, ctx: StepContext): Promise<StepResult>;
  /**
   * Looks at the site to tell whether the step's effect is there, for a step that was started but whose
   * end is not in the journal. Absent or "unknown" means the operator is asked.
   */
  observe?(step: StepOf<K>, ctx: StepContext): Promise<Observation>;
}

/** Every executor, by kind: the registry the scheduler dispatches on. */
export type ExecutorRegistry = { readonly [K in StepKind]: Executor<K> };
