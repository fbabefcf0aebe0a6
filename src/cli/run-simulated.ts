import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Plan, PlanSite } from "../ir/schema.js";
import type { AnswersFile } from "../runtime/answers.js";
import type { RunDisplay } from "../runtime/display.js";
import type { Clock, Operator, Secrets, Services } from "../runtime/executor.js";
import { journalPath, parseJournal } from "../runtime/journal.js";
import { formatMs } from "../runtime/poll.js";
import { replay } from "../runtime/run-state.js";
import { SimulatedSite } from "../runtime/simulator/simulated-site.js";
import { describeFaults, parseFaults } from "../runtime/simulator/site-faults.js";
import { simulatedOperator } from "../runtime/simulator/site-operator.js";
import { simulatedServices } from "../runtime/simulator/site-services.js";

/**
 * `plan run --simulate`: the run's site is a simulated one, started in this process from the plan's site;
 * the runtime, its executors and their client libraries are the real ones, pointed at it. This file starts
 * the site, gives the run its services, clock and operator, and says at the end what the site saw.
 */

export interface SimulationOptions {
  readonly stateDir: string;
  readonly speed: number;
  readonly faults: readonly string[];
  readonly resume: boolean;
  readonly fresh: boolean;
  readonly answers?: AnswersFile;
}

export interface Simulation {
  readonly site: SimulatedSite;
  readonly services: Services;
  readonly operator: Operator;
  readonly clock: Clock;
  /** The plan's site as the lock store must see it (its cluster is the simulated one). */
  readonly lockSite: PlanSite;
  /** What the site saw, for the end of the run. */
  epilogue(): string[];
  close(): Promise<void>;
}

export type StartedSimulation =
  | { readonly ok: true; readonly simulation: Simulation }
  | { readonly ok: false; readonly problem: string };

/** How many times faster than real time a simulated run goes unless `--speed` says otherwise. */
export const DEFAULT_SPEED = 60;

/** The directory of a plan's simulated site in a state directory: beside its journal, by plan and hash. */
export function simulatedSiteDir(stateDir: string, plan: Plan): string {
  return join(stateDir, "simulated", basename(journalPath(stateDir, plan.id, plan.hash), ".jsonl"));
}

/** Reads `--speed`: a positive number; undefined for anything else. */
export function parseSpeed(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * Starts the simulated site of a run. A resumed run continues the site saved beside its journal; a new run
 * starts a fresh site, except when the journal holds an unfinished run that this one will be refused for
 * (then the saved site is left untouched, and the refused run's site is not saved).
 */
export async function startSimulation(
  plan: Plan,
  options: SimulationOptions,
  display: RunDisplay,
  secrets: Secrets,
): Promise<StartedSimulation> {
  const faults = parseFaults(options.faults, plan.site);
  if (!faults.ok) return { ok: false, problem: faults.problem };
  const dir = simulatedSiteDir(options.stateDir, plan);
  const willBeRefused = !options.resume && !options.fresh && unfinishedRun(options.stateDir, plan);
  let site: SimulatedSite;
  try {
    site = await SimulatedSite.start({
      site: plan.site,
      dir,
      speed: options.speed,
      restore: options.resume,
      persist: !willBeRefused,
      faults: faults.faults,
      keep: plan.ignored,
    });
  } catch (e) {
    return { ok: false, problem: `the simulated site cannot start: ${(e as Error).message}` };
  }
  site.onNotice = (text) => display.notice(text);
  const e = site.endpoints;
  const notices = [
    `Simulated site ${plan.site.name} at ${options.speed}x (${site.restored ? `continued from ${e.snapshot}` : "fresh"}); faults: ${describeFaults(faults.faults)}`,
    ...(e.kubeconfig
      ? [`  Kubernetes ${e.kubernetes}: kubectl --kubeconfig ${e.kubeconfig} get jobs -A`]
      : []),
    `  Argo CD ${e.argocd} (CA ${e.argocdCa}), Kafka ${e.kafka}, schema registry ${e.schemaRegistry}, EFD ${e.efd}`,
    `  hosts: ssh -F ${e.sshConfig} <host>; local programs: ${e.shims}`,
    ...differences(plan.site).map((d) => `  note: ${d}`),
  ];
  if (options.resume && !site.restored)
    notices.push("  note: no saved simulated site for this run: a fresh one stands in for it");
  for (const n of notices) display.notice(n);
  const services = simulatedServices(site, secrets);
  return {
    ok: true,
    simulation: {
      site,
      services,
      operator: simulatedOperator(site, plan, options.answers),
      clock: site.clock,
      lockSite: site.siteOverride(),
      epilogue: () => epilogue(site, plan),
      close: () => site.close(),
    },
  };
}

/** Where a simulated run differs from a real one of this site, in words. */
function differences(site: PlanSite): string[] {
  const out: string[] = [];
  const a = site.argocd;
  if (a && !a.tokenEnv && !(a.usernameEnv && a.passwordEnv)) {
    out.push(
      `site ${site.name} names no Argo CD credentials: a real run's syncs would fail; the simulated Argo CD takes its own token`,
    );
  }
  if (!site.efd) {
    out.push(
      `site ${site.name} names no EFD: a real run asks the operator to look at Chronograf for each CSC-state check; here the simulated EFD is read`,
    );
  }
  return out;
}

function unfinishedRun(stateDir: string, plan: Plan): boolean {
  const path = journalPath(stateDir, plan.id, plan.hash);
  if (!existsSync(path)) return false;
  const read = parseJournal(readFileSync(path, "utf8"));
  if (!read.ok) return true;
  const state = replay(read.events);
  return state.sessions > 0 && !state.finished;
}

function epilogue(site: SimulatedSite, plan: Plan): string[] {
  const p = site.parts;
  const states = new Map<string, number>();
  let silent = 0;
  for (const id of p.layout.cscIds()) {
    const r = p.model.record(id);
    if (!r?.running) silent++;
    else states.set(r.state ?? "unknown", (states.get(r.state ?? "unknown") ?? 0) + 1);
  }
  const running = [...states].sort(([a], [b]) => (a < b ? -1 : 1)).map(([s, n]) => `${n} ${s}`);
  const execs = p.hosts?.execs() ?? [];
  const runs = site.localRuns;
  const elapsed = p.clock.now() - site.startedAt;
  return [
    `Simulated site ${plan.site.name}, after ${formatMs(elapsed)} of site time in this session:`,
    `  CSCs running: ${running.join(", ") || "none"}; not running: ${silent}`,
    `  calls seen: Kubernetes ${p.kube.requests.length}, Argo CD ${p.argocd.requests.length}, Kafka ${p.kafka.requests.length}, ` +
      `schema registry ${p.registry.requests.length}, EFD ${p.efd.requests.length}; ssh commands ${execs.length}; local programs ${runs.length}` +
      (runs.length > 0 ? ` (${[...new Set(runs.map((r) => r.program))].join(", ")})` : ""),
    `  schema registry compatibility ${p.registry.compatibility}; EFD ${p.efdProjection.isFresh ? "fresh" : "stale (telegraf down)"}`,
    `  the site is saved in ${join(site.endpoints.snapshot, "..")}: --resume continues it`,
  ];
}
