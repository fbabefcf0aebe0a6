import type { CscState, StepOf } from "../../ir/schema.js";
import type { SiteLayout } from "./site-layout.js";

/**
 * What a `csc-transition` step's script does when the operator runs it from LOVE: the commands it sends,
 * in order. Exactly the CSCs of the step and its configuration:
 * - `set_summary_state.py`: each `[csc, state]` item of `data`, in order (`Name:*` is every CSC of that
 *   name the site has); the step's CSCs when the configuration has no `data`;
 * - `system_wide_shutdown.py`: the step's CSCs in the step's order, without those named (without index)
 *   in the configuration's `ignore`, and never a ScriptQueue or Script (the script does not command them);
 * - any other script: the step's CSCs to the step's state.
 * CSCs in the step's ignore list are always left alone. Pure.
 */

type Target = Exclude<import("zod").infer<typeof CscState>, "FAULT">;

export interface TransitionCommand {
  readonly csc: string;
  readonly state: Target;
}

export function transitionCommands(step: StepOf<"csc-transition">, layout: SiteLayout): TransitionCommand[] {
  const ignored = new Set(step.ignored.map((i) => i.csc));
  const keep = (csc: string) => !ignored.has(csc);
  if (step.script === "set_summary_state.py" && Array.isArray(step.config.data)) {
    return step.config.data.flatMap((item) => {
      if (!Array.isArray(item) || typeof item[0] !== "string" || typeof item[1] !== "string") return [];
      const state = item[1].toUpperCase();
      if (!isTarget(state)) return [];
      const [name, index] = item[0].split(":");
      const cscs = index === "*" ? layout.cscsNamed(name!) : [item[0]];
      return cscs.filter(keep).map((csc) => ({ csc, state }));
    });
  }
  if (step.script === "system_wide_shutdown.py") {
    const ignore = new Set(
      Array.isArray(step.config.ignore)
        ? step.config.ignore.filter((x): x is string => typeof x === "string")
        : [],
    );
    return step.cscs
      .filter((csc) => {
        const name = csc.split(":")[0]!;
        return keep(csc) && !ignore.has(name) && name !== "ScriptQueue" && name !== "Script";
      })
      .map((csc) => ({ csc, state: step.state }));
  }
  return step.cscs.filter(keep).map((csc) => ({ csc, state: step.state }));
}

function isTarget(state: string): state is Target {
  return state === "OFFLINE" || state === "STANDBY" || state === "DISABLED" || state === "ENABLED";
}
