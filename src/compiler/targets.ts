import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { closest } from "../diagnostics/suggest.js";
import type * as A from "../language/ast.js";
import { showCsc } from "../language/ast.js";
import { COMPONENTS } from "./catalog.js";
import type { Ignored } from "./model.js";
import type { ParamValue } from "./params.js";
import { checkComponent, cscId, type SiteModel, unknownApp } from "./site.js";

export interface TargetScope {
  readonly site: SiteModel;
  readonly groups: ReadonlyMap<string, A.GroupDecl>;
  readonly params: ReadonlyMap<string, ParamValue>;
  readonly ignored: ReadonlyMap<string, Ignored>;
  /** The ScriptQueue that runs the step, for `runner`. */
  readonly runner?: string;
}

export interface CscTargets {
  /** The CSCs, in the author's order for an explicit list, sorted otherwise. */
  readonly cscs: string[];
  /** Whether the author wrote the order (only plain CSC names, no `*`, group or `everything`). */
  readonly explicit: boolean;
  /** Whether the list is `everything` (with no exclusions). */
  readonly everything: boolean;
  /** Ignored CSCs that an `everything`, group or `*` would have included. */
  readonly leftOut: readonly Ignored[];
}

/** Site order of CSC ids: by name, then index. */
export function compareCscIds(a: string, b: string): number {
  const [an, ai] = a.split(":");
  const [bn, bi] = b.split(":");
  if (an !== bn) return an! < bn! ? -1 : 1;
  return Number(ai ?? 0) - Number(bi ?? 0);
}

/**
 * The CSCs of a target list at a site. `everything`, groups and `Name:*` skip ignored CSCs (and say which);
 * a CSC named explicitly must be in the site's inventory and not ignored. Every unknown name is reported
 * with a suggestion; the result is undefined when nothing valid remains of a list that had errors.
 */
export function resolveCscTargets(
  targets: A.Targets,
  scope: TargetScope,
  diagnostics: Diagnostic[],
): CscTargets | undefined {
  const leftOut = new Map<string, Ignored>();
  let errors = false;
  let explicit = true;
  const collect = (list: readonly A.Target[], into: string[], excluding: boolean) => {
    for (const t of list) {
      const got = expandTarget(t, scope, diagnostics, leftOut, new Set(), excluding);
      if (!got) {
        errors = true;
        continue;
      }
      if (!got.explicit && !excluding) explicit = false;
      into.push(...got.cscs);
    }
  };
  const include: string[] = [];
  const exclude: string[] = [];
  collect(targets.include, include, false);
  collect(targets.exclude, exclude, true);
  const excluded = new Set(exclude);
  const seen = new Set<string>();
  const cscs = include.filter((c) => !excluded.has(c) && !seen.has(c) && seen.add(c));
  if (!explicit) cscs.sort(compareCscIds);
  for (const c of excluded) leftOut.delete(c);
  if (errors && cscs.length === 0) return undefined;
  return {
    cscs,
    explicit,
    everything:
      targets.include.length === 1 &&
      targets.include[0]!.kind === "everything" &&
      targets.exclude.length === 0,
    leftOut: [...leftOut.values()],
  };
}

/**
 * The CSCs of one target. `excluding`: the target is after `but`, where leaving out a CSC that the site
 * does not have (or ignores anyway) is harmless, so only names that exist nowhere are reported.
 */
