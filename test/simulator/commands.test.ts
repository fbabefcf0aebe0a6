import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan, PlanHost } from "../../src/ir/schema.js";
import { runOnHost } from "../../src/runtime/simulator/host-commands.js";
import { splitShellWords } from "../../src/runtime/simulator/shell-words.js";
import { SimulatedSite } from "../../src/runtime/simulator/simulated-site.js";
import { SimulatedCommandRunner } from "../../src/runtime/simulator/site-services.js";
import { compilePlans, tempDir } from "./harness.js";

/**
 * The commands of a simulated run, for real: over ssh (the OpenSSH client) to the hosts' doubles, and here
 * through the shims (execa runs them with the shims' directory as working directory and PATH), each doing
 * to the site what the real program would.
 */

const dirs: (() => void)[] = [];
let plan: Plan;
let site: SimulatedSite;
let runner: SimulatedCommandRunner;

beforeAll(async () => {
  [plan] = compilePlans("test/simulator/fixtures/mini.dpl") as [Plan];
  const t = tempDir("plan-sim-cmd-");
  dirs.push(t.cleanup);
  // Inside a project whose package.json says "module", as a state directory under the repository's out/.
  writeFileSync(join(t.dir, "package.json"), '{"type":"module"}\n');
  site = await SimulatedSite.start({ site: plan.site, dir: join(t.dir, "out", "site"), speed: 1000 });
  runner = new SimulatedCommandRunner(site);
}, 60_000);

afterAll(async () => {
  await site?.close();
  for (const cleanup of dirs) cleanup();
});

async function run(argv: string[], host?: PlanHost, input?: string) {
  const lines: string[] = [];
  const result = await runner.run({
    argv,
    host,
    ...(input !== undefined ? { input } : {}),
    onLine: (l, s) => lines.push(s === "stderr" ? `! ${l}` : l),
  });
  return { code: result.exitCode, out: lines.join("\n") };
}

const host = (name: string) => plan.site.hosts.find((h) => h.name === name)!;

describe("commands on the hosts of a simulated site", () => {
  it("systemctl stops and starts the camera's service, and its CSC with it", async () => {
    const cam = host("cam");
    expect(await run(["sudo", "systemctl", "is-active", "ats-ocs-bridge.service"], cam)).toEqual({
      code: 0,
      out: "active",
    });
    expect((await run(["sudo", "systemctl", "stop", "ats-ocs-bridge.service"], cam)).code).toBe(0);
    expect(site.parts.model.record("ATCamera")?.running).toBe(false);
    expect(await run(["systemctl", "status", "ats-ocs-bridge"], cam)).toMatchObject({
      code: 3,
      out: expect.stringContaining("inactive (dead)"),
    });
    expect((await run(["sudo", "systemctl", "start", "ats-ocs-bridge.service"], cam)).code).toBe(0);
    expect(site.parts.model.isUpOrStarting("ATCamera")).toBe(true);
    const other = await run(["sudo", "systemctl", "stop", "ocs-bridge.service"], cam);
    expect(other).toMatchObject({
      code: 5,
      out: expect.stringContaining("Unit ocs-bridge.service not loaded"),
    });
    // What went over ssh is what the runtime's ssh sent: one quoted command line per step.
    expect(site.parts.hosts?.double("cam")?.execs.at(-1)?.command).toBe(
      "sudo systemctl stop ocs-bridge.service",
    );
  });

  it("a cRIO's init script, and a program the host does not have (127, as a shell says)", async () => {
    const vms = host("vms");
    expect((await run(["/etc/init.d/ts-VMS", "stop"], vms)).code).toBe(0);
    expect(site.parts.model.record("MTVMS:1")?.running).toBe(false);
    expect(await run(["rm", "-rf", "/tmp/x"], vms)).toMatchObject({
      code: 127,
      out: expect.stringContaining("rm: command not found"),
    });
    expect(site.parts.hosts?.double("vms")?.execs.at(-1)).toMatchObject({ user: "admin" });
  });

  it("the hosts' words are a simple command: quoting is undone, anything that would need a shell is refused", () => {
    expect(splitShellWords(`sudo -iu dco './launch gc' "a \\"b\\"" c\\ d`)).toEqual({
      ok: true,
      words: ["sudo", "-iu", "dco", "./launch gc", 'a "b"', "c d"],
    });
    for (const line of ["a; b", "a | b", "a && b", "echo $HOME", "a > f", "'open"]) {
      expect(splitShellWords(line).ok, line).toBe(false);
    }
    const reply = runOnHost(host("cam"), "systemctl stop ats-ocs-bridge.service; rm -rf /", {
      isActive: () => true,
      stop: () => {
        throw new Error("must not run");
      },
      start: () => [],
    });
    expect(reply.exitCode).toBe(2);
  });
});

