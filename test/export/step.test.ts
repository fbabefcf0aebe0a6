import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isOperatorStep } from "../../src/emit/argo-steps.js";
import type { Plan, PlanSite } from "../../src/ir/schema.js";
import { createKubeClient } from "../../src/runtime/clients/kubernetes.js";
import { leaseApiOf } from "../../src/runtime/clients/kubernetes-lease-api.js";
import { systemClock } from "../../src/runtime/clock.js";
import { parseJournal } from "../../src/runtime/journal.js";
import { KubeLeaseStore } from "../../src/runtime/lease-kube.js";
import { ArgoCdServer } from "../../src/runtime/simulator/argocd-server.js";
import { KubeApiServer } from "../../src/runtime/simulator/kube-apiserver.js";
import { SchemaRegistryServer } from "../../src/runtime/simulator/schema-registry-server.js";
import { simulatorTls } from "../../src/runtime/simulator/tls.js";
import { testSite } from "../runtime/context.js";
import { PlanBuilder } from "../support/plan-builder.js";
import { collapse, folder, type Ran, runPlan, writePlan } from "./step-support.js";

/**
 * `plan step` runs one step of a plan against the site's systems exactly as `plan run` does: the same
 * requests reach the Kubernetes API server, Argo CD and the schema registry doubles, and the same command
 * runs; inside a pod it reaches Kubernetes as the pod's service account. It refuses a plan that is not the
 * one it was given, a step a person does, and a site whose lock a `plan run` holds.
 */

const TOKEN = "argocd-api-token-for-the-step-tests";
const OPERATOR_TOKEN = "kube-token-of-the-operator";
const SA_TOKEN = "kube-token-of-the-service-account";
const SA_USER = "system:serviceaccount:argo:plan";
const CONTEXT = "stepsite";
const TELEGRAF = "app.kubernetes.io/name=sasquatch-telegraf";
const tls = simulatorTls();

let dir: string;
let cleanup: () => void;
let registry: SchemaRegistryServer;
let argo: ArgoCdServer;
let kube: KubeApiServer;
let site: PlanSite;
let saDir: string;

function seedSite(): void {
  registry.setCompatibility("FORWARD");
  argo.seed({ name: "love", project: "telescope", pickupMs: 0, syncMs: 20, healthMs: 20 });
  if (!kube.cluster.deployment("sasquatch", "sasquatch-telegraf")) {
    kube.cluster.addDeployment({
      namespace: "sasquatch",
      name: "sasquatch-telegraf",
      labels: { "app.kubernetes.io/name": "sasquatch-telegraf" },
      podLabels: { "app.kubernetes.io/name": "sasquatch-telegraf" },
      replicas: 1,
    });
  }
  registry.clearRequests();
  argo.clearRequests();
  kube.clearRequests();
}

beforeAll(async () => {
  ({ dir, cleanup } = folder());
  registry = new SchemaRegistryServer();
  await registry.start();
  argo = new ArgoCdServer({ clock: systemClock, tokens: [TOKEN], rootPath: "/argo-cd" });
  await argo.start();
  kube = await KubeApiServer.start({ tls, tokens: { [OPERATOR_TOKEN]: "tester", [SA_TOKEN]: SA_USER } });
  // Where the site's lock (a Lease) is kept.
  kube.cluster.addNamespace("default");
  const kubeconfig = await kube.writeKubeconfig(join(dir, "kubeconfig"), {
    context: CONTEXT,
    token: OPERATOR_TOKEN,
    caFile: tls.caFile,
  });
  // What the kubelet mounts in a pod: the service account's token and the cluster's CA.
  saDir = join(dir, "serviceaccount");
  mkdirSync(saDir);
  writeFileSync(join(saDir, "token"), SA_TOKEN);
  writeFileSync(join(saDir, "ca.crt"), tls.ca);
  site = testSite({
    name: "stepsite",
    title: "Step site",
    kubernetes: { context: CONTEXT, kubeconfig },
    argocd: { url: `${argo.url}/argo-cd`, caFile: tls.caFile, tokenEnv: "ARGOCD_AUTH_TOKEN" },
    schemaRegistry: { url: registry.url },
  });
});

