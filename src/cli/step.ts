import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { isOperatorStep } from "../emit/argo-steps.js";
import { readPlanJson } from "../ir/plan.js";
import type { Plan } from "../ir/schema.js";
import { shellCommandLine } from "../runtime/clients/shell-quote.js";
import { sshOptionsFromEnv } from "../runtime/clients/ssh.js";
import { systemClock } from "../runtime/clock.js";
import { TextDisplay } from "../runtime/display.js";
import type { Services } from "../runtime/executor.js";
import { journalPath, parseJournal } from "../runtime/journal.js";
import { nodeJournalFs } from "../runtime/journal-file.js";
import { describeHolder, staleness } from "../runtime/lock.js";
import { siteLockStore } from "../runtime/lock-store.js";
import { operatorName } from "../runtime/operator.js";
import { environmentSecrets, Redactor, siteSecretNames } from "../runtime/redact.js";
import { builtinExecutors, missingKinds } from "../runtime/registry.js";
import { runPlan } from "../runtime/run.js";
import { replay } from "../runtime/run-state.js";
import { siteServices } from "../runtime/services.js";
import { inClusterKubeconfig, writeInClusterKubeconfig } from "./in-cluster.js";
import { EXIT } from "./main.js";
import { announcingExecutors, ProcessLeaseStore, StepOperator, streamJournalFs } from "./step-env.js";

export interface StepCommandOptions {
  expectHash?: string;
  inCluster?: boolean;
  kubeconfig?: string;
  stateDir?: string;
  journal?: string;
  outcomeFile?: string;
  confirmed?: boolean;
  secret?: string[];
  lockNamespace?: string;
}

/**
 * What `--outcome-file` holds: `not-started` until the executor starts, `started` while it runs (and when
 * it was cut off or stopped, so that its effect is unknown), then `done`, `skipped` or `failed`.
 */
export type StepOutcome = "not-started" | "started" | "done" | "skipped" | "failed";

/**
 * `plan step <plan.json> <id>`: runs exactly one automated step of a plan, with the executors, journal and
 * display of `plan run` (it is `plan run --only <id>` of one session, retries included), but without the
 * site's lock: on Argo, the workflow's mutex is that lock, and a workflow's steps run side by side. Refuses
 * a plan file that fails its checks (hash included) or whose hash is not `--expect-hash`, an unknown id,
 * and a step that a person does (on Argo those are suspend nodes). Exit codes: 0 the step is done or was
 * skipped (or was found done in the journal), 1 it failed or stopped, or the plan was refused, 2 bad usage.
 */
