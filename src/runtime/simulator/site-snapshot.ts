import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { CscRecordSchema } from "./csc-model.js";
import { EfdProjectionStateSchema } from "./efd-projection.js";
import { KubeSnapshotSchema } from "./kube-snapshot.js";
import { ArgoAppSnapshotSchema, KafkaSnapshotSchema } from "./site-apps.js";

/**
 * The state of a simulated site on disk, one JSON file written after every change, so that a rehearsal
 * that is killed and resumed goes on against the same site: its clock, its CSCs, its EFD, and the state of
 * each double (Kubernetes objects, Argo CD applications, Kafka offsets, the registry's level, which host
 * services run).
 */

export const SNAPSHOT_FORMAT = 1;

export const SiteSnapshotSchema = z.object({
  format: z.literal("plan-simulated-site"),
  formatVersion: z.literal(SNAPSHOT_FORMAT),
  site: z.string(),
  clock: z.object({ siteAt: z.number(), wallAt: z.number(), speed: z.number().positive() }),
  cscs: z.record(z.string(), CscRecordSchema),
  efd: EfdProjectionStateSchema,
  kube: KubeSnapshotSchema,
  argocd: z.record(z.string(), ArgoAppSnapshotSchema),
  kafka: KafkaSnapshotSchema,
  registry: z.object({ compatibility: z.string() }),
  hosts: z.record(z.string(), z.object({ active: z.boolean() })),
  /** The context `kubectl config use-context` last chose, as the operator's kubeconfig keeps it. */
  kubectlContext: z.string().optional(),
});
export type SiteSnapshot = z.infer<typeof SiteSnapshotSchema>;

export type ReadSnapshot =
  | { readonly ok: true; readonly snapshot: SiteSnapshot | undefined }
  | { readonly ok: false; readonly problem: string };

/** Reads a snapshot; none at that path is `snapshot: undefined`; a damaged one is refused with the reason. */
export function readSnapshot(path: string): ReadSnapshot {
  if (!existsSync(path)) return { ok: true, snapshot: undefined };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    return { ok: false, problem: `${path} is not JSON: ${(e as Error).message}` };
  }
  const parsed = SiteSnapshotSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return {
      ok: false,
      problem: `${path} is not a simulated site's state (at ${issue.path.join(".") || "its top"}: ${issue.message})`,
    };
  }
  return { ok: true, snapshot: parsed.data };
}

/**
 * Writes a snapshot whole or not at all (a temporary file renamed over the old one).
 * NOTE: not fsynced: it survives the death of the process (what a killed rehearsal is), not of the
 * machine; an fsync after every change of a site that changes many times a second would cost more than
 * it is worth for a rehearsal.
 */
export function writeSnapshot(path: string, snapshot: SiteSnapshot): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(snapshot)}\n`);
  renameSync(tmp, path);
}
