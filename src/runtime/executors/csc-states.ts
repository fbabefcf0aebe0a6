import type { PlanSite, StepOf } from "../../ir/schema.js";
import {
  type CscRef,
  heartbeatQuery,
  parseCsc,
  STATEMENTS_PER_REQUEST,
  type SummaryStateReading,
  summaryStateQuery,
} from "../clients/efd.js";
import { joinUrl } from "../clients/http-json.js";
import {
  type Executor,
  type Observation,
  type OperatorQuestion,
  RunAborted,
  type StepContext,
  StepFailure,
  type StepResult,
} from "../executor.js";
import { DEFAULT_POLL_MS, DEFAULT_TIMEOUT_MS, formatMs, pollUntil, type Reading } from "../poll.js";

/**
 * `csc-states`: waits until every CSC is in the state the plan expects, read from the EFD. Where the site
 * has no EFD, the operator checks the Chronograf dashboards and answers.
 *
 * A CSC counts as running when it sent a heartbeat in the last HEARTBEAT_WINDOW_SECONDS. A heartbeat-only
 * CSC (the VMSs, which never report OFFLINE) is OFFLINE when it is not running. Any CSC expected in a
 * state other than OFFLINE must be running as well as report that state, so that a state read from an EFD
 * that stopped receiving data (telegraf scaled to 0) is never taken for the truth.
 */

type StatesStep = StepOf<"csc-states">;
type Expectation = StatesStep["expect"][number];

/**
 * How recent a heartbeat must be for a CSC to count as running: 60 s. CSCs send a heartbeat every second
 * (ts_salobj's HEARTBEAT_INTERVAL), but the EFD receives it through Kafka and the telegraf connectors,
 * which write in batches and can lag by tens of seconds under load; a minute leaves room for that and for
 * clock differences, and still tells a stopped CSC within about a minute, short next to the minutes a
 * shutdown or a startup takes.
 */
export const HEARTBEAT_WINDOW_SECONDS = 60;

/** The Chronograf dashboards that show CSC states, the same at every site. */
export const CHRONOGRAF_DASHBOARDS = [
  "Heartbeats",
  "AT Summary State Monitor",
  "MT Summary State Monitor",
  "Envsys Summary State Monitor",
  "Calibration Systems Summary State Monitor",
  "Observatory Systems Summary State Monitor",
] as const;

/** What the EFD says of one CSC against what is expected. */
export interface CscVerdict {
  readonly ok: boolean;
  /** What was seen, in words: `STANDBY`, `OFFLINE (no heartbeat in 60s)`, `ENABLED, no heartbeat in 60s`. */
  readonly seen: string;
}

/** Judges one CSC from its last summary state and whether it sent a heartbeat in the window. */
export function judgeCsc(
  expect: Expectation,
  state: SummaryStateReading | undefined,
  beating: boolean,
): CscVerdict {
  const window = `${HEARTBEAT_WINDOW_SECONDS}s`;
  const last = state ? (state.state ?? `unknown state ${state.code}`) : "no summary state in the EFD";
  if (expect.heartbeatOnly && expect.state === "OFFLINE") {
    return beating
      ? { ok: false, seen: `running (heartbeat in the last ${window}; last state ${last})` }
      : { ok: true, seen: `OFFLINE (no heartbeat in ${window})` };
  }
  if (expect.state === "OFFLINE") {
    return {
      ok: state?.state === "OFFLINE",
      seen: beating || state?.state === "OFFLINE" ? last : `${last}, no heartbeat in ${window}`,
    };
  }
  const ok = state?.state === expect.state && beating;
  return { ok, seen: beating ? last : `${last}, no heartbeat in ${window}` };
}

/** The words of a reading of every CSC: how many are as expected and which are not. */
export function summarize(expect: readonly Expectation[], verdicts: readonly CscVerdict[]): Reading {
  const wrong = expect.flatMap((e, i) =>
    verdicts[i]!.ok ? [] : [`${e.csc} ${verdicts[i]!.seen} (expected ${e.state})`],
  );
  if (wrong.length === 0) return { ok: true, current: `all ${expect.length} as expected` };
  const shown = wrong.slice(0, 5).join("; ");
  const more = wrong.length > 5 ? `; and ${wrong.length - 5} more` : "";
  return {
    ok: false,
    current: `${expect.length - wrong.length} of ${expect.length} as expected; ${shown}${more}`,
  };
}

