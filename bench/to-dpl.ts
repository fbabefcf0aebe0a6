import type {
  Admonition,
  Change,
  Clauses,
  Condition,
  ConfigValue,
  IgnoreEntry,
  Item,
  Phase,
  Repository,
  Rule,
  Site,
  Step,
} from "./model.js";

/**
 * Writes a synthetic repository as `.dpl` files laid out as a real one is: a file per site, the common
 * groups, rules and ignore list, the source document's outline, the procedure, and a short entry that
 * imports them.
 */
export function toDpl(repo: Repository): { files: Record<string, string>; entry: string } {
  const files: Record<string, string> = {};
  for (const site of repo.sites) files[`sites/${site.name}.dpl`] = siteDpl(site);
  files["plans/common/groups.dpl"] = repo.groups
    .map((g) => `group ${g.name} ${str(g.title)} {\n  ${g.members.join(" ")}\n}\n`)
    .join("\n");
  files["plans/common/rules.dpl"] = `rules {\n${repo.rules.map(ruleDpl).join("")}}\n`;
  files["plans/common/ignore.dpl"] = repo.ignore.map((e) => ignoreDpl(e, "")).join("");
  files["plans/common/document.dpl"] = repo.documents
    .map((d) => {
      const sections = d.sections.map((s) => {
        const items = s.items.map((i) => `    item ${str(i.key)} ${str(i.title)}\n`).join("");
        return items
          ? `  section ${str(s.key)} ${str(s.title)} {\n${items}  }\n`
          : `  section ${str(s.key)} ${str(s.title)}\n`;
      });
      return `document ${str(d.id)} ${str(d.title)} {\n${sections.join("")}}\n`;
    })
    .join("\n");
  const p = repo.procedure;
  const out: string[] = [
    'import "common/groups.dpl"',
    'import "common/rules.dpl"',
    'import "common/ignore.dpl"',
    'import "common/document.dpl"',
    "",
  ];
  const params = p.params.map((q) => {
    const def = q.default === undefined ? "" : ` = ${valueDpl(q.default, q.type)}`;
    return `  ${q.name}: ${q.type}${def}${q.doc ? ` ${str(q.doc)}` : ""}`;
  });
  out.push(
    `procedure ${p.name} ${str(p.title)} (\n${params.join(",\n")}\n)${p.cite ? ` cite ${str(p.cite)}` : ""} {`,
  );
  for (const a of p.admonitions) out.push(`  ${admonitionDpl(a)}`);
  for (const e of p.ignore) out.push(ignoreDpl(e, "  ").trimEnd());
  for (const phase of p.phases) out.push(phaseDpl(phase));
  out.push("}", "");
  files[`plans/${p.name}.dpl`] = out.join("\n");
  const e = repo.entry;
  const args = Object.entries(e.args).map(([k, v]) => `${k} = ${typeof v === "string" ? str(v) : String(v)}`);
  const entry = "plans/bench.dpl";
  files[entry] = [
    ...repo.sites.map((s) => `import "../sites/${s.name}.dpl"`),
    `import "${p.name}.dpl"`,
    "",
    `plan ${e.procedure}(${args.join(", ")}) for ${e.sites.join(", ")}`,
    "",
  ].join("\n");
  return { files, entry };
}

/** A string literal: the generator's text holds no quotes or backslashes but `${...}` references. */
function str(text: string): string {
  return JSON.stringify(text);
}

function valueDpl(v: string | number | boolean | string[], type: string): string {
  if (Array.isArray(v)) return `[${v.join(", ")}]`;
  if (type === "string") return str(String(v));
  return String(v);
}

