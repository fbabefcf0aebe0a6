import { describeCommand } from "../clients/commands.js";
import { type Executor, StepFailure } from "../executor.js";
import { DEFAULT_TIMEOUT_MS } from "../poll.js";
import { logAdmonitions } from "./operator-question.js";

/** How many of the last lines of stderr a failure quotes (all of them are in the journal already). */
const STDERR_LINES_QUOTED = 10;

/** A command that ran to its end with a non-zero exit code. */
export class CommandFailed extends StepFailure {
  constructor(
    message: string,
    help: string,
    readonly exitCode: number,
    readonly stderrTail: readonly string[],
  ) {
    super(message, help, false);
    this.name = "CommandFailed";
  }
}

/**
 * Runs a command step, on this machine or on its host over ssh, logging every line of its output
 * (stderr lines prefixed `stderr: `). Exit code 0 is done; any other is a CommandFailed with the code and
 * the last lines of stderr. A step without `timeoutSeconds` is stopped after DEFAULT_TIMEOUT_MS.
 * Failures to run at all (missing program, timeout, ssh refused) are the runner's StepFailures.
 */
export const commandExecutor: Executor<"command"> = {
  kind: "command",
  describe(step) {
    return [
      describeCommand(step.argv, step.host),
      ...(step.stdin !== undefined ? [`  with on its standard input: ${JSON.stringify(step.stdin)}`] : []),
    ];
  },
  async run(step, ctx) {
    logAdmonitions(step, ctx);
    const runner = ctx.services.commands();
    const line = runner.describe(step.argv, step.host);
    ctx.log(`$ ${line}`);
    // NOTE: a command step without a timeout still gets the default one, so that a hung command or a
    // dead connection cannot hold the run forever; a plan that needs longer says so.
    const timeoutMs = step.timeoutSeconds !== undefined ? step.timeoutSeconds * 1000 : DEFAULT_TIMEOUT_MS;
    const result = await runner.run({
      argv: step.argv,
      host: step.host,
      timeoutMs,
      signal: ctx.signal,
      ...(step.stdin !== undefined ? { input: step.stdin } : {}),
      onLine: (text, stream) => ctx.log(stream === "stderr" ? `stderr: ${text}` : text),
    });
    if (result.exitCode === 0) return { status: "done", summary: "exit code 0" };
    const where = step.host ? ` on ${step.host.name}` : "";
    const tail = result.stderrTail.slice(-STDERR_LINES_QUOTED);
    const message =
      `\`${step.argv[0]}\`${where} exited with code ${result.exitCode}` +
      (tail.length > 0
        ? `; the last lines of stderr:\n${tail.map((l) => `  ${l}`).join("\n")}`
        : " (no stderr)");
    const help =
      step.host && result.exitCode === 255
        ? "255 is also how ssh reports its own failures: look at the output; fix the cause, then resume the run"
        : "look at the output above, fix the cause, then resume the run";
    throw new CommandFailed(message, help, result.exitCode, tail);
  },
};

/** The executors of the steps that run commands, by kind. */
export const commandExecutors = { command: commandExecutor } as const;
