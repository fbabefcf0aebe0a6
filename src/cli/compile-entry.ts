import type { PlanInput, PlanInputOptions } from "./inputs.js";

/**
 * Compiles a `.dpl` entry from disk for one site. The compiler's passes are being written (issue 3); until
 * they land this refuses clearly instead of pretending.
 */
export async function compileEntryFromDisk(input: string, _options: PlanInputOptions): Promise<PlanInput> {
  return {
    ok: false,
    diagnostics: [],
    sources: new Map(),
    message: `${input}: compiling .dpl entries is not available yet; give a plan file written by \`plan compile\``,
  };
}
