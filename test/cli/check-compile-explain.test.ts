import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, describe, expect, it } from "vitest";
import { PLAN_SCHEMA_PATH } from "../../src/ir/json-schema.js";
import { readPlanJson } from "../../src/ir/plan.js";

/**
 * `plan check`, `plan compile` and `plan explain` on the compiler's fixtures, as a user runs them: the built
 * command (the global setup builds dist/) in a child process, its exit code and what it prints.
 */
function plan(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/plan.js", ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const VALID = "test/compiler/fixtures/valid";
const BROKEN = "test/compiler/fixtures/cli-broken";
const crash = /internal error|\n\s+at .+:\d+:\d+\)?\n|TypeError|ReferenceError/;

/** Every failure of the broken folder: each file, and each site where one line fails. */
const FAILURES = [
  { code: "DPL2004", file: `${BROKEN}/a-beta-gamma.dpl`, line: 4, column: 23, label: "site `beta`" },
  { code: "DPL2004", file: `${BROKEN}/a-beta-gamma.dpl`, line: 4, column: 23, label: "site `gamma`" },
  { code: "DPL2008", file: `${BROKEN}/b-alpha-only.dpl`, line: 4, column: 44, label: "" },
  { code: "DPL2020", file: `${BROKEN}/c-library.dpl`, line: 2, column: 33, label: "" },
];

interface JsonDiagnostic {
  code: string;
  severity: string;
  message: string;
  label?: string;
  span?: { file: string; line: number; column: number };
}

