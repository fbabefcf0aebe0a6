import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/ir/schema.js";
import { createKubeClient } from "../../src/runtime/clients/kubernetes.js";
import { JOBS } from "../../src/runtime/simulator/kube-objects.js";
import { STRIMZI_KAFKA } from "../../src/runtime/simulator/kube-site.js";
import { SimulatedSite } from "../../src/runtime/simulator/simulated-site.js";
import { snapshotSite } from "../../src/runtime/simulator/site-wiring.js";
import { killGroup, spawnPlan, writePlan } from "../runtime/core/append-plan.js";
import { compilePlans, tempDir } from "./harness.js";

/**
 * The simulated site as a whole: what it saves is what it restores, it refuses a state that is not its
 * own, one process serves it at a time, and `plan simulate` serves it to the usual clients.
 */

const dirs: (() => void)[] = [];
let plan: Plan;
beforeAll(() => {
  [plan] = compilePlans("test/simulator/fixtures/mini.dpl") as [Plan];
});
afterAll(() => {
  for (const cleanup of dirs) cleanup();
});

function dir(): string {
  const t = tempDir("plan-sim-site-");
  dirs.push(t.cleanup);
  return t.dir;
}

const settled = () => new Promise<void>((r) => setImmediate(r));
// Consumption frozen, so that offsets do not move between the save and the restore.
const frozen = { cscs: [], degraded: [], syncFailed: [], lagStuck: ["telegraf", "saluser"], sshRefused: [] };

describe("the simulated site's state", () => {
  it("is restored as it was saved: cluster, applications, CSCs, EFD, Kafka, registry, hosts", async () => {
    const d = dir();
    const site = await SimulatedSite.start({ site: plan.site, dir: d, speed: 1000, faults: frozen });
    const p = site.parts;
    const cluster = p.kube.cluster;
    cluster.apiDelete(JOBS, "auxtel", "atdome", { propagationPolicy: "Background" });
    cluster.apiPatchScale("sasquatch", "sasquatch-telegraf-auxtel", (s) => ({ ...s, spec: { replicas: 0 } }));
    cluster.apiPatch(
      cluster.typeOf(STRIMZI_KAFKA.group, STRIMZI_KAFKA.version, STRIMZI_KAFKA.plural)!,
      "sasquatch",
      "sasquatch",
      (o) => ({
        ...o,
        metadata: { ...o.metadata, annotations: { "strimzi.io/pause-reconciliation": "true" } },
      }),
    );
    p.registry.setCompatibility("NONE");
    p.model.command("Watcher", "STANDBY");
    p.hostActive.set("cam", false);
    p.kubectlContext.current = "mini";
    p.save();
    await settled();
    const before = snapshotSite(p);
    await site.close();
    expect(before.efd.fresh).toBe(false);
    expect(before.cscs.ATDome?.running).toBe(false);

    const again = await SimulatedSite.start({
      site: plan.site,
      dir: d,
      speed: 1000,
      restore: true,
      faults: frozen,
    });
    try {
      expect(again.restored).toBe(true);
      const after = snapshotSite(again.parts);
      const { clock: _a, ...rest } = after;
      const { clock: _b, ...was } = before;
      expect(rest).toEqual(was);
      expect(after.clock.siteAt).toBeGreaterThanOrEqual(before.clock.siteAt);
      expect(
        again.parts.kube.cluster.annotation(
          STRIMZI_KAFKA,
          "sasquatch",
          "sasquatch",
          "strimzi.io/pause-reconciliation",
        ),
      ).toBe("true");
    } finally {
      await again.close();
    }
  }, 60_000);

  it("refuses a damaged state, and one of another site, saying where it is", async () => {
    const d = dir();
    writeFileSync(join(d, "site.json"), "{ not json");
    await expect(SimulatedSite.start({ site: plan.site, dir: d, speed: 10, restore: true })).rejects.toThrow(
      /site\.json is not JSON/,
    );
    const other = await SimulatedSite.start({
      site: { ...plan.site, name: "elsewhere" },
      dir: dir(),
      speed: 10,
    });
    const saved = readFileSync(other.endpoints.snapshot, "utf8");
    await other.close();
    writeFileSync(join(d, "site.json"), saved);
    await expect(SimulatedSite.start({ site: plan.site, dir: d, speed: 10, restore: true })).rejects.toThrow(
      /is the simulated site elsewhere, not mini/,
    );
  }, 60_000);

  it("is served by one process at a time", async () => {
    const d = dir();
    const first = await SimulatedSite.start({ site: plan.site, dir: d, speed: 10 });
    try {
      await expect(
        SimulatedSite.start({ site: plan.site, dir: d, speed: 10, restore: true }),
      ).rejects.toThrow(new RegExp(`being served by process ${process.pid}|served-by`));
    } finally {
      await first.close();
    }
    const second = await SimulatedSite.start({ site: plan.site, dir: d, speed: 10, restore: true });
    await second.close();
  }, 60_000);
});

describe("plan simulate", () => {
  it("serves the site until interrupted, to the Kubernetes client, and over https to Argo CD with the site's CA", async () => {
    const d = dir();
    const file = writePlan(d, plan);
    const served = spawnPlan(["simulate", file, "--state-dir", join(d, "state"), "--speed", "10"], d);
    try {
      const end = Date.now() + 60_000;
      while (!served.stdout().includes("Ctrl-C stops it")) {
        if (Date.now() > end)
          throw new Error(`plan simulate did not start:\n${served.stdout()}${served.stderr()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const out = served.stdout();
      const kubeconfig = /kubectl --kubeconfig (\S+) get jobs/.exec(out)![1]!;
      const kube = createKubeClient({ kubeconfig, context: "mini" });
      expect((await kube.listJobs("obssys")).map((j) => j.name).sort()).toEqual(["mtqueue", "watcher"]);
      const curl = /curl --cacert (\S+) -H 'Authorization: Bearer (\S+)' (\S+)/.exec(out)!;
      const [, ca, token, url] = curl;
      const app = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          url!,
          { ca: readFileSync(ca!), headers: { authorization: `Bearer ${token}` } },
          (res) => {
            let body = "";
            res.on("data", (c) => {
              body += c;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on("error", reject);
        req.end();
      });
      expect(app.status).toBe(200);
      expect(JSON.parse(app.body).status.sync.status).toBe("OutOfSync");
      process.kill(served.pid, "SIGINT");
      const exit = await served.exited;
      expect(exit.code).toBe(0);
      expect(served.stdout()).toMatch(/the site is saved in /);
    } finally {
      await killGroup(served);
    }
  }, 120_000);
});