/** Waits until every CSC is in its expected state, from the EFD or, without one, from the operator. */
export const cscStates: Executor<"csc-states"> = {
  kind: "csc-states",

  describe(step: StatesStep, site: PlanSite): string[] {
    if (!site.efd)
      return [`ask the operator to ${lookWhere(site)} and confirm:`, ...expectationLines(step.expect)];
    const statements = step.expect.flatMap((e) => {
      const csc = tryParse(e.csc);
      if (!csc) return [`(\`${e.csc}\` is not a CSC: the step will fail)`];
      return [summaryStateQuery(csc), heartbeatQuery(csc, HEARTBEAT_WINDOW_SECONDS)];
    });
    const every = formatMs(step.pollSeconds !== undefined ? step.pollSeconds * 1000 : DEFAULT_POLL_MS);
    const timeout = formatMs(
      step.timeoutSeconds !== undefined ? step.timeoutSeconds * 1000 : DEFAULT_TIMEOUT_MS,
    );
    const url = joinUrl(new URL(site.efd.url), "/query", { db: site.efd.database, epoch: "ms" }).href;
    const requests = Math.ceil(statements.length / STATEMENTS_PER_REQUEST);
    const lines = [
      `GET ${url}&q=<the statements below, ${STATEMENTS_PER_REQUEST} a request, joined by ";">: ` +
        `${requests} request${requests === 1 ? "" : "s"} ` +
        (step.timeoutSeconds === 0
          ? "once"
          : `every ${every} until every CSC is as expected (timeout ${timeout})`),
      ...statements.map((s) => `  ${s}`),
      ...expectationLines(step.expect),
    ];
    return lines;
  },

  async run(step: StatesStep, ctx: StepContext): Promise<StepResult> {
    if (!ctx.services.efd()) return askOperator(step, ctx);
    let last = "";
    return pollUntil(step, ctx, {
      what: "CSC states",
      target: `all ${step.expect.length} as expected`,
      read: async () => {
        const reading = await readStates(step, ctx);
        if (!reading.ok && reading.current !== last) ctx.log(`CSC states: ${reading.current}`);
        last = reading.current;
        return reading;
      },
    });
  },

  async observe(step: StatesStep, ctx: StepContext): Promise<Observation> {
    if (!ctx.services.efd()) return "unknown";
    try {
      return (await readStates(step, ctx)).ok ? "done" : "not-done";
    } catch (e) {
      if (e instanceof StepFailure) return "unknown";
      throw e;
    }
  },
};

/** Reads every expected CSC's state and heartbeat from the EFD, in as few requests as it can. */
async function readStates(step: StatesStep, ctx: StepContext): Promise<Reading> {
  const efd = ctx.services.efd()!;
  const refs: CscRef[] = step.expect.map((e) => parseCsc(e.csc));
  const readings = await efd.readCscs(refs, HEARTBEAT_WINDOW_SECONDS, ctx.signal);
  const verdicts = step.expect.map((e, i) =>
    judgeCsc(e, readings[i]!.state, readings[i]!.heartbeatAt !== undefined),
  );
  return summarize(step.expect, verdicts);
}

async function askOperator(step: StatesStep, ctx: StepContext): Promise<StepResult> {
  const question: OperatorQuestion = {
    stepId: step.id,
    title: step.title,
    details: [
      `This site has no EFD that plan can read: ${lookWhere(ctx.site)}.`,
      "Answer yes when every CSC below is in the state given, no when one is not:",
      ...expectationLines(step.expect),
    ],
    choices: ["yes", "no", "skip", "abort"],
  };
  const answer = await ctx.operator.ask(question, ctx.signal);
  switch (answer.answer) {
    case "yes":
    case "done":
      ctx.log(`${answer.by} confirmed the states of ${step.expect.length} CSCs`);
      return { status: "done", summary: `${answer.by} confirmed the states of ${step.expect.length} CSCs` };
    case "no":
      throw new StepFailure(
        `${answer.by} reported that not every CSC is in the state expected`,
        "bring the CSCs to their states, or report them on the site's Slack channel, then resume the run",
        false,
      );
    case "skip":
      return { status: "skipped", reason: answer.reason };
    case "abort":
      throw new RunAborted(answer.reason);
  }
}

function lookWhere(site: PlanSite): string {
  const dashboards = CHRONOGRAF_DASHBOARDS.join(", ");
  if (site.chronograf) return `check the Chronograf dashboards at ${site.chronograf} (${dashboards})`;
  const love = site.love[0];
  return love
    ? `check LOVE's summary state view at ${love}`
    : "check the CSC states in LOVE's summary state view";
}

function expectationLines(expect: readonly Expectation[]): string[] {
  return expect.map((e) =>
    e.heartbeatOnly && e.state === "OFFLINE"
      ? `${e.csc}: OFFLINE (it never reports OFFLINE: no heartbeat in the last ${HEARTBEAT_WINDOW_SECONDS}s)`
      : `${e.csc}: ${e.state}`,
  );
}

function tryParse(text: string): CscRef | undefined {
  try {
    return parseCsc(text);
  } catch {
    return undefined;
  }
}

/** The CSC states executor, by kind. */
export const cscStatesExecutors = { "csc-states": cscStates } as const;
