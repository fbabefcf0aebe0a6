import type { PlanHost } from "../../ir/schema.js";
import { splitShellWords } from "./shell-words.js";
import type { ExecReply } from "./ssh-server.js";

/**
 * What a host of a simulated site does with a command that reaches it over ssh. A host runs the CSCs the
 * inventory puts on it (a camera's OCS bridge, a cRIO's CSC, a docker-compose deployment) under one
 * service, which is active or not:
 * - `systemctl stop|start|restart|status|is-active <unit>` for the host's `service` (`x` or `x.service`);
 * - `<the host's service path> stop|start|restart|status`, as a cRIO's `/etc/init.d/ts-VMS stop`;
 * - docker-compose-admin's `./shutdown_<name>` and `./launch_<name>` (often as `sudo -iu dco ...`);
 * - `./update_repo ...` (a configuration update: nothing changes), `hostname`, `true`.
 * Stopping the service kills the host's CSCs (their heartbeats stop; they report nothing); starting it
 * starts them, in the state they come up in, after a while. `sudo` with its usual options is accepted in
 * front of any of these. Anything else exits 127, as a shell says "command not found".
 */

/** What the host side of the site does: the model behind the commands. */
export interface HostSite {
  /** Whether the host's service (or its docker-compose deployment) runs. */
  isActive(host: string): boolean;
  /** Stops it: the host's CSCs are killed. Returns the CSCs it ran. */
  stop(host: string): string[];
  /** Starts it (again: restart): the host's CSCs start. Returns them. */
  start(host: string, restart: boolean): string[];
}

const ok = (stdout = ""): ExecReply => ({ stdout, exitCode: 0 });
const fail = (exitCode: number, stderr: string): ExecReply => ({ stderr: `${stderr}\n`, exitCode });

export function runOnHost(host: PlanHost, command: string, site: HostSite): ExecReply {
  const split = splitShellWords(command);
  if (!split.ok) return fail(2, `bash: ${split.problem} (the simulated host ${host.name} runs one program)`);
  const argv = withoutSudo(split.words);
  if (argv === undefined) return fail(1, "sudo: a user or option is missing");
  const [program, ...args] = argv;
  if (program === undefined) return ok();
  const service = host.service;
  if (program === "systemctl") return systemctl(host, args, site);
  if (service !== undefined && program === service && service.startsWith("/"))
    return initScript(host, args, site);
  const base = program.replace(/^.*\//, "");
  if (program.includes("/") && /^(shutdown|launch)_[A-Za-z0-9_-]+$/.test(base)) {
    const stopping = base.startsWith("shutdown_");
    const cscs = stopping ? site.stop(host.name) : site.start(host.name, false);
    const verb = stopping ? "Stopped" : "Started";
    const lines = cscs.map((c) => ` Container ${containerName(c)}  ${verb}`);
    return ok(lines.length > 0 ? `${lines.join("\n")}\n` : "");
  }
  if (base === "update_repo") return ok("Already up to date.\n");
  if (program === "hostname") return ok(`${host.name}\n`);
  if (program === "true") return ok();
  return fail(127, `bash: line 1: ${program}: command not found`);
}

/** The command after `sudo` and its options; undefined for a `sudo` whose option lacks its value. */
function withoutSudo(words: string[]): string[] | undefined {
  if (words[0] !== "sudo") return words;
  let i = 1;
  while (i < words.length && words[i]!.startsWith("-")) {
    const flag = words[i]!;
    i++;
    if (flag === "--") break;
    if (/^-[A-Za-z]*[ugCDhpr]$/.test(flag)) {
      if (i >= words.length) return undefined;
      i++;
    }
  }
  return words.slice(i);
}

function unitMatches(service: string | undefined, unit: string): boolean {
  if (service === undefined) return false;
  const bare = (u: string) => u.replace(/\.service$/, "");
  return bare(service) === bare(unit);
}

function systemctl(host: PlanHost, args: string[], site: HostSite): ExecReply {
  const [action, unit] = args.filter((a) => !a.startsWith("-"));
  if (!action || !unit) return fail(1, "Too few arguments.");
  if (!unitMatches(host.service, unit)) {
    const name = unit.includes(".") ? unit : `${unit}.service`;
    if (action === "status" || action === "is-active") return fail(4, `Unit ${name} could not be found.`);
    return fail(5, `Failed to ${action} ${name}: Unit ${name} not loaded.`);
  }
  return serviceAction(host, action, site, `systemctl ${action}`);
}

function initScript(host: PlanHost, args: string[], site: HostSite): ExecReply {
  const action = args[0];
  if (!action) return fail(1, `Usage: ${host.service} {start|stop|restart|status}`);
  return serviceAction(host, action, site, host.service!);
}

function serviceAction(host: PlanHost, action: string, site: HostSite, what: string): ExecReply {
  switch (action) {
    case "stop":
      site.stop(host.name);
      return ok();
    case "start":
      if (!site.isActive(host.name)) site.start(host.name, false);
      return ok();
    case "restart":
      site.start(host.name, true);
      return ok();
    case "status":
    case "is-active": {
      const active = site.isActive(host.name);
      const text =
        action === "is-active"
          ? active
            ? "active"
            : "inactive"
          : `● ${host.service}\n     Active: ${active ? "active (running)" : "inactive (dead)"}`;
      return { stdout: `${text}\n`, exitCode: active ? 0 : 3 };
    }
    default:
      return fail(1, `${what}: unknown action \`${action}\``);
  }
}

/** A docker-compose container name for a CSC: `genericcamera101`. */
function containerName(csc: string): string {
  return csc.toLowerCase().replace(/[^a-z0-9]/g, "");
}