describe("local programs of a simulated site", () => {
  it("kubectl: the context, and what the site's cluster holds", async () => {
    expect(await run(["kubectl", "config", "use-context", "mini"])).toEqual({
      code: 0,
      out: 'Switched to context "mini".',
    });
    expect(await run(["kubectl", "config", "current-context"])).toEqual({ code: 0, out: "mini" });
    expect((await run(["kubectl", "config", "use-context", "summit"])).code).toBe(1);
    const jobs = await run(["kubectl", "get", "jobs", "-n", "obssys", "-o", "name"]);
    expect(jobs.out.split("\n").sort()).toEqual(["job.batch/mtqueue", "job.batch/watcher"]);
    expect(await run(["kubectl", "rollout", "restart", "deploy/x"])).toMatchObject({
      code: 1,
      out: expect.stringContaining("does not do `rollout`"),
    });
  });

  it("cleanup_all asks for y as k8s-admin's does, and deletes nothing without it", async () => {
    const none = await run(["./cleanup_all"]);
    expect(none.code).toBe(1);
    expect(none.out).toContain("EOFError: EOF when reading a line");
    const no = await run(["./cleanup_all"], undefined, "n\n");
    expect(no).toMatchObject({ code: 255, out: expect.stringContaining("Exiting") });
    expect(site.parts.kube.cluster.jobs("obssys").length).toBeGreaterThan(0);
  });

  it("cleanup_all deletes the jobs of the telescope namespaces, which kills their CSCs", async () => {
    const { code, out } = await run(["./cleanup_all"], undefined, "y\n");
    expect(code).toBe(0);
    expect(out).toContain("resources to be deleted. Are you sure?");
    expect(out).toContain('job.batch "atdome" deleted');
    expect(out).toContain('job.batch "watcher" deleted');
    expect(site.parts.kube.cluster.jobs("obssys")).toEqual([]);
    expect(site.parts.model.record("Watcher")?.running).toBe(false);
    expect(site.localRuns.at(-1)).toMatchObject({ program: "cleanup_all", args: [], exitCode: 0 });
  });

  it("a program given by another path is its shim; any other program is not run and exits 127", async () => {
    expect((await run(["/opt/k8s-admin/cleanup_nublado"], undefined, "y\n")).code).toBe(0);
    expect(site.localRuns.at(-1)?.program).toBe("cleanup_nublado");
    const before = site.localRuns.length;
    expect(await run(["ls", "/"])).toMatchObject({
      code: 127,
      out: expect.stringContaining("ls: command not found"),
    });
    expect(await run(["./cleanup_everything"])).toMatchObject({ code: 127 });
    expect(site.localRuns.length).toBe(before);
  });

  it("kt reads the consumer lag of the site's groups", async () => {
    const { code, out } = await run(["kt", "consumers", "mini", "lag", "--telegraf", "--summary"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^telegraf-kafka-consumer-auxtel: \d+$/m);
    expect(out).not.toContain("love-producer");
    expect(out).toMatch(/total lag: \d+/);
  });
});
