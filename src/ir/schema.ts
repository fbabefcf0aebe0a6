import { z } from "zod";
import { FORMAT_VERSION } from "./version.js";

/**
 * The plan IR: one compiled procedure for one site, everything the runtime, the checklists, the graphs
 * and the Argo export need, and nothing they would have to look up in the `.dpl` sources.
 * Defined once here; the TypeScript types come from it and `schema/plan.schema.json` is generated from it.
 */

export { FORMAT_VERSION };

export const CscState = z.enum(["OFFLINE", "STANDBY", "DISABLED", "ENABLED", "FAULT"]);

/** Where a step, phase or rule was written, and the part of the source procedure it implements. */
export const Source = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  column: z.number().int().positive(),
  cite: z.array(z.string()).optional().describe("citations of the source procedure, such as `001/1.2`"),
});

export const Admonition = z.object({
  level: z.enum(["important", "attention", "warning", "note"]),
  text: z.string(),
  source: Source,
});

/** A JSON value, as in a ScriptQueue script configuration. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export const Json: z.ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(Json), z.record(z.string(), Json)]),
);

export const OnTimeout = z.union([
  z.object({ kind: z.literal("fail") }),
  z.object({ kind: z.literal("continue") }),
  z.object({ kind: z.literal("ask"), question: z.string() }),
]);

/** A host that commands run on over ssh. */
export const Host = z.object({
  name: z.string(),
  address: z.string(),
  roles: z.array(z.string()),
  user: z.string().optional(),
  port: z.number().int().optional(),
  service: z
    .string()
    .optional()
    .describe("the systemd service that runs there, such as a camera's OCS bridge"),
});

const common = {
  id: z
    .string()
    .describe(
      "short, stable within the plan: `2.3`, `4.5.2`, `1.end`; the same on the checklist and in the journal",
    ),
  name: z.string().optional().describe("the label the procedure gave the step"),
  phase: z.string(),
  title: z.string().describe("what to do, in imperative words"),
  manual: z.boolean().describe("whether a person does it (the runtime waits for the operator's answer)"),
  critical: z.boolean().describe("a killer item: dangerous to skip or get wrong"),
  after: z.array(z.string()).describe("the ids of its direct predecessors in the DAG"),
  source: Source,
  by: z.string().optional().describe("who does it, where the procedure says"),
  check: z.string().optional().describe("what to check afterwards"),
  url: z.string().optional(),
  command: z
    .string()
    .optional()
    .describe("the command a person would type to do or check this by hand, shown on the checklist"),
  confirm: z.string().optional().describe("a question the runtime asks before an automated step"),
  admonitions: z.array(Admonition).describe("set apart before the step they guard"),
  timeoutSeconds: z.number().nonnegative().optional(),
  pollSeconds: z.number().positive().optional(),
  onTimeout: OnTimeout.optional(),
  retries: z.number().int().positive().optional(),
  expectedSeconds: z.number().nonnegative().describe("how long it is expected to take"),
  temporary: z
    .object({ undoneBy: z.string() })
    .optional()
    .describe("a temporary change; the step that undoes it"),
  undoes: z.string().optional().describe("the id of the temporary change this step undoes"),
};

function step<K extends string, P extends z.ZodRawShape>(kind: K, payload: P) {
  return z.object({ ...common, kind: z.literal(kind), ...payload });
}

export const StepSchema = z.discriminatedUnion("kind", [
  step("csc-transition", {
    state: CscState.exclude(["FAULT"]),
    script: z.string(),
    queue: z.string().describe("the ScriptQueue that runs the script, such as `ScriptQueue:1`"),
    cscs: z.array(z.string()).describe("the CSCs in the order the script handles them"),
    config: z.record(z.string(), Json).describe("the exact configuration to give the script"),
    ignored: z.array(z.object({ csc: z.string(), keep: CscState, reason: z.string().optional() })),
  }),
  step("script", { script: z.string(), queue: z.string(), config: z.record(z.string(), Json) }),
  step("csc-states", {
    expect: z.array(
      z.object({
        csc: z.string(),
        state: CscState,
        heartbeatOnly: z.boolean().describe("never reports OFFLINE: OFFLINE means its heartbeats stopped"),
      }),
    ),
  }),
  step("command", {
    argv: z.array(z.string()).min(1),
    host: Host.optional().describe("where to run it over ssh; absent: on the operator's machine"),
    stdin: z.string().optional().describe("what the command is given on its standard input; absent: nothing"),
  }),
  step("k8s-scale", {
    namespace: z.string(),
    selector: z.string().optional(),
    replicas: z.number().int().nonnegative(),
  }),
  step("k8s-delete-jobs", { namespace: z.string(), selector: z.string().optional() }),
  step("k8s-annotate", {
    resource: z.object({ group: z.string(), version: z.string(), plural: z.string(), kind: z.string() }),
    namespace: z.string(),
    resourceName: z.string(),
    key: z.string(),
    value: z.string().nullable().describe("null removes the annotation"),
  }),
  step("k8s-wait-ready", {
    resource: z.enum(["pods", "deployments"]),
    namespace: z.string(),
    selector: z.string().optional(),
  }),
  step("kafka-lag", { groupPrefix: z.string(), max: z.number().int().nonnegative() }),
  step("argocd-sync", { app: z.string(), project: z.string().optional() }),
  step("registry-set-compatibility", { level: z.string() }),
  step("registry-check-compatibility", { level: z.string() }),
  step("wait", { seconds: z.number().nonnegative() }),
  step("manual", { text: z.string() }),
  step("notify", { channel: z.string().optional(), message: z.string() }),
  step("checkpoint", { phaseTitle: z.string() }),
]);

