import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { argoYaml, exportArgo } from "../../src/emit/argo.js";
import { FIXTURE_PLANS } from "../support/plans/index.js";
import { OPTIONS } from "./support.js";

/**
 * The checked-in manifests of the fixture plans (`test/export/golden/<plan>.argo.yaml`): a change to the
 * export shows up here as a diff to review like code. `UPDATE_GOLDEN=1` rewrites them.
 */
const update = process.env.UPDATE_GOLDEN === "1";

function check(name: string, actual: string): void {
  const file = new URL(`golden/${name}`, import.meta.url);
  if (update || !existsSync(file)) {
    if (!update) throw new Error(`no golden file ${name}: run the tests with UPDATE_GOLDEN=1 and review it`);
    writeFileSync(file, actual);
    return;
  }
  expect(
    actual,
    `${name} differs from its golden file; if the change is right, run with UPDATE_GOLDEN=1`,
  ).toBe(readFileSync(file, "utf8"));
}

function yamlOf(name: string, options = OPTIONS): string {
  const result = exportArgo(FIXTURE_PLANS[name]!(), options);
  if (!result.ok) throw new Error(result.problem);
  return argoYaml(result.manifests);
}

describe("golden Argo manifests of the fixture plans", () => {
  for (const name of Object.keys(FIXTURE_PLANS)) {
    it(name, () => check(`${name}.argo.yaml`, yamlOf(name)));
  }
  it("every-kind as a WorkflowTemplate, with its local commands in the pod", () =>
    check(
      "every-kind.template.argo.yaml",
      yamlOf("every-kind", { ...OPTIONS, template: true, localCommands: "pod" }),
    ));

  it("is deterministic: the same plan built twice exports byte for byte the same", () => {
    for (const name of Object.keys(FIXTURE_PLANS)) expect(yamlOf(name)).toBe(yamlOf(name));
  });
});
