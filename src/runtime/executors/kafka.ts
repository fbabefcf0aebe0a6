import type { PlanSite, StepOf } from "../../ir/schema.js";
import { describeLagCalls, type GroupLag, type LagReport } from "../clients/kafka.js";
import {
  type Executor,
  type Observation,
  RunAborted,
  type StepContext,
  StepFailure,
  type StepResult,
} from "../executor.js";
import { DEFAULT_POLL_MS, DEFAULT_TIMEOUT_MS, formatMs, pollUntil } from "../poll.js";

/**
 * `kafka-lag`: waits until the total consumer lag of the consumer groups whose id starts with a prefix
 * (`telegraf-kafka-consumer`, `saluser@love-producer`) is at most `max`, reading it with the Kafka admin
 * client (read-only) every `pollSeconds` for at most `timeoutSeconds`, then doing what `onTimeout` says.
 * Each read logs the lag of every group whose line changed, and the progress shows the total.
 *
 * No group matching the prefix is NOT taken as a lag of 0: with no group there is nothing that proves the
 * consumers read their topics, and the usual causes are a wrong prefix in the plan or consumers that have
 * been stopped long enough for their groups to expire. The operator is asked at once (with the cluster's
 * nearest group ids) whether to go on: yes ends the step done, no fails it, abort stops the run.
 */

type LagStep = StepOf<"kafka-lag">;

export const kafkaLag: Executor<"kafka-lag"> = {
  kind: "kafka-lag",

  describe(step: LagStep, site: PlanSite): string[] {
    const brokers = site.kafka?.bootstrap ?? [];
    if (brokers.length === 0)
      return [`site \`${site.name}\` gives no Kafka bootstrap servers: this step cannot run there`];
    const every = formatMs(step.pollSeconds !== undefined ? step.pollSeconds * 1000 : DEFAULT_POLL_MS);
    const timeout = formatMs(
      step.timeoutSeconds !== undefined ? step.timeoutSeconds * 1000 : DEFAULT_TIMEOUT_MS,
    );
    const policy = step.onTimeout ?? { kind: "fail" as const };
    const then =
      policy.kind === "ask"
        ? `ask "${policy.question}"`
        : policy.kind === "continue"
          ? "go on"
          : "fail the step";
    return [
      ...describeLagCalls(step.groupPrefix, brokers),
      `repeat every ${every} until the total lag of ${step.groupPrefix}* is ${target(step.max)} ` +
        `(timeout ${timeout}, then ${then}); lag = end offset - committed offset, a partition without one counts from its log start`,
      `no group matching ${step.groupPrefix}*: ask the operator whether to go on`,
    ];
  },

  async run(step: LagStep, ctx: StepContext): Promise<StepResult> {
    const brokers = ctx.site.kafka?.bootstrap ?? [];
    if (brokers.length === 0) {
      throw new StepFailure(
        `site \`${ctx.site.name}\` gives no Kafka bootstrap servers to read the lag of ${step.groupPrefix}* from`,
        "add the site's Kafka bootstrap servers to its definition, or skip this step with a reason",
        false,
      );
    }
    const client = ctx.services.kafka();
    const logged = new Map<string, string>();
    try {
      return await pollUntil(step, ctx, {
        what: `lag of ${step.groupPrefix}*`,
        target: target(step.max),
        read: async () => {
          const report = await client.lag(step.groupPrefix, ctx.signal);
          if (report.groups.length === 0) throw new NoMatchingGroup(report);
          for (const group of report.groups) {
            const line = groupLine(group);
            if (logged.get(group.groupId) !== line) ctx.log(line);
            logged.set(group.groupId, line);
          }
          return { ok: report.total <= step.max, current: current(report) };
        },
      });
    } catch (e) {
      if (e instanceof NoMatchingGroup) return askToGoOn(step, ctx, e.report);
      throw e;
    }
  },

  async observe(step: LagStep, ctx: StepContext): Promise<Observation> {
    if (!ctx.site.kafka?.bootstrap.length) return "unknown";
    try {
      const report = await ctx.services.kafka().lag(step.groupPrefix, ctx.signal);
      if (report.groups.length === 0) return "unknown";
      return report.total <= step.max ? "done" : "not-done";
    } catch (e) {
      if (e instanceof StepFailure) return "unknown";
      throw e;
    }
  },
};

