import type { PlanSite, StepOf } from "../../ir/schema.js";
import { joinUrl } from "../clients/http-json.js";
import { normalizeLevel, REGISTRY_CONTENT_TYPE } from "../clients/schema-registry.js";
import {
  type Executor,
  type Observation,
  type StepContext,
  StepFailure,
  type StepResult,
} from "../executor.js";
import { DEFAULT_POLL_MS, DEFAULT_TIMEOUT_MS, formatMs, pollUntil } from "../poll.js";

/**
 * `registry-set-compatibility` sets the schema registry's global compatibility level and reads it back;
 * `registry-check-compatibility` reads it, once when the step's timeout is 0, else until it matches.
 */

type SetStep = StepOf<"registry-set-compatibility">;
type CheckStep = StepOf<"registry-check-compatibility">;

function configUrl(site: PlanSite): string | undefined {
  return site.schemaRegistry ? joinUrl(new URL(site.schemaRegistry.url), "/config").href : undefined;
}

function noRegistry(site: PlanSite): string[] {
  return [`site \`${site.name}\` has no schema registry: this step cannot run there`];
}

/** Sets the global compatibility level and reads it back; fails when it does not read back. */
export const registrySetCompatibility: Executor<"registry-set-compatibility"> = {
  kind: "registry-set-compatibility",

  describe(step: SetStep, site: PlanSite): string[] {
    const url = configUrl(site);
    if (!url) return noRegistry(site);
    const level = step.level.toUpperCase();
    return [
      `GET ${url} (the compatibilityLevel before)`,
      `PUT ${url} ${JSON.stringify({ compatibility: level })} (Content-Type: ${REGISTRY_CONTENT_TYPE})`,
      `GET ${url} (compatibilityLevel must now be ${level})`,
    ];
  },

  async run(step: SetStep, ctx: StepContext): Promise<StepResult> {
    const level = normalizeLevel(step.level);
    const registry = ctx.services.registry();
    const before = await registry.getCompatibility(ctx.signal);
    ctx.log(`schema registry compatibility is ${before}`);
    const answered = await registry.setCompatibility(level, ctx.signal);
    const after = await registry.getCompatibility(ctx.signal);
    if (after !== level) {
      throw new StepFailure(
        `the schema registry answered ${answered} to the change to ${level} but reads back ${after}`,
        "look at the registry's configuration and logs; something else may be changing it",
        false,
      );
    }
    ctx.log(`schema registry compatibility set to ${after} (was ${before})`);
    return { status: "done", summary: `compatibility ${before} -> ${after}` };
  },

  async observe(step: SetStep, ctx: StepContext): Promise<Observation> {
    return observeLevel(step.level, ctx);
  },
};

/** Reads the global compatibility level: once with a timeout of 0, else until it matches or time runs out. */
export const registryCheckCompatibility: Executor<"registry-check-compatibility"> = {
  kind: "registry-check-compatibility",

  describe(step: CheckStep, site: PlanSite): string[] {
    const url = configUrl(site);
    if (!url) return noRegistry(site);
    const level = step.level.toUpperCase();
    if (step.timeoutSeconds === 0) return [`GET ${url} once (compatibilityLevel must be ${level})`];
    const every = formatMs(step.pollSeconds !== undefined ? step.pollSeconds * 1000 : DEFAULT_POLL_MS);
    const timeout = formatMs(
      step.timeoutSeconds !== undefined ? step.timeoutSeconds * 1000 : DEFAULT_TIMEOUT_MS,
    );
    return [`GET ${url} every ${every} until compatibilityLevel is ${level} (timeout ${timeout})`];
  },

  async run(step: CheckStep, ctx: StepContext): Promise<StepResult> {
    const level = normalizeLevel(step.level);
    const registry = ctx.services.registry();
    return pollUntil(step, ctx, {
      what: "schema registry compatibility",
      target: level,
      read: async () => {
        const current = await registry.getCompatibility(ctx.signal);
        return { ok: current === level, current };
      },
    });
  },

  async observe(step: CheckStep, ctx: StepContext): Promise<Observation> {
    return observeLevel(step.level, ctx);
  },
};

async function observeLevel(level: string, ctx: StepContext): Promise<Observation> {
  try {
    const current = await ctx.services.registry().getCompatibility(ctx.signal);
    return current === normalizeLevel(level) ? "done" : "not-done";
  } catch (e) {
    if (e instanceof StepFailure) return "unknown";
    throw e;
  }
}

/** The schema registry's executors, by kind. */
export const schemaRegistryExecutors = {
  "registry-set-compatibility": registrySetCompatibility,
  "registry-check-compatibility": registryCheckCompatibility,
} as const;
