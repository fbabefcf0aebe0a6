import type { PlanSite, StepOf } from "../../ir/schema.js";
import {
  type ArgoAppStatus,
  type ArgoCdClient,
  appPath,
  isSyncedHealthy,
  judgeSync,
  syncBody,
} from "../clients/argocd.js";
import { joinUrl, ServiceError } from "../clients/http-json.js";
import {
  type Executor,
  type Observation,
  type StepContext,
  StepFailure,
  type StepResult,
} from "../executor.js";
import { DEFAULT_POLL_MS, DEFAULT_TIMEOUT_MS, formatMs, pollUntil } from "../poll.js";

/**
 * `argocd-sync`: syncs an Argo CD application and waits until it is Synced and Healthy. A sync whose
 * operation fails ends the step at once with Argo CD's message; an application that stays Degraded is
 * waited for until the step's timeout, and the timeout's message carries Argo CD's reason.
 */

type SyncStep = StepOf<"argocd-sync">;

/** Syncs an application, then waits until it is Synced and Healthy (see the file's comment). */
export const argocdSync: Executor<"argocd-sync"> = {
  kind: "argocd-sync",

  describe(step: SyncStep, site: PlanSite): string[] {
    const config = site.argocd;
    if (!config) return [`site \`${site.name}\` has no Argo CD: this step cannot run there`];
    const base = new URL(config.url);
    const query = step.project ? { project: step.project } : undefined;
    const app = joinUrl(base, appPath(step.app), query).href;
    const sync = joinUrl(base, `${appPath(step.app)}/sync`).href;
    const every = formatMs(step.pollSeconds !== undefined ? step.pollSeconds * 1000 : DEFAULT_POLL_MS);
    const timeout = formatMs(
      step.timeoutSeconds !== undefined ? step.timeoutSeconds * 1000 : DEFAULT_TIMEOUT_MS,
    );
    return [
      ...authLines(config, base),
      `GET ${app} (sync and health before the sync)`,
      `POST ${sync} ${JSON.stringify(syncBody(step.app, step.project))}`,
      `GET ${app} every ${every} until status.sync.status is Synced and status.health.status is Healthy ` +
        `(timeout ${timeout}); status.operationState.phase Failed or Error fails the step`,
    ];
  },

  async run(step: SyncStep, ctx: StepContext): Promise<StepResult> {
    const client = ctx.services.argocd();
    const options = { project: step.project, signal: ctx.signal };
    const before = await client.status(step.app, options);
    ctx.log(
      `${step.app}: ${before.sync}/${before.health} before the sync${before.revision ? ` (at ${before.revision})` : ""}`,
    );
    let baseline = before;
    try {
      await client.sync(step.app, options);
      ctx.log(`asked Argo CD to sync ${step.app}`);
    } catch (e) {
      if (!(e instanceof ServiceError) || !isOperationInProgress(e)) throw e;
      ctx.log(`Argo CD is already syncing ${step.app}; waiting for that sync to end`);
      baseline = { ...before, operation: undefined };
    }
    return waitUntilSyncedHealthy(step, ctx, client, baseline);
  },

  async observe(step: SyncStep, ctx: StepContext): Promise<Observation> {
    try {
      const status = await ctx.services
        .argocd()
        .status(step.app, { project: step.project, signal: ctx.signal });
      return isSyncedHealthy(status) ? "done" : "not-done";
    } catch (e) {
      if (e instanceof StepFailure) return "unknown";
      throw e;
    }
  },
};

/**
 * Waits, with the step's poll interval and timeout, until the sync requested after `before` has ended
 * with the application Synced and Healthy. Logs every change of state. Throws a StepFailure with Argo
 * CD's message when the sync operation fails.
 */
export async function waitUntilSyncedHealthy(
  step: SyncStep,
  ctx: StepContext,
  client: ArgoCdClient,
  before: ArgoAppStatus,
): Promise<StepResult> {
  let last = "";
  return pollUntil(step, ctx, {
    what: `Argo CD application ${step.app}`,
    target: "Synced and Healthy",
    read: async () => {
      const status = await client.status(step.app, { project: step.project, signal: ctx.signal });
      const verdict = judgeSync(status, before);
      if (verdict.current !== last) {
        last = verdict.current;
        if (verdict.kind === "waiting") ctx.log(`${step.app}: ${verdict.current}`);
      }
      if (verdict.kind === "failed") {
        throw new StepFailure(
          `the sync of Argo CD application ${step.app} failed: ${verdict.current}`,
          `look at ${step.app} in Argo CD, fix the cause, then resume the run`,
          false,
        );
      }
      return { ok: verdict.kind === "done", current: verdict.current };
    },
  });
}

function isOperationInProgress(e: ServiceError): boolean {
  return (
    (e.status === 400 || e.status === 409) && /another operation is already in progress/i.test(e.message)
  );
}

function authLines(config: NonNullable<PlanSite["argocd"]>, base: URL): string[] {
  const lines: string[] = [];
  const login =
    config.usernameEnv && config.passwordEnv
      ? `POST ${joinUrl(base, "/api/v1/session").href} {"username":"$${config.usernameEnv}","password":"$${config.passwordEnv}"} ` +
        "for a session token"
      : undefined;
  if (config.tokenEnv) lines.push(`every request carries "Authorization: Bearer $${config.tokenEnv}"`);
  if (login) lines.push(config.tokenEnv ? `when $${config.tokenEnv} is not set: ${login}` : login);
  if (!config.tokenEnv && !login)
    lines.push("no Argo CD credentials are named by the site: the step will fail");
  if (config.caFile) lines.push(`trusting only the CA in ${config.caFile}`);
  return lines;
}

/** Argo CD's executors, by kind. */
export const argocdExecutors = { "argocd-sync": argocdSync } as const;