export const EdgeSchema = z.object({
  from: z.string(),
  to: z.string(),
  reason: z.object({
    kind: z.enum(["sequence", "phase", "after", "rule", "undo"]),
    detail: z.string().describe("why the edge exists, in words"),
    rule: z.string().optional().describe("the name of the ordering rule that made it"),
    source: Source,
  }),
});

export const PhaseSchema = z.object({
  name: z.string(),
  title: z.string(),
  number: z.number().int().positive(),
  mode: z.enum(["read-do", "do-confirm"]),
  by: z.string().optional(),
  admonitions: z.array(Admonition),
  steps: z.array(z.string()).describe("the ids of its steps, in the order written"),
  source: Source,
});

export const RuleSchema = z.object({
  name: z.string(),
  text: z.string().describe("the rule as written"),
  because: z.string().optional(),
  events: z.number().int().nonnegative().describe("how many events the rule ordered in this plan"),
  holds: z
    .literal(true)
    .describe("every rule in a plan was proven on its DAG; a plan is not written otherwise"),
  source: Source,
});

export const SiteSchema = z.object({
  name: z.string(),
  title: z.string(),
  kubernetes: z.object({ context: z.string(), kubeconfig: z.string().optional() }).optional(),
  argocd: z
    .object({
      url: z.string(),
      caFile: z.string().optional(),
      tokenEnv: z.string().optional().describe("the environment variable that holds an Argo CD token"),
      usernameEnv: z.string().optional(),
      passwordEnv: z.string().optional(),
    })
    .optional(),
  kafka: z.object({ bootstrap: z.array(z.string()), toolsSite: z.string().optional() }).optional(),
  schemaRegistry: z.object({ url: z.string() }).optional(),
  efd: z
    .object({
      url: z.string(),
      database: z.string(),
      usernameEnv: z.string().optional().describe("the environment variable that holds the EFD user"),
      passwordEnv: z.string().optional().describe("the environment variable that holds the EFD password"),
    })
    .optional(),
  love: z.array(z.string()),
  chronograf: z.string().optional(),
  nublado: z.string().optional(),
  slack: z.string().optional(),
  hosts: z.array(Host),
  apps: z
    .array(z.object({ name: z.string(), project: z.string().optional(), namespace: z.string() }))
    .describe("the site's Argo CD applications"),
  cscs: z
    .array(
      z.object({
        id: z.string(),
        app: z.string().optional().describe("the Argo CD application (and namespace) whose job runs it"),
        job: z.string().optional().describe("the csc-name label of its Kubernetes job"),
        host: z.string().optional().describe("the host it runs on, when not in Kubernetes"),
        simulator: z.boolean(),
        starts: CscState.describe("the state it comes up in after a deployment"),
        heartbeatOnly: z.boolean(),
      }),
    )
    .describe("the site's CSC inventory, in the order written"),
});

export const PlanSchema = z.object({
  format: z.literal("plan").describe("what this file is"),
  formatVersion: z.literal(FORMAT_VERSION),
  compiler: z.object({ name: z.literal("plan"), version: z.string() }),
  id: z.string().describe("`<procedure>@<site>`"),
  hash: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/)
    .describe("sha256 of the canonical JSON of the plan without this field"),
  procedure: z.object({ name: z.string(), title: z.string(), source: Source }),
  site: SiteSchema,
  params: z.record(z.string(), z.object({ type: z.string(), value: Json, default: z.boolean() })),
  admonitions: z.array(Admonition),
  ignored: z.array(
    z.object({ csc: z.string(), keep: CscState, reason: z.string().optional(), source: Source }),
  ),
  phases: z.array(PhaseSchema),
  steps: z.array(StepSchema).describe("in the order written: phase by phase"),
  edges: z.array(EdgeSchema),
  order: z.array(z.string()).describe("a topological order of the steps, ties broken by step id"),
  rules: z.array(RuleSchema),
});

export type Plan = z.infer<typeof PlanSchema>;
export type Step = z.infer<typeof StepSchema>;
export type StepKind = Step["kind"];
export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;
export type Edge = z.infer<typeof EdgeSchema>;
export type PlanPhase = z.infer<typeof PhaseSchema>;
export type PlanRule = z.infer<typeof RuleSchema>;
export type PlanSite = z.infer<typeof SiteSchema>;
export type PlanHost = z.infer<typeof Host>;
export type PlanSource = z.infer<typeof Source>;
export type PlanAdmonition = z.infer<typeof Admonition>;
