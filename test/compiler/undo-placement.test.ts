import { describe, expect, it } from "vitest";
import { compileFile } from "../../src/compiler/compile.js";
import { load } from "../../src/compiler/load.js";
import { MemoryReader } from "../../src/compiler/reader.js";

/**
 * Where an undo goes: into the phase where it is placed (not its change's), and, with an explicit `undo … cite`, with
 * the citation of the sentence that says to undo it ("scale the telegraf connectors back to 1").
 */

const SOURCE = (undo: string) => `
site s "S" { kubernetes_context "k" }
document "D" "Doc" {
  section "2" "Clean up" { item "2.11" "Scale telegraf to 0" }
  section "4" "Deploy" { item "4.15" "Scale telegraf back to 1" }
}
procedure p "P" () {
  phase clean "Clean up" {
    down: temporarily scale deployments in "sasquatch" where "app=telegraf" to 0 restore 1 cite "D/2.11"
  }
  phase deploy "Deploy" {
    manual "Deploy."
    ${undo}
    manual "Check."
  }
}
plan p for s
`;

function compile(undo: string) {
  const program = load(["e.dpl"], new MemoryReader({ "e.dpl": SOURCE(undo) }), ".");
  const result = compileFile(program, "e.dpl", { version: "0.0.0" });
  expect([...program.diagnostics, ...result.diagnostics].map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return result.plans[0]!.plan!;
}

describe("undo placement", () => {
  it("puts an explicit undo in the phase where it is written, with that undo's citation", () => {
    const plan = compile('undo down cite "D/4.15"');
    const undo = plan.steps.find((s) => s.undoes)!;
    expect(undo.id).toBe("2.2");
    expect(undo.phase).toBe("deploy");
    expect(plan.phases.map((p) => [p.name, p.steps])).toEqual([
      ["clean", ["1.1", "1.end"]],
      ["deploy", ["2.1", "2.2", "2.3", "2.end"]],
    ]);
    expect(undo.source.cite).toEqual(["D/4.15"]);
    expect(plan.steps.find((s) => s.id === "1.1")!.source.cite).toEqual(["D/2.11"]);
  });

  it("keeps the change's citation when the undo gives none", () => {
    const plan = compile("undo down");
    const undo = plan.steps.find((s) => s.undoes)!;
    expect(undo.phase).toBe("deploy");
    expect(undo.source.cite).toEqual(["D/2.11"]);
  });

  it("puts an undo left to the compiler (end of plan) in the last phase", () => {
    const plan = compile("");
    const undo = plan.steps.find((s) => s.undoes)!;
    expect(undo.phase).toBe("deploy");
    expect(plan.phases[1]!.steps).toContain(undo.id);
    expect(plan.phases[0]!.steps).not.toContain(undo.id);
  });

  it("reports a citation of the undo that names no item", () => {
    const program = load(["e.dpl"], new MemoryReader({ "e.dpl": SOURCE('undo down cite "D/9.9"') }), ".");
    const result = compileFile(program, "e.dpl", { version: "0.0.0" });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["DPL2015"]);
  });
});
