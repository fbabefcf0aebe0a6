import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { Edge, Json, Plan, PlanHost, PlanSite, Step } from "../ir/schema.js";
import { FORMAT_VERSION } from "../ir/version.js";
import type * as A from "../language/ast.js";
import { plainText } from "../language/ast.js";
import type { Expanded } from "./expand.js";
import { sourceOf } from "./expand.js";
import { buildDag, topologicalOrder } from "./graph.js";
import { STATE_OF_VERB, type XStep } from "./model.js";
import type { ParamValue } from "./params.js";
import { eventsOfPlanStep } from "./rules/events.js";
import { ruleEventCount, type SiteRule } from "./rules/index.js";
import { SET_SUMMARY_STATE } from "./scripts.js";
import type { SiteModel } from "./site.js";
import { compareCscIds } from "./targets.js";

/** What each kind of automated step needs from its site, to say so at compile time rather than at 2 am. */
const NEEDS: Readonly<Partial<Record<Step["kind"], string>>> = {
  "argocd-sync": "argocd",
  "k8s-scale": "kubernetes_context",
  "k8s-delete-jobs": "kubernetes_context",
  "k8s-annotate": "kubernetes_context",
  "k8s-wait-ready": "kubernetes_context",
  "kafka-lag": "kafka",
  "registry-set-compatibility": "schema_registry",
  "registry-check-compatibility": "schema_registry",
};

/**
 * The expanded plan as IR: steps with their payloads and direct predecessors, the edges with their
 * reasons, a deterministic topological order, the site's endpoints, the parameters and the proven rules.
 * The result has no hash yet (see `sealPlan`). Returns undefined when the edges have a cycle.
 */
export function lower(
  expanded: Expanded,
  procedure: A.Procedure,
  site: SiteModel,
  params: ReadonlyMap<string, ParamValue>,
  rules: readonly SiteRule[],
  version: string,
  diagnostics: Diagnostic[],
): Omit<Plan, "hash"> | undefined {
  const { steps } = expanded;
  const index = new Map(steps.map((s, i) => [s, i]));
  const seen = new Set<string>();
  const edges: Edge[] = [];
  const preds: Set<number>[] = steps.map(() => new Set());
  for (const e of expanded.edges) {
    const from = index.get(e.from);
    const to = index.get(e.to);
    if (from === undefined || to === undefined) continue;
    const key = `${from}>${to}>${e.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    preds[to]!.add(from);
    edges.push({
      from: e.from.id,
      to: e.to.id,
      reason: {
        kind: e.kind,
        detail: e.detail,
        ...(e.rule ? { rule: e.rule } : {}),
        source: sourceOf(e.span, []),
      },
    });
  }
  const ids = new Map(steps.map((s, i) => [s.id, i]));
  const dag = buildDag(
    steps.length,
    edges.map((e) => [ids.get(e.from)!, ids.get(e.to)!] as const),
  );
  const order = topologicalOrder(dag);
  if (!order) return undefined;

  const needed = new Set<string>();
  const irSteps = steps.map((s, i) => {
    const need = NEEDS[s.kind];
    if (need && !site.attributes.has(need) && !needed.has(need)) {
      needed.add(need);
      diagnostics.push(
        diagnostic("DPL3012", `site \`${site.name}\` has no \`${need}\`, and step ${s.id} needs it`, s.span, {
          help: `set \`${need} "…"\` in the site`,
        }),
      );
    }
    const after = [...preds[i]!].sort((a, b) => a - b).map((p) => steps[p]!.id);
    return lowerStep(s, after);
  });

  // Grouped once: filtering every step for every phase made lowering quadratic in the size of the plan.
  const stepsOfPhase = new Map<XStep["phase"], string[]>();
  for (const s of steps) {
    const list = stepsOfPhase.get(s.phase);
    if (list) list.push(s.id);
    else stepsOfPhase.set(s.phase, [s.id]);
  }

  const views = irSteps.map((s, i) => eventsOfPlanStep(s, i));
  return {
    format: "plan",
    formatVersion: FORMAT_VERSION,
    compiler: { name: "plan", version },
    id: `${procedure.name.value}@${site.name}`,
    procedure: {
      name: procedure.name.value,
      title: procedure.title ? (plainText(procedure.title) ?? procedure.name.value) : procedure.name.value,
      source: sourceOf(
        procedure.name.span,
        procedure.clauses.cite ? [plainText(procedure.clauses.cite) ?? ""] : [],
      ),
    },
    site: lowerSite(site),
    params: Object.fromEntries(
      [...params.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, p]) => [name, { type: p.type, value: p.value as Json, default: p.isDefault }]),
    ),
    admonitions: expanded.admonitions,
    ignored: [...expanded.ignored]
      .sort((a, b) => compareCscIds(a.csc, b.csc))
      .map((i) => ({
        csc: i.csc,
        keep: i.keep,
        ...(i.reason ? { reason: i.reason } : {}),
        source: sourceOf(i.span, i.cites),
      })),
    phases: expanded.phases.map((p) => ({
      name: p.name,
      title: p.title,
      number: p.number,
      mode: p.mode,
      ...(p.by ? { by: p.by } : {}),
      admonitions: p.admonitions,
      steps: stepsOfPhase.get(p) ?? [],
      source: sourceOf(p.span, p.cites),
    })),
    steps: irSteps,
    edges,
    order: order.map((i) => steps[i]!.id),
    rules: rules.map((r) => ({
      name: r.name,
      text: r.text,
      ...(r.because ? { because: r.because } : {}),
      events: ruleEventCount({ steps: irSteps }, r, views),
      holds: true as const,
      source: sourceOf(r.span, r.cites),
    })),
  };
}

