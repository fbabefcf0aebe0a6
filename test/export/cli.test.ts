import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { inClusterKubeconfig } from "../../src/cli/in-cluster.js";
import { testSite } from "../runtime/context.js";
import { FIXTURE_PLANS } from "../support/plans/index.js";
import { folder, runPlan, writePlan } from "./step-support.js";
import { ROOT } from "./support.js";

/** `plan export` as people use it: the real binary. */

const { dir, cleanup } = folder("plan-export-");
afterAll(() => cleanup());

describe("plan export --target argo", () => {
  it("writes the ConfigMap and the Workflow of a plan file, and says what runs differently on Argo", async () => {
    const planFile = writePlan(dir, FIXTURE_PLANS["every-kind"]!());
    const out = join(dir, "out", "every-kind.yaml");
    const ran = await runPlan(
      [
        "export",
        planFile,
        "--target",
        "argo",
        "-o",
        out,
        "--image",
        "ghcr.io/x/plan:9",
        "--namespace",
        "argo",
        "--concurrency",
        "3",
      ],
      dir,
    );
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toContain(`wrote ${out}: ConfigMap and Workflow of every-kind@tts (13 steps)`);
    expect(ran.stderr).toContain(
      "note: if the workflow fails or is stopped after a temporary change, its exit handler runs 1.7 (undoes 1.5)",
    );
    const docs = parseAllDocuments(readFileSync(out, "utf8"), { version: "1.1" }).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(["ConfigMap", "Workflow"]);
    expect(docs[1].spec.parallelism).toBe(3);
    expect(docs[1].spec.arguments.parameters[0].value).toBe("ghcr.io/x/plan:9");
  });

  it("compiles a .dpl entry for the site given, and writes a WorkflowTemplate to standard output", async () => {
    const entry = join(ROOT, "test", "export", "fixtures", "upgrade.dpl");
    const ran = await runPlan(
      ["export", entry, "--site", "tts", "--target", "argo", "--template", "--root", ROOT],
      dir,
    );
    expect(ran.code, ran.stderr).toBe(0);
    const docs = parseAllDocuments(ran.stdout, { version: "1.1" }).map((d) => d.toJS());
    expect(docs[1].kind).toBe("WorkflowTemplate");
    expect(docs[1].metadata.name).toBe("full-upgrade-tts");
    expect(ran.stderr).toContain("runs a command on the operator's machine");
  });

  it("refuses without a target, with a bad option, or a plan that does not read", async () => {
    const planFile = writePlan(dir, FIXTURE_PLANS["every-kind"]!(), "again.json");
    expect((await runPlan(["export", planFile], dir)).code).toBe(2);
    expect((await runPlan(["export", planFile, "--target", "helm"], dir)).code).toBe(2);
    expect((await runPlan(["export", planFile, "--target", "argo", "--concurrency", "0"], dir)).code).toBe(2);
    const bad = await runPlan(
      ["export", planFile, "--target", "argo", "--namespace", "Not_A_Namespace"],
      dir,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("is not a namespace name");
    expect((await runPlan(["export", join(dir, "nowhere.json"), "--target", "argo"], dir)).code).toBe(1);
  });
});

describe("the in-cluster kubeconfig", () => {
  const site = testSite({ name: "tts", kubernetes: { context: "pillan" } });

  it("points at the pod's API server and service account, in the site's context", () => {
    const made = inClusterKubeconfig(site, {
      KUBERNETES_SERVICE_HOST: "fd00::1",
      KUBERNETES_SERVICE_PORT: "443",
      PLAN_SERVICE_ACCOUNT_DIR: "/sa",
    });
    expect(made.ok).toBe(true);
    const text = made.ok ? made.text : "";
    expect(text).toContain("server: https://[fd00::1]:443");
    expect(text).toContain("certificate-authority: /sa/ca.crt");
    expect(text).toContain("tokenFile: /sa/token");
    expect(text).toContain("current-context: pillan");
  });

  it("says so outside a pod", () => {
    const made = inClusterKubeconfig(site, {});
    expect(made.ok).toBe(false);
  });
});