export async function stepCommand(input: string, id: string, opts: StepCommandOptions): Promise<number> {
  const err = (text: string) => process.stderr.write(`plan step: ${text}\n`);
  if (opts.journal !== undefined && opts.journal !== "-") {
    err(
      `--journal takes \`-\` (standard output), not \`${opts.journal}\`; without it the journal is in --state-dir`,
    );
    return EXIT.usage;
  }
  if (input.endsWith(".dpl")) {
    err(`${input} is a .dpl entry; \`plan step\` runs a step of a compiled plan`);
    process.stderr.write("  help: compile it first with `plan compile`\n");
    return EXIT.usage;
  }
  if (!existsSync(input)) {
    err(`no such file: ${input}`);
    return EXIT.usage;
  }
  const read = readPlanJson(readFileSync(input, "utf8"));
  if (!read.ok) {
    err(`${input}: ${read.problem}\n  help: ${read.help}`);
    return EXIT.problems;
  }
  const { plan } = read;
  if (opts.expectHash !== undefined && opts.expectHash !== plan.hash) {
    err(`${input} is the plan ${plan.hash.slice(0, 19)}…, not the expected ${opts.expectHash.slice(0, 19)}…`);
    process.stderr.write("  help: export the workflow again from the plan it is to run\n");
    return EXIT.problems;
  }
  const step = plan.steps.find((s) => s.id === id);
  if (!step) {
    const ids = plan.order.slice(0, 8).join(", ");
    err(`the plan has no step \`${id}\` (its steps: ${ids}${plan.order.length > 8 ? ", …" : ""})`);
    return EXIT.usage;
  }
  if (isOperatorStep(step)) {
    err(`step ${id} (${step.kind}) is done by a person; \`plan step\` runs only automated steps`);
    process.stderr.write(
      "  help: on Argo, resume its suspend node with done or skip; at a terminal, use `plan run --only`\n",
    );
    return EXIT.usage;
  }
  const missing = missingKinds(builtinExecutors, [step]);
  if (missing.length > 0) {
    err(`this build of plan has no executor for kind ${missing.join(", ")}`);
    return EXIT.problems;
  }
  const ssh = sshOptionsFromEnv(process.env);
  if (!ssh.ok) {
    err(`${ssh.problem}\n  help: ${ssh.help}`);
    return EXIT.usage;
  }
  const stateDir = resolve(opts.stateDir ?? ".plan");
  let kubeconfig = opts.kubeconfig;
  if (opts.inCluster) {
    const made = inClusterKubeconfig(plan.site, process.env);
    if (!made.ok) {
      err(`${made.problem}\n  help: ${made.help}`);
      return EXIT.usage;
    }
    kubeconfig = writeInClusterKubeconfig(stateDir, made.text);
  }

  const toStdout = opts.journal === "-";
  const redactor = new Redactor();
  const secrets = environmentSecrets(process.env, redactor);
  for (const name of siteSecretNames(plan.site, opts.secret ?? [])) secrets.get(name);
  const display = new TextDisplay(toStdout ? process.stderr : process.stdout, systemClock, redactor, {
    color: !toStdout && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  });
  const journalFs = toStdout ? streamJournalFs(process.stdout) : nodeJournalFs;
  const outcome = (what: StepOutcome) => {
    if (opts.outcomeFile) writeFileSync(opts.outcomeFile, `${what}\n`);
  };
  try {
    outcome("not-started");
  } catch (e) {
    err(`cannot write the outcome file: ${(e as Error).message}`);
    return EXIT.usage;
  }
  const registry = announcingExecutors(builtinExecutors, (stepId) => {
    if (stepId === id) outcome("started");
  });
  // A journal of an unfinished run in the state directory is continued, as `plan run --resume` would.
  const resume = toStdout ? false : await unfinishedRun(stateDir, plan.id, plan.hash);

  const stop = new AbortController();
  const kill = new AbortController();
  // NOTE: Kubernetes sends SIGTERM when a pod must go (a deadline, `argo stop`): there is no time to let
  // the step end by itself, so it is cut off at once, and the journal leaves its end unknown.
  const onTerm = () => {
    stop.abort();
    kill.abort(new Error("cut off: the pod is being stopped"));
  };
  const onInt = () => (stop.signal.aborted ? onTerm() : stop.abort());
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onInt);
  const who = operatorName();
  const services = siteServices(plan.site, secrets, { kubeconfig, ssh: ssh.options });
  try {
    const lockProblem = await siteLockHeld(plan, stateDir, services, opts.lockNamespace);
    if (lockProblem) {
      err(redactor.text(lockProblem));
      return EXIT.problems;
    }
    const result = await runPlan(
      {
        plan,
        stateDir,
        selection: { only: [id] },
        concurrency: 1,
        resume,
        resumeCommand: shellCommandLine(["plan", "step", input, id]),
      },
      {
        registry,
        operator: new StepOperator(id, opts.confirmed ?? false, who),
        services,
        secrets,
        redactor,
        clock: systemClock,
        display,
        lockStore: new ProcessLeaseStore(
          `this process (the lock of site ${plan.site.name} is kept elsewhere)`,
        ),
        who,
        host: hostname(),
        pid: process.pid,
        stop: stop.signal,
        kill: kill.signal,
        stopReason: () => (kill.signal.aborted ? "the pod is being stopped" : "interrupted"),
        journalFs,
      },
    );
    if (result.status === "refused") {
      err(redactor.text(`${result.problem}${result.help ? `\n  help: ${result.help}` : ""}`));
      return result.usage ? EXIT.usage : EXIT.problems;
    }
    const { summary } = result;
    if (summary.done.includes(id)) outcome("done");
    else if (summary.skipped.some((s) => s.id === id)) outcome("skipped");
    else if (summary.failed.some((f) => f.id === id)) outcome("failed");
    // Otherwise the step stopped: "started" stays when it had begun (its end is unknown), and
    // "not-started" when it had not.
    return summary.outcome === "finished" ? EXIT.ok : EXIT.problems;
  } finally {
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
    await services.close();
  }
}

/**
 * Why the step must not run because of the site's own lock, or undefined when it may. `plan step` does not
 * take the lock (the workflow's mutex stands for it, and its steps run side by side), but it refuses to
 * run beside a `plan run` that holds it, and when the lock cannot be read it does not guess.
 */
async function siteLockHeld(
  plan: Plan,
  stateDir: string,
  services: Services,
  namespace: string | undefined,
): Promise<string | undefined> {
  if (!plan.site.kubernetes) return undefined;
  const store = siteLockStore(plan.site, {
    stateDir,
    kube: () => services.kubernetes(),
    namespace: namespace ?? process.env.PLAN_LOCK_NAMESPACE,
  });
  if (!store.ok) return `${store.problem}${store.help ? `\n  help: ${store.help}` : ""}`;
  let held: Awaited<ReturnType<typeof store.store.get>>;
  try {
    held = await store.store.get();
  } catch (e) {
    return `cannot read the lock of site ${plan.site.name} (${store.store.where}): ${(e as Error).message}\n  help: let the service account read Leases there (see docs/argo.md)`;
  }
  if (!held || staleness(held.holder, Date.now(), hostname())) return undefined;
  return [
    `site ${plan.site.name} is locked by a run of plan (${store.store.where}), and this step does not run beside it:`,
    ...describeHolder(held.holder).map((l) => `  ${l}`),
    "  help: wait for that run to end, then retry the workflow with `argo retry`",
  ].join("\n");
}

/** Whether the state directory holds the journal of an unfinished run of this plan. */
async function unfinishedRun(stateDir: string, planId: string, hash: string): Promise<boolean> {
  const text = await nodeJournalFs.read(journalPath(stateDir, planId, hash));
  if (text === undefined) return false;
  const read = parseJournal(text);
  if (!read.ok) return false;
  const state = replay(read.events);
  return state.sessions > 0 && !state.finished;
}