function lowerStep(s: XStep, after: string[]): Step {
  const common: Record<string, unknown> = {
    id: s.id,
    ...(s.label ? { name: s.label } : {}),
    phase: s.phase.name,
    kind: s.kind,
    title: s.undoes ? `${s.title} (undoes ${s.undoes.id})` : s.title,
    manual: s.manual,
    critical: s.critical,
    after,
    source: sourceOf(s.span, s.cites),
    admonitions: s.admonitions,
    expectedSeconds: s.expectedSeconds,
  };
  const optional: Array<[string, unknown]> = [
    ["by", s.by],
    ["check", s.check],
    ["url", s.url],
    ["command", s.command],
    ["confirm", s.confirm],
    ["timeoutSeconds", s.timeoutSeconds],
    ["pollSeconds", s.pollSeconds],
    ["onTimeout", s.onTimeout],
    ["retries", s.retries],
    ["temporary", s.undoneBy ? { undoneBy: s.undoneBy.id } : undefined],
    ["undoes", s.undoes?.id],
  ];
  for (const [k, v] of optional) if (v !== undefined) common[k] = v;
  for (const [k, v] of Object.entries(s.payload)) if (v !== undefined) common[k] = v;
  if (s.transition) Object.assign(common, lowerTransition(s));
  return common as Step;
}

function lowerTransition(s: XStep): Record<string, unknown> {
  const t = s.transition!;
  const state = STATE_OF_VERB[t.verb];
  const given: Record<string, Json> = {};
  for (const [k, v] of t.given) given[k] = v.value;
  if (t.script === SET_SUMMARY_STATE) {
    return {
      state,
      script: t.script,
      queue: t.queue,
      cscs: t.cscs,
      config: { ...given, data: t.cscs.map((c) => [c, state]) },
      ignored: [],
    };
  }
  const nameOf = (id: string) => id.split(":")[0]!;
  const firsts = t.startWith.flatMap((n) => t.cscs.filter((c) => nameOf(c) === n));
  const lasts = t.endWith.flatMap((n) => t.cscs.filter((c) => nameOf(c) === n));
  const middle = t.cscs.filter((c) => !t.startWith.includes(nameOf(c)) && !t.endWith.includes(nameOf(c)));
  const ignore = [...new Set(t.ignored.map((i) => i.name))].sort();
  const config: Record<string, Json> = { ...given };
  if (ignore.length) config.ignore = ignore;
  if (t.startWith.length) config.start_with = t.startWith;
  if (t.endWith.length) config.end_with = t.endWith;
  return {
    state,
    script: t.script,
    queue: t.queue,
    cscs: [...firsts, ...middle, ...lasts],
    config,
    ignored: t.ignored.map((i) => ({ csc: i.csc, keep: i.keep, ...(i.reason ? { reason: i.reason } : {}) })),
  };
}

function lowerSite(site: SiteModel): PlanSite {
  const attr = (k: string): string | undefined => {
    const v = site.attributes.get(k)?.value;
    return typeof v === "string" ? v : undefined;
  };
  const list = (k: string): string[] => {
    const v = site.attributes.get(k)?.value;
    return v === undefined ? [] : typeof v === "string" ? [v] : [...v];
  };
  const optional = <T>(cond: unknown, value: T): T | undefined => (cond ? value : undefined);
  const hosts: PlanHost[] = [...site.hosts.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((h) => ({
      name: h.name,
      address: h.address,
      roles: [...h.roles],
      ...(h.user ? { user: h.user } : {}),
      ...(h.port ? { port: h.port } : {}),
      ...(h.service ? { service: h.service } : {}),
    }));
  const out: Record<string, unknown> = {
    name: site.name,
    title: site.title,
    kubernetes: optional(attr("kubernetes_context"), {
      context: attr("kubernetes_context"),
      ...(attr("kubeconfig") ? { kubeconfig: attr("kubeconfig") } : {}),
    }),
    argocd: optional(attr("argocd"), {
      url: attr("argocd"),
      ...(attr("argocd_ca") ? { caFile: attr("argocd_ca") } : {}),
      ...(attr("argocd_token_env") ? { tokenEnv: attr("argocd_token_env") } : {}),
      ...(attr("argocd_username_env") ? { usernameEnv: attr("argocd_username_env") } : {}),
      ...(attr("argocd_password_env") ? { passwordEnv: attr("argocd_password_env") } : {}),
    }),
    kafka: optional(site.attributes.has("kafka"), {
      bootstrap: list("kafka"),
      ...(attr("kafka_site") ? { toolsSite: attr("kafka_site") } : {}),
    }),
    schemaRegistry: optional(attr("schema_registry"), { url: attr("schema_registry") }),
    efd: optional(attr("efd"), {
      url: attr("efd"),
      database: attr("efd_database") ?? "efd",
      ...(attr("efd_username_env") ? { usernameEnv: attr("efd_username_env") } : {}),
      ...(attr("efd_password_env") ? { passwordEnv: attr("efd_password_env") } : {}),
    }),
    love: list("love"),
    chronograf: attr("chronograf"),
    nublado: attr("nublado"),
    slack: attr("slack"),
    hosts,
    apps: [...site.apps.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((a) => ({ name: a.name, ...(a.project ? { project: a.project } : {}), namespace: a.namespace })),
    cscs: [...site.cscs.values()].map((c) => ({
      id: c.id,
      ...(c.app ? { app: c.app } : {}),
      ...(c.job ? { job: c.job } : {}),
      ...(c.host ? { host: c.host } : {}),
      simulator: c.simulator,
      starts: c.starts,
      heartbeatOnly: c.heartbeatOnly,
    })),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as PlanSite;
}
