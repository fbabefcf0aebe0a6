import { ApiException } from "@kubernetes/client-node";
import { StepFailure } from "../executor.js";

/**
 * How failures of the Kubernetes API read: one sentence that says which server refused what, and why in
 * the server's words; whether trying again could help; and what to do.
 */

/** The API answered with an error, or could not be reached. */
export class KubeApiError extends StepFailure {
  constructor(
    message: string,
    help: string | undefined,
    transient: boolean,
    /** The HTTP status, undefined when there was no answer. */
    readonly code: number | undefined,
    /** The Status reason (`NotFound`, `Forbidden`, `Conflict`, ...), or a connection error's code. */
    readonly reason: string | undefined,
  ) {
    super(message, help, transient);
    this.name = "KubeApiError";
  }
}

/** 409: the object changed since it was read (Conflict), or is already there (AlreadyExists). */
export class KubeConflictError extends KubeApiError {
  constructor(message: string, help: string | undefined, reason: string | undefined) {
    super(message, help, false, 409, reason);
    this.name = "KubeConflictError";
  }
}

/** The kubeconfig cannot be used: missing file, unknown context, a context without a cluster. */
export class KubeConfigError extends StepFailure {
  constructor(message: string, help?: string) {
    super(message, help, false);
    this.name = "KubeConfigError";
  }
}

/** Where a call went, for messages: the server and the context. */
export interface KubeEndpoint {
  readonly server: string;
  readonly context: string;
}

interface StatusBody {
  readonly message?: string;
  readonly reason?: string;
}

const TRANSIENT_SYSTEM = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "EPIPE",
]);

/**
 * Turns what a call of the client library threw into a KubeApiError (or KubeConflictError, or
 * KubeConfigError); `action` completes "refused to ...". Rethrows the signal's reason when the caller
 * aborted, and anything it does not recognise (an internal error) as it is.
 */
export function toKubeError(e: unknown, where: KubeEndpoint, action: string, caller?: AbortSignal): Error {
  if (caller?.aborted)
    return caller.reason instanceof Error ? caller.reason : new Error(String(caller.reason));
  const at = `the Kubernetes API at ${where.server} (context ${where.context})`;
  if (e instanceof ApiException) return fromStatus(e.code, parseStatus(e.body), at, action, where);
  const err = e as { name?: string; code?: string; type?: string; message?: string };
  if (err?.name === "AbortError") {
    return new KubeApiError(
      `${at} did not answer in time when asked to ${action}`,
      "check the network to the cluster; the step can be retried",
      true,
      undefined,
      "Timeout",
    );
  }
  if (err?.name === "FetchError" && err.type === "system") {
    const code = err.code ?? "";
    if (
      /CERT|TLS|SSL|SIGNATURE|ISSUER|EPROTO/i.test(code) ||
      /certificate|ssl|tls/i.test(err.message ?? "")
    ) {
      return new KubeApiError(
        `could not verify ${at} to ${action}: ${reasonOf(err.message)}`,
        "check certificate-authority(-data) of the context's cluster in the kubeconfig, and that the server address is right",
        false,
        undefined,
        code || "TLS",
      );
    }
    const what = code === "ECONNREFUSED" ? "connection refused" : reasonOf(err.message);
    return new KubeApiError(
      `could not reach ${at} to ${action}: ${what}`,
      "check that you are on the site's network (or VPN) and that the context points at the right server",
      TRANSIENT_SYSTEM.has(code) || code === "",
      undefined,
      code || undefined,
    );
  }
  if (err instanceof Error && /HTTP protocol is not allowed/.test(err.message)) {
    return new KubeConfigError(
      `the context ${where.context} points at ${where.server} over plain http without insecure-skip-tls-verify`,
      "use https, or set insecure-skip-tls-verify: true for that cluster in the kubeconfig",
    );
  }
  return e instanceof Error ? e : new Error(String(e));
}

function fromStatus(
  code: number,
  status: StatusBody | undefined,
  at: string,
  action: string,
  where: KubeEndpoint,
): Error {
  const reason = status?.reason ?? (code === 401 ? "Unauthorized" : undefined);
  const said = status?.message ?? (code === 401 ? "Unauthorized" : `HTTP ${code}`);
  if (code === 409) {
    return new KubeConflictError(
      `${at} refused to ${action}: ${said}`,
      reason === "AlreadyExists"
        ? "someone else created it first"
        : "someone else changed it since it was read; read it again",
      reason,
    );
  }
  if (code >= 500 || code === 429) {
    return new KubeApiError(
      `${at} failed to ${action}: ${said} (${code}${reason ? ` ${reason}` : ""})`,
      "the step can be retried",
      true,
      code,
      reason,
    );
  }
  return new KubeApiError(`${at} refused to ${action}: ${said}`, helpFor(code, where), false, code, reason);
}

function helpFor(code: number, where: KubeEndpoint): string | undefined {
  switch (code) {
    case 401:
      return `your credentials for the context ${where.context} were not accepted: log in again (renew the token in the kubeconfig)`;
    case 403:
      return `the user of the context ${where.context} lacks the RBAC permission; ask the cluster's administrators, or use a context that has it`;
    case 404:
      return "check the namespace and the name, and that the context is the site's cluster";
    case 415:
    case 400:
      return "this is a bug in plan (the server did not accept what it sent); please report it";
    case 422:
      return "the server found the value invalid; check the plan's step";
    default:
      return undefined;
  }
}

/** The Status in an error body: the library gives the body as text (JSON) or already parsed. */
function parseStatus(body: unknown): StatusBody | undefined {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() ? { message: body.trim().slice(0, 300) } : undefined;
    }
  }
  if (value && typeof value === "object" && ("message" in value || "reason" in value))
    return value as StatusBody;
  return undefined;
}

function reasonOf(message: string | undefined): string {
  return (message ?? "").replace(/^request to \S+ failed, reason: /, "") || "unknown error";
}
