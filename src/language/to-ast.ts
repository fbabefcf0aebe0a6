import type { CstNode, IToken } from "chevrotain";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText, Span } from "../diagnostics/span.js";
import type * as A from "./ast.js";
import { parseDuration } from "./duration.js";
import { decodeCommand, decodeString, decodeTextBlock } from "./literals.js";
import * as T from "./tokens.js";

/**
 * The one visitor that gives the concrete syntax tree its meaning as an AST. It checks what the grammar
 * cannot say (which clauses a construct accepts, a clause given twice, CSC indices) and drops nodes that
 * the parser could only partly recover, so later stages never see a half-built node.
 */
export function toAst(cst: CstNode, source: SourceText, diagnostics: Diagnostic[]): A.File {
  return new Builder(source, diagnostics).file(cst);
}

type Children = CstNode["children"];

/** A token is usable unless the parser invented it while recovering from an error. */
function real(t: IToken | undefined): t is IToken {
  return t !== undefined && !t.isInsertedInRecovery && !Number.isNaN(t.startOffset);
}

function toks(c: Children, name: string): IToken[] {
  return ((c[name] as IToken[] | undefined) ?? []).filter(real);
}

function tok(c: Children, name: string, i = 0): IToken | undefined {
  // NOTE: called for every child of every node; it scans rather than building the filtered list.
  let k = 0;
  for (const t of (c[name] as IToken[] | undefined) ?? []) {
    if (real(t) && k++ === i) return t;
  }
  return undefined;
}

function nodes(c: Children, rule: string): CstNode[] {
  return (c[rule] as CstNode[] | undefined) ?? [];
}

function node(c: Children, rule: string, i = 0): CstNode | undefined {
  return nodes(c, rule)[i];
}

/** Which clauses each construct accepts. */
const allowedClauses: Record<string, ReadonlyArray<keyof A.Clauses>> = {
  step: [
    "stdin",
    "only",
    "except",
    "when",
    "after",
    "by",
    "check",
    "cite",
    "confirm",
    "url",
    "timeout",
    "every",
    "duration",
    "retry",
    "critical",
    "command",
    "onTimeout",
  ],
  admonition: ["only", "except", "when", "cite"],
  parallel: ["only", "except", "when"],
  phase: ["only", "except", "when", "cite", "by", "after", "doConfirm", "duration"],
  procedure: ["cite"],
  rule: ["cite", "because", "only", "except"],
  ignore: ["because", "only", "except", "when", "cite"],
  plan: ["cite"],
  document: ["only", "except", "cite", "url"],
};

const clauseWords: Record<keyof A.Clauses, string> = {
  only: "only",
  except: "except",
  when: "when",
  after: "after",
  by: "by",
  check: "check",
  cite: "cite",
  confirm: "confirm",
  url: "url",
  because: "because",
  stdin: "stdin",
  timeout: "timeout",
  every: "every",
  duration: "duration",
  retry: "retry",
  critical: "critical",
  doConfirm: "do-confirm",
  command: "command",
  onTimeout: "else",
};

class Builder {
  constructor(
    private readonly source: SourceText,
    private readonly diagnostics: Diagnostic[],
  ) {}

  // ── helpers ────────────────────────────────────────────────────────────────────────────────────────

  private spanOf(n: CstNode): Span {
    const loc = n.location;
    if (loc && !Number.isNaN(loc.startOffset)) {
      return this.source.span(loc.startOffset, (loc.endOffset ?? loc.startOffset) + 1);
    }
    return this.source.span(0, 0);
  }

  private tokenSpan(t: IToken): Span {
    return this.source.span(t.startOffset, t.startOffset + t.image.length);
  }

  private name(t: IToken | undefined): A.Name | undefined {
    return t ? { value: t.image, span: this.tokenSpan(t) } : undefined;
  }

  private report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  // ── file and declarations ──────────────────────────────────────────────────────────────────────────

  file(cst: CstNode): A.File {
    const declarations: A.Declaration[] = [];
    for (const top of nodes(cst.children, "topDecl")) {
      const c = top.children;
      const decl =
        this.importDecl(node(c, "importDecl")) ??
        this.siteDecl(node(c, "siteDecl")) ??
        this.groupDecl(node(c, "groupDecl")) ??
        this.rulesDecl(node(c, "rulesDecl")) ??
        this.ignoreDecl(node(c, "ignoreDecl")) ??
        this.procedureDecl(node(c, "procedureDecl")) ??
        this.planDecl(node(c, "planDecl")) ??
        this.documentDecl(node(c, "documentDecl"));
      if (decl) declarations.push(decl);
    }
    return { path: this.source.path, declarations, span: this.source.span(0, this.source.text.length) };
  }

  private importDecl(n: CstNode | undefined): A.Import | undefined {
    if (!n) return undefined;
    const s = tok(n.children, "StringLit");
    if (!s) return undefined;
    const text = decodeString(s, this.source, this.diagnostics);
    const path = A_plain(text);
    if (path === undefined) {
      this.report(
        diagnostic("DPL1013", "an import path cannot contain references", text.span, {
          help: "write the path of the file to import literally, relative to this file",
        }),
      );
      return undefined;
    }
    return { kind: "import", path: { value: path, span: text.span }, span: this.spanOf(n) };
  }