afterAll(async () => {
  await Promise.all([registry?.stop(), argo?.stop(), kube?.stop()]);
  cleanup?.();
});

beforeEach(() => seedSite());

/** A plan that touches all three systems, and runs a command, with a temporary change of each kind. */
function sitePlan(
  out: string,
  extra?: (p: Parameters<Parameters<PlanBuilder["phase"]>[1]>[0]) => void,
): Plan {
  const b = new PlanBuilder({ procedure: { name: "steps", title: "Steps" }, site });
  const poll = { pollSeconds: 0.05, timeoutSeconds: 30 };
  b.phase({ name: "all", title: "All" }, (p) => {
    p.step("registry-set-compatibility", {
      title: "Set compatibility NONE",
      level: "NONE",
      temporary: "compat",
    });
    p.step("k8s-scale", {
      title: "Scale telegraf to 0",
      namespace: "sasquatch",
      selector: TELEGRAF,
      replicas: 0,
      temporary: "telegraf",
      ...poll,
    });
    p.step("argocd-sync", { title: "Sync love", app: "love", project: "telescope", ...poll });
    p.step("registry-check-compatibility", { title: "Check compatibility NONE", level: "NONE" });
    p.step("k8s-scale", {
      title: "Scale telegraf to 1",
      namespace: "sasquatch",
      selector: TELEGRAF,
      replicas: 1,
      undo: "telegraf",
      ...poll,
    });
    p.step("registry-set-compatibility", {
      title: "Set compatibility FORWARD",
      level: "FORWARD",
      undo: "compat",
    });
    p.step("command", {
      title: "Note it",
      argv: ["/bin/sh", "-c", 'printf "%s\\n" "$0" >> "$1"', "noted", out],
    });
    extra?.(p);
  });
  return b.build();
}

/** What the doubles received, normalized: secrets are not in it, polls that repeat count once. */
function requestLog(out: string) {
  const body = (b: unknown) => (b === undefined ? "" : ` ${JSON.stringify(b)}`);
  const query = (q: Readonly<Record<string, string>>) => {
    const entries = Object.entries(q);
    return entries.length ? `?${entries.map(([k, v]) => `${k}=${v}`).join("&")}` : "";
  };
  let lines: string[] = [];
  try {
    lines = readFileSync(out, "utf8").split("\n").filter(Boolean);
  } catch {
    // nothing ran the command
  }
  return {
    registry: collapse(registry.requests.map((r) => `${r.method} ${r.path}${body(r.body)}`)),
    argocd: collapse(argo.requests.map((r) => `${r.method} ${r.path}${query(r.query)}${body(r.body)}`)),
    // The site's lock (a Lease) is `plan run`'s alone; `plan step` only reads it.
    kube: collapse(
      kube.requests
        .filter((r) => !r.path.includes("/leases"))
        .map((r) => `${r.method} ${r.path}${query(r.query)}${body(r.body)}`),
    ),
    command: lines,
  };
}

function inPod(): NodeJS.ProcessEnv {
  return {
    ARGOCD_AUTH_TOKEN: TOKEN,
    KUBERNETES_SERVICE_HOST: "127.0.0.1",
    KUBERNETES_SERVICE_PORT: new URL(kube.url).port,
    PLAN_SERVICE_ACCOUNT_DIR: saDir,
  };
}

/** `plan step` as the Argo export runs it in a pod. */
function stepInPod(planFile: string, id: string, work: string, ...more: string[]): Promise<Ran> {
  return runPlan(
    [
      "step",
      planFile,
      id,
      "--in-cluster",
      "--state-dir",
      join(work, `state-${id}`),
      "--journal",
      "-",
      "--outcome-file",
      join(work, `outcome-${id}`),
      ...more,
    ],
    work,
    inPod(),
  );
}

const outcome = (work: string, id: string) => readFileSync(join(work, `outcome-${id}`), "utf8").trim();

