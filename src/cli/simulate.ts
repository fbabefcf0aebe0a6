import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { shellCommandLine } from "../runtime/clients/shell-quote.js";
import { formatMs } from "../runtime/poll.js";
import { CONTROL_TOKEN_ENV, CONTROL_URL_ENV } from "../runtime/simulator/control-server.js";
import { SimulatedSite } from "../runtime/simulator/simulated-site.js";
import { describeFaults, parseFaults } from "../runtime/simulator/site-faults.js";
import { lookupIn } from "./files.js";
import { planFromInput } from "./inputs.js";
import { EXIT } from "./main.js";
import { printDiagnostics } from "./output.js";
import { parseSpeed, simulatedSiteDir } from "./run-simulated.js";

export interface SimulateCommandOptions {
  site?: string;
  param?: string[];
  root?: string;
  stateDir?: string;
  speed?: string;
  fresh?: boolean;
  faults?: string[];
}

/**
 * `plan simulate <entry | plan.json>`: serves the plan's simulated site on 127.0.0.1 until Ctrl-C (or
 * SIGTERM), printing its endpoints and how to look at each with the usual tools. It serves the site saved
 * in the state directory (where `plan run --simulate` keeps it), unless `--fresh`; it is saved again on
 * the way out. Exit codes: 0 stopped by a signal, 1 the plan does not compile or the site cannot start,
 * 2 bad usage.
 */
export async function simulateCommand(input: string, opts: SimulateCommandOptions): Promise<number> {
  const err = (text: string) => process.stderr.write(`plan simulate: ${text}\n`);
  const out = (text: string) => process.stdout.write(`${text}\n`);
  if (!existsSync(input)) {
    err(`no such file: ${input}`);
    return EXIT.usage;
  }
  const speed = parseSpeed(opts.speed, 1);
  if (speed === undefined) {
    err(`--speed must be a positive number, not \`${opts.speed}\``);
    return EXIT.usage;
  }
  const loaded = await planFromInput(input, { site: opts.site, param: opts.param, root: opts.root });
  if (!loaded.ok) {
    if (loaded.message) err(loaded.message);
    printDiagnostics(loaded.diagnostics, lookupIn(loaded.sources), "text");
    return EXIT.problems;
  }
  const plan = loaded.plan;
  const faults = parseFaults(opts.faults ?? [], plan.site);
  if (!faults.ok) {
    err(faults.problem);
    return EXIT.usage;
  }
  const dir = simulatedSiteDir(resolve(opts.stateDir ?? ".plan"), plan);
  let site: SimulatedSite;
  try {
    site = await SimulatedSite.start({
      site: plan.site,
      dir,
      speed,
      restore: !opts.fresh,
      faults: faults.faults,
      keep: plan.ignored,
    });
  } catch (e) {
    err(`the simulated site cannot start: ${(e as Error).message}`);
    return EXIT.problems;
  }
  site.onNotice = (text) => out(text);
  for (const line of guide(site, plan.site.name, plan.id, speed, describeFaults(faults.faults))) out(line);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  site.save();
  await site.close();
  out(
    `\nStopped after ${formatMs(site.clock.now() - site.startedAt)} of site time; the site is saved in ${dir}.`,
  );
  return EXIT.ok;
}

function guide(site: SimulatedSite, name: string, planId: string, speed: number, faults: string): string[] {
  const e = site.endpoints;
  const firstHost = site.parts.site.hosts.find((h) => h.service) ?? site.parts.site.hosts[0];
  const firstApp = site.parts.site.apps.find((a) => a.project === "telescope") ?? site.parts.site.apps[0];
  const obssys = site.layout.kubeCscs[0]?.namespace ?? "default";
  const lines = [
    `Simulated site ${name} (for ${planId}), ${site.restored ? "continued from its saved state" : "fresh"}, at ${speed}x; faults: ${faults}`,
    `State: ${e.snapshot}`,
    "",
    `Kubernetes      ${e.kubernetes} (context ${e.context})`,
    `  kubectl --kubeconfig ${e.kubeconfig} get jobs -n ${obssys}`,
    `Argo CD         ${e.argocd}`,
    `  curl --cacert ${e.argocdCa} -H 'Authorization: Bearer ${e.argocdToken}' ${e.argocd}/api/v1/applications/${firstApp?.name ?? "love"}`,
    `Kafka           ${e.kafka}`,
    `  kcat -L -b ${e.kafka}`,
    `Schema registry ${e.schemaRegistry}`,
    `  curl ${e.schemaRegistry}/config`,
    `EFD (InfluxDB)  ${e.efd} (database ${e.efdDatabase})`,
    `  curl -G ${e.efd}/query --data-urlencode db=${e.efdDatabase} --data-urlencode 'q=SELECT * FROM "lsst.sal.Watcher.logevent_summaryState" ORDER BY time DESC LIMIT 1'`,
  ];
  if (firstHost) {
    lines.push(`Hosts (ssh)     ${e.sshConfig}`);
    lines.push(
      `  ssh -F ${e.sshConfig} ${firstHost.address} ${firstHost.service ? `systemctl status ${firstHost.service}` : "hostname"}`,
    );
  }
  lines.push(`Local programs  ${e.shims} (cleanup_all, cleanup_nublado, kubectl, kt, docker)`);
  lines.push(
    `  ${shellCommandLine(["env", `PATH=${e.shims}`, `${CONTROL_URL_ENV}=${site.controlUrl}`, `${CONTROL_TOKEN_ENV}=${site.controlToken}`, "kt", "consumers", site.parts.site.kafka?.toolsSite ?? name, "lag", "--summary"])}`,
  );
  lines.push(
    "",
    "Ctrl-C stops it; the site is saved, and `plan run --simulate --resume` or `plan simulate` goes on from there.",
  );
  return lines;
}
