import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PlanHost, PlanSite } from "../../ir/schema.js";
import type { SshOptions } from "../clients/ssh.js";
import { type HostSite, runOnHost } from "./host-commands.js";
import { generateSshKeyPair, SshServerDouble } from "./ssh-server.js";

/**
 * The hosts of a simulated site: one SSH server double per host, all on 127.0.0.1, and the files that
 * make the OpenSSH client reach them under the hosts' real names: an ssh config whose every `Host` (and a
 * catch-all) has `HostName 127.0.0.1`, so that no command of a rehearsal can reach a real machine, a
 * known_hosts file with each double's key under an alias, and a key that every double accepts.
 */
export class SiteHosts {
  private constructor(
    private readonly doubles: ReadonlyMap<string, SshServerDouble>,
    /** `ssh -F <configFile> <host address> <command>` reaches a host's double. */
    readonly configFile: string,
    readonly knownHostsFile: string,
    readonly identityFile: string,
  ) {}

  /** Starts a double per host of the site, answering with `runOnHost`, and writes the client files in `dir`. */
  static async start(site: PlanSite, dir: string, hostSite: HostSite): Promise<SiteHosts> {
    const client = await generateSshKeyPair();
    const doubles = new Map<string, SshServerDouble>();
    try {
      for (const host of site.hosts) {
        const double = await SshServerDouble.start({
          allowTestKey: false,
          authorizedKeys: [client.publicLine],
          handler: (request) => runOnHost(host, request.command, hostSite),
        });
        doubles.set(host.name, double);
      }
    } catch (e) {
      await Promise.allSettled([...doubles.values()].map((d) => d.close()));
      throw e;
    }
    const identityFile = join(dir, "id_ecdsa");
    const knownHostsFile = join(dir, "known_hosts");
    const configFile = join(dir, "ssh_config");
    writeFileSync(identityFile, client.privatePem, { mode: 0o600 });
    chmodSync(identityFile, 0o600);
    writeFileSync(
      knownHostsFile,
      site.hosts.map((h) => `${alias(h)} ${doubles.get(h.name)!.hostKey.publicLine}\n`).join(""),
    );
    const blocks = site.hosts.map((h) =>
      [
        `Host ${h.address}${h.address !== h.name ? ` ${h.name}` : ""}`,
        "  HostName 127.0.0.1",
        `  Port ${doubles.get(h.name)!.port}`,
        `  HostKeyAlias ${alias(h)}`,
      ].join("\n"),
    );
    writeFileSync(
      configFile,
      [
        `# Written by plan for the simulated site ${site.name}: every host is a double on 127.0.0.1.`,
        ...blocks,
        "Host *",
        "  HostName 127.0.0.1",
        // Nothing listens there: a host that is not in the site is refused, never looked up.
        "  Port 9",
        `  UserKnownHostsFile ${knownHostsFile}`,
        `  IdentityFile ${identityFile}`,
        "  IdentitiesOnly yes",
        "  StrictHostKeyChecking yes",
        "  BatchMode yes",
        "",
      ].join("\n"),
    );
    return new SiteHosts(doubles, configFile, knownHostsFile, identityFile);
  }

  /** The ssh options of the runtime's command runner. */
  sshOptions(): SshOptions {
    return {
      configFile: this.configFile,
      knownHostsFile: this.knownHostsFile,
      identityFile: this.identityFile,
    };
  }

  /** The double of a host, or undefined for a host the site does not have. */
  double(host: string): SshServerDouble | undefined {
    return this.doubles.get(host);
  }

  /** A plan host as the runtime must dial it: the double's port (the config maps its name to 127.0.0.1). */
  dialable(host: PlanHost): PlanHost | undefined {
    const double = this.doubles.get(host.name);
    return double ? { ...host, port: double.port } : undefined;
  }

  /** Every command the hosts were asked to run, in order, with the host's name. */
  execs(): { host: string; user: string; command: string }[] {
    return [...this.doubles].flatMap(([host, d]) => d.execs.map((e) => ({ host, ...e })));
  }

  /** Makes exactly these hosts refuse connections (the others take them). */
  async refuse(hosts: readonly string[]): Promise<void> {
    await Promise.all([...this.doubles].map(([name, d]) => d.refuseConnections(hosts.includes(name))));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.doubles.values()].map((d) => d.close()));
  }
}

function alias(host: PlanHost): string {
  return `plan-simulated-${host.name}`;
}