  private siteDecl(n: CstNode | undefined): A.SiteDecl | undefined {
    if (!n) return undefined;
    const c = n.children;
    const name = this.name(tok(c, "Ident"));
    if (!name) return undefined;
    const attributes: A.Attribute[] = [];
    const hosts: A.Host[] = [];
    const apps: A.Application[] = [];
    const inventory: A.InventoryEntry[] = [];
    const ignores: A.IgnoreEntry[] = [];
    for (const item of nodes(c, "siteItem")) {
      const ic = item.children;
      const host = node(ic, "hostDecl");
      const app = node(ic, "appDecl");
      const appsDecl = node(ic, "appsDecl");
      const inv = node(ic, "inventoryDecl");
      const ign = node(ic, "ignoreDecl");
      const attr = node(ic, "attribute");
      if (host) push(hosts, this.hostDecl(host));
      else if (app) push(apps, this.appDecl(app));
      else if (appsDecl) apps.push(...this.appsDecl(appsDecl));
      else if (inv)
        for (const e of nodes(inv.children, "inventoryEntry")) push(inventory, this.inventoryEntry(e));
      else if (ign) push(ignores, this.ignoreDecl(ign));
      else if (attr) push(attributes, this.attribute(attr));
    }
    const title = this.optText(node(c, "text"));
    return {
      kind: "site",
      name,
      ...(title ? { title } : {}),
      attributes,
      hosts,
      apps,
      inventory,
      ignores,
      span: this.spanOf(n),
    };
  }

  private attribute(n: CstNode): A.Attribute | undefined {
    const key = this.name(tok(n.children, "Ident"));
    const value = this.value(node(n.children, "value"));
    return key && value ? { key, value, span: this.spanOf(n) } : undefined;
  }

  private attributes(n: CstNode | undefined): A.Attribute[] {
    const out: A.Attribute[] = [];
    if (n) for (const a of nodes(n.children, "attribute")) push(out, this.attribute(a));
    return out;
  }

  private hostDecl(n: CstNode): A.Host | undefined {
    const c = n.children;
    const name = this.name(tok(c, "Ident"));
    const address = this.optText(node(c, "text"));
    if (!name || !address) return undefined;
    return {
      kind: "host",
      name,
      address,
      attributes: this.attributes(node(c, "attributeBlock")),
      span: this.spanOf(n),
    };
  }

  private appDecl(n: CstNode): A.Application | undefined {
    const c = n.children;
    const name = this.name(tok(c, "Ident"));
    if (!name) return undefined;
    const project = tok(c, "Project") ? this.name(tok(c, "Ident", 1)) : undefined;
    return {
      kind: "app",
      name,
      ...(project ? { project } : {}),
      attributes: this.attributes(node(c, "attributeBlock")),
      span: this.spanOf(n),
    };
  }

  private appsDecl(n: CstNode): A.Application[] {
    const c = n.children;
    const idents = toks(c, "Ident");
    const hasProject = tok(c, "Project") !== undefined;
    const project = hasProject ? this.name(idents[0]) : undefined;
    return idents.slice(hasProject ? 1 : 0).map((t) => ({
      kind: "app" as const,
      name: this.name(t)!,
      ...(project ? { project } : {}),
      attributes: [],
      span: this.tokenSpan(t),
    }));
  }

  private inventoryEntry(n: CstNode): A.InventoryEntry | undefined {
    const c = n.children;
    const csc = this.cscRef(node(c, "cscRef"));
    if (!csc) return undefined;
    let deployment: A.Deployment | undefined;
    const idents = toks(c, "Ident");
    const where = tok(c, "In") ?? tok(c, "On") ?? tok(c, "Unknown");
    if (tok(c, "In") && idents[0]) {
      const sim = tok(c, "Simulator");
      deployment = {
        kind: "kubernetes",
        app: this.name(idents[0])!,
        simulator: sim !== undefined,
        span: this.source.span(
          where!.startOffset,
          (sim ?? idents[0]).startOffset + (sim ?? idents[0]).image.length,
        ),
      };
    } else if (tok(c, "On") && idents[0]) {
      deployment = {
        kind: "host",
        host: this.name(idents[0])!,
        span: this.source.span(where!.startOffset, idents[0].startOffset + idents[0].image.length),
      };
    } else if (tok(c, "Unknown")) {
      deployment = { kind: "unknown", span: this.tokenSpan(tok(c, "Unknown")!) };
    }
    if (!deployment) return undefined;
    const state = tok(c, "State");
    const starts = tok(c, "Starts");
    const hb = tok(c, "HeartbeatOnly");
    const jobTok = tok(c, "StringLit");
    if (toks(c, "Starts").length > 1 || toks(c, "HeartbeatOnly").length > 1 || toks(c, "Job").length > 1) {
      const again = toks(c, "Starts")[1] ?? toks(c, "HeartbeatOnly")[1] ?? toks(c, "Job")[1]!;
      this.report(
        diagnostic("DPL1018", `\`${again.image}\` is given twice`, this.tokenSpan(again), {
          help: "give each clause of an inventory entry once",
        }),
      );
    }
    return {
      csc,
      deployment,
      ...(starts && state
        ? {
            starts: {
              state: state.image as A.State,
              span: this.source.span(starts.startOffset, state.startOffset + state.image.length),
            },
          }
        : {}),
      ...(hb ? { heartbeatOnly: this.tokenSpan(hb) } : {}),
      ...(jobTok
        ? {
            job: {
              name: decodeString(jobTok, this.source, this.diagnostics).parts.join(""),
              span: this.tokenSpan(jobTok),
            },
          }
        : {}),
      span: this.spanOf(n),
    };
  }

