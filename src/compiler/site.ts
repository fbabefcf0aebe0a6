import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/span.js";
import { closest } from "../diagnostics/suggest.js";
import type * as A from "../language/ast.js";
import { plainText, showCsc } from "../language/ast.js";
import { COMPONENTS } from "./catalog.js";

/** A CSC as a site has it. */
export interface CscInfo {
  /** `ScriptQueue:1`, or `Watcher` for a CSC without index. */
  readonly id: string;
  readonly name: string;
  readonly index?: number;
  readonly deployment: "kubernetes" | "host" | "unknown";
  readonly app?: string;
  readonly simulator: boolean;
  readonly host?: string;
  /** The state it comes up in after a deployment. */
  readonly starts: A.State;
  readonly heartbeatOnly: boolean;
  /** The `csc-name` label of its Kubernetes job, where the inventory gives it. */
  readonly job?: string;
  readonly span: Span;
}

export interface HostInfo {
  readonly name: string;
  readonly address: string;
  readonly roles: readonly string[];
  readonly service?: string;
  readonly user?: string;
  readonly port?: number;
  readonly span: Span;
}

export interface AppInfo {
  readonly name: string;
  readonly project?: string;
  readonly namespace: string;
  readonly span: Span;
}

/** A site, checked and indexed: what the compiler expands procedures against. */
export interface SiteModel {
  readonly name: string;
  readonly title: string;
  readonly decl: A.SiteDecl;
  readonly attributes: ReadonlyMap<
    string,
    { readonly value: string | readonly string[]; readonly span: Span }
  >;
  readonly hosts: ReadonlyMap<string, HostInfo>;
  readonly apps: ReadonlyMap<string, AppInfo>;
  /** CSCs by id, in the order of the inventory. */
  readonly cscs: ReadonlyMap<string, CscInfo>;
}

type AttributeType = "string" | "strings";

/** The attributes a site may have, and what each holds. */
export const SITE_ATTRIBUTES: Readonly<Record<string, AttributeType>> = {
  kubernetes_context: "string",
  kubeconfig: "string",
  rancher: "string",
  argocd: "string",
  argocd_ca: "string",
  argocd_token_env: "string",
  argocd_username_env: "string",
  argocd_password_env: "string",
  kafka: "strings",
  kafka_site: "string",
  schema_registry: "string",
  efd: "string",
  efd_database: "string",
  efd_username_env: "string",
  efd_password_env: "string",
  love: "strings",
  chronograf: "string",
  nublado: "string",
  slack: "string",
  fqdn: "string",
  phalanx_env: "string",
  love_summary_view: "string",
  image_tag: "string",
};

const HOST_ATTRIBUTES = ["role", "service", "user", "port"];
const APP_ATTRIBUTES = ["namespace"];

/** `ScriptQueue:1` / `Watcher` from a name and an optional index. */
export function cscId(name: string, index?: number): string {
  return index === undefined ? name : `${name}:${index}`;
}

/**
 * Checks a site declaration and indexes it. Unknown attributes, duplicate hosts, applications and CSCs,
 * CSCs that are not SAL components or have an index their component does not take, and inventory
 * entries that name an undeclared application or host are reported; what is valid is kept.
 */
