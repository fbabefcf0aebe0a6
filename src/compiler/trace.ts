import type { Plan } from "../ir/schema.js";
import type * as A from "../language/ast.js";
import { plainText } from "../language/ast.js";

/**
 * Traceability: for each section and item of the source documents, the sites it applies to and what implements it
 * in each compiled plan (steps, admonitions, phases, ignore entries, rules, by their citations), and the items that
 * apply at a site but that no plan of that site implements. A pure function of the documents' outlines and the
 * compiled plans; reading files and compiling are the caller's.
 */

/** A section or item of a document's outline, with the sites it is restricted to. */
export interface OutlineEntry {
  /** `<document>/<key>`, as a citation names it. */
  readonly cite: string;
  readonly key: string;
  readonly title: string;
  readonly only?: readonly string[];
  readonly except?: readonly string[];
}

export interface OutlineSection extends OutlineEntry {
  readonly items: readonly OutlineEntry[];
}

export interface DocumentOutline {
  readonly id: string;
  readonly title: string;
  readonly sections: readonly OutlineSection[];
}

/** One compiled plan to trace: the entry file it came from and, for a variant, the parameters it flipped. */
export interface TracedPlan {
  /** The entry's name: its file name without folder and `.dpl` (`summit`, `tts-os-upgrade`). */
  readonly entry: string;
  readonly plan: Plan;
  /** `breaks_schema=true`: a variant compiled with parameters other than the entry's. Absent: the entry as written. */
  readonly variant?: string;
}

/** What implements a citation in one plan: a step id, or another part of the plan. */
export interface Implementation {
  readonly entry: string;
  readonly site: string;
  readonly procedure: string;
  readonly variant?: string;
  /** `2.3`, `2.3 (note)`, `phase 2`, `plan (attention)`, `ignore MTM1M3`, `rule watcher-first`. */
  readonly ref: string;
}

export interface TraceRow {
  readonly document: string;
  readonly entry: OutlineEntry;
  /** Whether this row is a section (true) or an item of one. */
  readonly section: boolean;
  /** The sites it applies to, among the sites some plan of the document is compiled for. */
  readonly sites: readonly string[];
  readonly implementations: readonly Implementation[];
}

/** An item (or a section without items) that applies at a site where no plan of its document implements it. */
export interface Missing {
  readonly cite: string;
  readonly title: string;
  readonly site: string;
  /** The entries of that document compiled for that site, none of which implements it. */
  readonly entries: readonly string[];
}

export interface TraceTable {
  readonly documents: readonly DocumentOutline[];
  readonly rows: readonly TraceRow[];
  /** Per document, the sites and entries traced (sorted). */
  readonly coverage: ReadonlyMap<string, { sites: string[]; entries: string[] }>;
  readonly missing: readonly Missing[];
  /** Citations of the plans that name no section or item of a declared document. */
  readonly unknownCites: readonly { cite: string; entry: string; ref: string }[];
}

/** The outline of a declared document. Keys or titles with `${…}` references are taken as written. */
export function outlineOf(doc: A.DocumentDecl): DocumentOutline {
  const id = plainText(doc.id) ?? "";
  const entry = (n: A.DocumentItem): OutlineEntry => {
    const key = plainText(n.key) ?? "";
    return {
      cite: `${id}/${key}`,
      key,
      title: plainText(n.title) ?? "",
      ...(n.clauses.only ? { only: n.clauses.only.map((s) => s.value) } : {}),
      ...(n.clauses.except ? { except: n.clauses.except.map((s) => s.value) } : {}),
    };
  };
  return {
    id,
    title: plainText(doc.title) ?? "",
    sections: doc.sections.map((s) => ({ ...entry(s), items: s.items.map(entry) })),
  };
}

function appliesAt(e: OutlineEntry, site: string): boolean {
  if (e.only && !e.only.includes(site)) return false;
  return !e.except?.includes(site);
}

/** The documents a plan's procedure implements: its `cite "001"` or `cite "001/<section>"`. */
function documentsOf(plan: Plan): string[] {
  return (plan.procedure.source.cite ?? []).map((c) => c.split("/")[0]!);
}

