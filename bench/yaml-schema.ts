import { z } from "zod";

/**
 * The baseline's validation: a zod schema of the YAML shape that `to-yaml.ts` writes (the shape of
 * `model.ts`), as strict as a team would make it (unknown keys are errors, so a typo is caught), and no
 * stricter: it checks the shape of each file, not names, sites, expansion, ordering or rules.
 */

const names = z.array(z.string().min(1));
const duration = z.string().regex(/^(\d+(ms|s|m|h|d))+$/);

const clauses = {
  only: names.optional(),
  except: names.optional(),
  when: z.string().optional(),
  after: names.optional(),
  by: z.string().optional(),
  check: z.string().optional(),
  cite: z.string().optional(),
  confirm: z.string().optional(),
  url: z.string().optional(),
  timeout: duration.optional(),
  every: duration.optional(),
  duration: duration.optional(),
  retry: z.number().int().positive().optional(),
  critical: z.boolean().optional(),
  command: z.string().optional(),
  else: z
    .union([
      z.strictObject({ fail: z.literal(true) }),
      z.strictObject({ continue: z.literal(true) }),
      z.strictObject({ ask: z.string() }),
    ])
    .optional(),
};

type ConfigValue = string | number | boolean | ConfigValue[] | { [key: string]: ConfigValue };
const ConfigValue: z.ZodType<ConfigValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.array(ConfigValue), z.record(z.string(), ConfigValue)]),
);
const config = z.record(z.string(), ConfigValue);

const State = z.enum(["OFFLINE", "STANDBY", "DISABLED", "ENABLED", "FAULT"]);

const Condition = z.union([
  z.strictObject({ lag: z.string(), max: z.number().int().nonnegative() }),
  z.strictObject({
    ready: z.enum(["pods", "deployments"]),
    namespace: z.string(),
    where: z.string().optional(),
  }),
  z.strictObject({ compatibility: z.string() }),
  z.strictObject({ cscs: names, but: names.optional(), is: z.union([State, z.literal("started")]) }),
]);

const Change = z.union([
  z.strictObject({
    scale: z.strictObject({
      namespace: z.string(),
      where: z.string().optional(),
      replicas: z.number().int().nonnegative(),
    }),
  }),
  z.strictObject({ compatibility: z.string() }),
  z.strictObject({
    annotate: z.strictObject({
      resource: z.string(),
      name: z.string(),
      namespace: z.string(),
      key: z.string(),
      value: z.string(),
    }),
  }),
]);

const step = <K extends string, S extends z.ZodRawShape>(kind: K, shape: S) =>
  z.strictObject({ ...clauses, label: z.string().optional(), kind: z.literal(kind), ...shape });

export const StepYaml = z.discriminatedUnion("kind", [
  step("transition", {
    verb: z.enum(["offline", "standby", "disable", "enable"]),
    targets: names,
    but: names.optional(),
    via: z.string(),
    queue: z.string(),
    config: config.optional(),
  }),
  step("script", { script: z.string(), queue: z.string(), config: config.optional() }),
  step("run", { cmd: z.string().min(1), on: z.string().optional(), on_each: z.string().optional() }),
  step("scale", {
    namespace: z.string(),
    where: z.string().optional(),
    replicas: z.number().int().nonnegative(),
  }),
  step("delete-jobs", { namespace: z.string(), where: z.string().optional() }),
  step("annotate", {
    resource: z.string(),
    name: z.string(),
    namespace: z.string(),
    key: z.string(),
    value: z.string().nullable(),
  }),
  step("wait", { duration }),
  step("wait-until", { condition: Condition }),
  step("expect", { condition: Condition }),
  step("sync", { apps: names, projects: names.optional(), but: names.optional() }),
  step("set-compatibility", { level: z.string() }),
  step("manual", { text: z.string() }),
  step("notify", { message: z.string() }),
  step("temporarily", {
    change: Change,
    restore: z.union([z.string(), z.number()]),
    until: z.string().optional(),
  }),
  step("undo", { ref: z.string() }),
]);

const Admonition = z.strictObject({
  ...clauses,
  level: z.enum(["important", "attention", "warning", "note"]),
  text: z.string(),
});

type Item = { step: unknown } | { admonition: unknown } | { parallel: Item[]; clauses?: unknown };
const Item: z.ZodType<Item> = z.lazy(() =>
  z.union([
    z.strictObject({ step: StepYaml }),
    z.strictObject({ admonition: Admonition }),
    z.strictObject({ parallel: z.array(Item), clauses: z.strictObject(clauses).optional() }),
  ]),
);

const Ignore = z.strictObject({ ...clauses, csc: z.string(), keep: State, because: z.string().optional() });

const Procedure = z.strictObject({
  name: z.string(),
  title: z.string(),
  params: z.array(
    z.strictObject({
      name: z.string(),
      type: z.enum(["bool", "int", "string", "duration", "csc", "cscs", "apps"]),
      default: z.union([z.string(), z.number(), z.boolean(), names]).optional(),
      doc: z.string().optional(),
    }),
  ),
  cite: z.string().optional(),
  admonitions: z.array(Admonition),
  ignore: z.array(Ignore),
  phases: z.array(
    z.strictObject({
      ...clauses,
      name: z.string(),
      title: z.string(),
      do_confirm: z.boolean().optional(),
      items: z.array(Item),
    }),
  ),
});

const Site = z.strictObject({
  name: z.string(),
  title: z.string(),
  attributes: z.record(z.string(), z.union([z.string(), names])),
  hosts: z.array(
    z.strictObject({
      name: z.string(),
      address: z.string(),
      role: z.string().optional(),
      service: z.string().optional(),
      user: z.string().optional(),
    }),
  ),
  apps: z.array(
    z.strictObject({ name: z.string(), project: z.string().optional(), namespace: z.string().optional() }),
  ),
  inventory: z.array(
    z.strictObject({
      csc: z.string(),
      in: z.string().optional(),
      on: z.string().optional(),
      unknown: z.boolean().optional(),
      simulator: z.boolean().optional(),
      starts: z.enum(["ENABLED", "DISABLED"]).optional(),
      heartbeat_only: z.boolean().optional(),
      job: z.string().optional(),
    }),
  ),
  ignore: z.array(Ignore),
});

const Action = z.enum(["offline", "standby", "disable", "enable", "sync"]);

const Rule = z.strictObject({
  label: z.string(),
  action: Action,
  targets: names,
  relation: z.union([
    z.strictObject({ first: z.literal(true) }),
    z.strictObject({ last: z.literal(true), among: names.optional(), project: z.string().optional() }),
    z.strictObject({ before: z.strictObject({ action: Action, targets: names }) }),
  ]),
  because: z.string().optional(),
  cite: z.string().optional(),
  only: names.optional(),
  except: names.optional(),
});

/** One YAML file of the baseline's repository: any of the top-level sections. */
export const YamlFile = z.strictObject({
  imports: z.array(z.string()).optional(),
  site: Site.optional(),
  groups: z.array(z.strictObject({ name: z.string(), title: z.string(), members: names })).optional(),
  rules: z.array(Rule).optional(),
  ignore: z.array(Ignore).optional(),
  documents: z
    .array(
      z.strictObject({
        id: z.string(),
        title: z.string(),
        sections: z.array(
          z.strictObject({
            key: z.string(),
            title: z.string(),
            items: z.array(z.strictObject({ key: z.string(), title: z.string() })),
          }),
        ),
      }),
    )
    .optional(),
  procedure: Procedure.optional(),
  plans: z
    .array(
      z.strictObject({
        procedure: z.string(),
        args: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
        sites: names,
      }),
    )
    .optional(),
});
