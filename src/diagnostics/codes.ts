/**
 * The one registry of diagnostic codes. Codes are grouped by the stage that reports them:
 * 1xxx syntax, 2xxx names, 3xxx expansion, 4xxx ordering, 5xxx plan, 6xxx runtime.
 * Every code has a section in grammar/spec.md (a test keeps the two in step).
 */
export type Severity = "error" | "warning";

export interface CodeInfo {
  readonly severity: Severity;
  /** A short name for the code, used as the heading of its entry in the language reference. */
  readonly title: string;
}

export const CODES = {
  // 1xxx: text to syntax tree
  DPL1001: { severity: "error", title: "unexpected character" },
  DPL1002: { severity: "error", title: "unterminated string" },
  DPL1003: { severity: "error", title: "unterminated command" },
  DPL1004: { severity: "error", title: "unterminated text block" },
  DPL1005: { severity: "error", title: "bad duration" },
  DPL1006: { severity: "error", title: "bad escape sequence" },
  DPL1007: { severity: "error", title: "unexpected token" },
  DPL1008: { severity: "error", title: "unclosed bracket" },
  DPL1009: { severity: "error", title: "unexpected end of file" },
  DPL1010: { severity: "error", title: "not a text file" },
  DPL1011: { severity: "error", title: "keyword used as a name" },
  DPL1012: { severity: "error", title: "misspelled keyword" },
  DPL1013: { severity: "error", title: "bad interpolation" },
  DPL1014: { severity: "error", title: "bad command quoting" },
  DPL1015: { severity: "warning", title: "empty file" },
  DPL1016: { severity: "error", title: "too many errors" },
  DPL1017: { severity: "error", title: "clause not allowed here" },
  DPL1018: { severity: "error", title: "repeated clause" },
  DPL1019: { severity: "error", title: "bad CSC index" },
  DPL1020: { severity: "error", title: "bad number" },
  DPL1021: { severity: "error", title: "missing clause" },

  // 2xxx: names and imports
  DPL2001: { severity: "error", title: "file not found" },
  DPL2002: { severity: "error", title: "import cycle" },
  DPL2003: { severity: "error", title: "import outside the repository" },
  DPL2004: { severity: "error", title: "unknown CSC" },
  DPL2005: { severity: "error", title: "bad index for this CSC" },
  DPL2006: { severity: "error", title: "unknown name" },
  DPL2007: { severity: "error", title: "unknown site" },
  DPL2008: { severity: "error", title: "unknown host" },
  DPL2009: { severity: "error", title: "unknown application or project" },
  DPL2010: { severity: "error", title: "unknown parameter" },
  DPL2011: { severity: "error", title: "unknown step or phase" },
  DPL2012: { severity: "error", title: "duplicate definition" },
  DPL2013: { severity: "error", title: "unknown procedure" },
  DPL2014: { severity: "error", title: "unknown attribute" },
  DPL2015: { severity: "error", title: "unknown citation" },
  DPL2016: { severity: "error", title: "unknown reference" },
  DPL2017: { severity: "error", title: "unknown type" },
  DPL2018: { severity: "error", title: "unknown resource kind" },
  DPL2019: { severity: "error", title: "unknown compatibility level" },
  DPL2020: { severity: "error", title: "not a component" },

  // 3xxx: expansion for a site
  DPL3001: { severity: "error", title: "bad parameter value" },
  DPL3002: { severity: "error", title: "no such parameter" },
  DPL3003: { severity: "error", title: "missing parameter" },
  DPL3004: { severity: "error", title: "ignored CSC targeted" },
  DPL3005: { severity: "warning", title: "step expands to nothing" },
  DPL3006: { severity: "error", title: "undo could be skipped" },
  DPL3007: { severity: "error", title: "undo before its change" },
  DPL3008: { severity: "error", title: "not a temporary change" },
  DPL3009: { severity: "error", title: "bad restore value" },
  DPL3010: { severity: "error", title: "wrong kind of value" },
  DPL3011: { severity: "error", title: "no site to compile for" },
  DPL3012: { severity: "error", title: "missing site attribute" },
  DPL3013: { severity: "warning", title: "long phase" },

  // 4xxx: ordering
  DPL4001: { severity: "error", title: "cycle in the plan" },
  DPL4002: { severity: "error", title: "`first` rule violated" },
  DPL4003: { severity: "error", title: "`last` rule violated" },
  DPL4004: { severity: "error", title: "`before` rule violated" },
  DPL4005: { severity: "error", title: "runner rule violated" },
  DPL4006: { severity: "error", title: "project rule violated" },
  DPL4007: { severity: "error", title: "bad rule" },

  // 5xxx: the plan and the configurations it gives to scripts
  DPL5001: { severity: "error", title: "unknown script configuration key" },
  DPL5002: { severity: "error", title: "missing script configuration key" },
  DPL5003: { severity: "error", title: "bad script configuration value" },
  DPL5004: { severity: "error", title: "`ignore` given to set_summary_state.py" },
  DPL5005: { severity: "error", title: "runner queue not last" },
  DPL5006: { severity: "error", title: "ScriptQueues given to system_wide_shutdown.py" },
  DPL5007: { severity: "error", title: "computed key given by hand" },
  DPL5008: { severity: "error", title: "state not accepted by the script" },
  DPL5009: { severity: "error", title: "ignore entry the script cannot express" },
  DPL5010: { severity: "error", title: "unknown state script" },
  DPL5011: { severity: "error", title: "nothing to transition" },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

/** The registry entry of a code. */
export function codeInfo(code: Code): CodeInfo {
  return CODES[code];
}

/** Every registered code, in order. */
export function allCodes(): Code[] {
  return (Object.keys(CODES) as Code[]).sort();
}