  private groupDecl(n: CstNode | undefined): A.GroupDecl | undefined {
    if (!n) return undefined;
    const c = n.children;
    const name = this.name(tok(c, "Ident"));
    if (!name) return undefined;
    const members: A.Target[] = [];
    for (const t of nodes(c, "target")) push(members, this.target(t));
    const title = this.optText(node(c, "text"));
    return { kind: "group", name, ...(title ? { title } : {}), members, span: this.spanOf(n) };
  }

  private rulesDecl(n: CstNode | undefined): A.RulesDecl | undefined {
    if (!n) return undefined;
    const rules: A.Rule[] = [];
    for (const r of nodes(n.children, "rule")) push(rules, this.rule(r));
    return { kind: "rules", rules, span: this.spanOf(n) };
  }

  private rule(n: CstNode): A.Rule | undefined {
    const c = n.children;
    const actions = toks(c, "RuleAction");
    const targetNodes = nodes(c, "targets");
    const subjectTargets = this.targets(targetNodes[0]);
    if (!actions[0] || !subjectTargets) return undefined;
    const subject: A.RuleEvent = {
      action: actions[0].image as A.RuleAction,
      targets: subjectTargets,
      span: this.source.span(actions[0].startOffset, subjectTargets.span.end),
    };
    let relation: A.Rule["relation"] | undefined;
    const first = tok(c, "First");
    const last = tok(c, "Last");
    const before = tok(c, "Before");
    let next = 1;
    if (first) relation = { kind: "first", span: this.tokenSpan(first) };
    else if (last) relation = { kind: "last", span: this.tokenSpan(last) };
    else if (before && actions[1]) {
      const otherTargets = this.targets(targetNodes[1]);
      next = 2;
      if (!otherTargets) return undefined;
      const other: A.RuleEvent = {
        action: actions[1].image as A.RuleAction,
        targets: otherTargets,
        span: this.source.span(actions[1].startOffset, otherTargets.span.end),
      };
      relation = { kind: "before", other, span: this.source.span(before.startOffset, other.span.end) };
    }
    if (!relation) return undefined;
    const among = tok(c, "Among") ? this.targets(targetNodes[next]) : undefined;
    const project = tok(c, "Project") ? this.name(tok(c, "Ident")) : undefined;
    const label = this.label(node(c, "label"));
    return {
      ...(label ? { label } : {}),
      subject,
      relation,
      ...(among ? { among } : {}),
      ...(project ? { project } : {}),
      clauses: this.clauses(nodes(c, "modifier"), "rule"),
      span: this.spanOf(n),
    };
  }

  private ignoreDecl(n: CstNode | undefined): A.IgnoreEntry | undefined {
    if (!n) return undefined;
    const c = n.children;
    const csc = this.cscRef(node(c, "cscRef"));
    const state = tok(c, "State");
    if (!csc || !state) return undefined;
    return {
      kind: "ignore",
      csc,
      keep: state.image as A.State,
      keepSpan: this.tokenSpan(state),
      clauses: this.clauses(nodes(c, "modifier"), "ignore"),
      span: this.spanOf(n),
    };
  }

  private procedureDecl(n: CstNode | undefined): A.Procedure | undefined {
    if (!n) return undefined;
    const c = n.children;
    const name = this.name(tok(c, "Ident"));
    if (!name) return undefined;
    const params: A.Param[] = [];
    for (const p of nodes(c, "param")) push(params, this.param(p));
    const items: Array<A.Phase | A.Admonition | A.IgnoreEntry> = [];
    for (const item of nodes(c, "procItem")) {
      const ic = item.children;
      push(
        items,
        this.admonition(node(ic, "admonition")) ??
          this.phase(node(ic, "phaseDecl")) ??
          this.ignoreDecl(node(ic, "ignoreDecl")),
      );
    }
    const title = this.optText(node(c, "text"));
    return {
      kind: "procedure",
      name,
      ...(title ? { title } : {}),
      params,
      clauses: this.clauses(nodes(c, "modifier"), "procedure"),
      items,
      span: this.spanOf(n),
    };
  }

  private param(n: CstNode): A.Param | undefined {
    const c = n.children;
    const name = this.name(tok(c, "Ident"));
    const type = this.name(tok(c, "Word"));
    if (!name || !type) return undefined;
    const def = tok(c, "Equals") ? this.value(node(c, "value")) : undefined;
    const doc = this.optText(node(c, "text"));
    return { name, type, ...(def ? { default: def } : {}), ...(doc ? { doc } : {}), span: this.spanOf(n) };
  }

  private phase(n: CstNode | undefined): A.Phase | undefined {
    if (!n) return undefined;
    const c = n.children;
    const name = this.name(tok(c, "Ident"));
    if (!name) return undefined;
    const items: Array<A.Step | A.Admonition | A.Parallel> = [];
    for (const item of nodes(c, "phaseItem")) {
      const ic = item.children;
      push(
        items,
        this.admonition(node(ic, "admonition")) ??
          this.parallel(node(ic, "parallelBlock")) ??
          this.step(node(ic, "step")),
      );
    }
    const title = this.optText(node(c, "text"));
    return {
      kind: "phase",
      name,
      ...(title ? { title } : {}),
      items,
      clauses: this.clauses(nodes(c, "modifier"), "phase"),
      span: this.spanOf(n),
    };
  }

