import { describe, expect, it } from "vitest";
import type { GroupDecl, IgnoreEntry, RulesDecl } from "../../src/language/ast.js";
import { plainText } from "../../src/language/ast.js";
import {
  type InventoryRow,
  nonCscNames,
  parseRepoFile,
  readInventory,
  readYaml,
} from "./observatory-data.js";

/**
 * plans/common/ against data/observatory/: the groups are the inventory's `group` column, the ignore list is the
 * Summit's `shutdown_ignore`, and every ordering rule says where it comes from.
 */

const notCscs = nonCscNames();
const cscRows = readInventory().filter((r) => !notCscs.has(r.name!));

describe("plans/common/groups.dpl", () => {
  const groups = parseRepoFile("plans/common/groups.dpl").declarations.filter(
    (d): d is GroupDecl => d.kind === "group",
  );

  /** Whether a group member (`Name`, `Name:7`, `Name:*`) stands for the CSC of this row. */
  const covers = (member: GroupDecl["members"][number], row: InventoryRow): boolean => {
    if (member.kind !== "ref" || member.ref.name !== row.name) return false;
    const index = Number(row.index);
    return member.ref.index === "*" || (member.ref.index ?? 0) === index;
  };

  it("has one group per value of the csv's group column that holds a CSC", () => {
    const names = groups.map((g) => g.name.value).sort();
    expect(names).toEqual([...new Set(cscRows.map((r) => r.group!))].sort());
    for (const g of groups) expect(g.title && plainText(g.title), g.name.value).toBeTruthy();
  });

  it("puts every CSC of the csv in its own group and in no other", () => {
    for (const row of cscRows) {
      const holders = groups.filter((g) => g.members.some((m) => covers(m, row))).map((g) => g.name.value);
      expect(holders, row.id).toEqual([row.group]);
    }
  });

  it("has no member that stands for no CSC of its group", () => {
    for (const g of groups) {
      for (const m of g.members) {
        expect(m.kind, g.name.value).toBe("ref");
        const hits = cscRows.filter((r) => covers(m, r));
        expect(hits.length, `${g.name.value}: ${m.kind === "ref" ? m.ref.name : m.kind}`).toBeGreaterThan(0);
        expect(new Set(hits.map((r) => r.group)), g.name.value).toEqual(new Set([g.name.value]));
      }
    }
  });

  it("leaves out LOVE, which is not a CSC", () => {
    expect(notCscs.has("LOVE")).toBe(true);
    const all = groups.flatMap((g) => g.members).filter((m) => m.kind === "ref" && m.ref.name === "LOVE");
    expect(all).toEqual([]);
  });
});

describe("plans/common/ignore.dpl", () => {
  const entries = parseRepoFile("plans/common/ignore.dpl").declarations.filter(
    (d): d is IgnoreEntry => d.kind === "ignore",
  );
  const sites = readYaml("sites.yaml").sites;

  it("is the Summit's shutdown_ignore of sites.yaml, only at the Summit, each with a reason and a citation", () => {
    expect(entries.map((e) => e.csc.name).sort()).toEqual([...sites.summit.shutdown_ignore].sort());
    expect(sites.tts.shutdown_ignore).toEqual([]);
    expect(sites.bts.shutdown_ignore).toEqual([]);
    for (const e of entries) {
      expect(
        e.clauses.only?.map((n) => n.value),
        e.csc.name,
      ).toEqual(["summit"]);
      expect(e.clauses.except, e.csc.name).toBeUndefined();
      expect(e.clauses.when, `${e.csc.name}: the seed says it holds for OS/k8s upgrades too`).toBeUndefined();
      expect(e.clauses.because && plainText(e.clauses.because), e.csc.name).toBeTruthy();
      expect(e.clauses.cite && plainText(e.clauses.cite), e.csc.name).toMatch(/^001\//);
    }
  });

  it("keeps MTM1M3 DISABLED and MTM1M3TS ENABLED", () => {
    // 001: "keep MTM1M3TS in ENABLED state and MTM1M3 in DISABLED state".
    const keep = Object.fromEntries(entries.map((e) => [e.csc.name, e.keep]));
    expect(keep).toEqual({ MTM1M3: "DISABLED", MTM1M3TS: "ENABLED" });
  });
});

describe("plans/common/rules.dpl", () => {
  const rules = parseRepoFile("plans/common/rules.dpl")
    .declarations.filter((d): d is RulesDecl => d.kind === "rules")
    .flatMap((d) => d.rules);

  it("declares the rules the issue names, each with the sentence it comes from and its section", () => {
    expect(rules.map((r) => r.label?.value)).toEqual([
      "watcher-first",
      "queues-last",
      "runner-last",
      "love-last",
      "science-platform-first",
    ]);
    for (const r of rules) {
      expect(r.clauses.because && plainText(r.clauses.because), r.label?.value).toBeTruthy();
      expect(r.clauses.cite && plainText(r.clauses.cite), r.label?.value).toMatch(/^001\/\d\.\d+$/);
      // Rules hold at every site: the documents state none of them for one site only.
      expect(r.clauses.only ?? r.clauses.except, r.label?.value).toBeUndefined();
    }
  });

  it("orders the runner last among the ScriptQueues and LOVE last in the telescope project", () => {
    const runner = rules.find((r) => r.label?.value === "runner-last")!;
    expect(runner.subject.targets.include.map((t) => t.kind)).toEqual(["runner"]);
    expect(
      runner.among?.include.map((t) => (t.kind === "ref" ? `${t.ref.name}:${t.ref.index}` : t.kind)),
    ).toEqual(["ScriptQueue:*"]);
    const love = rules.find((r) => r.label?.value === "love-last")!;
    expect(love.subject.action).toBe("sync");
    expect(love.relation.kind).toBe("last");
    expect(love.project?.value).toBe("telescope");
  });
});
