import type { PlanHost } from "../../ir/schema.js";
import { StepFailure } from "../executor.js";
import { shellCommandLine } from "./shell-quote.js";

/**
 * How the runtime reaches a plan's hosts: the OpenSSH client, never prompting, checking host keys.
 *
 * The operator configures it through the environment (read by `sshOptionsFromEnv`):
 *
 * | variable                   | meaning                                                           |
 * | -------------------------- | ----------------------------------------------------------------- |
 * | `PLAN_SSH_IDENTITY`        | the private key file to log in with (only that key is offered)    |
 * | `PLAN_SSH_KNOWN_HOSTS`     | the known_hosts file that holds the hosts' keys                   |
 * | `PLAN_SSH_CONFIG`          | the ssh config file to read, or `none` to read none               |
 * | `PLAN_SSH_USER`            | the user for hosts whose plan entry names none                    |
 * | `PLAN_SSH_PORT`            | the port for hosts whose plan entry names none                    |
 * | `PLAN_SSH_CONNECT_TIMEOUT` | seconds to wait for a connection (default 10)                     |
 *
 * Unset, ssh uses its own defaults (~/.ssh/config, ~/.ssh/known_hosts, the agent and ~/.ssh/id_*).
 */
export interface SshOptions {
  /** The ssh program; default `ssh` from PATH. */
  readonly program?: string;
  readonly identityFile?: string;
  readonly knownHostsFile?: string;
  /** An ssh config file, or `none`. */
  readonly configFile?: string;
  readonly user?: string;
  readonly port?: number;
  readonly connectTimeoutSeconds?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

export type SshOptionsResult =
  | { readonly ok: true; readonly options: SshOptions }
  | { readonly ok: false; readonly problem: string; readonly help: string };

/**
 * Reads the ssh options from environment variables (see `SshOptions`). An invalid value (a port that is
 * not a number, a file name that ssh would expand or split) is reported, not thrown, with what to fix.
 */
export function sshOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): SshOptionsResult {
  const options: { -readonly [K in keyof SshOptions]: SshOptions[K] } = {};
  for (const [name, key] of [
    ["PLAN_SSH_IDENTITY", "identityFile"],
    ["PLAN_SSH_KNOWN_HOSTS", "knownHostsFile"],
    ["PLAN_SSH_CONFIG", "configFile"],
  ] as const) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    // NOTE: ssh expands `%` tokens and splits on blanks in these file names; refusing them is simpler and
    // safer than quoting them for ssh's own option parser.
    if (/[\s"'%\\]/.test(value) || value.startsWith("-")) {
      return {
        ok: false,
        problem: `${name} is \`${value}\`, a file name ssh would not read as written`,
        help: `give ${name} a path without blanks, quotes, backslashes or \`%\``,
      };
    }
    options[key] = value;
  }
  const user = env.PLAN_SSH_USER;
  if (user !== undefined && user !== "") {
    if (!isPlainName(user)) {
      return {
        ok: false,
        problem: `PLAN_SSH_USER is \`${user}\`, not a user name`,
        help: "give a login name",
      };
    }
    options.user = user;
  }
  for (const [name, key, max] of [
    ["PLAN_SSH_PORT", "port", 65535],
    ["PLAN_SSH_CONNECT_TIMEOUT", "connectTimeoutSeconds", 3600],
  ] as const) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    const n = Number(value);
    if (!/^[0-9]+$/.test(value) || n < 1 || n > max) {
      return {
        ok: false,
        problem: `${name} is \`${value}\``,
        help: `give ${name} a whole number from 1 to ${max}`,
      };
    }
    options[key] = n;
  }
  return { ok: true, options };
}

/** A login or host name that cannot be mistaken for an option or split by anyone. */
function isPlainName(value: string): boolean {
  return /^[A-Za-z0-9_.:-]+$/.test(value) && !value.startsWith("-");
}

/** Where a host is, in words: `azar03 (saluser@azar03.cp.lsst.org:22)`. */
export function hostLabel(host: PlanHost, options: SshOptions = {}): string {
  const user = host.user ?? options.user;
  const port = host.port ?? options.port;
  const at = `${user ? `${user}@` : ""}${host.address}${port ? `:${port}` : ""}`;
  return at === host.name ? host.name : `${host.name} (${at})`;
}

/**
 * The `-l user -p port address` part of an ssh command line for a host, user and port falling back to
 * the options. Throws a StepFailure when the address or user could be read by ssh as an option or holds
 * blanks or control characters.
 */
export function sshDestination(host: PlanHost, options: SshOptions = {}): string[] {
  const user = host.user ?? options.user;
  const port = host.port ?? options.port;
  if (!isPlainName(host.address)) {
    throw new StepFailure(
      `the address of host ${host.name} is \`${host.address}\`, which ssh cannot be given safely`,
      "give the host a plain name or IP address in the site file",
    );
  }
  if (user !== undefined && !isPlainName(user)) {
    throw new StepFailure(
      `the user for host ${host.name} is \`${user}\`, not a user name`,
      "fix it in the site file",
    );
  }
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new StepFailure(`the port of host ${host.name} is ${port}`, "give a port from 1 to 65535");
  }
  return [...(user ? ["-l", user] : []), ...(port ? ["-p", String(port)] : []), host.address];
}