export const kafkaExecutors = { "kafka-lag": kafkaLag } as const;

/** Thrown out of the wait when no group matches, to ask the operator outside of it. */
class NoMatchingGroup extends Error {
  constructor(readonly report: LagReport) {
    super(`no consumer group matches ${report.prefix}*`);
  }
}

async function askToGoOn(step: LagStep, ctx: StepContext, report: LagReport): Promise<StepResult> {
  const prefix = step.groupPrefix;
  const near = nearestGroups(prefix, report.otherGroups);
  const nothing = `no consumer group on ${report.brokers.join(", ")} has an id that starts with "${prefix}"`;
  ctx.log(nothing);
  const others =
    report.otherGroups.length === 0
      ? "the cluster has no consumer group at all"
      : near.length > 0
        ? `the nearest group ids there: ${near.join(", ")}`
        : `the cluster has ${count(report.otherGroups.length, "other consumer group")}, none with a similar id`;
  const answer = await ctx.operator.ask(
    {
      stepId: step.id,
      title: step.title,
      details: [
        nothing,
        others,
        "without a group there is no lag to wait for: the prefix in the plan may be wrong, or the consumers " +
          "may have been stopped long enough for their groups to expire",
        `go on as if the lag of ${prefix}* were drained?`,
      ],
      choices: ["yes", "no", "abort"],
    },
    ctx.signal,
  );
  if (answer.answer === "abort") throw new RunAborted(answer.reason);
  if (answer.answer === "yes") {
    ctx.log(`no consumer group matches ${prefix}*; ${answer.by} chose to go on`);
    return { status: "done", summary: `no consumer group matches ${prefix}* (${answer.by} went on)` };
  }
  ctx.log(`no consumer group matches ${prefix}*; ${answer.by} chose not to go on`);
  throw new StepFailure(
    `no consumer group matches ${prefix}*`,
    "check the prefix against the groups the site's consumers use (`kt consumers <site> list`), then resume the run",
    false,
  );
}

/** `telegraf-kafka-consumer-a (Stable, 2 members): 1,204 on 3 of 12 partitions; ...` */
function groupLine(g: GroupLag): string {
  const lagging = g.partitions.filter((p) => p.lag > 0).length;
  const parts = [
    `${g.groupId} (${g.state}, ${count(g.members, "member")}): ${fmt(g.lag)} on ${lagging} of ${count(g.partitions.length, "partition")}`,
  ];
  const uncommitted = g.partitions.filter((p) => p.committed === null && p.lag > 0).length;
  if (uncommitted > 0) {
    parts.push(`${count(uncommitted, "partition")} without a committed offset, counted from the log start`);
  }
  if (g.missingTopics.length > 0)
    parts.push(`offsets on deleted topics not counted: ${g.missingTopics.join(", ")}`);
  if (g.lag > 0 && g.members === 0)
    parts.push("no member is consuming, so this lag will not drain by itself");
  return parts.join("; ");
}

function current(report: LagReport): string {
  return `${fmt(report.total)} (${count(report.groups.length, "group")})`;
}

function target(max: number): string {
  return max === 0 ? "0" : `at most ${fmt(max)}`;
}

/** Up to five group ids sharing the longest common start (at least four characters) with the prefix. */
export function nearestGroups(prefix: string, groups: readonly string[]): string[] {
  const shared = (id: string) => {
    let n = 0;
    while (n < prefix.length && n < id.length && prefix[n] === id[n]) n++;
    return n;
  };
  const best = Math.max(0, ...groups.map(shared));
  if (best < 4) return [];
  return groups.filter((id) => shared(id) === best).slice(0, 5);
}

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}

function count(n: number, noun: string): string {
  return `${fmt(n)} ${noun}${n === 1 ? "" : "s"}`;
}
