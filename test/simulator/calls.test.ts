import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/ir/schema.js";
import { dryRun } from "../../src/runtime/dry-run.js";
import { builtinExecutors } from "../../src/runtime/registry.js";
import { selectSteps } from "../../src/runtime/selection.js";
import { type Call, matchCalls, promisedCalls, promisedKafkaApis, type System } from "./call-forms.js";
import { compilePlans, runSimulated, type SimulatedRun, tempDir } from "./harness.js";

/**
 * The Summit's full upgrade (with `breaks_schema`, so that the schema registry steps are in it), run on its
 * simulated site one step at a time, makes exactly the Kubernetes, Argo CD and schema-registry calls its
 * dry run promises, in that order, and only the Kafka APIs it names (see call-forms.ts for the normal
 * form the two are compared in).
 */

let plan: Plan;
let run: SimulatedRun;
let lines: readonly string[];
const dirs: (() => void)[] = [];

beforeAll(async () => {
  [plan] = compilePlans("plans/summit.dpl", ["breaks_schema=true"]) as [Plan];
  const selected = selectSteps(plan, {});
  if (!selected.ok) throw new Error(selected.problem);
  lines = dryRun(plan, selected.selection, builtinExecutors).lines;
  const t = tempDir("plan-calls-");
  dirs.push(t.cleanup);
  run = await runSimulated(plan, { stateDir: t.dir, speed: 600, concurrency: 1 });
  if (run.result.status !== "ran" || run.result.summary.outcome !== "finished") {
    throw new Error(`the Summit's run did not finish:\n${run.output}`);
  }
}, 600_000);

afterAll(() => {
  for (const cleanup of dirs) cleanup();
});

function received(system: System): Call[] {
  const parts = run.simulation.site.parts;
  const calls =
    system === "kubernetes"
      ? parts.kube.requests.map((r) => ({ method: r.method, path: r.path, query: r.query }))
      : (system === "argocd" ? parts.argocd : parts.registry).requests.map((r) => ({
          method: r.method,
          path: r.path,
          query: r.query,
        }));
  // The run's own lock (a Lease in the site's cluster) and Argo CD logins are not steps' calls.
  return calls.filter(
    (c) => !c.path.startsWith("/apis/coordination.k8s.io/") && !c.path.endsWith("/api/v1/session"),
  );
}

describe("a simulated run of the Summit makes the calls its dry run promised", () => {
  for (const system of ["kubernetes", "argocd", "registry"] as const) {
    it(`${system}: the same calls, in the same order`, () => {
      const slots = promisedCalls(plan, lines)[system];
      expect(slots.length, `the dry run promises ${system} calls`).toBeGreaterThan(0);
      const calls = received(system);
      const match = matchCalls(slots, calls);
      expect(match.ok ? "the same" : match.where).toBe("the same");
    });
  }

  it("the comparison tells a call left out, and one too many", () => {
    const slots = promisedCalls(plan, lines).kubernetes;
    const calls = received("kubernetes");
    // Every scale of the telegraf connectors left out: the PATCHes are promised, one or more per scale.
    expect(
      matchCalls(
        slots,
        calls.filter((c) => c.method !== "PATCH"),
      ).ok,
    ).toBe(false);
    // The first look at a namespace left out.
    expect(matchCalls(slots, calls.slice(1)).ok).toBe(false);
    expect(
      matchCalls(slots, [...calls, { method: "DELETE", path: "/api/v1/namespaces/obssys", query: {} }]).ok,
    ).toBe(false);
    const registry = received("registry");
    expect(matchCalls(promisedCalls(plan, lines).registry, registry.slice(1)).ok).toBe(false);
  });

  it("kafka: only the read-only APIs the dry run names, each answered, starting with ApiVersions", () => {
    const promised = promisedKafkaApis(lines);
    expect([...promised].sort()).toEqual(
      [
        "ApiVersions",
        "DescribeGroups",
        "FindCoordinator",
        "ListGroups",
        "ListOffsets",
        "Metadata",
        "OffsetFetch",
      ].sort(),
    );
    const requests = run.simulation.site.parts.kafka.requests;
    expect(requests.length).toBeGreaterThan(0);
    expect(requests[0]!.apiName).toBe("ApiVersions");
    expect(requests.filter((r) => !promised.has(r.apiName)).map((r) => r.apiName)).toEqual([]);
    expect(requests.every((r) => r.answered)).toBe(true);
    // A read of the lag: the groups, then their offsets, then the topics' ends, in that order.
    const names = requests.map((r) => r.apiName);
    const at = (name: string, from: number) => names.indexOf(name, from);
    const listed = at("ListGroups", 0);
    const described = at("DescribeGroups", listed);
    const fetched = at("OffsetFetch", described);
    expect([listed, described, fetched, at("ListOffsets", fetched)].every((i) => i >= 0)).toBe(true);
  });

  it("the schema registry ends where it started, FORWARD, having been NONE", () => {
    const puts = received("registry").filter((c) => c.method === "PUT");
    expect(puts).toHaveLength(2);
    const bodies = run.simulation.site.parts.registry.requests
      .filter((r) => r.method === "PUT")
      .map((r) => r.body);
    expect(bodies).toEqual([{ compatibility: "NONE" }, { compatibility: "FORWARD" }]);
    expect(run.simulation.site.parts.registry.compatibility).toBe("FORWARD");
  });
});
