import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { closest } from "../diagnostics/suggest.js";
import type * as A from "../language/ast.js";
import { type ParamValue, showParam } from "./params.js";
import type { HostInfo, SiteModel } from "./site.js";

/** What `${...}` may refer to at one place: the site, the parameters, and the host of an `on each` step. */
export interface TextScope {
  readonly site: SiteModel;
  readonly params: ReadonlyMap<string, ParamValue>;
  readonly host?: HostInfo;
}

const HOST_FIELDS = ["name", "address", "service", "user", "role"];

/**
 * The text with its references filled in for this site. An unknown reference is reported at its exact
 * place, with a suggestion; the result is then undefined so that the step using it is left out.
 */
export function resolveText(text: A.Text, scope: TextScope, diagnostics: Diagnostic[]): string | undefined {
  let out = "";
  let ok = true;
  for (const part of text.parts) {
    if (typeof part === "string") {
      out += part;
      continue;
    }
    const value = lookup(part, scope, diagnostics);
    if (value === undefined) ok = false;
    else out += value;
  }
  return ok ? out : undefined;
}

function lookup(ref: A.Interpolation, scope: TextScope, diagnostics: Diagnostic[]): string | undefined {
  const [head, field, ...rest] = ref.path;
  const shown = `\${${ref.path.join(".")}}`;
  if (rest.length > 0) {
    diagnostics.push(
      diagnostic("DPL2016", `\`${shown}\` goes too deep`, ref.span, {
        help: "write `${site.<attribute>}`, `${host.<field>}` or `${<parameter>}`",
      }),
    );
    return undefined;
  }
  if (head === "site") {
    if (field === "name") return scope.site.name;
    if (field === "title") return scope.site.title;
    const attr = field === undefined ? undefined : scope.site.attributes.get(field);
    if (!attr) {
      diagnostics.push(
        diagnostic(
          "DPL3012",
          `site \`${scope.site.name}\` has no \`${field ?? ""}\` for \`${shown}\``,
          ref.span,
          {
            help: `set it in the site, or use one it has: ${["name", "title", ...scope.site.attributes.keys()].join(", ")}`,
          },
        ),
      );
      return undefined;
    }
    return typeof attr.value === "string" ? attr.value : attr.value.join(", ");
  }
  if (head === "host") {
    if (!scope.host) {
      diagnostics.push(
        diagnostic(
          "DPL2016",
          `\`${shown}\` means the host of an \`on each\` step, and this is not one`,
          ref.span,
          {
            help: "use it inside `run `…` on each <role>`",
          },
        ),
      );
      return undefined;
    }
    const h = scope.host;
    const value =
      field === "name"
        ? h.name
        : field === "address"
          ? h.address
          : field === "service"
            ? h.service
            : field === "user"
              ? h.user
              : field === "role"
                ? h.roles.join(", ")
                : undefined;
    if (value === undefined) {
      const guess = field ? closest(field, HOST_FIELDS) : undefined;
      diagnostics.push(
        diagnostic(
          HOST_FIELDS.includes(field ?? "") ? "DPL3012" : "DPL2016",
          `host \`${h.name}\` has no \`${field ?? ""}\``,
          ref.span,
          {
            help:
              guess && guess !== field
                ? `did you mean \`${guess}\`?`
                : `give the host a ${field} in the site`,
          },
        ),
      );
      return undefined;
    }
    return value;
  }
  if (field === undefined && head !== undefined) {
    const p = scope.params.get(head);
    if (p) return showParam(p.value);
  }
  const guess = closest(head ?? "", ["site", "host", ...scope.params.keys()]);
  diagnostics.push(
    diagnostic("DPL2016", `\`${shown}\` refers to nothing`, ref.span, {
      help: guess
        ? `did you mean \`\${${guess}${field ? `.${field}` : ""}}\`?`
        : "refer to `${site.<attribute>}`, `${host.<field>}` or a parameter",
    }),
  );
  return undefined;
}
