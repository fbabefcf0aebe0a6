import { z } from "zod";
import { FORMAT_VERSION, Json, PlanSchema } from "./schema.js";

/** Where the generated schema is checked in, relative to the repository root. */
export const PLAN_SCHEMA_PATH = "schema/plan.schema.json";

/**
 * The JSON Schema (draft 2020-12) of a plan file, generated from the zod schema so that the two never
 * disagree: objects are closed (`additionalProperties: false`), as a plan file holds nothing else.
 * It describes the plan as written by `plan compile` (zod's output side).
 */
export function planJsonSchema(): Record<string, unknown> {
  // The recursive JSON value of script configurations gets a readable name in `$defs` (not `__schema0`).
  if (!z.globalRegistry.has(Json)) {
    z.globalRegistry.add(Json, {
      id: "Json",
      description: "any JSON value, as in a ScriptQueue script configuration",
    });
  }
  const generated = z.toJSONSchema(PlanSchema, { target: "draft-2020-12", io: "output" }) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: `plan, format version ${FORMAT_VERSION}`,
    description:
      "A deployment procedure compiled for one site by `plan compile`: phases, steps, the dependency DAG, " +
      "the proven ordering rules and a sha256 content hash. Generated from src/ir/schema.ts; do not edit.",
    ...rest,
  };
}

/** The text of `schema/plan.schema.json`: the schema, indented for review, with a final newline. */
export function planJsonSchemaText(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}