function siteDpl(site: Site): string {
  const lines = [`site ${site.name} ${str(site.title)} {`];
  for (const [k, v] of Object.entries(site.attributes))
    lines.push(`  ${k} ${Array.isArray(v) ? `[${v.map(str).join(", ")}]` : str(v)}`);
  for (const h of site.hosts) {
    const body = [
      h.role && `role ${h.role}`,
      h.service && `service ${str(h.service)}`,
      h.user && `user ${str(h.user)}`,
    ]
      .filter(Boolean)
      .join(" ");
    lines.push(`  host ${h.name} ${str(h.address)}${body ? ` { ${body} }` : ""}`);
  }
  for (const a of site.apps) {
    const project = a.project ? ` project ${a.project}` : "";
    const ns = a.namespace ? ` { namespace ${str(a.namespace)} }` : "";
    lines.push(`  app ${a.name}${project}${ns}`);
  }
  lines.push("  inventory {");
  for (const c of site.inventory) {
    let where = c.in ? `in ${c.in}${c.simulator ? " simulator" : ""}` : c.on ? `on ${c.on}` : "unknown";
    if (c.starts) where += ` starts ${c.starts}`;
    if (c.heartbeat_only) where += " heartbeat-only";
    if (c.job) where += ` job ${str(c.job)}`;
    lines.push(`    ${c.csc} ${where}`);
  }
  lines.push("  }");
  for (const e of site.ignore) lines.push(ignoreDpl(e, "  ").trimEnd());
  lines.push("}", "");
  return lines.join("\n");
}

function ruleDpl(rule: Rule): string {
  const rel = rule.relation;
  let relation: string;
  if ("first" in rel) relation = "first";
  else if ("last" in rel)
    relation = `last${rel.among ? ` among ${rel.among.join(", ")}` : ""}${rel.project ? ` in project ${rel.project}` : ""}`;
  else relation = `before ${rel.before.action} ${rel.before.targets.join(", ")}`;
  const clauses = [
    rule.because && `because ${str(rule.because)}`,
    rule.cite && `cite ${str(rule.cite)}`,
    rule.only && `only ${rule.only.join(", ")}`,
    rule.except && `except ${rule.except.join(", ")}`,
  ].filter(Boolean);
  return `  ${rule.label}: ${rule.action} ${rule.targets.join(", ")} ${relation}${clauses.map((c) => `\n    ${c}`).join("")}\n`;
}

function ignoreDpl(e: IgnoreEntry, indent: string): string {
  return `${indent}ignore ${e.csc} keep ${e.keep}${e.because ? ` because ${str(e.because)}` : ""}${clausesDpl(e)}\n`;
}

function admonitionDpl(a: Admonition): string {
  return `${a.level} ${str(a.text)}${clausesDpl(a)}`;
}

function phaseDpl(phase: Phase): string {
  const head = `  phase ${phase.name} ${str(phase.title)}${clausesDpl(phase)}${phase.do_confirm ? " do-confirm" : ""} {`;
  return [head, ...phase.items.map((i) => itemDpl(i, "    ")), "  }"].join("\n");
}

function itemDpl(item: Item, indent: string): string {
  if ("admonition" in item) return `${indent}${admonitionDpl(item.admonition)}`;
  if ("parallel" in item) {
    const inner = item.parallel.map((i) => itemDpl(i, `${indent}  `));
    return [
      `${indent}parallel${item.clauses ? clausesDpl(item.clauses) : ""} {`,
      ...inner,
      `${indent}}`,
    ].join("\n");
  }
  const s = item.step;
  return `${indent}${s.label ? `${s.label}: ` : ""}${stepDpl(s)}${clausesDpl(s)}`;
}

