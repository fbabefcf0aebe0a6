import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { SourceText } from "../diagnostics/span.js";

/**
 * Checks that the bytes of a file are text before parsing them: a binary file (NUL bytes) or one that is
 * not UTF-8 gets one DPL1010 instead of a flood of unexpected characters.
 */
export function decodeSource(path: string, bytes: Uint8Array): { text: string } | { diagnostic: Diagnostic } {
  const probe = bytes.subarray(0, 8192);
  const empty = new SourceText(path, "");
  if (probe.includes(0)) {
    return {
      diagnostic: diagnostic("DPL1010", "this is a binary file, not .dpl text", empty.span(0, 0), {
        help: "check the path: .dpl files are UTF-8 text",
      }),
    };
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { text: text.startsWith("\uFEFF") ? text.slice(1) : text };
  } catch {
    return {
      diagnostic: diagnostic("DPL1010", "this file is not UTF-8 text", empty.span(0, 0), {
        help: "save the file as UTF-8",
      }),
    };
  }
}
