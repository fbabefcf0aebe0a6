import { describe, expect, it } from "vitest";
import { exportArgo } from "../../src/emit/argo.js";
import { DEADLINE_GRACE_SECONDS, retryDelaySeconds } from "../../src/emit/argo-templates.js";
import type { Template, Workflow } from "../../src/emit/argo-types.js";
import type { Plan, PlanSite } from "../../src/ir/schema.js";
import { retryDelayMs } from "../../src/runtime/step-runner.js";
import { PlanBuilder } from "../support/plan-builder.js";
import { testStandSite } from "../support/plans/every-kind.js";
import { FIXTURE_PLANS } from "../support/plans/index.js";
import { exported, OPTIONS, template } from "./support.js";

/** What each part of a plan becomes in the Workflow, and the options that shape it. */

const everyKind = () => exported(FIXTURE_PLANS["every-kind"]!()).workflow;

const site: PlanSite = {
  ...testStandSite,
  argocd: { url: "https://argocd.example", tokenEnv: "ARGOCD_AUTH_TOKEN", passwordEnv: "ARGOCD_PASSWORD" },
  efd: { url: "https://efd.example", database: "efd", usernameEnv: "EFD_USER", passwordEnv: "EFD_PASSWORD" },
};

function smallPlan(body: Parameters<PlanBuilder["phase"]>[1], s: PlanSite = site): Plan {
  const b = new PlanBuilder({ procedure: { name: "small", title: "Small" }, site: s });
  b.phase({ name: "one", title: "One", checkpoint: false }, body);
  return b.build();
}

const args = (t: Template) => t.container!.args;

