import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { Plan } from "../ir/schema.js";
import { parseAnswers } from "../runtime/answers.js";
import { shellCommandLine } from "../runtime/clients/shell-quote.js";
import { sshOptionsFromEnv } from "../runtime/clients/ssh.js";
import { systemClock } from "../runtime/clock.js";
import { TextDisplay } from "../runtime/display.js";
import { dryRun } from "../runtime/dry-run.js";
import { processAlive } from "../runtime/lock.js";
import { siteLockStore } from "../runtime/lock-store.js";
import { operatorName } from "../runtime/operator.js";
import { environmentSecrets, Redactor, siteSecretNames } from "../runtime/redact.js";
import { builtinExecutors } from "../runtime/registry.js";
import { runPlan } from "../runtime/run.js";
import { selectSteps } from "../runtime/selection.js";
import { siteServices } from "../runtime/services.js";
import { lookupIn } from "./files.js";
import { planFromInput } from "./inputs.js";
import { EXIT } from "./main.js";
import { printDiagnostics } from "./output.js";
import { chooseOperator } from "./run-operator.js";

/** How many steps run at once unless `--concurrency` says otherwise. */
export const DEFAULT_CONCURRENCY = "4";

export interface RunCommandOptions {
  site?: string;
  param?: string[];
  root?: string;
  concurrency: string;
  dryRun?: boolean;
  step?: boolean;
  from?: string;
  only?: string;
  resume?: boolean;
  fresh?: boolean;
  stateDir?: string;
  answers?: string;
  kubeconfig?: string;
  secret?: string[];
  lockNamespace?: string;
  /** `--simulate`: run against a simulated site (run-simulated.ts), `--speed` times faster, with `--faults`. */
  simulate?: boolean;
  speed?: string;
  faults?: string[];
}

/**
 * `plan run <plan.json | entry.dpl>`: runs a plan against its site. Exit codes: 0 the run (or the selected
 * steps) finished, 1 it failed, stopped or was refused (a lock, a bad plan), 2 bad usage.
 */