export function resolveSite(decl: A.SiteDecl, diagnostics: Diagnostic[]): SiteModel {
  const attributes = new Map<string, { value: string | string[]; span: Span }>();
  for (const attr of decl.attributes) {
    const key = attr.key.value;
    const type = SITE_ATTRIBUTES[key];
    if (!type) {
      const guess = closest(key, Object.keys(SITE_ATTRIBUTES));
      diagnostics.push(
        diagnostic("DPL2014", `a site has no attribute \`${key}\``, attr.key.span, {
          help: guess
            ? `did you mean \`${guess}\`?`
            : `the attributes of a site are ${Object.keys(SITE_ATTRIBUTES).join(", ")}`,
        }),
      );
      continue;
    }
    if (attributes.has(key)) {
      diagnostics.push(
        diagnostic("DPL2012", `the attribute \`${key}\` is given twice`, attr.key.span, {
          related: [{ span: attributes.get(key)!.span, message: "first given here" }],
          help: "keep one of them",
        }),
      );
      continue;
    }
    const value = attributeValue(attr.value, type);
    if (value === undefined) {
      diagnostics.push(
        diagnostic(
          "DPL3010",
          `\`${key}\` takes ${type === "string" ? "a string" : "a string or a list of strings"}`,
          attr.value.span,
          {
            help: `write it as \`${key} "…"\`${type === "strings" ? ` or \`${key} ["…", "…"]\`` : ""}`,
          },
        ),
      );
      continue;
    }
    attributes.set(key, { value, span: attr.span });
  }

  const hosts = new Map<string, HostInfo>();
  for (const h of decl.hosts) {
    if (duplicate(hosts, h.name, "host", diagnostics)) continue;
    const info: { -readonly [K in keyof HostInfo]: HostInfo[K] } = {
      name: h.name.value,
      address: plainText(h.address) ?? "",
      roles: [],
      span: h.name.span,
    };
    for (const attr of h.attributes) {
      const key = attr.key.value;
      if (!HOST_ATTRIBUTES.includes(key)) {
        const guess = closest(key, HOST_ATTRIBUTES);
        diagnostics.push(
          diagnostic("DPL2014", `a host has no attribute \`${key}\``, attr.key.span, {
            help: guess
              ? `did you mean \`${guess}\`?`
              : `the attributes of a host are ${HOST_ATTRIBUTES.join(", ")}`,
          }),
        );
        continue;
      }
      if (key === "port") {
        if (attr.value.kind === "number" && Number.isInteger(attr.value.value)) info.port = attr.value.value;
        else diagnostics.push(diagnostic("DPL3010", "`port` takes a whole number", attr.value.span));
        continue;
      }
      // A role is a word (`role camera`) or a list of them; the other attributes are strings.
      const value = attributeValue(attr.value, key === "role" ? "strings" : "string", key === "role");
      if (value === undefined) {
        diagnostics.push(
          diagnostic("DPL3010", `\`${key}\` takes a string`, attr.value.span, {
            help: `write \`${key} "…"\``,
          }),
        );
        continue;
      }
      if (key === "role") info.roles = typeof value === "string" ? [value] : value;
      else if (key === "service") info.service = value as string;
      else if (key === "user") info.user = value as string;
    }
    hosts.set(info.name, info);
  }

  const apps = new Map<string, AppInfo>();
  for (const a of decl.apps) {
    if (duplicate(apps, a.name, "application", diagnostics)) continue;
    let namespace = a.name.value;
    for (const attr of a.attributes) {
      if (!APP_ATTRIBUTES.includes(attr.key.value)) {
        diagnostics.push(
          diagnostic("DPL2014", `an application has no attribute \`${attr.key.value}\``, attr.key.span, {
            help: "the attribute of an application is `namespace`",
          }),
        );
        continue;
      }
      const value = attributeValue(attr.value, "string");
      if (typeof value === "string") namespace = value;
      else diagnostics.push(diagnostic("DPL3010", "`namespace` takes a string", attr.value.span));
    }
    apps.set(a.name.value, {
      name: a.name.value,
      ...(a.project ? { project: a.project.value } : {}),
      namespace,
      span: a.name.span,
    });
  }

  const cscs = new Map<string, CscInfo>();
  for (const entry of decl.inventory) {
    const ref = entry.csc;
    if (ref.index === "*") {
      diagnostics.push(
        diagnostic("DPL2005", "an inventory lists each instance, not `*`", entry.csc.span, {
          help: `write one line per instance: \`${ref.name}:1\`, \`${ref.name}:2\`, …`,
        }),
      );
      continue;
    }
    if (!checkComponent(ref, diagnostics)) continue;
    const id = cscId(ref.name, ref.index);
    if (cscs.has(id)) {
      diagnostics.push(
        diagnostic("DPL2012", `\`${id}\` is in the inventory twice`, ref.span, {
          related: [{ span: cscs.get(id)!.span, message: "first listed here" }],
          help: "list each CSC once",
        }),
      );
      continue;
    }
    const d = entry.deployment;
    if (d.kind === "kubernetes" && !apps.has(d.app.value)) {
      diagnostics.push(unknownApp(d.app, decl.name.value, apps.keys()));
    }
    if (d.kind === "host" && !hosts.has(d.host.value)) {
      const guess = closest(d.host.value, hosts.keys());
      diagnostics.push(
        diagnostic("DPL2008", `site \`${decl.name.value}\` has no host \`${d.host.value}\``, d.host.span, {
          help: guess ? `did you mean \`${guess}\`?` : `declare it: \`host ${d.host.value} "<address>"\``,
        }),
      );
    }
    cscs.set(id, {
      id,
      name: ref.name,
      ...(ref.index !== undefined ? { index: ref.index } : {}),
      deployment: d.kind,
      ...(d.kind === "kubernetes" ? { app: d.app.value } : {}),
      simulator: d.kind === "kubernetes" && d.simulator,
      ...(d.kind === "host" ? { host: d.host.value } : {}),
      starts: entry.starts?.state ?? "STANDBY",
      heartbeatOnly: entry.heartbeatOnly !== undefined,
      ...(entry.job ? { job: entry.job.name } : {}),
      span: ref.span,
    });
  }
  for (const ignore of decl.ignores) void ignore; // site ignore entries are applied per plan (they may have `when`)

  return {
    name: decl.name.value,
    title: decl.title ? (plainText(decl.title) ?? decl.name.value) : decl.name.value,
    decl,
    attributes,
    hosts,
    apps,
    cscs,
  };
}

