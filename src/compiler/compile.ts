import { type Diagnostic, diagnostic, hasErrors } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/span.js";
import { closest } from "../diagnostics/suggest.js";
import { sealPlan } from "../ir/hash.js";
import type { Plan } from "../ir/schema.js";
import type * as A from "../language/ast.js";
import { expand } from "./expand.js";
import { buildDag, findCycle } from "./graph.js";
import type { Program } from "./loader.js";
import { lower } from "./lower.js";
import { itemSteps, type XEdge, type XPhase, type XStep } from "./model.js";
import { resolveParams } from "./params.js";
import { applyRules, proveRules, resolveRules, type SiteRule } from "./rules/index.js";
import { checkComponent, resolveSite, type SiteModel } from "./site.js";
import { closureOf, collectSymbols, type Symbols } from "./symbols.js";

export interface CompileOptions {
  /** `--param name=value` overrides, for every entry. */
  readonly params?: readonly string[];
  /** Only compile for this site (an entry may name several). */
  readonly site?: string;
  /** The compiler version written into plans. */
  readonly version: string;
  /**
   * Whether to seal each plan (compute its hash); default true. `plan check` writes no plan and passes
   * false, and its plans then carry an empty hash. NOTE: the hash is taken over the canonical JSON of the
   * whole plan, a fifth of the compile time (bench/RESULTS.md).
   */
  readonly seal?: boolean;
}

/** One entry compiled for one site. `plan` is absent when the compile found errors. */
export interface CompiledPlan {
  readonly file: string;
  readonly procedure: string;
  readonly site: string;
  readonly plan?: Plan;
  /** The rules as resolved at this site, to prove them again on a changed plan (mutation tests, `plan run`). */
  readonly rules: readonly SiteRule[];
  /** Where each step was written, by id, for messages about the plan. */
  readonly spans: ReadonlyMap<string, Span>;
}

