import { diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/span.js";
import { closest } from "../diagnostics/suggest.js";
import type { Json } from "../ir/schema.js";
import type * as A from "../language/ast.js";
import { COMPONENTS } from "./catalog.js";
import type { Ignored } from "./model.js";
import { checkType, SCRIPTS, SET_SUMMARY_STATE, SYSTEM_WIDE_SHUTDOWN } from "./scripts.js";
import type { StepScope } from "./steps.js";
import type { CscTargets } from "./targets.js";

export interface CheckedTransition {
  readonly cscs: string[];
  readonly startWith: string[];
  readonly endWith: string[];
  readonly given: Map<string, { value: Json; span: Span }>;
  readonly ignored: readonly Ignored[];
}

/**
 * Checks a transition against the script that runs it, the way the script would: the keys the author
 * wrote must be ones the script accepts (it rejects unknown keys) with values of the right type; the keys
 * the compiler computes (`data`, `ignore`) must not be written by hand; required keys must be there;
 * system_wide_shutdown.py only sends everything OFFLINE and never the ScriptQueues; set_summary_state.py
 * needs at least one CSC and, when it sends its own queue OFFLINE, must do that last.
 */
export function checkTransitionConfig(
  core: Extract<A.StepCore, { kind: "transition" }>,
  script: string,
  targets: CscTargets,
  given: ReadonlyMap<string, { value: Json; span: Span; keySpan: Span }>,
  scope: StepScope,
  queue: string,
): CheckedTransition | undefined {
  const d = scope.diagnostics;
  const schema = SCRIPTS[script]!;
  let ok = true;
  const kept = new Map<string, { value: Json; span: Span }>();
  for (const [key, entry] of given) {
    const property = schema.properties[key];
    if (!property) {
      ok = false;
      if (script === SET_SUMMARY_STATE && key === "ignore") {
        d.push(
          diagnostic(
            "DPL5004",
            "set_summary_state.py has no `ignore`, and would reject this configuration",
            entry.keySpan,
            {
              help: "leave the ignored CSCs out of the step's CSCs; `ignore` belongs to system_wide_shutdown.py",
              notes: [
                "the script's schema has additionalProperties: false (ts_standardscripts set_summary_state.py)",
              ],
            },
          ),
        );
        continue;
      }
      const guess = closest(key, Object.keys(schema.properties));
      d.push(
        diagnostic(
          "DPL5001",
          `${script} has no configuration key \`${key}\`, and would reject it`,
          entry.keySpan,
          {
            help: guess
              ? `did you mean \`${guess}\`?`
              : `its keys are ${Object.keys(schema.properties).join(", ")}`,
          },
        ),
      );
      continue;
    }
    if (property.computed) {
      ok = false;
      d.push(
        diagnostic(
          "DPL5007",
          `\`${key}\` is computed by the compiler, so it is not written by hand`,
          entry.keySpan,
          {
            help:
              key === "ignore"
                ? "declare what to leave alone as `ignore <CSC> keep <STATE>`; the compiler fills in `ignore`"
                : "the step's CSCs and state give `data`; remove it",
          },
        ),
      );
      continue;
    }
    const problem = checkType(property, entry.value);
    if (problem) {
      ok = false;
      d.push(
        diagnostic("DPL5003", `\`${key}\` ${problem} for ${script}`, entry.span, { help: property.doc }),
      );
      continue;
    }
    kept.set(key, { value: entry.value, span: entry.span });
  }
  for (const key of schema.required) {
    if (!schema.properties[key]?.computed && !given.has(key)) {
      ok = false;
      d.push(
        diagnostic("DPL5002", `${script} requires \`${key}\``, core.config?.span ?? core.script.span, {
          help: `add \`{ ${key}: "…" }\` (${schema.properties[key]?.doc ?? ""})`,
        }),
      );
    }
  }

  if (script === SYSTEM_WIDE_SHUTDOWN) {
    if (core.verb !== "offline") {
      d.push(
        diagnostic("DPL5008", `${script} only sends CSCs to OFFLINE`, core.span, {
          help: `use ${SET_SUMMARY_STATE} to send CSCs to ${core.verb === "standby" ? "STANDBY" : core.verb === "enable" ? "ENABLED" : "DISABLED"}`,
        }),
      );
      return undefined;
    }
    if (!targets.everything) {
      d.push(
        diagnostic(
          "DPL5006",
          `${script} shuts down every running CSC, so it takes \`everything\` and nothing else`,
          core.targets.span,
          {
            help: `write \`offline everything via ${script}\`; leave CSCs out with \`ignore <CSC> keep <STATE>\`, or use ${SET_SUMMARY_STATE} for a list`,
          },
        ),
      );
      return undefined;
    }
    const names = (key: string): string[] => {
      const v = kept.get(key)?.value;
      const list = Array.isArray(v) ? (v as string[]) : [];
      for (const name of list) {
        if (!COMPONENTS.has(name) || name.includes(":")) {
          ok = false;
          d.push(
            diagnostic(
              "DPL5003",
              `\`${key}\` lists component names without index, and \`${name}\` is not one`,
              kept.get(key)!.span,
              {
                help: closest(name, COMPONENTS.keys())
                  ? `did you mean \`${closest(name, COMPONENTS.keys())}\`?`
                  : "write names as in ts_xml, without `:index`",
              },
            ),
          );
        }
      }
      return list;
    };
    const startWith = names("start_with");
    const endWith = names("end_with");
    // The script never commands the ScriptQueues: they need a set_summary_state.py step of their own.
    const cscs = targets.cscs.filter((id) => !id.startsWith("ScriptQueue:"));
    const ignored = [...targets.leftOut];
    for (const ig of ignored) {
      if (ig.index === undefined) continue;
      const others = [...scope.site.cscs.values()].filter(
        (c) => c.name === ig.name && !targets.leftOut.some((l) => l.csc === c.id),
      );
      if (others.length > 0) {
        ok = false;
        d.push(
          diagnostic(
            "DPL5009",
            `${script} ignores by name, so it cannot leave \`${ig.csc}\` alone and shut down ${others.map((o) => `\`${o.id}\``).join(", ")}`,
            ig.span,
            {
              help: `ignore every ${ig.name}, or shut ${ig.name} down with ${SET_SUMMARY_STATE} instead`,
            },
          ),
        );
      }
    }
    if (!ok) return undefined;
    return { cscs, startWith, endWith, given: kept, ignored };
  }

  // set_summary_state.py
  const cscs = [...targets.cscs];
  if (cscs.length === 0) {
    d.push(
      diagnostic(
        "DPL5011",
        `this step has no CSC to send to another state at site \`${scope.site.name}\``,
        core.targets.span,
        {
          help: "set_summary_state.py needs at least one item in `data`; add `only`/`except`, or check the targets",
        },
      ),
    );
    return undefined;
  }
  if (core.verb === "offline" && cscs.includes(queue) && cscs[cscs.length - 1] !== queue) {
    if (targets.explicit) {
      d.push(
        diagnostic(
          "DPL5005",
          `${queue} runs this script, so it must be the last one sent OFFLINE`,
          core.targets.span,
          {
            help: `move ${queue} to the end of the list: the queue stops when it goes OFFLINE, and the items after it would never be sent`,
          },
        ),
      );
      return undefined;
    }
    cscs.splice(cscs.indexOf(queue), 1);
    cscs.push(queue);
  }
  if (!ok) return undefined;
  return { cscs, startWith: [], endWith: [], given: kept, ignored: [] };
}
