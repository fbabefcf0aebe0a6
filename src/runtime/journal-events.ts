import { z } from "zod";

/**
 * The events of a run's journal, one JSON object per line. Every event carries the journal format
 * version `v`, its sequence number `seq` (counted from 1 across the whole file, sessions included) and
 * the time `at` (ISO 8601, from the runtime's clock). The journal is an append-only log: a resumed run
 * appends a new `run-started` and goes on.
 */
export const JOURNAL_VERSION = 1;

const base = {
  v: z.literal(JOURNAL_VERSION),
  seq: z.number().int().positive(),
  at: z.string(),
};

/** The options a session was started with, as the operator gave them. */
export const RunOptionsRecord = z.object({
  concurrency: z.number().int().positive(),
  step: z.boolean(),
  from: z.string().optional(),
  only: z.array(z.string()).optional(),
  resume: z.boolean(),
});

export const JournalEventSchema = z.discriminatedUnion("type", [
  z.object({
    ...base,
    type: z.literal("run-started"),
    planId: z.string(),
    hash: z.string(),
    site: z.string(),
    by: z.string(),
    host: z.string(),
    pid: z.number().int(),
    lock: z.string().optional().describe("the id of the lock this session holds"),
    options: RunOptionsRecord,
  }),
  z.object({
    ...base,
    type: z.literal("step-started"),
    step: z.string(),
    attempt: z.number().int().positive(),
  }),
  z.object({ ...base, type: z.literal("output"), step: z.string(), line: z.string() }),
  z.object({
    ...base,
    type: z.literal("step-finished"),
    step: z.string(),
    summary: z.string().optional(),
    durationMs: z.number().nonnegative(),
    observed: z.boolean().optional().describe("found done on resume, by the executor or the operator"),
  }),
  z.object({ ...base, type: z.literal("step-skipped"), step: z.string(), reason: z.string() }),
  z.object({
    ...base,
    type: z.literal("step-failed"),
    step: z.string(),
    message: z.string(),
    help: z.string().optional(),
    attempt: z.number().int().positive(),
    retrying: z.boolean().describe("whether the step is tried again in this session"),
    durationMs: z.number().nonnegative(),
  }),
  z.object({
    ...base,
    type: z.literal("step-stopped"),
    step: z.string(),
    reason: z.string().describe("the step ended without doing anything: it runs again on resume"),
  }),
  z.object({
    ...base,
    type: z.literal("answer"),
    step: z.string(),
    question: z.enum(["manual", "confirm", "step", "resume", "question"]),
    answer: z.enum(["done", "skip", "abort", "yes", "no"]),
    reason: z.string().optional(),
    by: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal("notice"),
    text: z.string().describe("something the operator was told: a skipped dependency, a lock taken over"),
  }),
  z.object({
    ...base,
    type: z.literal("run-stopped"),
    outcome: z.enum(["failed", "stopped", "aborted"]),
    reason: z.string(),
  }),
  z.object({ ...base, type: z.literal("run-finished") }),
]);

export type JournalEvent = z.infer<typeof JournalEventSchema>;
export type JournalEventType = JournalEvent["type"];

/** An event as the runtime writes it: the journal adds `v`, `seq` and `at`. */
export type NewEvent = JournalEvent extends infer E
  ? E extends JournalEvent
    ? Omit<E, "v" | "seq" | "at">
    : never
  : never;

/** The kinds of question the runtime puts to the operator, as journaled with the answer. */
export type QuestionKind = Extract<JournalEvent, { type: "answer" }>["question"];