  private parallel(n: CstNode | undefined): A.Parallel | undefined {
    if (!n) return undefined;
    const c = n.children;
    const items: Array<A.Step | A.Admonition> = [];
    // Admonitions and steps are kept in source order.
    const all = [...nodes(c, "admonition"), ...nodes(c, "step")].sort(
      (a, b) => (a.location?.startOffset ?? 0) - (b.location?.startOffset ?? 0),
    );
    for (const item of all) {
      push(items, item.name === "admonition" ? this.admonition(item) : this.step(item));
    }
    return {
      kind: "parallel",
      items,
      clauses: this.clauses(nodes(c, "modifier"), "parallel"),
      span: this.spanOf(n),
    };
  }

  private admonition(n: CstNode | undefined): A.Admonition | undefined {
    if (!n) return undefined;
    const c = n.children;
    const kind = tok(c, "AdmonitionKind");
    const text = this.optText(node(c, "text"));
    if (!kind || !text) return undefined;
    return {
      kind: "admonition",
      level: kind.image as A.AdmonitionLevel,
      text,
      clauses: this.clauses(nodes(c, "modifier"), "admonition"),
      span: this.spanOf(n),
    };
  }

  private label(n: CstNode | undefined): A.Name | undefined {
    return n ? this.name(tok(n.children, "Ident")) : undefined;
  }

  // ── steps ──────────────────────────────────────────────────────────────────────────────────────────

  private step(n: CstNode | undefined): A.Step | undefined {
    if (!n) return undefined;
    const c = n.children;
    const coreNode = node(c, "stepCore");
    const core = coreNode ? this.stepCore(coreNode) : undefined;
    if (!core) return undefined;
    const label = this.label(node(c, "label"));
    const clauses = this.clauses(nodes(c, "modifier"), "step");
    this.checkStepClauses(core, clauses);
    return { kind: "step", ...(label ? { label } : {}), core, clauses, span: this.spanOf(n) };
  }

  /** Clauses that only make sense for some kinds of step. */
  private checkStepClauses(core: A.StepCore, clauses: A.Clauses): void {
    const isWaiting = core.kind === "wait-until";
    if (clauses.every && !isWaiting) {
      this.notHere("every", clauses.every.span, "`every` sets how often a `wait until` looks again");
    }
    if (clauses.onTimeout && !clauses.timeout) {
      this.report(
        diagnostic("DPL1021", "`else` needs a `timeout` to say when it applies", clauses.onTimeout.span, {
          help: "add `timeout 30m` (or another duration) before `else`",
        }),
      );
    }
    const isManual = core.kind === "manual" || core.kind === "notify";
    if (clauses.confirm && (isManual || core.kind === "wait" || core.kind === "undo")) {
      this.notHere(
        "confirm",
        clauses.confirm.span,
        "`confirm` asks before an automated step; a manual step already waits for the operator",
      );
    }
    if (clauses.stdin && core.kind !== "run") {
      this.notHere("stdin", clauses.stdin.span, "`stdin` gives a `run` command its input");
    }
    if (clauses.retry && isManual) {
      this.notHere("retry", clauses.retry.span, "a manual step is not retried; the operator answers it");
    }
  }

  private notHere(word: string, span: Span, help: string): void {
    this.report(diagnostic("DPL1017", `\`${word}\` does not apply to this step`, span, { help }));
  }

  private stepCore(n: CstNode): A.StepCore | undefined {
    const c = n.children;
    const [rule, inner] = Object.entries(c)[0] ?? [];
    const child = (inner as CstNode[] | undefined)?.[0];
    if (!rule || !child) return undefined;
    const cc = child.children;
    const span = this.spanOf(child);
    switch (rule) {
      case "transitionStep": {
        const verb = tok(cc, "TransitionVerb");
        const targets = this.targets(node(cc, "targets"));
        const script = this.name(tok(cc, "ScriptName"));
        const queue = this.cscRef(node(cc, "cscRef"));
        if (!verb || !targets || !script || !queue) return undefined;
        const config = this.configObject(node(cc, "configObject"));
        return {
          kind: "transition",
          verb: verb.image as A.TransitionVerb,
          targets,
          script,
          queue,
          ...(config ? { config } : {}),
          span,
        };
      }
      case "scriptStep": {
        const script = this.name(tok(cc, "ScriptName"));
        const queue = this.cscRef(node(cc, "cscRef"));
        if (!script || !queue) return undefined;
        const config = this.configObject(node(cc, "configObject"));
        return { kind: "script", script, queue, ...(config ? { config } : {}), span };
      }
      case "runStep": {
        const cmd = tok(cc, "Command");
        if (!cmd) return undefined;
        const command = decodeCommand(cmd, this.source, this.diagnostics);
        if (command.argv.length === 0) {
          this.report(
            diagnostic("DPL1014", "this command is empty", command.span, {
              help: "write the program and its arguments: `./cleanup_all`",
            }),
          );
          return undefined;
        }
        this.checkShellOperators(command);
        const on = this.name(tok(cc, "Ident"));
        return { kind: "run", command, ...(on ? { on } : {}), each: tok(cc, "Each") !== undefined, span };
      }
      case "scaleStep":
        return this.scaleCore(node(cc, "scaleCore"));
      case "deleteJobsStep": {
        if (tok(cc, "Of")) {
          const targets = this.targets(node(cc, "targets"));
          return targets ? { kind: "delete-jobs-of", targets, span } : undefined;
        }
        const texts = nodes(cc, "text");
        const namespace = this.optText(texts[0]);
        if (!namespace) return undefined;
        const selector = tok(cc, "Where") ? this.optText(texts[1]) : undefined;
        return { kind: "delete-jobs", namespace, ...(selector ? { selector } : {}), span };
      }
      case "annotateStep":
        return this.annotateCore(node(cc, "annotateCore"));
      case "waitStep": {
        const d = tok(cc, "Duration");
        if (d) {
          const seconds = parseDuration(d.image);
          return seconds === undefined
            ? undefined
            : { kind: "wait", duration: { seconds, span: this.tokenSpan(d) }, span };
        }
        const condition = this.condition(node(cc, "condition"));
        return condition ? { kind: "wait-until", condition, span } : undefined;
      }
      case "expectStep": {
        const condition = this.condition(node(cc, "condition"));
        return condition ? { kind: "expect", condition, span } : undefined;
      }
      case "syncStep": {
        const targets = this.targets(node(cc, "targets"));
        return targets ? { kind: "sync", targets, span } : undefined;
      }
      case "setCompatibilityStep":
        return this.setCompatibilityCore(node(cc, "setCompatibilityCore"));
      case "manualStep": {
        const text = this.optText(node(cc, "text"));
        const on = this.name(tok(cc, "Ident"));
        return text
          ? { kind: "manual", text, ...(on ? { on } : {}), each: tok(cc, "Each") !== undefined, span }
          : undefined;
      }
      case "notifyStep": {
        const text = this.optText(node(cc, "text"));
        return text ? { kind: "notify", text, span } : undefined;
      }
      case "temporaryStep": {
        const change =
          this.scaleCore(node(cc, "scaleCore")) ??
          this.setCompatibilityCore(node(cc, "setCompatibilityCore")) ??
          this.annotateCore(node(cc, "annotateCore"));
        if (!change) return undefined;
        const restore = tok(cc, "Restore") ? this.value(node(cc, "value")) : undefined;
        const until = tok(cc, "Until") ? this.stepRef(node(cc, "stepRef")) : undefined;
        return {
          kind: "temporarily",
          change,
          ...(restore ? { restore } : {}),
          ...(until ? { until } : {}),
          span,
        };
      }
      case "undoStep": {
        const ref = this.stepRef(node(cc, "stepRef"));
        return ref ? { kind: "undo", ref, span } : undefined;
      }
      default:
        return undefined;
    }
  }

