import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type CommandRunner,
  describeCommand,
  ExecaCommandRunner,
} from "../../src/runtime/clients/commands.js";
import { quoteForShell, shellCommandLine } from "../../src/runtime/clients/shell-quote.js";
import { remoteCommandLine } from "../../src/runtime/clients/ssh.js";
import { StepFailure } from "../../src/runtime/executor.js";
import { CommandFailed, commandExecutor } from "../../src/runtime/executors/command.js";
import {
  generateSshKeyPair,
  SshServerDouble as SshDouble,
  type SshServerDouble,
  writeSshClientFiles,
} from "../../src/runtime/simulator/ssh-server.js";
import { testContext, testPlan, testStep } from "./context.js";

/** Arguments that would do something else if any shell read them unquoted. */
const HOSTILE = [
  "$(touch dollar)",
  "`touch backtick`",
  "; touch semicolon",
  "a && touch and",
  "| touch pipe",
  "> redirected",
  "*",
  "?",
  "[a]",
  "~",
  "~root",
  "it's",
  '"double"',
  "'single'",
  "'\\''",
  "back\\slash",
  "line one\nline two",
  "tab\there",
  "  spaces  ",
  "",
  "--",
  "-n",
  "-e",
  "--version",
  "$HOME",
  "${PATH}",
  "!",
  "#not a comment",
  "A=b",
  "if",
  "{",
  "%",
  "ünïcödé ✓",
];

let scratch: string;
let echoArgs: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "plan-commands-"));
  echoArgs = join(scratch, "echo-args.cjs");
  await writeFile(echoArgs, "process.stdout.write(JSON.stringify(process.argv.slice(2)) + '\\n');\n");
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("quoting for a POSIX shell", () => {
  it("leaves plain words bare and quotes everything else", () => {
    expect(quoteForShell("systemctl")).toBe("systemctl");
    expect(quoteForShell("ocs-bridge.service")).toBe("ocs-bridge.service");
    expect(quoteForShell("")).toBe("''");
    expect(quoteForShell("it's")).toBe("'it'\\''s'");
    expect(quoteForShell("A=b")).toBe("'A=b'");
    expect(quoteForShell("if")).toBe("'if'");
    expect(() => quoteForShell("a\0b")).toThrow(TypeError);
  });

  it("reads back as the same words in /bin/sh, for any strings", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: "binary" }).filter((s) => !s.includes("\0")),
          { minLength: 1 },
        ),
        async (args) => {
          const out = await execa("/bin/sh", ["-c", `printf '%s\\0' ${shellCommandLine(args)}`], {
            encoding: "buffer",
            cwd: scratch,
          });
          expect(Buffer.from(out.stdout)).toEqual(Buffer.from(args.map((a) => `${a}\0`).join("")));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("local commands", () => {
  const runner = new ExecaCommandRunner();

  it("passes the argument vector exactly, with no shell", async () => {
    const lines: string[] = [];
    const result = await runner.run({
      argv: [process.execPath, echoArgs, ...HOSTILE],
      onLine: (line) => lines.push(line),
    });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(lines.join("\n"))).toEqual(HOSTILE);
    expect(await readdir(scratch)).toEqual(["echo-args.cjs"]);
  });

  it("gives the command its input when the step has some, and an empty input otherwise", async () => {
    const reader = [
      "-e",
      "let s='';process.stdin.on('data',d=>s+=d);process.stdin.on('end',()=>console.log(JSON.stringify(s)))",
    ];
    const read = async (input?: string) => {
      const lines: string[] = [];
      await runner.run({
        argv: [process.execPath, ...reader],
        ...(input !== undefined ? { input } : {}),
        onLine: (l) => lines.push(l),
      });
      return JSON.parse(lines.join(""));
    };
    expect(await read("y\n")).toBe("y\n");
    expect(await read()).toBe("");
  });

  it("streams each line as it comes, on both streams", async () => {
    const marker = join(scratch, "go-on");
    const program = `
      const fs = require("node:fs");
      console.log("first");
      console.error("to stderr");
      const wait = setInterval(() => {
        if (fs.existsSync(${JSON.stringify(marker)})) { clearInterval(wait); console.log("second"); }
      }, 10);`;
    const seen: [string, string][] = [];
    // The program only goes on once the test has seen its first line: streaming or a deadlock.
    const result = await runner.run({
      argv: [process.execPath, "-e", program],
      onLine: (line, stream) => {
        seen.push([stream, line]);
        if (line === "first") void writeFile(marker, "");
      },
    });
    await rm(marker);
    expect(result.exitCode).toBe(0);
    expect(seen.filter(([s]) => s === "stdout")).toEqual([
      ["stdout", "first"],
      ["stdout", "second"],
    ]);
    expect(seen).toContainEqual(["stderr", "to stderr"]);
    expect(result.stdoutTail).toEqual(["first", "second"]);
    expect(result.stderrTail).toEqual(["to stderr"]);
  });

  it("resolves with the exit code, whatever it is", async () => {
    for (const code of [0, 1, 3, 255]) {
      const result = await runner.run({ argv: [process.execPath, "-e", `process.exit(${code})`] });
      expect(result.exitCode).toBe(code);
    }
  });

  it("keeps only the last lines of each stream", async () => {
    const small = new ExecaCommandRunner({ tailLines: 2 });
    const result = await small.run({
      argv: [process.execPath, "-e", "for (let i = 1; i <= 5; i++) console.error(i)"],
    });
    expect(result.stderrTail).toEqual(["4", "5"]);
  });

  it("fails clearly when the program does not exist", async () => {
    const failure = await runner.run({ argv: ["plan-no-such-program-x"] }).catch((e) => e);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.message).toMatch(/`plan-no-such-program-x` could not be started on this machine/);
  });

  it("refuses an empty command and a NUL byte", async () => {
    await expect(runner.run({ argv: [] })).rejects.toThrow(/empty/);
    await expect(runner.run({ argv: ["echo", "a\0b"] })).rejects.toThrow(/NUL/);
  });

  it("stops a command that outlives its timeout, and says it may help to try again", async () => {
    const pidFile = join(scratch, "timeout.pid");
    const program = `require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, 60000);`;
    const failure = await runner
      .run({ argv: [process.execPath, "-e", program], timeoutMs: 1000 })
      .catch((e) => e);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.message).toMatch(/did not end within 1s and was stopped/);
    expect(failure.transient).toBe(true);
    const pid = Number(await readFile(pidFile, "utf8"));
    await rm(pidFile);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it("stops the command when the signal aborts, and rejects with its reason", async () => {
    const controller = new AbortController();
    const reason = new Error("operator stopped the run");
    let pid = 0;
    const program = "console.log(process.pid); setTimeout(() => {}, 60000);";
    const run = runner.run({
      argv: [process.execPath, "-e", program],
      signal: controller.signal,
      onLine: (line) => {
        pid = Number(line);
        controller.abort(reason);
      },
    });
    await expect(run).rejects.toBe(reason);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    await expect(runner.run({ argv: ["true"], signal: controller.signal })).rejects.toBe(reason);
  });
});