describe("automated steps: a pod running `plan step` on that step", () => {
  it("runs exactly that step of the mounted plan, pinned to its hash, in the cluster, journal on stdout", () => {
    const plan = FIXTURE_PLANS["every-kind"]!();
    const wf = exported(plan).workflow;
    const t = template(wf, "step-1-3");
    expect(t.container!.image).toBe("{{workflow.parameters.image}}");
    expect(wf.spec.arguments.parameters).toEqual([{ name: "image", value: OPTIONS.image }]);
    expect(t.container!.command).toEqual(["plan"]);
    expect(args(t).slice(0, 5)).toEqual(["step", "/plan/plan.json", "1.3", "--expect-hash", plan.hash]);
    expect(args(t)).toEqual(expect.arrayContaining(["--in-cluster", "--journal", "-", "--outcome-file"]));
    expect(t.container!.volumeMounts).toEqual([
      { name: "plan", mountPath: "/plan", readOnly: true },
      { name: "work", mountPath: "/tmp/plan" },
    ]);
    expect(t.outputs!.parameters[0]).toMatchObject({
      name: "outcome",
      valueFrom: { path: "/tmp/plan/outcome" },
    });
    expect(t.container!.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
  });

  it("turns a timeout into the pod's deadline, with room for every attempt, and retries into retryStrategy", () => {
    const wf = everyKind();
    // 1.6 waits at most 300 s, polling every 10 s, and may be tried twice more after 5 s and 10 s.
    expect(template(wf, "step-1-6").activeDeadlineSeconds).toBe(
      String(3 * 310 + 5 + 10 + DEADLINE_GRACE_SECONDS),
    );
    expect(template(wf, "step-1-6").retryStrategy).toEqual({
      limit: "2",
      retryPolicy: "OnError",
      backoff: { duration: "5s", factor: "2", cap: "60s" },
    });
    // A fixed wait gets its length and the grace.
    expect(template(wf, "step-1-9").activeDeadlineSeconds).toBe(String(5400 + DEADLINE_GRACE_SECONDS));
    expect(template(wf, "step-1-9").retryStrategy).toBeUndefined();
    // No timeout, no deadline.
    expect(template(wf, "step-1-3").activeDeadlineSeconds).toBeUndefined();
  });

  it("waits between attempts as the runtime does", () => {
    for (let a = 1; a <= 15; a++) expect(retryDelaySeconds(a) * 1000).toBe(retryDelayMs(a));
  });

  it("asks a step's confirm question on a suspend node first, and runs the pod only on yes", () => {
    const wf = everyKind();
    const wrapper = template(wf, "step-2-1");
    expect(wrapper.steps).toEqual([
      [{ name: "step-2-1-confirm", template: "step-2-1-confirm" }],
      [
        {
          name: "step-2-1-run",
          template: "step-2-1-run",
          when: "'{{steps.step-2-1-confirm.outputs.parameters.answer}}' == 'yes'",
        },
      ],
    ]);
    const confirm = template(wf, "step-2-1-confirm");
    expect(confirm.suspend).toEqual({});
    expect(confirm.inputs!.parameters[0]!.description).toContain("Is anyone still using tel-hw1?");
    expect(args(template(wf, "step-2-1-run"))).toContain("--confirmed");
    expect(args(template(wf, "step-1-3"))).not.toContain("--confirmed");
  });

  it("gives a command on a host the ssh key and known_hosts from a Secret", () => {
    const wf = everyKind();
    const run = template(wf, "step-2-1-run").container!;
    expect(run.volumeMounts).toContainEqual({ name: "ssh", mountPath: "/etc/plan/ssh", readOnly: true });
    expect(run.env).toContainEqual({ name: "PLAN_SSH_IDENTITY", value: "/etc/plan/ssh/identity" });
    expect(wf.spec.volumes).toContainEqual({
      name: "ssh",
      secret: { secretName: "plan-tts-ssh", optional: true, defaultMode: 0o440 },
    });
  });
});

describe("steps a person does: suspend nodes with done or skip", () => {
  it("shows what to do, and takes `choice` (done or skip) and a `reason`, with no default to approve by accident", () => {
    const wf = everyKind();
    const t = template(wf, "step-2-3");
    expect(t.suspend).toEqual({});
    const [choice, reason] = t.inputs!.parameters;
    expect(choice).toMatchObject({ name: "choice", enum: ["done", "skip"], default: "done" });
    expect(choice!.description).toContain("Step 2.3: Look at the dome");
    expect(choice!.description).toContain("CRITICAL");
    expect(reason).toMatchObject({ name: "reason", default: "" });
    expect(t.outputs!.parameters).toEqual([
      { name: "choice", valueFrom: { supplied: {} } },
      { name: "reason", valueFrom: { supplied: {}, default: "" } },
    ]);
  });

  it("puts every operator-facing kind and every manual step on a suspend node", () => {
    const wf = everyKind();
    for (const name of ["step-1-1", "step-1-2", "step-2-2", "step-2-3"])
      expect(template(wf, name).suspend, name).toEqual({});
    const manualCheck = smallPlan((p) => {
      p.step("csc-states", {
        title: "Check on Chronograf",
        manual: true,
        expect: [{ csc: "ATDome", state: "STANDBY", heartbeatOnly: false }],
      });
    });
    expect(template(exported(manualCheck).workflow, "step-1-1").suspend).toEqual({});
  });

  it("keeps Argo from reading `{{` in a step's text as a variable", () => {
    const { workflow, configMap } = exported(FIXTURE_PLANS["hostile-text"]!());
    const text = JSON.stringify(workflow);
    expect(text).not.toMatch(/\{\{constructor/);
    expect(text).toContain("{\u200b{constructor");
    // The plan in the ConfigMap keeps its exact text.
    expect(configMap.data["plan.json"]).toContain("{{constructor");
  });

  it("shows a command without a host to the operator, or runs it in the pod with --local-commands pod", () => {
    const plan = smallPlan((p) => {
      p.step("command", { title: "Clean up", argv: ["./cleanup_all"] });
    });
    const byOperator = template(exported(plan).workflow, "step-1-1");
    expect(byOperator.suspend).toEqual({});
    expect(byOperator.inputs!.parameters[0]!.description).toContain("./cleanup_all");
    expect(template(exported(plan, { localCommands: "pod" }).workflow, "step-1-1").container).toBeDefined();
  });
});

describe("secrets come from Kubernetes Secrets, by name", () => {
  it("gives a sync the site's Argo CD variables and a state check the EFD's, from the site's Secret", () => {
    const plan = smallPlan((p) => {
      p.step("argocd-sync", { title: "Sync love", app: "love" });
      p.step("csc-states", {
        title: "Check",
        expect: [{ csc: "ATDome", state: "STANDBY", heartbeatOnly: false }],
      });
      p.step("wait", { title: "Wait", seconds: 1 });
    });
    const wf = exported(plan).workflow;
    const env = (name: string) => template(wf, name).container!.env;
    const ref = (key: string) => ({
      name: key,
      valueFrom: { secretKeyRef: { name: "plan-tts-credentials", key, optional: true } },
    });
    expect(env("step-1-1")).toEqual(
      expect.arrayContaining([ref("ARGOCD_AUTH_TOKEN"), ref("ARGOCD_PASSWORD")]),
    );
    expect(env("step-1-2")).toEqual(expect.arrayContaining([ref("EFD_PASSWORD"), ref("EFD_USER")]));
    expect(env("step-1-3").some((e) => e.valueFrom)).toBe(false);
    const custom = exported(plan, { secretName: "summit-tokens" }).workflow;
    expect(template(custom, "step-1-1").container!.env).toContainEqual({
      name: "ARGOCD_AUTH_TOKEN",
      valueFrom: { secretKeyRef: { name: "summit-tokens", key: "ARGOCD_AUTH_TOKEN", optional: true } },
    });
  });

  it("writes no value for any secret variable anywhere", () => {
    const plan = smallPlan((p) => {
      p.step("argocd-sync", { title: "Sync love", app: "love" });
    });
    const wf: Workflow = exported(plan).workflow;
    for (const t of wf.spec.templates) {
      for (const e of t.container?.env ?? []) {
        if (["ARGOCD_AUTH_TOKEN", "ARGOCD_PASSWORD", "EFD_USER", "EFD_PASSWORD"].includes(e.name))
          expect(e.value).toBeUndefined();
      }
    }
  });
});

describe("the workflow as a whole", () => {
  it("one run per site: a mutex named after the site; the concurrency as parallelism; the service account", () => {
    const wf = exported(FIXTURE_PLANS["every-kind"]!(), {
      concurrency: 2,
      serviceAccount: "deployer",
    }).workflow;
    expect(wf.spec.synchronization).toEqual({ mutexes: [{ name: "plan-site-tts" }] });
    expect(wf.spec.parallelism).toBe(2);
    expect(wf.spec.serviceAccountName).toBe("deployer");
    expect(wf.metadata.generateName).toBe("every-kind-tts-");
    expect(wf.metadata.namespace).toBe("argo");
    expect(wf.metadata.annotations!["plan.lsst.io/plan-hash"]).toBe(FIXTURE_PLANS["every-kind"]!().hash);
  });

  it("with --template, a WorkflowTemplate with a fixed name; the ConfigMap is named after the plan's hash", () => {
    const plan = FIXTURE_PLANS["every-kind"]!();
    const { workflow, configMap } = exported(plan, { template: true, configMap: "my-plan" });
    expect(workflow.kind).toBe("WorkflowTemplate");
    expect(workflow.metadata).toMatchObject({ name: "every-kind-tts", namespace: "argo" });
    expect(workflow.metadata.generateName).toBeUndefined();
    expect(configMap.metadata.name).toBe("my-plan");
    expect(exported(plan).configMap.metadata.name).toBe(`plan-every-kind-tts-${plan.hash.slice(7, 19)}`);
  });

  it("passes the Lease's namespace to the pods when it is not the default", () => {
    const wf = exported(FIXTURE_PLANS["every-kind"]!(), { lockNamespace: "plan-locks" }).workflow;
    expect(template(wf, "step-1-3").container!.env).toContainEqual({
      name: "PLAN_LOCK_NAMESPACE",
      value: "plan-locks",
    });
  });

  it("refuses options Kubernetes would reject, saying what to do", () => {
    const plan = FIXTURE_PLANS["every-kind"]!();
    const refused = (options: object) => {
      const r = exportArgo(plan, { ...OPTIONS, ...options });
      return r.ok ? undefined : r.problem;
    };
    expect(refused({ namespace: "Argo_NS" })).toContain("not a namespace name");
    expect(refused({ concurrency: 0 })).toContain("at least 1");
    expect(refused({ image: "" })).toContain("not an image reference");
    expect(refused({ image: "a {{b}}" })).toContain("not an image reference");
    expect(refused({ configMap: "Bad Name" })).toContain("not a valid ConfigMap name");
    expect(refused({})).toBeUndefined();
  });

  it("refuses a plan too large for a ConfigMap", () => {
    const big = smallPlan((p) => {
      p.step("manual", { title: "Read", text: "x".repeat(1_100_000) });
    });
    const r = exportArgo(big, OPTIONS);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toContain("more than a ConfigMap holds");
  });
});