const scratch = mkdtempSync(join(tmpdir(), "plan-compile-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// NOTE: a generous timeout: each case starts node, and a loaded machine may be slow.
describe("plan check on folders", { timeout: 180_000 }, () => {
  it("exits 0 on a folder of valid plans, and names the plans it proved", () => {
    const r = plan("check", VALID);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^checked \d+ files, \d+ plans compiled and proven \(.*\): no errors\n$/);
    for (const id of ["every-kind@alpha", "rules@beta", "real-sites@summit", "paired@beta"]) {
      expect(r.stderr).toContain(id.replace("rules@", "ruled@"));
    }
  });

  it("exits 1 on a folder with several broken files and prints every failure, of every file and site", () => {
    const r = plan("check", BROKEN);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(crash);
    for (const f of FAILURES) {
      expect(r.stderr).toContain(`error[${f.code}]`);
      expect(r.stderr).toContain(`--> ${f.file}:${f.line}:${f.column}`);
      if (f.label) expect(r.stderr).toContain(`not in the inventory of ${f.label}`);
    }
    expect(r.stderr).toContain(`${FAILURES.length} errors, 0 warnings`);
    expect(r.stderr).not.toContain("d-valid.dpl");
  });

  it("prints the same failures as JSON", () => {
    const r = plan("check", BROKEN, "--format", "json");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    const got = JSON.parse(r.stdout) as JsonDiagnostic[];
    expect(got.map((d) => [d.code, d.severity, d.span?.file, d.span?.line, d.span?.column])).toEqual(
      FAILURES.map((f) => [f.code, "error", f.file, f.line, f.column]),
    );
    expect(got.filter((d) => d.code === "DPL2004").map((d) => d.label)).toEqual([
      "not in the inventory of site `beta`",
      "not in the inventory of site `gamma`",
    ]);
  });

  it("prints the same failures as SARIF 2.1.0, for code review tools to annotate the lines", () => {
    const r = plan("check", BROKEN, "--format", "sarif");
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout) as {
      version: string;
      $schema: string;
      runs: Array<{
        tool: { driver: { name: string; rules: Array<{ id: string }> } };
        results: Array<{
          ruleId: string;
          level: string;
          message: { text: string };
          locations: Array<{
            physicalLocation: {
              artifactLocation: { uri: string };
              region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
            };
          }>;
        }>;
      }>;
    };
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    expect(sarif.runs).toHaveLength(1);
    const run = sarif.runs[0]!;
    expect(run.tool.driver.name).toBe("plan");
    const ruleIds = new Set(run.tool.driver.rules.map((rule) => rule.id));
    expect(
      run.results.map((res) => {
        const loc = res.locations[0]!.physicalLocation;
        return [
          res.ruleId,
          res.level,
          loc.artifactLocation.uri,
          loc.region.startLine,
          loc.region.startColumn,
        ];
      }),
    ).toEqual(FAILURES.map((f) => [f.code, "error", f.file, f.line, f.column]));
    for (const res of run.results) {
      expect(ruleIds.has(res.ruleId)).toBe(true);
      expect(res.message.text.length).toBeGreaterThan(0);
      const region = res.locations[0]!.physicalLocation.region;
      expect(region.endLine).toBeGreaterThanOrEqual(region.startLine);
    }
    // The two failures of one line at two sites stay apart.
    const texts = run.results.filter((res) => res.ruleId === "DPL2004").map((res) => res.message.text);
    expect(new Set(texts).size).toBe(2);
  });

  it("compiles every site of an entry: a plan broken at one site fails although the others hold", () => {
    const r = plan("check", `${BROKEN}/b-alpha-only.dpl`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("site `alpha` has no host `tel-hw1`");
    expect(r.stderr).toContain("1 error, 0 warnings");
  });
});

describe("plan compile", { timeout: 180_000 }, () => {
  const entry = `${VALID}/rules/entry.dpl`;

  it("writes the same bytes on every run, to stdout and to a file, a plan the schema and the hash accept", () => {
    const first = plan("compile", entry, "--site", "alpha", "-o", "-");
    const second = plan("compile", entry, "--site", "alpha", "-o", "-");
    expect(first.code, first.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const file = join(scratch, "rules.alpha.plan.json");
    const written = plan("compile", entry, "--site", "alpha", "-o", file);
    expect(written.code, written.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(first.stdout);

    const read = readPlanJson(first.stdout);
    expect(read.ok).toBe(true);
    const schema = JSON.parse(readFileSync(PLAN_SCHEMA_PATH, "utf8")) as Record<string, unknown>;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(JSON.parse(first.stdout)), JSON.stringify(validate.errors)).toBe(true);
  });

  it("takes --param, and refuses a bad one with the option named", () => {
    const entryWithParams = `${VALID}/params/entry.dpl`;
    const ok = plan("compile", entryWithParams, "-o", "-", "--param", "breaks_schema=true");
    expect(ok.code, ok.stderr).toBe(0);
    const compiled = JSON.parse(ok.stdout) as {
      params: Record<string, { value: unknown; default: boolean }>;
    };
    expect(compiled.params.breaks_schema).toEqual({ type: "bool", value: true, default: false });

    const bad = plan("compile", entryWithParams, "-o", "-", "--param", "breaks_schema=maybe");
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("error[DPL3001]: `--param breaks_schema=maybe`: `breaks_schema` is a bool");
  });
});

describe("plan explain", { timeout: 180_000 }, () => {
  const entry = `${VALID}/rules/entry.dpl`;

  it("prints the incoming edges of a step with their reasons and lines, and what depends on it", () => {
    // 2.3.2 syncs love: after the other telescope apps (rule love-last) and after what was written before it.
    const r = plan("explain", entry, "2.3.2", "--site", "alpha");
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^2\.3\.2 {2}Sync love in Argo CD\n/);
    const incoming = out.slice(out.indexOf("It comes after:"), out.indexOf("Right after it come:"));
    for (const from of ["2.1", "2.2", "2.3.1", "2.3.3"]) expect(incoming).toContain(`  ${from} `);
    expect(incoming).toMatch(
      /2\.3\.1 +Sync auxtel in Argo CD\n +because rule `love-last`: love last \(rule `love-last`\) {2}\[test\/compiler\/fixtures\/valid\/rules\/rules\.dpl:\d+\]/,
    );
    expect(incoming).toMatch(/2\.1 +Sync nublado in Argo CD\n +because written after 2\.1 in phase 2/);
    expect(out).toContain("Rules that place it: `love-last`.");
    expect(out).toMatch(/\n1 step depends on it: 2\.end\.\n/);
  });

  it("finds a step by its label, and refuses a step that does not exist", () => {
    const byLabel = plan("explain", `${VALID}/paired/entry.dpl`, "telegraf-down", "--site", "alpha");
    expect(byLabel.code, byLabel.stderr).toBe(0);
    expect(byLabel.stdout).toMatch(/^1\.1 {2}Scale the deployments in sasquatch/);
    expect(byLabel.stdout).toMatch(
      /2\.3 +Scale the deployments in sasquatch that match app=telegraf back to 1/,
    );

    const missing = plan("explain", entry, "9.9", "--site", "alpha");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("has no step 9.9");
    expect(missing.stderr).not.toMatch(crash);
  });
});