  /** `run` never uses a shell: a bare `|`, `&&`, `;` or `>` would be passed as an argument, which is never meant. */
  private checkShellOperators(command: A.Command): void {
    for (const arg of command.argv) {
      const word = A_plain(arg);
      if (word !== undefined && /^(?:\||\|\||&&|;|>|>>|<|&)$/.test(word)) {
        const source = this.source.text.slice(arg.span.start, arg.span.end);
        if (source !== word) continue; // quoted: a literal argument
        this.report(
          diagnostic(
            "DPL1014",
            `\`${word}\` is a shell operator, and commands are not run by a shell`,
            arg.span,
            {
              help: "split the command into steps, or run a shell explicitly: `sh -c '…'`",
            },
          ),
        );
      }
    }
  }

  private scaleCore(n: CstNode | undefined): A.ScaleCore | undefined {
    if (!n) return undefined;
    const c = n.children;
    const texts = nodes(c, "text");
    const namespace = this.optText(texts[0]);
    const replicasTok = tok(c, "NumberLit");
    if (!namespace || !replicasTok) return undefined;
    const replicas = Number(replicasTok.image);
    if (!Number.isInteger(replicas) || replicas < 0) {
      this.report(
        diagnostic(
          "DPL1020",
          `\`${replicasTok.image}\` is not a number of replicas`,
          this.tokenSpan(replicasTok),
          {
            help: "a number of replicas is a whole number from 0",
          },
        ),
      );
      return undefined;
    }
    const selector = tok(c, "Where") ? this.optText(texts[1]) : undefined;
    return { kind: "scale", namespace, ...(selector ? { selector } : {}), replicas, span: this.spanOf(n) };
  }

  private setCompatibilityCore(n: CstNode | undefined): A.SetCompatibilityCore | undefined {
    if (!n) return undefined;
    const level = this.name(tok(n.children, "Ident"));
    return level ? { kind: "set-compatibility", level, span: this.spanOf(n) } : undefined;
  }

  private annotateCore(n: CstNode | undefined): A.AnnotateCore | undefined {
    if (!n) return undefined;
    const c = n.children;
    const resource = this.name(tok(c, "Word"));
    const texts = nodes(c, "text").map((t) => this.optText(t));
    const [name, namespace, key, value] = texts;
    if (!resource || !name || !namespace || !key) return undefined;
    if (tok(c, "Set") && !value) return undefined;
    return {
      kind: "annotate",
      resource,
      name,
      namespace,
      key,
      ...(tok(c, "Set") && value ? { value } : {}),
      span: this.spanOf(n),
    };
  }