function stepDpl(s: Step): string {
  switch (s.kind) {
    case "transition":
      return `${s.verb} ${s.targets.join(", ")}${s.but ? ` but ${s.but.join(", ")}` : ""} via ${s.via} on ${s.queue}${s.config ? ` ${configDpl(s.config)}` : ""}`;
    case "script":
      return `script ${s.script} on ${s.queue}${s.config ? ` ${configDpl(s.config)}` : ""}`;
    case "run":
      return `run \`${s.cmd}\`${s.on ? ` on ${s.on}` : s.on_each ? ` on each ${s.on_each}` : ""}`;
    case "scale":
      return `scale deployments in ${str(s.namespace)}${s.where ? ` where ${str(s.where)}` : ""} to ${s.replicas}`;
    case "delete-jobs":
      return `delete jobs in ${str(s.namespace)}${s.where ? ` where ${str(s.where)}` : ""}`;
    case "annotate":
      return annotateDpl(s.resource, s.name, s.namespace, s.key, s.value);
    case "wait":
      return `wait ${s.duration}`;
    case "wait-until":
      return `wait until ${conditionDpl(s.condition)}`;
    case "expect":
      return `expect ${conditionDpl(s.condition)}`;
    case "sync": {
      const targets = [...s.apps, ...(s.projects ?? []).map((p) => `project ${p}`)];
      return `sync ${targets.join(", ")}${s.but ? ` but ${s.but.join(", ")}` : ""}`;
    }
    case "set-compatibility":
      return `set compatibility ${s.level}`;
    case "manual":
      return `manual ${str(s.text)}`;
    case "notify":
      return `notify ${str(s.message)}`;
    case "temporarily":
      return `temporarily ${changeDpl(s.change)} restore ${typeof s.restore === "string" && s.restore !== "FORWARD" && s.restore !== "NONE" ? str(s.restore) : s.restore}${s.until ? ` until ${s.until}` : ""}`;
    case "undo":
      return `undo ${s.ref}`;
  }
}

function annotateDpl(resource: string, name: string, ns: string, key: string, value: string | null): string {
  const what = value === null ? `remove ${str(key)}` : `set ${str(key)} = ${str(value)}`;
  return `annotate ${resource} ${str(name)} in ${str(ns)} ${what}`;
}

function changeDpl(c: Change): string {
  if ("scale" in c)
    return `scale deployments in ${str(c.scale.namespace)}${c.scale.where ? ` where ${str(c.scale.where)}` : ""} to ${c.scale.replicas}`;
  if ("compatibility" in c) return `set compatibility ${c.compatibility}`;
  const a = c.annotate;
  return annotateDpl(a.resource, a.name, a.namespace, a.key, a.value);
}

function conditionDpl(c: Condition): string {
  if ("lag" in c) return `lag ${str(c.lag)} <= ${c.max}`;
  if ("ready" in c)
    return `${c.ready} ready in ${str(c.namespace)}${c.where ? ` where ${str(c.where)}` : ""}`;
  if ("compatibility" in c) return `compatibility is ${c.compatibility}`;
  return `${c.cscs.join(", ")}${c.but ? ` but ${c.but.join(", ")}` : ""} is ${c.is}`;
}

function configDpl(config: Record<string, ConfigValue>): string {
  const entries = Object.entries(config).map(([k, v]) => `${k}: ${configValueDpl(v)}`);
  return `{ ${entries.join(" ")} }`;
}

function configValueDpl(v: ConfigValue): string {
  if (typeof v === "string") return str(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(configValueDpl).join(", ")}]`;
  return configDpl(v);
}

function clausesDpl(c: Clauses): string {
  const out: string[] = [];
  if (c.only) out.push(`only ${c.only.join(", ")}`);
  if (c.except) out.push(`except ${c.except.join(", ")}`);
  if (c.when) out.push(`when ${c.when}`);
  if (c.after) out.push(`after ${c.after.join(", ")}`);
  if (c.by) out.push(`by ${str(c.by)}`);
  if (c.check) out.push(`check ${str(c.check)}`);
  if (c.cite) out.push(`cite ${str(c.cite)}`);
  if (c.confirm) out.push(`confirm ${str(c.confirm)}`);
  if (c.url) out.push(`url ${str(c.url)}`);
  if (c.timeout) out.push(`timeout ${c.timeout}`);
  if (c.every) out.push(`every ${c.every}`);
  if (c.duration) out.push(`duration ${c.duration}`);
  if (c.retry) out.push(`retry ${c.retry}`);
  if (c.critical) out.push("critical");
  if (c.command) out.push(`command \`${c.command}\``);
  if (c.else) {
    const e = c.else;
    out.push("fail" in e ? "else fail" : "continue" in e ? "else continue" : `else ask ${str(e.ask)}`);
  }
  return out.length ? ` ${out.join(" ")}` : "";
}