/** Every citation in a plan, with what carries it. */
export function citationsOf(plan: Plan): { cite: string; ref: string }[] {
  const out: { cite: string; ref: string }[] = [];
  const add = (cites: readonly string[] | undefined, ref: string) => {
    for (const cite of cites ?? []) out.push({ cite, ref });
  };
  for (const a of plan.admonitions) add(a.source.cite, `plan (${a.level})`);
  for (const i of plan.ignored) add(i.source.cite, `ignore ${i.csc}`);
  // A rule implements its sentence in a plan only where it ordered something.
  for (const r of plan.rules) if (r.events > 0) add(r.source.cite, `rule ${r.name}`);
  for (const p of plan.phases) {
    add(p.source.cite, `phase ${p.number}`);
    for (const a of p.admonitions) add(a.source.cite, `phase ${p.number} (${a.level})`);
  }
  for (const s of plan.steps) {
    if (s.kind === "checkpoint") {
      // A sign-off carries its phase's citation (counted with the phase) and the phase's trailing admonitions.
      for (const a of s.admonitions) add(a.source.cite, `${s.id} (${a.level})`);
      continue;
    }
    add(s.source.cite, s.id);
    for (const a of s.admonitions) add(a.source.cite, `${s.id} (${a.level})`);
  }
  return out;
}

/**
 * The traceability table of some documents over some plans. A section with items is implemented by its items
 * (citations of the section itself are listed too); a section without items must be cited itself. An item is
 * missing at a site when it applies there, some plan of its document is compiled for that site, and no plan of its
 * document at that site (in any variant) cites it.
 */
export function traceTable(documents: readonly DocumentOutline[], plans: readonly TracedPlan[]): TraceTable {
  const byCite = new Map<string, Implementation[]>();
  const unknownCites: { cite: string; entry: string; ref: string }[] = [];
  const known = new Set(
    documents.flatMap((d) => d.sections.flatMap((s) => [s.cite, ...s.items.map((i) => i.cite)])),
  );
  const docIds = new Set(documents.map((d) => d.id));
  const sorted = [...plans].sort((a, b) => compare(key(a), key(b)));
  for (const t of sorted) {
    for (const { cite, ref } of citationsOf(t.plan)) {
      if (!known.has(cite)) {
        if (!docIds.has(cite)) unknownCites.push({ cite, entry: t.entry, ref });
        continue;
      }
      const list = byCite.get(cite) ?? [];
      list.push({
        entry: t.entry,
        site: t.plan.site.name,
        procedure: t.plan.procedure.name,
        ...(t.variant ? { variant: t.variant } : {}),
        ref,
      });
      byCite.set(cite, list);
    }
  }
  const coverage = new Map<string, { sites: string[]; entries: string[] }>();
  for (const d of documents) {
    const mine = sorted.filter((t) => documentsOf(t.plan).includes(d.id));
    coverage.set(d.id, {
      sites: [...new Set(mine.map((t) => t.plan.site.name))].sort(compare),
      entries: [...new Set(mine.map((t) => t.entry))].sort(compare),
    });
  }

  const rows: TraceRow[] = [];
  const missing: Missing[] = [];
  for (const d of documents) {
    const { sites } = coverage.get(d.id)!;
    const mine = sorted.filter((t) => documentsOf(t.plan).includes(d.id));
    const check = (
      e: OutlineEntry,
      applies: (site: string) => boolean,
      implementations: Implementation[],
    ) => {
      for (const site of sites.filter(applies)) {
        const ofDoc = implementations.filter(
          (i) => i.site === site && mine.some((t) => t.entry === i.entry && t.plan.site.name === site),
        );
        if (ofDoc.length > 0) continue;
        const entries = [...new Set(mine.filter((t) => t.plan.site.name === site).map((t) => t.entry))];
        missing.push({ cite: e.cite, title: e.title, site, entries });
      }
    };
    for (const s of d.sections) {
      const implementations = byCite.get(s.cite) ?? [];
      const applies = (site: string) => appliesAt(s, site);
      rows.push({ document: d.id, entry: s, section: true, sites: sites.filter(applies), implementations });
      if (s.items.length === 0) check(s, applies, implementations);
      for (const i of s.items) {
        const itemApplies = (site: string) => applies(site) && appliesAt(i, site);
        const impl = byCite.get(i.cite) ?? [];
        rows.push({
          document: d.id,
          entry: i,
          section: false,
          sites: sites.filter(itemApplies),
          implementations: impl,
        });
        check(i, itemApplies, impl);
      }
    }
  }
  return { documents, rows, coverage, missing, unknownCites };
}

function key(t: TracedPlan): string {
  return `${t.entry}\u0000${t.plan.site.name}\u0000${t.variant ?? ""}`;
}

/** Plain code-point order: the same everywhere, whatever the locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