function attributeValue(value: A.Value, type: AttributeType, words = false): string | string[] | undefined {
  const one = (v: A.Value): string | undefined =>
    v.kind === "text"
      ? plainText(v.text)
      : words && v.kind === "ref" && v.ref.index === undefined
        ? v.ref.name
        : undefined;
  if (value.kind !== "list") return one(value);
  if (type !== "strings") return undefined;
  const items = value.items.map(one);
  return items.every((i): i is string => i !== undefined) ? items : undefined;
}

function duplicate<T extends { span: Span }>(
  table: Map<string, T>,
  name: A.Name,
  what: string,
  diagnostics: Diagnostic[],
): boolean {
  const earlier = table.get(name.value);
  if (!earlier) return false;
  diagnostics.push(
    diagnostic("DPL2012", `${what} \`${name.value}\` is defined twice`, name.span, {
      related: [{ span: earlier.span, message: "first defined here" }],
      help: "remove one of them",
    }),
  );
  return true;
}

/**
 * Checks a CSC reference against the SAL components: the name exists (case-sensitive), and the index is
 * one its component takes. Reports and returns false otherwise.
 */
export function checkComponent(ref: A.CscRef, diagnostics: Diagnostic[]): boolean {
  const component = COMPONENTS.get(ref.name);
  if (!component) {
    const guess = closest(ref.name, COMPONENTS.keys());
    diagnostics.push(
      diagnostic("DPL2020", `\`${ref.name}\` is not a SAL component`, ref.nameSpan, {
        help: guess ? `did you mean \`${guess}\`?` : "component names are case-sensitive, as in ts_xml",
      }),
    );
    return false;
  }
  if (!component.indexed && ref.index !== undefined) {
    diagnostics.push(
      diagnostic(
        "DPL2005",
        `\`${ref.name}\` takes no index, so \`${showCsc(ref)}\` does not exist`,
        ref.span,
        {
          help: `write \`${ref.name}\``,
        },
      ),
    );
    return false;
  }
  if (typeof ref.index === "number" && component.indices && !component.indices.includes(ref.index)) {
    diagnostics.push(
      diagnostic("DPL2005", `\`${ref.name}\` has no index ${ref.index}`, ref.span, {
        help: `the indices of ${ref.name} are ${component.indices.join(", ")}`,
      }),
    );
    return false;
  }
  return true;
}

export function unknownApp(name: A.Name, site: string, known: Iterable<string>): Diagnostic {
  const guess = closest(name.value, known);
  return diagnostic("DPL2009", `site \`${site}\` has no application \`${name.value}\``, name.span, {
    help: guess ? `did you mean \`${guess}\`?` : `declare it in the site: \`app ${name.value} project …\``,
  });
}