  private condition(n: CstNode | undefined): A.Condition | undefined {
    if (!n) return undefined;
    const c = n.children;
    const span = this.spanOf(n);
    const texts = nodes(c, "text");
    if (tok(c, "Lag")) {
      const group = this.optText(texts[0]);
      const max = tok(c, "NumberLit");
      if (!group || !max) return undefined;
      const value = Number(max.image);
      if (!Number.isInteger(value) || value < 0) {
        this.report(
          diagnostic("DPL1020", `\`${max.image}\` is not a number of messages`, this.tokenSpan(max), {
            help: "the lag bound is a whole number of messages from 0",
          }),
        );
        return undefined;
      }
      return { kind: "lag", group, max: value, span };
    }
    if (tok(c, "Ready")) {
      const namespace = this.optText(texts[0]);
      if (!namespace) return undefined;
      const selector = tok(c, "Where") ? this.optText(texts[1]) : undefined;
      return {
        kind: "ready",
        resource: tok(c, "Pods") ? "pods" : "deployments",
        namespace,
        ...(selector ? { selector } : {}),
        span,
      };
    }
    if (tok(c, "Compatibility")) {
      const level = this.name(tok(c, "Ident"));
      return level ? { kind: "compatibility", level, span } : undefined;
    }
    const targets = this.targets(node(c, "targets"));
    const state = tok(c, "State");
    if (!targets || !(state || tok(c, "Started"))) return undefined;
    return { kind: "state", targets, state: state ? (state.image as A.State) : "started", span };
  }

  // ── clauses ────────────────────────────────────────────────────────────────────────────────────────

