import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { closest } from "../diagnostics/suggest.js";
import type { Json, PlanAdmonition, StepKind } from "../ir/schema.js";
import type * as A from "../language/ast.js";
import { plainText } from "../language/ast.js";
import { configEntries } from "./config.js";
import { ANNOTATABLE, COMPATIBILITY_LEVELS, EXPECTED_SECONDS, QUEUE_NAMES } from "./defaults.js";
import type { Transition, XPhase, XStep } from "./model.js";
import { STATE_OF_VERB } from "./model.js";
import { SCRIPTS, SET_SUMMARY_STATE, SYSTEM_WIDE_SHUTDOWN } from "./scripts.js";
import type { HostInfo } from "./site.js";
import type { Symbols } from "./symbols.js";
import { compareCscIds, resolveApps, resolveCscTargets, type TargetScope } from "./targets.js";
import { resolveText, type TextScope } from "./text.js";
import { checkTransitionConfig } from "./transition-config.js";

export interface StepScope extends TargetScope {
  readonly symbols: Symbols;
  readonly diagnostics: Diagnostic[];
  nextKey(): number;
}

/** What a source step became: its steps at this site, and for a temporary change, its undo (not yet placed). */
export interface StepExpansion {
  readonly steps: XStep[];
  readonly undo?: XStep;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

type Common = Mutable<
  Omit<
    XStep,
    | "key"
    | "id"
    | "phase"
    | "kind"
    | "title"
    | "manual"
    | "payload"
    | "transition"
    | "app"
    | "expectedSeconds"
    | "span"
  >
> & {
  expectedSeconds?: number;
};

/**
 * One source step to the steps it is at this site: one, or one per application (`sync project telescope`)
 * or per host (`run … on each camera`), or none when its names do not resolve (reported).
 */
export function expandStep(
  step: A.Step,
  phase: XPhase,
  scope: StepScope,
  admonitions: PlanAdmonition[],
): StepExpansion {
  const d = scope.diagnostics;
  const text: TextScope = { site: scope.site, params: scope.params };
  const common = commonFields(step, text, scope, admonitions);
  if (!common) return { steps: [] };
  const make = (
    kind: StepKind,
    title: string,
    payload: Record<string, Json | undefined>,
    extra: Partial<XStep> = {},
  ): XStep => {
    const manual =
      kind === "manual" ||
      kind === "notify" ||
      kind === "script" ||
      kind === "csc-transition" ||
      (kind === "csc-states" && !scope.site.attributes.has("efd"));
    const { expectedSeconds, ...rest } = common;
    return {
      ...rest,
      key: scope.nextKey(),
      id: "",
      phase,
      kind,
      title,
      manual,
      payload,
      span: step.span,
      expectedSeconds:
        expectedSeconds ??
        (kind === "wait" ? Number(payload.seconds) : defaultExpected(kind, common.timeoutSeconds)),
      ...(step.label ? { label: step.label.value } : {}),
      ...extra,
    } as XStep;
  };
  const core = step.core;
  switch (core.kind) {
    case "transition":
      return one(transitionStep(core, scope, text, make));
    case "script": {
      const queue = resolveQueue(core.queue, scope, d);
      if (!queue) return { steps: [] };
      const config = configEntries(core.config, text, d);
      const json: Record<string, Json> = {};
      for (const [k, v] of config) json[k] = v.value;
      return one(
        make("script", `Run ${core.script.value} on ${showQueue(queue)}`, {
          script: core.script.value,
          queue,
          config: json,
        }),
      );
    }
    case "run":
      return { steps: runSteps(core, step.clauses.stdin, scope, make) };
    case "scale":
    case "set-compatibility":
    case "annotate": {
      const change = changeStep(core, text, d, make);
      return one(change);
    }
    case "delete-jobs": {
      const namespace = resolveText(core.namespace, text, d);
      const selector = core.selector ? resolveText(core.selector, text, d) : undefined;
      if (namespace === undefined || (core.selector && selector === undefined)) return { steps: [] };
      const title = selector
        ? `Delete the jobs in ${namespace} that match ${selector}`
        : `Delete every job in ${namespace}`;
      return one(make("k8s-delete-jobs", title, { namespace, selector }));
    }
    case "delete-jobs-of":
      return { steps: jobsOf(core, scope, make) };
    case "wait":
      return one(
        make("wait", `Wait ${showSeconds(core.duration.seconds)}`, { seconds: core.duration.seconds }),
      );
    case "wait-until":
    case "expect":
      return one(conditionStep(core.condition, core.kind === "expect", scope, text, make));
    case "sync": {
      const apps = resolveApps(core.targets, scope, d);
      if (!apps) return { steps: [] };
      if (apps.length === 0) {
        d.push(
          diagnostic("DPL3005", `this sync has no application at site \`${scope.site.name}\``, core.span, {
            help: "add `only`/`except`, or check the names",
          }),
        );
      }
      return {
        steps: apps.map((app) =>
          make(
            "argocd-sync",
            `Sync ${app.name} in Argo CD`,
            { app: app.name, project: app.project },
            { app },
          ),
        ),
      };
    }
    case "manual": {
      // One step per host for `on each <role>`, with `${host.…}` filled in; one step otherwise.
      const hosts = hostsOf(core, scope);
      if (!hosts) return { steps: [] };
      const steps: XStep[] = [];
      for (const host of hosts) {
        const body = resolveText(core.text, host ? { ...text, host } : text, d);
        if (body !== undefined) steps.push(make("manual", titleOf(body), { text: body }));
      }
      return { steps };
    }
    case "notify": {
      const message = resolveText(core.text, text, d);
      if (message === undefined) return { steps: [] };
      const channel = scope.site.attributes.get("slack")?.value as string | undefined;
      return one(
        make("notify", `Post on ${channel ?? "the site's Slack channel"}: ${titleOf(message)}`, {
          channel,
          message,
        }),
      );
    }
    case "temporarily": {
      const change = changeStep(core.change, text, d, make);
      if (!change) return { steps: [] };
      const undo = undoOf(core, change, text, d, make);
      if (!undo) return { steps: [change] };
      change.undoneBy = undo;
      undo.undoes = change;
      return { steps: [change], undo };
    }
    case "undo":
      return { steps: [] }; // placed by the caller, which knows the labels
  }
}

function one(step: XStep | undefined): StepExpansion {
  return { steps: step ? [step] : [] };
}

function defaultExpected(kind: StepKind, timeout: number | undefined): number {
  const base = EXPECTED_SECONDS[kind];
  return timeout !== undefined ? Math.min(base, timeout) : base;
}

/** The fields every step takes from its clauses. Cites are checked against the declared documents. */
function commonFields(
  step: A.Step,
  text: TextScope,
  scope: StepScope,
  admonitions: PlanAdmonition[],
): Common | undefined {
  const c = step.clauses;
  const d = scope.diagnostics;
  const opt = (t: A.Text | undefined) => (t ? resolveText(t, text, d) : undefined);
  const out: Common = {
    critical: c.critical !== undefined,
    cites: citesOf(c.cite, scope),
    admonitions,
  };
  const set = <K extends keyof Common>(k: K, v: Common[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set("by", opt(c.by));
  set("check", opt(c.check));
  set("url", opt(c.url));
  set("command", c.command ? resolveText(c.command.raw, text, d) : undefined);
  set("confirm", opt(c.confirm));
  set("timeoutSeconds", c.timeout?.seconds);
  set("pollSeconds", c.every?.seconds);
  set("retries", c.retry?.count);
  set("expectedSeconds", c.duration?.seconds);
  if (c.onTimeout) {
    if (c.onTimeout.kind === "ask") {
      const q = resolveText(c.onTimeout.question, text, d);
      if (q !== undefined) out.onTimeout = { kind: "ask", question: q };
    } else out.onTimeout = { kind: c.onTimeout.kind };
  }
  return out;
}

/** `cite "001/1.2"`: the document `001` must be declared, and `1.2` must be one of its sections or items. */
export function citesOf(
  cite: A.Text | undefined,
  scope: { symbols: Symbols; diagnostics: Diagnostic[] },
): string[] {
  if (!cite) return [];
  const value = plainText(cite) ?? "";
  const [docId, key] = splitCite(value);
  const doc = scope.symbols.documents.get(docId);
  if (!doc) {
    const guess = closest(docId, scope.symbols.documents.keys());
    scope.diagnostics.push(
      diagnostic("DPL2015", `no document \`${docId}\` is declared for \`${value}\``, cite.span, {
        help: guess
          ? `did you mean \`${guess}\`?`
          : "cite as `<document>/<section or item>`, with the document declared (and imported)",
      }),
    );
    return [value];
  }
  if (key !== undefined && !documentKeySet(doc).has(key)) {
    const keys = documentKeys(doc);
    const guess = closest(key, keys);
    scope.diagnostics.push(
      diagnostic("DPL2015", `document \`${docId}\` has no section or item \`${key}\``, cite.span, {
        help: guess
          ? `did you mean \`${docId}/${guess}\`?`
          : `its sections are ${keys.slice(0, 12).join(", ")}`,
      }),
    );
  }
  return [value];
}

export function splitCite(value: string): [string, string | undefined] {
  const slash = value.indexOf("/");
  return slash < 0 ? [value, undefined] : [value.slice(0, slash), value.slice(slash + 1)];
}

// NOTE: a procedure cites its document once per step, so the keys are gathered once per document rather
// than once per citation (which made citations quadratic in the size of the outline).
const keySets = new WeakMap<A.DocumentDecl, ReadonlySet<string>>();

function documentKeySet(doc: A.DocumentDecl): ReadonlySet<string> {
  let keys = keySets.get(doc);
  if (!keys) {
    keys = new Set(documentKeys(doc));
    keySets.set(doc, keys);
  }
  return keys;
}

export function documentKeys(doc: A.DocumentDecl): string[] {
  const keys: string[] = [];
  for (const s of doc.sections) {
    keys.push(plainText(s.key) ?? "");
    for (const i of s.items) keys.push(plainText(i.key) ?? "");
  }
  return keys;
}

/** The queue that runs a script: a ScriptQueue (or a `csc` parameter naming one) that the site has. */
function resolveQueue(ref: A.CscRef, scope: StepScope, d: Diagnostic[]): string | undefined {
  const got = resolveCscTargets(
    { include: [{ kind: "ref", ref, span: ref.span }], exclude: [], span: ref.span },
    scope,
    d,
  );
  const queue = got?.cscs[0];
  if (!got || !queue) return undefined;
  if (got.cscs.length !== 1 || !queue.startsWith("ScriptQueue:")) {
    d.push(
      diagnostic("DPL3010", `\`${got.cscs.join(", ")}\` is not a ScriptQueue`, ref.span, {
        help: "scripts run on a ScriptQueue: `on ScriptQueue:1`",
      }),
    );
    return undefined;
  }
  return queue;
}

export function showQueue(queue: string): string {
  const name = QUEUE_NAMES[queue];
  return name ? `${queue} (${name})` : queue;
}

function transitionStep(
  core: Extract<A.StepCore, { kind: "transition" }>,
  scope: StepScope,
  text: TextScope,
  make: (
    kind: StepKind,
    title: string,
    payload: Record<string, Json | undefined>,
    extra?: Partial<XStep>,
  ) => XStep,
): XStep | undefined {
  const d = scope.diagnostics;
  const script = core.script.value;
  if (!SCRIPTS[script]) {
    const guess = closest(script, Object.keys(SCRIPTS));
    d.push(
      diagnostic("DPL5010", `\`${script}\` is not a script that changes CSC states`, core.script.span, {
        help: guess
          ? `did you mean \`${guess}\`?`
          : `use ${SET_SUMMARY_STATE} or ${SYSTEM_WIDE_SHUTDOWN}; run other scripts with \`script\``,
      }),
    );
    return undefined;
  }
  const queue = resolveQueue(core.queue, scope, d);
  if (!queue) return undefined;
  const targets = resolveCscTargets(core.targets, { ...scope, runner: queue }, d);
  if (!targets) return undefined;
  const given = configEntries(core.config, text, d);
  const checked = checkTransitionConfig(core, script, targets, given, scope, queue);
  if (!checked) return undefined;
  const transition: Transition = {
    verb: core.verb,
    script,
    queue,
    cscs: checked.cscs,
    ordered: script === SET_SUMMARY_STATE && targets.explicit,
    startWith: checked.startWith,
    endWith: checked.endWith,
    given: checked.given,
    ignored: checked.ignored,
    span: core.span,
  };
  const state = STATE_OF_VERB[core.verb];
  const subject = targets.everything
    ? "every CSC"
    : (singleGroup(core.targets, scope) ?? listOf(transition.cscs));
  const title = `Send ${subject} to ${state} with ${script} on ${showQueue(queue)}`;
  return make("csc-transition", title, { state, script, queue }, { transition });
}

function singleGroup(targets: A.Targets, scope: StepScope): string | undefined {
  const only = targets.include.length === 1 && targets.exclude.length === 0 ? targets.include[0] : undefined;
  if (only?.kind !== "ref" || only.ref.index !== undefined) return undefined;
  const group = scope.groups.get(only.ref.name);
  if (!group) return undefined;
  return `the ${group.title ? plainText(group.title) : group.name.value} CSCs`;
}

export function listOf(items: readonly string[]): string {
  if (items.length === 0) return "no CSC";
  if (items.length > 4) return `${items.length} CSCs`;
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function conditionStep(
  condition: A.Condition,
  once: boolean,
  scope: StepScope,
  text: TextScope,
  make: (
    kind: StepKind,
    title: string,
    payload: Record<string, Json | undefined>,
    extra?: Partial<XStep>,
  ) => XStep,
): XStep | undefined {
  const d = scope.diagnostics;
  const lead = once ? "Check that" : "Wait until";
  switch (condition.kind) {
    case "lag": {
      const prefix = resolveText(condition.group, text, d);
      if (prefix === undefined) return undefined;
      return make(
        "kafka-lag",
        `${lead} the consumer lag of ${prefix}* is at most ${condition.max}`,
        { groupPrefix: prefix, max: condition.max },
        once ? { timeoutSeconds: 0 } : {},
      );
    }
    case "ready": {
      const namespace = resolveText(condition.namespace, text, d);
      const selector = condition.selector ? resolveText(condition.selector, text, d) : undefined;
      if (namespace === undefined || (condition.selector && selector === undefined)) return undefined;
      const which = selector
        ? `the ${condition.resource} in ${namespace} that match ${selector} are`
        : `every ${condition.resource === "pods" ? "pod" : "deployment"} in ${namespace} is`;
      return make(
        "k8s-wait-ready",
        `${lead} ${which} ready`,
        { resource: condition.resource, namespace, selector },
        once ? { timeoutSeconds: 0 } : {},
      );
    }
    case "compatibility": {
      const level = checkLevel(condition.level, d);
      if (!level) return undefined;
      return make(
        "registry-check-compatibility",
        `${lead} the schema registry's compatibility is ${level}`,
        { level },
        once ? { timeoutSeconds: 0 } : {},
      );
    }
    case "state": {
      const targets = resolveCscTargets(condition.targets, scope, d);
      if (!targets) return undefined;
      const expect: Json[] = [];
      for (const id of targets.cscs) {
        const csc = scope.site.cscs.get(id)!;
        const state = condition.state === "started" ? csc.starts : condition.state;
        expect.push({ csc: id, state, heartbeatOnly: csc.heartbeatOnly });
      }
      // Ignored CSCs were left alone: they are expected in the state they were kept in.
      for (const ig of [...targets.leftOut].sort((a, b) => compareCscIds(a.csc, b.csc))) {
        expect.push({
          csc: ig.csc,
          state: ig.keep,
          heartbeatOnly: scope.site.cscs.get(ig.csc)?.heartbeatOnly ?? false,
        });
      }
      const what = targets.everything ? "every CSC" : listOf(targets.cscs);
      const verb = !targets.everything && targets.cscs.length > 1 ? "are" : "is";
      const state =
        condition.state === "started"
          ? `${verb} up (STANDBY, or ENABLED where it starts so)`
          : `${verb} ${condition.state}`;
      const kept = targets.leftOut.length
        ? ` (${targets.leftOut.map((i) => `${i.csc} stays ${i.keep}`).join(", ")})`
        : "";
      return make(
        "csc-states",
        `${lead} ${what} ${state}${kept}`,
        { expect },
        once ? { timeoutSeconds: 0 } : {},
      );
    }
  }
}

function checkLevel(level: A.Name, d: Diagnostic[]): string | undefined {
  if ((COMPATIBILITY_LEVELS as readonly string[]).includes(level.value)) return level.value;
  const guess = closest(level.value, COMPATIBILITY_LEVELS);
  d.push(
    diagnostic("DPL2019", `\`${level.value}\` is not a compatibility level`, level.span, {
      help: guess ? `did you mean \`${guess}\`?` : `the levels are ${COMPATIBILITY_LEVELS.join(", ")}`,
    }),
  );
  return undefined;
}

type Make = (
  kind: StepKind,
  title: string,
  payload: Record<string, Json | undefined>,
  extra?: Partial<XStep>,
) => XStep;

function changeStep(
  core: A.ScaleCore | A.SetCompatibilityCore | A.AnnotateCore,
  text: TextScope,
  d: Diagnostic[],
  make: Make,
): XStep | undefined {
  if (core.kind === "scale") {
    const namespace = resolveText(core.namespace, text, d);
    const selector = core.selector ? resolveText(core.selector, text, d) : undefined;
    if (namespace === undefined || (core.selector && selector === undefined)) return undefined;
    const which = selector
      ? `the deployments in ${namespace} that match ${selector}`
      : `every deployment in ${namespace}`;
    return make("k8s-scale", `Scale ${which} to ${core.replicas}`, {
      namespace,
      selector,
      replicas: core.replicas,
    });
  }
  if (core.kind === "set-compatibility") {
    const level = checkLevel(core.level, d);
    return level
      ? make("registry-set-compatibility", `Set the schema registry's compatibility to ${level}`, { level })
      : undefined;
  }
  const resource = ANNOTATABLE[core.resource.value];
  if (!resource) {
    const guess = closest(core.resource.value, Object.keys(ANNOTATABLE));
    d.push(
      diagnostic(
        "DPL2018",
        `\`${core.resource.value}\` is not a resource kind that can be annotated`,
        core.resource.span,
        {
          help: guess ? `did you mean \`${guess}\`?` : `the kinds are ${Object.keys(ANNOTATABLE).join(", ")}`,
        },
      ),
    );
    return undefined;
  }
  const name = resolveText(core.name, text, d);
  const namespace = resolveText(core.namespace, text, d);
  const key = resolveText(core.key, text, d);
  const value = core.value ? resolveText(core.value, text, d) : null;
  if (name === undefined || namespace === undefined || key === undefined || value === undefined)
    return undefined;
  const title =
    value === null
      ? `Remove the annotation ${key} from ${core.resource.value} ${name} in ${namespace}`
      : `Annotate ${core.resource.value} ${name} in ${namespace} with ${key}=${value}`;
  return make("k8s-annotate", title, {
    resource: { ...resource },
    namespace,
    resourceName: name,
    key,
    value,
  });
}

/** The undo of a temporary change: scale back, set the compatibility back, or remove the annotation. */
function undoOf(
  core: Extract<A.StepCore, { kind: "temporarily" }>,
  change: XStep,
  text: TextScope,
  d: Diagnostic[],
  make: Make,
): XStep | undefined {
  const restore = core.restore;
  const p = change.payload;
  const extra = { critical: change.critical, cites: change.cites, admonitions: [] as PlanAdmonition[] };
  if (change.kind === "k8s-scale") {
    if (restore?.kind !== "number" || !Number.isInteger(restore.value) || restore.value < 0) {
      d.push(
        diagnostic("DPL3009", "say how many replicas to scale back to", restore?.span ?? core.span, {
          help: "add `restore 1` (or the number the deployments had)",
        }),
      );
      return undefined;
    }
    const which = p.selector
      ? `the deployments in ${p.namespace} that match ${p.selector}`
      : `every deployment in ${p.namespace}`;
    return make(
      "k8s-scale",
      `Scale ${which} back to ${restore.value}`,
      { namespace: p.namespace, selector: p.selector, replicas: restore.value },
      extra,
    );
  }
  if (change.kind === "registry-set-compatibility") {
    const level = restore?.kind === "ref" && restore.ref.index === undefined ? restore.ref.name : undefined;
    if (!level || !(COMPATIBILITY_LEVELS as readonly string[]).includes(level)) {
      d.push(
        diagnostic("DPL3009", "say which compatibility to set back", restore?.span ?? core.span, {
          help: "add `restore FORWARD` (or the level it had)",
        }),
      );
      return undefined;
    }
    return make(
      "registry-set-compatibility",
      `Set the schema registry's compatibility back to ${level}`,
      { level },
      extra,
    );
  }
  // An annotation: removed, or set back to the value given with `restore`.
  let value: string | null = null;
  if (restore) {
    value = restore.kind === "text" ? (resolveText(restore.text, text, d) ?? null) : null;
    if (restore.kind !== "text") {
      d.push(
        diagnostic("DPL3009", "an annotation is restored to a string", restore.span, {
          help: 'write `restore "false"`, or leave `restore` out to remove it',
        }),
      );
      return undefined;
    }
  }
  const res = p.resource as { kind: string };
  const title =
    value === null
      ? `Remove the annotation ${p.key} from ${res.kind.toLowerCase()} ${p.resourceName} in ${p.namespace}`
      : `Annotate ${res.kind.toLowerCase()} ${p.resourceName} in ${p.namespace} with ${p.key}=${value} again`;
  return make("k8s-annotate", title, { ...p, value }, extra);
}

/** `delete jobs of affected`: for each CSC, the jobs its chart labels `csc-name=<job>` in its application's namespace. */
function jobsOf(
  core: Extract<A.StepCore, { kind: "delete-jobs-of" }>,
  scope: StepScope,
  make: Make,
): XStep[] {
  const d = scope.diagnostics;
  const targets = resolveCscTargets(core.targets, scope, d);
  if (!targets) return [];
  const out: XStep[] = [];
  for (const id of targets.cscs) {
    const csc = scope.site.cscs.get(id)!;
    if (csc.deployment !== "kubernetes" || !csc.app) {
      d.push(
        diagnostic(
          "DPL3010",
          `${id} does not run in Kubernetes at site \`${scope.site.name}\`, so it has no job to delete`,
          core.targets.span,
          {
            help: csc.host ? `it runs on ${csc.host}: stop it there` : "leave it out of this step",
          },
        ),
      );
      continue;
    }
    if (!csc.job) {
      d.push(
        diagnostic(
          "DPL3012",
          `the inventory of site \`${scope.site.name}\` does not give the job of ${id}`,
          csc.span,
          {
            help: 'add `job "<csc-name>"`: the csc-name label of its chart (the chart alias without -sim)',
          },
        ),
      );
      continue;
    }
    const namespace = scope.site.apps.get(csc.app)?.namespace ?? csc.app;
    const selector = `csc-name=${csc.job}`;
    out.push(
      make("k8s-delete-jobs", `Delete the job of ${id} (${selector} in ${namespace})`, {
        namespace,
        selector,
      }),
    );
  }
  return out;
}

/**
 * Where a `run` or `manual` step applies: nowhere in particular (the operator's machine), one named host, or
 * every host with a role (`on each camera`). Undefined, reported, when the host or role does not exist.
 */
function hostsOf(
  core: { on?: A.Name; each: boolean },
  scope: StepScope,
): Array<HostInfo | undefined> | undefined {
  const d = scope.diagnostics;
  let hosts: Array<HostInfo | undefined> = [undefined];
  if (core.on) {
    if (core.each) {
      hosts = [...scope.site.hosts.values()]
        .filter((h) => h.roles.includes(core.on!.value))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      if (hosts.length === 0) {
        const roles = new Set([...scope.site.hosts.values()].flatMap((h) => h.roles));
        d.push(
          diagnostic(
            "DPL3005",
            `site \`${scope.site.name}\` has no host with role \`${core.on.value}\``,
            core.on.span,
            {
              help: closest(core.on.value, roles)
                ? `did you mean \`${closest(core.on.value, roles)}\`?`
                : "add `only`/`except`, or give hosts that role",
            },
          ),
        );
        return undefined;
      }
    } else {
      const host = scope.site.hosts.get(core.on.value);
      if (!host) {
        const guess = closest(core.on.value, scope.site.hosts.keys());
        d.push(
          diagnostic(
            "DPL2008",
            `site \`${scope.site.name}\` has no host \`${core.on.value}\``,
            core.on.span,
            {
              help: guess
                ? `did you mean \`${guess}\`?`
                : `declare it in the site, or run it with \`on each <role>\``,
            },
          ),
        );
        return undefined;
      }
      hosts = [host];
    }
  }
  return hosts;
}

function runSteps(
  core: Extract<A.StepCore, { kind: "run" }>,
  stdin: A.Text | undefined,
  scope: StepScope,
  make: Make,
): XStep[] {
  const d = scope.diagnostics;
  const hosts = hostsOf(core, scope);
  if (!hosts) return [];
  const out: XStep[] = [];
  for (const host of hosts) {
    const text: TextScope = { site: scope.site, params: scope.params, ...(host ? { host } : {}) };
    const argv = core.command.argv.map((a) => resolveText(a, text, d));
    if (argv.some((a) => a === undefined)) continue;
    const shown = argv
      .map((a) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(a!) ? a : `'${a!.replace(/'/g, "'\\''")}'`))
      .join(" ");
    const input = stdin ? resolveText(stdin, text, d) : undefined;
    if (stdin && input === undefined) continue;
    const payload: Record<string, Json | undefined> = { argv: argv as string[], stdin: input };
    if (host) {
      payload.host = {
        name: host.name,
        address: host.address,
        roles: [...host.roles],
        ...(host.user ? { user: host.user } : {}),
        ...(host.port ? { port: host.port } : {}),
        ...(host.service ? { service: host.service } : {}),
      };
    }
    out.push(make("command", `Run \`${shown}\`${host ? ` on ${host.name}` : ""}`, payload));
  }
  return out;
}

/** A title from a manual text: its first sentence or line, at most ~100 characters. */
export function titleOf(text: string): string {
  const first = text.split("\n")[0]!.trim();
  const sentence = /^(.{20,}?[.!?])\s/.exec(`${first} `)?.[1] ?? first;
  return sentence.length > 110 ? `${sentence.slice(0, 107).trimEnd()}…` : sentence;
}

export function showSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return [h ? `${h}h` : "", m ? `${m}m` : "", s ? `${s}s` : ""].join("") || "0s";
}
