import { describe, expect, it } from "vitest";
import { classifySshFailure, sshArgv, sshOptionsFromEnv } from "../../src/runtime/clients/ssh.js";
import { StepFailure } from "../../src/runtime/executor.js";

const host = { name: "azar03", address: "azar03.cp.lsst.org", roles: [], user: "saluser", port: 2222 };

describe("the ssh command line", () => {
  it("never prompts, checks host keys, and passes the remote command as one argument after --", () => {
    const argv = sshArgv(host, ["sudo", "systemctl", "stop", "ocs-bridge.service"], {
      identityFile: "/keys/id",
      knownHostsFile: "/keys/known_hosts",
      connectTimeoutSeconds: 7,
    });
    const options = argv.flatMap((a, i) => (argv[i - 1] === "-o" ? [a] : []));
    expect(options).toEqual(
      expect.arrayContaining([
        "BatchMode=yes",
        "ConnectTimeout=7",
        "StrictHostKeyChecking=yes",
        "UserKnownHostsFile=/keys/known_hosts",
        "IdentitiesOnly=yes",
      ]),
    );
    expect(options.some((o) => /StrictHostKeyChecking=no/i.test(o))).toBe(false);
    expect(argv.slice(-7)).toEqual([
      "-l",
      "saluser",
      "-p",
      "2222",
      "azar03.cp.lsst.org",
      "--",
      "sudo systemctl stop ocs-bridge.service",
    ]);
    expect(argv).toContain("/keys/id");
  });

  it("falls back to the default user and port, and leaves them to ssh when there are none", () => {
    const bare = { name: "love01", address: "love01.cp.lsst.org", roles: [] };
    expect(sshArgv(bare, ["true"], { user: "ops", port: 22 }).slice(-7)).toEqual([
      "-l",
      "ops",
      "-p",
      "22",
      "love01.cp.lsst.org",
      "--",
      "true",
    ]);
    expect(sshArgv(bare, ["true"]).slice(-3)).toEqual(["love01.cp.lsst.org", "--", "true"]);
  });

  it("refuses a host that ssh could read as an option or as more than one word", () => {
    for (const address of ["-oProxyCommand=sh", "a b", "host\n", "user@host", ""]) {
      expect(() => sshArgv({ ...host, address }, ["true"])).toThrow(StepFailure);
    }
    expect(() => sshArgv({ ...host, user: "-oX" }, ["true"])).toThrow(StepFailure);
    expect(() => sshArgv({ ...host, port: 70000 }, ["true"])).toThrow(StepFailure);
  });
});

describe("ssh options from the environment", () => {
  it("reads every variable", () => {
    expect(
      sshOptionsFromEnv({
        PLAN_SSH_IDENTITY: "/home/ops/.ssh/id_deploy",
        PLAN_SSH_KNOWN_HOSTS: "/etc/plan/known_hosts",
        PLAN_SSH_CONFIG: "none",
        PLAN_SSH_USER: "ops",
        PLAN_SSH_PORT: "2222",
        PLAN_SSH_CONNECT_TIMEOUT: "5",
        HOME: "/home/ops",
      }),
    ).toEqual({
      ok: true,
      options: {
        identityFile: "/home/ops/.ssh/id_deploy",
        knownHostsFile: "/etc/plan/known_hosts",
        configFile: "none",
        user: "ops",
        port: 2222,
        connectTimeoutSeconds: 5,
      },
    });
    expect(sshOptionsFromEnv({})).toEqual({ ok: true, options: {} });
  });

  it("reports a value it cannot use, and says what to give", () => {
    const port = sshOptionsFromEnv({ PLAN_SSH_PORT: "ssh" });
    expect(port).toEqual({
      ok: false,
      problem: "PLAN_SSH_PORT is `ssh`",
      help: "give PLAN_SSH_PORT a whole number from 1 to 65535",
    });
    expect(sshOptionsFromEnv({ PLAN_SSH_KNOWN_HOSTS: "/a b/known_hosts" }).ok).toBe(false);
    expect(sshOptionsFromEnv({ PLAN_SSH_IDENTITY: "~/.ssh/id_%u" }).ok).toBe(false);
    expect(sshOptionsFromEnv({ PLAN_SSH_USER: "-oProxyCommand=x" }).ok).toBe(false);
  });
});

describe("what went wrong with ssh", () => {
  it("recognizes OpenSSH's messages, names the host, and says whether to try again", () => {
    const cases: [string, RegExp, boolean][] = [
      [
        "ssh: connect to host azar03.cp.lsst.org port 2222: Connection refused",
        /refused the ssh connection/,
        true,
      ],
      [
        "ssh: connect to host azar03.cp.lsst.org port 2222: Connection timed out",
        /could not be reached/,
        true,
      ],
      [
        "ssh: Could not resolve hostname azar03.cp.lsst.org: Name or service not known",
        /could not be resolved/,
        true,
      ],
      [
        "kex_exchange_identification: read: Connection reset by peer",
        /closed the ssh connection before/,
        true,
      ],
      ["saluser@azar03.cp.lsst.org: Permission denied (publickey).", /refused to let saluser log in/, false],
      [
        "No ED25519 host key is known for [azar03]:2222 and you have requested strict checking.\nHost key verification failed.",
        /is not known/,
        false,
      ],
      [
        "@@@\nWARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!\n@@@\nHost key verification failed.",
        /is not the one in/,
        false,
      ],
      ["Timeout, server azar03.cp.lsst.org not responding.", /was lost while the command ran/, false],
    ];
    for (const [stderr, message, transient] of cases) {
      const problem = classifySshFailure(stderr, host);
      expect(problem?.message).toMatch(message);
      expect(problem?.message).toContain("azar03 (saluser@azar03.cp.lsst.org:2222)");
      expect(problem?.transient).toBe(transient);
    }
  });

  it("leaves an exit code of 255 to the command when ssh said nothing", () => {
    expect(classifySshFailure("bridge: fatal error\n", host)).toBeUndefined();
  });
});