/**
 * The full argument vector of the ssh client that runs `argv` on `host`: options that never prompt and
 * check host keys, the destination, `--`, and the remote command line as one argument, each of its words
 * quoted for the remote POSIX shell. Throws a StepFailure for a host that cannot be given to ssh safely,
 * and a TypeError for an empty `argv` or one with a NUL byte.
 */
export function sshArgv(host: PlanHost, argv: readonly string[], options: SshOptions = {}): string[] {
  const remote = remoteCommandLine(argv);
  const timeout = options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS;
  return [
    ...(options.configFile ? ["-F", options.configFile] : []),
    ...["-o", "BatchMode=yes", "-o", `ConnectTimeout=${timeout}`, "-o", "StrictHostKeyChecking=yes"],
    ...["-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4", "-o", "LogLevel=ERROR"],
    ...["-o", "ClearAllForwardings=yes", "-a", "-x", "-T"],
    ...(options.knownHostsFile ? ["-o", `UserKnownHostsFile=${options.knownHostsFile}`] : []),
    ...(options.identityFile ? ["-i", options.identityFile, "-o", "IdentitiesOnly=yes"] : []),
    ...sshDestination(host, options),
    "--",
    remote,
  ];
}

/**
 * The command line the remote shell runs: what ssh sends in its `exec` request, byte for byte.
 * NOTE: the remote login shell must be a POSIX shell (sh, dash, bash, ksh, zsh); csh and fish quote
 * differently.
 */
export function remoteCommandLine(argv: readonly string[]): string {
  return shellCommandLine(argv);
}

/** What went wrong with ssh itself, rather than with the command it ran. */
export interface SshProblem {
  readonly message: string;
  readonly help: string;
  readonly transient: boolean;
}

/**
 * Reads the stderr of an ssh client that exited with 255 and says what failed, naming the host; returns
 * undefined when nothing in it comes from ssh, in which case 255 is the remote command's own exit code.
 * NOTE: the patterns are OpenSSH's messages; a remote command that prints one of them and exits 255 is
 * taken for an ssh failure.
 */
export function classifySshFailure(
  stderr: string,
  host: PlanHost,
  options: SshOptions = {},
): SshProblem | undefined {
  const where = hostLabel(host, options);
  const knownHosts = options.knownHostsFile ?? "~/.ssh/known_hosts";
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/.test(stderr)) {
    return {
      message: `the host key of ${where} is not the one in ${knownHosts}`,
      help:
        "do not go on until the host's administrators confirm that its key changed (someone may be in the " +
        "middle); then replace its line in known_hosts",
      transient: false,
    };
  }
  if (/Host key verification failed|No .* host key is known for/.test(stderr)) {
    return {
      message: `the host key of ${where} is not known (not in ${knownHosts})`,
      help:
        "check the key's fingerprint with the host's administrators, then add it to known_hosts " +
        "(or point PLAN_SSH_KNOWN_HOSTS at a file that has it)",
      transient: false,
    };
  }
  if (/Permission denied \(/.test(stderr) || /Too many authentication failures/.test(stderr)) {
    return {
      message: `${where} refused to let ${host.user ?? options.user ?? "this user"} log in with ssh`,
      help:
        "check the key (PLAN_SSH_IDENTITY, or your ssh agent) and that its public key is in the user's " +
        "authorized_keys on the host",
      transient: false,
    };
  }
  if (/Could not resolve hostname/.test(stderr)) {
    return {
      message: `the address of ${where} could not be resolved`,
      help: "check the host's address in the site file, and the network or VPN",
      transient: true,
    };
  }
  if (/Connection refused/.test(stderr)) {
    return {
      message: `${where} refused the ssh connection (no ssh server listening)`,
      help: "check that the host is up and its ssh server is running; the command did not run",
      transient: true,
    };
  }
  if (/Connection timed out|Operation timed out|No route to host|Network is unreachable/.test(stderr)) {
    return {
      message: `${where} could not be reached over ssh`,
      help: "check that the host is up and reachable (network, VPN, firewall); the command did not run",
      transient: true,
    };
  }
  if (/kex_exchange_identification|Connection (closed|reset) by .* port|banner exchange/.test(stderr)) {
    return {
      message: `${where} closed the ssh connection before logging in`,
      help: "check the host's ssh server (its logs, MaxStartups, a firewall); the command did not run",
      transient: true,
    };
  }
  if (/Timeout, server .* not responding|closed by remote host|Broken pipe|client_loop/.test(stderr)) {
    return {
      message: `the ssh connection to ${where} was lost while the command ran`,
      help: "the command may have run in part: look at the host before resuming",
      transient: false,
    };
  }
  return undefined;
}