export async function runCommand(input: string, opts: RunCommandOptions): Promise<number> {
  const err = (text: string) => process.stderr.write(`plan run: ${text}\n`);
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    err(`--concurrency must be a whole number of at least 1, not \`${opts.concurrency}\``);
    return EXIT.usage;
  }
  if (opts.resume && opts.fresh) {
    err("--resume and --fresh contradict each other");
    return EXIT.usage;
  }
  if (!existsSync(input)) {
    err(`no such file: ${input}`);
    return EXIT.usage;
  }
  const loaded = await planFromInput(input, { site: opts.site, param: opts.param, root: opts.root });
  if (!loaded.ok) {
    if (loaded.message) err(loaded.message);
    printDiagnostics(loaded.diagnostics, lookupIn(loaded.sources), "text");
    return EXIT.problems;
  }
  const plan: Plan = loaded.plan;
  if (opts.site && plan.site.name !== opts.site) {
    err(`the plan is for site \`${plan.site.name}\`, not \`${opts.site}\``);
    return EXIT.usage;
  }
  const only = opts.only
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const selectionOptions = { from: opts.from, only };

  if (opts.dryRun) {
    const selected = selectSteps(plan, selectionOptions);
    if (!selected.ok) {
      err(`${selected.problem}${selected.help ? `\n  help: ${selected.help}` : ""}`);
      return EXIT.usage;
    }
    const result = dryRun(plan, selected.selection, builtinExecutors, { stepMode: opts.step });
    process.stdout.write(`${result.lines.join("\n")}\n`);
    return result.missing.length > 0 ? EXIT.problems : EXIT.ok;
  }

  const redactor = new Redactor();
  const secrets = environmentSecrets(process.env, redactor);
  for (const name of siteSecretNames(plan.site, opts.secret ?? [])) secrets.get(name);
  const ssh = sshOptionsFromEnv(process.env);
  if (!ssh.ok) {
    err(`${ssh.problem}\n  help: ${ssh.help}`);
    return EXIT.usage;
  }
  const who = operatorName();
  const display = new TextDisplay(process.stdout, systemClock, redactor, {
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  });
  let answers: ReturnType<typeof parseAnswers> | undefined;
  if (opts.answers) {
    let text: string;
    try {
      text = readFileSync(opts.answers, "utf8");
    } catch {
      err(`cannot read the answers file ${opts.answers}`);
      return EXIT.usage;
    }
    answers = parseAnswers(text);
    if (!answers.ok) {
      err(`${opts.answers}: ${answers.problem}`);
      return EXIT.usage;
    }
  }
  const stateDir = resolve(opts.stateDir ?? ".plan");
  let simulation: import("./run-simulated.js").Simulation | undefined;
  if (opts.simulate) {
    const sim = await import("./run-simulated.js");
    const speed = sim.parseSpeed(opts.speed, sim.DEFAULT_SPEED);
    if (speed === undefined) {
      err(`--speed must be a positive number, not \`${opts.speed}\``);
      return EXIT.usage;
    }
    const started = await sim.startSimulation(
      plan,
      {
        stateDir,
        speed,
        faults: opts.faults ?? [],
        resume: opts.resume ?? false,
        fresh: opts.fresh ?? false,
        answers: answers?.ok ? answers.answers : undefined,
      },
      display,
      secrets,
    );
    if (!started.ok) {
      err(started.problem);
      return EXIT.usage;
    }
    simulation = started.simulation;
  }
  const operator =
    simulation?.operator ?? chooseOperator(answers?.ok ? answers.answers : undefined, who, display, redactor);
  const services =
    simulation?.services ??
    siteServices(plan.site, secrets, { kubeconfig: opts.kubeconfig, ssh: ssh.options });
  const lockStore = siteLockStore(simulation?.lockSite ?? plan.site, {
    stateDir,
    kube: () => services.kubernetes(),
    namespace: opts.lockNamespace ?? process.env.PLAN_LOCK_NAMESPACE,
  });
  if (!lockStore.ok) {
    err(redactor.text(`${lockStore.problem}${lockStore.help ? `\n  help: ${lockStore.help}` : ""}`));
    await services.close();
    await simulation?.close();
    return EXIT.problems;
  }

  const stop = new AbortController();
  const kill = new AbortController();
  const onSignal = () => {
    if (!stop.signal.aborted) {
      stop.abort();
      display.notice(
        "interrupted: starting no more steps; the running ones go on to their end (interrupt again to cut them off)",
      );
    } else if (!kill.signal.aborted) {
      kill.abort(new Error("cut off by a second interrupt"));
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    display.notice(`Running ${plan.id} (${plan.hash.slice(0, 19)}…) on site ${plan.site.name} as ${who}`);
    const result = await runPlan(
      {
        plan,
        stateDir,
        selection: selectionOptions,
        concurrency,
        stepMode: opts.step,
        resume: opts.resume,
        fresh: opts.fresh,
        resumeCommand: resumeCommand(input, opts),
      },
      {
        registry: builtinExecutors,
        operator,
        services,
        secrets,
        redactor,
        clock: simulation?.clock ?? systemClock,
        display,
        lockStore: lockStore.store,
        who,
        host: hostname(),
        pid: process.pid,
        isAlive: processAlive,
        stop: stop.signal,
        kill: kill.signal,
        stopReason: () =>
          kill.signal.aborted
            ? "interrupted twice: running steps were cut off; resume checks them"
            : "interrupted: running steps were let finish",
      },
    );
    if (result.status === "refused") {
      err(redactor.text(`${result.problem}${result.help ? `\n  help: ${result.help}` : ""}`));
      return result.usage ? EXIT.usage : EXIT.problems;
    }
    for (const line of simulation?.epilogue() ?? []) display.notice(line);
    return result.summary.outcome === "finished" ? EXIT.ok : EXIT.problems;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await services.close();
    await simulation?.close();
  }
}

/** The command that continues this run: the same input and options, with --resume. */
function resumeCommand(input: string, opts: RunCommandOptions): string {
  const argv = ["plan", "run", input, "--resume"];
  if (opts.site) argv.push("--site", opts.site);
  for (const p of opts.param ?? []) argv.push("--param", p);
  if (opts.root && opts.root !== ".") argv.push("--root", opts.root);
  if (opts.concurrency !== DEFAULT_CONCURRENCY) argv.push("--concurrency", opts.concurrency);
  if (opts.from) argv.push("--from", opts.from);
  if (opts.only) argv.push("--only", opts.only);
  if (opts.stateDir) argv.push("--state-dir", opts.stateDir);
  if (opts.answers) argv.push("--answers", opts.answers);
  if (opts.kubeconfig) argv.push("--kubeconfig", opts.kubeconfig);
  for (const s of opts.secret ?? []) argv.push("--secret", s);
  if (opts.lockNamespace) argv.push("--lock-namespace", opts.lockNamespace);
  // Faults are left out: a resumed rehearsal runs without them unless they are given again.
  if (opts.simulate) argv.push("--simulate", ...(opts.speed !== undefined ? ["--speed", opts.speed] : []));
  return shellCommandLine(argv);
}
