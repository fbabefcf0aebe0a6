import type { Json } from "../ir/schema.js";

/**
 * The configuration schemas of the two ScriptQueue scripts that change CSC states, as their get_schema()
 * gives them (draft-07, additionalProperties: false). Source: lsst-ts/ts_standardscripts @22b5eccf,
 * python/lsst/ts/standardscripts/{system_wide_shutdown,set_summary_state}.py, gathered in
 * data/observatory/scriptqueue-scripts.yaml. A configuration that these would reject is a compile error.
 */
export type PropertyType = "string" | "string-list" | "boolean" | "number" | "data";

export interface ScriptProperty {
  readonly type: PropertyType;
  readonly doc: string;
  /** The compiler fills it in from the step (targets, state, ignore list); the author never writes it. */
  readonly computed?: boolean;
  readonly minimum?: number;
}

export interface ScriptSchema {
  readonly name: string;
  readonly required: readonly string[];
  readonly properties: Readonly<Record<string, ScriptProperty>>;
}

export const SYSTEM_WIDE_SHUTDOWN = "system_wide_shutdown.py";
export const SET_SUMMARY_STATE = "set_summary_state.py";

export const SCRIPTS: Readonly<Record<string, ScriptSchema>> = {
  [SYSTEM_WIDE_SHUTDOWN]: {
    name: SYSTEM_WIDE_SHUTDOWN,
    required: ["user", "reason"],
    properties: {
      user: { type: "string", doc: "who runs it" },
      reason: { type: "string", doc: "why" },
      ignore: {
        type: "string-list",
        doc: "CSC names without index; every index of that name is left alone",
        computed: true,
      },
      start_with: { type: "string-list", doc: "CSC names shut down first, in list order" },
      end_with: { type: "string-list", doc: "CSC names shut down last, in list order" },
    },
  },
  [SET_SUMMARY_STATE]: {
    name: SET_SUMMARY_STATE,
    required: ["data"],
    properties: {
      data: {
        type: "data",
        doc: "[CSC name with optional :index, state] items, processed in list order",
        computed: true,
      },
      mute_alarms: { type: "boolean", doc: "mute the Watcher's alarms of CSCs sent OFFLINE" },
      mute_duration: { type: "number", doc: "minutes", minimum: 0 },
    },
  },
};

/** Whether a JSON value has the type a property requires; a description of the problem when not. */
export function checkType(property: ScriptProperty, value: Json): string | undefined {
  switch (property.type) {
    case "string":
      return typeof value === "string" ? undefined : "must be a string";
    case "boolean":
      return typeof value === "boolean" ? undefined : "must be true or false";
    case "number":
      if (typeof value !== "number") return "must be a number";
      if (property.minimum !== undefined && value < property.minimum)
        return `must be at least ${property.minimum}`;
      return undefined;
    case "string-list":
      return Array.isArray(value) && value.every((v) => typeof v === "string")
        ? undefined
        : "must be a list of names";
    case "data":
      return Array.isArray(value) ? undefined : "must be a list of [CSC, state] items";
  }
}