describe("plan step does what plan run does, one step at a time", () => {
  it("the doubles see the same requests from plan step on each automated step as from plan run", async () => {
    const { dir: work, cleanup: done } = folder();
    try {
      const out = join(work, "site.txt");
      const plan = sitePlan(out);
      const planFile = writePlan(work, plan);

      const run = await runPlan(
        ["run", planFile, "--concurrency", "1", "--state-dir", join(work, "run")],
        work,
        {
          ARGOCD_AUTH_TOKEN: TOKEN,
        },
      );
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const byRun = requestLog(out);
      expect(kube.requests.filter((r) => !r.path.includes("/leases")).every((r) => r.user === "tester")).toBe(
        true,
      );

      seedSite();
      writeFileSync(out, "");
      for (const id of plan.order) {
        const step = plan.steps.find((s) => s.id === id)!;
        expect(isOperatorStep(step)).toBe(false);
        const ran = await stepInPod(planFile, id, work, "--expect-hash", plan.hash);
        expect(ran.code, `${id}: ${ran.stderr}`).toBe(0);
        expect(outcome(work, id)).toBe("done");
      }
      const bySteps = requestLog(out);

      expect(bySteps).toEqual(byRun);
      expect(byRun.registry.filter((r) => r.startsWith("PUT"))).toEqual([
        'PUT /config {"compatibility":"NONE"}',
        'PUT /config {"compatibility":"FORWARD"}',
      ]);
      expect(byRun.argocd.some((r) => r.startsWith("POST /argo-cd/api/v1/applications/love/sync"))).toBe(
        true,
      );
      expect(
        byRun.kube.some((r) =>
          r.startsWith("PATCH /apis/apps/v1/namespaces/sasquatch/deployments/sasquatch-telegraf/scale"),
        ),
      ).toBe(true);
      expect(byRun.command).toEqual(["noted"]);
      // In the pod, Kubernetes was reached as the service account, never as the operator.
      const steps = kube.requests.filter((r) => !r.path.includes("/leases"));
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.every((r) => r.user === SA_USER)).toBe(true);
      expect(kube.cluster.deployment("sasquatch", "sasquatch-telegraf")?.replicas).toBe(1);
    } finally {
      done();
    }
  });

  it("journals to standard output, JSON lines a log collector keeps, with the display on standard error", async () => {
    const { dir: work, cleanup: done } = folder();
    try {
      const plan = sitePlan(join(work, "site.txt"));
      const planFile = writePlan(work, plan);
      const ran = await stepInPod(planFile, "1.1", work);
      expect(ran.code, ran.stderr).toBe(0);
      const read = parseJournal(ran.stdout);
      expect(read.ok).toBe(true);
      const events = read.ok ? read.events : [];
      expect(events.map((e) => e.type)).toEqual(
        expect.arrayContaining(["run-started", "step-started", "step-finished", "run-stopped"]),
      );
      expect(events.find((e) => e.type === "run-started")).toMatchObject({
        planId: plan.id,
        hash: plan.hash,
        options: { only: ["1.1"], concurrency: 1 },
      });
      expect(events.filter((e) => "step" in e).every((e) => (e as { step: string }).step === "1.1")).toBe(
        true,
      );
      expect(ran.stderr).toContain("1.1  Set compatibility NONE");
      expect(ran.stdout + ran.stderr).not.toContain(TOKEN);
    } finally {
      done();
    }
  });

  it("records a failed step as failed, and exits 1", async () => {
    const { dir: work, cleanup: done } = folder();
    try {
      const planFile = writePlan(work, sitePlan(join(work, "site.txt")));
      registry.failNext(422, { error_code: 42203, message: "Invalid compatibility level" }, 1);
      const ran = await stepInPod(planFile, "1.1", work);
      expect(ran.code).toBe(1);
      expect(outcome(work, "1.1")).toBe("failed");
      expect(ran.stderr).toContain("✗ 1.1");
    } finally {
      done();
    }
  });

  it("asks nobody: a confirm question stops the step unless the workflow answered it (--confirmed)", async () => {
    const { dir: work, cleanup: done } = folder();
    try {
      const plan = sitePlan(join(work, "site.txt"), (p) =>
        p.step("registry-check-compatibility", {
          title: "Check FORWARD",
          level: "FORWARD",
          confirm: "Is the upgrade over?",
        }),
      );
      const planFile = writePlan(work, plan);
      const unasked = await stepInPod(planFile, "1.8", work);
      expect(unasked.code).toBe(1);
      expect(unasked.stderr).toContain("give --confirmed once the question was answered yes");
      expect(outcome(work, "1.8")).toBe("not-started");
      expect(registry.requests).toEqual([]);

      const confirmed = await stepInPod(planFile, "1.8", work, "--confirmed");
      expect(confirmed.code, confirmed.stderr).toBe(0);
      const read = parseJournal(confirmed.stdout);
      expect(read.ok && read.events.find((e) => e.type === "answer")).toMatchObject({
        step: "1.8",
        question: "confirm",
        answer: "yes",
        by: "tester",
      });
      expect(registry.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /config"]);
    } finally {
      done();
    }
  });
});