function expandTarget(
  t: A.Target,
  scope: TargetScope,
  diagnostics: Diagnostic[],
  leftOut: Map<string, Ignored>,
  visiting: Set<string>,
  excluding = false,
): { cscs: string[]; explicit: boolean } | undefined {
  const site = scope.site;
  const keep = (ids: string[]): string[] =>
    ids.filter((id) => {
      const ig = scope.ignored.get(id);
      if (ig) leftOut.set(id, ig);
      return !ig;
    });
  switch (t.kind) {
    case "everything":
      return {
        cscs: keep([...site.cscs.keys()].filter((id) => COMPONENTS.get(site.cscs.get(id)!.name)?.isCsc)),
        explicit: false,
      };
    case "runner":
      if (!scope.runner) {
        diagnostics.push(
          diagnostic(
            "DPL2006",
            "`runner` means the ScriptQueue that runs the step's script, and this step runs none",
            t.span,
          ),
        );
        return undefined;
      }
      return { cscs: [scope.runner], explicit: true };
    case "project":
      diagnostics.push(
        diagnostic("DPL3010", "a project holds applications, not CSCs", t.span, {
          help: "name CSCs or groups here; `project` goes with `sync`",
        }),
      );
      return undefined;
    case "ref":
      break;
  }
  const ref = t.ref;
  if (ref.index === undefined) {
    const param = scope.params.get(ref.name);
    if (param && (param.type === "csc" || param.type === "cscs")) {
      const values = typeof param.value === "string" ? [param.value] : (param.value as readonly string[]);
      const out: string[] = [];
      for (const v of values) {
        const [name, index] = v.split(":");
        const sub: A.Target = {
          kind: "ref",
          ref: {
            name: name!,
            ...(index === undefined ? {} : { index: index === "*" ? "*" : Number(index) }),
            nameSpan: t.span,
            span: t.span,
          },
          span: t.span,
        };
        const got = expandTarget(sub, scope, diagnostics, leftOut, visiting, excluding);
        if (got) out.push(...got.cscs);
      }
      return { cscs: out, explicit: param.type === "csc" };
    }
    const group = scope.groups.get(ref.name);
    if (group) {
      if (visiting.has(group.name.value)) {
        diagnostics.push(diagnostic("DPL2006", `group \`${group.name.value}\` contains itself`, t.span));
        return undefined;
      }
      visiting.add(group.name.value);
      const out: string[] = [];
      for (const member of group.members) {
        if (
          member.kind === "ref" &&
          !scope.groups.has(member.ref.name) &&
          !scope.params.has(member.ref.name)
        ) {
          // Members a site does not have are simply not part of the group there.
          if (!checkComponent(member.ref, diagnostics)) continue;
          const ids =
            member.ref.index === "*" ||
            (member.ref.index === undefined && COMPONENTS.get(member.ref.name)?.indexed)
              ? instancesOf(member.ref.name, site)
              : site.cscs.has(showCsc(member.ref))
                ? [showCsc(member.ref)]
                : [];
          out.push(...keep(ids));
          continue;
        }
        const got = expandTarget(member, scope, diagnostics, leftOut, visiting, excluding);
        if (got) out.push(...got.cscs);
      }
      visiting.delete(group.name.value);
      return { cscs: out, explicit: false };
    }
  }
  if (!COMPONENTS.has(ref.name)) {
    const candidates = [...COMPONENTS.keys(), ...scope.groups.keys(), ...scope.params.keys()];
    const guess = closest(ref.name, candidates);
    diagnostics.push(
      diagnostic("DPL2004", `unknown CSC \`${showCsc(ref)}\``, ref.nameSpan, {
        label: "not a CSC, group or parameter",
        help: guess ? `did you mean \`${guess}\`?` : "CSC names are case-sensitive, as in ts_xml",
      }),
    );
    return undefined;
  }
  if (!checkComponent(ref, diagnostics)) return undefined;
  if (ref.index === "*") {
    const ids = instancesOf(ref.name, site);
    if (ids.length === 0 && excluding) return { cscs: [], explicit: false };
    if (ids.length === 0) {
      diagnostics.push(
        diagnostic("DPL2004", `site \`${site.name}\` has no \`${ref.name}\``, ref.span, {
          label: `not in the inventory of site \`${site.name}\``,
          help: `add \`only\` or \`except\` to the step, or the CSC to the site's inventory`,
        }),
      );
      return undefined;
    }
    return { cscs: keep(ids), explicit: false };
  }
  const id = cscId(ref.name, ref.index);
  if (excluding) return { cscs: site.cscs.has(id) ? [id] : [], explicit: true };
  if (!site.cscs.has(id)) {
    const guess = closest(id, site.cscs.keys());
    diagnostics.push(
      // A real component that this site does not run: the message says so, rather than "unknown".
      diagnostic("DPL2004", `site \`${site.name}\` has no \`${id}\``, ref.span, {
        label: `not in the inventory of site \`${site.name}\``,
        help: guess
          ? `did you mean \`${guess}\`?`
          : `add \`except ${site.name}\` to the step, or the CSC to the site's inventory`,
      }),
    );
    return undefined;
  }
  const ig = scope.ignored.get(id);
  if (ig) {
    diagnostics.push(
      diagnostic(
        "DPL3004",
        `\`${id}\` is on the ignore list of site \`${site.name}\` (keep ${ig.keep})`,
        ref.span,
        {
          related: [{ span: ig.span, message: "ignored here" }],
          help: "leave it out of the step, or give the step a condition that excludes this site",
        },
      ),
    );
    return undefined;
  }
  return { cscs: [id], explicit: true };
}

function instancesOf(name: string, site: SiteModel): string[] {
  return [...site.cscs.values()].filter((c) => c.name === name).map((c) => c.id);
}

/** The applications of a target list at a site: names, `project X`, or an `apps` parameter. */
export function resolveApps(
  targets: A.Targets,
  scope: TargetScope,
  diagnostics: Diagnostic[],
): Array<{ name: string; project?: string }> | undefined {
  const collect = (list: readonly A.Target[]): string[] | undefined => {
    const out: string[] = [];
    let ok = true;
    for (const t of list) {
      if (t.kind === "project") {
        const apps = [...scope.site.apps.values()]
          .filter((a) => a.project === t.project.value)
          .map((a) => a.name);
        if (apps.length === 0) {
          const projects = new Set(
            [...scope.site.apps.values()].flatMap((a) => (a.project ? [a.project] : [])),
          );
          const guess = closest(t.project.value, projects);
          diagnostics.push(
            diagnostic(
              "DPL2009",
              `site \`${scope.site.name}\` has no project \`${t.project.value}\``,
              t.project.span,
              {
                help: guess
                  ? `did you mean \`${guess}\`?`
                  : "give applications a project in the site: `app auxtel project telescope`",
              },
            ),
          );
          ok = false;
        }
        out.push(...apps.sort());
      } else if (t.kind === "ref" && t.ref.index === undefined) {
        const param = scope.params.get(t.ref.name);
        const names = param?.type === "apps" ? (param.value as readonly string[]) : [t.ref.name];
        for (const name of names) {
          if (scope.site.apps.has(name)) out.push(name);
          else {
            diagnostics.push(
              unknownApp({ value: name, span: t.ref.nameSpan }, scope.site.name, scope.site.apps.keys()),
            );
            ok = false;
          }
        }
      } else {
        diagnostics.push(
          diagnostic("DPL3010", "`sync` takes applications or `project <name>`", t.span, {
            help: "name an Argo CD application, such as `sync love`",
          }),
        );
        ok = false;
      }
    }
    return ok || out.length ? out : undefined;
  };
  const include = collect(targets.include);
  const exclude = new Set(collect(targets.exclude) ?? []);
  if (!include) return undefined;
  const seen = new Set<string>();
  return include
    .filter((a) => !exclude.has(a) && !seen.has(a) && seen.add(a))
    .map((name) => {
      const project = scope.site.apps.get(name)?.project;
      return project ? { name, project } : { name };
    });
}
