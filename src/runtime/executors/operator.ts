import { manualExecutor, notifyExecutor } from "./manual.js";
import { cscTransitionExecutor, scriptExecutor } from "./script.js";
import { checkpointExecutor, waitExecutor } from "./wait.js";

/**
 * The executors of the operator-facing kinds, by kind: the steps a person does (manual, notify, a
 * ScriptQueue script, a CSC transition), fixed waits, and the ends of phases.
 */
export const operatorExecutors = {
  manual: manualExecutor,
  notify: notifyExecutor,
  script: scriptExecutor,
  "csc-transition": cscTransitionExecutor,
  wait: waitExecutor,
  checkpoint: checkpointExecutor,
} as const;
