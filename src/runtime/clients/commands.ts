import { execa } from "execa";
import type { PlanHost } from "../../ir/schema.js";
import { StepFailure } from "../executor.js";
import { formatMs } from "../poll.js";
import { quoteForShell, shellCommandLine } from "./shell-quote.js";
import {
  classifySshFailure,
  hostLabel,
  remoteCommandLine,
  type SshOptions,
  sshArgv,
  sshDestination,
} from "./ssh.js";

export type OutputStream = "stdout" | "stderr";

/** One command to run: an argument vector, here or on a host over ssh. */
export interface CommandRequest {
  /** The program and its arguments, passed as they are: no shell reads them on this machine. */
  readonly argv: readonly string[];
  /** Where to run it over ssh; absent: on this machine. */
  readonly host?: PlanHost;
  /** Stops the command (SIGTERM, then SIGKILL 5 s later) after this long; absent: no limit. */
  readonly timeoutMs?: number;
  /** Stops the command when it aborts. */
  readonly signal?: AbortSignal;
  /** Given to the command on its standard input (over ssh, to the remote command's); absent: no input. */
  readonly input?: string;
  /** Called with each line of output, as it comes, without its line ending. */
  readonly onLine?: (line: string, stream: OutputStream) => void;
}

/** How a command that ran to its end ended. */
export interface CommandResult {
  /** Its exit code (over ssh: the remote command's, as ssh returns it). */
  readonly exitCode: number;
  /** The last lines of its standard output and error (at most `tailLines` of each). */
  readonly stdoutTail: readonly string[];
  readonly stderrTail: readonly string[];
}

/** Runs commands for the `command` steps: the adapter over execa and the OpenSSH client. */
export interface CommandRunner {
  /**
   * Runs a command to its end and resolves with its exit code, whatever it is. Rejects with a StepFailure
   * when the command could not run or did not end by itself: the program is missing, the time ran out
   * (transient), a signal killed it, or ssh failed to reach or log in to the host (named in the message;
   * transient when the command did not run and trying again could help). When `signal` aborts, the
   * command is stopped and the promise rejects with the signal's reason.
   */
  run(request: CommandRequest): Promise<CommandResult>;
  /** Exactly what `run` would run where, as `describeCommand` writes it, with this runner's ssh defaults. */
  describe(argv: readonly string[], host?: PlanHost): string;
}

export interface CommandRunnerOptions {
  /** How to reach hosts; see `sshOptionsFromEnv` for the environment variables that set it. */
  readonly ssh?: SshOptions;
  /** How many of the last lines of each stream a result keeps; default 20. */
  readonly tailLines?: number;
  /** The working directory of local commands; default the runtime's own. */
  readonly cwd?: string;
  /** Environment variables of local commands, on top of (and over) the runtime's own. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * How long a stopped command has to end after SIGTERM before it gets SIGKILL.
 * NOTE: only the program itself is signalled, not children it left running in the background. Over ssh,
 * stopping the client closes the connection; the remote command is not signalled (without a pty sshd
 * sends no SIGHUP) and stops only when it next writes to the closed channel. Timeouts say so.
 */
const KILL_AFTER_MS = 5_000;

/**
 * Exactly what runs where, as a line a person could paste into a POSIX shell: the command itself, or
 * `ssh [-l user] [-p port] address -- '<the remote command line>'`. The ssh options the runner adds
 * (batch mode, host key checking, identity file) are left out. Throws like `sshArgv` on a bad host.
 */
export function describeCommand(argv: readonly string[], host?: PlanHost, ssh: SshOptions = {}): string {
  if (!host) return shellCommandLine(argv);
  const destination = sshDestination(host, ssh).map(quoteForShell).join(" ");
  return `ssh ${destination} -- ${quoteForShell(remoteCommandLine(argv))}`;
}

/** The CommandRunner of the real runtime: local programs through execa, remote ones through `ssh`. */
export class ExecaCommandRunner implements CommandRunner {
  private readonly ssh: SshOptions;
  private readonly tailLines: number;
  private readonly local: { cwd?: string; env?: Readonly<Record<string, string>> };

  constructor(options: CommandRunnerOptions = {}) {
    this.ssh = options.ssh ?? {};
    this.tailLines = options.tailLines ?? 20;
    this.local = {
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.env !== undefined ? { env: options.env } : {}),
    };
  }

  describe(argv: readonly string[], host?: PlanHost): string {
    return describeCommand(argv, host, this.ssh);
  }

  async run(request: CommandRequest): Promise<CommandResult> {
    const { argv, host, signal } = request;
    if (argv.length === 0) throw new StepFailure("the command is empty", "give the step a program to run");
    const nul = argv.findIndex((a) => a.includes("\0"));
    if (nul >= 0)
      throw new StepFailure(`argument ${nul} of the command holds a NUL byte`, "remove it from the plan");
    const shown = `\`${shellCommandLine(argv.slice(0, 3))}${argv.length > 3 ? " …" : ""}\``;
    if (signal?.aborted) throw signal.reason ?? new Error("stopped");
    const where = host ? `on ${hostLabel(host, this.ssh)}` : "on this machine";
    const [file, args] = host
      ? [this.ssh.program ?? "ssh", sshArgv(host, argv, this.ssh)]
      : [argv[0]!, argv.slice(1)];

    const subprocess = execa(file, args, {
      ...(host ? {} : this.local),
      shell: false,
      reject: false,
      buffer: false,
      ...(request.input !== undefined ? { input: request.input } : { stdin: "ignore" as const }),
      timeout: request.timeoutMs,
      cancelSignal: signal,
      forceKillAfterDelay: KILL_AFTER_MS,
    });
    const tails: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
    let callbackError: unknown;
    const pump = async (stream: OutputStream): Promise<void> => {
      for await (const line of subprocess.iterable({ from: stream })) {
        const tail = tails[stream];
        tail.push(line);
        if (tail.length > this.tailLines) tail.shift();
        // NOTE: a failing callback does not stop the reading, so the command never blocks on a full pipe;
        // its error is thrown once the command has ended.
        try {
          request.onLine?.(line, stream);
        } catch (e) {
          callbackError ??= e;
        }
      }
    };
    const [result] = await Promise.all([subprocess, pump("stdout"), pump("stderr")]);
    if (callbackError !== undefined) throw callbackError;
    if (result.isCanceled) throw signal?.reason ?? new Error("stopped");
    if (result.timedOut) {
      throw new StepFailure(
        `${shown} ${where} did not end within ${formatMs(request.timeoutMs ?? 0)} and was stopped`,
        host ? "it may have gone on running on the host: look there before trying again" : undefined,
        true,
      );
    }
    if (result.exitCode === undefined) {
      if (result.signal) throw new StepFailure(`${shown} ${where} was killed by ${result.signal}`);
      const program = host ? `the ssh client \`${file}\`` : `\`${file}\``;
      throw new StepFailure(
        `${program} could not be started on this machine (${result.code ?? result.shortMessage})`,
        "check that it is installed and on PATH",
      );
    }
    if (host && result.exitCode === 255) {
      const problem = classifySshFailure(tails.stderr.join("\n"), host, this.ssh);
      if (problem) throw new StepFailure(problem.message, problem.help, problem.transient);
    }
    return { exitCode: result.exitCode, stdoutTail: tails.stdout, stderrTail: tails.stderr };
  }
}