describe("plan step refuses", () => {
  it("a plan whose content does not match its hash, touching nothing", async () => {
    const { dir: work, cleanup: done } = folder();
    try {
      const path = writePlan(work, sitePlan(join(work, "site.txt")));
      writeFileSync(path, readFileSync(path, "utf8").replace('"NONE"', '"NONE_TRANSITIVE"'));
      const ran = await stepInPod(path, "1.1", work);
      expect(ran.code).toBe(1);
      expect(ran.stderr).toContain("does not match its hash");
      expect([...registry.requests, ...argo.requests, ...kube.requests]).toEqual([]);
    } finally {
      done();
    }
  });

  it("a plan other than the one the workflow was exported from (--expect-hash)", async () => {
    const { dir: work, cleanup: done } = folder();
    try {
      const path = writePlan(work, sitePlan(join(work, "site.txt")));
      const ran = await stepInPod(path, "1.1", work, "--expect-hash", `sha256:${"0".repeat(64)}`);
      expect(ran.code).toBe(1);
      expect(ran.stderr).toContain("not the expected sha256:000000000000");
      expect(registry.requests).toEqual([]);
    } finally {
      done();
    }
  });

  it("a step a person does, an unknown id, a .dpl entry, a journal file", async () => {
    const { dir: work, cleanup: done } = folder();
    try {
      const plan = sitePlan(join(work, "site.txt"), (p) =>
        p.step("manual", { title: "Look", text: "Look at it." }),
      );
      const path = writePlan(work, plan);
      const manual = await stepInPod(path, "1.8", work);
      expect(manual.code).toBe(2);
      expect(manual.stderr).toContain("step 1.8 (manual) is done by a person");
      const unknown = await stepInPod(path, "9.9", work);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("the plan has no step `9.9`");
      const entry = await runPlan(["step", "plans/summit.dpl", "1.1"], work);
      expect(entry.code).toBe(2);
      const journal = await runPlan(["step", path, "1.1", "--journal", "out.jsonl"], work);
      expect(journal.code).toBe(2);
      expect(journal.stderr).toContain("--journal takes `-`");
    } finally {
      done();
    }
  });

  it("to run beside a plan run that holds the site's lock", async () => {
    const { dir: work, cleanup: done } = folder();
    try {
      const path = writePlan(work, sitePlan(join(work, "site.txt")));
      const client = createKubeClient({ kubeconfig: site.kubernetes!.kubeconfig!, context: CONTEXT });
      const store = new KubeLeaseStore(leaseApiOf(client), site.name, "default", CONTEXT);
      const now = new Date().toISOString();
      const held = await store.create({
        id: "0badc0de",
        site: site.name,
        by: "ana",
        host: "laptop",
        pid: 42,
        planId: "steps@stepsite",
        planHash: `sha256:${"1".repeat(64)}`,
        acquiredAt: now,
        renewedAt: now,
        ttlSeconds: 600,
      });
      try {
        const ran = await stepInPod(path, "1.1", work);
        expect(ran.code).toBe(1);
        expect(ran.stderr).toContain("site stepsite is locked by a run of plan");
        expect(ran.stderr).toContain("ana");
        expect(registry.requests).toEqual([]);
      } finally {
        await store.delete(held.version);
      }
    } finally {
      done();
    }
  });

  it("--in-cluster outside a pod", async () => {
    const { dir: work, cleanup: done } = folder();
    try {
      const path = writePlan(work, sitePlan(join(work, "site.txt")));
      const ran = await runPlan(["step", path, "1.1", "--in-cluster"], work);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toContain("--in-cluster works only in a Kubernetes pod");
    } finally {
      done();
    }
  });
});
