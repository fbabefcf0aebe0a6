import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { lookupIn } from "./files.js";
import type { PlanInput } from "./inputs.js";
import { printDiagnostics } from "./output.js";

/**
 * Writes a verb's text to the file given with `-o` (creating its folder) or, without one, to standard
 * output. Returns a message for the user when the file cannot be written, `undefined` when it was.
 */
export function writeOutput(text: string, output: string | undefined): string | undefined {
  if (output === undefined) {
    process.stdout.write(text);
    return undefined;
  }
  try {
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, text);
    return undefined;
  } catch (e) {
    return `cannot write ${output}: ${(e as Error).message}`;
  }
}

/** Prints why a verb got no plan: the compiler's diagnostics, then the message if there is one. */
export function printInputFailure(verb: string, failed: Extract<PlanInput, { ok: false }>): void {
  printDiagnostics(failed.diagnostics, lookupIn(failed.sources), "text");
  if (failed.message) process.stderr.write(`plan ${verb}: ${failed.message}\n`);
}