  private clauses(mods: CstNode[], construct: keyof typeof allowedClauses): A.Clauses {
    const out: Record<string, unknown> = {};
    const seen = new Map<string, Span>();
    const allowed = allowedClauses[construct]!;
    for (const m of mods) {
      const parsed = this.modifier(m);
      if (!parsed) continue;
      const [key, value, span] = parsed;
      if (!allowed.includes(key)) {
        this.report(
          diagnostic("DPL1017", `\`${clauseWords[key]}\` does not apply to ${article(construct)}`, span, {
            help: `${article(construct)} accepts ${allowed.map((k) => `\`${clauseWords[k]}\``).join(", ")}`,
          }),
        );
        continue;
      }
      const earlier = seen.get(key);
      if (earlier) {
        this.report(
          diagnostic("DPL1018", `\`${clauseWords[key]}\` is given twice`, span, {
            related: [{ span: earlier, message: "first given here" }],
            help:
              key === "only" || key === "except"
                ? "list several sites in one clause: `only summit, tts`"
                : "keep one of them",
          }),
        );
        continue;
      }
      seen.set(key, span);
      out[key] = value;
    }
    if (out.only && out.except) {
      this.report(
        diagnostic("DPL1017", "`only` and `except` cannot both be given", seen.get("except")!, {
          related: [{ span: seen.get("only")!, message: "`only` is here" }],
          help: "name the sites it applies to with `only`, or the ones it does not with `except`",
        }),
      );
      delete out.except;
    }
    return out as A.Clauses;
  }

  private modifier(n: CstNode): [keyof A.Clauses, unknown, Span] | undefined {
    const c = n.children;
    const span = this.spanOf(n);
    const text = () => this.optText(node(c, "text"));
    const dur = (): A.DurationValue | undefined => {
      const d = tok(c, "Duration");
      const seconds = d ? parseDuration(d.image) : undefined;
      return d && seconds !== undefined ? { seconds, span: this.tokenSpan(d) } : undefined;
    };
    const keep = <V>(key: keyof A.Clauses, v: V | undefined): [keyof A.Clauses, unknown, Span] | undefined =>
      v === undefined ? undefined : [key, v, span];
    if (tok(c, "Only")) return keep("only", this.nameList(node(c, "nameList")));
    if (tok(c, "Except")) return keep("except", this.nameList(node(c, "nameList")));
    if (tok(c, "When")) return keep("when", this.expression(node(c, "expression")));
    if (tok(c, "After")) {
      const refs: A.StepRef[] = [];
      for (const r of nodes(c, "stepRef")) push(refs, this.stepRef(r));
      return refs.length ? ["after", refs, span] : undefined;
    }
    if (tok(c, "By")) return keep("by", text());
    if (tok(c, "Check")) return keep("check", text());
    if (tok(c, "Cite")) return keep("cite", text());
    if (tok(c, "Confirm")) return keep("confirm", text());
    if (tok(c, "Url")) return keep("url", text());
    if (tok(c, "Because")) return keep("because", text());
    if (tok(c, "Stdin")) return keep("stdin", text());
    if (tok(c, "Timeout")) return keep("timeout", dur());
    if (tok(c, "Every")) return keep("every", dur());
    if (tok(c, "DurationKw")) return keep("duration", dur());
    if (tok(c, "Retry")) {
      const t = tok(c, "NumberLit");
      if (!t) return undefined;
      const count = Number(t.image);
      if (!Number.isInteger(count) || count < 1 || count > 100) {
        this.report(
          diagnostic("DPL1020", `\`${t.image}\` is not a number of retries`, this.tokenSpan(t), {
            help: "retry a step 1 to 100 times",
          }),
        );
        return undefined;
      }
      return ["retry", { count, span }, span];
    }
    if (tok(c, "Critical")) return ["critical", span, span];
    if (tok(c, "DoConfirm")) return ["doConfirm", span, span];
    if (tok(c, "CommandKw")) {
      const cmd = tok(c, "Command");
      return cmd ? ["command", decodeCommand(cmd, this.source, this.diagnostics), span] : undefined;
    }
    if (tok(c, "Else")) {
      if (tok(c, "Fail")) return ["onTimeout", { kind: "fail", span }, span];
      if (tok(c, "Continue")) return ["onTimeout", { kind: "continue", span }, span];
      const q = text();
      return q ? ["onTimeout", { kind: "ask", question: q, span }, span] : undefined;
    }
    return undefined;
  }

  private nameList(n: CstNode | undefined): A.Name[] | undefined {
    if (!n) return undefined;
    const names = toks(n.children, "Ident").map((t) => this.name(t)!);
    return names.length ? names : undefined;
  }

  private stepRef(n: CstNode | undefined): A.StepRef | undefined {
    if (!n) return undefined;
    const idents = toks(n.children, "Ident");
    if (!idents[0]) return undefined;
    if (tok(n.children, "Dot")) {
      if (!idents[1]) return undefined;
      return { phase: this.name(idents[0])!, name: this.name(idents[1])!, span: this.spanOf(n) };
    }
    return { name: this.name(idents[0])!, span: this.spanOf(n) };
  }

  private expression(n: CstNode | undefined): A.Expression | undefined {
    if (!n) return undefined;
    const parts: A.Expression[] = [];
    for (const a of nodes(n.children, "andExpression")) push(parts, this.andExpression(a));
    return this.fold(parts, "or");
  }

  private andExpression(n: CstNode): A.Expression | undefined {
    const parts: A.Expression[] = [];
    for (const u of nodes(n.children, "unaryExpression")) push(parts, this.unary(u));
    return this.fold(parts, "and");
  }

  private fold(parts: A.Expression[], op: "and" | "or"): A.Expression | undefined {
    if (parts.length === 0) return undefined;
    return parts.reduce((left, right) => ({
      kind: op,
      left,
      right,
      span: {
        ...left.span,
        end: right.span.end,
        endLine: right.span.endLine,
        endColumn: right.span.endColumn,
      },
    }));
  }

  private unary(n: CstNode): A.Expression | undefined {
    const c = n.children;
    const span = this.spanOf(n);
    if (tok(c, "Not")) {
      const operand = this.unary(node(c, "unaryExpression")!);
      return operand ? { kind: "not", operand, span } : undefined;
    }
    if (tok(c, "LParen")) return this.expression(node(c, "expression"));
    const name = this.name(tok(c, "Ident"));
    if (!name) return undefined;
    const op = tok(c, "EqEq") ? "==" : tok(c, "NotEq") ? "!=" : undefined;
    if (op) {
      const value = this.value(node(c, "value"));
      return value ? { kind: "compare", name, op, value, span } : undefined;
    }
    return { kind: "param", name, span };
  }

  // ── targets and values ─────────────────────────────────────────────────────────────────────────────

  private targets(n: CstNode | undefined): A.Targets | undefined {
    if (!n) return undefined;
    const c = n.children;
    const all = nodes(c, "target");
    const butTok = tok(c, "But");
    const include: A.Target[] = [];
    const exclude: A.Target[] = [];
    for (const t of all) {
      const target = this.target(t);
      if (!target) continue;
      if (butTok && (t.location?.startOffset ?? 0) > butTok.startOffset) exclude.push(target);
      else include.push(target);
    }
    return include.length ? { include, exclude, span: this.spanOf(n) } : undefined;
  }

  private target(n: CstNode): A.Target | undefined {
    const c = n.children;
    const span = this.spanOf(n);
    if (tok(c, "Everything")) return { kind: "everything", span };
    if (tok(c, "Runner")) return { kind: "runner", span };
    if (tok(c, "Project")) {
      const project = this.name(tok(c, "Ident"));
      return project ? { kind: "project", project, span } : undefined;
    }
    const ref = this.cscRef(node(c, "cscRef"));
    return ref ? { kind: "ref", ref, span } : undefined;
  }

  private cscRef(n: CstNode | undefined): A.CscRef | undefined {
    if (!n) return undefined;
    const c = n.children;
    const name = tok(c, "Ident");
    if (!name) return undefined;
    const span = this.spanOf(n);
    const nameSpan = this.tokenSpan(name);
    if (!tok(c, "Colon")) return { name: name.image, nameSpan, span };
    if (tok(c, "Star")) return { name: name.image, index: "*", nameSpan, span };
    const num = tok(c, "NumberLit");
    if (!num) return undefined;
    const index = Number(num.image);
    if (!Number.isInteger(index) || index < 0 || !/^\d+$/.test(num.image)) {
      this.report(
        diagnostic("DPL1019", `\`${num.image}\` is not a CSC index`, this.tokenSpan(num), {
          help: `an index is a whole number, as in \`${name.image}:1\`, or \`*\` for every instance`,
        }),
      );
      return undefined;
    }
    return { name: name.image, index, nameSpan, span };
  }

  private optText(n: CstNode | undefined): A.Text | undefined {
    if (!n) return undefined;
    const s = tok(n.children, "StringLit");
    if (s) return decodeString(s, this.source, this.diagnostics);
    const b = tok(n.children, "TextBlock");
    return b ? decodeTextBlock(b, this.source, this.diagnostics) : undefined;
  }

  private value(n: CstNode | undefined): A.Value | undefined {
    if (!n) return undefined;
    const c = n.children;
    const span = this.spanOf(n);
    const textNode = node(c, "text");
    if (textNode) {
      const text = this.optText(textNode);
      return text ? { kind: "text", text, span } : undefined;
    }
    const num = tok(c, "NumberLit");
    if (num) return { kind: "number", value: Number(num.image), span };
    const d = tok(c, "Duration");
    if (d) {
      const seconds = parseDuration(d.image);
      return seconds === undefined ? undefined : { kind: "duration", seconds, span };
    }
    if (tok(c, "True")) return { kind: "bool", value: true, span };
    if (tok(c, "False")) return { kind: "bool", value: false, span };
    const state = tok(c, "State");
    if (state) return { kind: "state", value: state.image as A.State, span };
    const ref = node(c, "cscRef");
    if (ref) {
      const r = this.cscRef(ref);
      return r ? { kind: "ref", ref: r, span } : undefined;
    }
    if (tok(c, "LBracket")) {
      const items: A.Value[] = [];
      for (const v of nodes(c, "value")) push(items, this.value(v));
      return { kind: "list", items, span };
    }
    return undefined;
  }

  private configObject(n: CstNode | undefined): A.ConfigObject | undefined {
    if (!n) return undefined;
    const entries: A.ConfigEntry[] = [];
    const seen = new Map<string, Span>();
    for (const e of nodes(n.children, "configEntry")) {
      const ec = e.children;
      const keyTok = tok(ec, "Word") ?? tok(ec, "StringLit");
      const value = this.configValue(node(ec, "configValue"));
      if (!keyTok || !value) continue;
      const keyText =
        keyTok.tokenType === T.StringLit
          ? A_plain(decodeString(keyTok, this.source, this.diagnostics))
          : keyTok.image;
      if (keyText === undefined) continue;
      const key = { value: keyText, span: this.tokenSpan(keyTok) };
      const earlier = seen.get(keyText);
      if (earlier) {
        this.report(
          diagnostic("DPL1018", `the key \`${keyText}\` is given twice`, key.span, {
            related: [{ span: earlier, message: "first given here" }],
            help: "keep one of them",
          }),
        );
        continue;
      }
      seen.set(keyText, key.span);
      entries.push({ key, value, span: this.spanOf(e) });
    }
    return { kind: "object", entries, span: this.spanOf(n) };
  }

  private configValue(n: CstNode | undefined): A.ConfigValue | undefined {
    if (!n) return undefined;
    const c = n.children;
    const span = this.spanOf(n);
    const obj = node(c, "configObject");
    if (obj) return this.configObject(obj);
    if (tok(c, "LBracket")) {
      const items: A.ConfigValue[] = [];
      for (const v of nodes(c, "configValue")) push(items, this.configValue(v));
      return { kind: "list", items, span };
    }
    const textNode = node(c, "text");
    if (textNode) {
      const text = this.optText(textNode);
      return text ? { kind: "text", text, span } : undefined;
    }
    const num = tok(c, "NumberLit");
    if (num && !tok(c, "Colon")) return { kind: "number", value: Number(num.image), span };
    const d = tok(c, "Duration");
    if (d) return { kind: "word", value: d.image, span };
    const word = tok(c, "Word");
    if (!word) return undefined;
    if (word.tokenType === T.True) return { kind: "bool", value: true, span };
    if (word.tokenType === T.False) return { kind: "bool", value: false, span };
    if (tok(c, "Colon")) {
      const idx = tok(c, "NumberLit") ?? tok(c, "Star");
      return idx ? { kind: "word", value: `${word.image}:${idx.image}`, span } : undefined;
    }
    return { kind: "word", value: word.image, span };
  }

  private planDecl(n: CstNode | undefined): A.PlanDecl | undefined {
    if (!n) return undefined;
    const c = n.children;
    const procedure = this.name(tok(c, "Ident"));
    const sites = this.nameList(node(c, "nameList"));
    if (!procedure || !sites) return undefined;
    const args: A.Argument[] = [];
    for (const a of nodes(c, "argument")) {
      const name = this.name(tok(a.children, "Ident"));
      const value = this.value(node(a.children, "value"));
      if (name && value) args.push({ name, value, span: this.spanOf(a) });
    }
    return {
      kind: "plan",
      procedure,
      args,
      sites,
      clauses: this.clauses(nodes(c, "modifier"), "plan"),
      span: this.spanOf(n),
    };
  }

  private documentDecl(n: CstNode | undefined): A.DocumentDecl | undefined {
    if (!n) return undefined;
    const c = n.children;
    const texts = nodes(c, "text");
    const id = this.optText(texts[0]);
    const title = this.optText(texts[1]);
    if (!id || !title) return undefined;
    const sections: A.DocumentSection[] = [];
    for (const s of nodes(c, "documentSection")) {
      const sc = s.children;
      const st = nodes(sc, "text");
      const key = this.optText(st[0]);
      const stitle = this.optText(st[1]);
      if (!key || !stitle) continue;
      const items: A.DocumentItem[] = [];
      for (const i of nodes(sc, "documentItem")) {
        const it = nodes(i.children, "text");
        const ikey = this.optText(it[0]);
        const ititle = this.optText(it[1]);
        if (ikey && ititle) {
          items.push({
            key: ikey,
            title: ititle,
            clauses: this.clauses(nodes(i.children, "modifier"), "document"),
            span: this.spanOf(i),
          });
        }
      }
      sections.push({
        key,
        title: stitle,
        clauses: this.clauses(nodes(sc, "modifier"), "document"),
        items,
        span: this.spanOf(s),
      });
    }
    return {
      kind: "document",
      id,
      title,
      clauses: this.clauses(nodes(c, "modifier"), "document"),
      sections,
      span: this.spanOf(n),
    };
  }
}

function push<T>(list: T[], item: T | undefined): void {
  if (item !== undefined) list.push(item);
}

function A_plain(text: A.Text): string | undefined {
  let out = "";
  for (const part of text.parts) {
    if (typeof part !== "string") return undefined;
    out += part;
  }
  return out;
}

function article(construct: string): string {
  return /^[aeiou]/.test(construct) ? `an ${construct}` : `a ${construct}`;
}