describe("commands over ssh, with the real OpenSSH client against the ssh double", () => {
  let double: SshServerDouble;
  let runner: CommandRunner;
  let workdir: string;
  let clientDir: string;
  /** What the double's shell printed on stdout, byte for byte. */
  let printed: Buffer[];

  beforeAll(async () => {
    double = await SshDouble.start({ user: "tester" });
    clientDir = join(scratch, "client");
    await mkdir(clientDir);
    runner = new ExecaCommandRunner({ ssh: (await writeSshClientFiles(clientDir, double)).options });
  });
  afterAll(async () => {
    await double.close();
  });
  afterEach(async () => {
    await double.refuseConnections(false);
  });

  async function useShellHandler(): Promise<void> {
    workdir = await mkdtemp(join(scratch, "remote-"));
    await writeFile(join(workdir, "sentinel"), "");
    printed = [];
    double.handler = async ({ command }) => {
      const out = await execa("/bin/sh", ["-c", command], {
        cwd: workdir,
        encoding: "buffer",
        reject: false,
      });
      printed.push(Buffer.from(out.stdout));
      return { stdout: out.stdout, stderr: out.stderr, exitCode: out.exitCode ?? 1 };
    };
  }

  it("delivers hostile arguments byte for byte, and nothing else runs", async () => {
    await useShellHandler();
    const argv = ["printf", "%s\\0", ...HOSTILE];
    const before = double.execs.length;
    const result = await runner.run({ argv, host: double.host("mcm") });
    expect(result.exitCode).toBe(0);
    expect(double.execs.slice(before)).toEqual([{ user: "tester", command: remoteCommandLine(argv) }]);
    expect(printed).toEqual([Buffer.from(HOSTILE.map((a) => `${a}\0`).join(""))]);
    expect(await readdir(workdir)).toEqual(["sentinel"]);
  });

  it("delivers any strings byte for byte", async () => {
    await useShellHandler();
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string().filter((s) => !s.includes("\0")),
          { minLength: 1, maxLength: 6 },
        ),
        async (args) => {
          printed = [];
          const result = await runner.run({ argv: ["printf", "%s\\0", ...args], host: double.host() });
          expect(result.exitCode).toBe(0);
          expect(printed).toEqual([Buffer.from(args.map((a) => `${a}\0`).join(""))]);
        },
      ),
      { numRuns: 15 },
    );
    expect(await readdir(workdir)).toEqual(["sentinel"]);
  });

  it("returns the remote exit code and streams its output", async () => {
    double.handler = () => ({ stdout: "one\ntwo\n", stderr: "oops\n", exitCode: 3 });
    const lines: string[] = [];
    const result = await runner.run({
      argv: ["false"],
      host: double.host(),
      onLine: (l, s) => lines.push(`${s}:${l}`),
    });
    expect(result.exitCode).toBe(3);
    expect(lines).toEqual(expect.arrayContaining(["stdout:one", "stdout:two", "stderr:oops"]));
    expect(result.stderrTail).toEqual(["oops"]);
  });

  it("takes a remote exit code of 255 without an ssh message for the command's own", async () => {
    double.handler = () => ({ stderr: "bridge: fatal\n", exitCode: 255 });
    const result = await runner.run({ argv: ["bridge"], host: double.host() });
    expect(result.exitCode).toBe(255);
  });

  it("names a host that refuses the connection, as a failure worth retrying", async () => {
    await double.refuseConnections(true);
    const failure = await runner.run({ argv: ["true"], host: double.host("azar03") }).catch((e) => e);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.message).toBe(
      `azar03 (tester@127.0.0.1:${double.port}) refused the ssh connection (no ssh server listening)`,
    );
    expect(failure.transient).toBe(true);
    await double.refuseConnections(false);
    double.handler = () => ({ exitCode: 0 });
    expect((await runner.run({ argv: ["true"], host: double.host("azar03") })).exitCode).toBe(0);
  });

  it("refuses a host whose key is not the one in known_hosts, and runs nothing", async () => {
    const other = await generateSshKeyPair();
    const dir = await mkdtemp(join(scratch, "wrong-key-"));
    const files = await writeSshClientFiles(dir, double, {
      knownHostsLine: `[127.0.0.1]:${double.port} ${other.publicLine}`,
    });
    const before = double.execs.length;
    const failure = await new ExecaCommandRunner({ ssh: files.options })
      .run({ argv: ["true"], host: double.host("tel-hw1") })
      .catch((e) => e);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.message).toBe(
      `the host key of tel-hw1 (tester@127.0.0.1:${double.port}) is not the one in ${files.knownHostsFile}`,
    );
    expect(failure.transient).toBe(false);
    expect(double.execs.length).toBe(before);
  });

  it("refuses a host whose key is unknown, never asking", async () => {
    const dir = await mkdtemp(join(scratch, "unknown-key-"));
    const files = await writeSshClientFiles(dir, double, { knownHostsLine: "# no hosts" });
    const failure = await new ExecaCommandRunner({ ssh: files.options })
      .run({ argv: ["true"], host: double.host("tel-hw1") })
      .catch((e) => e);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.message).toMatch(/^the host key of tel-hw1 .* is not known/);
  });

  it("says when the host does not let the user in", async () => {
    const dir = await mkdtemp(join(scratch, "wrong-identity-"));
    const files = await writeSshClientFiles(dir, double, { key: await generateSshKeyPair() });
    const failure = await new ExecaCommandRunner({ ssh: files.options })
      .run({ argv: ["true"], host: double.host("love01") })
      .catch((e) => e);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.message).toBe(
      `love01 (tester@127.0.0.1:${double.port}) refused to let tester log in with ssh`,
    );
    expect(failure.transient).toBe(false);
  });

  it("stops a remote command that outlives its timeout and drops the connection", async () => {
    let gone: AbortSignal | undefined;
    double.handler = (_request, signal) =>
      new Promise((resolve) => {
        gone = signal;
        signal.addEventListener("abort", () => resolve({ exitCode: 0 }));
      });
    const failure = await runner
      .run({ argv: ["sleep", "600"], host: double.host(), timeoutMs: 1500 })
      .catch((e) => e);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.transient).toBe(true);
    await vi.waitFor(() => expect(gone?.aborted).toBe(true), { timeout: 10_000 });
  });

  it("describes the ssh command so that a shell hands ssh exactly the words it runs", async () => {
    const argv = ["printf", "%s\\n", "it's", "$(x)"];
    const line = describeCommand(argv, double.host());
    expect(line).toBe(
      `ssh -l tester -p ${double.port} 127.0.0.1 -- 'printf '\\''%s\\n'\\'' '\\''it'\\''\\'\\'''\\''s'\\'' '\\''$(x)'\\'''`,
    );
    const words = await execa("/bin/sh", ["-c", `printf '%s\\0' ${line.slice("ssh ".length)}`], {
      cwd: scratch,
    });
    expect(words.stdout.split("\0").slice(0, -1)).toEqual([
      "-l",
      "tester",
      "-p",
      String(double.port),
      "127.0.0.1",
      "--",
      remoteCommandLine(argv),
    ]);
  });

  it("runs a command step on its host, logging every line", async () => {
    double.handler = () => ({ stdout: "stopped\n", exitCode: 0 });
    const step = testStep("command", {
      argv: ["sudo", "systemctl", "stop", "ocs-bridge.service"],
      host: double.host("mcm"),
    });
    const t = testContext({ plan: testPlan([step]), services: { commands: () => runner } });
    expect(commandExecutor.describe(step, t.ctx.site)).toEqual([
      `ssh -l tester -p ${double.port} 127.0.0.1 -- 'sudo systemctl stop ocs-bridge.service'`,
    ]);
    expect(await commandExecutor.run(step, t.ctx)).toEqual({ status: "done", summary: "exit code 0" });
    expect(t.logs).toEqual([
      `$ ssh -l tester -p ${double.port} 127.0.0.1 -- 'sudo systemctl stop ocs-bridge.service'`,
      "stopped",
    ]);
    expect(double.execs.at(-1)?.command).toBe("sudo systemctl stop ocs-bridge.service");
  });
});

