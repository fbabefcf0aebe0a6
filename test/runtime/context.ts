import type { Plan, PlanSite, StepKind, StepOf } from "../../src/ir/schema.js";
import type {
  Clock,
  Operator,
  OperatorAnswer,
  OperatorQuestion,
  Progress,
  Secrets,
  Services,
  StepContext,
} from "../../src/runtime/executor.js";

/**
 * Test doubles of what the runtime gives an executor: a StepContext with a fake clock, a recording
 * operator, services that fail loudly unless a test provides them, and builders of sites, plans and steps.
 */

/** A clock whose sleeps take no real time: each one moves `now` forward. Honors abort signals. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private time = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.time += ms;
    await Promise.resolve();
    if (signal?.aborted) throw signal.reason;
  }
}

type Answerer = (question: OperatorQuestion) => OperatorAnswer;

/** An operator that records every question and answers from a list (in order) or a function. */
export class RecordingOperator implements Operator {
  readonly questions: OperatorQuestion[] = [];
  private readonly answers: OperatorAnswer[] | Answerer;
  constructor(answers: OperatorAnswer[] | Answerer = () => ({ answer: "done", by: "tester" })) {
    this.answers = Array.isArray(answers) ? [...answers] : answers;
  }
  async ask(question: OperatorQuestion): Promise<OperatorAnswer> {
    this.questions.push(question);
    if (typeof this.answers === "function") return this.answers(question);
    const next = this.answers.shift();
    if (!next) throw new Error(`the recording operator has no answer left for step ${question.stepId}`);
    return next;
  }
}

/** Services that throw on use unless the test provides them. */
export function testServices(provided: Partial<Services> = {}): Services {
  const missing = (name: string) => () => {
    throw new Error(`the ${name} service is not available in this test`);
  };
  return {
    kubernetes: missing("kubernetes"),
    kafka: missing("kafka"),
    argocd: missing("argocd"),
    registry: missing("registry"),
    efd: () => undefined,
    commands: missing("commands"),
    close: async () => {},
    ...provided,
  };
}

/** A small site with the real Summit's shape. */
export function testSite(overrides: Partial<PlanSite> = {}): PlanSite {
  return {
    name: "summit",
    title: "Summit (Cerro Pachon)",
    love: ["https://summit-lsp.lsst.codes/love", "http://love01.cp.lsst.org"],
    slack: "#summit-announce",
    hosts: [],
    apps: [],
    cscs: [],
    ...overrides,
  };
}

const SOURCE = { file: "plans/test.dpl", line: 1, column: 1 };

/** A plan around the given steps, with one phase per distinct phase name. Not sealed: the hash is dummy. */
export function testPlan(steps: Plan["steps"] = [], site: PlanSite = testSite()): Plan {
  const phases = [...new Set(steps.map((s) => s.phase))];
  return {
    format: "plan",
    formatVersion: 1,
    compiler: { name: "plan", version: "0.0.0-test" },
    id: `test@${site.name}`,
    hash: `sha256:${"0".repeat(64)}`,
    procedure: { name: "test", title: "Test", source: SOURCE },
    site,
    params: {},
    admonitions: [],
    ignored: [],
    phases: phases.map((name, i) => ({
      name,
      title: `Phase ${name}`,
      number: i + 1,
      mode: "read-do",
      admonitions: [],
      steps: steps.filter((s) => s.phase === name).map((s) => s.id),
      source: SOURCE,
    })),
    steps,
    edges: [],
    order: steps.map((s) => s.id),
    rules: [],
  };
}

/** A step of a kind with the common fields filled in (id `1.1`, phase `one`), then `fields`. */
export function testStep<K extends StepKind>(
  kind: K,
  fields: Omit<StepOf<K>, keyof ReturnType<typeof commonFields> | "kind"> & Partial<StepOf<K>>,
): StepOf<K> {
  return { ...commonFields(), kind, ...fields } as StepOf<K>;
}

function commonFields() {
  return {
    id: "1.1",
    phase: "one",
    title: "Do the thing",
    manual: false,
    critical: false,
    after: [] as string[],
    source: SOURCE,
    admonitions: [] as StepOf<"manual">["admonitions"],
    expectedSeconds: 0,
  };
}

export interface TestContext {
  readonly ctx: StepContext;
  readonly logs: string[];
  readonly progress: Progress[];
  readonly clock: FakeClock;
  readonly operator: RecordingOperator;
  readonly controller: AbortController;
}

/** A StepContext that records what the executor logs and reports. */
export function testContext(
  options: {
    plan?: Plan;
    operator?: RecordingOperator;
    clock?: FakeClock;
    services?: Partial<Services>;
    secrets?: Secrets;
  } = {},
): TestContext {
  const plan = options.plan ?? testPlan();
  const logs: string[] = [];
  const progress: Progress[] = [];
  const clock = options.clock ?? new FakeClock();
  const operator = options.operator ?? new RecordingOperator();
  const controller = new AbortController();
  const ctx: StepContext = {
    plan,
    site: plan.site,
    signal: controller.signal,
    clock,
    operator,
    secrets: options.secrets ?? { get: () => undefined },
    services: testServices(options.services),
    log: (line) => logs.push(line),
    progress: (p) => progress.push(p),
  };
  return { ctx, logs, progress, clock, operator, controller };
}