export interface FileResult {
  readonly plans: CompiledPlan[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Compiles the entries of one file: every `plan … for <sites>` for every site it names, through the
 * compiler's passes in order:
 *
 *   symbols → site → params → expand → rules (shape) → cycles → lower → rules (prove) → seal
 *
 * A file without entries is checked as a library: its sites, groups, procedures' parameters and rules.
 * Every stage reports what it finds and later stages skip what failed, so one mistake gives one error.
 */
export function compileFile(program: Program, file: string, options: CompileOptions): FileResult {
  const diagnostics: Diagnostic[] = [];
  const { symbols, diagnostics: symbolProblems } = collectSymbols(program, closureOf(program, file), file);
  diagnostics.push(...symbolProblems);
  const sites = new Map<string, SiteModel>();
  const siteModel = (name: string): SiteModel => {
    let model = sites.get(name);
    if (!model) {
      model = resolveSite(symbols.sites.get(name)!, diagnostics);
      sites.set(name, model);
    }
    return model;
  };
  const textOf = (span: Span) => program.files.get(span.file)?.source.text.slice(span.start, span.end) ?? "";

  // What can be checked without a site is checked in every file, so that a site or group declared beside an
  // entry that does not use it is checked too.
  checkLibrary(symbols, program, file, siteModel, diagnostics);
  if (symbols.plans.length === 0) return { plans: [], diagnostics };
  const plans: CompiledPlan[] = [];
  for (const entry of symbols.plans) {
    const procedure = symbols.procedures.get(entry.procedure.value);
    if (!procedure) {
      const guess = closest(entry.procedure.value, symbols.procedures.keys());
      diagnostics.push(
        diagnostic("DPL2013", `there is no procedure \`${entry.procedure.value}\``, entry.procedure.span, {
          help: guess ? `did you mean \`${guess}\`?` : "import the file that defines it",
        }),
      );
      continue;
    }
    let wanted = entry.sites;
    if (options.site) {
      wanted = entry.sites.filter((s) => s.value === options.site);
      if (wanted.length === 0) {
        diagnostics.push(
          diagnostic("DPL3011", `this entry is not for site \`${options.site}\``, entry.span, {
            help: `it is for ${entry.sites.map((s) => `\`${s.value}\``).join(", ")}`,
          }),
        );
      }
    }
    const named = new Map<string, Span>();
    for (const siteName of wanted) {
      const earlier = named.get(siteName.value);
      if (earlier) {
        diagnostics.push(
          diagnostic("DPL2012", `site \`${siteName.value}\` is named twice in this entry`, siteName.span, {
            related: [{ span: earlier, message: "first named here" }],
            help: "name each site once",
          }),
        );
        continue;
      }
      named.set(siteName.value, siteName.span);
      if (!symbols.sites.has(siteName.value)) {
        const guess = closest(siteName.value, symbols.sites.keys());
        diagnostics.push(
          diagnostic("DPL2007", `there is no site \`${siteName.value}\``, siteName.span, {
            help: guess
              ? `did you mean \`${guess}\`?`
              : "import the file that declares it, such as `../sites/summit.dpl`",
          }),
        );
        continue;
      }
      plans.push(
        compilePlan(entry, procedure, siteModel(siteName.value), symbols, options, textOf, diagnostics, file),
      );
    }
  }
  return { plans, diagnostics };
}

function compilePlan(
  entry: A.PlanDecl,
  procedure: A.Procedure,
  site: SiteModel,
  symbols: Symbols,
  options: CompileOptions,
  textOf: (span: Span) => string,
  diagnostics: Diagnostic[],
  file: string,
): CompiledPlan {
  const local: Diagnostic[] = [];
  const done = (
    plan?: Plan,
    rules: readonly SiteRule[] = [],
    spans = new Map<string, Span>(),
  ): CompiledPlan => {
    diagnostics.push(...local);
    return {
      file,
      procedure: procedure.name.value,
      site: site.name,
      ...(plan ? { plan } : {}),
      rules,
      spans,
    };
  };
  const params = resolveParams(procedure, entry.args, options.params ?? [], local);
  // Every use of a parameter without a valid value would be an error of its own: stop at the parameters.
  if (procedure.params.some((p) => !params.has(p.name.value))) return done();
  const expanded = expand(procedure, site, symbols, params, local);
  lintPhaseLengths(expanded.phases, site.name, local);
  const cond = { site: site.name, siteNames: new Set(symbols.sites.keys()), params, diagnostics: local };
  const rules = resolveRules(symbols, site, cond, textOf);
  applyRules(expanded.steps, expanded.edges, rules);
  const spans = new Map(expanded.steps.map((s) => [s.id, s.span]));
  if (checkCycles(expanded.steps, expanded.edges, local)) return done(undefined, rules, spans);
  if (hasErrors(local)) return done(undefined, rules, spans);
  const unsealed = lower(expanded, procedure, site, params, rules, options.version, local);
  if (!unsealed || hasErrors(local)) return done(undefined, rules, spans);
  local.push(...proveRules(unsealed, rules, (id) => spans.get(id)));
  if (hasErrors(local)) return done(undefined, rules, spans);
  return done(
    options.seal === false ? ({ ...unsealed, hash: "" } as Plan) : sealPlan(unsealed),
    rules,
    spans,
  );
}

/**
 * Checklists work best with five to nine items per pause point; a phase with many more gets skimmed
 * (see ../shared/CHECKLISTS.md). A warning, since the fix is the author's judgement: where to pause.
 */
export const LONG_PHASE = 15;

function lintPhaseLengths(phases: readonly XPhase[], site: string, diagnostics: Diagnostic[]): void {
  for (const phase of phases) {
    const count = phase.items.reduce((n, item) => n + itemSteps(item).length, 0);
    if (count <= LONG_PHASE) continue;
    diagnostics.push(
      diagnostic(
        "DPL3013",
        `phase \`${phase.name}\` has ${count} steps at site \`${site}\`; a checklist reads best with five to nine per pause point`,
        phase.span,
        {
          help: "split it at a natural pause point (a phase ends with a sign-off), or move detail into the steps' commands and checks",
        },
      ),
    );
  }
}

/** How many steps of a cycle a message draws, and how many edges of the written order it points at. */
const CYCLE_SHOWN = 12;
const CYCLE_WRITTEN_EDGES = 4;

/** A cycle among the steps, drawn as `A -> B -> C -> A` with the line that made each edge. */
function checkCycles(steps: readonly XStep[], edges: readonly XEdge[], diagnostics: Diagnostic[]): boolean {
  const index = new Map(steps.map((s, i) => [s, i]));
  const dag = buildDag(
    steps.length,
    edges.map((e) => [index.get(e.from)!, index.get(e.to)!] as const),
  );
  const found = findCycle(dag);
  if (!found) return false;
  // NOTE: one lookup table, not a search of every edge per link: a cycle can be as long as the plan.
  const byEnds = new Map<string, XEdge>();
  for (const e of edges) {
    const key = `${index.get(e.from)}>${index.get(e.to)}`;
    if (!byEnds.has(key)) byEnds.set(key, e);
  }
  const edgeOf = (a: number, b: number) => byEnds.get(`${a}>${b}`)!;
  // Drawn from the edge most likely to be the mistake: an `after`, then a rule or undo, before the written order.
  const ring = found.slice(0, -1);
  const ringLinks = ring.map((a, i) => edgeOf(a, ring[(i + 1) % ring.length]!));
  const rank = (e: XEdge) => (e.kind === "after" ? 0 : e.kind === "rule" || e.kind === "undo" ? 1 : 2);
  const start = ringLinks.reduce((best, e, i) => (rank(e) < rank(ringLinks[best]!) ? i : best), 0);
  const cycle = [...ring.slice(start), ...ring.slice(0, start), ring[start]!];
  const links = [...ringLinks.slice(start), ...ringLinks.slice(0, start)];
  // A long cycle (an `after` that points back across phases) is drawn with its middle left out, and with
  // every edge that is not the written order but only a few of those.
  const ids = cycle.map((i) => steps[i]!.id);
  const drawn =
    ids.length <= CYCLE_SHOWN
      ? ids.join(" -> ")
      : [
          ...ids.slice(0, CYCLE_SHOWN / 2),
          `… (${ids.length - CYCLE_SHOWN} more)`,
          ...ids.slice(-CYCLE_SHOWN / 2),
        ].join(" -> ");
  const why = (e: XEdge) => `${e.from.id} -> ${e.to.id}: ${e.detail}${e.rule ? ` (rule \`${e.rule}\`)` : ""}`;
  const written = (e: XEdge) => e.kind === "sequence" || e.kind === "phase";
  let room = CYCLE_WRITTEN_EDGES;
  const shown = links.slice(1).filter((e) => !written(e) || room-- > 0);
  const left = links.length - 1 - shown.length;
  diagnostics.push(
    diagnostic("DPL4001", `the steps wait for each other in a cycle: ${drawn}`, links[0]!.span, {
      label: why(links[0]!),
      related: shown.map((e) => ({ span: e.span, message: why(e) })),
      notes: left > 0 ? [`and ${left} more edges of the written order`] : [],
      help: "remove one of these orderings (an `after`, or the order of the steps)",
    }),
  );
  return true;
}

/** The checks of a file that has no entry: what can be checked without a site to compile for. */
function checkLibrary(
  symbols: Symbols,
  program: Program,
  file: string,
  siteModel: (name: string) => SiteModel,
  diagnostics: Diagnostic[],
): void {
  const own = program.files.get(file)?.file;
  if (!own) return;
  for (const decl of own.declarations) {
    if (decl.kind === "site") siteModel(decl.name.value);
    if (decl.kind === "group") {
      for (const m of decl.members) {
        if (m.kind === "ref" && !symbols.groups.has(m.ref.name)) checkComponent(m.ref, diagnostics);
      }
    }
    if (decl.kind === "procedure") {
      // Only the declarations: without an entry, a parameter without a default is not missing a value.
      const found: Diagnostic[] = [];
      resolveParams(decl, [], [], found);
      diagnostics.push(...found.filter((d) => d.code !== "DPL3003"));
    }
  }
}