describe("the command executor", () => {
  const runner = new ExecaCommandRunner();

  it("describes a local command as the line a shell would run", () => {
    const step = testStep("command", { argv: ["kubectl", "get", "pods", "-l", "app in (a,b)"] });
    expect(commandExecutor.describe(step, testPlan().site)).toEqual(["kubectl get pods -l 'app in (a,b)'"]);
  });

  it("logs the admonitions, the command and its output, and is done on exit code 0", async () => {
    const step = testStep("command", {
      argv: [process.execPath, "-e", "console.log('out'); console.error('err')"],
      admonitions: [
        { level: "warning", text: "This stops the camera.", source: { file: "a", line: 1, column: 1 } },
      ],
    });
    const t = testContext({ services: { commands: () => runner } });
    expect(await commandExecutor.run(step, t.ctx)).toEqual({ status: "done", summary: "exit code 0" });
    expect(t.logs[0]).toBe("WARNING: This stops the camera.");
    expect(t.logs[1]).toBe(`$ ${shellCommandLine(step.argv)}`);
    expect(t.logs.slice(2).sort()).toEqual(["out", "stderr: err"]);
  });

  it("fails with the exit code and the last lines of stderr", async () => {
    const program = "for (let i = 1; i <= 15; i++) console.error('problem ' + i); process.exit(4)";
    const step = testStep("command", { argv: [process.execPath, "-e", program] });
    const t = testContext({ services: { commands: () => runner } });
    const failure = await commandExecutor.run(step, t.ctx).catch((e) => e);
    expect(failure).toBeInstanceOf(CommandFailed);
    expect(failure.exitCode).toBe(4);
    expect(failure.stderrTail).toEqual(Array.from({ length: 10 }, (_, i) => `problem ${i + 6}`));
    expect(failure.message).toMatch(/exited with code 4; the last lines of stderr:\n {2}problem 6\n/);
    expect(failure.message).toMatch(/problem 15$/);
    expect(t.logs.filter((l) => l.startsWith("stderr: "))).toHaveLength(15);
  });

  it("gives the step's timeout to the runner", async () => {
    const step = testStep("command", {
      argv: [process.execPath, "-e", "setTimeout(() => {}, 60000)"],
      timeoutSeconds: 1,
    });
    const t = testContext({ services: { commands: () => runner } });
    await expect(commandExecutor.run(step, t.ctx)).rejects.toThrow(/did not end within 1s/);
  });

  it("runs nothing when the step's host cannot be given to ssh safely", async () => {
    const step = testStep("command", {
      argv: ["true"],
      host: { name: "evil", address: "-oProxyCommand=touch pwned", roles: [] },
    });
    const t = testContext({ services: { commands: () => runner } });
    await expect(commandExecutor.run(step, t.ctx)).rejects.toThrow(StepFailure);
    expect(existsSync("pwned")).toBe(false);
  });
});
