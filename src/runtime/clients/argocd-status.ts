/**
 * What Argo CD says of an application, read from its Application resource, and how a deployment judges
 * it: a sync that is done, still going, or failed.
 */

/** The last sync operation of an application (`status.operationState`). */
export interface ArgoOperation {
  /** Running, Terminating, Succeeded, Failed or Error. */
  readonly phase: string;
  readonly message?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

/** What Argo CD says of an application, reduced to what a deployment looks at. */
export interface ArgoAppStatus {
  readonly app: string;
  readonly project?: string;
  /** `status.sync.status`: Synced, OutOfSync or Unknown. */
  readonly sync: string;
  /** `status.health.status`: Healthy, Progressing, Degraded, Suspended, Missing or Unknown. */
  readonly health: string;
  /** Why it is not healthy: the application's health message and those of its unhealthy resources. */
  readonly healthDetail?: string;
  readonly revision?: string;
  readonly operation?: ArgoOperation;
  /** Whether an operation was requested that the controller has not started yet (`operation` is set). */
  readonly operationPending: boolean;
  /** Error conditions (`status.conditions` whose type ends in Error), as `type: message`. */
  readonly errors: readonly string[];
}

/** Reads the parts of an Application that matter; missing parts read as Unknown. */
export function toStatus(app: string, body: unknown): ArgoAppStatus {
  const o = record(body);
  const status = record(o.status);
  const health = record(status.health);
  const op = status.operationState === undefined ? undefined : record(status.operationState);
  const unhealthy = array(status.resources)
    .map(record)
    .filter((r) => ["Degraded", "Missing"].includes(str(record(r.health).status) ?? ""))
    .slice(0, 3)
    .map((r) => {
      const h = record(r.health);
      const name = [str(r.namespace), str(r.name)].filter(Boolean).join("/");
      return `${str(r.kind) ?? "resource"} ${name}: ${str(h.message) ?? str(h.status)}`;
    });
  const detail = [str(health.message), ...unhealthy].filter(Boolean).join("; ");
  return {
    app,
    project: str(record(o.spec).project),
    sync: str(record(status.sync).status) ?? "Unknown",
    health: str(health.status) ?? "Unknown",
    healthDetail: detail || undefined,
    revision: str(record(status.sync).revision),
    operation: op && {
      phase: str(op.phase) ?? "Unknown",
      message: str(op.message),
      startedAt: str(op.startedAt),
      finishedAt: str(op.finishedAt),
    },
    operationPending: o.operation !== undefined && o.operation !== null,
    errors: array(status.conditions)
      .map(record)
      .filter((c) => (str(c.type) ?? "").endsWith("Error"))
      .map((c) => `${str(c.type)}: ${str(c.message) ?? ""}`),
  };
}

/** Where a sync stands: done (Synced and Healthy), still going, or failed; and the state in words. */
export interface SyncVerdict {
  readonly kind: "done" | "waiting" | "failed";
  readonly current: string;
}

/**
 * Judges an application after a sync was requested. `before` is its status before the request: an
 * operation that had started by then is not this sync's, so a stale Succeeded is never taken for done.
 * A Failed or Error operation fails; a Degraded app is still waited for (it may recover), with Argo CD's
 * reason in `current`, so that a wait that times out says why.
 */
export function judgeSync(status: ArgoAppStatus, before: ArgoAppStatus): SyncVerdict {
  const state = `${status.sync}/${status.health}`;
  const why = [status.health !== "Healthy" ? status.healthDetail : undefined, ...status.errors].filter(
    Boolean,
  );
  const reason = why.length ? ` (${why.join("; ")})` : "";
  const op = status.operation;
  const ours =
    op !== undefined && (before.operation === undefined || op.startedAt !== before.operation.startedAt);
  if (!op || !ours) {
    return {
      kind: "waiting",
      current: `${state}, sync ${status.operationPending ? "requested" : "not started yet"}`,
    };
  }
  const said = op.message ? `: ${op.message}` : "";
  if (op.phase === "Failed" || op.phase === "Error")
    return { kind: "failed", current: `sync ${op.phase}${said}${reason}` };
  if (op.phase !== "Succeeded")
    return { kind: "waiting", current: `${state}, sync ${op.phase}${said}${reason}` };
  const done = status.sync === "Synced" && status.health === "Healthy";
  return { kind: done ? "done" : "waiting", current: `${state}${reason}` };
}

/** Whether an application is deployed: Synced, Healthy, and no operation under way. */
export function isSyncedHealthy(status: ArgoAppStatus): boolean {
  return status.sync === "Synced" && status.health === "Healthy" && !status.operationPending;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
